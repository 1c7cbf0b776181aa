//! feedbraid: fetches partner feeds, merges them with a network's own entries and publishes one
//! clean, attributed, deterministic Atom feed.
//!
//! Stages (see `docs/design.md`): [`config`] → [`fetch`] → [`parse`] (with [`decode`] and
//! [`dates`]) → [`normalise`] (sanitising last) / [`local`] → [`merge`] (the pool) → [`views`]
//! (what each feed selects) → [`outputs`] ([`render`] Atom, [`json_feed`], [`rss_feed`], [`html`]
//! pages and embeds) → [`publish`] (a sink) → [`websub`] pings, with [`state`] between runs,
//! [`gather`] the async part of a run and [`run`] sequencing it all; [`serve`] serves the output
//! folder and runs on a schedule. Config, parse, normalise, merge, views and the renderers are
//! pure; I/O lives in fetch, state, publish, ingest, gather, run and serve.

pub mod archive;
pub mod clean;
mod collect;
pub mod config;
pub mod dates;
pub mod decode;
pub mod editorial;
pub mod entities;
pub mod fetch;
pub mod gather;
pub mod html;
pub mod ingest;
pub mod json_feed;
pub mod lang;
pub mod local;
pub mod materialise;
pub mod media;
pub mod merge;
pub mod model;
pub mod normalise;
pub mod opml;
pub mod outputs;
pub mod parse;
pub mod progress;
pub mod publish;
pub mod render;
pub mod repair;
pub mod report;
pub mod rss_feed;
pub mod run;
pub mod serve;
pub mod state;
pub mod status;
pub mod views;
pub mod websub;
