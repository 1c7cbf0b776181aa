//! `partners.opml`: the enabled partners as an OPML 2.0 subscription list, written with quick-xml's
//! writer. Deterministic (no dates, config order), so an unchanged config gives unchanged bytes.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use url::Url;

use crate::config::{Config, Location, Source};

/// The OPML could not be written (in practice only an allocation-level I/O failure).
#[derive(Debug, thiserror::Error)]
#[error("writing partners.opml: {0}")]
pub struct ExportError(#[from] std::io::Error);

/// OPML 2.0 listing every enabled `url` source (or, when there is none, the network's own feed,
/// since OPML 2.0 requires at least one outline): `text` and `title` (the name), `type="rss"`,
/// `xmlUrl`, `htmlUrl` (the `homepage`), `language` and `category` (the tags, as `/tag` paths)
/// where known. User names and passwords are removed from URLs. `path` sources are left out: a
/// file on the server is not something a subscriber can follow.
pub fn partners_opml(cfg: &Config) -> Result<Vec<u8>, ExportError> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.write_event(Event::Start(
        BytesStart::new("opml").with_attributes([("version", "2.0")]),
    ))?;
    w.write_event(Event::Start(BytesStart::new("head")))?;
    text_element(&mut w, "title", &cfg.feed.title)?;
    let author = &cfg.feed.author;
    text_element(&mut w, "ownerName", &author.name)?;
    if let Some(email) = &author.email {
        text_element(&mut w, "ownerEmail", email)?;
    }
    if let Some(uri) = &author.uri {
        text_element(&mut w, "ownerId", uri)?;
    }
    text_element(&mut w, "docs", "https://opml.org/spec2.opml")?;
    w.write_event(Event::End(BytesEnd::new("head")))?;
    let partners: Vec<(&Source, &Url)> = cfg
        .sources
        .iter()
        .filter(|s| s.enabled)
        .filter_map(|s| match &s.location {
            Location::Url(u) => Some((s, u)),
            Location::Path(_) => None,
        })
        .collect();
    w.write_event(Event::Start(BytesStart::new("body")))?;
    if partners.is_empty() {
        // OPML 2.0 requires at least one outline: with no partner a subscriber could follow,
        // the list holds the network's own combined feed.
        w.write_event(Event::Empty(own_feed(cfg)))?;
    }
    for (s, url) in partners {
        w.write_event(Event::Empty(outline(s, url)))?;
    }
    w.write_event(Event::End(BytesEnd::new("body")))?;
    w.write_event(Event::End(BytesEnd::new("opml")))?;
    let mut out = w.into_inner();
    out.push(b'\n');
    Ok(out)
}

/// The outline of the combined feed itself.
fn own_feed(cfg: &Config) -> BytesStart<'_> {
    let mut o = BytesStart::new("outline");
    o.push_attribute(("text", cfg.feed.title.as_str()));
    o.push_attribute(("title", cfg.feed.title.as_str()));
    o.push_attribute(("type", "rss"));
    o.push_attribute(("xmlUrl", public(&cfg.feed.self_url).as_str()));
    o.push_attribute(("htmlUrl", public(&cfg.feed.link).as_str()));
    if let Some(lang) = &cfg.feed.language {
        o.push_attribute(("language", lang.as_str()));
    }
    o
}

fn outline<'a>(s: &'a Source, url: &Url) -> BytesStart<'a> {
    let mut o = BytesStart::new("outline");
    o.push_attribute(("text", s.name.as_str()));
    o.push_attribute(("title", s.name.as_str()));
    o.push_attribute(("type", "rss"));
    o.push_attribute(("xmlUrl", public(url).as_str()));
    if let Some(home) = &s.homepage {
        o.push_attribute(("htmlUrl", public(home).as_str()));
    }
    if let Some(lang) = &s.language {
        o.push_attribute(("language", lang.as_str()));
    }
    if !s.tags.is_empty() {
        o.push_attribute(("category", category(&s.tags).as_str()));
    }
    o
}

/// The URL without `user:password@`.
fn public(url: &Url) -> String {
    let mut u = url.clone();
    // Both only fail for URLs that cannot have credentials, which then have none to remove.
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.into()
}

