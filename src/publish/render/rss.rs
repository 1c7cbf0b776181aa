//! RSS 2.0 (<https://www.rssboard.org/rss-specification>) from the same entries as the Atom feed,
//! for the CMS widgets and e-mail tools that take nothing else (`[output] formats` has `"rss"`).
//! Written with the `rss` crate. What RSS cannot say the Atom feed keeps; what it can, it says the
//! RSS Advisory Board's way:
//! - `guid isPermaLink="true"` only when the entry's id *is* its link (our ids are usually
//!   `tag:` URIs or the partner's, so mostly `false`);
//! - `dc:creator` for authors (RSS `<author>` must be an e-mail address);
//! - one `<enclosure>` per item (the first download; RSS readers take only one);
//! - `atom:link rel="self"` (and `rel="hub"` per WebSub hub), `<source>` for the partner;
//! - `pubDate` in RFC 822, the entry's published date, else its updated date;
//! - titles (the channel's, each item's and each `<source>`'s) are escaped twice, as the RSS
//!   Best Practices Profile asks for titles: `&` and `<` as HTML entities, then the XML escaping
//!   (`AT&T` is written `AT&amp;amp;T`). Many readers (feedparser, feedbraid's own ingest) take an
//!   RSS title as HTML; escaped once, a partner's title `"><svg onload=...>` would reach them as
//!   markup (issue 27, defect 18).
//!
//! Pure and deterministic: `lastBuildDate` is the newest entry's date, never the clock.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rss::extension::dublincore::DublinCoreExtension;
use rss::extension::{Extension, ExtensionMap};
use rss::{Category, Channel, Enclosure, Guid, Image, Item, Source};

use crate::config::FeedMeta;
use crate::model::Entry;
use crate::publish::render::{RenderError, feed_updated};
use crate::text::xml::xml_safe;

const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

/// A title as RSS writes it: the text, with `&` and `<` as HTML entities (the `rss` crate then
/// escapes it for XML).
fn title(text: &str) -> String {
    xml_safe(text).replace('&', "&amp;").replace('<', "&lt;")
}

fn rfc822(d: DateTime<Utc>) -> String {
    d.to_rfc2822()
}

/// `<atom:link rel="..." href="..."/>`, as an extension element of the channel.
fn atom_link(rel: &str, href: &str, mime: Option<&str>) -> Extension {
    let mut attrs = BTreeMap::new();
    attrs.insert("href".to_string(), href.to_string());
    attrs.insert("rel".to_string(), rel.to_string());
    if let Some(m) = mime {
        attrs.insert("type".to_string(), m.to_string());
    }
    Extension {
        name: "atom:link".into(),
        attrs,
        ..Extension::default()
    }
}

fn item(meta: &FeedMeta, e: &Entry) -> Item {
    let creators: Vec<String> = if e.authors.is_empty() {
        vec![xml_safe(&meta.author.name)]
    } else {
        e.authors.iter().map(|a| xml_safe(&a.name)).collect()
    };
    Item {
        title: Some(title(&e.title)),
        link: Some(e.link.clone()),
        description: e.summary.as_deref().or(e.content.as_deref()).map(xml_safe),
        categories: e
            .categories
            .iter()
            .map(|c| Category {
                name: xml_safe(c.shown()),
                domain: None,
            })
            .collect(),
        enclosure: e.enclosures.first().map(|a| Enclosure {
            url: a.url.clone(),
            // RSS requires a length; 0 is the convention for "not known".
            length: a.length.unwrap_or(0).to_string(),
            mime_type: a.mime_type.clone(),
        }),
        guid: Some(Guid {
            value: e.id.clone(),
            permalink: e.id == e.link,
        }),
        pub_date: Some(rfc822(e.published.unwrap_or(e.updated))),
        source: e.source.as_ref().and_then(|s| {
            Some(Source {
                url: s.feed_url.clone()?,
                title: Some(title(&s.title)),
            })
        }),
        content: e.content.as_deref().map(xml_safe),
        dublin_core_ext: Some(DublinCoreExtension {
            creators,
            languages: e.language.iter().cloned().collect(),
            ..DublinCoreExtension::default()
        }),
        ..Item::default()
    }
}

/// Renders an RSS 2.0 channel of `entries`; `rss_url` is where it is served (`rel="self"`).
pub fn rss(meta: &FeedMeta, entries: &[Entry], rss_url: &str) -> Result<Vec<u8>, RenderError> {
    let mut links = vec![atom_link("self", rss_url, Some("application/rss+xml"))];
    links.extend(meta.hubs.iter().map(|h| atom_link("hub", h.as_str(), None)));
    let mut atom = BTreeMap::new();
    atom.insert("link".to_string(), links);
    let mut extensions = ExtensionMap::new();
    extensions.insert("atom".to_string(), atom);
    let mut namespaces = BTreeMap::new();
    namespaces.insert("atom".to_string(), ATOM_NS.to_string());
    let title = title(&meta.title);
    let channel = Channel {
        description: meta
            .subtitle
            .as_deref()
            .map_or_else(|| title.clone(), xml_safe),
        title: title.clone(),
        link: meta.link.to_string(),
        language: meta.language.clone(),
        copyright: meta.rights.as_deref().map(xml_safe),
        last_build_date: (!entries.is_empty()).then(|| rfc822(feed_updated(entries))),
        generator: Some(concat!("feedbraid ", env!("CARGO_PKG_VERSION")).into()),
        docs: Some("https://www.rssboard.org/rss-specification".into()),
        image: meta.logo.as_ref().map(|u| Image {
            url: u.to_string(),
            title: title.clone(),
            link: meta.link.to_string(),
            ..Image::default()
        }),
        items: entries.iter().map(|e| item(meta, e)).collect(),
        extensions,
        namespaces,
        ..Channel::default()
    };
    let mut out = channel.pretty_write_to(Vec::new(), b' ', 2)?;
    out.push(b'\n');
    Ok(out)
}
