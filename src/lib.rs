//! feedbraid: fetches partner feeds, merges them with a network's own entries and publishes one
//! clean, attributed, deterministic Atom feed, and what its readers need around it.
//!
//! The tree is the pipeline, in layers (see `docs/design.md`); a layer imports only the layers
//! above it in this list, never one below:
//!
//! - [`text`]: string rules every stage shares (XML characters, entities, escaping, language
//!   tags, links);
//! - [`model`]: the one entry model and the values the stages hand each other;
//! - [`config`]: `feeds.toml`, validated once into typed values;
//! - [`state`]: what survives between runs (SQLite);
//! - [`ingest`]: one source at a time, bytes to candidates (fetch, decode, parse, normalise,
//!   select, local entries);
//! - [`pool`]: the sources meet: merge, views, editorial decisions;
//! - [`publish`]: the winners turned into files (sanitise, media, render, archive, sink, WebSub);
//! - [`ops`]: the run as a list of steps, and the commands around it.
//!
//! Beside the layers, [`par`] is the one parallel fan-out (a slice mapped on every core); it
//! imports nothing from the crate, so any layer may use it.
//!
//! Config, parse, normalise, select, merge, views and the renderers are pure; I/O happens in
//! fetch, state, the sink, media and `ops`.

pub mod config;
pub mod ingest;
pub mod model;
pub mod ops;
pub mod par;
pub mod pool;
pub mod publish;
pub mod state;
pub mod text;
