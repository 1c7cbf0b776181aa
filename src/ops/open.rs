//! What every command that works on a configuration opens first: its options (`RunOptions`),
//! the config with their overrides, the run lock, and the state database's connections. Split
//! from `run` so that the commands that run beside it (`digest`, `deploy`) and `run` itself can
//! share them without importing each other.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use crate::config::{Config, ConfigError};
use crate::ingest::fetch::Guard;
use crate::ops::Fatal;
use crate::ops::gather::Connections;
use crate::state::{Pool, State, StateError};

/// What `feedbraid run` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub config: PathBuf,
    /// Overrides the config's `output_dir`.
    pub out: Option<PathBuf>,
    /// Overrides the config's `state`.
    pub state: Option<PathBuf>,
    /// Rebuild from state alone, without fetching.
    pub offline: bool,
    /// The private-network guard's ranges and resolver ([`Guard::system`] by default; a test
    /// injects its own).
    pub guard: Guard,
    /// The run's clock, instead of the system's (a replayed or simulated run; truncated to whole
    /// seconds like the real one).
    pub now: Option<DateTime<Utc>>,
}

/// Holds the run lock for as long as it lives. The OS drops the lock when the process dies, so a
/// killed run never leaves a stale lock behind.
#[derive(Debug)]
pub struct RunLock(#[allow(dead_code)] std::fs::File);

/// Takes the advisory lock beside the state database, or says who holds it.
pub fn lock(state_path: &Path) -> Result<RunLock, Fatal> {
    let path = state_path.with_extension("lock");
    if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d).map_err(|err| Fatal::File {
            what: "create",
            path: d.to_path_buf(),
            err,
        })?;
    }
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|err| Fatal::File {
            what: "open lock file",
            path: path.clone(),
            err,
        })?;
    match f.try_lock() {
        Ok(()) => Ok(RunLock(f)),
        Err(std::fs::TryLockError::WouldBlock) => Err(Fatal::Locked(path)),
        Err(std::fs::TryLockError::Error(e)) => Err(Fatal::File {
            what: "lock",
            path,
            err: e,
        }),
    }
}

/// The config with command-line overrides applied.
pub fn load_config(opts: &RunOptions) -> Result<Config, Fatal> {
    Ok(read_config(opts)?.0)
}

/// [`load_config`], and the text it was parsed from (every view's fingerprint covers it: any
/// edit of the file, a comment included, renders every view again), from one read of the file.
pub fn read_config(opts: &RunOptions) -> Result<(Config, String), Fatal> {
    let path = &opts.config;
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::io(path, &e))?;
    let mut cfg = Config::parse(&text, path)?;
    if let Some(out) = &opts.out {
        cfg.output_dir = out.clone();
    }
    if let Some(s) = &opts.state {
        cfg.state_path = s.clone();
    }
    Ok((cfg, text))
}

/// The gathering connections of a run, or of a digest's offline gathering (the caller holds
/// the run lock, `_lock`): on a state in place, its writer and its readers; where there is none
/// yet, the writer of a new state built without the log and readers that find nothing stored
/// (`state::building`: a first run writes each page once). Publishing opens its own connection
/// after gathering, when the state has its name.
pub fn run_connections(path: &Path, _lock: &RunLock) -> Result<Connections, StateError> {
    Ok(match State::build(path)? {
        Some(writer) => Connections {
            writer,
            readers: Pool::empty(path),
        },
        None => Connections {
            writer: State::open(path)?,
            readers: Pool::new(path),
        },
    })
}
