//! Bytes → feed-rs model: charset decoding, legacy-format upgrades, then feed-rs with our own id
//! generator and date parser. Pure: takes bytes and returns a value.
//!
//! feed-rs's fallback id is a random UUID (a new id every run); our generator returns an empty id
//! instead, so `normalise` can tell "the partner gave no id" apart and derive a stable one.

use std::borrow::Cow;

use feed_rs::model::Feed;

use crate::decode::{Decoded, decode};

/// A parsed feed plus what the decoder noticed.
#[derive(Debug)]
pub struct Parsed {
    pub feed: Feed,
    /// Encoding the bytes were read in.
    pub encoding: &'static str,
    /// A charset problem worth reporting (the feed was still read).
    pub warning: Option<String>,
}

/// Why a feed could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("not a feed: {0}")]
    Invalid(String),
    #[error("not a feed: the document is empty")]
    Empty,
}

/// Parses one feed document. `http_charset` is the `charset` of the HTTP `Content-Type`, if any;
/// `base` is the URL the document was fetched from (after redirects) or stands for.
pub fn parse_feed(bytes: &[u8], http_charset: Option<&str>, base: Option<&str>) -> Result<Parsed, ParseError> {
    let Decoded { text, encoding, warning } = decode(bytes, http_charset);
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let text = upgrade_legacy(&text);
    let parser = feed_rs::parser::Builder::new()
        .base_uri(base)
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(crate::dates::parse_lenient)
        .sanitize_content(false)
        .build();
    let feed = parser.parse(text.as_bytes()).map_err(|e| ParseError::Invalid(e.to_string()))?;
    Ok(Parsed { feed, encoding, warning })
}

/// Rewrites the root of formats feed-rs rejects or silently reads as empty into ones it reads:
/// `<rss>` without a version or with 0.93/0.94/2.00 (all read as 2.0), RSS 0.90 (its namespace is
/// mapped to RSS 1.0's), and Atom 0.3 (namespace and renamed elements mapped to Atom 1.0).
pub fn upgrade_legacy(text: &str) -> Cow<'_, str> {
    let Some(root_at) = root_start(text) else { return Cow::Borrowed(text) };
    let tag_end = text[root_at..].find('>').map_or(text.len(), |i| root_at + i);
    let root = &text[root_at..tag_end];
    if root.starts_with("<rss") {
        let version = attr(root, "version");
        if matches!(version, Some("2.0" | "0.91" | "0.92")) {
            return Cow::Borrowed(text);
        }
        let mut fixed = String::with_capacity(root.len() + 16);
        fixed.push_str("<rss version=\"2.0\"");
        fixed.push_str(&strip_attr(&root[4..], "version"));
        return Cow::Owned(format!("{}{}{}", &text[..root_at], fixed, &text[tag_end..]));
    }
    if root.contains("http://my.netscape.com/rdf/simple/0.9/") {
        return Cow::Owned(text.replace("http://my.netscape.com/rdf/simple/0.9/", "http://purl.org/rss/1.0/"));
    }
    if root.starts_with("<feed") && root.contains("http://purl.org/atom/ns#") {
        let mut t = text.replace("http://purl.org/atom/ns#", "http://www.w3.org/2005/Atom");
        for (old, new) in [("modified", "updated"), ("issued", "published"), ("tagline", "subtitle"), ("copyright", "rights")] {
            t = t.replace(&format!("<{old}>"), &format!("<{new}>")).replace(&format!("</{old}>"), &format!("</{new}>"));
        }
        t = t.replace("mode=\"escaped\"", "").replace("type=\"text/html\"", "type=\"html\"");
        return Cow::Owned(t);
    }
    Cow::Borrowed(text)
}

/// Offset of the root element's `<`, skipping the prolog, comments, PIs and a DOCTYPE.
fn root_start(text: &str) -> Option<usize> {
    let mut i = 0;
    let b = text.as_bytes();
    while i < b.len() {
        let rest = &text[i..];
        if rest.starts_with("<?") {
            i += rest.find("?>")? + 2;
        } else if rest.starts_with("<!--") {
            i += rest.find("-->")? + 3;
        } else if rest.starts_with("<!") {
            i += rest.find('>')? + 1;
        } else if rest.starts_with('<') {
            return Some(i);
        } else if rest.starts_with('{') {
            return None;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    None
}

fn attr<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let at = tag.find(&format!(" {name}="))? + name.len() + 2;
    let quote = tag[at..].chars().next()?;
    let rest = &tag[at + 1..];
    Some(&rest[..rest.find(quote)?])
}

fn strip_attr(tag_rest: &str, name: &str) -> String {
    match attr(tag_rest, name) {
        Some(v) => tag_rest.replacen(&format!(" {name}=\"{v}\""), "", 1).replacen(&format!(" {name}='{v}'"), "", 1),
        None => tag_rest.to_string(),
    }
}
