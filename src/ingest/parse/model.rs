//! The one model every format adapter fills: a partner's feed and items as published, before any
//! of our rules (ids, sanitising, fallbacks) apply. Each adapter (RSS, Atom 1.0/0.3, JSON Feed)
//! maps its format's fields here; `normalise` reads only this.

use chrono::{DateTime, Utc};
use url::Url;

/// Which format the document was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss2,
    Rss1,
    Rss090,
    Atom10,
    Atom03,
    JsonFeed,
}

/// Whether a text field is plain text or HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextKind {
    Text,
    Html,
}

/// A text construct: a title, summary or body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawText {
    pub kind: TextKind,
    pub value: String,
}

impl RawText {
    pub fn text(value: String) -> Self {
        RawText {
            kind: TextKind::Text,
            value,
        }
    }
    pub fn html(value: String) -> Self {
        RawText {
            kind: TextKind::Html,
            value,
        }
    }
}

/// A link as the feed gives it (not yet resolved).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawLink {
    pub href: String,
    /// `None` means alternate.
    pub rel: Option<String>,
    pub mime_type: Option<String>,
    pub hreflang: Option<String>,
    pub title: Option<String>,
    pub length: Option<u64>,
}

/// An author.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawPerson {
    pub name: Option<String>,
    pub email: Option<String>,
    pub uri: Option<String>,
}

/// A category: `term` is the category, `label` how it is shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCategory {
    pub term: String,
    pub label: Option<String>,
}

/// One item, with the `xml:` scope it sat in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawItem {
    /// Position in the document (0-based), for reports.
    pub position: usize,
    pub id: Option<String>,
    pub title: Option<RawText>,
    /// Alternate, enclosure, related and other links.
    pub links: Vec<RawLink>,
    pub summary: Option<RawText>,
    pub content: Option<RawText>,
    /// Atom `content src=`: the body lives elsewhere.
    pub content_src: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<RawPerson>,
    pub categories: Vec<RawCategory>,
    /// The item's language: `xml:lang` in force, `dc:language`, or JSON Feed `language`.
    pub language: Option<String>,
    /// The `xml:base` in force on the item, resolved from the document's URL down.
    pub base: Option<Url>,
    /// The item's image (JSON Feed `image`, `media:thumbnail`).
    pub image: Option<String>,
    pub rights: Option<String>,
    pub license: Option<String>,
}

/// A feed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFeed {
    pub format: Format,
    pub id: Option<String>,
    pub title: Option<RawText>,
    /// The site (`alternate`), `self`, `hub` and other links.
    pub links: Vec<RawLink>,
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<RawPerson>,
    pub language: Option<String>,
    pub rights: Option<String>,
    pub license: Option<String>,
    pub image: Option<String>,
    /// RSS `<ttl>`, in minutes.
    pub ttl: Option<u32>,
    /// The `xml:base` in force on the feed's own elements (its links).
    pub base: Option<Url>,
    pub items: Vec<RawItem>,
}

impl RawFeed {
    pub fn new(format: Format) -> Self {
        RawFeed {
            format,
            id: None,
            title: None,
            links: Vec::new(),
            updated: None,
            authors: Vec::new(),
            language: None,
            rights: None,
            license: None,
            image: None,
            ttl: None,
            base: None,
            items: Vec::new(),
        }
    }
}
