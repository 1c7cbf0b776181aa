//! `feedbraid import`: bringing an operator's subscriptions from another aggregator. [`parse`]
//! reads OPML bytes into [`Outline`]s (tolerantly), [`plan_import`] decides which outlines become
//! new `[[source]]` tables and why the others are skipped, and [`append_sources`] writes those
//! tables into the config text with `toml_edit`. Only [`import`] touches files. (`partners.opml`,
//! the export, is a renderer: `publish::render::opml`.)
//!
//! What belongs here: the import command and its pure plan. It may import every lower layer.

mod apply;
mod plan;
mod read;

pub use apply::{AppendError, ImportError, ImportOptions, ImportReport, append_sources, import};
pub use plan::{Dropped, ImportPlan, NewSource, NotHttpUrl, SkipReason, Skipped, plan_import};
pub use read::{OpmlError, Outline, parse};
