//! The entries the library's pages list, read once per run however many pages list them: read
//! from the state on one connection, decoded (LZ4 + JSON) on every core, and kept without their
//! text (the library shows titles, dates, partners, topics and downloads, never a summary).
//!
//! A cold run of a large network lists every published entry (100,000 at 5,000 partners × 20),
//! so nothing here may look a source up by scanning the config: names go through maps.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::config::Config;
use crate::model::{Entry, SourceInfo};
use crate::par::par_map;
use crate::pool::Gathered;
use crate::pool::merge::Winner;
use crate::publish::PublishError;
use crate::state::{Packed, State, unpack_entry};

/// The entries loaded for the pages rendered in a run, by winner.
#[derive(Debug, Default)]
pub struct Loaded {
    /// Keyed by the winner's address: every winner is borrowed from the run's one pool.
    by: HashMap<usize, Entry>,
}

fn addr(w: &Winner) -> usize {
    std::ptr::from_ref(w) as usize
}

impl Loaded {
    /// The entries of `winners` that could be loaded, in order.
    pub fn list<'e>(&'e self, winners: &[&Winner]) -> Vec<&'e Entry> {
        winners
            .iter()
            .filter_map(|w| self.by.get(&addr(w)))
            .collect()
    }
}

/// Loads every winner of `winners` (duplicates are read once).
pub fn load<'w>(
    state: &State,
    cfg: &Config,
    g: &Gathered,
    winners: impl IntoIterator<Item = &'w Winner>,
) -> Result<Loaded, PublishError> {
    let slim = Slim::new(cfg, g);
    let mut wanted = HashSet::new();
    let mut by = HashMap::new();
    let mut found = Vec::new();
    for w in winners {
        if !wanted.insert(addr(w)) {
            continue;
        }
        let c = &w.candidate;
        match &c.origin {
            None => {
                if let Some(e) = c.handle.parse::<usize>().ok().and_then(|i| g.locals.get(i)) {
                    by.insert(addr(w), slim.apply(w, e.clone(), None));
                }
            }
            Some(source) => {
                if let Some(p) = state.packed_entry(source, &c.handle)? {
                    found.push((w, source.as_str(), p));
                }
                // Decoded a batch at a time: the packed entries (with their text) of a whole
                // network are never held at once.
                if found.len() == BATCH {
                    decode(state, &slim, &mut found, &mut by)?;
                }
            }
        }
    }
    decode(state, &slim, &mut found, &mut by)?;
    Ok(Loaded { by })
}

/// Entries decoded on every core at a time.
const BATCH: usize = 1024;

/// Decodes `found` into `by`, on every core, and empties it.
fn decode(
    state: &State,
    slim: &Slim<'_>,
    found: &mut Vec<(&Winner, &str, Packed)>,
    by: &mut HashMap<usize, Entry>,
) -> Result<(), PublishError> {
    let decoded = par_map(found, |(w, source, p)| {
        let e = unpack_entry(p)?;
        Ok((addr(w), slim.apply(w, e, Some(source))))
    })
    .map_err(|_| PublishError::Panicked("reading the library's entries"))?;
    found.clear();
    for d in decoded {
        let (k, e) = d.map_err(|m: String| state.unreadable(&m))?;
        by.insert(k, e);
    }
    Ok(())
}

/// What the library keeps of an entry, and the attribution it is shown with.
struct Slim<'a> {
    infos: &'a BTreeMap<String, SourceInfo>,
    /// Sources whose media `excerpt_only` leaves out of every output (see `clean::apply`).
    excerpt_only: HashSet<&'a str>,
    mirror_media: bool,
}

impl<'a> Slim<'a> {
    fn new(cfg: &'a Config, g: &'a Gathered) -> Self {
        Slim {
            infos: &g.infos,
            excerpt_only: cfg
                .sources
                .iter()
                .filter(|s| s.excerpt_only)
                .map(|s| s.name.as_str())
                .collect(),
            mirror_media: cfg.output.mirror_media,
        }
    }

    fn apply(&self, w: &Winner, mut e: Entry, source: Option<&str>) -> Entry {
        if let Some(source) = source {
            e.source = self.infos.get(source).cloned();
            if self.excerpt_only.contains(source) {
                e.enclosures.clear();
                e.image = None;
            }
        }
        e.via.clone_from(&w.via);
        if !self.mirror_media {
            e.image = None;
        }
        e.summary = None;
        e.content = None;
        e
    }
}
