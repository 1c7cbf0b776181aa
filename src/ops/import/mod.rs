//! `feedbraid import`: bringing an operator's subscriptions from another aggregator. [`parse`]
//! reads OPML bytes into [`Outline`]s (tolerantly, folders bounded in depth), [`plan_import`]
//! decides which outlines become new `[[source]]` tables and why the others are skipped (`address`
//! judges each feed's URL, private networks included; `outcome` holds the plan's values), and
//! [`append_sources`] writes those tables into the config text with `toml_edit`. Only [`import`]
//! touches files, under the config's edit lock (`ops::edit`). (`partners.opml`,
//! the export, is a renderer: `publish::render::opml`.)
//!
//! What belongs here: the import command and its pure plan. It may import every lower layer.

mod address;
mod apply;
mod outcome;
mod plan;
mod read;

pub use apply::{AppendError, ImportError, ImportOptions, ImportReport, append_sources, import};
pub use outcome::{
    Dropped, ImportPlan, MAX_TAG_CHARS, MAX_TAGS, NewSource, NotHttpUrl, PlanRules, SkipReason,
    Skipped,
};
pub use plan::plan_import;
pub use read::{MAX_FOLDER_DEPTH, OpmlError, Outline, parse};
