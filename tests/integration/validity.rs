//! The combined feed built from every fixture obeys the Atom 1.0 rules the W3C Feed Validation
//! Service checks (those that can be checked locally), contains no active content, and is
//! byte-identical across runs.

use std::collections::HashSet;

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::{Reply, Server, Setup, fixture};

const FIXTURES: &[&str] = &[
    "rss2-wordpress.xml",
    "atom-xmlbase.xml",
    "rss1-rdf.xml",
    "thai-874.xml",
    "latin1-declared-utf8.xml",
    "hostile.xml",
    "crosspost-a.xml",
    "crosspost-b.xml",
    "embeds.xml",
    "charsets/big5.xml",
    "charsets/gb18030.xml",
    "charsets/utf-16le-bom.xml",
    "charsets/utf-16be-nobom.xml",
    "charsets/windows-1252.xml",
    "charsets/utf8-declared-latin1.xml",
    "legacy-atom03.xml",
    "legacy-rss090.xml",
    "json-feed.json",
];

fn is_rfc3339(s: &str) -> bool {
    chrono::DateTime::parse_from_rfc3339(s).is_ok() && s.len() >= 20 && s.as_bytes()[10] == b'T'
}

/// An absolute IRI as RFC 3987 (and the W3C validator's `InvalidUriChar`) has it: no character
/// it forbids after the authority, and every `%` an escape.
pub fn is_absolute_iri(s: &str) -> bool {
    let after_authority = s.find("://").map_or(s, |i| {
        s[i + 3..]
            .find(['/', '?', '#'])
            .map_or("", |j| &s[i + 3 + j..])
    });
    let bytes = after_authority.as_bytes();
    let percent_ok = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'%'
            || (i + 2 < bytes.len()
                && bytes[i + 1].is_ascii_hexdigit()
                && bytes[i + 2].is_ascii_hexdigit())
    });
    url::Url::parse(s)
        .is_ok_and(|u| matches!(u.scheme(), "http" | "https" | "tag" | "urn" | "mailto"))
        && !s.contains(char::is_whitespace)
        && !after_authority.contains(['"', '<', '>', '[', ']', '\\', '^', '`', '{', '|', '}'])
        && percent_ok
}

/// An RFC 5322 addr-spec, roughly: one `@`, something on each side, nothing a display name or a
/// list would add.
fn is_addr_spec(s: &str) -> bool {
    s.split('@').count() == 2
        && !s.starts_with('@')
        && !s.ends_with('@')
        && !s.contains([' ', '<', '>', ',', '(', ')', ';'])
        && !s.contains("..")
}

#[derive(Default, Debug)]
struct Scope {
    ids: usize,
    titles: usize,
    updated: usize,
    authors: usize,
    alternate: usize,
}

