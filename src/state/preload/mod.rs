//! Every configured source's stored state and items, read when a run starts in one pass over
//! each table. A source's task then takes its own from memory instead of asking SQLite: two
//! queries and two hand-offs to a blocking thread per source were most of a warm run of 5,000
//! sources, where every one answers 304 (measured: 0.70 → 0.57 s offline).
//!
//! The states (5,000 small rows) are read before any request is sent: a request needs its
//! source's validators. The items (100,000 rows) are read on a blocking thread while the
//! requests go out: read first, they were a tenth of a second in which no request was sent. A
//! source that answered 304 takes its items once every source has answered. A source with a
//! document to ingest does not wait for the read ([`Preloaded::items_now`]): while it is under
//! way, the source reads its own rows by a query ([`State::item_list`]) and the read leaves
//! them out, or drops them when it ends (waiting, the first documents held the other core idle
//! for a tenth of a second of a changed run at 5,000 × 20, issue 25). One `SELECT` reads them
//! all; a source's rows are written only by its own task, after it took them, so whichever way
//! they are taken they are the rows from before the run. A source whose rows were taken already
//! (its items went to an ingest that then failed) falls back to the same query (both read an
//! item row the same way, [`item_row`]).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, PoisonError};

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Pool, SOURCE_COLUMNS, SourceState, State, StateError, source_row, ts_at};
use crate::model::{Candidate, Ids, Interner, Tags};

/// What the state held for each configured source when the run started.
#[derive(Debug)]
pub struct Preloaded {
    /// Every configured source has an entry (the default when it was never seen) until it is
    /// taken.
    sources: std::sync::Mutex<HashMap<String, SourceState>>,
    items: tokio::sync::Mutex<Stage>,
    /// Sources that read their own items while the read was under way ([`Preloaded::items_now`]):
    /// the read skips those it has not reached yet, and drops the others' lists when it ends.
    passed: Passed,
    /// The database, for a failed read's error.
    path: String,
}

/// Every configured source's items (a list, empty when it has none), by name, with the name its
/// items share.
type ItemMap = HashMap<String, (Arc<str>, Vec<Candidate>)>;

/// The names of the sources that read their own items (see [`Preloaded::items_now`]).
type Passed = Arc<std::sync::Mutex<HashSet<String>>>;

/// The items' read: under way on its thread, or done.
#[derive(Debug)]
enum Stage {
    Reading(tokio::task::JoinHandle<Result<ItemMap, StateError>>),
    Read(ItemMap),
}

impl Preloaded {
    /// Reads the stored state of `names` (the configured sources) now, and starts reading their
    /// items on a blocking thread (the caller is in a Tokio runtime); the items' filter text
    /// only for the sources in `with_text`.
    pub fn start(
        pool: &Arc<Pool>,
        names: &[&str],
        with_text: &HashSet<&str>,
    ) -> Result<Preloaded, StateError> {
        let mut sources: HashMap<String, SourceState> = names
            .iter()
            .map(|n| ((*n).to_string(), SourceState::default()))
            .collect();
        for (name, state) in pool.with(|st| st.all_sources())? {
            if let Some(s) = sources.get_mut(&name) {
                *s = state;
            }
        }
        let names: Vec<String> = names.iter().map(|n| (*n).to_string()).collect();
        let text = (!with_text.is_empty()).then(|| {
            serde_json::to_string(&with_text.iter().collect::<Vec<_>>())
                .unwrap_or_else(|_| "[]".into())
        });
        let path = pool.path().display().to_string();
        let pool = Arc::clone(pool);
        let passed = Passed::default();
        let skip = Arc::clone(&passed);
        let reading =
            tokio::task::spawn_blocking(move || pool.read_items(names, text.as_deref(), &skip));
        Ok(Preloaded {
            sources: std::sync::Mutex::new(sources),
            items: tokio::sync::Mutex::new(Stage::Reading(reading)),
            passed,
            path,
        })
    }

    /// The source's stored state, once (`None` when taken already).
    pub fn take_source(&self, name: &str) -> Option<SourceState> {
        self.sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(name)
    }

