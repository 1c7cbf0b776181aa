//! The one place where a partner's quirks become our [`Entry`](crate::model::Entry) model: ids,
//! titles, links, dates, authors, categories, language, attachments and attribution.
//!
//! Only cheap extraction happens here: the HTML of `summary` and `content` is kept as the partner
//! wrote it (text wrapped in `<p>`), with the base its links resolve against ([`FeedContext::base_of`]).
//! Sanitising it, and resolving the links inside it, waits until some output publishes the entry
//! (`clean`, issue 13): of a run's 25,000 items, a few hundred are published.
//!
//! Pure: takes a parsed feed, the source's settings and the run's clock; returns entries and the
//! reasons any item was rejected. [`FeedContext::new`] reads the feed-level facts once per feed
//! (`feed`); [`FeedContext::entry`] runs the per-item steps (`entry`, with the field rules in
//! `fields`).

mod entry;
mod feed;
mod fields;
mod hash;
pub mod html;
pub mod ids;

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::Source;
use crate::ingest::parse::{RawFeed, RawItem};
use crate::model::{Person, SourceInfo};
pub use entry::{EntryError, Normalised};
use feed::{Places, source_info};
use fields::person;
pub use hash::item_hash;

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
        let places = Places::of(source, feed, fetched_from);
        let feed_date = feed.updated.map(|d| d.min(fetched_at));
        let info = source_info(source, feed, &places, feed_date.unwrap_or(fetched_at));
        let authors: Vec<Person> = feed.authors.iter().filter_map(person).collect();
        let language = feed
            .language
            .as_deref()
            .and_then(crate::text::lang::normalise)
            .or_else(|| source.language.clone());
        let fallback_link = places.homepage.clone().or_else(|| {
            places
                .feed_url
                .as_ref()
                .and_then(|u| Url::parse(&u.origin().ascii_serialization()).ok())
        });
        // Not the feed's date: it changes on every new item of many feeds, and only dates undated
        // items, whose first date is kept anyway.
        let fingerprint = format!(
            "{}|{:?}|{:?}|{:?}|{:?}|{:?}",
            source.normalise_fingerprint(),
            places.base.as_ref().map(Url::as_str),
            authors,
            language,
            info.homepage,
            fallback_link.as_ref().map(Url::as_str)
        );
        FeedContext {
            source,
            info,
            base: places.base,
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
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;
    use std::path::Path;

    use chrono::{DateTime, Duration, TimeZone, Utc};
    use url::Url;

    use super::{EntryError, FeedContext};
    use crate::config::{Config, Source};
    use crate::ingest::parse::model::RawCategory;
    use crate::ingest::parse::{Format, RawFeed, RawItem, RawLink, RawPerson, RawText};
    use crate::model::Entry;

    const CFG: &str = r#"
[feed]
title = "t"
id = "tag:x.example,2026:f"
link = "https://x.example/"
self_url = "https://x.example/f"
author = { name = "x" }

[[source]]
name = "Partner"
url = "https://p.example/feed"
tags = ["partners"]

[[source]]
name = "Site"
url = "https://s.example/feed"
homepage = "https://s.example/home"
"#;

    fn sources() -> Vec<Source> {
        Config::parse(CFG, Path::new("/tmp/feeds.toml"))
            .expect("config")
            .sources
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
    }

    fn url(s: &str) -> Url {
        Url::parse(s).expect("url")
    }

    fn link(href: &str) -> RawLink {
        RawLink {
            href: href.into(),
            ..RawLink::default()
        }
    }

    fn item(title: &str) -> RawItem {
        RawItem {
            title: Some(RawText::text(title.into())),
            ..RawItem::default()
        }
    }

    /// The entry `item` becomes in a feed with `feed`'s own facts, fetched from the partner's URL.
    fn entry_in(feed: RawFeed, item: &RawItem) -> Result<Entry, EntryError> {
        let s = sources();
        let fetched = url("https://p.example/feed");
        let ctx = FeedContext::new(&s[0], &feed, Some(&fetched), now());
        ctx.entry(item, &|_| None).map(|n| n.entry)
    }

    fn entry(item: &RawItem) -> Result<Entry, EntryError> {
        entry_in(RawFeed::new(Format::Rss2), item)
    }

    #[test]
    fn the_link_is_the_alternate_then_a_url_guid_then_the_body_src_then_the_site() {
        let mut i = item("a");
        i.base = Some(url("https://p.example/blog/"));
        i.links = vec![
            RawLink {
                rel: Some("enclosure".into()),
                ..link("a.mp3")
            },
            link("posts/1"),
        ];
        let e = entry(&i).expect("entry");
        assert_eq!(e.link, "https://p.example/blog/posts/1");
        assert!(!e.link_is_site);
        assert_eq!(e.enclosures[0].url, "https://p.example/blog/a.mp3");
        let mut i = item("b");
        i.id = Some(" https://p.example/2 ".into());
        assert_eq!(entry(&i).expect("entry").link, "https://p.example/2");
        let mut i = item("c");
        i.content_src = Some("/3".into());
        assert_eq!(entry(&i).expect("entry").link, "https://p.example/3");
        // No link of its own: the feed's site (here the fetched URL's origin) stands in.
        let e = entry(&item("d")).expect("entry");
        assert_eq!(
            (e.link.as_str(), e.link_is_site),
            ("https://p.example/", true)
        );
    }

    #[test]
    fn an_item_with_no_link_anywhere_is_rejected_with_the_reports_words() {
        let s = sources();
        let ctx = FeedContext::new(&s[0], &RawFeed::new(Format::Rss2), None, now());
        let err = ctx.entry(&item("a"), &|_| None).expect_err("no link");
        assert_eq!(err, EntryError::NoLink);
        assert_eq!(
            err.to_string(),
            "item has no link, and neither has its feed"
        );
    }

    #[test]
    fn a_missing_title_comes_from_the_text_or_is_untitled() {
        let mut i = RawItem {
            summary: Some(RawText::html("<p>First words of the post.</p>".into())),
            ..RawItem::default()
        };
        let e = entry(&i).expect("entry");
        assert_eq!(e.title, "First words of the post.");
        assert_eq!(
            e.summary.as_deref(),
            Some("<p>First words of the post.</p>")
        );
        i.summary = None;
        i.links = vec![link("https://p.example/img")];
        assert_eq!(entry(&i).expect("entry").title, "(untitled)");
        i.links.clear();
        let err = entry(&i).expect_err("nothing to show");
        assert_eq!(err.to_string(), "item has neither a title nor any text");
    }

    #[test]
    fn text_fields_become_escaped_paragraphs_and_html_is_kept() {
        let mut i = item("a");
        i.summary = Some(RawText::text(" 1 < 2 ".into()));
        i.content = Some(RawText::html("<b>x</b>".into()));
        let e = entry(&i).expect("entry");
        assert_eq!(e.summary.as_deref(), Some("<p>1 &lt; 2</p>"));
        assert_eq!(e.content.as_deref(), Some("<b>x</b>"));
    }

    #[test]
    fn dates_are_clamped_ordered_and_fall_back_in_turn() {
        let mut i = item("a");
        i.published = Some(now() + Duration::days(2));
        i.updated = Some(now() - Duration::days(1));
        let e = entry(&i).expect("entry");
        assert_eq!(e.published, Some(now()), "a future date is the fetch's");
        assert_eq!(e.updated, now(), "never updated before it was published");

        let feed_date = now() - Duration::days(3);
        let mut feed = RawFeed::new(Format::Rss2);
        feed.updated = Some(feed_date);
        let e = entry_in(feed, &item("b")).expect("entry");
        assert_eq!((e.published, e.updated), (None, feed_date));

        let s = sources();
        let ctx = FeedContext::new(&s[0], &RawFeed::new(Format::Rss2), None, now());
        let mut i = item("c");
        i.links = vec![link("https://p.example/c")];
        let asked = Cell::new(0);
        let seen = now() - Duration::days(9);
        let first_seen = |_: &str| {
            asked.set(asked.get() + 1);
            Some(seen)
        };
        assert_eq!(
            ctx.entry(&i, &first_seen).expect("entry").entry.updated,
            seen
        );
        i.updated = Some(now() - Duration::days(1));
        ctx.entry(&i, &first_seen).expect("entry");
        assert_eq!(asked.get(), 1, "a dated item never asks");
    }

    #[test]
    fn ids_keep_real_iris_and_derive_the_rest() {
        let mut i = item("a");
        i.id = Some("tag:p.example,2026:1".into());
        let e = entry(&i).expect("entry");
        assert_eq!(e.id, "tag:p.example,2026:1");
        assert_eq!(e.original_id.as_deref(), Some("tag:p.example,2026:1"));
        i.id = Some("urn:uuid:not-a-uuid".into());
        let e = entry(&i).expect("entry");
        assert!(e.id.starts_with("tag:feedbraid,2026:partner/"), "{}", e.id);
        assert_eq!(e.original_id, None, "a pretend IRI is not kept");
        i.id = Some("42".into());
        let e = entry(&i).expect("entry");
        assert!(
            e.id.starts_with("tag:feedbraid,2026:partner/guid/"),
            "{}",
            e.id
        );
        assert_eq!(e.original_id.as_deref(), Some("42"));
    }

    #[test]
    fn authors_fall_back_to_the_feed_then_the_source() {
        let mut feed = RawFeed::new(Format::Rss2);
        feed.authors = vec![RawPerson {
            name: Some("Feed Author".into()),
            ..RawPerson::default()
        }];
        let names = |e: Entry| e.authors.into_iter().map(|p| p.name).collect::<Vec<_>>();
        let mut i = item("a");
        i.authors = vec![RawPerson {
            email: Some("jo@p.example".into()),
            ..RawPerson::default()
        }];
        assert_eq!(
            names(entry_in(feed.clone(), &i).expect("entry")),
            ["jo@p.example"]
        );
        assert_eq!(
            names(entry_in(feed, &item("b")).expect("entry")),
            ["Feed Author"]
        );
        let s = sources();
        let ctx = FeedContext::new(&s[1], &RawFeed::new(Format::Rss2), None, now());
        let e = ctx.entry(&item("c"), &|_| None).expect("entry").entry;
        assert_eq!(e.authors[0].name, "Site");
        assert_eq!(e.authors[0].uri.as_deref(), Some("https://s.example/home"));
        assert_eq!(
            e.link, "https://s.example/home",
            "the source's homepage stands in"
        );
    }

    #[test]
    fn categories_are_deduplicated_and_the_sources_tags_added() {
        let cat = |term: &str, label: Option<&str>| RawCategory {
            term: term.into(),
            label: label.map(str::to_string),
        };
        let mut i = item("a");
        i.categories = vec![
            cat("Rust", Some("Rust")),
            cat("rust", None),
            cat("web", Some("The Web")),
            cat(" ", None),
            cat("PARTNERS", None),
        ];
        let e = entry(&i).expect("entry");
        let got: Vec<_> = e
            .categories
            .iter()
            .map(|c| (c.term.as_str(), c.label.as_deref()))
            .collect();
        assert_eq!(
            got,
            [("Rust", None), ("web", Some("The Web")), ("PARTNERS", None)]
        );
        let e = entry(&item("b")).expect("entry");
        assert_eq!(e.categories[0].term, "partners");
    }
}
