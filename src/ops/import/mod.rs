//! OPML, the subscription-list format every feed reader imports and exports: `partners.opml` out
//! (so a subscriber can follow each partner's own feed) and `feedbraid import` in (so an operator
//! coming from another aggregator can bring their subscriptions).
//!
//! The core is pure: [`partners_opml`](crate::publish::render::opml::partners_opml) turns a
//! [`Config`](crate::config::Config) into bytes, [`parse`] turns OPML bytes into [`Outline`]s,
//! [`plan_import`] decides which outlines become new `[[source]]` tables and why the others are
//! skipped, and [`append_sources`] writes those tables into the config text with `toml_edit`.
//! Only [`import`] touches files.
//!
//! A `path` source (a feed read from a file on disk) is not listed in `partners.opml`: a local path
//! is not a URL a subscriber could follow.

mod command;
mod plan;
mod read;

pub use command::{AppendError, ImportError, ImportOptions, ImportReport, append_sources, import};
pub use plan::{Dropped, ImportPlan, NewSource, NotHttpUrl, SkipReason, Skipped, plan_import};
pub use read::{OpmlError, Outline, parse};
