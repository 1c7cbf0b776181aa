//! What the page and embed templates are given: every shown fact worked out here into plain typed
//! values (dates, sizes, `lang`/`dir`), so templates stay logic-free and an override cannot get
//! the facts wrong. Also the sample contexts `feedbraid check` renders every template against:
//! one where every optional value is present (so every branch a template has is taken) and one
//! where none is.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::model::{Enclosure, Entry};
use crate::pool::views::{FeedView, Renderer};
use crate::text::escape::escape_html;
use crate::text::lang::conventional_case;

#[derive(Debug, Serialize)]
pub(super) struct PageCtx<'a> {
    lang: String,
    title: &'a str,
    subtitle: Option<&'a str>,
    rights: Option<&'a str>,
    network: Named,
    atom_url: String,
    /// `None` when `[output] formats` leaves out `json`.
    json_url: Option<String>,
    /// `Some` when `[output] formats` has `rss`.
    rss_url: Option<String>,
    /// `partners.opml`, when some partner has a feed URL to follow.
    opml_url: Option<String>,
    /// `digest/index.html`, the monthly digests, when `[digest]` is configured.
    digest_url: Option<String>,
    updated: Option<When>,
    nav: Vec<Nav<'a>>,
    entries: Vec<EntryCtx<'a>>,
    /// The `<iframe>` snippet of every view; on the main page only.
    embeds: Vec<Embed<'a>>,
}

#[derive(Debug, Serialize)]
struct Named {
    name: String,
    url: String,
}

#[derive(Debug, Serialize)]
struct When {
    datetime: String,
    display: String,
}

#[derive(Debug, Serialize)]
struct Nav<'a> {
    title: &'a str,
    href: String,
    current: bool,
}

#[derive(Debug, Serialize)]
struct Embed<'a> {
    title: &'a str,
    snippet: String,
}

#[derive(Debug, Serialize)]
struct EntryCtx<'a> {
    id: &'a str,
    title: &'a str,
    link: &'a str,
    partner: Named,
    date: When,
    /// Already sanitised when the entry was normalised.
    summary_html: Option<&'a str>,
    attachments: Vec<Attachment<'a>>,
    tags: Vec<&'a str>,
    lang: Option<String>,
    dir: Option<&'static str>,
    /// Rights statement and licence URL, shown under the entry.
    rights: Option<&'a str>,
    license: Option<&'a str>,
    /// "Source: ..." for the network's own entries that credit one.
    credit: Option<Named>,
}

#[derive(Debug, Serialize)]
struct Attachment<'a> {
    url: &'a str,
    title: String,
    /// "PDF, 476 KB".
    kind_size: String,
}

