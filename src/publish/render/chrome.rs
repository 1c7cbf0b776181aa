//! What every page for people shares, worked out into plain values for the templates (issue
//! 22): the interface's language and its labels (from the Fluent catalogue, `i18n`), the
//! navigation (the views, then the library: months, topics, partners), the sharing and discovery
//! meta (canonical URL, description, Open Graph image, favicon), and one entry as a page shows it
//! (its date in the interface's language, its partner and tags linked to their pages, its
//! downloads with the kind and size inside the link).
//!
//! Pages live at different depths (`index.html`, `tags/x.html`): every link between them is
//! relative, through `root` ("" or "../"), so the output works from any folder or host.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use url::Url;

use super::i18n::Catalogue;
use crate::config::Config;
use crate::model::{Enclosure, Entry, SourceInfo};
use crate::pool::views::{FeedView, Renderer};
use crate::text::lang::conventional_case;

/// The messages a template may show as they are (`t["subscribe"]`).
const LABELS: &[&str] = &[
    "skip",
    "nav-label",
    "nav-all",
    "nav-months",
    "nav-tags",
    "nav-partners",
    "subscribe",
    "subscribe-help",
    "opml",
    "digest",
    "latest",
    "from",
    "source",
    "tags",
    "no-entries",
    "embeds",
    "embeds-help",
    "older",
    "months-title",
    "months-intro",
    "prev-month",
    "next-month",
    "tags-title",
    "tag-follow",
    "partners-title",
    "partner-follow",
    "partner-site",
    "partner-rights",
    "pages-label",
];

/// The interface of one page: its language, labels, navigation and meta.
#[derive(Debug, Serialize)]
pub(super) struct Chrome {
    /// The interface's language, for `<html lang>`.
    pub lang: &'static str,
    pub dir: Option<&'static str>,
    pub t: BTreeMap<&'static str, String>,
    /// "" for pages at the top of the output, "../" one folder down.
    pub root: &'static str,
    pub network: Named,
    pub nav: Vec<Nav>,
    /// This page's absolute URL (`<link rel="canonical">`, `og:url`).
    pub canonical: String,
    pub description: String,
    /// `[feed] logo`, else `icon`: the Open Graph image.
    pub image: Option<String>,
    /// `[feed] icon`, when it is served from the output's own origin (no page loads anything
    /// from another origin).
    pub favicon: Option<String>,
    pub published_by: String,
    /// The main feed in each format, for `<link rel="alternate">` (every page but the main one,
    /// which links its own).
    pub alternates: Vec<Alternate>,
}

#[derive(Debug, Serialize)]
pub(super) struct Alternate {
    pub kind: &'static str,
    pub title: String,
    pub href: String,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct Named {
    pub name: String,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub(super) struct Nav {
    pub title: String,
    pub href: String,
    pub current: bool,
}

#[derive(Debug, Clone, Serialize)]
pub(super) struct When {
    pub datetime: String,
    pub display: String,
}

/// Which page of the site a page is, for the navigation's `aria-current`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    View(usize),
    Months,
    Tags,
    Partners,
    Other,
}

/// The interface's labels that templates use (`t["from"]`), in the catalogue's language.
pub(super) fn labels(t: &Catalogue) -> BTreeMap<&'static str, String> {
    LABELS.iter().map(|id| (*id, t.get(id))).collect()
}

pub(super) fn when(t: &Catalogue, d: DateTime<Utc>) -> When {
    When {
        datetime: d.to_rfc3339_opts(SecondsFormat::Secs, true),
        display: t.date(d),
    }
}

/// Primary subtags of languages written right to left.
const RTL: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku", "ps", "sd", "syr", "ug", "ur", "yi",
];

/// `dir="rtl"` for right-to-left languages (and `Arab`/`Hebr` scripts); none otherwise.
pub fn dir(lang: &str) -> Option<&'static str> {
    let l = lang.to_ascii_lowercase();
    let mut parts = l.split('-');
    let primary = parts.next().unwrap_or("");
    let script = parts.find(|p| p.len() == 4);
    match script {
        Some("arab" | "hebr" | "syrc" | "thaa" | "nkoo" | "adlm") => Some("rtl"),
        Some(_) => None,
        None => RTL.contains(&primary).then_some("rtl"),
    }
}

