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

/// Parses a JSON Feed; the error says why the document is not one.
pub fn read(text: &str) -> Result<RawFeed, String> {
    let f: JsonFeed = serde_json::from_str(text).map_err(|e| format!("invalid JSON Feed: {e}"))?;
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
