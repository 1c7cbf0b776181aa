//! The state writer: every write of a run, from one thread, as sources finish (see
//! [`State::write_run`]). Split from the state module because its batching, its integrity check
//! beside the first writes and its checkpoints are one policy of their own.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{SourceWrite, State, StateError, sql_error, ts};

impl State {
    /// Writes everything a run learnt: the writes arrive over `rx` as sources finish (so a run
    /// never holds every source's entries at once). Each source's writes are atomic; they are
    /// committed in batches of about [`BATCH_BYTES`] (2 MB), so that SQLite copies the write-ahead
    /// log into the database (its checkpoint, on a thread of its own) while later sources are
    /// still being fetched, rather than all at the end of the run. First, while the first sources
    /// are being fetched, the tables are checked (`PRAGMA quick_check`): a damaged database fails
    /// the run before anything is committed or published. A first run's state, built without the
    /// log (`building`), is neither checked nor checkpointed: it is put in place at the end; a
    /// failure of its writes removes it, one while it is put in place leaves it for the next
    /// run to remove.
    pub fn write_run(
        &mut self,
        rx: tokio::sync::mpsc::Receiver<SourceWrite>,
        now: DateTime<Utc>,
    ) -> Result<usize, StateError> {
        let written = self.write_all(rx, now);
        match (written, self.building.clone()) {
            (Ok(n), _) => self.finish_building().map(|()| n),
            (Err(e), Some(target)) => {
                // A first run's file, unfinished: never put in place (the next run would remove it).
                let _ = super::building::sweep(&target);
                Err(e)
            }
            (Err(e), None) => Err(e),
        }
    }

    /// [`State::write_run`]'s writes and commits.
    fn write_all(
        &mut self,
        mut rx: tokio::sync::mpsc::Receiver<SourceWrite>,
        now: DateTime<Utc>,
    ) -> Result<usize, StateError> {
        let path = self.path.clone();
        let sql = |source| sql_error(&path, source);
        // The check runs on a connection of its own while the first writes arrive; nothing is
        // committed before it has passed.
        let mut checker = (!self.is_building()).then(|| {
            let path = std::path::PathBuf::from(&self.path);
            std::thread::spawn(move || State::open(&path)?.quick_check())
        });
        let mut checked = || match checker.take() {
            Some(h) => h.join().unwrap_or_else(|_| {
                Err(StateError::Other {
                    path: path.clone(),
                    msg: "the integrity check panicked".into(),
                })
            }),
            None => Ok(()),
        };
        let now_s = now.to_rfc3339();
        // A small cache (memory stays flat) that holds a batch's dirty pages (see BATCH_BYTES).
        self.conn
            .pragma_update(None, "cache_size", -CACHE_KIB)
            .map_err(sql)?;
        // A commit does not copy the log into the database (SQLite's automatic checkpoint, with
        // its fsyncs, would stop this thread, and through the full queue every source, for
        // 100-200 ms a batch): a thread of its own does it after each batch, while the next
        // one is written.
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(sql)?;
        let (kick, kicked) = std::sync::mpsc::sync_channel::<()>(1);
        // Without a log (a state being built) there is nothing to copy: no checkpoints, and the
        // kicks go nowhere.
        if !self.is_building() {
            let path = std::path::PathBuf::from(&self.path);
            std::thread::spawn(move || {
                if let Ok(st) = State::open(&path) {
                    while kicked.recv().is_ok() {
                        st.checkpoint();
                    }
                }
            });
        }
        let mut tx = self.conn.transaction().map_err(sql)?;
        let (mut n, mut pending) = (0, 0);
        // Sources answered 304 with nothing else new: one statement for all of them at the end.
        let mut touched: Vec<String> = Vec::new();
        while let Some(w) = rx.blocking_recv() {
            n += 1;
            if w.touched_only && w.state.last_success == Some(now) {
                touched.push(w.name);
                continue;
            }
            pending += write_source(&tx, &w, &now_s).map_err(|e| match e {
                Failed::Sql(e) => sql(e),
                Failed::Json(msg) => StateError::Other {
                    path: path.clone(),
                    msg,
                },
            })?;
            if pending >= BATCH_BYTES {
                checked()?;
                tx.commit().map_err(sql)?;
                // Coalesced: a checkpoint still running covers this batch too when it ends.
                let _ = kick.try_send(());
                tx = self.conn.transaction().map_err(sql)?;
                pending = 0;
            }
        }
        if !touched.is_empty() {
            let names = serde_json::to_string(&touched).map_err(|e| StateError::Other {
                path: path.clone(),
                msg: e.to_string(),
            })?;
            tx.execute(
                "UPDATE sources SET last_attempt = ?1, last_success = ?1, last_status = 'not modified'
                 WHERE name IN (SELECT value FROM json_each(?2))",
                rusqlite::params![ts(Some(now)), names],
            )
            .map_err(sql)?;
        }
        checked()?;
        tx.commit().map_err(sql)?;
        Ok(n)
    }

