//! What must survive between runs, in an embedded SQLite database (rusqlite, bundled): per source
//! its HTTP validators, last status, last success, consecutive failures, next allowed fetch and last
//! good entries; per entry its first-seen time; and the cache of normalised entries keyed by the
//! content hash of the raw item, so an unchanged item is never sanitised twice.
//!
//! Versioned schema with forward migrations; WAL mode; a run's writes go in one transaction.

use std::collections::HashMap;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::fetch::Validators;
use crate::model::Entry;

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
}

const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        etag TEXT, last_modified TEXT,
        last_status TEXT NOT NULL DEFAULT '',
        last_attempt TEXT, last_success TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        next_fetch TEXT,
        gone INTEGER NOT NULL DEFAULT 0,
        moved_to TEXT,
        entries TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE entries (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        first_seen TEXT NOT NULL,
        content_hash TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE norm_cache (
        hash TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        entry TEXT NOT NULL,
        last_used TEXT NOT NULL
    );
    CREATE INDEX norm_cache_source ON norm_cache(source);",
];

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
    /// The last good entries, used while the source is not modified, not due or failing.
    pub entries: Vec<Entry>,
}

/// The open state database.
#[derive(Debug)]
pub struct State {
    conn: Connection,
    path: String,
}

fn ts(d: Option<DateTime<Utc>>) -> Option<String> {
    d.map(|d| d.to_rfc3339())
}

fn parse_ts(s: Option<String>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|d| d.with_timezone(&Utc))
}

