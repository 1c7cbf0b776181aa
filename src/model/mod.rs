//! The one entry model every origin is converted into.
//!
//! Partner items (RSS 0.9x/1.0/2.0, Atom, JSON Feed) and the network's local entries all become an
//! [`Entry`] in `normalise` or `local`; everything downstream (filter, merge, render, state) sees only
//! this type. Each field documents where it comes from.
//!
//! Besides the entry, the small values the layers hand each other: a source's HTTP
//! [`Validators`], an entry's [`Cleaned`] HTML, the editorial memory ([`Carried`], [`Tombstone`],
//! [`ViewHistory`]), the merge [`Candidate`] and its one total order ([`feed_order`]). What may
//! not be here: behaviour with I/O, or anything that imports a layer above `text`.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

mod ids;
mod shared;
pub use ids::Ids;
pub use shared::{Interner, Tags};

/// A person: an author of an entry or of a feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// Plain-text name; never empty.
    pub name: String,
    /// Email address, if the feed gave a plausible one.
    pub email: Option<String>,
    /// Absolute http(s) URL of the person's page.
    pub uri: Option<String>,
}

/// A downloadable attachment: RSS `<enclosure>`, Atom `<link rel="enclosure">`, JSON Feed
/// `attachments`, or a local entry's `attachments`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enclosure {
    /// Absolute http(s) URL.
    pub url: String,
    /// MIME type (`application/pdf`...); `application/octet-stream` when the feed gave none.
    pub mime_type: String,
    /// Length in bytes, where known.
    pub length: Option<u64>,
    /// Human-readable title, where given.
    pub title: Option<String>,
    /// Language of the attachment, where given.
    pub language: Option<String>,
    /// A PDF's page count, read from a local attachment's file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// SHA-256 of a local attachment's file (hex), kept for the archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// A category: `term` is the category itself (what filters and views match), `label` how a partner
/// wants it shown. Stored entries from before labels existed read as a bare term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "CategoryRepr")]
pub struct Category {
    pub term: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl Category {
    /// A category with no separate label.
    pub fn term(term: impl Into<String>) -> Self {
        Category {
            term: term.into(),
            label: None,
        }
    }

    /// How the category is shown: its label, else its term.
    pub fn shown(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.term)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum CategoryRepr {
    Term(String),
    Full {
        term: String,
        #[serde(default)]
        label: Option<String>,
    },
}

impl From<CategoryRepr> for Category {
    fn from(r: CategoryRepr) -> Self {
        match r {
            CategoryRepr::Term(term) => Category { term, label: None },
            CategoryRepr::Full { term, label } => Category { term, label },
        }
    }
}

/// Where one of the network's own entries came from (`[[entry]] source`): written as an Atom
/// `<source>` and a `rel="via"` link, `_feedbraid.source` in JSON, and "Source: ..." on the pages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed: Option<String>,
}

/// The partner feed an entry was republished from (written as Atom `<source>`, RFC 4287 4.2.11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceInfo {
    /// Configured partner name (`[[source]] name`); the key used in reports and state.
    pub name: String,
    /// The partner feed's own id (Atom `id`, RSS: its link or URL), else the URL it was fetched from.
    pub id: String,
    /// The partner feed's title, else the configured name.
    pub title: String,
    /// The partner's web site (`rel="alternate"`).
    pub homepage: Option<String>,
    /// The URL the feed itself lives at (`rel="self"`), where it has one.
    pub feed_url: Option<String>,
    /// The partner feed's `updated` (else its newest entry's).
    pub updated: DateTime<Utc>,
    /// The partner's rights statement (config, else its feed's `rights`/`copyright`/`dc:rights`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rights: Option<String>,
    /// The URL of the partner's licence (config, else its feed's `creativeCommons:license`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

/// One normalised entry, ready to filter, merge and render.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Permanent id: the partner's own id when it is an absolute IRI, else a derived `tag:` id.
    pub id: String,
    /// The partner's id as it appeared in the feed (guid / Atom id / JSON id), used for cross-source dedup.
    pub original_id: Option<String>,
    /// Plain text, never empty.
    pub title: String,
    /// Absolute http(s) URL of the entry's page, tracking parameters removed.
    pub link: String,
    /// True when the item had no link of its own and `link` is its partner's site: such a link
    /// says nothing about which item it is, so it is never used to find duplicates.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub link_is_site: bool,
    /// The language of the page `link` points to, where the feed says (`hreflang`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_lang: Option<String>,
    /// First publication, when known.
    pub published: Option<DateTime<Utc>>,
    /// Last real change; never in the future of the run.
    pub updated: DateTime<Utc>,
    /// Sanitised HTML.
    pub summary: Option<String>,
    /// Sanitised HTML.
    pub content: Option<String>,
    /// Never empty once normalised.
    pub authors: Vec<Person>,
    /// The entry's categories plus the source's configured tags, de-duplicated by term, in
    /// first-seen order.
    pub categories: Vec<Category>,
    /// BCP 47 language tag (lower case), where known.
    pub language: Option<String>,
    /// Attachments, PDFs first.
    pub enclosures: Vec<Enclosure>,
    /// The entry's image (JSON Feed `image`, `media:thumbnail`): absolute URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Other sources that carried the same item (set by merge), written as `rel="via"` links.
    pub via: Vec<String>,
    /// `None` for the network's local entries.
    pub source: Option<SourceInfo>,
    /// The item's own rights statement, when it carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rights: Option<String>,
    /// The item's own licence URL, when it carries one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// For the network's own entries: where they came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<Credit>,
}

