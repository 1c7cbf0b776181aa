//! `feedbraid repair`: what to do with a damaged state database (issue 14, defect 2). Under the
//! run lock, the state is verified (page check, then every row read back); a damaged file is
//! moved aside (never deleted) and a new, empty state is created in its place. The next run then
//! fetches every source in full. What cannot come back is reported: the first-seen dates that
//! dated undated items, the HTTP validators, the back-off state and the view fingerprints. A
//! folder (or anything but a file) where the database should be is moved aside the same way,
//! contents and all (issue 27, defect 19).

use std::fmt;
use std::path::PathBuf;

use crate::ops::Fatal;
use crate::ops::run::{RunOptions, load_config, lock};
use crate::state::{Salvage, State, StateError, move_aside};

/// What `repair` did.
#[derive(Debug)]
pub enum Repair {
    /// There was no state database at all: the next run starts one.
    Missing(PathBuf),
    /// The state passed every check; nothing changed.
    Healthy(PathBuf),
    /// The damaged file was moved aside and a new state created.
    Replaced {
        path: PathBuf,
        aside: PathBuf,
        /// What was wrong with it: "damaged (…)", "is a directory, not a database file".
        reason: String,
        /// What the damaged file still held, as far as it could be counted.
        held: Salvage,
    },
}

fn count(n: Option<u64>) -> String {
    n.map_or_else(|| "an unknown number of".to_string(), |n| n.to_string())
}

impl fmt::Display for Repair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Repair::Missing(p) => {
                write!(f, "{}: no state database; nothing to repair", p.display())
            }
            Repair::Healthy(p) => write!(
                f,
                "{}: no damage found (pages checked, every row read back); nothing changed",
                p.display()
            ),
            Repair::Replaced {
                path,
                aside,
                reason,
                held,
            } => write!(
                f,
                "{}: {reason}\n\
                 moved aside to {} (kept, not deleted); a new state was created.\n\
                 lost: the first-seen dates of {} entries (undated items will be dated by the next \
                 run that sees them), the stored items of {} sources ({} items, re-fetched in full by \
                 the next run), their HTTP validators and back-off state, and the view fingerprints \
                 (every view is rendered again)",
                path.display(),
                aside.display(),
                count(held.first_seen),
                count(held.sources),
                count(held.items),
            ),
        }
    }
}

/// Checks the state and replaces it if it is damaged.
pub fn repair(opts: &RunOptions) -> Result<Repair, Fatal> {
    let cfg = load_config(opts)?;
    let path = cfg.state_path.clone();
    let _lock = lock(&path)?;
    if !path.exists() {
        return Ok(Repair::Missing(path));
    }
    // Only damage moves the file: a database from a newer feedbraid, or one this user cannot
    // open, is an error to report, not a state to replace.
    let (reason, held) = match State::open(&path) {
        Ok(st) => match st.verify() {
            Ok(()) => return Ok(Repair::Healthy(path)),
            Err(e) => (reason(e), st.salvage()),
        },
        Err(e @ (StateError::Damaged { .. } | StateError::NotAFile { .. })) => {
            (reason(e), Salvage::default())
        }
        Err(e) => return Err(e.into()),
    };
    let aside = move_aside(&path).map_err(|err| Fatal::File {
        what: "move aside",
        path: path.clone(),
        err,
    })?;
    State::open(&path)?;
    Ok(Repair::Replaced {
        path,
        aside,
        reason,
        held,
    })
}

fn reason(e: StateError) -> String {
    match e {
        StateError::Damaged { detail, .. } => format!("damaged ({detail})"),
        StateError::NotAFile { what, .. } => format!("is {what}, not a database file"),
        StateError::Sql { source, .. } => format!("damaged ({source})"),
        StateError::Other { msg, .. } => format!("damaged ({msg})"),
        StateError::Upgrade { source, .. } => format!("damaged ({source})"),
    }
}
