//! feedbraid: fetches partner feeds, merges them with a network's own entries and publishes one
//! clean, attributed, deterministic Atom feed.
//!
//! Stages (see `docs/design.md`): [`config`] → [`fetch`] → [`parse`] (with [`decode`] and
//! [`dates`]) → [`normalise`] (sanitising last) / [`local`] → [`merge`] → [`render`] →
//! [`publish`], with [`state`] between runs and [`run`] sequencing them. Config, parse, normalise,
//! merge and render are pure; I/O lives in fetch, state, publish, ingest and run.

mod collect;
pub mod config;
pub mod dates;
pub mod decode;
pub mod entities;
pub mod fetch;
pub mod ingest;
pub mod lang;
pub mod local;
pub mod merge;
pub mod model;
pub mod normalise;
pub mod parse;
pub mod publish;
pub mod render;
pub mod report;
pub mod run;
pub mod state;
