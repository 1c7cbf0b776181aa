//! What must survive between runs, in an embedded SQLite database (rusqlite, bundled).
//!
//! - `sources`: per source its HTTP validators, last status, last success, consecutive failures,
//!   next allowed fetch, whether it is gone, a permanent redirect, and its feed-level attribution.
//! - `items`: every item of a source's last good document, keyed by the hash of the raw item: the
//!   few fields merging needs. An unchanged item is found by its hash and never normalised twice;
//!   the rows are the source's last good entries. Small rows: a run reads them for every source.
//! - `entries`: the normalised entry of each item (its head and its raw HTML apart: see
//!   `entries`), the base its links resolve against, and its sanitised HTML once some output
//!   published it (`clean`).
//! - `seen`: the first-seen time of every entry id (the date of undated entries, run after run).
//!
//! Versioned schema with forward migrations; WAL mode; a run's writes go in one transaction.
//!
//! What belongs here: the database and its rows, read and written as the model's values. What may
//! not: the stages that use the store (`ingest`, `pool`, `publish`, `ops`); the state imports only
//! `model`, `config` and `text`, so the store never depends on the code that uses it.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::model::{Candidate, Entry, SourceInfo, Validators};

mod archive;
mod building;
mod clean;
mod deployed;
mod digests;
mod editorial;
mod entries;
mod guarded;
mod head;
mod integrity;
mod media;
mod open;
mod outputs;
mod preload;
mod schema;
mod writer;
pub use archive::Filed;
pub use clean::{CleanRow, LEGACY, Stored};
pub use deployed::DeployedFile;
pub use digests::{DigestRecord, DigestStatus};
#[cfg(test)]
pub(crate) use entries::tests::entry as test_entry;
pub use entries::{PackError, Packed, PackedEntry, pack_entry, unpack_entry};
pub use guarded::GuardedItem;
use integrity::sql_error;
pub use integrity::{Salvage, move_aside};
pub use open::Pool;
pub use preload::Preloaded;
pub use schema::UpgradeError;

/// A state database problem.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("state database {path}: {source}")]
    Sql {
        path: String,
        source: rusqlite::Error,
    },
    #[error("state database {path}: {msg}")]
    Other { path: String, msg: String },
    /// A data migration failed (see [`UpgradeError`]).
    #[error("state database {path}: {source}")]
    Upgrade { path: String, source: UpgradeError },
    /// The file is damaged (failed the integrity check, or SQLite found a corrupt page while
    /// reading). Nothing may be published from it; `feedbraid repair` moves it aside.
    #[error(
        "state database {path} is damaged ({detail}); nothing was published. Run `feedbraid repair` to move it aside and start a new state"
    )]
    Damaged { path: String, detail: String },
    /// Something other than a file is where the database should be (a folder, a FIFO): SQLite
    /// would only say "unable to open database file" (issue 27, defect 19).
    #[error(
        "state database {path} is {what}, not a database file; nothing was published. Run `feedbraid repair` to move it aside and start a new state"
    )]
    NotAFile { path: String, what: &'static str },
}

/// What is stored about one source.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SourceState {
    pub validators: Validators,
    /// Short status of the last attempt (`ok`, `not modified`, `HTTP 500`...).
    pub last_status: String,
    pub last_attempt: Option<DateTime<Utc>>,
    pub last_success: Option<DateTime<Utc>>,
    /// Consecutive failures.
    pub failures: u32,
    /// The source is not fetched before this time.
    pub next_fetch: Option<DateTime<Utc>>,
    /// The partner answered 410.
    pub gone: bool,
    /// A permanent redirect target to report.
    pub moved_to: Option<String>,
    /// Attribution of the last good document.
    pub info: Option<SourceInfo>,
}

/// A new item row: its hash, what merging needs, and the normalised entry.
#[derive(Debug, Clone)]
pub struct NewItem {
    pub candidate: Candidate,
    /// The entry, packed (see [`pack_entry`]); its HTML not yet sanitised.
    pub entry: PackedEntry,
    /// What the links inside its HTML resolve against when it is sanitised.
    pub base: Option<String>,
}

impl NewItem {
    /// Packs an entry for storage (see [`pack_entry`]; most of a run's writes are these rows).
    pub fn new(
        candidate: Candidate,
        entry: Entry,
        base: Option<String>,
    ) -> Result<NewItem, PackError> {
        Ok(NewItem {
            candidate,
            entry: pack_entry(&entry)?,
            base,
        })
    }
}

/// The open state database.
#[derive(Debug)]
pub struct State {
    conn: Connection,
    path: String,
    /// Where the state goes once built, when this connection builds a first run's state under
    /// another name (`building`); `None` for a state in place.
    building: Option<std::path::PathBuf>,
}

impl State {
    /// Another connection to the same database, for a reader on another thread.
    pub fn reopen(&self) -> Result<State, StateError> {
        State::open(Path::new(&self.path))
    }

