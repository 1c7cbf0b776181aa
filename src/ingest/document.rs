//! One fetched document → the source's merge candidates, normalising only the items whose raw
//! content hash is not already stored (so an unchanged item is never sanitised twice). Runs on a
//! blocking thread; reads only this source's rows of the state through its own connection.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::Source;
use crate::ingest::normalise::{FeedContext, item_hash};
use crate::ingest::parse::{ParseError, parse_feed};
use crate::ingest::select::candidate;
use crate::model::{Candidate, SourceInfo};
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
}

/// Parses and normalises `body`. `with_text`: whether stored candidates need their filter
/// text (some pattern looks at it). `fetched_from` is the URL it came from (after redirects); files
/// have none, and their relative links resolve against the source's `homepage`. A parse error is
/// the reason the document is unusable; a state error means nothing stored can be trusted.
pub fn ingest(
    source: &Source,
    state: &Pool,
    with_text: bool,
    body: &[u8],
    charset: Option<&str>,
    fetched_from: Option<&Url>,
    now: DateTime<Utc>,
) -> Result<Ingested, IngestError> {
    let parsed = parse_feed(body, charset, fetched_from.or(source.homepage.as_ref()))?;
    let warnings: Vec<String> = parsed.warning.into_iter().collect();
    let mut recovered = parsed.recovered;
    let ctx = FeedContext::new(source, &parsed.feed, fetched_from, now);
    let stored = state.with(|st| st.items_with(&source.name, with_text))?;
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
        warnings,
        recovered: Vec::new(),
    };
    let mut distinct = HashSet::new();
    let mut dropped = 0;
    for item in &parsed.feed.items {
        let h = item_hash(&ctx, item);
        if !distinct.insert(h.clone()) {
            continue;
        }
        let c = match stored.get(&h) {
            Some(c) => c.clone(),
            None => match ctx.entry(item, &lookup) {
                Ok(mut e) => {
                    let c = candidate(&e, h.clone());
                    // Attribution is stored once per source, not with every entry.
                    e.source = None;
                    match NewItem::new(c.clone(), &e, ctx.base_of(item).map(String::from)) {
                        Ok(n) => out.new_items.push(n),
                        Err(err) => {
                            out.warnings.push(format!("item not stored: {err}"));
                            continue;
                        }
                    }
                    c
                }
                Err(reason) => {
                    dropped += 1;
                    if dropped <= 3 {
                        out.warnings
                            .push(format!("item {} dropped: {reason}", item.position + 1));
                    }
                    continue;
                }
            },
        };
        out.candidates.push(c);
    }
    if let Some(e) = lookup_failed.into_inner() {
        return Err(e.into());
    }
    // A feed without a date of its own is dated by its newest item, never by the clock.
    if ctx.feed_date.is_none()
        && let Some(newest) = out.candidates.iter().map(|c| c.updated).max()
    {
        out.info.updated = newest;
    }
    if dropped > 0 {
        recovered.push(format!(
            "{dropped} item{} without a title or text dropped",
            if dropped == 1 { "" } else { "s" }
        ));
    }
    out.recovered = recovered;
    if parsed.feed.items.is_empty() {
        out.warnings.push("the feed has no items".into());
    }
    Ok(out)
}
