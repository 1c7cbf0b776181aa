//! Field readers both XML adapters use, kept apart so neither adapter imports the other: RSS
//! carries Atom's `<atom:link>`, and Atom entries carry Dublin Core's `dc:creator`, an RSS-style
//! author string.

use super::model::{RawLink, RawPerson};
use super::xml::Element;

/// An Atom `<link>` (also read inside RSS, as `atom:link`).
pub(super) fn link(l: &Element) -> Option<RawLink> {
    let href = l.attr("href").map(str::trim).filter(|h| !h.is_empty())?;
    Some(RawLink {
        href: href.to_string(),
        rel: l
            .attr("rel")
            .map(str::trim)
            .filter(|r| !r.is_empty() && *r != "alternate")
            .map(str::to_string),
        mime_type: l.attr("type").map(|t| t.trim().to_string()),
        hreflang: l.attr("hreflang").map(|t| t.trim().to_string()),
        title: l.attr("title").map(str::to_string),
        length: l.attr("length").and_then(|n| n.trim().parse().ok()),
    })
}

/// An RSS author field: `email (Name)`, `Name <email>`, a bare address or a name.
pub(super) fn person_text(raw: &str) -> RawPerson {
    let s = raw.trim();
    if let Some((email, rest)) = s.split_once('(')
        && let Some(name) = rest.trim_end().strip_suffix(')')
        && email.contains('@')
    {
        return RawPerson {
            name: Some(name.trim().to_string()).filter(|n| !n.is_empty()),
            email: Some(email.trim().to_string()),
            uri: None,
        };
    }
    if let Some((name, rest)) = s.split_once('<')
        && let Some(email) = rest.trim_end().strip_suffix('>')
        && email.contains('@')
    {
        return RawPerson {
            name: Some(name.trim().trim_matches('"').to_string()).filter(|n| !n.is_empty()),
            email: Some(email.trim().to_string()),
            uri: None,
        };
    }
    if s.contains('@') && !s.contains(' ') {
        return RawPerson {
            email: Some(s.to_string()),
            ..RawPerson::default()
        };
    }
    RawPerson {
        name: Some(s.to_string()).filter(|n| !n.is_empty()),
        ..RawPerson::default()
    }
}

#[cfg(test)]
mod tests {
    use super::{link, person_text};
    use crate::ingest::parse::xml;

    fn person(name: Option<&str>, email: Option<&str>) -> crate::ingest::parse::RawPerson {
        crate::ingest::parse::RawPerson {
            name: name.map(str::to_string),
            email: email.map(str::to_string),
            uri: None,
        }
    }

    #[test]
    fn person_text_reads_every_rss_author_spelling() {
        let p = person_text;
        assert_eq!(
            p(" jo@example.org (Jo Bloggs) "),
            person(Some("Jo Bloggs"), Some("jo@example.org"))
        );
        assert_eq!(
            p("\"Jo Bloggs\" <jo@example.org>"),
            person(Some("Jo Bloggs"), Some("jo@example.org"))
        );
        assert_eq!(p("jo@example.org"), person(None, Some("jo@example.org")));
        assert_eq!(p("Jo Bloggs"), person(Some("Jo Bloggs"), None));
        // Parentheses without an address are part of a name.
        assert_eq!(p("Jo (editor)"), person(Some("Jo (editor)"), None));
        assert_eq!(p("  "), person(None, None));
    }

    #[test]
    fn link_trims_and_drops_the_alternate_rel() {
        let doc = xml::parse(
            r#"<feed><link href=" https://a.example/x " rel="alternate" type=" text/html " length=" 12 "/><link rel="self"/></feed>"#,
        )
        .expect("parses");
        let mut links = doc.root.elements().map(link);
        let first = links.next().flatten().expect("a link");
        assert_eq!(first.href, "https://a.example/x");
        assert_eq!(first.rel, None);
        assert_eq!(first.mime_type.as_deref(), Some("text/html"));
        assert_eq!(first.length, Some(12));
        assert_eq!(links.next(), Some(None), "a link without href is no link");
    }
}
