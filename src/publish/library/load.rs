//! The entries the library's pages list, read once per run however many pages list them: read
//! from the state on one connection, decoded (LZ4 + JSON) on every core a batch at a time, and
//! kept with only what a listing shows (title, link, date, language, topics, downloads, rights:
//! never a summary, an author or an image), their partner's description kept once per partner.
//!
//! A cold run of a large network lists every published entry (100,000 at 5,000 partners × 20),
//! so nothing here may look a source up by scanning the config, and what is kept per entry is
//! what decides the run's peak memory.

use std::collections::{HashMap, HashSet};

use crate::config::Config;
use crate::model::{Entry, SourceInfo};
use crate::par::par_map;
use crate::pool::Gathered;
use crate::pool::merge::Winner;
use crate::publish::PublishError;
use crate::publish::render::library::Listed;
use crate::state::{Packed, State, unpack_entry};

/// The entries loaded for the pages rendered in a run, by winner.
#[derive(Debug, Default)]
pub struct Loaded<'g> {
    /// A winner's place in `items`, by the winner's address: every winner is borrowed from the
    /// run's one pool.
    at: HashMap<usize, u32>,
    items: Vec<(Entry, Option<&'g SourceInfo>)>,
}

fn addr(w: &Winner) -> usize {
    std::ptr::from_ref(w) as usize
}

impl Loaded<'_> {
    /// The entries of `winners` that could be loaded, in order.
    pub fn list(&self, winners: &[&Winner]) -> Vec<Listed<'_>> {
        winners
            .iter()
            .filter_map(|w| self.at.get(&addr(w)))
            .map(|&i| {
                let (entry, source) = &self.items[i as usize];
                Listed {
                    entry,
                    source: *source,
                }
            })
            .collect()
    }
}

/// Loads every winner of `winners` (duplicates are read once).
pub fn load<'w, 'g>(
    state: &State,
    cfg: &Config,
    g: &'g Gathered,
    winners: impl IntoIterator<Item = &'w Winner>,
) -> Result<Loaded<'g>, PublishError> {
    let slim = Slim::new(cfg);
    let mut wanted = HashSet::new();
    let mut loaded = Loaded::default();
    let mut found = Vec::new();
    for w in winners {
        if !wanted.insert(addr(w)) {
            continue;
        }
        let c = &w.candidate;
        match &c.origin {
            None => {
                if let Some(e) = c.handle.parse::<usize>().ok().and_then(|i| g.locals.get(i)) {
                    loaded.add(w, slim.apply(e.clone(), None), None);
                }
            }
            Some(source) => {
                if let Some(p) = state.packed_entry(source, &c.handle)? {
                    found.push((w, source.as_str(), p));
                }
                // Decoded a batch at a time: the packed entries (with their text) of a whole
                // network are never held at once.
                if found.len() == BATCH {
                    decode(state, &slim, g, &mut found, &mut loaded)?;
                }
            }
        }
    }
    decode(state, &slim, g, &mut found, &mut loaded)?;
    loaded.items.shrink_to_fit();
    Ok(loaded)
}

impl<'g> Loaded<'g> {
    fn add(&mut self, w: &Winner, e: Entry, source: Option<&'g SourceInfo>) {
        self.at.insert(addr(w), self.items.len() as u32);
        self.items.push((e, source));
    }
}

/// Entries decoded on every core at a time.
const BATCH: usize = 1024;

/// Decodes `found` into `loaded`, on every core, and empties it.
fn decode<'g>(
    state: &State,
    slim: &Slim<'_>,
    g: &'g Gathered,
    found: &mut Vec<(&Winner, &str, Packed)>,
    loaded: &mut Loaded<'g>,
) -> Result<(), PublishError> {
    let decoded = par_map(found, |(_, source, p)| {
        unpack_entry(p).map(|e| slim.apply(e, Some(source)))
    })
    .map_err(|_| PublishError::Panicked("reading the library's entries"))?;
    for ((w, source, _), d) in found.drain(..).zip(decoded) {
        let e = d.map_err(|m| state.unreadable(&m))?;
        loaded.add(w, e, g.infos.get(source));
    }
    Ok(())
}

/// What the library keeps of an entry.
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

    /// The entry without what no listing shows, and without its attachments where its partner
    /// is `excerpt_only`.
    fn apply(&self, mut e: Entry, source: Option<&str>) -> Entry {
        if source.is_some_and(|s| self.excerpt_only.contains(s)) {
            e.enclosures.clear();
        }
        e.summary = None;
        e.content = None;
        e.image = None;
        e.source = None;
        e.original_id = None;
        e.via = Vec::new();
        e.authors = Vec::new();
        e
    }
}