/// `[feed] icon` as a link from a page at `root`, when it is on the output's own origin.
fn same_origin(cfg: &Config, u: &Url, root: &str) -> Option<String> {
    let own = &cfg.feed.self_url;
    (u.origin() == own.origin()).then(|| {
        let base = own.join(".").unwrap_or_else(|_| own.clone());
        match u.as_str().strip_prefix(base.as_str()) {
            Some(rel) => format!("{root}{rel}"),
            None => u.path().to_string(),
        }
    })
}

/// The main feed's documents, titled in the interface's language.
fn alternates(cfg: &Config, views: &[FeedView], t: &Catalogue) -> Vec<Alternate> {
    let Some(main) = views.first() else {
        return Vec::new();
    };
    let title = &main.meta.title;
    [
        (Renderer::Atom, "application/atom+xml", "atom-of"),
        (Renderer::Json, "application/feed+json", "json-of"),
        (Renderer::Rss, "application/rss+xml", "rss-of"),
    ]
    .into_iter()
    .filter(|(r, _, _)| main.renderers.contains(r))
    .map(|(r, kind, id)| Alternate {
        kind,
        title: t.with(id, "title", title),
        href: main.url(&cfg.feed.self_url, r),
    })
    .collect()
}

/// The chrome of a page: `file` is its path in the output (`tags/x.html`), `t` its interface.
pub(super) fn chrome(
    cfg: &Config,
    views: &[FeedView],
    t: &'static Catalogue,
    file: &str,
    place: Place,
    description: &str,
) -> Chrome {
    let root = if file.contains('/') { "../" } else { "" };
    let mut nav: Vec<Nav> = views
        .iter()
        .enumerate()
        .filter(|(_, v)| v.renderers.contains(&Renderer::Page))
        .map(|(i, v)| Nav {
            title: if i == 0 {
                t.get("nav-all")
            } else {
                v.meta.title.clone()
            },
            href: format!("{root}{}", v.file(Renderer::Page)),
            current: place == Place::View(i),
        })
        .collect();
    for (id, href, p) in [
        ("nav-months", "archive/index.html", Place::Months),
        ("nav-tags", "tags/index.html", Place::Tags),
        ("nav-partners", "partners/index.html", Place::Partners),
    ] {
        nav.push(Nav {
            title: t.get(id),
            href: format!("{root}{href}"),
            current: place == p,
        });
    }
    let network = Named {
        name: cfg.feed.author.name.clone(),
        url: cfg.feed.link.to_string(),
    };
    Chrome {
        lang: t.tag(),
        dir: dir(t.tag()),
        t: labels(t),
        root,
        canonical: crate::pool::views::sibling(&cfg.feed.self_url, file).to_string(),
        description: description.to_string(),
        image: cfg
            .feed
            .logo
            .as_ref()
            .or(cfg.feed.icon.as_ref())
            .map(Url::to_string),
        favicon: cfg
            .feed
            .icon
            .as_ref()
            .and_then(|u| same_origin(cfg, u, root)),
        published_by: t.with("published-by", "network", &network.name),
        alternates: alternates(cfg, views, t),
        network,
        nav,
    }
}

/// One entry as a page shows it.
#[derive(Debug, Serialize)]
pub(super) struct EntryCtx<'a> {
    pub id: &'a str,
    pub title: &'a str,
    pub link: &'a str,
    pub partner: Named,
    pub date: When,
    /// Already sanitised when the entry was normalised.
    pub summary_html: Option<&'a str>,
    pub attachments: Vec<Attachment>,
    pub tags: Vec<Named>,
    /// The entry's language and direction, for its title and text.
    pub lang: Option<String>,
    pub dir: Option<&'static str>,
    pub rights: Option<&'a str>,
    pub license: Option<&'a str>,
    /// "Licence for “title”": a link text that makes sense alone; empty without a `license`.
    pub license_text: String,
    /// "Source: ..." for the network's own entries that credit one.
    pub credit: Option<Named>,
}

#[derive(Debug, Serialize)]
pub(super) struct Attachment {
    pub url: String,
    /// The whole link text: "Report (PDF, 16 pages, 6.5 MB)".
    pub text: String,
}

