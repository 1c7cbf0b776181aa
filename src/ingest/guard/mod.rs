//! The hijack guard (issue 23), without I/O: whether a fetched document suddenly looks like
//! another site's feed. When it does, the source's new items are held for an editor (the review
//! queue, `pool::review`) with the reason, before anything is published: a partner whose domain
//! expired or whose site was taken over must not publish under the network's name for even one
//! cron interval.
//!
//! Four signs, each comparing what the source gave before (its stored items and attribution)
//! with what it gives now:
//! - a burst: more than `[review] burst` new items in one run, or (at least [`RATE_FLOOR`])
//!   more than five times the source's usual rate over the time since its last success;
//! - most new items link to a registrable domain (the public suffix list, `psl`) that none of its
//!   earlier items, its homepage or its feed used. Skipped for a source whose earlier items
//!   already link to more than [`LINK_BLOG`] domains: a link blog's next link is to a new site
//!   by nature;
//! - the feed's title and its homepage's registrable domain both changed;
//! - a permanent redirect of the feed to another registrable domain.
//!
//! A source seen for the first time is never judged: there is nothing to compare with
//! (`review = "new"` is the queue for new partners). Reasons name domains and counts, never an
//! item's title or link: they reach `status.json`, which is public.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::{Location, Source};
use crate::model::{Candidate, SourceInfo};
use crate::state::SourceState;

/// Fewer new items than this never trip the rate sign (one post more than usual is news, not
/// a takeover).
pub const RATE_FLOOR: usize = 5;
/// A source whose earlier items link to more registrable domains than this is a link blog.
pub const LINK_BLOG: usize = 3;

/// The guard's settings (`[review] guard` and `burst`).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub burst: usize,
}

/// A document's items against the source's stored ones, gathered while ingesting.
#[derive(Debug, Default, Clone)]
pub struct Novelty {
    /// How many items were stored before this document.
    pub earlier: usize,
    /// The registrable domains the earlier items linked to.
    pub earlier_domains: HashSet<String>,
    /// The earliest and the latest date of the earlier items.
    pub earlier_span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The items never stored before: id, and the registrable domain of the link.
    pub fresh: Vec<(String, Option<String>)>,
}

impl Novelty {
    /// Compares `now` (a document's candidates) with `stored` (the source's items before it).
    pub fn new<'a>(stored: impl Iterator<Item = &'a Candidate>, now: &[Candidate]) -> Novelty {
        let mut n = Novelty::default();
        let mut ids = HashSet::new();
        for c in stored {
            n.earlier += 1;
            ids.insert(c.id());
            if let Some(d) = c.canonical_link().and_then(domain) {
                n.earlier_domains.insert(d);
            }
            let date = c.published.unwrap_or(c.updated);
            n.earlier_span = Some(match n.earlier_span {
                Some((a, b)) => (a.min(date), b.max(date)),
                None => (date, date),
            });
        }
        n.fresh = now
            .iter()
            .filter(|c| !ids.contains(c.id()))
            .map(|c| (c.id().to_string(), c.canonical_link().and_then(domain)))
            .collect();
        n
    }
}

/// What the guard looks at for one fetched document.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub novelty: &'a Novelty,
    /// The source's attribution from its last good document, if it had one.
    pub before: Option<&'a SourceInfo>,
    /// The attribution this document gives.
    pub after: &'a SourceInfo,
    /// The configured feed URL (files have none).
    pub feed: Option<&'a Url>,
    /// The configured homepage.
    pub homepage: Option<&'a Url>,
    /// Where every redirect permanently led, if anywhere.
    pub moved_to: Option<&'a Url>,
    pub last_success: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// The guard tripped: why, and the new items to hold.
pub type Verdict = crate::model::GuardHold;

/// The registrable domain of a URL's host (the host itself for an IP address or a name with no
/// registrable part, such as `localhost`).
pub fn domain(url: &str) -> Option<String> {
    let u = Url::parse(url).ok()?;
    Some(match u.host()? {
        url::Host::Domain(h) => {
            let h = h.trim_end_matches('.');
            psl::domain_str(h).unwrap_or(h).to_string()
        }
        other => other.to_string(),
    })
}

