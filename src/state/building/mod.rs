//! A first run's state: built without SQLite's log under a name of its own (`state.db.building`
//! beside `state.db`), then given its log and linked under the state's name once the run's
//! writes are committed (issue 25, round twenty-three).
//!
//! Why: through the log, a cold run writes every page twice and reads it once more (into the
//! log; the checkpoint reads it back and writes it into the file: at 5,000 × 20, 280 MB of log
//! for a 290 MB file). Built without it, each page is written once (`docs/performance.md`).
//!
//! What keeps it safe:
//! - Without a journal, a write cut short (a killed run, a full disk) damages the file: it is
//!   damaged under the other name, which nothing opens, and the next run removes it ([`sweep`],
//!   under the run lock) before it builds again. The state's own name appears only once the file
//!   is whole, synced, and in WAL mode like every state.
//! - Nothing else opens it while it is built: the source tasks read an empty database in memory
//!   (nothing is stored yet: [`Pool::empty`](super::Pool::empty)), the integrity check is left
//!   out (the file is this run's own, and new), and publishing opens its connection after
//!   gathering, on the state's name.
//! - A log left under the state's name without its state (deleted by hand) is set aside, as
//!   `repair` sets a damaged state aside, before the built file gets that name: SQLite would
//!   replay it into the new file.
//! - A state made meanwhile under the real name (no command of this version makes one without
//!   the run lock: `status` and `list` read an empty state where there is none; but an older
//!   version, a script or a hand may) is never replaced: the built rows are copied into it, in
//!   one transaction, keeping its own row where both have one with the same key.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::integrity::set_aside;
use super::open::Journal;
use super::{State, StateError, sql_error};

/// Where a first run builds the state at `path`: `state.db` → `state.db.building`.
pub(super) fn building_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(".building");
    path.with_file_name(name)
}

/// Removes what building the state at `path` left (the file and SQLite's files beside it):
/// a first run cut short, or one whose file is now in place. Only under the run lock. The
/// error names the file that could not be removed.
pub(super) fn sweep(path: &Path) -> Result<(), StateError> {
    let built = building_path(path);
    for suffix in ["", "-journal", "-wal", "-shm"] {
        let mut file = built.clone().into_os_string();
        file.push(suffix);
        match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io_error(Path::new(&file))(e));
            }
            _ => {}
        }
    }
    Ok(())
}

fn io_error(path: &Path) -> impl Fn(std::io::Error) -> StateError {
    let path = path.display().to_string();
    move |e| StateError::Other {
        path: path.clone(),
        msg: e.to_string(),
    }
}

/// How a built state gets the state's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// Linked there: nothing more to do.
    Linked,
    /// Its rows copied into the state found there.
    CopyInto,
    /// Renamed there.
    Rename,
}

/// How a built state gets the state's name, from whether linking it there worked (`linked`) and
/// whether a state is there now (`target_exists`, asked only when the link failed). Why the link
/// failed does not matter: a link never replaces a file, so a state made meanwhile (the link's
/// `AlreadyExists`) is there and gets the built rows; on a file system without links the file is
/// renamed unless a state is there, checked just before (a window of microseconds that the link
/// does not have).
fn placement(linked: bool, target_exists: impl FnOnce() -> bool) -> Placement {
    if linked {
        Placement::Linked
    } else if target_exists() {
        Placement::CopyInto
    } else {
        Placement::Rename
    }
}

impl State {
    /// The writer of a run (which holds the run lock) on the state at `path`: `None` when a state
    /// is there (it is opened as always), else a connection to a new file built without the log
    /// (see the module header), after removing what an earlier first run left.
    pub fn build(path: &Path) -> Result<Option<State>, StateError> {
        sweep(path)?;
        if std::fs::symlink_metadata(path).is_ok() {
            return Ok(None);
        }
        let mut st = State::connect(&building_path(path), Journal::Off)?;
        st.building = Some(path.to_path_buf());
        Ok(Some(st))
    }

    /// Whether this connection builds a first run's state (see [`State::build`]).
    pub(super) fn is_building(&self) -> bool {
        self.building.is_some()
    }