/// "PDF", "MP3"...: the kind of file, for a download link.
pub fn kind(a: &Enclosure) -> String {
    let sub = a.mime_type.split(';').next().unwrap_or("").trim();
    match sub {
        "application/pdf" => "PDF".to_string(),
        "audio/mpeg" => "MP3".into(),
        "application/msword" => "Word".into(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "Word".into(),
        "application/zip" => "ZIP".into(),
        "application/epub+zip" => "EPUB".into(),
        "application/octet-stream" | "" => String::new(),
        other => other
            .rsplit('/')
            .next()
            .unwrap_or(other)
            .trim_start_matches("x-")
            .to_ascii_uppercase(),
    }
}

/// "PDF, 16 pages, 6.5 MB" in the interface's language.
pub(super) fn kind_size(t: &Catalogue, a: &Enclosure) -> String {
    let k = kind(a);
    let mut parts = vec![if k.is_empty() { t.get("file") } else { k }];
    if let Some(n) = a.pages {
        parts.push(t.count("pages", n as usize));
    }
    if let Some(n) = a.length {
        parts.push(t.size(n));
    }
    parts.join(", ")
}

/// `title` without a last parenthesis that names the kind again ("Report (PDF)", "Report (PDF,
/// 24 pages)"): the link says the kind and size itself.
fn without_kind<'t>(title: &'t str, kind: &str) -> &'t str {
    let Some(open) = title
        .rfind('(')
        .filter(|_| title.ends_with(')') && !kind.is_empty())
    else {
        return title;
    };
    let inner = &title[open + 1..];
    let head = title[..open].trim_end();
    if !head.is_empty()
        && inner
            .to_ascii_lowercase()
            .starts_with(&kind.to_ascii_lowercase())
    {
        head
    } else {
        title
    }
}

fn attachment(t: &Catalogue, a: &Enclosure) -> Attachment {
    let k = kind(a);
    let title = match &a.title {
        // No doubled kind: "Report (PDF)" with "(PDF, 476 KB)" after it.
        Some(title) => without_kind(title.trim(), &k).to_string(),
        None => t.with(
            "download",
            "file",
            a.url.rsplit('/').next().unwrap_or(&a.url),
        ),
    };
    Attachment {
        url: a.url.clone(),
        text: format!("{title} ({})", kind_size(t, a)),
    }
}

/// The slug of a tag's page: see `publish::library`.
pub(super) fn tag_href(root: &str, label: &str) -> String {
    format!("{root}tags/{}.html", crate::text::slug::tag_slug(label))
}

/// `e` as a page at `root` shows it, in the interface `t`.
/// `source`: the entry's partner (`e.source` where the entry carries it; the library keeps it
/// apart, once per partner rather than once per entry).
pub(super) fn entry_ctx<'a>(
    cfg: &Config,
    t: &Catalogue,
    root: &str,
    e: &'a Entry,
    source: Option<&'a SourceInfo>,
) -> EntryCtx<'a> {
    let partner = match source {
        Some(s) => Named {
            name: s.name.clone(),
            url: format!(
                "{root}partners/{}.html",
                crate::text::slug::partner_slug(&s.name)
            ),
        },
        None => Named {
            name: cfg.feed.author.name.clone(),
            url: cfg.feed.link.to_string(),
        },
    };
    let lang = e.language.as_deref().map(conventional_case);
    let license = e
        .license
        .as_deref()
        .or(source.and_then(|s| s.license.as_deref()));
    EntryCtx {
        id: &e.id,
        title: &e.title,
        link: &e.link,
        partner,
        date: when(t, e.published.unwrap_or(e.updated)),
        summary_html: e.summary.as_deref().or(e.content.as_deref()),
        attachments: e.enclosures.iter().map(|a| attachment(t, a)).collect(),
        tags: e
            .categories
            .iter()
            .map(|c| Named {
                name: c.shown().to_string(),
                url: tag_href(root, c.shown()),
            })
            .collect(),
        dir: e.language.as_deref().and_then(dir),
        lang,
        rights: e
            .rights
            .as_deref()
            .or(source.and_then(|s| s.rights.as_deref())),
        license,
        // Only where there is a licence to link to: made for every listed entry (100,000 on a
        // cold run of 5,000 partners), it was a message formatted for nothing (issue 25).
        license_text: license
            .map_or_else(String::new, |_| t.with("licence-for", "title", &e.title)),
        credit: e.credit.as_ref().map(|c| Named {
            name: c.name.clone(),
            url: c.uri.clone().or_else(|| c.feed.clone()).unwrap_or_default(),
        }),
    }
}
