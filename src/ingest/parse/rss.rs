//! RSS 0.90, 0.91-0.94, 1.0 (RDF) and 2.0 into the raw model, with the modules partners use:
//! Dublin Core, `content:encoded`, Media RSS, Creative Commons, and Atom links inside RSS.
//!
//! RSS says "text" where partners put HTML, so each text field is classified by its content, as
//! feedparser does: inline elements or escaped tags and entities make it HTML, a lone `<` in prose
//! stays text.

use super::common::{link, person_text};
use super::element::{Scope, trimmed};
use super::model::{Format, RawCategory, RawFeed, RawItem, RawLink, RawPerson, RawText};
use super::ns::Ns;
use super::sniff::text_of;
use super::xml::Element;
use crate::ingest::dates::parse_lenient;

/// The namespaces RSS's own elements may be in: none (0.9x/2.0), RSS 1.0's and 0.90's.
const RSS: [Ns; 3] = [Ns::None, Ns::Rss10, Ns::Rss090];

/// Reads an `<rss>`, `<rdf:RDF>` or bare `<channel>` root; `scope` is the document's.
pub fn read(root: &Element, scope: &Scope) -> RawFeed {
    let format = match root.ns {
        Ns::Rdf | Ns::Rss10 if has_ns(root, Ns::Rss090) => Format::Rss090,
        Ns::Rdf | Ns::Rss10 | Ns::Rss090 => Format::Rss1,
        _ => Format::Rss2,
    };
    let root_scope = root.scope(scope);
    let channel = if root.is(root.ns, "channel") {
        root
    } else {
        root.child(&RSS, "channel").unwrap_or(root)
    };
    let ch_scope = channel.scope(&root_scope);
    let mut feed = RawFeed::new(format);
    feed.title = channel.child(&RSS, "title").map(text_of);
    feed.links = channel_links(channel);
    feed.base = ch_scope.base.clone();
    feed.updated = ["lastBuildDate", "pubDate"]
        .iter()
        .find_map(|n| channel.child_text(&RSS, n))
        .or_else(|| channel.child_text(&[Ns::Dc, Ns::DcTerms], "date"))
        .and_then(|d| parse_lenient(&d));
    feed.authors = channel
        .child_text(&RSS, "managingEditor")
        .or_else(|| channel.child_text(&[Ns::Dc], "creator"))
        .map(|a| person_text(&a))
        .into_iter()
        .collect();
    feed.language = channel
        .child_text(&RSS, "language")
        .or_else(|| channel.child_text(&[Ns::Dc], "language"))
        .or_else(|| ch_scope.lang.clone().filter(|l| !l.is_empty()));
    feed.rights = channel
        .child_text(&RSS, "copyright")
        .or_else(|| channel.child_text(&[Ns::Dc], "rights"));
    feed.license = license(channel);
    feed.image = channel
        .child(&RSS, "image")
        .or_else(|| root.child(&RSS, "image"))
        .and_then(|i| i.child_text(&RSS, "url"));
    feed.ttl = channel.child_text(&RSS, "ttl").and_then(|t| t.parse().ok());
    // RSS 1.0 and 0.90 put items beside the channel; 2.0 inside it. Some feeds mix them up,
    // and an element left open in the channel's head holds the items that follow it.
    let items = channel
        .nested(&RSS, "item")
        .into_iter()
        .map(|i| (i, &ch_scope))
        .chain(
            (!std::ptr::eq(channel, root))
                .then(|| root.all(&RSS, "item").map(|i| (i, &root_scope)))
                .into_iter()
                .flatten(),
        );
    feed.items = items.enumerate().map(|(n, (i, s))| item(i, s, n)).collect();
    feed
}

fn has_ns(e: &Element, ns: Ns) -> bool {
    e.elements().any(|c| c.ns == ns)
}

fn channel_links(ch: &Element) -> Vec<RawLink> {
    let mut out: Vec<RawLink> = ch
        .all(&RSS, "link")
        .map(|l| trimmed(l.text()))
        .filter(|h| !h.is_empty())
        .take(1)
        .map(|href| RawLink {
            href,
            ..RawLink::default()
        })
        .collect();
    out.extend(ch.all(&[Ns::Atom], "link").filter_map(link));
    out
}