impl State {
    /// Opens (creating if needed) the database and brings its schema up to date.
    pub fn open(path: &Path) -> Result<State, StateError> {
        let p = path.display().to_string();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StateError::Other {
                path: p.clone(),
                msg: e.to_string(),
            })?;
        }
        let sql = |source| StateError::Sql {
            path: p.clone(),
            source,
        };
        let mut conn = Connection::open(path).map_err(sql)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(sql)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(sql)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        if version as usize > MIGRATIONS.len() {
            return Err(StateError::Other {
                path: p,
                msg: format!(
                    "schema version {version} is newer than this feedbraid knows; upgrade feedbraid"
                ),
            });
        }
        let tx = conn.transaction().map_err(sql)?;
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.execute_batch(m).map_err(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(sql)?;
        }
        tx.commit().map_err(sql)?;
        Ok(State { conn, path: p })
    }

    fn err(&self, source: rusqlite::Error) -> StateError {
        StateError::Sql {
            path: self.path.clone(),
            source,
        }
    }

    /// The stored state of a source (default when never seen).
    pub fn source(&self, name: &str) -> Result<SourceState, StateError> {
        let row = self
            .conn
            .query_row(
                "SELECT etag, last_modified, last_status, last_attempt, last_success, failures, next_fetch, gone, moved_to, entries FROM sources WHERE name = ?1",
                params![name],
                |r| {
                    Ok((
                        Validators { etag: r.get(0)?, last_modified: r.get(1)? },
                        r.get::<_, String>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, u32>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, bool>(7)?,
                        r.get::<_, Option<String>>(8)?,
                        r.get::<_, String>(9)?,
                    ))
                },
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((validators, last_status, la, ls, failures, nf, gone, moved_to, entries)) = row
        else {
            return Ok(SourceState::default());
        };
        Ok(SourceState {
            validators,
            last_status,
            last_attempt: parse_ts(la),
            last_success: parse_ts(ls),
            failures,
            next_fetch: parse_ts(nf),
            gone,
            moved_to,
            entries: serde_json::from_str(&entries).unwrap_or_default(),
        })
    }

    /// Names of every source with stored state.
    pub fn source_names(&self) -> Result<Vec<String>, StateError> {
        let mut st = self
            .conn
            .prepare("SELECT name FROM sources ORDER BY name")
            .map_err(|e| self.err(e))?;
        let rows = st.query_map([], |r| r.get(0)).map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// First-seen times of a source's entries.
    pub fn first_seen(&self, source: &str) -> Result<HashMap<String, DateTime<Utc>>, StateError> {
        let mut st = self
            .conn
            .prepare("SELECT id, first_seen FROM entries WHERE source = ?1")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![source], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, t) = row.map_err(|e| self.err(e))?;
            if let Some(t) = parse_ts(Some(t)) {
                out.insert(id, t);
            }
        }
        Ok(out)
    }

    /// The normalised-entry cache of a source: raw item hash → normalised entry.
    pub fn norm_cache(&self, source: &str) -> Result<HashMap<String, Entry>, StateError> {
        let mut st = self
            .conn
            .prepare("SELECT hash, entry FROM norm_cache WHERE source = ?1")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![source], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.err(e))?;
        let mut out = HashMap::new();
        for row in rows {
            let (h, e) = row.map_err(|e| self.err(e))?;
            if let Ok(entry) = serde_json::from_str(&e) {
                out.insert(h, entry);
            }
        }
        Ok(out)
    }

    /// Writes everything a run learnt, in one transaction: the writes arrive over `rx` as sources
    /// finish (so a run never holds every source's entries at once) and are committed together when
    /// the channel closes. Nothing is committed if a write fails.
    pub fn write_run(
        &mut self,
        rx: std::sync::mpsc::Receiver<SourceWrite>,
        now: DateTime<Utc>,
    ) -> Result<usize, StateError> {
        let path = self.path.clone();
        let sql = |source| StateError::Sql {
            path: path.clone(),
            source,
        };
        let json = |e: serde_json::Error| StateError::Other {
            path: path.clone(),
            msg: e.to_string(),
        };
        let now_s = now.to_rfc3339();
        let tx = self.conn.transaction().map_err(sql)?;
        let mut n = 0;
        for w in rx {
            n += 1;
            let s = &w.state;
            tx.execute(
                "INSERT INTO sources (name, etag, last_modified, last_status, last_attempt, last_success, failures, next_fetch, gone, moved_to)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT(name) DO UPDATE SET etag = ?2, last_modified = ?3, last_status = ?4, last_attempt = ?5,
                   last_success = ?6, failures = ?7, next_fetch = ?8, gone = ?9, moved_to = ?10",
                params![
                    w.name, s.validators.etag, s.validators.last_modified, s.last_status, ts(s.last_attempt), ts(s.last_success),
                    s.failures, ts(s.next_fetch), s.gone, s.moved_to
                ],
            )
            .map_err(sql)?;
            if w.entries_changed {
                let entries = serde_json::to_string(&s.entries).map_err(json)?;
                tx.execute(
                    "UPDATE sources SET entries = ?2 WHERE name = ?1",
                    params![w.name, entries],
                )
                .map_err(sql)?;
            }
            let mut ins = tx
                .prepare_cached("INSERT INTO entries (id, source, first_seen, content_hash) VALUES (?1, ?2, ?3, ?4)
                          ON CONFLICT(id) DO UPDATE SET content_hash = ?4 WHERE content_hash <> ?4")
                .map_err(sql)?;
            for (id, hash) in &w.seen {
                ins.execute(params![id, w.name, now_s, hash]).map_err(sql)?;
            }
            if let Some(hashes) = &w.reparsed {
                let list = serde_json::to_string(hashes).map_err(json)?;
                tx.prepare_cached("DELETE FROM norm_cache WHERE source = ?1 AND hash NOT IN (SELECT value FROM json_each(?2))")
                    .map_err(sql)?
                    .execute(params![w.name, list])
                    .map_err(sql)?;
            }
            let mut cache = tx
                .prepare_cached("INSERT INTO norm_cache (hash, source, entry, last_used) VALUES (?1, ?2, ?3, ?4)
                          ON CONFLICT(hash) DO UPDATE SET entry = ?3, last_used = ?4")
                .map_err(sql)?;
            for (hash, entry) in &w.cache {
                cache
                    .execute(params![
                        hash,
                        w.name,
                        serde_json::to_string(entry).map_err(json)?,
                        now_s
                    ])
                    .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)?;
        Ok(n)
    }
}

/// What one source's processing writes to state.
#[derive(Debug, Default)]
pub struct SourceWrite {
    pub name: String,
    pub state: SourceState,
    /// Whether `state.entries` changed (else the stored list is not rewritten).
    pub entries_changed: bool,
    /// `(entry id, content hash)` of every entry seen.
    pub seen: Vec<(String, String)>,
    /// `(raw item hash, normalised entry)` newly normalised.
    pub cache: Vec<(String, Entry)>,
    /// When the feed was parsed: the item hashes it holds now (other cache rows are pruned).
    pub reparsed: Option<Vec<String>>,
}