    /// Puts a state built by this connection in place, once every write is committed: in WAL
    /// mode, closed, synced, linked under the state's name (or copied into a state made there
    /// meanwhile), and this connection reopened there. Nothing for a state already in place.
    pub(super) fn finish_building(&mut self) -> Result<(), StateError> {
        let Some(target) = self.building.take() else {
            return Ok(());
        };
        let built = PathBuf::from(&self.path);
        let sql = |e| sql_error(&built.display().to_string(), e);
        self.conn
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(sql)?;
        let conn = std::mem::replace(&mut self.conn, Connection::open_in_memory().map_err(sql)?);
        conn.close().map_err(|(_, e)| sql(e))?;
        // Written with `synchronous = OFF`: on disk before it has the state's name (opened for
        // writing: not every system syncs a file opened to read).
        std::fs::OpenOptions::new()
            .write(true)
            .open(&built)
            .and_then(|f| f.sync_all())
            .map_err(io_error(&built))?;
        set_aside_orphans(&target)?;
        let linked = std::fs::hard_link(&built, &target).is_ok();
        match placement(linked, || std::fs::symlink_metadata(&target).is_ok()) {
            Placement::Linked => {}
            Placement::CopyInto => copy_into(&built, &target)?,
            Placement::Rename => std::fs::rename(&built, &target).map_err(io_error(&target))?,
        }
        sweep(&target)?;
        if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
            // The new name, on disk (best effort: not every system can open a folder).
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        *self = State::open(&target)?;
        Ok(())
    }
}

/// With no state at `target`, a log still under its name (a state deleted by hand without it):
/// SQLite would replay it into the new file put there (the log's pages over the built ones). It
/// is set aside as `repair` sets a damaged state aside (`state.db.orphan-<time>-wal`: kept,
/// never deleted).
fn set_aside_orphans(target: &Path) -> Result<(), StateError> {
    let beside = |suffix: &str| {
        let mut f = target.as_os_str().to_owned();
        f.push(suffix);
        PathBuf::from(f)
    };
    let orphan = ["-wal", "-shm"]
        .iter()
        .any(|s| std::fs::symlink_metadata(beside(s)).is_ok());
    if orphan && std::fs::symlink_metadata(target).is_err() {
        set_aside(target, "orphan").map_err(io_error(target))?;
    }
    Ok(())
}

/// Copies every row of the state built at `built` into the state at `target`, made meanwhile
/// (see the module header), in one transaction; a row `target` has under the same key stays.
/// Each table's columns are named (a state made by another version may order them otherwise),
/// and a built file with no tables is an error, never an empty copy.
fn copy_into(built: &Path, target: &Path) -> Result<(), StateError> {
    let mut st = State::open(target)?;
    let p = target.display().to_string();
    let sql = |e| sql_error(&p, e);
    let other = |msg: String| StateError::Other {
        path: built.display().to_string(),
        msg,
    };
    let name = built
        .to_str()
        .ok_or_else(|| other("the path is not UTF-8: SQLite cannot attach it".into()))?;
    st.conn
        .execute("ATTACH DATABASE ?1 AS built", [name])
        .map_err(sql)?;
    let tables: Vec<(String, String)> = st
        .conn
        .prepare(
            "SELECT t.name, group_concat('\"' || replace(c.name, '\"', '\"\"') || '\"', ', ')
             FROM built.sqlite_schema AS t, pragma_table_info(t.name, 'built') AS c
             WHERE t.type = 'table' AND t.name NOT LIKE 'sqlite_%' GROUP BY t.name",
        )
        .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
        .map_err(sql)?;
    if tables.is_empty() {
        return Err(other(
            "the state built has no tables: nothing to copy".into(),
        ));
    }
    let tx = st.conn.transaction().map_err(sql)?;
    for (t, columns) in tables {
        let t = t.replace('"', "\"\"");
        tx.execute_batch(&format!(
            "INSERT OR IGNORE INTO main.\"{t}\" ({columns}) SELECT {columns} FROM built.\"{t}\""
        ))
        .map_err(sql)?;
    }
    tx.commit().map_err(sql)?;
    // Copied and committed: a failure to detach is no failure of the run.
    let _ = st.conn.execute_batch("DETACH DATABASE built");
    Ok(())
}

#[cfg(test)]
mod tests;