fn license(e: &Element) -> Option<String> {
    e.all(&[Ns::CreativeCommons], "license").find_map(|l| {
        l.attr_ns(Ns::Rdf, "resource")
            .map(str::to_string)
            .or_else(|| Some(trimmed(l.text())))
            .filter(|s| !s.is_empty())
    })
}

fn item(e: &Element, outer: &Scope, position: usize) -> RawItem {
    let scope = e.scope(outer);
    let guid = e.child(&RSS, "guid");
    let id = guid.map(|g| trimmed(g.text())).filter(|g| !g.is_empty());
    RawItem {
        position,
        links: item_links(e, guid, id.as_deref()),
        id,
        title: item_title(e),
        summary: e
            .child(&RSS, "description")
            .or_else(|| e.child(&[Ns::Dc], "description"))
            .map(text_of)
            .filter(has_text),
        content: e
            .child(&[Ns::Content], "encoded")
            .or_else(|| e.child(&[Ns::Atom], "content"))
            .or_else(|| e.child(&RSS, "body"))
            .map(text_of)
            .filter(has_text),
        published: e
            .child_text(&RSS, "pubDate")
            .or_else(|| e.child_text(&[Ns::Dc, Ns::DcTerms], "date"))
            .or_else(|| e.child_text(&[Ns::DcTerms], "issued"))
            .and_then(|d| parse_lenient(&d)),
        updated: e
            .child_text(&[Ns::DcTerms], "modified")
            .or_else(|| e.child_text(&[Ns::Atom], "updated"))
            .and_then(|d| parse_lenient(&d)),
        authors: item_authors(e),
        categories: item_categories(e),
        language: scope
            .lang
            .filter(|l| !l.is_empty())
            .or_else(|| e.child_text(&[Ns::Dc], "language")),
        base: scope.base,
        image: e
            .child(&[Ns::Media], "thumbnail")
            .and_then(|t| t.attr("url"))
            .map(str::to_string),
        rights: e.child_text(&[Ns::Dc], "rights"),
        license: license(e),
        content_src: None,
    }
}

fn has_text(t: &RawText) -> bool {
    !t.value.trim().is_empty()
}

/// The item's links: its own first, then Atom links, enclosures and Media RSS content.
fn item_links(e: &Element, guid: Option<&Element>, id: Option<&str>) -> Vec<RawLink> {
    let mut links: Vec<RawLink> = own_link(e, guid, id)
        .map(|href| RawLink {
            href,
            ..RawLink::default()
        })
        .into_iter()
        .collect();
    links.extend(e.all(&[Ns::Atom], "link").filter_map(link));
    links.extend(e.all(&RSS, "enclosure").filter_map(enclosure));
    let media = e.all(&[Ns::Media], "content").chain(
        e.all(&[Ns::Media], "group")
            .flat_map(|g| g.all(&[Ns::Media], "content")),
    );
    links.extend(media.filter_map(media_content));
    links
}

/// The item's own link: the first non-empty `<link>` (its text, or an `href` some partners put on
/// it), else RSS 1.0's `rdf:about` when there is no `<link>` at all, else a guid that is a
/// permalink and an http(s) URL.
fn own_link(e: &Element, guid: Option<&Element>, id: Option<&str>) -> Option<String> {
    let permalink = guid
        .filter(|g| {
            g.attr("isPermaLink")
                .is_none_or(|p| !p.trim().eq_ignore_ascii_case("false"))
        })
        .and(id)
        .filter(|g| g.starts_with("http://") || g.starts_with("https://"));
    e.all(&RSS, "link")
        .map(|l| match l.attr("href") {
            Some(h) if l.text().trim().is_empty() => h.trim().to_string(),
            _ => trimmed(l.text()),
        })
        .filter(|h| !h.is_empty())
        .take(1)
        .chain(
            e.attr_ns(Ns::Rdf, "about")
                .map(str::to_string)
                .filter(|_| e.child(&RSS, "link").is_none()),
        )
        .chain(permalink.map(str::to_string))
        .next()
}

/// An `<enclosure>` with a `url`.
fn enclosure(enc: &Element) -> Option<RawLink> {
    Some(RawLink {
        href: enc.attr("url")?.trim().to_string(),
        rel: Some("enclosure".into()),
        mime_type: enc.attr("type").map(|t| t.trim().to_string()),
        length: enc.attr("length").and_then(|n| n.trim().parse().ok()),
        ..RawLink::default()
    })
}

