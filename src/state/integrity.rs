//! Whether the state database can be trusted, and what to do when it cannot (issue 14, defect 2).
//!
//! - `PRAGMA quick_check` runs once per run, on the state writer's thread before its transaction
//!   opens (so it overlaps the fetching, and nothing is committed or published from a database
//!   with damaged pages: [`StateError::Damaged`]), and in [`State::open_checked`] for `status`.
//!   `quick_check` reads every page of every b-tree and checks the records' formats and the free
//!   list, in O(N); `integrity_check` also matches indexes to tables, in O(N log N). See
//!   `docs/reliability.md` for the cost measured on a 25,000-item (90 MB) state.
//! - [`State::verify`] is what `feedbraid repair` adds on top: every source row and every item
//!   row read back as a run would read them.
//! - [`move_aside`] renames a damaged database (and its WAL) out of the way, never deleting it.

use std::path::{Path, PathBuf};

use chrono::Utc;

use super::{State, StateError};

/// A SQLite error, classified: corruption, and a stored value of the wrong type (which no
/// version of feedbraid writes), are [`StateError::Damaged`].
pub(super) fn sql_error(path: &str, source: rusqlite::Error) -> StateError {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match &source {
        rusqlite::Error::SqliteFailure(e, _)
            if matches!(e.code, DatabaseCorrupt | NotADatabase) =>
        {
            StateError::Damaged {
                path: path.to_string(),
                detail: source.to_string(),
            }
        }
        rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::FromSqlConversionFailure(..) => {
            StateError::Damaged {
                path: path.to_string(),
                detail: source.to_string(),
            }
        }
        _ => StateError::Sql {
            path: path.to_string(),
            source,
        },
    }
}

/// What a damaged database still held, as far as it could be counted (for the repair report).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Salvage {
    pub sources: Option<u64>,
    pub items: Option<u64>,
    /// Entry ids with a recorded first-seen time: the date of undated items.
    pub first_seen: Option<u64>,
}

impl State {
    /// Opens the database and checks its pages (`PRAGMA quick_check`); where there is none yet,
    /// an empty one in memory ([`State::open_to_read`]).
    pub fn open_checked(path: &Path) -> Result<State, StateError> {
        let st = State::open_to_read(path)?;
        st.quick_check()?;
        Ok(st)
    }

    /// `PRAGMA quick_check` of every table a run reads whole, and of the schema: the tables that
    /// hold compressed entries (`entries`, `archive`: nine tenths of the file) are left to the
    /// check of each entry as it is read (LZ4's checked decoding, then JSON), because a run reads
    /// only the few it publishes. A full check is [`State::verify`] (`feedbraid repair`).
    pub(super) fn quick_check(&self) -> Result<(), StateError> {
        let tables: Vec<String> = self
            .conn
            .prepare(
                "SELECT name FROM sqlite_schema WHERE type = 'table'
                 AND name NOT IN ('entries', 'archive') AND name NOT LIKE 'sqlite_%'",
            )
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.err(e))?;
        for t in tables {
            self.check_table(Some(&t))?;
        }
        Ok(())
    }

    /// `PRAGMA quick_check` of one table and its indexes, or of the whole file (`None`).
    fn check_table(&self, table: Option<&str>) -> Result<(), StateError> {
        let sql = match table {
            Some(t) => format!("PRAGMA quick_check(\"{}\")", t.replace('"', "\"\"")),
            None => "PRAGMA quick_check(5)".to_string(),
        };
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(|e| self.err(e))?
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))?;
        if rows.len() == 1 && rows[0] == "ok" {
            return Ok(());
        }
        Err(StateError::Damaged {
            path: self.path.clone(),
            detail: rows.join("; "),
        })
    }

    /// The page check, then every row read back as a run reads it. Any failure means the state
    /// cannot be trusted.
    pub fn verify(&self) -> Result<(), StateError> {
        self.check_table(None)?;
        let names: Vec<String> = self
            .conn
            .prepare("SELECT name FROM sources UNION SELECT DISTINCT source FROM items")
            .and_then(|mut s| {
                s.query_map([], |r| r.get(0))?
                    .collect::<Result<Vec<String>, _>>()
            })
            .map_err(|e| self.err(e))?;
        for name in &names {
            self.source(name)?;
            for c in self.items(name)?.into_values() {
                self.entry(name, c.handle())?;
            }
        }
        Ok(())
    }

    /// Counts what the database holds, each count on its own (one damaged table does not hide
    /// the others).
    pub fn salvage(&self) -> Salvage {
        let count = |table: &str| {
            self.conn
                .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| {
                    r.get::<_, i64>(0)
                })
                .ok()
                .and_then(|n| u64::try_from(n).ok())
        };
        Salvage {
            sources: count("sources"),
            items: count("items"),
            first_seen: count("seen"),
        }
    }
}

/// Renames `path` (and its `-wal` and `-shm` files, when present) to
/// `<path>.damaged-<UTC time>`, never overwriting anything. Returns the new path of the database.
pub fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    set_aside(path, "damaged")
}

/// Renames the database at `path` and its WAL (each that is there) to
/// `<path>.<why>-<time>[-wal]`, never deleting them; returns the new name. Also for a log left
/// without its database (`why` = `orphan`, see `building`).
pub(super) fn set_aside(path: &Path, why: &str) -> std::io::Result<PathBuf> {
    let stamp = Utc::now().format("%Y%m%dT%H%M%SZ");
    let mut n = 0;
    let target = loop {
        let suffix = if n == 0 {
            format!("{why}-{stamp}")
        } else {
            format!("{why}-{stamp}-{n}")
        };
        let t = PathBuf::from(format!("{}.{suffix}", path.display()));
        if !t.exists() {
            break t;
        }
        n += 1;
    };
    // The WAL holds committed pages not yet in the main file: it goes with it, and first, so that
    // a new database at `path` can never pick up the old WAL.
    for ext in ["-wal", "-shm"] {
        let from = PathBuf::from(format!("{}{ext}", path.display()));
        if from.exists() {
            std::fs::rename(&from, format!("{}{ext}", target.display()))?;
        }
    }
    if std::fs::symlink_metadata(path).is_ok() {
        std::fs::rename(path, &target)?;
    }
    Ok(target)
}