fn when(d: DateTime<Utc>) -> When {
    When {
        datetime: d.to_rfc3339_opts(SecondsFormat::Secs, true),
        display: d.format("%-d %B %Y").to_string(),
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

/// "PDF, 476 KB": the kind of file and its size, for a download link.
pub fn kind_size(a: &Enclosure) -> String {
    let sub = a.mime_type.split(';').next().unwrap_or("").trim();
    let kind = match sub {
        "application/pdf" => "PDF".to_string(),
        "audio/mpeg" => "MP3".into(),
        "application/msword" => "Word".into(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => "Word".into(),
        "application/zip" => "ZIP".into(),
        "application/epub+zip" => "EPUB".into(),
        "application/octet-stream" | "" => "File".into(),
        other => other
            .rsplit('/')
            .next()
            .unwrap_or(other)
            .trim_start_matches("x-")
            .to_ascii_uppercase(),
    };
    let pages = match a.pages {
        Some(1) => ", 1 page".to_string(),
        Some(n) => format!(", {n} pages"),
        None => String::new(),
    };
    match a.length {
        Some(n) => format!("{kind}{pages}, {}", human_size(n)),
        None => format!("{kind}{pages}"),
    }
}

/// 1024-based sizes: "900 bytes", "476 KB", "2.0 MB".
pub fn human_size(n: u64) -> String {
    const K: f64 = 1024.0;
    let f = n as f64;
    if n < 1024 {
        format!("{n} bytes")
    } else if f < K * K {
        format!("{:.0} KB", f / K)
    } else if f < K * K * K {
        format!("{:.1} MB", f / (K * K))
    } else {
        format!("{:.1} GB", f / (K * K * K))
    }
}

fn attachment(a: &Enclosure) -> Attachment<'_> {
    let title = a.title.clone().unwrap_or_else(|| {
        let file = a.url.rsplit('/').next().unwrap_or(&a.url);
        format!("Download {file}")
    });
    Attachment {
        url: &a.url,
        title,
        kind_size: kind_size(a),
    }
}

fn entry_ctx<'a>(cfg: &'a Config, e: &'a Entry) -> EntryCtx<'a> {
    let partner = match &e.source {
        Some(s) => Named {
            name: s.name.clone(),
            url: s
                .homepage
                .clone()
                .or_else(|| s.feed_url.clone())
                .unwrap_or_else(|| s.id.clone()),
        },
        None => Named {
            name: cfg.feed.author.name.clone(),
            url: cfg.feed.link.to_string(),
        },
    };
    EntryCtx {
        id: &e.id,
        title: &e.title,
        link: &e.link,
        partner,
        date: when(e.published.unwrap_or(e.updated)),
        summary_html: e.summary.as_deref().or(e.content.as_deref()),
        attachments: e.enclosures.iter().map(attachment).collect(),
        tags: e.categories.iter().map(|c| c.shown()).collect(),
        lang: e.language.as_deref().map(conventional_case),
        dir: e.language.as_deref().and_then(dir),
        rights: e.shown_rights(),
        license: e.shown_license(),
        credit: e.credit.as_ref().map(|c| Named {
            name: c.name.clone(),
            url: c.uri.clone().or_else(|| c.feed.clone()).unwrap_or_default(),
        }),
    }
}

pub(super) fn page_ctx<'a>(
    cfg: &'a Config,
    views: &'a [FeedView],
    at: usize,
    entries: &'a [Entry],
) -> PageCtx<'a> {
    let view = &views[at];
    let main_self = &cfg.feed.self_url;
    let nav = views
        .iter()
        .enumerate()
        .map(|(i, v)| Nav {
            title: if i == 0 { "All" } else { &v.meta.title },
            href: v.file(Renderer::Page),
            current: i == at,
        })
        .collect();
    let embeds = if at == 0 {
        views
            .iter()
            .map(|v| Embed {
                title: &v.meta.title,
                snippet: format!(
                    "<iframe src=\"{}\" title=\"{}\" width=\"100%\" height=\"420\" loading=\"lazy\" style=\"border:0\"></iframe>",
                    v.url(main_self, Renderer::Embed),
                    escape_html(&v.meta.title)
                ),
            })
            .collect()
    } else {
        Vec::new()
    };
    PageCtx {
        lang: conventional_case(view.meta.language.as_deref().unwrap_or("en")),
        title: &view.meta.title,
        subtitle: view.meta.subtitle.as_deref(),
        rights: cfg.feed.rights.as_deref(),
        network: Named {
            name: cfg.feed.author.name.clone(),
            url: cfg.feed.link.to_string(),
        },
        atom_url: view.url(main_self, Renderer::Atom),
        json_url: cfg
            .output
            .formats
            .json
            .then(|| view.url(main_self, Renderer::Json)),
        rss_url: cfg
            .output
            .formats
            .rss
            .then(|| view.url(main_self, Renderer::Rss)),
        opml_url: cfg
            .sources
            .iter()
            .any(|s| s.enabled && matches!(s.location, crate::config::Location::Url(_)))
            .then(|| crate::pool::views::sibling(main_self, "partners.opml").to_string()),
        digest_url: cfg
            .digest
            .as_ref()
            .map(|_| crate::pool::views::sibling(main_self, "digest/index.html").to_string()),
        updated: entries.iter().map(|e| e.updated).max().map(when),
        nav,
        entries: entries.iter().map(|e| entry_ctx(cfg, e)).collect(),
        embeds,
    }
}

/// A sample entry with every optional value present: a summary, an attachment, tags, a
/// right-to-left language, rights, a licence and a credit line.
fn sample_entry() -> EntryCtx<'static> {
    let named = |name: &str, url: &str| Named {
        name: name.into(),
        url: url.into(),
    };
    EntryCtx {
        id: "tag:feedbraid.example,2026:sample",
        title: "A sample entry",
        link: "https://partner.example/sample",
        partner: named("A partner", "https://partner.example/"),
        date: when(DateTime::UNIX_EPOCH),
        summary_html: Some("<p>A sample summary.</p>"),
        attachments: vec![Attachment {
            url: "https://partner.example/sample.pdf",
            title: "Download sample.pdf".into(),
            kind_size: "PDF, 1 KB".into(),
        }],
        tags: vec!["sample"],
        lang: Some("ar".into()),
        dir: Some("rtl"),
        rights: Some("Sample rights"),
        license: Some("https://creativecommons.org/licenses/by/4.0/"),
        credit: Some(named("A credited site", "https://credited.example/")),
    }
}

/// The contexts `feedbraid check` renders each template with, on the main view: everything
/// present (a sample entry, a subtitle, rights, every format, the partners' OPML, the embeds),
/// then nothing (no entries, no optional value).
pub(super) fn samples<'a>(cfg: &'a Config, views: &'a [FeedView]) -> [PageCtx<'a>; 2] {
    let mut full = page_ctx(cfg, views, 0, &[]);
    full.subtitle = full.subtitle.or(Some("A sample subtitle"));
    full.rights = full.rights.or(Some("Sample rights"));
    let sibling = |f: &str| Some(format!("{}{f}", cfg.feed.link));
    full.json_url = full.json_url.or_else(|| sibling("feed.json"));
    full.rss_url = full.rss_url.or_else(|| sibling("feed.rss"));
    full.opml_url = full.opml_url.or_else(|| sibling("partners.opml"));
    full.digest_url = full.digest_url.or_else(|| sibling("digest/index.html"));
    full.updated = Some(when(DateTime::UNIX_EPOCH));
    full.entries = vec![sample_entry()];
    let mut empty = page_ctx(cfg, views, 0, &[]);
    empty.subtitle = None;
    empty.rights = None;
    empty.json_url = None;
    empty.rss_url = None;
    empty.opml_url = None;
    empty.digest_url = None;
    empty.embeds.clear();
    [full, empty]
}
