//! Ingest: one source at a time, from its bytes to its candidates. [`fetch`] (politely, over HTTP,
//! with the private-network guard) or read a `file`, `decode` the charset, [`parse`]
//! whatever format the partner serves (with lenient `dates`), [`normalise`] into the entry model,
//! [`select`] the source's candidates (its filters), and [`local`]: the network's own entries, in
//! the same model. `collect` is the per-source task that sequences these and records what it
//! learnt in the state, with `schedule` saying when the source is next fetched; [`document`]
//! turns one fetched document into candidates; [`report`] is the source's line of the run report.
//!
//! What belongs here: everything that happens to one source before the sources meet. What may
//! not: the pool, rendering or the run (`pool`, `publish`, `ops`): ingest imports only `state`,
//! `config`, `model` and `text`.

pub(crate) mod collect;
pub(crate) mod cores;
pub(crate) mod dates;
pub(crate) mod decode;
pub mod document;
pub mod fetch;
pub(crate) mod file;
pub mod guard;
pub mod local;
pub mod normalise;
pub mod parse;
pub(crate) mod record;
pub mod report;
pub(crate) mod schedule;
pub mod select;