    /// The source's stored items, once (`None` when taken already), waiting for the read if it
    /// is still under way. Its error goes to the first task that waits (the run stops there);
    /// the others then read their own.
    pub async fn take_items(&self, name: &str) -> Result<Option<Vec<Candidate>>, StateError> {
        let mut stage = self.items.lock().await;
        self.finish(&mut stage).await?;
        Ok(Self::take(&mut stage, name))
    }

    /// The source's stored items if the read is done (`Some`, empty when it has none), once;
    /// `None` while it is under way (the source is then left out of it: its caller reads its
    /// own, [`State::item_list`]) or when taken already. For a source with a document to
    /// ingest: waiting for the read of every source's items, the documents that came first
    /// waited with the other core idle (a tenth of a second of a changed run at 5,000 × 20).
    /// A failed read is the error of the first caller to find it done.
    pub async fn items_now(&self, name: &str) -> Result<Option<Vec<Candidate>>, StateError> {
        let under_way = |stage: &Stage| matches!(stage, Stage::Reading(r) if !r.is_finished());
        match self.items.try_lock() {
            Ok(mut stage) if !under_way(&stage) => {
                self.finish(&mut stage).await?;
                Ok(Self::take(&mut stage, name))
            }
            _ => {
                self.passed
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(name.to_string());
                Ok(None)
            }
        }
    }

    /// Waits for the read if it is under way and keeps its items, less those of the sources
    /// that passed it.
    async fn finish(&self, stage: &mut Stage) -> Result<(), StateError> {
        if let Stage::Reading(reading) = stage {
            let read = reading.await;
            *stage = Stage::Read(ItemMap::new());
            let mut map = read.map_err(|e| StateError::Other {
                path: self.path.clone(),
                msg: format!("reading the stored items failed: {e}"),
            })??;
            for passed in self
                .passed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .drain()
            {
                map.remove(&passed);
            }
            *stage = Stage::Read(map);
        }
        Ok(())
    }

    /// `name`'s items from the finished read, once.
    fn take(stage: &mut Stage, name: &str) -> Option<Vec<Candidate>> {
        match stage {
            Stage::Read(map) => map.remove(name).map(|(_, list)| list),
            Stage::Reading(_) => None,
        }
    }
}

impl Pool {
    /// Every item of `names`, by source, each source's in the order [`State::item_list`] gives
    /// them (by hash); the filter text of those named in `text` (a JSON array; `None`: none).
    /// A source found in `passed` when its rows are reached is left out (an empty list).
    fn read_items(
        &self,
        names: Vec<String>,
        text: Option<&str>,
        passed: &Passed,
    ) -> Result<ItemMap, StateError> {
        // Each list sized for its items (grown by doubling, they held a third more than their
        // items: 11 MB at 5,000 × 20), from a count over the (source, hash) index.
        let counts = self.with(|st| st.item_counts())?;
        let mut items: ItemMap = names
            .into_iter()
            .map(|n| {
                let len = counts.get(n.as_str()).copied().unwrap_or(0);
                let shared = Arc::from(n.as_str());
                (n, (shared, Vec::with_capacity(len)))
            })
            .collect();
        // One pass on one connection: split by rowid over both cores, it took a fifth less time
        // and a tenth more memory, and the run as a whole no less (the integrity check has the
        // other core); again in round eleven: no faster, and a changed run's peak RSS 89–91 →
        // 102–104 MB (the other thread's lists, grown in its own allocator arena).
        self.with(|st| st.preload_items(&mut items, text, passed))?;
        for (_, list) in items.values_mut() {
            list.sort_unstable_by(|a, b| a.handle().cmp(b.handle()));
        }
        Ok(items)
    }
}