/// [`judge`] for a document of `source` (its items' `novelty` and the attribution `after` it
/// gives), whose state before it was `st`.
pub fn check(
    s: &Settings,
    source: &Source,
    st: &SourceState,
    (novelty, after): (&Novelty, &SourceInfo),
    moved_to: Option<&Url>,
    now: DateTime<Utc>,
) -> Option<Verdict> {
    let feed = match &source.location {
        Location::Url(u) => Some(u),
        Location::Path(_) => None,
    };
    judge(
        s,
        &Evidence {
            novelty,
            before: st.info.as_ref(),
            after,
            feed,
            homepage: source.homepage.as_ref(),
            moved_to,
            last_success: st.last_success,
            now,
        },
    )
}

/// Whether the document looks like another site's feed; `None` when it does not (or when there
/// is nothing to compare it with).
pub fn judge(s: &Settings, e: &Evidence<'_>) -> Option<Verdict> {
    let n = e.novelty;
    if n.fresh.is_empty() || (n.earlier == 0 && e.last_success.is_none()) {
        return None;
    }
    let reasons: Vec<String> = [burst(s, e), foreign_links(e), new_identity(e), moved(e)]
        .into_iter()
        .flatten()
        .collect();
    (!reasons.is_empty()).then(|| Verdict {
        reason: format!("hijack guard: {}", reasons.join("; ")),
        ids: n.fresh.iter().map(|(id, _)| id.clone()).collect(),
    })
}

/// More new items than the burst limit, or than five times the usual rate.
fn burst(s: &Settings, e: &Evidence<'_>) -> Option<String> {
    let fresh = e.novelty.fresh.len();
    if fresh > s.burst {
        return Some(format!(
            "{fresh} new items in one run (more than [review] burst = {})",
            s.burst
        ));
    }
    let (first, last) = e.novelty.earlier_span?;
    let days = |d: chrono::Duration| (d.num_seconds() as f64 / 86_400.0).max(1.0);
    let per_day = e.novelty.earlier as f64 / days(last - first);
    let elapsed = days(e.now - e.last_success.unwrap_or(e.now));
    let usual = per_day * elapsed;
    (fresh >= RATE_FLOOR && fresh as f64 > 5.0 * usual)
        .then(|| format!("{fresh} new items in one run, more than five times the usual {usual:.1}"))
}

/// Most new items link to a domain the source never used.
fn foreign_links(e: &Evidence<'_>) -> Option<String> {
    let n = e.novelty;
    if n.earlier_domains.len() > LINK_BLOG {
        return None;
    }
    let mut known = n.earlier_domains.clone();
    let homepages = [e.before.and_then(|b| b.homepage.as_deref())];
    known.extend(homepages.into_iter().flatten().filter_map(domain));
    known.extend(
        [e.feed, e.homepage]
            .into_iter()
            .flatten()
            .filter_map(|u| domain(u.as_str())),
    );
    let linked: Vec<&String> = n.fresh.iter().filter_map(|(_, d)| d.as_ref()).collect();
    let mut foreign: BTreeMap<&str, usize> = BTreeMap::new();
    for d in linked.iter().filter(|d| !known.contains(d.as_str())) {
        *foreign.entry(d.as_str()).or_default() += 1;
    }
    let count: usize = foreign.values().sum();
    if linked.is_empty() || count * 2 <= linked.len() {
        return None;
    }
    let (top, _) = foreign
        .iter()
        .max_by_key(|(d, k)| (**k, std::cmp::Reverse(**d)))?;
    Some(format!(
        "{count} of {} new items link to {top}{}, never linked by this partner before",
        linked.len(),
        if foreign.len() > 1 { " and others" } else { "" }
    ))
}

/// The feed's title and its homepage's domain both changed.
fn new_identity(e: &Evidence<'_>) -> Option<String> {
    let before = e.before?;
    let norm = |t: &str| crate::text::plain::collapse_ws(t).to_lowercase();
    let home = |i: &SourceInfo| i.homepage.as_deref().and_then(domain);
    let (was, now) = (home(before)?, home(e.after)?);
    (norm(&before.title) != norm(&e.after.title) && was != now)
        .then(|| format!("the feed's title and homepage both changed (homepage {was} → {now})"))
}

/// The feed permanently redirects to another registrable domain.
fn moved(e: &Evidence<'_>) -> Option<String> {
    let (from, to) = (domain(e.feed?.as_str())?, domain(e.moved_to?.as_str())?);
    (from != to).then(|| format!("the feed permanently redirects from {from} to {to}"))
}

#[cfg(test)]
mod tests;
