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
mod bogus;
mod chardata;
mod common;
mod element;
mod json;
pub mod model;
mod ns;
mod recovery;
mod rss;
mod sniff;
mod tree;
pub mod xml;

use url::Url;

use crate::ingest::decode::{Decoded, decode};
pub use element::Scope;
pub use json::JsonFeedError;
pub use model::{Format, RawFeed, RawItem, RawLink, RawPerson, RawText, TextKind};
pub use ns::Ns;
pub use recovery::{Note, Recovery};
pub use sniff::looks_like_html;

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
#[derive(Debug, thiserror::Error)]
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
    Json(#[from] JsonFeedError),
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
            feed: json::read(body)?,
            encoding,
            warning,
            recovered: Vec::new(),
        });
    }
    let doc = xml::parse(body).ok_or(ParseError::NoXml)?;
    let mut recovered: Vec<String> = doc.notes.iter().map(ToString::to_string).collect();
    let scope = Scope::document(fetched_from);
    let mut root = &doc.root;
    // A feed inside an HTML page (a template wrapped it): the feed is read.
    if root.name.eq_ignore_ascii_case("html") {
        root = root
            .find_named(&["feed", "rss", "rdf", "channel"])
            .ok_or(ParseError::Html)?;
        recovered.push(format!(
            "the feed was inside an HTML page (<{}>)",
            root.name
        ));
    }
    Ok(Parsed {
        feed: adapt(root, &scope)?,
        encoding,
        warning,
        recovered,
    })
}

/// The format adapter the root element names.
fn adapt(root: &xml::Element, scope: &Scope) -> Result<RawFeed, ParseError> {
    let name = root.name.to_ascii_lowercase();
    Ok(match (root.ns, name.as_str()) {
        (Ns::Atom | Ns::Atom03, "feed") => atom::read(root, scope),
        (Ns::None | Ns::Other, "feed") if root.child(&[root.ns], "entry").is_some() => {
            atom::read(root, scope)
        }
        // An Atom entry document (RFC 5023 9.2): a feed of that one entry.
        (Ns::Atom | Ns::Atom03, "entry") => atom::read(
            &xml::Element {
                ns: root.ns,
                name: "feed".into(),
                attrs: Vec::new(),
                children: vec![xml::Node::El(root.clone())],
            },
            scope,
        ),
        (_, "rss" | "rdf" | "channel") => rss::read(root, scope),
        (_, "html") => return Err(ParseError::Html),
        _ => return Err(ParseError::UnknownRoot(root.name.to_string())),
    })
}

#[cfg(test)]
mod tests {
    use super::{Format, ParseError, parse_feed};

    #[test]
    fn the_root_picks_the_adapter() {
        let rss =
            br#"<?xml version="1.0"?><rss version="2.0"><channel><title>T</title></channel></rss>"#;
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title></feed>"#;
        let json = br#"  {"title": "T", "items": []}"#;
        let format = |b: &[u8]| parse_feed(b, None, None).map(|p| p.feed.format).ok();
        assert_eq!(format(rss), Some(Format::Rss2));
        assert_eq!(format(atom), Some(Format::Atom10));
        assert_eq!(format(json), Some(Format::JsonFeed));
    }

    #[test]
    fn what_is_not_a_feed_says_why_in_the_reports_words() {
        let why = |b: &[u8]| {
            parse_feed(b, None, None)
                .map(|_| ())
                .expect_err("not a feed")
        };
        assert!(matches!(why(b" \n "), ParseError::Empty));
        assert!(matches!(why(b"<html><body/></html>"), ParseError::Html));
        assert_eq!(
            why(b"<opml/>").to_string(),
            "not a feed: the root element is <opml>"
        );
        let json = why(br#"{"items": 3}"#);
        assert!(matches!(json, ParseError::Json(_)));
        assert!(
            json.to_string()
                .starts_with("not a feed: invalid JSON Feed: invalid type: integer `3`"),
            "{json}"
        );
    }
}
