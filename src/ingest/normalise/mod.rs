//! The one place where a partner's quirks become our [`Entry`] model: ids, titles, links, dates,
//! authors, categories, language, attachments and attribution.
//!
//! Only cheap extraction happens here: the HTML of `summary` and `content` is kept as the partner
//! wrote it (text wrapped in `<p>`), with the base its links resolve against ([`FeedContext::base_of`]).
//! Sanitising it, and resolving the links inside it, waits until some output publishes the entry
//! (`clean`, issue 13): of a run's 25,000 items, a few hundred are published.
//!
//! Pure: takes a parsed feed, the source's settings and the run's clock; returns entries and the
//! reasons any item was rejected.

mod fields;
mod hash;
pub mod html;
pub mod ids;

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::Source;
use crate::ingest::parse::{RawFeed, RawItem, RawText, TextKind};
use crate::model::{Category, Entry, Person, SourceInfo};
use crate::text::escape::escape;
use crate::text::links;
use crate::text::plain as text;
use fields::{alternate, enclosures, looks_like_iri, person, plain_text};
pub use hash::item_hash;
use ids::IdInputs;

/// Everything needed to normalise the items of one fetched feed.
#[derive(Debug)]
pub struct FeedContext<'a> {
    pub source: &'a Source,
    /// Attribution written as `<source>` on every entry.
    pub info: SourceInfo,
    /// Base for relative links: the feed's alternate link, else the URL it was fetched from.
    pub base: Option<Url>,
    /// The feed's own authors, used when an item has none.
    pub authors: Vec<Person>,
    /// The feed's language, used when an item declares none.
    pub language: Option<String>,
    /// The feed's own date, the fallback for undated items.
    pub feed_date: Option<DateTime<Utc>>,
    /// When the feed was fetched: the clamp for dates in the future.
    pub fetched_at: DateTime<Utc>,
    /// Where an item without a link of its own points: the feed's site, else the source's
    /// `homepage`, else the origin of the feed's URL.
    fallback_link: Option<Url>,
    /// Everything feed-level that changes how an item normalises (part of [`item_hash`]).
    pub(crate) fingerprint: String,
}

