//! Atom 1.0 (RFC 4287) and Atom 0.3 into the raw model. One adapter with a per-version name table,
//! as Miniflux has: 0.3's `issued`/`modified`/`tagline`/`copyright`/`url` and its `mode`
//! attribute are read as what they are, never rewritten in the text.
//!
//! Text constructs take any MIME type (RFC 4287 §4.1.3.3): `text/html` is HTML, other `text/*` is
//! text, XML types are inline XHTML published as HTML, anything else is base64; `src=` points to
//! the body elsewhere. One odd construct loses that field at most, never the feed.

use base64::Engine;

use super::common::{link, person_text};
use super::element::{Scope, trimmed};
use super::model::{Format, RawCategory, RawFeed, RawItem, RawPerson, RawText};
use super::ns::Ns;
use super::xml::Element;
use crate::ingest::dates::parse_lenient;

/// The element names that differ between the versions.
struct Names {
    ns: Ns,
    published: &'static [&'static str],
    updated: &'static [&'static str],
    rights: &'static str,
    uri: &'static str,
}

const V10: Names = Names {
    ns: Ns::Atom,
    published: &["published"],
    updated: &["updated"],
    rights: "rights",
    uri: "uri",
};

const V03: Names = Names {
    ns: Ns::Atom03,
    published: &["issued", "created"],
    updated: &["modified"],
    rights: "copyright",
    uri: "url",
};

/// Reads an Atom `<feed>` root; `scope` is the document's.
pub fn read(root: &Element, scope: &Scope) -> RawFeed {
    let v = if root.ns == Ns::Atom03 || root.attr("version") == Some("0.3") {
        &V03
    } else {
        &V10
    };
    let format = if v.ns == Ns::Atom03 {
        Format::Atom03
    } else {
        Format::Atom10
    };
    let ns = [v.ns, Ns::None];
    let feed_scope = root.scope(scope);
    let mut feed = RawFeed::new(format);
    feed.id = root.child_text(&ns, "id");
    feed.title = root.child(&ns, "title").and_then(|t| text_construct(t, v));
    feed.links = root.all(&ns, "link").filter_map(link).collect();
    feed.updated = date(root, v.updated, v).or_else(|| dc_date(root));
    feed.authors = root.all(&ns, "author").map(|a| person(a, v)).collect();
    feed.language = feed_scope.lang.clone().filter(|l| !l.is_empty());
    feed.rights = root
        .child(&ns, v.rights)
        .and_then(|t| text_construct(t, v))
        .map(|t| t.value);
    feed.image = root
        .child_text(&ns, "logo")
        .or_else(|| root.child_text(&ns, "icon"));
    feed.base = feed_scope.base.clone();
    feed.items = root
        .nested(&ns, "entry")
        .into_iter()
        .enumerate()
        .map(|(i, e)| entry(e, &feed_scope, v, i))
        .collect();
    feed
}

fn entry(e: &Element, outer: &Scope, v: &Names, position: usize) -> RawItem {
    let ns = [v.ns, Ns::None];
    let scope = e.scope(outer);
    let content_el = e.child(&ns, "content");
    let mut item = RawItem {
        position,
        id: e.child_text(&ns, "id"),
        title: e
            .child(&ns, "title")
            .and_then(|t| text_construct(t, v))
            .or_else(|| e.child_text(&[Ns::Dc], "title").map(RawText::text)),
        links: e.all(&ns, "link").filter_map(link).collect(),
        summary: e.child(&ns, "summary").and_then(|t| text_construct(t, v)),
        content: content_el.and_then(|t| text_construct(t, v)),
        content_src: content_el.and_then(|c| c.attr("src")).map(str::to_string),
        published: date(e, v.published, v).or_else(|| dc_date(e)),
        updated: date(e, v.updated, v),
        authors: e
            .all(&ns, "author")
            .map(|a| person(a, v))
            .chain(e.all(&[Ns::Dc], "creator").map(|c| person_text(&c.text())))
            .collect(),
        categories: e
            .all(&ns, "category")
            .filter_map(|c| {
                let term = c.attr("term").unwrap_or_default().trim().to_string();
                let label = c.attr("label").map(|l| l.trim().to_string());
                let term = if term.is_empty() { c.text() } else { term };
                (!term.trim().is_empty()).then(|| RawCategory {
                    term: term.trim().to_string(),
                    label: label.filter(|l| !l.is_empty()),
                })
            })
            .chain(e.all(&[Ns::Dc], "subject").map(|s| RawCategory {
                term: trimmed(s.text()),
                label: None,
            }))
            .collect(),
        language: scope
            .lang
            .clone()
            .filter(|l| !l.is_empty())
            .or_else(|| e.child_text(&[Ns::Dc], "language")),
        base: content_el.map_or_else(|| scope.base.clone(), |c| c.scope(&scope).base),
        rights: e
            .child(&ns, v.rights)
            .and_then(|t| text_construct(t, v))
            .or_else(|| e.child_text(&[Ns::Dc], "rights").map(RawText::text))
            .map(|t| t.value),
        ..RawItem::default()
    };
    item.license = item
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some("license"))
        .map(|l| l.href.clone());
    item
}