    /// Empties the write-ahead log on a connection and a thread of their own (joined by the
    /// caller), while this one does something else: when the run is about to rename its files
    /// and nothing reads or writes the state. The log is only ever restarted by a write that
    /// finds it copied and unread, which the run's writer never does (its checkpoints run beside
    /// its next batch), so a cold run's log holds all it wrote (280 MB at 5,000 × 20). SQLite
    /// deletes it when the run's last connection closes: 40 ms at the very end of that run, one
    /// core idle. Never waits for a reader: with one in the log, only what it allows is copied
    /// (as [`State::checkpoint`]) and the log stays for the close.
    pub fn empty_log_elsewhere(&self) -> Option<std::thread::JoinHandle<()>> {
        let path = std::path::PathBuf::from(&self.path);
        let empty = move || {
            if let Ok(st) = State::open(&path)
                && st.conn.busy_timeout(std::time::Duration::ZERO).is_ok()
            {
                let _ = st
                    .conn
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
            }
        };
        std::thread::Builder::new()
            .name("feedbraid-log".into())
            .spawn(empty)
            .ok()
    }

    /// Copies the write-ahead log into the database as far as readers allow (a passive
    /// checkpoint). Best effort: SQLite does it again at a later commit or close if this fails.
    pub fn checkpoint(&self) {
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

/// The state writer's page cache, in KiB (SQLite's `cache_size`, negated).
const CACHE_KIB: i64 = 4_000;

/// The entry bytes after which the state writer commits (see [`State::write_run`]): half its
/// page cache, so that a batch's dirty pages (its entries, its items and the indexes' pages it
/// touches) stay in the cache until the commit writes each once to the log. A batch larger than
/// the cache spills pages to the log as it grows and, when the batch writes a spilled page again,
/// SQLite rewrites it where it is in the log and then reads back every frame after it to redo the
/// log's checksums: with 24 MB batches a cold run at 5,000 × 20 read 581 MB from a log it wrote
/// 302 MB to; with 2 MB batches 357 MB of 340 MB (the checkpoint's one pass, and pages the
/// queries found there: the commit no longer reads the log), and used 4.6 % less CPU (issue 25,
/// round twenty-one).
const BATCH_BYTES: usize = (CACHE_KIB as usize) * 1024 / 2;

enum Failed {
    Sql(rusqlite::Error),
    Json(String),
}

impl From<rusqlite::Error> for Failed {
    fn from(e: rusqlite::Error) -> Failed {
        Failed::Sql(e)
    }
}

/// One source's writes; returns the entry bytes written.
fn write_source(
    tx: &rusqlite::Transaction<'_>,
    w: &SourceWrite,
    now_s: &str,
) -> Result<usize, Failed> {
    let s = &w.state;
    let info = s
        .info
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| Failed::Json(e.to_string()))?;
    tx.prepare_cached(
            "INSERT INTO sources (name, etag, last_modified, last_status, last_attempt, last_success, failures, next_fetch, gone, moved_to, info)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
             ON CONFLICT(name) DO UPDATE SET etag = ?2, last_modified = ?3, last_status = ?4, last_attempt = ?5,
               last_success = ?6, failures = ?7, next_fetch = ?8, gone = ?9, moved_to = ?10, info = ?11",
        )
        ?
        .execute(params![
            w.name, s.validators.etag, s.validators.last_modified, s.last_status, ts(s.last_attempt), ts(s.last_success),
            s.failures, ts(s.next_fetch), s.gone, s.moved_to, info
        ])?;
    if let Some(keep) = &w.keep_hashes {
        let list = serde_json::to_string(keep).map_err(|e| Failed::Json(e.to_string()))?;
        for table in ["items", "entries"] {
            tx.prepare_cached(&format!(
                    "DELETE FROM {table} WHERE source = ?1 AND hash NOT IN (SELECT value FROM json_each(?2))"
                ))
                ?
                .execute(params![w.name, list])
                ?;
        }
        // A guarded item the feed no longer carries needs no decision.
        tx.prepare_cached(
            "DELETE FROM guarded WHERE source = ?1 AND id NOT IN \
             (SELECT id FROM items WHERE source = ?1 UNION SELECT value FROM json_each(?2))",
        )?
        .execute(params![
            w.name,
            serde_json::to_string(
                &w.new_items
                    .iter()
                    .map(|i| i.candidate.id())
                    .collect::<Vec<_>>()
            )
            .map_err(|e| Failed::Json(e.to_string()))?
        ])?;
    }
    let mut ins = tx
            .prepare_cached(
                "INSERT OR REPLACE INTO items (source, hash, id, canonical_link, original_id, updated, published, text, tags, language)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            ?;
    let mut entries = tx.prepare_cached(
        "INSERT OR REPLACE INTO entries (source, hash, entry, body, base) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    let mut seen = tx.prepare_cached(
        "INSERT OR IGNORE INTO seen (id, source, first_seen) VALUES (?1, ?2, ?3)",
    )?;
    for item in &w.new_items {
        let c = &item.candidate;
        ins.execute(params![
            w.name,
            c.handle(),
            c.id(),
            c.canonical_link(),
            c.original_id(),
            c.updated.to_rfc3339(),
            ts(c.published),
            c.text.as_deref().unwrap_or(""),
            c.tags.as_joined(),
            c.language.as_deref(),
        ])?;
        let e = &item.entry;
        entries.execute(params![w.name, c.handle(), e.head, e.body, item.base])?;
        seen.execute(params![c.id(), w.name, now_s])?;
    }
    if let Some(g) = &w.guarded {
        let mut hold = tx.prepare_cached(
            "INSERT OR IGNORE INTO guarded (source, id, reason, since) VALUES (?1, ?2, ?3, ?4)",
        )?;
        for id in &g.ids {
            hold.execute(params![w.name, id, g.reason, now_s])?;
        }
    }
    Ok(w.new_items
        .iter()
        .map(|i| i.entry.head.len() + i.entry.body.len())
        .sum())
}

#[cfg(test)]
pub(in crate::state) mod tests;