/// A `<media:content>` with a `url`, as an enclosure.
fn media_content(m: &Element) -> Option<RawLink> {
    Some(RawLink {
        href: m.attr("url")?.trim().to_string(),
        rel: Some("enclosure".into()),
        mime_type: m.attr("type").map(|t| t.trim().to_string()),
        length: m.attr("fileSize").and_then(|n| n.trim().parse().ok()),
        hreflang: m.attr("lang").map(str::to_string),
        title: m.child_text(&[Ns::Media], "title"),
    })
}

/// `<title>`, else `dc:title`, else a `media:title`.
fn item_title(e: &Element) -> Option<RawText> {
    e.child(&RSS, "title")
        .map(text_of)
        .filter(has_text)
        .or_else(|| e.child(&[Ns::Dc], "title").map(text_of))
        .or_else(|| media_title(e))
}

/// `<author>` and `dc:creator`, each an author string; those naming nobody are dropped.
fn item_authors(e: &Element) -> Vec<RawPerson> {
    e.all(&RSS, "author")
        .chain(e.all(&[Ns::Dc], "creator"))
        .map(|a| person_text(&a.text()))
        .filter(|p| p.name.is_some() || p.email.is_some())
        .collect()
}

/// `<category>` and `dc:subject`, non-empty.
fn item_categories(e: &Element) -> Vec<RawCategory> {
    e.all(&RSS, "category")
        .chain(e.all(&[Ns::Dc], "subject"))
        .map(|c| RawCategory {
            term: trimmed(c.text()),
            label: None,
        })
        .filter(|c| !c.term.is_empty())
        .collect()
}

