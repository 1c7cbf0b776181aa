//! The rows the library's pages list, made once per run however many pages list an entry:
//! every entry read from the state on one connection, then, a batch at a time on every core,
//! decoded (LZ4 + JSON) and rendered as its row (`Shelf::row`: `entry.html` without the text),
//! keeping the row and the entry's topics, never the entry: a page is its rows joined. A batch's
//! rows are written to the run's spool in one write, each row a span of it, and read back by the
//! pages that list them: as a `String` each (with the renderer's spare capacity) they were
//! 102 MB of a cold run's 241 MB heap at 100,000 entries, as one string per batch 38 MB, and
//! spooled, the spans alone (16 bytes a row).
//!
//! A cold run of a large network lists every published entry (100,000 at 5,000 partners × 20),
//! each on its month's, its topics' and its partner's pages: rendering an entry once instead of
//! once per page, and holding rows instead of entries, is most of what that run costs
//! (`docs/performance.md`). Nothing here may look a source up by scanning the config.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::config::Config;
use crate::model::{Entry, Interner};
use crate::pool::Gathered;
use crate::pool::merge::Winner;
use crate::publish::PublishError;
use crate::publish::render::library::{Listed, Messages, Shelf};
use crate::publish::spool::{Spool, Spooled};
use crate::state::{Packed, State, StateError, unpack_entry};

use super::Stock;

/// The rows of the entries listed by the pages rendered in a run, by winner.
#[derive(Debug)]
pub struct Loaded {
    /// A winner's place in `rows` and `topics`, by the winner's address: every winner is
    /// borrowed from the run's one pool.
    at: HashMap<usize, u32, foldhash::fast::RandomState>,
    /// Where each row is in the spool.
    rows: Vec<Spooled>,
    spool: Arc<Spool>,
    /// Every entry's topics as shown (a topic's page is titled with the label its entries use),
    /// one entry's after the other, shared through `shared`; an entry's end in `topic_ends`.
    topics: Vec<Arc<str>>,
    topic_ends: Vec<u32>,
    shared: Interner,
}

/// An entry's row and its topics as shown.
type Row = (String, Vec<String>);

/// Some rows read back from the spool, in one string.
#[derive(Debug)]
pub struct Rows {
    text: String,
    ends: Vec<usize>,
}

impl Rows {
    /// Each row.
    pub fn list(&self) -> Vec<&str> {
        let mut start = 0;
        self.ends
            .iter()
            .filter_map(|&end| {
                let row = self.text.get(start..end);
                start = end;
                row
            })
            .collect()
    }
}

fn addr(w: &Winner) -> usize {
    std::ptr::from_ref(w) as usize
}

/// Where a winner's partner's name is (shared by a source's candidates); 0 for a local entry.
fn partner_at(w: &Winner) -> usize {
    w.origin.as_ref().map_or(0, |o| o.as_ptr() as usize)
}

impl Loaded {
    /// Sized once for `n` rows (grown by doubling, the map and the lists held two copies of
    /// themselves while they grew).
    fn new(spool: &Arc<Spool>, n: usize) -> Loaded {
        Loaded {
            at: HashMap::with_capacity_and_hasher(n, Default::default()),
            rows: Vec::with_capacity(n),
            spool: Arc::clone(spool),
            topics: Vec::new(),
            topic_ends: Vec::with_capacity(n),
            shared: Interner::default(),
        }
    }

