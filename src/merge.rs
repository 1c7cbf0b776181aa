//! Filter, deduplicate, order and cap: candidates from every source in, the combined feed's
//! entries out.
//!
//! One total order (updated desc, then id asc, then origin). Each source's candidates are sorted,
//! filtered and capped on their own first ([`select_source`]), so a busy partner cannot crowd out
//! a quiet one; then all are deduplicated across sources, sorted once more, and the global age
//! limit and cap are applied ([`merge`]). Works on [`Candidate`]s, so memory grows with the number
//! of items, not their size; the result does not depend on the order sources or items arrive in.
//! Pure.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};

use crate::config::{Config, Filter};
use crate::model::{Candidate, Entry};
use crate::normalise::{ids, links, text};

/// The feed order: newest `updated` first, then id, then origin (for full determinism).
pub fn feed_order(a: &Candidate, b: &Candidate) -> Ordering {
    b.updated
        .cmp(&a.updated)
        .then_with(|| a.id.cmp(&b.id))
        .then_with(|| a.origin().cmp(b.origin()))
}

/// What include/exclude patterns look at: the title, the categories and the first 300 characters
/// of the summary (or content), one per line.
pub fn filter_text(e: &Entry) -> String {
    // About 300 characters of text; 4 KB of markup is always enough to find them.
    let html = e.summary.as_deref().or(e.content.as_deref()).unwrap_or("");
    let text = text::rough_text(&html[..html.floor_char_boundary(4096)]);
    format!(
        "{}\n{}\n{}",
        e.title,
        e.categories
            .iter()
            .map(|c| c.term.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        &text[..text.floor_char_boundary(1200)]
    )
}

/// The candidate for an entry; `handle` says where the full entry can be found again.
pub fn candidate(e: &Entry, handle: String) -> Candidate {
    Candidate {
        id: e.id.clone(),
        canonical_link: (!e.link_is_site)
            .then(|| links::canonical(&e.link))
            .flatten(),
        original_id: e.original_id.clone().filter(|o| ids::is_absolute_iri(o)),
        updated: e.updated,
        published: e.published,
        origin: e.source.as_ref().map(|s| s.name.clone()),
        handle,
        text: Some(filter_text(e)),
        tags: tags(&e.categories),
        language: e.language.as_ref().map(|l| l.to_ascii_lowercase()),
    }
}

/// What a view's `tags` match: each category's term and label, lower-cased, without repeats.
pub fn tags(categories: &[crate::model::Category]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(categories.len());
    for c in categories {
        for t in std::iter::once(&c.term).chain(c.label.as_ref()) {
            let t = t.to_lowercase();
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out
}

/// Whether the text of a candidate passes the include/exclude patterns of `f`.
pub fn passes_patterns(f: &Filter, text: &str) -> bool {
    (f.include.is_empty() || f.include.iter().any(|r| r.is_match(text)))
        && !f.exclude.iter().any(|r| r.is_match(text))
}

fn passes_age(f: &Filter, c: &Candidate, newest: DateTime<Utc>) -> bool {
    f.max_age.is_none_or(|age| {
        c.updated >= newest - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX)
    })
}

/// One source's contribution to the pool: de-duplicated by id, sorted, filtered by the source's
/// rules and by the global patterns. Not capped: each view caps on its own (see `views`), so a
/// quiet language or topic keeps its history. `max_age` is measured from the source's newest
/// entry, so a rebuild gives the same result whatever the clock says. The filter text is dropped
/// unless `keep_text` (a view still has patterns to apply).
pub fn select_source(
    own: &Filter,
    global: &Filter,
    keep_text: bool,
    mut cs: Vec<Candidate>,
) -> Vec<Candidate> {
    cs.sort_by(feed_order);
    // The first of each id (ids borrowed, not copied).
    let keep: Vec<bool> = {
        let mut seen = std::collections::HashSet::with_capacity(cs.len());
        cs.iter().map(|c| seen.insert(c.id.as_str())).collect()
    };
    let mut keep = keep.into_iter();
    cs.retain(|_| keep.next().unwrap_or(true));
    let newest = cs.first().map_or(DateTime::<Utc>::MIN_UTC, |c| c.updated);
    cs.into_iter()
        .filter(|c| passes_age(own, c, newest))
        .filter(|c| {
            let t = c.text.as_deref().unwrap_or("");
            passes_patterns(own, t) && passes_patterns(global, t)
        })
        .map(|mut c| {
            if !keep_text {
                c.text = None;
            }
            c
        })
        .collect()
}

/// A candidate that made it into the feed, with the other sources that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Winner {
    pub candidate: Candidate,
    /// Credit links (`rel="via"`) of the duplicates it absorbed, sorted.
    pub via: Vec<String>,
}

/// Keeps one candidate per duplicate group: local over partner, else the earliest published (then
/// the smallest id); the other sources are credited on it with their `credits` link. Two
/// candidates are duplicates when they share an id, a canonical link or an original partner id.
///
/// `groups` are the candidates in input order (one group per source, in config order): ties keep
/// it. They are never copied into one vector (100,000 candidates would briefly be held twice).
pub fn dedup(groups: Vec<Vec<Candidate>>, credits: &BTreeMap<String, String>) -> Vec<Winner> {
    // Every candidate by its place: (group, index), in input order.
    let at: Vec<(u32, u32)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, cs)| (0..cs.len()).map(move |i| (g as u32, i as u32)))
        .collect();
    let get = |i: usize| &groups[at[i].0 as usize][at[i].1 as usize];
    // The order is sorted as indices (a stable sort of 100,000 candidates would need a buffer
    // of half of them; of indices, 400 KB), ties keeping their input order.
    let mut order: Vec<usize> = (0..at.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (get(a), get(b));
        b.is_local()
            .cmp(&a.is_local())
            .then_with(|| {
                a.published
                    .unwrap_or(a.updated)
                    .cmp(&b.published.unwrap_or(b.updated))
            })
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.origin().cmp(b.origin()))
    });
    // First the winner of each candidate, with keys borrowed from the candidates (no copies),
    // then the winners moved out in order.
    let mut winner_of: Vec<usize> = vec![0; at.len()];
    let mut via: Vec<Vec<String>> = vec![Vec::new(); at.len()];
    let mut winners = 0;
    {
        let mut keys: HashMap<(u8, &str), usize> = HashMap::with_capacity(at.len() * 2);
        for &i in &order {
            let c = get(i);
            let k = [
                Some((0, c.id.as_str())),
                c.canonical_link.as_deref().map(|l| (1, l)),
                c.original_id.as_deref().map(|o| (2, o)),
            ];
            let found = k.iter().flatten().find_map(|key| keys.get(key).copied());
            let w = match found {
                Some(w) => {
                    if let Some(credit) = credits.get(c.origin())
                        && get(w).origin() != c.origin()
                        && !via[w].contains(credit)
                    {
                        via[w].push(credit.clone());
                    }
                    w
                }
                None => {
                    winners += 1;
                    i
                }
            };
            winner_of[i] = w;
            for key in k.into_iter().flatten() {
                keys.entry(key).or_insert(w);
            }
        }
    }
    let mut slots: Vec<Vec<Option<Candidate>>> = groups
        .into_iter()
        .map(|cs| cs.into_iter().map(Some).collect())
        .collect();
    let mut kept: Vec<Winner> = Vec::with_capacity(winners);
    for i in order {
        let (g, j) = (at[i].0 as usize, at[i].1 as usize);
        if winner_of[i] == i
            && let Some(candidate) = slots[g][j].take()
        {
            let mut via = std::mem::take(&mut via[i]);
            via.sort();
            kept.push(Winner { candidate, via });
        }
    }
    kept
}

/// Every entry any view can show: cross-source dedup, then one sort. Deduplicating once, before
/// any view selects, is what makes an entry the same (same winner, same credits) in every view.
/// `groups`: as for [`dedup`].
pub fn pool(groups: Vec<Vec<Candidate>>, credits: &BTreeMap<String, String>) -> Vec<Winner> {
    let mut all = dedup(groups, credits);
    // Ids are unique once deduplicated, so `feed_order` is total: an unstable sort (no buffer)
    // gives the same order.
    all.sort_unstable_by(|a, b| feed_order(&a.candidate, &b.candidate));
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
            let n = *newest.get_or_insert(w.candidate.updated);
            passes_age(global, &w.candidate, n)
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
