//! Publish: the winners a run selected, turned into files. Load and sanitise what is published
//! ([`materialise`], [`clean`]), mirror its media ([`media`]), render every view in every format
//! ([`render`], sequenced by [`outputs`]), file the RFC 5005 [`archive`], write it all or nothing
//! into a [`sink`] (with the gzip copies of [`precompress`]), and tell WebSub hubs ([`websub`]).
//!
//! What belongs here: everything between the pool and the bytes a reader receives. What may not:
//! the run's sequencing, locking and reporting (`ops`). Publish may import `pool`, `ingest` (its
//! fetcher and sanitiser), `state`, `config`, `model` and `text`.

pub mod archive;
pub mod clean;
pub mod error;
pub mod materialise;
pub mod media;
pub mod outputs;
pub mod precompress;
pub mod render;
pub mod sink;
mod staging;
pub mod websub;

pub use error::PublishError;
