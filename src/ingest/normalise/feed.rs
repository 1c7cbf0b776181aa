//! The feed-level facts every item of a feed falls back on: where the feed lives (its site, its
//! URL, the base its relative links resolve against) and the attribution its entries carry. Read
//! once per feed by [`FeedContext::new`](super::FeedContext::new).

use chrono::{DateTime, Utc};
use url::Url;

use super::fields::{alternate, plain_text};
use super::ids;
use crate::config::Source;
use crate::ingest::parse::RawFeed;
use crate::model::SourceInfo;
use crate::text::links;
use crate::text::plain as text;

/// Where a feed lives, from its links, the URL it was fetched from and the source's settings.
pub(super) struct Places {
    /// Base for relative links: the feed's site, else the URL it was fetched from, else the
    /// source's `homepage`.
    pub base: Option<Url>,
    /// The URL it was fetched from, else its `self` link.
    pub feed_url: Option<Url>,
    /// The feed's site, else the source's `homepage`.
    pub homepage: Option<Url>,
}

impl Places {
    pub fn of(source: &Source, feed: &RawFeed, fetched_from: Option<&Url>) -> Places {
        let feed_base = feed.base.as_ref().or(fetched_from);
        let site = alternate(&feed.links).and_then(|l| links::resolve(&l.href, feed_base));
        let self_link = feed
            .links
            .iter()
            .find(|l| l.rel.as_deref() == Some("self"))
            .and_then(|l| links::resolve(&l.href, feed_base));
        Places {
            base: site
                .clone()
                .or_else(|| fetched_from.cloned())
                .or_else(|| source.homepage.clone()),
            feed_url: fetched_from.cloned().or(self_link),
            homepage: site.or_else(|| source.homepage.clone()),
        }
    }
}

/// The attribution every entry of the feed carries (`<source>`), dated `updated`.
pub(super) fn source_info(
    source: &Source,
    feed: &RawFeed,
    places: &Places,
    updated: DateTime<Utc>,
) -> SourceInfo {
    let id = feed
        .id
        .as_deref()
        .map(str::trim)
        .filter(|i| ids::is_absolute_iri(i))
        .map(|i| crate::text::links::escape_iri(i).into_owned())
        .or_else(|| places.feed_url.as_ref().map(|u| u.to_string()))
        .or_else(|| places.homepage.as_ref().map(|u| u.to_string()))
        .unwrap_or_else(|| format!("tag:feedbraid,2026:{}", source.slug()));
    let title = feed
        .title
        .as_ref()
        .map(plain_text)
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| source.name.clone());
    SourceInfo {
        rights: source
            .rights
            .clone()
            .or_else(|| feed.rights.as_deref().map(text::plain))
            .filter(|r| !r.is_empty()),
        license: source.license.as_ref().map(|u| u.to_string()).or_else(|| {
            feed.license
                .as_deref()
                .and_then(|l| links::resolve(l, None))
                .map(String::from)
        }),
        name: source.name.clone(),
        id,
        title,
        homepage: places.homepage.as_ref().map(|u| u.to_string()),
        feed_url: places.feed_url.as_ref().map(|u| u.to_string()),
        updated,
    }
}