impl<'a> FeedContext<'a> {
    /// Reads the feed-level facts (attribution, base, authors, language) of a parsed feed.
    pub fn new(
        source: &'a Source,
        feed: &RawFeed,
        fetched_from: Option<&Url>,
        fetched_at: DateTime<Utc>,
    ) -> Self {
        let feed_base = feed.base.as_ref().or(fetched_from);
        let site = alternate(&feed.links).and_then(|l| links::resolve(&l.href, feed_base));
        let self_link = feed
            .links
            .iter()
            .find(|l| l.rel.as_deref() == Some("self"))
            .and_then(|l| links::resolve(&l.href, feed_base));
        let base = site
            .clone()
            .or_else(|| fetched_from.cloned())
            .or_else(|| source.homepage.clone());
        let feed_url = fetched_from.cloned().or(self_link);
        let homepage = site.or_else(|| source.homepage.clone());
        let feed_date = feed.updated.map(|d| d.min(fetched_at));
        let id = feed
            .id
            .as_deref()
            .map(str::trim)
            .filter(|i| ids::is_absolute_iri(i))
            .map(|i| links::escape_iri(i).into_owned())
            .or_else(|| feed_url.as_ref().map(|u| u.to_string()))
            .or_else(|| homepage.as_ref().map(|u| u.to_string()))
            .unwrap_or_else(|| format!("tag:feedbraid,2026:{}", source.slug()));
        let title = feed
            .title
            .as_ref()
            .map(plain_text)
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| source.name.clone());
        let info = SourceInfo {
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
            homepage: homepage.as_ref().map(|u| u.to_string()),
            feed_url: feed_url.as_ref().map(|u| u.to_string()),
            updated: feed_date.unwrap_or(fetched_at),
        };
        let authors: Vec<Person> = feed.authors.iter().filter_map(person).collect();
        let language = feed
            .language
            .as_deref()
            .and_then(crate::text::lang::normalise)
            .or_else(|| source.language.clone());
        let fallback_link = homepage.clone().or_else(|| {
            feed_url
                .as_ref()
                .and_then(|u| Url::parse(&u.origin().ascii_serialization()).ok())
        });
        // Not the feed's date: it changes on every new item of many feeds, and only dates undated
        // items, whose first date is kept anyway.
        let fingerprint = format!(
            "{}|{:?}|{:?}|{:?}|{:?}|{:?}",
            source.normalise_fingerprint(),
            base.as_ref().map(Url::as_str),
            authors,
            language,
            info.homepage,
            fallback_link.as_ref().map(Url::as_str)
        );
        FeedContext {
            source,
            info,
            base,
            authors,
            language,
            feed_date,
            fetched_at,
            fallback_link,
            fingerprint,
        }
    }

    /// What the relative links inside an item's HTML resolve against: its xml:base, else the
    /// feed's link, else the URL the feed was fetched from. Stored with the entry for `clean`.
    pub fn base_of(&self, item: &RawItem) -> Option<Url> {
        item.base.clone().or_else(|| self.base.clone())
    }

    /// An item's text field as an HTML fragment, not yet sanitised (see `clean`).
    fn html(t: &RawText) -> Option<String> {
        let raw = t.value.trim();
        if raw.is_empty() {
            return None;
        }
        Some(if t.kind == TextKind::Html {
            raw.to_string()
        } else {
            format!("<p>{}</p>", escape(raw))
        })
    }

    /// Normalises one item, or says why it cannot be used.
    pub fn entry(
        &self,
        item: &RawItem,
        first_seen: &dyn Fn(&str) -> Option<DateTime<Utc>>,
    ) -> Result<Entry, String> {
        // xml:base in force on the item, then the feed's link, then the URL it was fetched from.
        let base = self.base_of(item);
        let guid = item.id.as_deref().map(str::trim).filter(|g| !g.is_empty());
        let alt = alternate(&item.links);
        let link = alt
            .and_then(|l| links::resolve(&l.href, base.as_ref()))
            .or_else(|| {
                guid.filter(|g| g.starts_with("http"))
                    .and_then(|g| links::resolve(g, None))
            })
            .or_else(|| {
                item.content_src
                    .as_deref()
                    .and_then(|s| links::resolve(s, base.as_ref()))
            });
        let summary = item.summary.as_ref().and_then(Self::html);
        let content = item.content.as_ref().and_then(Self::html);
        let mut title = item.title.as_ref().map(plain_text).unwrap_or_default();
        if title.is_empty() {
            let from = summary
                .as_deref()
                .or(content.as_deref())
                .map(text::plain)
                .unwrap_or_default();
            title = text::excerpt(&from, 80);
        }
        if title.is_empty() {
            // An image-only post, or a bare link, is still a post.
            if summary.is_none() && content.is_none() && link.is_none() {
                return Err("item has neither a title nor any text".into());
            }
            title = "(untitled)".into();
        }
        title = text::excerpt(&title, 300);
        let clamp = |d: DateTime<Utc>| d.min(self.fetched_at);
        let own_date = item.published.or(item.updated);
        let canonical = link.as_ref().and_then(|l| links::canonical(l.as_str()));
        let date_text = own_date.map(|d| d.to_rfc3339());
        // An id that claims to be an IRI but is not one (`urn:uuid:` that is no UUID, spaces in a
        // `tag:`) is derived as for a missing id.
        let guid = guid.filter(|g| !looks_like_iri(g) || ids::is_absolute_iri(g));
        let id = ids::derive(
            self.source.id_strategy,
            &self.source.slug(),
            IdInputs {
                guid,
                canonical_link: canonical.as_deref(),
                title: &title,
                date: date_text.as_deref(),
            },
        );
        let published = item.published.map(clamp);
        let updated = item
            .updated
            .map(clamp)
            .or(published)
            .map(|u| published.map_or(u, |p| u.max(p)))
            .or(self.feed_date)
            .or_else(|| first_seen(&id))
            .unwrap_or(self.fetched_at);
        let mut authors: Vec<Person> = item.authors.iter().filter_map(person).collect();
        if authors.is_empty() {
            authors = self.authors.clone();
        }
        if authors.is_empty() {
            authors.push(Person {
                name: self.source.name.clone(),
                email: None,
                uri: self.source.homepage.as_ref().map(|u| u.to_string()),
            });
        }
        let mut categories: Vec<Category> = Vec::new();
        let terms = item.categories.iter().map(|c| {
            let term = text::plain(&c.term);
            let label = c
                .label
                .as_deref()
                .map(text::plain)
                .filter(|l| !l.is_empty() && *l != term);
            Category { term, label }
        });
        for c in terms.chain(self.source.tags.iter().map(Category::term)) {
            if !c.term.is_empty()
                && !categories
                    .iter()
                    .any(|k| k.term.eq_ignore_ascii_case(&c.term))
            {
                categories.push(c);
            }
        }
        let link_lang = alt
            .filter(|_| link.is_some())
            .and_then(|l| l.hreflang.as_deref())
            .and_then(crate::text::lang::normalise);
        let link_is_site = link.is_none();
        let link = link
            .or_else(|| self.fallback_link.clone())
            .ok_or("item has no link, and neither has its feed")?;
        Ok(Entry {
            id,
            original_id: guid.map(str::to_string),
            title,
            link: link.into(),
            link_is_site,
            link_lang,
            published,
            updated,
            summary,
            content,
            authors,
            categories,
            language: item
                .language
                .as_deref()
                .and_then(crate::text::lang::normalise)
                .or_else(|| self.language.clone()),
            enclosures: enclosures(&item.links, base.as_ref()),
            image: item
                .image
                .as_deref()
                .and_then(|i| links::resolve(i, base.as_ref()))
                .filter(|u| u.scheme() != "mailto")
                .map(String::from),
            via: Vec::new(),
            source: Some(self.info.clone()),
            rights: item
                .rights
                .as_deref()
                .map(text::plain)
                .filter(|r| !r.is_empty()),
            license: item
                .license
                .as_deref()
                .and_then(|l| links::resolve(l, None))
                .map(String::from),
            credit: None,
        })
    }
}