impl State {
    /// The stored items of a source as merge candidates (their handle is the item hash), with
    /// their filter text only `with_text`.
    pub fn item_list(&self, source: &str, with_text: bool) -> Result<Vec<Candidate>, StateError> {
        let mut st = self
            .conn
            .prepare_cached(&format!(
                "SELECT {} FROM items WHERE source = ?1",
                item_columns("?2")
            ))
            .map_err(|e| self.err(e))?;
        let (origin, mut shared) = (Arc::from(source), Interner::default());
        let rows = st
            .query_map(params![source, with_text], |r| {
                item_row(r, 0, &origin, &mut shared)
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// How many items each source has stored.
    fn item_counts(&self) -> Result<HashMap<String, usize>, StateError> {
        let mut st = self
            .conn
            .prepare("SELECT source, COUNT(*) FROM items GROUP BY source")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)?)))
            .map_err(|e| self.err(e))?;
        rows.map(|r| r.map(|(s, n)| (s, usize::try_from(n).unwrap_or(0))))
            .collect::<Result<_, _>>()
            .map_err(|e| self.err(e))
    }

    /// Every row of `sources`, by name.
    fn all_sources(&self) -> Result<Vec<(String, SourceState)>, StateError> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT name, {SOURCE_COLUMNS} FROM sources"))
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, source_row(r, 1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Adds to `items` the stored items of the sources it has a list for, but those in `passed`
    /// when their rows are reached; the filter text of those named in `text` (a JSON array;
    /// `None`: no source's).
    fn preload_items(
        &self,
        items: &mut ItemMap,
        text: Option<&str>,
        passed: &Passed,
    ) -> Result<(), StateError> {
        let text_when = match text {
            Some(_) => "source IN (SELECT value FROM json_each(?1))",
            None => "0",
        };
        let mut st = self
            .conn
            .prepare(&format!(
                "SELECT source, {} FROM items",
                item_columns(text_when)
            ))
            .map_err(|e| self.err(e))?;
        let mut rows = match text {
            Some(t) => st.query(params![t]),
            None => st.query([]),
        }
        .map_err(|e| self.err(e))?;
        let mut shared = Interner::default();
        // A source's rows come together (written together, in rowid order): its list is looked
        // up when the source changes, not for every row (a SipHash of the name per row).
        let mut current = String::new();
        let mut list: Option<&mut (Arc<str>, Vec<Candidate>)> = None;
        while let Some(r) = rows.next().map_err(|e| self.err(e))? {
            let source = r
                .get_ref(0)
                .and_then(|v| Ok(v.as_str()?))
                .map_err(|e| self.err(e))?;
            if source != current {
                current.clear();
                current.push_str(source);
                let skip = passed
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .contains(source);
                list = if skip { None } else { items.get_mut(source) };
            }
            if let Some((origin, list)) = list.as_deref_mut() {
                list.push(item_row(r, 1, origin, &mut shared).map_err(|e| self.err(e))?);
            }
        }
        Ok(())
    }
}

/// The columns [`item_row`] reads, in order; the filter text only where `text_when` is true.
fn item_columns(text_when: &str) -> String {
    format!(
        "hash, id, canonical_link, original_id, updated, published, \
         CASE WHEN {text_when} THEN text END, tags, language"
    )
}

/// An `items` row of the source `origin` as a merge candidate (its handle is the item hash),
/// from [`item_columns`] starting at column `at`; its language and tags shared through `shared`.
fn item_row(
    r: &rusqlite::Row<'_>,
    at: usize,
    origin: &Arc<str>,
    shared: &mut Interner,
) -> rusqlite::Result<Candidate> {
    let tags = r.get_ref(at + 7)?.as_str_or_null()?.unwrap_or_default();
    let language = r.get_ref(at + 8)?.as_str_or_null()?.map(|l| shared.get(l));
    let text =
        |k: usize| -> rusqlite::Result<Option<&str>> { Ok(r.get_ref(at + k)?.as_str_or_null()?) };
    Ok(Candidate {
        ids: Ids::new(
            text(0)?.unwrap_or_default(),
            text(1)?.unwrap_or_default(),
            text(2)?,
            text(3)?,
        ),
        updated: ts_at(r, at + 4)?.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        published: ts_at(r, at + 5)?,
        origin: Some(Arc::clone(origin)),
        text: r.get(at + 6)?,
        tags: Tags::joined(tags, Some(shared)),
        language,
        via: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