/// Walks the feed and returns every violation found.
pub fn violations(xml: &str) -> Vec<String> {
    let mut v = Vec::new();
    let mut r = Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let (mut feed, mut entry) = (Scope::default(), Scope::default());
    let mut self_link = false;
    let mut ids = HashSet::new();
    let mut text_for: Option<String> = None;
    let mut buf = String::new();
    loop {
        let ev = match r.read_event() {
            Ok(e) => e,
            Err(e) => {
                v.push(format!("not well-formed: {e}"));
                break;
            }
        };
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let in_entry = path.iter().any(|p| p == "entry");
                let in_source = path.iter().any(|p| p == "source");
                let attrs: Vec<(String, String)> = e
                    .attributes()
                    .flatten()
                    .map(|a| {
                        (
                            String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .map(|c| c.into_owned())
                                .unwrap_or_default(),
                        )
                    })
                    .collect();
                let attr = |k: &str| attrs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
                if name == "link" {
                    let href = attr("href").unwrap_or_default();
                    if !is_absolute_iri(&href) {
                        v.push(format!("relative or bad link href {href:?}"));
                    }
                    let rel = attr("rel").unwrap_or_else(|| "alternate".into());
                    if rel == "enclosure" && (attr("type").is_none()) {
                        v.push(format!("enclosure without type: {href}"));
                    }
                    if !in_source {
                        if in_entry && rel == "alternate" {
                            entry.alternate += 1;
                        } else if !in_entry && rel == "alternate" {
                            feed.alternate += 1;
                        } else if !in_entry && rel == "self" {
                            self_link = true;
                        }
                    }
                }
                if name == "entry" {
                    entry = Scope::default();
                }
                if !in_source {
                    let scope = if in_entry || name == "entry" {
                        &mut entry
                    } else {
                        &mut feed
                    };
                    match name.as_str() {
                        "author" => scope.authors += 1,
                        "id" | "title" | "updated" | "published" | "email" | "uri" => {
                            text_for = Some(name.clone())
                        }
                        _ => {}
                    }
                } else if matches!(name.as_str(), "id" | "updated") {
                    text_for = Some(format!("source-{name}"));
                }
                if matches!(ev, Event::Start(_)) {
                    path.push(name);
                }
            }
            Event::Text(t) if text_for.is_some() => {
                buf.push_str(&t.decode().map(|c| c.into_owned()).unwrap_or_default());
            }
            Event::GeneralRef(r) if text_for.is_some() => {
                let name = r.decode().map(|c| c.into_owned()).unwrap_or_default();
                buf.push_str(match name.as_str() {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "\u{FFFD}",
                });
            }
            Event::End(_) if text_for.is_some() => {
                let text = std::mem::take(&mut buf);
                let in_entry = path.iter().any(|p| p == "entry");
                path.pop();
                if let Some(field) = text_for.take() {
                    let scope = if in_entry { &mut entry } else { &mut feed };
                    match field.as_str() {
                        "id" => {
                            scope.ids += 1;
                            if !is_absolute_iri(&text) {
                                v.push(format!("id is not an absolute IRI: {text:?}"));
                            }
                            if in_entry && !ids.insert(text.clone()) {
                                v.push(format!("duplicate entry id {text}"));
                            }
                        }
                        "title" => scope.titles += usize::from(!text.trim().is_empty()),
                        "updated" | "published" | "source-updated" => {
                            scope.updated += usize::from(field == "updated");
                            if !is_rfc3339(&text) {
                                v.push(format!("{field} is not RFC 3339: {text:?}"));
                            }
                        }
                        "email" if !is_addr_spec(&text) => {
                            v.push(format!("email is not an addr-spec: {text:?}"))
                        }
                        "uri" if !is_absolute_iri(&text) => {
                            v.push(format!("uri is not an absolute IRI: {text:?}"))
                        }
                        "source-id" if !is_absolute_iri(&text) => {
                            v.push(format!("source id not absolute: {text}"))
                        }
                        _ => {}
                    }
                }
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                if name == "entry" {
                    let e = &entry;
                    if e.ids != 1
                        || e.titles != 1
                        || e.updated != 1
                        || e.alternate == 0
                        || e.authors == 0
                    {
                        v.push(format!("entry missing required elements: {e:?}"));
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if feed.ids != 1
        || feed.titles != 1
        || feed.updated != 1
        || feed.authors == 0
        || feed.alternate == 0
        || !self_link
    {
        v.push(format!(
            "feed missing required elements: {feed:?}, self: {self_link}"
        ));
    }
    v
}

#[test]
fn combined_feed_from_every_fixture_is_valid_atom_and_stable() {
    let server = Server::start();
    let mut sources = Vec::new();
    for (i, f) in FIXTURES.iter().enumerate() {
        server.route(
            &format!("/{i}"),
            vec![Reply::ok(fixture(f), "application/xml")],
        );
        sources.push((format!("fixture-{i}"), server.url(&format!("/{i}"))));
    }
    let s = Setup::new(&sources, "");
    let report = s.run().expect("run");
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
    let xml = s.feed();
    let problems = violations(&xml);
    assert!(problems.is_empty(), "{problems:#?}");
    // The legacy formats feed-rs alone reads as empty come through.
    assert!(
        xml.contains("<title>Atom 0.3 entry</title>")
            && xml.contains("<published>2025-11-01T10:00:00+00:00</published>"),
        "Atom 0.3"
    );
    assert!(
        xml.contains("Legacy &lt;b&gt;content&lt;/b&gt;"),
        "Atom 0.3 escaped content"
    );
    assert!(xml.contains("<title>RSS 0.90 item two</title>"), "RSS 0.90");
    let n = crate::reparse(&xml).entries.len();
    assert!(n >= 30, "{n} entries");
    let lower = xml.to_lowercase();
    for bad in [
        "&lt;script",
        "javascript:",
        " onerror",
        " onload",
        " onclick",
        "&lt;object",
        "&lt;embed",
        "&lt;form",
    ] {
        assert!(!lower.contains(bad), "{bad}");
    }
    // Every fixture is fetched and parsed again (no validators are sent back: none were given);
    // undated items keep their first-seen time from the state, so the output is byte-identical.
    std::fs::remove_file(s.out().join("feed.atom")).expect("rm");
    s.run().expect("run 2");
    let again = s.feed();
    std::fs::remove_file(s.out().join("feed.atom")).expect("rm");
    s.run().expect("run 3");
    assert_eq!(again, s.feed(), "byte-identical");
}

#[test]
fn the_checker_itself_catches_violations() {
    let bad = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>x</id><updated>2026-01-01</updated>\
               <entry><title>a</title><id>tag:a,2026:1</id><updated>2026-01-01T00:00:00Z</updated><link href=\"/rel\"/></entry>\
               <entry><title>b</title><id>tag:a,2026:1</id><updated>2026-01-01T00:00:00Z</updated></entry></feed>";
    let v = violations(bad).join("\n");
    for expected in [
        "id is not an absolute IRI",
        "not RFC 3339",
        "relative or bad link",
        "duplicate entry id",
        "entry missing",
        "feed missing",
    ] {
        assert!(v.contains(expected), "{expected} not caught:\n{v}");
    }
    let iri = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><author><name>n</name>\
               <email>editor at example dot org</email><uri>https://ex.org/a|b</uri></author>\
               <link href=\"https://ex.org/p?a[]=1\"/></entry></feed>";
    let v = violations(iri).join("\n");
    for expected in [
        "email is not an addr-spec",
        "uri is not an absolute IRI",
        "relative or bad link href \"https://ex.org/p?a[]=1\"",
    ] {
        assert!(v.contains(expected), "{expected} not caught:\n{v}");
    }
    assert!(is_absolute_iri("https://[2001:db8::1]/a%5B%5D?x=%E0%B8%81"));
    assert!(!is_absolute_iri("https://ex.org/a%zz"));
}
