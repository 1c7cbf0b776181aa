//! JSON Feed 1.1 (<https://jsonfeed.org/version/1.1>) from typed structs: the same entries, ids,
//! dates and sanitised content as the Atom feed, for sites that render a feed with JavaScript.
//! Optional strings are left out, never written as `null` (the 1.1 schema rejects `null`), and a
//! serialisation error is an error, never an empty file. Every string passes the same cleaning
//! rule as the Atom feed's (`text::clean_json_strings`). Pure.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::config::FeedMeta;
use crate::model::Entry;
use crate::publish::render::RenderError;

#[derive(Debug, Serialize)]
struct Feed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    authors: Vec<Author<'a>>,
    /// WebSub hubs (JSON Feed 1.1 `hubs`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hubs: Vec<Hub<'a>>,
    items: Vec<Item<'a>>,
}

#[derive(Debug, Serialize)]
struct Hub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Debug, Serialize)]
struct Author<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct Item<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_published: Option<String>,
    date_modified: String,
    authors: Vec<Author<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tags: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<Attachment<'a>>,
    /// Attribution (an extension: JSON Feed extensions start with `_`).
    #[serde(rename = "_source", skip_serializing_if = "Option::is_none")]
    source: Option<SourceRef<'a>>,
    /// feedbraid's extension: rights, licence and where the entry came from.
    #[serde(rename = "_feedbraid", skip_serializing_if = "Extension::is_empty")]
    extension: Extension<'a>,
}

/// `_feedbraid`: documented in docs/config.md ("Editorial control").
#[derive(Debug, Serialize)]
struct Extension<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    rights: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<Origin<'a>>,
}

impl Extension<'_> {
    fn is_empty(&self) -> bool {
        self.rights.is_none() && self.license.is_none() && self.source.is_none()
    }
}

/// The partner, or the credited origin of one of the network's own entries.
#[derive(Debug, Serialize)]
struct Origin<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    feed: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct Attachment<'a> {
    url: &'a str,
    mime_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    size_in_bytes: Option<u64>,
}

#[derive(Debug, Serialize)]
struct SourceRef<'a> {
    title: &'a str,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_page_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    feed_url: Option<&'a str>,
}

fn date(d: DateTime<Utc>) -> String {
    d.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn item(e: &Entry) -> Item<'_> {
    Item {
        id: &e.id,
        url: &e.link,
        title: &e.title,
        content_html: e.content.as_deref().or(e.summary.as_deref()).unwrap_or(""),
        summary: e.summary.as_deref().map(crate::text::plain::plain),
        image: e.image.as_deref(),
        date_published: e.published.map(date),
        date_modified: date(e.updated),
        authors: e
            .authors
            .iter()
            .map(|a| Author {
                name: &a.name,
                url: a.uri.as_deref(),
            })
            .collect(),
        tags: e.categories.iter().map(|c| c.shown()).collect(),
        language: e.language.as_deref(),
        attachments: e
            .enclosures
            .iter()
            .map(|a| Attachment {
                url: &a.url,
                mime_type: &a.mime_type,
                title: a.title.as_deref(),
                size_in_bytes: a.length,
            })
            .collect(),
        extension: Extension {
            rights: e.shown_rights(),
            license: e.shown_license(),
            source: match (&e.source, &e.credit) {
                (Some(s), _) => Some(Origin {
                    name: &s.name,
                    uri: s.homepage.as_deref(),
                    feed: s.feed_url.as_deref(),
                }),
                (None, Some(c)) => Some(Origin {
                    name: &c.name,
                    uri: c.uri.as_deref(),
                    feed: c.feed.as_deref(),
                }),
                (None, None) => None,
            },
        },
        source: e.source.as_ref().map(|s| SourceRef {
            title: &s.title,
            id: &s.id,
            home_page_url: s.homepage.as_deref(),
            feed_url: s.feed_url.as_deref(),
        }),
    }
}

/// Renders a JSON Feed 1.1 of `entries`; `json_url` is where it is served.
pub fn json_feed(
    meta: &FeedMeta,
    entries: &[Entry],
    json_url: &str,
) -> Result<Vec<u8>, RenderError> {
    let doc = Feed {
        version: "https://jsonfeed.org/version/1.1",
        title: &meta.title,
        home_page_url: meta.link.as_str(),
        feed_url: json_url,
        description: meta.subtitle.as_deref(),
        language: meta.language.as_deref(),
        authors: vec![Author {
            name: &meta.author.name,
            url: meta.author.uri.as_deref(),
        }],
        hubs: meta
            .hubs
            .iter()
            .map(|h| Hub {
                kind: "WebSub",
                url: h.as_str(),
            })
            .collect(),
        items: entries.iter().map(item).collect(),
    };
    // The same cleaning rule as feed.atom's, on every string.
    Ok(crate::text::xml::clean_json_pretty(&doc)?)
}
