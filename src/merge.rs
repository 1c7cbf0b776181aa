//! Filter, deduplicate, order and cap: many sources' entries in, the combined feed's entries out.
//!
//! One total order (updated desc, then id asc). Each source's entries are sorted, filtered and
//! capped on their own first ([`select_source`]), so a busy partner cannot crowd out a quiet one
//! and no source ever needs more than the feed's size in memory; then all are deduplicated across
//! sources, sorted once more, and the global filter and cap are applied ([`merge`]). The result
//! does not depend on the order sources or items arrive in. Pure.

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::config::{Config, Filter};
use crate::model::Entry;
use crate::normalise::{links, text};

/// The feed order: newest `updated` first, then id, then origin (for full determinism).
pub fn feed_order(a: &Entry, b: &Entry) -> Ordering {
    b.updated
        .cmp(&a.updated)
        .then_with(|| a.id.cmp(&b.id))
        .then_with(|| a.origin().cmp(b.origin()))
}

fn matches_any(f: &[regex::Regex], e: &Entry, summary_text: &str) -> bool {
    f.iter().any(|r| {
        r.is_match(&e.title)
            || r.is_match(summary_text)
            || e.categories.iter().any(|c| r.is_match(c))
    })
}

/// Whether `e` passes `f`; `newest` anchors `max_age`, so a rebuild from the same entries gives
/// the same result whatever the clock says.
pub fn passes(f: &Filter, e: &Entry, newest: DateTime<Utc>) -> bool {
    if let Some(age) = f.max_age {
        let limit = newest - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX);
        if e.updated < limit {
            return false;
        }
    }
    if f.include.is_empty() && f.exclude.is_empty() {
        return true;
    }
    let summary_text = e
        .summary
        .as_deref()
        .or(e.content.as_deref())
        .map(text::plain)
        .unwrap_or_default();
    (f.include.is_empty() || matches_any(&f.include, e, &summary_text))
        && !matches_any(&f.exclude, e, &summary_text)
}

/// One source's contribution: its entries de-duplicated by id, sorted, filtered by the source's
/// rules, capped at its `max_items` and at the feed's size.
pub fn select_source(
    filter: &Filter,
    max_items: Option<usize>,
    feed_max: usize,
    mut entries: Vec<Entry>,
) -> Vec<Entry> {
    entries.sort_by(feed_order);
    let mut seen = std::collections::HashSet::new();
    entries.retain(|e| seen.insert(e.id.clone()));
    let newest = entries
        .first()
        .map_or(DateTime::<Utc>::MIN_UTC, |e| e.updated);
    let cap = max_items.unwrap_or(usize::MAX).min(feed_max);
    entries
        .into_iter()
        .filter(|e| passes(filter, e, newest))
        .take(cap)
        .collect()
}

/// Keeps one entry per duplicate group: local over partner, else the earliest published (then the
/// smallest id); the others' sources are credited on the kept one as `via` links. Two entries are
/// duplicates when they share an id, a canonical link or an original (partner) id.
pub fn dedup(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.sort_by(|a, b| {
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
    let mut kept: Vec<Entry> = Vec::with_capacity(entries.len());
    let mut keys: HashMap<String, usize> = HashMap::new();
    for e in entries {
        let mut k = vec![format!("id:{}", e.id)];
        if let Some(c) = links::canonical(&e.link) {
            k.push(format!("link:{c}"));
        }
        if let Some(o) = e
            .original_id
            .as_ref()
            .filter(|o| crate::normalise::ids::is_absolute_iri(o))
        {
            k.push(format!("orig:{o}"));
        }
        let at = k.iter().find_map(|key| keys.get(key).copied());
        let at = match at {
            Some(at) => {
                let winner = &mut kept[at];
                let credit = e
                    .source
                    .as_ref()
                    .and_then(|s| s.homepage.clone().or(s.feed_url.clone()))
                    .unwrap_or(e.link.clone());
                if winner.link != credit && !winner.via.contains(&credit) {
                    winner.via.push(credit);
                }
                at
            }
            None => {
                kept.push(e);
                kept.len() - 1
            }
        };
        for key in k {
            keys.entry(key).or_insert(at);
        }
    }
    for e in &mut kept {
        e.via.sort();
    }
    kept
}

/// The combined feed's entries: cross-source dedup, one sort, the global filter and cap.
pub fn merge(cfg: &Config, entries: Vec<Entry>) -> Vec<Entry> {
    let mut all = dedup(entries);
    all.sort_by(feed_order);
    let newest = all.first().map_or(DateTime::<Utc>::MIN_UTC, |e| e.updated);
    all.into_iter()
        .filter(|e| passes(&cfg.filter, e, newest))
        .take(cfg.feed.max_entries)
        .collect()
}
