//! JSON Feed 1.0 and 1.1 into the raw model: typed serde structs, lenient where feeds in the wild
//! are (numeric ids, 1.0's single `author`, missing fields), and complete: attachments, item
//! `language`, `image`, `banner_image`, `feed_url`, `external_url` and `tags` all come through.

use serde::Deserialize;

use super::model::{Format, RawCategory, RawFeed, RawItem, RawLink, RawPerson, RawText};
use crate::ingest::dates::parse_lenient;

#[derive(Debug, Deserialize)]
struct JsonFeed {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    home_page_url: Option<String>,
    #[serde(default)]
    feed_url: Option<String>,
    #[serde(default)]
    icon: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    authors: Vec<JsonAuthor>,
    #[serde(default)]
    author: Option<JsonAuthor>,
    #[serde(default)]
    hubs: Vec<serde_json::Value>,
    #[serde(default)]
    items: Vec<JsonItem>,
}

#[derive(Debug, Default, Deserialize)]
struct JsonAuthor {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Debug, Deserialize)]
struct JsonItem {
    #[serde(default)]
    id: Option<serde_json::Value>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    external_url: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    content_html: Option<String>,
    #[serde(default)]
    content_text: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    image: Option<String>,
    #[serde(default)]
    banner_image: Option<String>,
    #[serde(default)]
    date_published: Option<String>,
    #[serde(default)]
    date_modified: Option<String>,
    #[serde(default)]
    authors: Vec<JsonAuthor>,
    #[serde(default)]
    author: Option<JsonAuthor>,
    #[serde(default)]
    tags: Vec<serde_json::Value>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    attachments: Vec<JsonAttachment>,
}

#[derive(Debug, Deserialize)]
struct JsonAttachment {
    url: String,
    #[serde(default)]
    mime_type: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    size_in_bytes: Option<f64>,
}

fn authors(list: Vec<JsonAuthor>, one: Option<JsonAuthor>) -> Vec<RawPerson> {
    list.into_iter()
        .chain(one)
        .map(|a| RawPerson {
            name: a.name,
            email: None,
            uri: a.url,
        })
        .filter(|p| p.name.is_some())
        .collect()
}

/// Why a document that looks like JSON is not a JSON Feed.
#[derive(Debug, thiserror::Error)]
pub enum JsonFeedError {
    /// Not JSON, or not shaped like a JSON Feed (a required field missing, a wrong type).
    #[error("invalid JSON Feed: {0}")]
    Invalid(#[from] serde_json::Error),
}

/// Parses a JSON Feed; the error says why the document is not one.
pub fn read(text: &str) -> Result<RawFeed, JsonFeedError> {
    let f: JsonFeed = serde_json::from_str(text)?;
    let mut feed = RawFeed::new(Format::JsonFeed);
    feed.title = f.title.map(RawText::text);
    feed.links = f
        .home_page_url
        .map(|h| RawLink {
            href: h,
            ..RawLink::default()
        })
        .into_iter()
        .chain(f.feed_url.map(|u| RawLink {
            href: u,
            rel: Some("self".into()),
            ..RawLink::default()
        }))
        .chain(f.hubs.iter().filter_map(|h| {
            Some(RawLink {
                href: h.get("url")?.as_str()?.to_string(),
                rel: Some("hub".into()),
                ..RawLink::default()
            })
        }))
        .collect();
    feed.image = f.icon;
    feed.language = f.language;
    feed.authors = authors(f.authors, f.author);
    feed.items = f
        .items
        .into_iter()
        .enumerate()
        .map(|(position, i)| item(i, position))
        .collect();
    Ok(feed)
}

fn item(i: JsonItem, position: usize) -> RawItem {
    let id = i.id.and_then(|v| match v {
        serde_json::Value::String(s) => Some(s),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    });
    let mut links: Vec<RawLink> = i
        .url
        .map(|u| RawLink {
            href: u,
            ..RawLink::default()
        })
        .into_iter()
        .chain(i.external_url.map(|u| RawLink {
            href: u,
            rel: Some("related".into()),
            ..RawLink::default()
        }))
        .collect();
    links.extend(i.attachments.into_iter().map(|a| {
        RawLink {
            href: a.url,
            rel: Some("enclosure".into()),
            mime_type: a.mime_type,
            title: a.title,
            length: a
                .size_in_bytes
                .filter(|n| *n >= 0.0 && n.is_finite())
                .map(|n| n as u64),
            hreflang: None,
        }
    }));
    let content = i
        .content_html
        .map(RawText::html)
        .or(i.content_text.map(RawText::text));
    RawItem {
        position,
        id,
        title: i.title.map(RawText::text),
        links,
        summary: i.summary.map(RawText::text),
        content,
        published: i.date_published.as_deref().and_then(parse_lenient),
        updated: i.date_modified.as_deref().and_then(parse_lenient),
        authors: authors(i.authors, i.author),
        categories: i
            .tags
            .into_iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .map(|term| RawCategory { term, label: None })
            .collect(),
        language: i.language,
        image: i.image.or(i.banner_image),
        ..RawItem::default()
    }
}

#[cfg(test)]
mod tests {
    use super::{JsonFeedError, read};
    use crate::ingest::parse::{Format, TextKind};