    /// Another connection that reads one snapshot of the database until it is dropped, for a
    /// reader that makes thousands of small queries on another thread (the library's heads,
    /// two queries a partner): each would otherwise begin and end a read transaction of its
    /// own, with its `fcntl` locks (about 21,000 of the 23,434 calls of a cold run at
    /// 5,000 × 20).
    pub fn reopen_snapshot(&self) -> Result<State, StateError> {
        let reader = self.reopen()?;
        reader
            .conn
            .execute_batch("BEGIN")
            .map_err(|e| reader.err(e))?;
        Ok(reader)
    }
}

fn ts(d: Option<DateTime<Utc>>) -> Option<String> {
    d.map(|d| d.to_rfc3339())
}

/// The columns [`source_row`] reads, in order.
const SOURCE_COLUMNS: &str = "etag, last_modified, last_status, last_attempt, last_success, \
     failures, next_fetch, gone, moved_to, info";

/// A `sources` row, from [`SOURCE_COLUMNS`] starting at column `at`.
fn source_row(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<SourceState> {
    Ok(SourceState {
        validators: Validators {
            etag: r.get(at)?,
            last_modified: r.get(at + 1)?,
        },
        last_status: r.get(at + 2)?,
        last_attempt: ts_at(r, at + 3)?,
        last_success: ts_at(r, at + 4)?,
        failures: r.get(at + 5)?,
        next_fetch: ts_at(r, at + 6)?,
        gone: r.get(at + 7)?,
        moved_to: r.get(at + 8)?,
        info: r
            .get::<_, Option<String>>(at + 9)?
            .and_then(|j| serde_json::from_str(&j).ok()),
    })
}

/// A stored time (RFC 3339), read in place from its column (`ts_at(row, i)`).
fn parse_ts(s: Option<&str>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|d| d.with_timezone(&Utc))
}

/// The time stored in column `i` of `r`, if any (no copy of the text).
fn ts_at(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    Ok(parse_ts(r.get_ref(i)?.as_str_or_null()?))
}

impl State {
    fn err(&self, source: rusqlite::Error) -> StateError {
        sql_error(&self.path, source)
    }

    /// The stored state of a source (default when never seen).
    pub fn source(&self, name: &str) -> Result<SourceState, StateError> {
        self.conn
            .query_row(
                &format!("SELECT {SOURCE_COLUMNS} FROM sources WHERE name = ?1"),
                params![name],
                |r| source_row(r, 0),
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.err(e))
    }

    /// The stored items of a source as merge candidates, keyed by item hash, with their filter
    /// text.
    pub fn items(&self, source: &str) -> Result<HashMap<String, Candidate>, StateError> {
        self.items_with(source, true)
    }

    /// [`State::items`], with the filter text only `with_text` (reading it for 100,000 items that
    /// no pattern looks at costs time, and memory the allocator does not give back).
    pub fn items_with(
        &self,
        source: &str,
        with_text: bool,
    ) -> Result<HashMap<String, Candidate>, StateError> {
        Ok(self
            .item_list(source, with_text)?
            .into_iter()
            .map(|c| (c.handle().to_string(), c))
            .collect())
    }

    /// Number of stored items of a source.
    pub fn item_count(&self, source: &str) -> Result<usize, StateError> {
        self.conn
            .query_row(
                "SELECT COUNT(*) FROM items WHERE source = ?1",
                params![source],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))
    }

    /// When the entry `id` was first seen, if it ever was.
    pub fn first_seen(&self, id: &str) -> Result<Option<DateTime<Utc>>, StateError> {
        self.conn
            .prepare_cached("SELECT first_seen FROM seen WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row(params![id], |r| r.get::<_, String>(0))
                    .optional()
            })
            .map(|t| parse_ts(t.as_deref()))
            .map_err(|e| self.err(e))
    }
}

/// What one source's processing writes to state.
#[derive(Debug, Default)]
pub struct SourceWrite {
    pub name: String,
    pub state: SourceState,
    /// Items normalised this run.
    pub new_items: Vec<NewItem>,
    /// When the feed was parsed: the hashes of its items now (other stored items are removed).
    /// Taken from the candidates' handles.
    pub keep_hashes: Option<Vec<String>>,
    /// The source was not fetched: its state is as it was read, and nothing is written (a warm
    /// run of 5,000 sources not due wrote 5,000 unchanged rows).
    pub unchanged: bool,
    /// Answered 304 and nothing but the attempt's time changed (`last_attempt`, `last_success`,
    /// `not modified`, all the run's clock): the writer updates all such sources in one
    /// statement instead of one upsert each.
    pub touched_only: bool,
    /// The new items the hijack guard holds, and why.
    pub guarded: Option<crate::model::GuardHold>,
}

impl SourceWrite {
    /// A source's state to write, and nothing else yet.
    pub fn new(name: &str, state: SourceState) -> SourceWrite {
        SourceWrite {
            name: name.to_string(),
            state,
            ..SourceWrite::default()
        }
    }
}
