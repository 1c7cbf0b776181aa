//! Filter, deduplicate, order and cap: candidates from every source in, the combined feed's
//! entries out.
//!
//! One total order (updated desc, then id asc, then origin). Each source's candidates are sorted,
//! filtered and capped on their own first (`ingest::select::select_source`), so a busy partner cannot crowd out
//! a quiet one; then all are deduplicated across sources, sorted once more, and the global age
//! limit and cap are applied ([`merge`]). Works on [`Candidate`]s, so memory grows with the number
//! of items, not their size; the result does not depend on the order sources or items arrive in.
//! Pure.

use std::collections::BTreeMap;

use super::keys::{Keys, Probe};
use super::order::{earliest, newest, sort_places};
pub use super::winners::{Winner, Winners};
use crate::config::{Config, Filter};
use crate::ingest::select::passes_age;
use crate::model::{Candidate, by_id, feed_order};
use crate::par::{join, par_fill};

/// From how many candidates [`sharing`] searches the keys' parts on two threads.
const PAR_FROM: usize = 4096;

/// Keeps one candidate per duplicate group: local over partner, else the earliest published (then
/// the smallest id); the other sources are credited on it with their `credits` link. Two
/// candidates are duplicates when they share an id, a canonical link or an original partner id.
///
/// `groups` are the candidates in input order (one group per source, in config order): ties keep
/// it. The winners stay in them (see [`Winners`]), in that order.
///
/// Most candidates share no key with any other: they are found first, their keys looked up on
/// both cores ([`Keys::shared`]), and only those that do are sorted and taken in order, one after
/// the other (a serial pass over all 100,000 of a large network, sorted, was most of a changed
/// run's merge).
pub fn dedup(groups: Vec<Vec<Candidate>>, credits: &BTreeMap<String, String>) -> Winners {
    // Every candidate by its place: (group, index), in input order.
    let at: Vec<(u32, u32)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, cs)| (0..cs.len()).map(move |i| (g as u32, i as u32)))
        .collect();
    let get = |i: usize| &groups[at[i].0 as usize][at[i].1 as usize];
    let mut keys = Keys::new();
    let mut probes = vec![Probe::default(); at.len()];
    let probe = |i: usize| keys.probe(get(i));
    if par_fill(&mut probes, probe).is_err() {
        probes
            .iter_mut()
            .enumerate()
            .for_each(|(i, p)| *p = probe(i));
    }
    let dups = sharing(&keys, &get, &probes);
    // Local first, then the earliest date, then id and origin; ties keep their input order.
    // Sorted by summaries (see `order`): local, then the second.
    let date = |c: &Candidate| c.published.unwrap_or(c.updated);
    let order: Vec<u32> = sort_places(
        dups.len(),
        |j| {
            let c = get(dups[j] as usize);
            (u32::from(!c.is_local()) << 31) | (earliest(date(c)) >> 1)
        },
        |a, b| {
            let (x, y) = (get(dups[a] as usize), get(dups[b] as usize));
            y.is_local()
                .cmp(&x.is_local())
                .then_with(|| date(x).cmp(&date(y)))
                .then_with(|| by_id(x, y))
                .then_with(|| a.cmp(&b))
        },
    )
    .into_iter()
    .map(|j| dups[j as usize])
    .collect();
    // First the winner of each candidate that shares a key, with keys borrowed from the
    // candidates (no copies), then the winners' credits set where they are.
    // Only duplicates' winners get credits: a map of them, not a list per candidate (24 bytes
    // each, 2.4 MB at 100,000, when the merge is a changed run's peak memory).
    let mut winner_of: Vec<u32> = (0..at.len() as u32).collect();
    let mut via: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    keys.reserve(order.iter().map(|&i| probes[i as usize].count()).sum());
    for &i in &order {
        let i = i as usize;
        let c = get(i);
        let probe = &probes[i];
        let w = match keys.winner(&get, i, probe) {
            Some(w) => {
                if let Some(credit) = credits.get(c.origin())
                    && get(w).origin() != c.origin()
                {
                    let credited = via.entry(w).or_default();
                    if !credited.contains(credit) {
                        credited.push(credit.clone());
                    }
                }
                w
            }
            None => i,
        };
        winner_of[i] = w as u32;
        keys.record(&get, probe, i, w);
    }
    // Freed before the lists are made (4 MB at 100,000 candidates).
    drop((keys, probes, order, dups));
    // In place: a list of candidates becomes a list of slots without moving (the slot's `None`
    // is a niche of the candidate's).
    let mut lists: Vec<Vec<Option<Candidate>>> = groups
        .into_iter()
        .map(|cs| cs.into_iter().map(Some).collect())
        .collect();
    // The winners' places in input order, their credits set; the losers dropped where they are.
    let mut won = Vec::with_capacity(at.len());
    for (i, &place) in at.iter().enumerate() {
        let slot = &mut lists[place.0 as usize][place.1 as usize];
        if winner_of[i] as usize != i {
            *slot = None;
        } else if let Some(w) = slot {
            w.via = via.remove(&i).unwrap_or_default();
            w.via.sort();
            won.push(place);
        }
    }
    Winners::new(lists, won)
}

/// The places, in order, of the candidates that share a key with another (see
/// [`Keys::shared`]), the keys' two parts searched on both cores (both on this thread should the
/// other's part panic).
fn sharing<'c>(
    keys: &Keys,
    get: &(impl Fn(usize) -> &'c Candidate + Sync),
    probes: &[Probe],
) -> Vec<u32> {
    let part = |p: usize| keys.shared(get, probes, p);
    // A thread for a part only when there are enough keys to be worth one.
    let apart = probes.len() >= PAR_FROM;
    let (first, second) =
        join(apart, || part(0), || part(1)).unwrap_or_else(|_| (part(0), part(1)));
    let mut shares = vec![false; probes.len()];
    for &i in first.iter().chain(&second) {
        shares[i as usize] = true;
    }
    (0..probes.len() as u32)
        .filter(|&i| shares[i as usize])
        .collect()
}

/// Every entry any view can show: cross-source dedup, then one sort. Deduplicating once, before
/// any view selects, is what makes an entry the same (same winner, same credits) in every view.
/// `groups`: as for [`dedup`].
pub fn pool(groups: Vec<Vec<Candidate>>, credits: &BTreeMap<String, String>) -> Winners {
    let mut all = dedup(groups, credits);
    // Ids are unique once deduplicated, so `feed_order` is total: an unstable sort gives the
    // same order.
    all.sort_by(|w| newest(w.updated), feed_order);
    all
}

/// Applies the global age limit to a view's selection (sorted, newest first), measured from its
/// newest entry, and caps it. Yields indices into the selection.
pub fn age_and_cap<'a>(
    global: &Filter,
    selected: impl Iterator<Item = &'a Winner>,
    cap: usize,
) -> Vec<&'a Winner> {
    let mut newest = None;
    selected
        .filter(|w| {
            let n = *newest.get_or_insert(w.updated);
            passes_age(global, w, n)
        })
        .take(cap)
        .collect()
}

/// The main feed alone: the pool, its age limit and `max_entries` (per-source caps are applied by
/// `views::select`; this is the shape without them, kept for tests of merge itself).
pub fn merge(cfg: &Config, cs: Vec<Candidate>, credits: &BTreeMap<String, String>) -> Vec<Winner> {
    let all = pool(vec![cs], credits);
    age_and_cap(&cfg.filter, all.iter(), cfg.feed.max_entries)
        .into_iter()
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests;