    /// The rows of `winners` that could be loaded, in order. Rows that lie side by side in the
    /// spool are read in one call: a partner's page lists its entries in the order they were
    /// rendered (re-rendering the whole library at 5,000 × 20, the process made 305,834 `pread`
    /// calls, SQLite's among them, before this and 207,670 after).
    pub fn rows(&self, winners: &[&Winner]) -> std::io::Result<Rows> {
        let mut bytes = Vec::new();
        let mut ends = Vec::new();
        let (mut span, mut end): (Option<Spooled>, usize) = (None, 0);
        for &i in winners.iter().filter_map(|w| self.at.get(&addr(w))) {
            if let Some(&row) = self.rows.get(i as usize) {
                span = match span {
                    None => Some(row),
                    Some(s) => match s.join(row) {
                        Some(joined) => Some(joined),
                        None => {
                            self.spool.read_into(s, &mut bytes)?;
                            Some(row)
                        }
                    },
                };
                end += row.len();
                ends.push(end);
            }
        }
        if let Some(s) = span {
            self.spool.read_into(s, &mut bytes)?;
        }
        let text = String::from_utf8(bytes).map_err(std::io::Error::other)?;
        // Each row was whole UTF-8 when written, so every end is a character boundary.
        Ok(Rows { text, ends })
    }

    /// The topics of the entries of `winners`.
    pub fn topics<'a>(&'a self, winners: &'a [&Winner]) -> impl Iterator<Item = &'a str> {
        winners
            .iter()
            .filter_map(|w| self.at.get(&addr(w)))
            .filter_map(|&i| {
                let i = i as usize;
                let start = i
                    .checked_sub(1)
                    .map_or(Some(&0), |b| self.topic_ends.get(b))?;
                self.topics
                    .get(*start as usize..*self.topic_ends.get(i)? as usize)
            })
            .flat_map(|t| t.iter().map(|s| &**s))
    }

    /// Adds a batch of rows, with their topics: the rows in one write to the spool.
    fn add_batch(&mut self, batch: Vec<(&Winner, Row)>) -> std::io::Result<()> {
        let len = batch.iter().map(|(_, (row, _))| row.len()).sum();
        let mut text = String::with_capacity(len);
        let mut ends = Vec::with_capacity(batch.len());
        for (w, (row, topics)) in &batch {
            self.at
                .insert(addr(w), (self.rows.len() + ends.len()) as u32);
            text.push_str(row);
            ends.push(text.len());
            self.topics
                .extend(topics.iter().map(|t| self.shared.get(t)));
            self.topic_ends
                .push(u32::try_from(self.topics.len()).unwrap_or(u32::MAX));
        }
        let all = self.spool.put(text.as_bytes())?;
        let mut start = 0;
        for end in ends {
            self.rows.push(all.part(start, end));
            start = end;
        }
        Ok(())
    }
}

/// Where an entry comes from.
enum Found<'w> {
    Local(&'w Entry),
    Stored(&'w str, Packed),
}

/// Entries read, decoded and rendered together.
const BATCH: usize = 1024;

/// Loads and renders the row of every winner of `winners` (duplicates once). Every core takes
/// the next batch of winners, reads their packed entries (on one connection, one thread at a
/// time, in one read transaction), decodes and renders them, and hands the rows to this thread
/// for the spool (`par::par_stream`: read on a thread of their own and rendered a batch at a
/// time on threads spawned per batch, the rows left a quarter of both cores idle). At most a
/// batch a core is held packed, and a batch a core of rows waits for the spool: a whole
/// network's entries are never held at once.
pub fn load<'w>(
    state: &State,
    stock: &Stock<'_>,
    winners: impl IntoIterator<Item = &'w Winner>,
) -> Result<Loaded, PublishError> {
    let (shelf, g) = (&stock.shelf, stock.gathered);
    let maker = Maker {
        slim: Slim::new(shelf.cfg),
        shelf,
        g,
        t: shelf.messages(),
    };
    let mut list: Vec<&Winner> = winners.into_iter().collect();
    // Read grouped by partner, not in the pages' order (by date): a partner's entries were
    // written together, so a read then finds its page in SQLite's cache, where in the pages'
    // order every read fetched one from the file (100,000 lookups: the reader's samples fell by
    // two fifths). By partner alone: ordering by hash within a partner reads no fewer pages (in
    // `sqlite3`, 0.19 s either way against 0.43 s at random) and took twice as long to sort
    // (22 against 11 ms for 100,000). Within a partner by address, which puts duplicates side
    // by side (an entry is listed on several pages) and keeps the pool's order. A partner is
    // told by where its name is (every candidate of a source shares it), not by the name: the
    // list holds each winner once per page that lists it (about 290,000 at 5,000 × 20), and
    // sorting it by name took 35 ms with the other core idle.
    list.sort_unstable_by_key(|w| (partner_at(w), addr(w)));
    list.dedup_by_key(|w| addr(w));
    list.shrink_to_fit();
    let mut loaded = Loaded::new(stock.spool, list.len());
    if list.is_empty() {
        return Ok(loaded);
    }
    let reader = state.reopen_snapshot()?;
    let mut batches = list.chunks(BATCH);
    // A failed read ends the stream: nothing after it is read.
    let mut failed = false;
    let next = move || {
        if failed {
            return None;
        }
        let found = find(&reader, g, batches.next()?);
        failed = found.is_err();
        Some(found)
    };
    let made = |found: Result<_, StateError>| maker.make(found.map_err(Failed::State)?);
    crate::par::par_stream(next, made, |rows| match rows {
        Ok(rows) => loaded.add_batch(rows).map_err(|err| PublishError::Spool {
            name: "the library's rows".into(),
            err,
        }),
        Err(Failed::State(e)) => Err(e.into()),
        Err(Failed::Unreadable(msg)) => Err(state.unreadable(&msg).into()),
        Err(Failed::Render(e)) => Err(e),
    })
    .map_err(|crate::par::Panicked| PublishError::Panicked("rendering the library's rows"))??;
    loaded.topics.shrink_to_fit();
    Ok(loaded)
}

