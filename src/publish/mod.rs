//! Publish: the winners a run selected, turned into files. Load and sanitise what is published
//! (`materialise`, [`clean`]), mirror its media ([`media`]), render every view in every format
//! ([`render`], sequenced by [`outputs`], which skips a view whose `fingerprint` is unchanged),
//! file the RFC 5005 [`archive`], write it all or nothing into a [`sink`] (with the gzip copies
//! of [`precompress`]; the library's pages staged in the output folder as they are rendered,
//! [`stage`]), and tell WebSub hubs ([`websub`]).
//!
//! Nothing here opens the state database: the run hands publishing its connection (`&State`,
//! `&mut State`), and the stages read and write through it.
//!
//! What belongs here: everything between the pool and the bytes a reader receives. What may not:
//! the run's sequencing, locking and reporting (`ops`). Publish may import `pool`, `ingest` (its
//! fetcher and sanitiser), `state`, `config`, `model`, `text` and `par`.

pub mod archive;
pub mod clean;
pub mod error;
mod fingerprint;
pub mod library;
pub(crate) mod materialise;
pub mod media;
pub mod media_type;
mod output;
pub mod outputs;
pub mod precompress;
pub mod render;
pub mod sink;
pub mod spool;
pub mod stage;
pub mod staging;
pub mod websub;

pub use error::PublishError;
