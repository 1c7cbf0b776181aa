//! Opening the state database: a file in place, with SQLite's write-ahead log, brought up to
//! the current schema ([`State::open`]); the read connections of a run's source tasks
//! ([`Pool`]). A first run's file, built without the log under a name of its own, is
//! `building`'s; it opens its connection here too ([`Journal::Off`]).

use std::path::Path;

use rusqlite::Connection;

use super::schema::{self, MIGRATIONS};
use super::{State, StateError, sql_error};

/// How a connection writes: through SQLite's write-ahead log (every connection to a state in
/// place), or without any journal (the one connection building a first run's state, see
/// `building`: a write cut short there damages a file no one else has opened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Journal {
    Wal,
    Off,
}

/// Read connections for the concurrent source tasks, opened on demand and reused (a run reads
/// state for thousands of sources; opening a connection each time was a tenth of a warm run).
#[derive(Debug)]
pub struct Pool {
    path: std::path::PathBuf,
    idle: std::sync::Mutex<Vec<State>>,
    /// The state is being built by this run (`building`): nothing is stored yet, and its file
    /// may have no reader beside its writer, so every connection reads an empty database in
    /// memory with the schema, named after `path` in its errors.
    empty: bool,
}

impl Pool {
    pub fn new(path: &Path) -> Pool {
        Pool {
            path: path.to_path_buf(),
            idle: std::sync::Mutex::new(Vec::new()),
            empty: false,
        }
    }

    /// The readers of a state this run is building (see the `empty` field): every read
    /// finds nothing stored, as it would in the new file, without opening it.
    pub fn empty(path: &Path) -> Pool {
        Pool {
            empty: true,
            ..Pool::new(path)
        }
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with a connection from the pool.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&State) -> Result<T, StateError>,
    ) -> Result<T, StateError> {
        let idle = self
            .idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let st = match idle {
            Some(st) => st,
            None if self.empty => State::in_memory(&self.path)?,
            None => State::open(&self.path)?,
        };
        let out = f(&st);
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(st);
        out
    }
}

/// What a path that exists but is not a regular file is, in words; `None` for a file (or a
/// symlink to one) and for a path that does not exist yet.
fn not_a_file(path: &Path) -> Option<&'static str> {
    let meta = std::fs::metadata(path).ok()?;
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    Some(if t.is_dir() {
        "a directory"
    } else {
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if t.is_fifo() {
                return Some("a named pipe");
            }
            if t.is_socket() {
                return Some("a socket");
            }
            if t.is_block_device() || t.is_char_device() {
                return Some("a device");
            }
        }
        "a special file"
    })
}

/// The page size of a new state database, in bytes (see [`State::connect`]).
pub(super) const PAGE_SIZE: i64 = 16_384;

impl State {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<State, StateError> {
        State::connect(path, Journal::Wal)
    }

    /// The state at `path` for a command that only reads it (`status`, `list`); where there is
    /// none yet, an empty one in memory: reading never makes the file (a first run builds it
    /// under another name, see `building`, and one made meanwhile sends the build the slow
    /// way, through a copy).
    pub fn open_to_read(path: &Path) -> Result<State, StateError> {
        if std::fs::symlink_metadata(path).is_err() {
            return State::in_memory(path);
        }
        State::open(path)
    }

    /// An empty database in memory with the current schema, named `path` in its errors (see
    /// [`Pool::empty`]).
    fn in_memory(path: &Path) -> Result<State, StateError> {
        let p = path.display().to_string();
        let mut conn = Connection::open_in_memory().map_err(|e| sql_error(&p, e))?;
        migrate(&mut conn, &p)?;
        Ok(State {
            conn,
            path: p,
            building: None,
        })
    }

    /// Opens (creating if needed) the database at `path`, writing through `journal`, and brings
    /// its schema up to date.
    pub(super) fn connect(path: &Path, journal: Journal) -> Result<State, StateError> {
        let p = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StateError::Other {
                path: p.clone(),
                msg: e.to_string(),
            })?;
        }
        if let Some(what) = not_a_file(path) {
            return Err(StateError::NotAFile { path: p, what });
        }
        let sql = |source| sql_error(&p, source);
        let mut conn = Connection::open(path).map_err(sql)?;
        // A new database gets 16 KB pages (SQLite's default is 4 KB): an entry's row is ~2 KB, and
        // a cold run at 5,000 × 20 writing 100,000 of them took 5–11 % less time (a fifth less
        // system time), a warm and a changed run a little less, in the same memory (issue 25,
        // round eleven). Set before the first write, or it has no effect; a database made
        // before keeps its pages.
        let pages: i64 = conn
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .map_err(sql)?;
        if pages == 0 {
            conn.pragma_update(None, "page_size", PAGE_SIZE)
                .map_err(sql)?;
        }
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(sql)?;
        let (mode, sync) = match journal {
            Journal::Wal => ("WAL", "NORMAL"),
            Journal::Off => ("OFF", "OFF"),
        };
        conn.pragma_update(None, "journal_mode", mode)
            .map_err(sql)?;
        conn.pragma_update(None, "synchronous", sync).map_err(sql)?;
        migrate(&mut conn, &p)?;
        Ok(State {
            conn,
            path: p,
            building: None,
        })
    }
}

/// Brings the schema of the database on `conn` (named `p` in errors) up to date, in one
/// transaction.
fn migrate(conn: &mut Connection, p: &str) -> Result<(), StateError> {
    let sql = |source| sql_error(p, source);
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sql)?;
    if version as usize > MIGRATIONS.len() {
        return Err(StateError::Other {
            path: p.to_string(),
            msg: format!(
                "schema version {version} is newer than this feedbraid knows; upgrade feedbraid"
            ),
        });
    }
    if (version as usize) < MIGRATIONS.len() {
        let tx = conn.transaction().map_err(sql)?;
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(m).map_err(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(sql)?;
        }
        let upgrade = |source| StateError::Upgrade {
            path: p.to_string(),
            source,
        };
        schema::split_entries(&tx).map_err(upgrade)?;
        schema::body_column(&tx).map_err(upgrade)?;
        schema::backfill(&tx).map_err(upgrade)?;
        tx.commit().map_err(sql)?;
    }
    Ok(())
}
