//! Entries in, Atom bytes out (atom_syndication; the JSON Feed is `json_feed`, the HTML pages
//! `html`). Pure and deterministic: the same entries give the same bytes;
//! the feed's `updated` is its newest entry's, never the clock.
//!
//! atom_syndication has no `xml:lang` on `<entry>` and no `<?xml-stylesheet?>`; both are added by
//! streaming its output through quick-xml events and writing it back with a quick-xml writer.

use atom_syndication::{
    Category, Content, Entry as AtomEntry, Feed, FixedDateTime, Generator, Link,
    Person as AtomPerson, Source, Text,
};
use chrono::{DateTime, Utc};
use quick_xml::events::{BytesDecl, BytesEnd, BytesPI, BytesStart, BytesText, Event};
use quick_xml::{Reader, Writer};

use crate::config::FeedMeta;
use crate::model::Tombstone;
use crate::model::{Entry, Person};
use crate::text::xml::xml_safe;

/// Rendering failed: only possible on a bug (the writers write into memory). Each variant keeps
/// the writer's own error.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("rendering the feed failed: {0}")]
    Atom(#[from] atom_syndication::Error),
    #[error("rendering the feed failed: {0}")]
    Xml(#[from] quick_xml::Error),
    #[error("rendering the feed failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("rendering the feed failed: {0}")]
    Json(#[from] serde_json::Error),
    #[error("rendering the feed failed: {0}")]
    Rss(#[from] rss::Error),
}

fn fixed(d: DateTime<Utc>) -> FixedDateTime {
    d.fixed_offset()
}

fn person(p: &Person) -> AtomPerson {
    AtomPerson {
        name: xml_safe(&p.name),
        email: p.email.as_deref().map(xml_safe),
        uri: p.uri.clone(),
        ..AtomPerson::default()
    }
}

fn link(href: &str, rel: &str, mime: Option<&str>) -> Link {
    Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: mime.map(str::to_string),
        ..Link::default()
    }
}

fn html_text(v: &str) -> Text {
    Text::html(xml_safe(v))
}

/// The feed's `updated`: its newest entry's, or the Unix epoch for an empty feed.
pub fn feed_updated(entries: &[Entry]) -> DateTime<Utc> {
    entries
        .iter()
        .map(|e| e.updated)
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
}

fn entry(meta: &FeedMeta, e: &Entry) -> AtomEntry {
    let mut links = vec![Link {
        hreflang: e.link_lang.clone(),
        ..link(&e.link, "alternate", Some("text/html"))
    }];
    for enc in &e.enclosures {
        links.push(Link {
            href: enc.url.clone(),
            rel: "enclosure".into(),
            mime_type: Some(enc.mime_type.clone()),
            length: enc.length.map(|n| n.to_string()),
            title: enc.title.as_deref().map(xml_safe),
            hreflang: enc.language.clone(),
        });
    }
    for v in &e.via {
        links.push(link(v, "via", None));
    }
    // RFC 4946: the licence of this entry (its own, else its partner's).
    if let Some(l) = e.shown_license() {
        links.push(link(l, "license", None));
    }
    if let Some(uri) = e.credit.as_ref().and_then(|c| c.uri.as_deref()) {
        links.push(link(uri, "via", Some("text/html")));
    }
    let credit = e
        .credit
        .as_ref()
        .filter(|c| c.uri.is_some() || c.feed.is_some())
        .map(|c| {
            let mut links = Vec::new();
            if let Some(u) = &c.uri {
                links.push(link(u, "alternate", Some("text/html")));
            }
            if let Some(f) = &c.feed {
                links.push(link(f, "self", None));
            }
            Source {
                title: Text::plain(xml_safe(&c.name)),
                id: c.feed.clone().or_else(|| c.uri.clone()).unwrap_or_default(),
                updated: fixed(e.updated),
                links,
                ..Source::default()
            }
        });
    let source = e.source.as_ref().map(|s| {
        let mut links = Vec::new();
        if let Some(h) = &s.homepage {
            links.push(link(h, "alternate", Some("text/html")));
        }
        if let Some(f) = &s.feed_url {
            links.push(link(f, "self", None));
        }
        Source {
            title: Text::plain(xml_safe(&s.title)),
            id: s.id.clone(),
            updated: fixed(s.updated),
            links,
            rights: s.rights.as_deref().map(|r| Text::plain(xml_safe(r))),
            ..Source::default()
        }
    });
    let rights = e.shown_rights().map(|r| Text::plain(xml_safe(r)));
    let authors = if e.authors.is_empty() {
        vec![person(&meta.author)]
    } else {
        e.authors.iter().map(person).collect()
    };
    AtomEntry {
        title: Text::plain(xml_safe(&e.title)),
        id: e.id.clone(),
        updated: fixed(e.updated),
        published: e.published.map(fixed),
        authors,
        categories: e
            .categories
            .iter()
            .map(|c| Category {
                term: xml_safe(&c.term),
                label: c.label.as_deref().map(xml_safe),
                ..Category::default()
            })
            .collect(),
        links,
        summary: e.summary.as_deref().map(html_text),
        content: e.content.as_deref().map(|c| Content {
            value: Some(xml_safe(c)),
            content_type: Some("html".into()),
            ..Content::default()
        }),
        source: source.or(credit),
        rights,
        ..AtomEntry::default()
    }
}

/// Renders the Atom feed. `stylesheet`, when given, is referenced by an `<?xml-stylesheet?>` so
/// that browsers show a readable page instead of raw XML.
pub fn atom(
    meta: &FeedMeta,
    entries: &[Entry],
    stylesheet: Option<&str>,
) -> Result<Vec<u8>, RenderError> {
    atom_with_tombstones(meta, entries, stylesheet, &[])
}

/// [`atom()`], plus an RFC 6721 `<at:deleted-entry>` for each tombstone, after the entries.
pub fn atom_with_tombstones(
    meta: &FeedMeta,
    entries: &[Entry],
    stylesheet: Option<&str>,
    tombstones: &[Tombstone],
) -> Result<Vec<u8>, RenderError> {
    atom_document(meta, entries, stylesheet, tombstones, &History::default())
}

/// The namespace of RFC 5005 feed history (`<fh:archive/>`).
pub const HISTORY_NS: &str = "http://purl.org/syndication/history/1.0";

/// Where a document sits among the RFC 5005 archives: the links it carries, and whether it is an
/// archive document itself (`<fh:archive/>`). The default is none of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// An archive document, not the subscription document.
    pub archive: bool,
    /// `rel="prev-archive"`: the next older archive document.
    pub prev: Option<String>,
    /// `rel="next-archive"`: the next newer archive document.
    pub next: Option<String>,
    /// `rel="current"`: the subscription document (the main feed).
    pub current: Option<String>,
    /// The feed's `updated` when it has no entries (instead of the Unix epoch).
    pub empty_updated: Option<DateTime<Utc>>,
}

/// [`atom_with_tombstones`], placed among the archives as `history` says.
pub fn atom_document(
    meta: &FeedMeta,
    entries: &[Entry],
    stylesheet: Option<&str>,
    tombstones: &[Tombstone],
    history: &History,
) -> Result<Vec<u8>, RenderError> {
    let updated = match (entries.is_empty(), history.empty_updated) {
        (true, Some(d)) => d,
        _ => feed_updated(entries),
    };
    let nav = [
        ("prev-archive", &history.prev),
        ("next-archive", &history.next),
        ("current", &history.current),
    ];
    let mut feed = Feed {
        title: Text::plain(xml_safe(&meta.title)),
        id: meta.id.clone(),
        updated: fixed(updated),
        authors: vec![person(&meta.author)],
        generator: Some(Generator {
            value: "feedbraid".into(),
            uri: Some("https://github.com/feedbraid/feedbraid".into()),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        icon: meta.icon.as_ref().map(|u| u.to_string()),
        logo: meta.logo.as_ref().map(|u| u.to_string()),
        links: [
            link(meta.self_url.as_str(), "self", Some("application/atom+xml")),
            link(meta.link.as_str(), "alternate", Some("text/html")),
        ]
        .into_iter()
        // WebSub: subscribers learn the hubs here (§4 of the Recommendation).
        .chain(meta.hubs.iter().map(|h| link(h.as_str(), "hub", None)))
        .chain(nav.iter().filter_map(|(rel, href)| {
            href.as_deref()
                .map(|h| link(h, rel, Some("application/atom+xml")))
        }))
        .collect(),
        rights: meta.rights.as_deref().map(|r| Text::plain(xml_safe(r))),
        subtitle: meta.subtitle.as_deref().map(|s| Text::plain(xml_safe(s))),
        entries: entries.iter().map(|e| entry(meta, e)).collect(),
        lang: meta.language.clone(),
        ..Feed::default()
    };
    if history.archive {
        feed.namespaces.insert("fh".into(), HISTORY_NS.into());
        let marker = atom_syndication::extension::Extension {
            name: "fh:archive".into(),
            ..Default::default()
        };
        feed.extensions
            .entry("fh".into())
            .or_default()
            .insert("archive".into(), vec![marker]);
    }
    let config = atom_syndication::WriteConfig {
        write_document_declaration: false,
        indent_size: Some(2),
    };
    let raw = feed.write_with_config(Vec::new(), config)?;
    let langs: Vec<Option<&str>> = entries.iter().map(|e| e.language.as_deref()).collect();
    add_entry_langs(&raw, &langs, stylesheet, tombstones)
}

/// The namespace of RFC 6721 tombstones.
pub const TOMBSTONES_NS: &str = "http://purl.org/atompub/tombstones/1.0";

fn write_tombstones(
    w: &mut Writer<Vec<u8>>,
    tombstones: &[Tombstone],
) -> Result<(), quick_xml::Error> {
    for t in tombstones {
        let when = t.when.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let id = xml_safe(&t.id);
        let el = BytesStart::new("at:deleted-entry")
            .with_attributes([("ref", id.as_str()), ("when", when.as_str())]);
        w.get_mut().extend_from_slice(b"  ");
        match &t.comment {
            Some(c) => {
                w.write_event(Event::Start(el))?;
                w.write_event(Event::Start(BytesStart::new("at:comment")))?;
                w.write_event(Event::Text(BytesText::new(&xml_safe(c))))?;
                w.write_event(Event::End(BytesEnd::new("at:comment")))?;
                w.write_event(Event::End(BytesEnd::new("at:deleted-entry")))?;
            }
            None => w.write_event(Event::Empty(el))?,
        }
        w.get_mut().push(b'\n');
    }
    Ok(())
}

/// Copies the XML event by event, adding the declaration, the stylesheet PI and `xml:lang` on the
/// n-th `<entry>` (and nothing else: `<entry>` only appears at depth 1 in Atom).
fn add_entry_langs(
    raw: &[u8],
    langs: &[Option<&str>],
    stylesheet: Option<&str>,
    tombstones: &[Tombstone],
) -> Result<Vec<u8>, RenderError> {
    let mut reader = Reader::from_reader(raw);
    let mut w = Writer::new(Vec::with_capacity(raw.len() + langs.len() * 20));
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))?;
    w.get_mut().push(b'\n');
    if let Some(href) = stylesheet {
        let pi = format!(
            "xml-stylesheet type=\"text/xsl\" href=\"{}\"",
            crate::text::escape::escape(href)
        );
        w.write_event(Event::PI(BytesPI::new(pi)))?;
        w.get_mut().push(b'\n');
    }
    let (mut depth, mut n) = (0usize, 0usize);
    let mut buf = Vec::new();
    loop {
        let ev = reader.read_event_into(&mut buf)?;
        match ev {
            Event::Eof => break,
            Event::Start(start) => {
                depth += 1;
                if depth == 1 && !tombstones.is_empty() {
                    let mut s = start.into_owned();
                    s.push_attribute(("xmlns:at", TOMBSTONES_NS));
                    w.write_event(Event::Start(s))?;
                } else if depth == 2 && start.name().as_ref() == b"entry" {
                    let mut s = start.into_owned();
                    if let Some(Some(lang)) = langs.get(n) {
                        s.push_attribute(("xml:lang", *lang));
                    }
                    n += 1;
                    w.write_event(Event::Start(s))?;
                } else {
                    w.write_event(Event::Start(start))?;
                }
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    write_tombstones(&mut w, tombstones)?;
                }
                w.write_event(Event::End(end))?;
            }
            other => w.write_event(other)?,
        }
        buf.clear();
    }
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}
