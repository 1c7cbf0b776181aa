//! What `feedbraid doctor` finds in one fetched feed, decided without I/O: each finding has a
//! machine-readable key, what is wrong in plain words, and how the partner fixes it.

use chrono::{DateTime, Utc};

use crate::ingest::parse::{Parsed, RawItem};

/// One problem, for the note to the partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable key (`no-validators`, `duplicate-id` ...).
    pub key: &'static str,
    pub what: String,
    pub fix: &'static str,
}

fn f(key: &'static str, what: String, fix: &'static str) -> Finding {
    Finding { key, what, fix }
}

/// What the HTTP exchange showed.
#[derive(Debug, Clone, Default)]
pub struct Exchange {
    pub requested: String,
    pub final_url: Option<String>,
    pub moved_to: Option<String>,
    pub content_type: Option<String>,
    pub etag: bool,
    pub last_modified: bool,
    /// Whether a second request with those validators was answered 304.
    pub revalidated: Option<bool>,
    pub millis: u128,
    pub bytes: usize,
}

/// The findings of the exchange.
pub fn http(x: &Exchange) -> Vec<Finding> {
    let mut out = Vec::new();
    if !x.etag && !x.last_modified {
        out.push(f("no-validators", "The feed is sent without an ETag or Last-Modified header, so every reader downloads all of it every time.".into(),
            "Have the web server send ETag and Last-Modified for the feed and answer If-None-Match / If-Modified-Since with 304 Not Modified."));
    } else if x.revalidated == Some(false) {
        out.push(f("validators-ignored", "The feed has an ETag or Last-Modified header, but asking again with them still returns the whole feed instead of 304 Not Modified.".into(),
            "Make the server (or its cache plugin) answer conditional requests with 304 when the feed has not changed."));
    }
    match x.content_type.as_deref().map(|c| c.split(';').next().unwrap_or("").trim().to_ascii_lowercase()) {
        None => out.push(f("no-content-type", "The feed is sent without a Content-Type.".into(),
            "Send application/rss+xml, application/atom+xml or application/feed+json.")),
        Some(t) if !(t.contains("xml") || t.contains("json") || t == "text/plain") => out.push(f("wrong-content-type",
            format!("The feed is sent as {t}, which is not a feed type."),
            "Send application/rss+xml, application/atom+xml (or application/xml) or application/feed+json.")),
        _ => {}
    }
    if let Some(m) = &x.moved_to {
        out.push(f(
            "moved",
            format!("The feed has moved permanently to {m}."),
            "Nothing to fix on your side; tell the network so that it uses the new address.",
        ));
    }
    if x.requested.starts_with("http://")
        && x.final_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    {
        out.push(f(
            "http-to-https",
            "The feed's http:// address redirects to https://.".into(),
            "Publish the https:// address as the feed's address.",
        ));
    }
    if x.millis > 5_000 {
        out.push(f(
            "slow",
            format!("The feed took {:.1} s to arrive.", x.millis as f64 / 1000.0),
            "Cache the feed (most CMSs have a plugin) so that it is not rebuilt on every request.",
        ));
    }
    if x.bytes > 2 << 20 {
        out.push(f(
            "large",
            format!("The feed is {} KB.", x.bytes / 1024),
            "Publish fewer items (the newest 20-50) or summaries instead of full texts.",
        ));
    }
    out
}

/// The findings of the document and its items.
pub fn document(body: &[u8], parsed: &Parsed, now: DateTime<Utc>) -> Vec<Finding> {
    let mut out = Vec::new();
    let head = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    if head > 0 && body[head..].starts_with(b"<?xml") {
        out.push(f("space-before-xml-declaration", "The feed starts with blank space before <?xml ...?>, which makes it invalid XML (often a blank line in a PHP file or theme).".into(),
            "Remove the blank line or space before <?xml (look at the end of functions.php or wp-config.php)."));
    }
    if let Some(w) = &parsed.warning {
        out.push(f("charset", w.clone(), "Declare the real encoding in the XML declaration and the Content-Type header (UTF-8 is best)."));
    }
    for r in &parsed.recovered {
        out.push(f("ill-formed", format!("The XML is broken: {r}. feedbraid recovered, stricter readers will not."),
            "Check the feed with the W3C Feed Validation Service and fix what it names at that line."));
    }
    out.extend(items(&parsed.feed.items, now));
    out
}

fn items(items: &[RawItem], now: DateTime<Utc>) -> Vec<Finding> {
    let mut out = Vec::new();
    let no_id = items
        .iter()
        .filter(|i| i.id.as_deref().is_none_or(|s| s.trim().is_empty()))
        .count();
    if no_id > 0 {
        out.push(f(
            "missing-id",
            format!("{no_id} item(s) have no id (guid / atom:id)."),
            "Give every item a permanent, unique <guid> (RSS) or <id> (Atom).",
        ));
    }
    let mut ids: Vec<&str> = items.iter().filter_map(|i| i.id.as_deref()).collect();
    ids.sort_unstable();
    let dup = ids.windows(2).filter(|w| w[0] == w[1]).count();
    if dup > 0 {
        out.push(f(
            "duplicate-id",
            format!("{dup} id(s) are used by more than one item."),
            "Make each item's id unique: readers treat items with the same id as one.",
        ));
    }
    let undated = items
        .iter()
        .filter(|i| i.published.is_none() && i.updated.is_none())
        .count();
    if undated > 0 {
        out.push(f("missing-date", format!("{undated} item(s) have no date, or a date that cannot be read."), "Give every item a <pubDate> in RFC 822 form (Mon, 05 Jan 2026 10:00:00 GMT) or an Atom <updated>."));
    }
    let future = items
        .iter()
        .filter(|i| {
            i.published
                .or(i.updated)
                .is_some_and(|d| d > now + chrono::Duration::days(1))
        })
        .count();
    if future > 0 {
        out.push(f(
            "future-date",
            format!("{future} item(s) are dated in the future."),
            "Check the server's clock and time zone, and the dates the CMS writes.",
        ));
    }
    let tracked = items
        .iter()
        .filter(|i| {
            i.links
                .iter()
                .any(|l| l.href.contains("utm_") || l.href.contains("fbclid="))
        })
        .count();
    if tracked > 0 {
        out.push(f(
            "tracking-parameters",
            format!("{tracked} item link(s) carry tracking parameters (utm_..., fbclid)."),
            "Publish the plain link; readers' privacy matters, and feedbraid removes them anyway.",
        ));
    }
    let relative = items
        .iter()
        .filter(|i| {
            i.links
                .iter()
                .any(|l| !l.href.contains("://") && !l.href.is_empty())
        })
        .count();
    if relative > 0 {
        out.push(f(
            "relative-links",
            format!("{relative} item(s) link with a relative address."),
            "Write absolute links (https://...) in the feed, or set xml:base.",
        ));
    }
    let marked = items
        .iter()
        .filter(|i| {
            i.title
                .as_ref()
                .is_some_and(|t| t.value.contains('<') && t.value.contains('>'))
        })
        .count();
    if marked > 0 {
        out.push(f(
            "title-markup",
            format!("{marked} title(s) hold HTML markup."),
            "Write titles as plain text.",
        ));
    }
    out
}