/// OPML 2.0's category syntax: comma-separated, slash-prefixed (`/Thailand,/Partner news`). A
/// comma inside a tag cannot be written, so it becomes a space.
fn category(tags: &[String]) -> String {
    tags.iter()
        .map(|t| format!("/{}", t.replace(',', " ").trim()))
        .collect::<Vec<_>>()
        .join(",")
}

fn text_element(w: &mut Writer<Vec<u8>>, name: &str, text: &str) -> std::io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))?;
    w.write_event(Event::Text(BytesText::new(text)))?;
    w.write_event(Event::End(BytesEnd::new(name)))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::partners_opml;
    use crate::config::Config;

    const CFG: &str = r#"
[feed]
title = "Net & work"
id = "tag:ex.org,2026:feed"
link = "https://ex.org/"
self_url = "https://ex.org/feed.atom"
author = { name = "Secretariat <ops>", uri = "https://ex.org/about/" }

[[source]]
name = "Empower \"Foundation\""
url = "https://user:secret@empower.example.org/feed/?a=1&b=2"
homepage = "https://empower.example.org/"
language = "th"
tags = ["anti-trafficking", "Thailand"]

[[source]]
name = "Off"
url = "https://off.example.org/feed"
enabled = false

[[source]]
name = "Local file"
path = "partners/x.xml"

[[source]]
name = "Bare"
url = "http://bare.example.org/rss"
"#;

    fn export() -> String {
        let cfg = Config::parse(CFG, Path::new("/tmp/feeds.toml")).expect("config");
        String::from_utf8(partners_opml(&cfg).expect("export")).expect("utf-8")
    }

    #[test]
    fn lists_enabled_url_sources_with_their_attributes() {
        let x = export();
        assert!(
            x.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{x}"
        );
        assert!(x.contains("<opml version=\"2.0\">"), "{x}");
        assert!(x.contains("<title>Net &amp; work</title>"), "{x}");
        assert!(
            x.contains("<ownerName>Secretariat &lt;ops&gt;</ownerName>"),
            "{x}"
        );
        assert!(
            x.contains("<ownerId>https://ex.org/about/</ownerId>"),
            "{x}"
        );
        assert!(x.contains(
            r#"<outline text="Empower &quot;Foundation&quot;" title="Empower &quot;Foundation&quot;" type="rss" xmlUrl="https://empower.example.org/feed/?a=1&amp;b=2" htmlUrl="https://empower.example.org/" language="th" category="/anti-trafficking,/Thailand"/>"#
        ), "{x}");
        assert!(x.contains(
            r#"<outline text="Bare" title="Bare" type="rss" xmlUrl="http://bare.example.org/rss"/>"#
        ), "{x}");
        assert!(!x.contains("secret"), "credentials leaked: {x}");
        assert!(!x.contains("Off"), "disabled source listed: {x}");
        assert!(!x.contains("Local file"), "path source listed: {x}");
        assert!(!x.contains("dateCreated"), "{x}");
    }

    #[test]
    fn with_no_partner_to_list_the_body_holds_the_network_s_own_feed() {
        // Description: only `path` partners (the shipped example). Expect: a valid OPML 2.0 body
        // with one outline, the combined feed, never an empty `<body/>`.
        let cfg = Config::parse(
            "[feed]\ntitle = \"Net\"\nid = \"tag:ex.org,2026:net\"\nlink = \"https://ex.org/\"\n\
             self_url = \"https://ex.org/feed.atom\"\nlanguage = \"en\"\n[feed.author]\nname = \"Sec\"\n\
             [[source]]\nname = \"File\"\npath = \"partners/x.xml\"\n",
            Path::new("/tmp/feeds.toml"),
        )
        .expect("config");
        let x = String::from_utf8(partners_opml(&cfg).expect("export")).expect("utf-8");
        assert!(!x.contains("<body/>"), "{x}");
        assert!(
            x.contains(r#"<outline text="Net" title="Net" type="rss" xmlUrl="https://ex.org/feed.atom" htmlUrl="https://ex.org/" language="en"/>"#),
            "{x}"
        );
        assert_eq!(x.matches("<outline").count(), 1, "{x}");
    }

    #[test]
    fn is_deterministic() {
        assert_eq!(export(), export());
    }
}
