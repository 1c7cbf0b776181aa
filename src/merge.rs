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
    }
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

/// One source's contribution: de-duplicated by id, sorted, filtered by the source's rules and by
/// the global patterns, capped at its `max_items` and at the feed's size. `max_age` is measured
/// from the source's newest entry, so a rebuild gives the same result whatever the clock says.
pub fn select_source(
    own: &Filter,
    global: &Filter,
    max_items: Option<usize>,
    feed_max: usize,
    mut cs: Vec<Candidate>,
) -> Vec<Candidate> {
    cs.sort_by(feed_order);
    let mut seen = std::collections::HashSet::new();
    cs.retain(|c| seen.insert(c.id.clone()));
    let newest = cs.first().map_or(DateTime::<Utc>::MIN_UTC, |c| c.updated);
    let cap = max_items.unwrap_or(usize::MAX).min(feed_max);
    cs.into_iter()
        .filter(|c| passes_age(own, c, newest))
        .filter(|c| {
            let t = c.text.as_deref().unwrap_or("");
            passes_patterns(own, t) && passes_patterns(global, t)
        })
        .take(cap)
        .map(|mut c| {
            c.text = None;
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
pub fn dedup(mut cs: Vec<Candidate>, credits: &BTreeMap<String, String>) -> Vec<Winner> {
    cs.sort_by(|a, b| {
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
    let mut kept: Vec<Winner> = Vec::with_capacity(cs.len());
    let mut keys: HashMap<String, usize> = HashMap::new();
    for c in cs {
        let mut k = vec![format!("id:{}", c.id)];
        if let Some(l) = &c.canonical_link {
            k.push(format!("link:{l}"));
        }
        if let Some(o) = &c.original_id {
            k.push(format!("orig:{o}"));
        }
        let at = match k.iter().find_map(|key| keys.get(key).copied()) {
            Some(at) => {
                let w = &mut kept[at];
                if let Some(credit) = credits.get(c.origin())
                    && w.candidate.origin() != c.origin()
                    && !w.via.contains(credit)
                {
                    w.via.push(credit.clone());
                }
                at
            }
            None => {
                kept.push(Winner {
                    candidate: c,
                    via: Vec::new(),
                });
                kept.len() - 1
            }
        };
        for key in k {
            keys.entry(key).or_insert(at);
        }
    }
    for w in &mut kept {
        w.via.sort();
    }
    kept
}

/// The combined feed: cross-source dedup, one sort, the global age limit and cap. `credits` maps a
/// source name to the link that credits it when one of its items is merged into another's.
pub fn merge(cfg: &Config, cs: Vec<Candidate>, credits: &BTreeMap<String, String>) -> Vec<Winner> {
    let mut all = dedup(cs, credits);
    all.sort_by(|a, b| feed_order(&a.candidate, &b.candidate));
    let newest = all
        .first()
        .map_or(DateTime::<Utc>::MIN_UTC, |w| w.candidate.updated);
    all.into_iter()
        .filter(|w| passes_age(&cfg.filter, &w.candidate, newest))
        .take(cfg.feed.max_entries)
        .collect()
}
