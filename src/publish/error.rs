//! Why publishing stopped before anything was written: each variant keeps the error beneath it.
//! The run (`ops`) turns it into a fatal error (exit code 2); the previous output stays as it was.

use crate::ingest::fetch::ClientError;
use crate::publish::render::RenderError;
use crate::state::StateError;

/// Publishing failed; nothing of this run was written.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Render(#[from] RenderError),
    /// A template failed while rendering a page (the templates are part of the config).
    #[error("{0}")]
    Template(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Opml(#[from] crate::publish::render::opml::ExportError),
    /// The media mirror's HTTP client could not be built.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// A winner's full entry is missing from the state it was selected from.
    #[error("entry {id} vanished from the state database")]
    Vanished { id: String },
    /// The rows a page lists could not be kept in the run's spool or read back (see
    /// `publish::spool`).
    #[error("spooling {name}: {err}")]
    Spool {
        name: String,
        #[source]
        err: std::io::Error,
    },
    /// A rendered page could not be staged in the output folder (see `publish::stage`).
    #[error("staging {name}: {err}")]
    Stage {
        name: String,
        #[source]
        err: std::io::Error,
    },
    /// A worker thread (sanitising, rendering) panicked.
    #[error("a {0} thread panicked")]
    Panicked(&'static str),
}
