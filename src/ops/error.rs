//! The run's fatal errors, and the one place they become exit codes. Every variant keeps the
//! error beneath it (`#[from]`/`#[source]`); the message names what was being done and to which
//! file, and `main` prints it as it is.

use std::path::PathBuf;

use crate::config::ConfigError;
use crate::ingest::fetch::ClientError;
use crate::pool::editorial::WithdrawnError;
use crate::publish::PublishError;
use crate::state::StateError;

/// Errors that stop a run before anything is published (exit code 2), or a lock held by another
/// run (exit code 1).
#[derive(Debug, thiserror::Error)]
pub enum Fatal {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Withdrawn(#[from] WithdrawnError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("another feedbraid run holds the lock {0}; try again when it has finished")]
    Locked(PathBuf),
    #[error("cannot write to the output folder {path}: {err}")]
    Output {
        path: PathBuf,
        #[source]
        err: std::io::Error,
    },
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error(transparent)]
    Client(#[from] ClientError),
    /// A file operation of the run itself (the lock, moving a damaged database aside).
    #[error("cannot {what} {}: {err}", path.display())]
    File {
        what: &'static str,
        path: PathBuf,
        #[source]
        err: std::io::Error,
    },
    #[error("cannot start the async runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("cannot start the ingest threads: {0}")]
    Threads(#[source] std::io::Error),
    #[error("a source task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("the {0} panicked")]
    Panicked(&'static str),
}

impl Fatal {
    /// Exit code: a refused lock is "nothing done this time" (1); everything else is fatal (2).
    pub fn exit_code(&self) -> i32 {
        if matches!(self, Fatal::Locked(_)) {
            1
        } else {
            2
        }
    }
}