/// `media:title`, on the item or in its `media:content`/`media:group`: a title of last resort.
fn media_title(e: &Element) -> Option<RawText> {
    let direct = e.child(&[Ns::Media], "title");
    let nested = || {
        e.all(&[Ns::Media], "group")
            .chain(e.all(&[Ns::Media], "content"))
            .find_map(|g| g.child(&[Ns::Media], "title"))
    };
    direct
        .or_else(nested)
        .map(|t| match t.attr("type") {
            Some("html") => RawText::html(t.text()),
            _ => RawText::text(t.text()),
        })
        .filter(|t| !t.value.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::read;
    use crate::ingest::parse::{Format, RawFeed, RawItem, RawText, Scope, TextKind, xml};

    const NS: &str = r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom""#;

    fn feed(doc: &str) -> RawFeed {
        let doc = xml::parse(doc).expect("parses");
        read(&doc.root, &Scope::document(None))
    }

    fn items(items: &str) -> Vec<RawItem> {
        let f = feed(&format!(
            r#"<rss version="2.0" {NS}><channel><title>T</title>{items}</channel></rss>"#
        ));
        assert_eq!(f.format, Format::Rss2);
        f.items
    }

    fn text(t: Option<&RawText>) -> Option<(TextKind, &str)> {
        t.map(|t| (t.kind, t.value.as_str()))
    }

    fn hrefs(item: &RawItem) -> Vec<(&str, Option<&str>)> {
        item.links
            .iter()
            .map(|l| (l.href.as_str(), l.rel.as_deref()))
            .collect()
    }

    #[test]
    fn own_link_is_the_link_then_a_permalink_guid() {
        let got = items(
            "<item><title>a</title><link> https://a.example/1 </link><guid>https://a.example/g</guid></item>\
             <item><title>b</title><guid>https://a.example/2</guid></item>\
             <item><title>c</title><guid isPermaLink=\"false\">https://a.example/3</guid></item>\
             <item><title>d</title><guid>not-a-url</guid></item>",
        );
        assert_eq!(hrefs(&got[0]), [("https://a.example/1", None)]);
        assert_eq!(hrefs(&got[1]), [("https://a.example/2", None)]);
        assert_eq!(hrefs(&got[2]), []);
        assert_eq!(hrefs(&got[3]), []);
        assert_eq!(got[2].id.as_deref(), Some("https://a.example/3"));
        assert_eq!(got[3].id.as_deref(), Some("not-a-url"));
        assert_eq!(got[3].position, 3);
    }

    #[test]
    fn atom_links_enclosures_and_media_follow_the_own_link() {
        let got = items(
            r#"<item><title>a</title><link>https://a.example/1</link>
               <atom:link rel="related" href="https://a.example/r"/>
               <enclosure url=" https://a.example/a.mp3 " type="audio/mpeg" length="123"/>
               <enclosure type="audio/mpeg"/>
               <media:group><media:content url="https://a.example/v.mp4" fileSize="9" lang="fr">
                 <media:title>Video</media:title></media:content></media:group></item>"#,
        );
        assert_eq!(
            hrefs(&got[0]),
            [
                ("https://a.example/1", None),
                ("https://a.example/r", Some("related")),
                ("https://a.example/a.mp3", Some("enclosure")),
                ("https://a.example/v.mp4", Some("enclosure")),
            ]
        );
        let (mp3, mp4) = (&got[0].links[2], &got[0].links[3]);
        assert_eq!(
            (mp3.mime_type.as_deref(), mp3.length),
            (Some("audio/mpeg"), Some(123))
        );
        assert_eq!((mp4.length, mp4.hreflang.as_deref()), (Some(9), Some("fr")));
        assert_eq!(mp4.title.as_deref(), Some("Video"));
    }

    #[test]
    fn text_fields_are_html_only_when_their_content_shows_it() {
        let got = items(
            "<item><title>a &lt; b</title><description>&lt;p&gt;Hi&lt;/p&gt;</description></item>\
             <item><title>x</title><description>plain <b>bold</b></description></item>",
        );
        assert_eq!(text(got[0].title.as_ref()), Some((TextKind::Text, "a < b")));
        let html = |s| Some((TextKind::Html, s));
        assert_eq!(text(got[0].summary.as_ref()), html("<p>Hi</p>"));
        assert_eq!(text(got[1].summary.as_ref()), html("plain <b>bold</b>"));
    }

    #[test]
    fn an_empty_title_falls_back_to_dc_then_media_titles() {
        let got = items(
            "<item><title> </title><dc:title>From DC</dc:title></item>\
             <item><media:content url=\"https://a.example/v\"><media:title type=\"html\">&lt;i&gt;M&lt;/i&gt;</media:title></media:content></item>\
             <item><description>only text</description></item>",
        );
        assert_eq!(
            text(got[0].title.as_ref()),
            Some((TextKind::Text, "From DC"))
        );
        assert_eq!(
            text(got[1].title.as_ref()),
            Some((TextKind::Html, "<i>M</i>"))
        );
        assert_eq!(got[2].title, None);
    }

    #[test]
    fn authors_categories_and_dates_come_from_rss_and_dublin_core() {
        let got = items(
            "<item><title>a</title><author>jo@example.org (Jo)</author><dc:creator>Al</dc:creator>\
             <author> </author><category> News </category><category/><dc:subject>Tech</dc:subject>\
             <pubDate>Tue, 03 Jun 2025 09:00:00 GMT</pubDate></item>",
        );
        let names: Vec<_> = got[0].authors.iter().map(|p| p.name.as_deref()).collect();
        assert_eq!(names, [Some("Jo"), Some("Al")]);
        let terms: Vec<_> = got[0].categories.iter().map(|c| c.term.as_str()).collect();
        assert_eq!(terms, ["News", "Tech"]);
        assert_eq!(
            got[0].published.map(|d| d.to_rfc3339()).as_deref(),
            Some("2025-06-03T09:00:00+00:00")
        );
        assert_eq!(got[0].updated, None);
    }

    #[test]
    fn rss_1_items_beside_the_channel_are_read_with_rdf_about_as_their_link() {
        let f = feed(
            r#"<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">
                 <channel rdf:about="https://a.example/"><title>T</title><link>https://a.example/</link></channel>
                 <item rdf:about="https://a.example/1"><title>one</title></item>
                 <item rdf:about="https://a.example/2"><title>two</title><link>https://a.example/two</link></item>
               </rdf:RDF>"#,
        );
        assert_eq!(f.format, Format::Rss1);
        assert_eq!(f.links[0].href, "https://a.example/");
        assert_eq!(hrefs(&f.items[0]), [("https://a.example/1", None)]);
        assert_eq!(hrefs(&f.items[1]), [("https://a.example/two", None)]);
    }
}