fn person(p: &Element, v: &Names) -> RawPerson {
    let ns = [v.ns, Ns::None];
    RawPerson {
        name: p
            .child_text(&ns, "name")
            .or_else(|| Some(trimmed(p.text())).filter(|t| !t.is_empty() && !p.has_markup())),
        email: p.child_text(&ns, "email"),
        uri: p
            .child_text(&ns, v.uri)
            .or_else(|| p.child_text(&ns, "uri")),
    }
}

fn date(e: &Element, names: &[&str], v: &Names) -> Option<chrono::DateTime<chrono::Utc>> {
    names
        .iter()
        .find_map(|n| e.child_text(&[v.ns, Ns::None], n))
        .and_then(|t| parse_lenient(&t))
}

fn dc_date(e: &Element) -> Option<chrono::DateTime<chrono::Utc>> {
    e.child_text(&[Ns::Dc, Ns::DcTerms], "date")
        .or_else(|| e.child_text(&[Ns::DcTerms], "issued"))
        .and_then(|t| parse_lenient(&t))
}

/// A text construct of either version, or `None` when it is empty or cannot be read.
fn text_construct(el: &Element, v: &Names) -> Option<RawText> {
    if el.attr("src").is_some() && el.text().trim().is_empty() {
        return None;
    }
    let ty = el
        .attr("type")
        .map(|t| t.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let mode = el.attr("mode").map(|m| m.trim().to_ascii_lowercase());
    let mime = ty.split(';').next().unwrap_or_default().trim().to_string();
    let is_xml_type =
        mime == "xhtml" || mime == "xml" || mime.ends_with("+xml") || mime.ends_with("/xml");
    let is_html_type = mime == "html" || mime == "text/html";
    let is_text_type = mime.is_empty() || mime == "text" || mime.starts_with("text/");
    let html_or_text = |s: String| {
        if is_html_type || is_xml_type {
            RawText::html(s)
        } else {
            RawText::text(s)
        }
    };
    let value = match mode.as_deref() {
        Some("base64") => html_or_text(base64_text(&el.text())?),
        Some("escaped") => html_or_text(el.text()),
        // 0.3's default mode is xml; 1.0 has no mode. Inline markup is HTML whatever the type.
        _ if el.has_markup() => RawText::html(xhtml_body(el)),
        _ if is_xml_type || is_html_type => RawText::html(el.text()),
        _ if is_text_type => RawText::text(el.text()),
        _ if v.ns == Ns::Atom03 => RawText::text(el.text()),
        // Any other MIME type is base64 (§4.1.3.3); only text can be published.
        _ => RawText::text(base64_text(&el.text())?),
    };
    Some(value).filter(|t| !t.value.trim().is_empty())
}

/// Inline XHTML: the content of the wrapping `<div>` when there is one.
fn xhtml_body(el: &Element) -> String {
    let mut kids = el.elements();
    match (kids.next(), kids.next()) {
        (Some(div), None)
            if div.name.eq_ignore_ascii_case("div")
                && el
                    .children
                    .iter()
                    .all(|c| !matches!(c, super::xml::Node::Text(t) if !t.trim().is_empty())) =>
        {
            div.inner_html()
        }
        _ => el.inner_html(),
    }
}

fn base64_text(s: &str) -> Option<String> {
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::read;
    use crate::ingest::parse::{Format, RawFeed, RawText, Scope, TextKind, xml};

    fn feed(doc: &str) -> RawFeed {
        let doc = xml::parse(doc).expect("parses");
        let base = url::Url::parse("https://a.example/feeds/atom.xml").expect("url");
        read(&doc.root, &Scope::document(Some(&base)))
    }

    fn entry(inner: &str) -> crate::ingest::parse::RawItem {
        let f = feed(&format!(
            r#"<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"><title>T</title><entry>{inner}</entry></feed>"#
        ));
        assert_eq!(f.format, Format::Atom10);
        f.items.into_iter().next().expect("one entry")
    }

    fn kind_value(t: Option<&RawText>) -> Option<(TextKind, &str)> {
        t.map(|t| (t.kind, t.value.as_str()))
    }

    #[test]
    fn text_constructs_follow_their_type() {
        let e = entry(
            r#"<title type="html">a &lt;b&gt;bold&lt;/b&gt; claim</title>
               <summary type="text">1 &lt; 2</summary>
               <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Hi <em>there</em></p></div></content>"#,
        );
        assert_eq!(
            kind_value(e.title.as_ref()),
            Some((TextKind::Html, "a <b>bold</b> claim"))
        );
        assert_eq!(
            kind_value(e.summary.as_ref()),
            Some((TextKind::Text, "1 < 2"))
        );
        assert_eq!(
            kind_value(e.content.as_ref()),
            Some((TextKind::Html, "<p>Hi <em>there</em></p>"))
        );
    }

    #[test]
    fn other_mime_types_are_base64_and_src_points_elsewhere() {
        let e = entry(
            r#"<title>t</title><summary type="application/octet-stream">aGVsbG8=</summary>
               <content src="/body.html" type="text/html"/>"#,
        );
        assert_eq!(
            kind_value(e.summary.as_ref()),
            Some((TextKind::Text, "hello"))
        );
        assert_eq!(e.content, None);
        assert_eq!(e.content_src.as_deref(), Some("/body.html"));
        let bad = entry(r#"<title>t</title><summary type="image/png">%%%</summary>"#);
        assert_eq!(
            bad.summary, None,
            "undecodable: the field is lost, not the entry"
        );
    }

    #[test]
    fn categories_authors_and_license_are_read() {
        let e = entry(
            r#"<title>t</title>
               <category term=" news " label=" News "/><category label="x"/><category>Loose</category>
               <dc:subject>Tech</dc:subject>
               <author><name>Jo</name><email>jo@example.org</email></author>
               <dc:creator>Al &lt;al@example.org&gt;</dc:creator>
               <link rel="license" href="https://creativecommons.org/licenses/by/4.0/"/>
               <link href="https://a.example/1"/>"#,
        );
        let cats: Vec<_> = e
            .categories
            .iter()
            .map(|c| (c.term.as_str(), c.label.as_deref()))
            .collect();
        assert_eq!(
            cats,
            [("news", Some("News")), ("Loose", None), ("Tech", None)]
        );
        let people: Vec<_> = e
            .authors
            .iter()
            .map(|p| (p.name.as_deref(), p.email.as_deref()))
            .collect();
        assert_eq!(
            people,
            [
                (Some("Jo"), Some("jo@example.org")),
                (Some("Al"), Some("al@example.org"))
            ]
        );
        assert_eq!(
            e.license.as_deref(),
            Some("https://creativecommons.org/licenses/by/4.0/")
        );
        assert_eq!(e.links[1].rel, None, "alternate is the default rel");
    }

    #[test]
    fn atom_0_3_names_and_modes_are_read_as_what_they_are() {
        let f = feed(
            r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>T</title>
               <copyright>(c) Jo</copyright><modified>2025-06-02T00:00:00Z</modified>
               <entry><title mode="escaped" type="text/html">&lt;b&gt;B&lt;/b&gt;</title>
                 <issued>2025-06-01T10:00:00Z</issued><modified>2025-06-01T12:00:00Z</modified>
                 <content mode="base64" type="text/plain">aGk=</content>
                 <author><name>Jo</name><url>https://jo.example/</url></author></entry></feed>"#,
        );
        assert_eq!(f.format, Format::Atom03);
        assert_eq!(f.rights.as_deref(), Some("(c) Jo"));
        assert!(f.updated.is_some());
        let e = &f.items[0];
        assert_eq!(
            kind_value(e.title.as_ref()),
            Some((TextKind::Html, "<b>B</b>"))
        );
        assert_eq!(kind_value(e.content.as_ref()), Some((TextKind::Text, "hi")));
        assert_eq!(
            e.published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-06-01T10:00:00+00:00")
        );
        assert_eq!(
            e.updated.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-06-01T12:00:00+00:00")
        );
        assert_eq!(e.authors[0].uri.as_deref(), Some("https://jo.example/"));
    }

    #[test]
    fn scope_comes_from_the_entry_and_its_content() {
        let f = feed(
            r#"<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en" xml:base="/blog/"><title>T</title>
               <entry xml:lang="fr"><title>a</title><content xml:base="posts/">x</content></entry>
               <entry><title>b</title></entry></feed>"#,
        );
        assert_eq!(f.language.as_deref(), Some("en"));
        assert_eq!(
            f.base.as_ref().map(url::Url::as_str),
            Some("https://a.example/blog/")
        );
        assert_eq!(f.items[0].language.as_deref(), Some("fr"));
        assert_eq!(
            f.items[0].base.as_ref().map(url::Url::as_str),
            Some("https://a.example/blog/posts/")
        );
        assert_eq!(f.items[1].language.as_deref(), Some("en"));
        assert_eq!(
            f.items[1].base.as_ref().map(url::Url::as_str),
            Some("https://a.example/blog/")
        );
    }
}
