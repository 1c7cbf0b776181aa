//! RSS 0.90, 0.91-0.94, 1.0 (RDF) and 2.0 into the raw model, with the modules partners use:
//! Dublin Core, `content:encoded`, Media RSS, Creative Commons, and Atom links inside RSS.
//!
//! RSS says "text" where partners put HTML, so each text field is classified by its content, as
//! feedparser does: inline elements or escaped tags and entities make it HTML, a lone `<` in prose
//! stays text.

use super::element::Scope;
use super::model::{Format, RawCategory, RawFeed, RawItem, RawLink, RawPerson, RawText};
use super::ns::Ns;
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
    // RSS 1.0 and 0.90 put items beside the channel; 2.0 inside it. Some feeds mix them up.
    let items = channel.all(&RSS, "item").map(|i| (i, &ch_scope)).chain(
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
        .map(|l| l.text().trim().to_string())
        .filter(|h| !h.is_empty())
        .take(1)
        .map(|href| RawLink {
            href,
            ..RawLink::default()
        })
        .collect();
    out.extend(ch.all(&[Ns::Atom], "link").filter_map(super::atom::link));
    out
}

fn license(e: &Element) -> Option<String> {
    e.all(&[Ns::CreativeCommons], "license").find_map(|l| {
        l.attr_ns(Ns::Rdf, "resource")
            .map(str::to_string)
            .or_else(|| Some(l.text().trim().to_string()))
            .filter(|s| !s.is_empty())
    })
}

