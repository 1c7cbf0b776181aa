//! One fetched document → the source's normalised entries, reusing the stored normalised form of
//! every item whose raw content hash is unchanged (so an unchanged item is never sanitised twice).
//! Runs on a blocking thread; reads only this source's rows of the state through its own connection.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::Source;
use crate::model::Entry;
use crate::normalise::{FeedContext, item_hash};
use crate::parse::parse_feed;
use crate::state::State;

/// The result of ingesting one document.
#[derive(Debug, Default)]
pub struct Ingested {
    pub entries: Vec<Entry>,
    /// `(entry id, item hash)` of every entry.
    pub seen: Vec<(String, String)>,
    /// Items normalised this time: `(item hash, entry)`.
    pub new_cache: Vec<(String, Entry)>,
    /// Hashes of every item in the document.
    pub hashes: Vec<String>,
    /// RSS `<ttl>`.
    pub ttl: Option<Duration>,
    pub warnings: Vec<String>,
}

/// Parses and normalises `body`. `fetched_from` is the URL it came from (after redirects); files
/// have none, and their relative links resolve against the source's `homepage`. Errors are the
/// reason the document is unusable.
pub fn ingest(
    source: &Source,
    state_path: &Path,
    body: &[u8],
    charset: Option<&str>,
    fetched_from: Option<&Url>,
    now: DateTime<Utc>,
) -> Result<Ingested, String> {
    let parsed = parse_feed(
        body,
        charset,
        fetched_from.or(source.homepage.as_ref()).map(Url::as_str),
    )
    .map_err(|e| e.to_string())?;
    let mut out = Ingested {
        ttl: parsed
            .feed
            .ttl
            .map(|m| Duration::from_secs(u64::from(m) * 60)),
        ..Ingested::default()
    };
    if let Some(w) = parsed.warning {
        out.warnings.push(w);
    }
    let ctx = FeedContext::new(source, &parsed.feed, fetched_from, now);
    let (first_seen, cache) = match State::open(state_path) {
        Ok(st) => (
            st.first_seen(&source.name).unwrap_or_default(),
            st.norm_cache(&source.name).unwrap_or_default(),
        ),
        Err(e) => {
            out.warnings
                .push(format!("state unreadable, normalising everything: {e}"));
            Default::default()
        }
    };
    let lookup = |id: &str| first_seen.get(id).copied();
    for (i, item) in parsed.feed.entries.iter().enumerate() {
        let lang = parsed.item_langs.get(i).cloned().flatten();
        let h = item_hash(&ctx, item, lang.as_deref());
        let entry = match cache.get(&h) {
            Some(e) => {
                let mut e = e.clone();
                e.source = Some(ctx.info.clone());
                e
            }
            None => match ctx.entry(item, lang.as_deref(), &lookup) {
                Ok(e) => {
                    out.new_cache.push((h.clone(), e.clone()));
                    e
                }
                Err(reason) => {
                    out.warnings
                        .push(format!("item {} skipped: {reason}", i + 1));
                    continue;
                }
            },
        };
        out.seen.push((entry.id.clone(), h.clone()));
        out.hashes.push(h);
        out.entries.push(entry);
    }
    // A feed without a date of its own is dated by its newest item, never by the clock.
    if ctx.feed_date.is_none()
        && let Some(newest) = out.entries.iter().map(|e| e.updated).max()
    {
        for e in &mut out.entries {
            if let Some(s) = e.source.as_mut() {
                s.updated = newest;
            }
        }
    }
    if parsed.feed.entries.is_empty() {
        out.warnings.push("the feed has no items".into());
    }
    Ok(out)
}
