//! One fetched document → the source's merge candidates, normalising only the items whose raw
//! content hash is not already stored (so an unchanged item is never sanitised twice). Runs on a
//! blocking thread; reads only this source's rows of the state through its own connection.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::Source;
use crate::ingest::normalise::{EntryError, FeedContext, item_hash};
use crate::ingest::parse::{ParseError, RawItem, parse_feed};
use crate::ingest::select::candidate_with;
use crate::model::{Candidate, Interner, SourceInfo};
use crate::state::{NewItem, Pool, StateError};

/// Why a document gave no candidates.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The document is unusable: the source failed.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// The source's stored items could not be read: the run must stop (nothing published).
    #[error(transparent)]
    State(#[from] StateError),
}

/// The result of ingesting one document.
#[derive(Debug)]
pub struct Ingested {
    /// One candidate per distinct item, with its filter text.
    pub candidates: Vec<Candidate>,
    /// Items normalised this time, to store.
    pub new_items: Vec<NewItem>,
    /// Attribution for the source's entries.
    pub info: SourceInfo,
    /// RSS `<ttl>`.
    pub ttl: Option<Duration>,
    pub warnings: Vec<String>,
    /// What the front end recovered from, for the report ("undeclared entity &nbsp; at line 12").
    pub recovered: Vec<String>,
    /// The items against the stored ones, for the hijack guard.
    pub novelty: crate::ingest::guard::Novelty,
    /// Stored items this document no longer carries (kept while the guard holds the source).
    pub absent: Vec<Candidate>,
}

/// One fetched (or read) document.
#[derive(Debug, Clone, Copy)]
pub struct Fetched<'a> {
    pub body: &'a [u8],
    /// The `charset` of the HTTP `Content-Type`, if any.
    pub charset: Option<&'a str>,
    /// The URL it came from (after redirects); files have none, and their relative links resolve
    /// against the source's `homepage`.
    pub url: Option<&'a Url>,
}

/// Parses and normalises `doc`. `stored`: the source's stored items when already read, else
/// read here, with their filter text if `with_text` (some pattern looks at it). A parse error
/// is the reason the document is unusable; a state error means nothing stored can be trusted.
pub fn ingest(
    source: &Source,
    state: &Pool,
    (stored, with_text): (Option<Vec<Candidate>>, bool),
    doc: Fetched<'_>,
    now: DateTime<Utc>,
) -> Result<Ingested, IngestError> {
    let parsed = parse_feed(doc.body, doc.charset, doc.url.or(source.homepage.as_ref()))?;
    let ctx = FeedContext::new(source, &parsed.feed, doc.url, now);
    let stored: HashMap<String, Candidate> = match stored {
        Some(list) => list
            .into_iter()
            .map(|c| (c.handle().to_string(), c))
            .collect(),
        None => state.with(|st| st.items_with(&source.name, with_text))?,
    };
    // Only undated items ask, one id at a time. A failed lookup stops the ingest after the loop
    // (the date it would have given is unknown, and must not become the clock's).
    let lookup_failed = std::cell::RefCell::new(None);
    let lookup = |id: &str| match state.with(|st| st.first_seen(id)) {
        Ok(t) => t,
        Err(e) => {
            lookup_failed.borrow_mut().get_or_insert(e);
            None
        }
    };
    let mut out = Ingested {
        candidates: Vec::with_capacity(parsed.feed.items.len()),
        new_items: Vec::new(),
        info: ctx.info.clone(),
        ttl: parsed
            .feed
            .ttl
            .map(|m| Duration::from_secs(u64::from(m) * 60)),
        warnings: parsed.warning.into_iter().collect(),
        recovered: parsed.recovered,
        novelty: Default::default(),
        absent: Vec::new(),
    };
    let mut distinct = HashSet::new();
    let (mut dropped, mut shared) = (0, Interner::default());
    for item in &parsed.feed.items {
        let h = item_hash(&ctx, item);
        if !distinct.insert(h.clone()) {
            continue;
        }
        if let Some(c) = stored.get(&h) {
            out.candidates.push(c.clone());
            continue;
        }
        match new_item(&ctx, item, h, &lookup, &mut shared) {
            Ok((c, n)) => {
                out.new_items.push(n);
                out.candidates.push(c);
            }
            Err(NotNew::Dropped(reason)) => {
                dropped += 1;
                if dropped <= 3 {
                    out.warnings
                        .push(format!("item {} dropped: {reason}", item.position + 1));
                }
            }
            Err(NotNew::NotStored(err)) => out.warnings.push(format!("item not stored: {err}")),
        }
    }
    if let Some(e) = lookup_failed.into_inner() {
        return Err(e.into());
    }
    out.novelty = crate::ingest::guard::Novelty::new(stored.values(), &out.candidates);
    if stored.len() > distinct.len() || !out.new_items.is_empty() {
        out.absent = stored
            .into_iter()
            .filter(|(h, _)| !distinct.contains(h))
            .map(|(_, c)| c)
            .collect();
    }
    finish(&mut out, &ctx, dropped, parsed.feed.items.is_empty());
    Ok(out)
}

/// Why an item that is not stored yet gives no new row.
enum NotNew {
    /// It cannot be used (no text, no link): counted, and the first few reported.
    Dropped(EntryError),
    /// Its entry could not be packed for storage.
    NotStored(crate::state::PackError),
}

/// Normalises an item that is not stored yet: its candidate, and the row that stores it.
fn new_item(
    ctx: &FeedContext<'_>,
    item: &RawItem,
    hash: String,
    first_seen: &dyn Fn(&str) -> Option<DateTime<Utc>>,
    shared: &mut Interner,
) -> Result<(Candidate, NewItem), NotNew> {
    let n = ctx.entry(item, first_seen).map_err(NotNew::Dropped)?;
    let mut e = n.entry;
    let c = candidate_with(&e, &hash, shared, (n.canonical_link, n.original_is_iri));
    // Attribution is stored once per source, not with every entry.
    e.source = None;
    let base = ctx.base_of(item).map(String::from);
    let row = NewItem::new(c.clone(), e, base).map_err(NotNew::NotStored)?;
    Ok((c, row))
}

/// Rounds off what a document gave: an undated feed is dated by its newest item (never by the
/// clock), and the report says how many items were dropped, or that there were none.
fn finish(out: &mut Ingested, ctx: &FeedContext<'_>, dropped: usize, no_items: bool) {
    if ctx.feed_date.is_none()
        && let Some(newest) = out.candidates.iter().map(|c| c.updated).max()
    {
        out.info.updated = newest;
    }
    if dropped > 0 {
        out.recovered.push(format!(
            "{dropped} item{} without a title or text dropped",
            if dropped == 1 { "" } else { "s" }
        ));
    }
    if no_items {
        out.warnings.push("the feed has no items".into());
    }
}