fn item(e: &Element, outer: &Scope, position: usize) -> RawItem {
    let scope = e.scope(outer);
    let guid = e.child(&RSS, "guid");
    let guid_text = guid
        .map(|g| g.text().trim().to_string())
        .filter(|g| !g.is_empty());
    let permalink = guid
        .filter(|g| {
            g.attr("isPermaLink")
                .is_none_or(|p| !p.trim().eq_ignore_ascii_case("false"))
        })
        .and(guid_text.clone())
        .filter(|g| g.starts_with("http://") || g.starts_with("https://"));
    let mut links: Vec<RawLink> = e
        .all(&RSS, "link")
        .map(|l| match l.attr("href") {
            Some(h) if l.text().trim().is_empty() => h.trim().to_string(),
            _ => l.text().trim().to_string(),
        })
        .filter(|h| !h.is_empty())
        .take(1)
        .chain(
            e.attr_ns(Ns::Rdf, "about")
                .map(str::to_string)
                .filter(|_| e.child(&RSS, "link").is_none()),
        )
        .chain(permalink)
        .take(1)
        .map(|href| RawLink {
            href,
            ..RawLink::default()
        })
        .collect();
    links.extend(e.all(&[Ns::Atom], "link").filter_map(super::atom::link));
    links.extend(e.all(&RSS, "enclosure").filter_map(|enc| {
        Some(RawLink {
            href: enc.attr("url")?.trim().to_string(),
            rel: Some("enclosure".into()),
            mime_type: enc.attr("type").map(|t| t.trim().to_string()),
            length: enc.attr("length").and_then(|n| n.trim().parse().ok()),
            ..RawLink::default()
        })
    }));
    let media = e.all(&[Ns::Media], "content").chain(
        e.all(&[Ns::Media], "group")
            .flat_map(|g| g.all(&[Ns::Media], "content")),
    );
    links.extend(media.filter_map(|m| {
        Some(RawLink {
            href: m.attr("url")?.trim().to_string(),
            rel: Some("enclosure".into()),
            mime_type: m.attr("type").map(|t| t.trim().to_string()),
            length: m.attr("fileSize").and_then(|n| n.trim().parse().ok()),
            hreflang: m.attr("lang").map(str::to_string),
            title: m.child_text(&[Ns::Media], "title"),
        })
    }));
    let description = e
        .child(&RSS, "description")
        .or_else(|| e.child(&[Ns::Dc], "description"));
    let content = e
        .child(&[Ns::Content], "encoded")
        .or_else(|| e.child(&[Ns::Atom], "content"))
        .or_else(|| e.child(&RSS, "body"));
    RawItem {
        position,
        id: guid_text,
        title: e
            .child(&RSS, "title")
            .map(text_of)
            .filter(|t| !t.value.trim().is_empty())
            .or_else(|| e.child(&[Ns::Dc], "title").map(text_of))
            .or_else(|| media_title(e)),
        links,
        summary: description
            .map(text_of)
            .filter(|t| !t.value.trim().is_empty()),
        content: content.map(text_of).filter(|t| !t.value.trim().is_empty()),
        published: e
            .child_text(&RSS, "pubDate")
            .or_else(|| e.child_text(&[Ns::Dc, Ns::DcTerms], "date"))
            .or_else(|| e.child_text(&[Ns::DcTerms], "issued"))
            .and_then(|d| parse_lenient(&d)),
        updated: e
            .child_text(&[Ns::DcTerms], "modified")
            .or_else(|| e.child_text(&[Ns::Atom], "updated"))
            .and_then(|d| parse_lenient(&d)),
        authors: e
            .all(&RSS, "author")
            .chain(e.all(&[Ns::Dc], "creator"))
            .map(|a| person_text(&a.text()))
            .filter(|p| p.name.is_some() || p.email.is_some())
            .collect(),
        categories: e
            .all(&RSS, "category")
            .chain(e.all(&[Ns::Dc], "subject"))
            .map(|c| RawCategory {
                term: c.text().trim().to_string(),
                label: None,
            })
            .filter(|c| !c.term.is_empty())
            .collect(),
        language: scope
            .lang
            .clone()
            .filter(|l| !l.is_empty())
            .or_else(|| e.child_text(&[Ns::Dc], "language")),
        base: scope.base.clone(),
        image: e
            .child(&[Ns::Media], "thumbnail")
            .and_then(|t| t.attr("url"))
            .map(str::to_string),
        rights: e.child_text(&[Ns::Dc], "rights"),
        license: license(e),
        content_src: None,
    }
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

/// A text field whose format says "text": HTML when its content shows it is (inline elements,
/// escaped tags or entity references), text otherwise.
fn text_of(el: &Element) -> RawText {
    if el.has_markup() {
        return RawText::html(el.inner_html());
    }
    let t = el.text();
    if looks_like_html(&t) {
        RawText::html(t)
    } else {
        RawText::text(t)
    }
}

/// feedparser's test, slightly widened: a closing tag, a tag that is only ever opened (`<br>`,
/// `<img ...>`, `<p>`), or an entity reference.
pub fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(at) = s[i..].find(['<', '&']).map(|a| a + i) {
        let rest = &s[at + 1..];
        if b[at] == b'<' {
            let name: String = rest
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let after = rest.trim_start_matches('/')[name.len()..].chars().next();
            let is_tag = !name.is_empty() && matches!(after, Some('>' | ' ' | '/' | '\n' | '\t'));
            if is_tag && (rest.starts_with('/') || HTML_OPENERS.contains(&name.as_str())) {
                return true;
            }
        } else {
            let n: &str = rest
                .split(';')
                .next()
                .filter(|n| n.len() <= 32 && rest.len() > n.len())
                .unwrap_or("");
            if !n.is_empty() && (n.starts_with('#') || n.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                return true;
            }
        }
        i = at + 1;
    }
    false
}

const HTML_OPENERS: &[&str] = &[
    "a",
    "b",
    "i",
    "p",
    "br",
    "hr",
    "img",
    "div",
    "span",
    "em",
    "strong",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "code",
    "iframe",
    "figure",
];

/// An RSS author field: `email (Name)`, `Name <email>`, a bare address or a name.
pub fn person_text(raw: &str) -> RawPerson {
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