/// Where each of `winners` is: a local entry, or a packed one read from the state (a winner
/// whose entry is gone is left out).
fn find<'w>(
    state: &State,
    g: &'w Gathered,
    winners: &[&'w Winner],
) -> Result<Vec<(&'w Winner, Found<'w>)>, StateError> {
    let mut found = Vec::with_capacity(winners.len());
    // A partner's winners side by side (see `load`): their heads read together.
    for run in winners.chunk_by(|a, b| a.origin == b.origin) {
        let Some(source) = run.first().and_then(|w| w.origin.as_deref()) else {
            for &w in run {
                if let Some(e) = w.local_index().and_then(|i| g.locals.get(i)) {
                    found.push((w, Found::Local(e)));
                }
            }
            continue;
        };
        let hashes: Vec<&str> = run.iter().map(|w| w.handle()).collect();
        for (&w, head) in run.iter().zip(state.packed_heads(source, &hashes)?) {
            if let Some(p) = head {
                found.push((w, Found::Stored(source, p)));
            }
        }
    }
    Ok(found)
}

/// What makes a row of an entry.
struct Maker<'a> {
    slim: Slim<'a>,
    shelf: &'a Shelf<'a>,
    g: &'a Gathered,
    /// The interface's messages (`Shelf::messages`).
    t: Messages,
}

/// A read, decoding or rendering failure.
enum Failed {
    State(StateError),
    Unreadable(String),
    Render(PublishError),
}

impl Maker<'_> {
    /// Decodes and renders `found`, each entry's row with its topics.
    fn make<'w>(
        &self,
        found: Vec<(&'w Winner, Found<'_>)>,
    ) -> Result<Vec<(&'w Winner, Row)>, Failed> {
        found
            .into_iter()
            .map(|(w, f)| Ok((w, self.row(&f)?)))
            .collect()
    }

    fn row(&self, f: &Found<'_>) -> Result<Row, Failed> {
        let (entry, source) = match f {
            Found::Local(e) => (self.slim.apply((*e).clone(), None), None),
            Found::Stored(source, p) => {
                let e = unpack_entry(p).map_err(Failed::Unreadable)?;
                (self.slim.apply(e, Some(source)), self.g.infos.get(*source))
            }
        };
        let row = self
            .shelf
            .row(
                &self.t,
                &Listed {
                    entry: &entry,
                    source,
                },
            )
            .map_err(|e| Failed::Render(e.into()))?;
        let shown = entry.categories.iter().map(|c| c.shown().to_string());
        Ok((row, shown.collect()))
    }
}