impl Entry {
    /// The rights statement published with the entry: its own, else its partner's.
    pub fn shown_rights(&self) -> Option<&str> {
        self.rights
            .as_deref()
            .or(self.source.as_ref().and_then(|s| s.rights.as_deref()))
    }

    /// The licence URL published with the entry: its own, else its partner's.
    pub fn shown_license(&self) -> Option<&str> {
        self.license
            .as_deref()
            .or(self.source.as_ref().and_then(|s| s.license.as_deref()))
    }

    /// Name of the origin for per-source filters and caps: the partner's name, or `"local"`.
    pub fn origin(&self) -> &str {
        self.source.as_ref().map_or("local", |s| s.name.as_str())
    }
}

/// What merging needs to know of an entry: enough to filter, deduplicate and order it, and small
/// enough to hold for every item of every source. The full [`Entry`] is loaded only for the
/// entries that make it into the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    /// Its handle (where the full entry is: the item hash in state, or the index of a local
    /// entry), its id, the canonical form of its link, and the partner's own id when that is an
    /// absolute IRI (two partners carrying the same item); read through the methods below.
    pub ids: Ids,
    pub updated: DateTime<Utc>,
    pub published: Option<DateTime<Utc>>,
    /// The source's name; `None` for local entries. Shared by a source's candidates.
    pub origin: Option<Arc<str>>,
    /// Title, categories and the start of the summary, for include/exclude patterns; dropped once
    /// the filters have run, unless a view still needs it.
    pub text: Option<String>,
    /// The entry's categories, lower-cased, for views' `tags`.
    pub tags: Tags,
    /// The entry's language (lower case), for views' `languages`.
    pub language: Option<Arc<str>>,
    /// Credit links (`rel="via"`) of the duplicates it absorbed, sorted: set by the merge
    /// (`pool::merge::dedup`) on the candidates that win, empty before.
    pub via: Vec<String>,
}

impl Candidate {
    /// The entry's id in the merged feed.
    pub fn id(&self) -> &str {
        self.ids.id()
    }

    /// Where the full entry is: the item hash in state, or the index of a local entry.
    pub fn handle(&self) -> &str {
        self.ids.handle()
    }

    /// The index of a local entry in the run's list of them (its handle).
    pub fn local_index(&self) -> Option<usize> {
        self.handle().parse().ok()
    }

    /// `links::canonical` of the entry's link.
    pub fn canonical_link(&self) -> Option<&str> {
        self.ids.canonical_link()
    }

    /// The partner's own id when it is an absolute IRI.
    pub fn original_id(&self) -> Option<&str> {
        self.ids.original_id()
    }

    /// The source name, or `"local"`.
    pub fn origin(&self) -> &str {
        self.origin.as_deref().unwrap_or("local")
    }

    /// True for the network's own entries.
    pub fn is_local(&self) -> bool {
        self.origin.is_none()
    }
}

/// The hijack guard tripped on a source's document (`ingest::guard`): why, and the ids of the
/// new items it holds for an editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardHold {
    pub reason: String,
    pub ids: Vec<String>,
}

/// HTTP cache validators of a response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// An entry a feed published, as remembered for the next run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Carried {
    pub id: String,
    pub canonical_link: Option<String>,
    /// The partner's name; `None` for the network's own entries.
    pub source: Option<String>,
}

/// One `<at:deleted-entry ref="id" when="...">`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    pub id: String,
    pub when: DateTime<Utc>,
    /// The public reason (`<at:comment>`).
    pub comment: Option<String>,
}

/// One view's editorial memory between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewHistory {
    pub carried: Vec<Carried>,
    pub tombstones: Vec<Tombstone>,
}

/// An entry's HTML, sanitised: what is cached and published.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    pub summary: Option<String>,
    pub content: Option<String>,
}

/// The feed order: newest `updated` first, then id, then origin (for full determinism).
pub fn feed_order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.updated.cmp(&a.updated).then_with(|| by_id(a, b))
}

/// Id, then origin: what orders two candidates of the same time.
pub fn by_id(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    a.id().cmp(b.id()).then_with(|| a.origin().cmp(b.origin()))
}
