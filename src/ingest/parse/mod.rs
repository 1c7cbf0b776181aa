//! Bytes → the raw feed model, in one front end: decode the charset, read the document once (XML
//! through the recovering [`xml`] reader, or JSON), then hand the tree to the adapter for its
//! format. Pure: takes bytes and returns a value.
//!
//! ```text
//! bytes ─► decode ─► xml::parse (one pass: namespaces, entities, recovery) ─► rss / atom adapter ─┐
//!                 └► json adapter ───────────────────────────────────────────────────────────────┴► RawFeed
//! ```
//! Every item comes out with its own scope (`xml:lang`, `xml:base`) already applied, so nothing
//! downstream has to match items across passes by position.

mod atom;
mod element;
mod json;
pub mod model;
mod ns;
mod recovery;
mod rss;
pub mod xml;

use url::Url;

use crate::ingest::decode::{Decoded, decode};
pub use element::Scope;
pub use model::{Format, RawFeed, RawItem, RawLink, RawPerson, RawText, TextKind};
pub use ns::Ns;
pub use recovery::{Note, Recovery};
pub use rss::looks_like_html;

/// A parsed feed plus what the front end noticed.
#[derive(Debug)]
pub struct Parsed {
    pub feed: RawFeed,
    /// Encoding the bytes were read in.
    pub encoding: &'static str,
    /// A charset problem worth reporting (the feed was still read).
    pub warning: Option<String>,
    /// What had to be recovered to read the document ("undeclared entity &nbsp; at line 12").
    pub recovered: Vec<String>,
}

/// Why a document could not be read as a feed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("not a feed: the document is empty")]
    Empty,
    #[error("not a feed: an HTML page")]
    Html,
    #[error("not a feed: the root element is <{0}>")]
    UnknownRoot(String),
    #[error("not a feed: no XML element found")]
    NoXml,
    #[error("not a feed: {0}")]
    Json(String),
}

/// Parses one feed document. `http_charset` is the `charset` of the HTTP `Content-Type`, if any;
/// `fetched_from` is the URL the document came from (after redirects) or stands for: what a
/// relative `xml:base` resolves against.
pub fn parse_feed(
    bytes: &[u8],
    http_charset: Option<&str>,
    fetched_from: Option<&Url>,
) -> Result<Parsed, ParseError> {
    let Decoded {
        text,
        encoding,
        warning,
    } = decode(bytes, http_charset);
    let body = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if body.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    if body.starts_with('{') {
        return Ok(Parsed {
            feed: json::read(body).map_err(ParseError::Json)?,
            encoding,
            warning,
            recovered: Vec::new(),
        });
    }
    let doc = xml::parse(body).ok_or(ParseError::NoXml)?;
    let scope = Scope::document(fetched_from);
    let root = &doc.root;
    let name = root.name.to_ascii_lowercase();
    let feed = match (root.ns, name.as_str()) {
        (Ns::Atom | Ns::Atom03, "feed") => atom::read(root, &scope),
        (Ns::None | Ns::Other, "feed") if root.child(&[root.ns], "entry").is_some() => {
            atom::read(root, &scope)
        }
        (_, "rss" | "rdf" | "channel") => rss::read(root, &scope),
        (_, "html") => return Err(ParseError::Html),
        _ => return Err(ParseError::UnknownRoot(root.name.to_string())),
    };
    Ok(Parsed {
        feed,
        encoding,
        warning,
        recovered: doc.notes.iter().map(ToString::to_string).collect(),
    })
}
