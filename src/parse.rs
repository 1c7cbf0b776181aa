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
    /// The `xml:lang` and `xml:base` in force on each item/entry element, in document order
    /// (feed-rs keeps neither); empty when the document uses neither attribute.
    pub item_scopes: Vec<ItemScope>,
}

/// The `xml:` context of one item element.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemScope {
    /// The nearest `xml:lang`.
    pub lang: Option<String>,
    /// Every `xml:base` from the root down to the item, resolved in turn (the first against the
    /// document's URL where one is known); `None` when there is none.
    pub base: Option<url::Url>,
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
pub fn parse_feed(
    bytes: &[u8],
    http_charset: Option<&str>,
    fetched_from: Option<&str>,
) -> Result<Parsed, ParseError> {
    let Decoded {
        text,
        encoding,
        warning,
    } = decode(bytes, http_charset);
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let text = upgrade_legacy(&text);
    let parser = feed_rs::parser::Builder::new()
        // Relative links resolve against xml:base (feed-rs), then the RSS channel's <link>, then
        // the URL the document was fetched from.
        .base_uri(
            rss_channel_link(&text, fetched_from)
                .as_deref()
                .or(fetched_from),
        )
        .id_generator(|_, _, _| String::new())
        .timestamp_parser(crate::dates::parse_lenient)
        .sanitize_content(false)
        .build();
    let feed = parser
        .parse(text.as_bytes())
        .map_err(|e| ParseError::Invalid(e.to_string()))?;
    let item_scopes = if text.contains("xml:lang") || text.contains("xml:base") {
        item_scopes(&text, fetched_from)
    } else {
        Vec::new()
    };
    Ok(Parsed {
        feed,
        encoding,
        warning,
        item_scopes,
    })
}

/// An RSS channel's `<link>` (before the first item), made absolute: the conventional base of an
/// RSS document's relative links. Atom documents resolve against their own URL and xml:base.
fn rss_channel_link(text: &str, fetched_from: Option<&str>) -> Option<String> {
    let head = &text[..text.find("<item").unwrap_or(text.len())];
    if !head.contains("<rss") && !head.contains("RDF") {
        return None;
    }
    let start = head.find("<link>")? + "<link>".len();
    let end = start + head[start..].find("</link>")?;
    let raw = head[start..end].trim();
    let base = fetched_from.and_then(|f| url::Url::parse(f).ok());
    crate::normalise::links::resolve(raw, base.as_ref())
        .filter(|u| u.scheme() != "mailto")
        .map(String::from)
}

/// The `xml:lang` and `xml:base` in force on every `<entry>`/`<item>` element, in document order.
fn item_scopes(text: &str, doc: Option<&str>) -> Vec<ItemScope> {
    use quick_xml::events::{BytesStart, Event};
    let mut reader = quick_xml::Reader::from_str(text);
    let doc = doc.and_then(|d| url::Url::parse(d).ok());
    let root = ItemScope::default();
    let mut stack: Vec<ItemScope> = Vec::new();
    let mut out = Vec::new();
    let scope_of = |e: &BytesStart<'_>, parent: &ItemScope| {
        let mut scope = parent.clone();
        for a in e.attributes().flatten() {
            let value = String::from_utf8_lossy(&a.value);
            match a.key.as_ref() {
                b"xml:lang" => scope.lang = Some(value.into_owned()),
                b"xml:base" => {
                    let joined = match parent.base.as_ref().or(doc.as_ref()) {
                        Some(b) => b.join(value.trim()).ok(),
                        None => url::Url::parse(value.trim()).ok(),
                    };
                    scope.base = joined.or(scope.base);
                }
                _ => {}
            }
        }
        scope
    };
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                let scope = scope_of(&e, stack.last().unwrap_or(&root));
                if matches!(e.local_name().as_ref(), b"entry" | b"item") {
                    out.push(scope.clone());
                }
                stack.push(scope);
            }
            Ok(Event::Empty(e)) if matches!(e.local_name().as_ref(), b"entry" | b"item") => {
                out.push(scope_of(&e, stack.last().unwrap_or(&root)));
            }
            Ok(Event::End(_)) => {
                stack.pop();
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// Rewrites the root of formats feed-rs rejects or silently reads as empty into ones it reads:
/// `<rss>` without a version or with 0.93/0.94/2.00 (all read as 2.0), RSS 0.90 (its namespace is
/// mapped to RSS 1.0's), and Atom 0.3 (namespace and renamed elements mapped to Atom 1.0).
pub fn upgrade_legacy(text: &str) -> Cow<'_, str> {
    let Some(root_at) = root_start(text) else {
        return Cow::Borrowed(text);
    };
    let tag_end = text[root_at..]
        .find('>')
        .map_or(text.len(), |i| root_at + i);
    let root = &text[root_at..tag_end];
    if let Some(rest) = root.strip_prefix("<rss") {
        let version = attr(root, "version");
        if matches!(version, Some("2.0" | "0.91" | "0.92")) {
            return Cow::Borrowed(text);
        }
        let mut fixed = String::with_capacity(root.len() + 16);
        fixed.push_str("<rss version=\"2.0\"");
        fixed.push_str(&strip_attr(rest, "version"));
        return Cow::Owned(format!("{}{}{}", &text[..root_at], fixed, &text[tag_end..]));
    }
    if root.contains("http://my.netscape.com/rdf/simple/0.9/") {
        return Cow::Owned(text.replace(
            "http://my.netscape.com/rdf/simple/0.9/",
            "http://purl.org/rss/1.0/",
        ));
    }
    if root.starts_with("<feed") && root.contains("http://purl.org/atom/ns#") {
        let mut t = text.replace("http://purl.org/atom/ns#", "http://www.w3.org/2005/Atom");
        for (old, new) in [
            ("modified", "updated"),
            ("issued", "published"),
            ("tagline", "subtitle"),
            ("copyright", "rights"),
        ] {
            t = t
                .replace(&format!("<{old}>"), &format!("<{new}>"))
                .replace(&format!("</{old}>"), &format!("</{new}>"));
        }
        t = t
            .replace("mode=\"escaped\"", "")
            .replace("type=\"text/html\"", "type=\"html\"");
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
        Some(v) => tag_rest
            .replacen(&format!(" {name}=\"{v}\""), "", 1)
            .replacen(&format!(" {name}='{v}'"), "", 1),
        None => tag_rest.to_string(),
    }
}