    #[test]
    fn feed_links_authors_and_items_are_read() {
        let f = read(
            r#"{"version": "https://jsonfeed.org/version/1", "title": "T",
                "home_page_url": "https://a.example/", "feed_url": "https://a.example/feed.json",
                "hubs": [{"type": "WebSub", "url": "https://hub.example/"}, {"type": "x"}],
                "author": {"name": "Jo", "url": "https://jo.example/"},
                "items": [{"id": 42, "title": "one"}, {"id": "b"}, {"id": null}]}"#,
        )
        .expect("a feed");
        assert_eq!(f.format, Format::JsonFeed);
        let links: Vec<_> = f
            .links
            .iter()
            .map(|l| (l.href.as_str(), l.rel.as_deref()))
            .collect();
        assert_eq!(
            links,
            [
                ("https://a.example/", None),
                ("https://a.example/feed.json", Some("self")),
                ("https://hub.example/", Some("hub"))
            ]
        );
        assert_eq!(f.authors[0].name.as_deref(), Some("Jo"));
        assert_eq!(f.authors[0].uri.as_deref(), Some("https://jo.example/"));
        let ids: Vec<_> = f.items.iter().map(|i| i.id.as_deref()).collect();
        assert_eq!(
            ids,
            [Some("42"), Some("b"), None],
            "numeric ids kept as text"
        );
        assert_eq!(f.items[2].position, 2);
    }

    #[test]
    fn item_fields_map_to_the_raw_model() {
        let f = read(
            r#"{"items": [{"id": "1", "url": "https://a.example/1",
                "external_url": "https://b.example/", "content_html": "<p>Hi</p>",
                "content_text": "Hi", "summary": "S", "banner_image": "/b.png",
                "date_published": "2025-06-01T10:00:00Z", "tags": ["x", 3, "y"],
                "authors": [{"name": "Al"}, {"url": "https://nobody.example/"}],
                "attachments": [{"url": "https://a.example/a.mp3", "mime_type": "audio/mpeg",
                                 "size_in_bytes": 1200.0},
                                {"url": "https://a.example/b.mp3", "size_in_bytes": -1}]}]}"#,
        )
        .expect("a feed");
        let i = &f.items[0];
        let links: Vec<_> = i
            .links
            .iter()
            .map(|l| (l.href.as_str(), l.rel.as_deref(), l.length))
            .collect();
        assert_eq!(
            links,
            [
                ("https://a.example/1", None, None),
                ("https://b.example/", Some("related"), None),
                ("https://a.example/a.mp3", Some("enclosure"), Some(1200)),
                ("https://a.example/b.mp3", Some("enclosure"), None)
            ]
        );
        let content = i.content.as_ref().expect("content");
        assert_eq!(
            (content.kind, content.value.as_str()),
            (TextKind::Html, "<p>Hi</p>")
        );
        assert_eq!(i.summary.as_ref().map(|s| s.kind), Some(TextKind::Text));
        assert_eq!(i.image.as_deref(), Some("/b.png"));
        assert!(i.published.is_some());
        let tags: Vec<_> = i.categories.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(tags, ["x", "y"]);
        let authors: Vec<_> = i.authors.iter().map(|a| a.name.as_deref()).collect();
        assert_eq!(authors, [Some("Al")], "an author without a name is dropped");
    }

    #[test]
    fn a_broken_document_says_why_and_keeps_the_json_error() {
        let err = read(r#"{"items": [{"attachments": [{}]}]}"#).expect_err("url is required");
        let JsonFeedError::Invalid(source) = &err;
        assert!(source.is_data(), "{source}");
        assert_eq!(err.to_string(), format!("invalid JSON Feed: {source}"));
        assert!(
            err.to_string()
                .starts_with("invalid JSON Feed: missing field `url`")
        );
        let err = read("{not json").expect_err("syntax");
        assert!(std::error::Error::source(&err).is_some());
    }
}