/// What a listing shows of an entry.
struct Slim<'a> {
    /// Sources whose media `excerpt_only` leaves out of every output (see `clean::apply`).
    excerpt_only: HashSet<&'a str>,
}

impl<'a> Slim<'a> {
    fn new(cfg: &'a Config) -> Self {
        Slim {
            excerpt_only: cfg
                .sources
                .iter()
                .filter(|s| s.excerpt_only)
                .map(|s| s.name.as_str())
                .collect(),
        }
    }

    /// The entry without its text, and without its attachments where its partner is
    /// `excerpt_only`.
    fn apply(&self, mut e: Entry, source: Option<&str>) -> Entry {
        if source.is_some_and(|s| self.excerpt_only.contains(s)) {
            e.enclosures.clear();
        }
        e.summary = None;
        e.content = None;
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Candidate, Ids, Tags};

    fn w(id: &str) -> Winner {
        Candidate {
            ids: Ids::new(id, id, None, None),
            updated: chrono::DateTime::UNIX_EPOCH,
            published: None,
            origin: Some("p".into()),
            text: None,
            tags: Tags::new::<&str>(&[]),
            language: None,
            via: Vec::new(),
        }
    }

    fn row(text: &str, topics: &[&str]) -> (String, Vec<String>) {
        let topics = topics.iter().map(|t| t.to_string()).collect();
        (text.to_string(), topics)
    }

    #[test]
    fn rows_and_topics_come_back_by_winner_across_batches() {
        let dir = tempfile::tempdir().expect("dir");
        let spool = Arc::new(Spool::in_dir(dir.path()).expect("spool"));
        let ws: Vec<Winner> = ["a", "b", "c", "d", "never loaded"]
            .into_iter()
            .map(w)
            .collect();
        let mut loaded = Loaded::new(&spool, 4);
        let first = vec![
            (&ws[0], row("<li>A</li>", &["Health", "สุขภาพ"])),
            (&ws[1], row("<li>บี</li>", &[])),
        ];
        loaded.add_batch(first).expect("first batch");
        let second = vec![
            (&ws[2], row("", &["Rights"])),
            (&ws[3], row("<li>D 中文</li>", &["Health"])),
        ];
        loaded.add_batch(second).expect("second batch");
        let rows = loaded
            .rows(&[&ws[3], &ws[4], &ws[0], &ws[2], &ws[1]])
            .expect("read back");
        assert_eq!(
            rows.list(),
            ["<li>D 中文</li>", "<li>A</li>", "", "<li>บี</li>"],
            "in the order asked, the unloaded left out"
        );
        // Side by side in the spool, across batches and with an empty row among them: read as
        // one span, and cut back into the same rows.
        let all = [&ws[0], &ws[1], &ws[2], &ws[3]];
        assert_eq!(
            loaded.rows(&all).expect("read back").list(),
            ["<li>A</li>", "<li>บี</li>", "", "<li>D 中文</li>"]
        );
        let mixed = [&ws[1], &ws[2], &ws[3], &ws[0], &ws[1], &ws[4]];
        assert_eq!(
            loaded.rows(&mixed).expect("read back").list(),
            [
                "<li>บี</li>",
                "",
                "<li>D 中文</li>",
                "<li>A</li>",
                "<li>บี</li>"
            ]
        );
        let topics = |ws: &[&Winner]| loaded.topics(ws).map(str::to_string).collect::<Vec<_>>();
        assert_eq!(topics(&[&ws[0]]), ["Health", "สุขภาพ"]);
        assert!(topics(&[&ws[1]]).is_empty());
        assert_eq!(topics(&[&ws[2], &ws[3], &ws[4]]), ["Rights", "Health"]);
        let (a, d) = ([&ws[0]], [&ws[3]]);
        let shared = loaded.topics(&a).next().expect("a topic");
        let again = loaded.topics(&d).next().expect("a topic");
        assert!(std::ptr::eq(shared, again), "one string for a topic");
        assert!(loaded.rows(&[]).expect("none").list().is_empty());
    }
}
