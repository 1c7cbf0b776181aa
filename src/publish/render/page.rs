//! What the page and embed templates are given: every shown fact worked out here into plain typed
//! values (dates, sizes, `lang`/`dir`, labels in the interface's language: see `chrome`), so
//! templates stay logic-free and an override cannot get the facts wrong. Also the sample
//! contexts `feedbraid check` renders every template against: one where every optional value is
//! present (so every branch a template has is taken) and one where none is.

use chrono::DateTime;
use serde::Serialize;

use super::chrome::{Attachment, Chrome, EntryCtx, Named, Place, When, chrome, entry_ctx, when};
use super::i18n::{self, Catalogue};
use crate::config::Config;
use crate::model::{Enclosure, Entry};
use crate::pool::views::{FeedView, Renderer};
use crate::text::escape::escape_html;

pub use super::chrome::dir;

/// "PDF, 476 KB": the kind of file and its size, for a download link (in English).
pub fn kind_size(a: &Enclosure) -> String {
    super::chrome::kind_size(i18n::english(), a)
}

/// 1024-based sizes in English: "900 bytes", "476 KB", "2.0 MB".
pub fn human_size(n: u64) -> String {
    i18n::english().size(n)
}

#[derive(Debug, Serialize)]
pub(super) struct PageCtx<'a> {
    #[serde(flatten)]
    chrome: Chrome,
    title: &'a str,
    subtitle: Option<&'a str>,
    rights: Option<&'a str>,
    atom_url: String,
    atom_text: String,
    /// `None` when `[output] formats` leaves out `json`.
    json_url: Option<String>,
    json_text: String,
    /// `Some` when `[output] formats` has `rss`.
    rss_url: Option<String>,
    rss_text: String,
    /// `partners.opml`, when some partner has a feed URL to follow.
    opml_url: Option<String>,
    /// `digest/index.html`, the monthly digests, when `[digest]` is configured.
    digest_url: Option<String>,
    /// "Updated 3 December 2026".
    updated: Option<When>,
    updated_text: Option<String>,
    entries: Vec<EntryCtx<'a>>,
    /// The `<iframe>` snippet of every view; on the main page only.
    embeds: Vec<Embed<'a>>,
    /// `archive/index.html`: every entry, month by month.
    older_url: String,
    /// The embed's link to the full list ("All entries on ...").
    more_text: String,
    more_url: String,
}

#[derive(Debug, Serialize)]
struct Embed<'a> {
    title: &'a str,
    snippet: String,
}

/// The interface a view's pages are in.
pub(super) fn interface(view: &FeedView) -> &'static Catalogue {
    i18n::for_lang(view.ui_language.as_deref())
}

pub(super) fn page_ctx<'a>(
    cfg: &'a Config,
    views: &'a [FeedView],
    at: usize,
    entries: &'a [Entry],
    kind: Renderer,
) -> PageCtx<'a> {
    let view = &views[at];
    let main_self = &cfg.feed.self_url;
    let t = interface(view);
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
    let file = view.file(kind);
    let description = view
        .meta
        .subtitle
        .clone()
        .unwrap_or_else(|| view.meta.title.clone());
    let mut chrome = chrome(cfg, views, t, &file, Place::View(at), &description);
    if at == 0 {
        chrome.alternates.clear();
    }
    let root = chrome.root;
    let updated = entries.iter().map(|e| e.updated).max().map(|d| when(t, d));
    PageCtx {
        title: &view.meta.title,
        subtitle: view.meta.subtitle.as_deref(),
        rights: cfg.feed.rights.as_deref(),
        atom_url: view.url(main_self, Renderer::Atom),
        atom_text: t.with("atom-of", "title", &view.meta.title),
        json_url: cfg
            .output
            .formats
            .json
            .then(|| view.url(main_self, Renderer::Json)),
        json_text: t.with("json-of", "title", &view.meta.title),
        rss_url: cfg
            .output
            .formats
            .rss
            .then(|| view.url(main_self, Renderer::Rss)),
        rss_text: t.with("rss-of", "title", &view.meta.title),
        opml_url: cfg
            .sources
            .iter()
            .any(|s| s.enabled && matches!(s.location, crate::config::Location::Url(_)))
            .then(|| format!("{root}partners.opml")),
        digest_url: cfg
            .digest
            .as_ref()
            .map(|_| format!("{root}digest/index.html")),
        updated_text: updated
            .as_ref()
            .map(|u| t.with("updated", "date", &u.display)),
        updated,
        entries: entries
            .iter()
            .map(|e| entry_ctx(cfg, t, root, e, e.source.as_ref()))
            .collect(),
        embeds,
        older_url: format!("{root}archive/index.html"),
        more_text: t.with("embed-more", "network", &cfg.feed.author.name),
        more_url: format!("{root}{}", view.file(Renderer::Page)),
        chrome,
    }
}

/// A sample entry with every optional value present: a summary, an attachment, tags, a
/// right-to-left language, rights, a licence and a credit line.
fn sample_entry(t: &Catalogue) -> EntryCtx<'static> {
    let named = |name: &str, url: &str| Named {
        name: name.into(),
        url: url.into(),
    };
    EntryCtx {
        id: "tag:feedbraid.example,2026:sample",
        title: "A sample entry",
        link: "https://partner.example/sample",
        partner: named("A partner", "partners/a-partner.html"),
        date: when(t, DateTime::UNIX_EPOCH),
        summary_html: Some("<p>A sample summary.</p>"),
        attachments: vec![Attachment {
            url: "https://partner.example/sample.pdf".into(),
            text: "sample.pdf (PDF, 1 KB)".into(),
        }],
        tags: vec![named("sample", "tags/sample.html")],
        lang: Some("ar".into()),
        dir: Some("rtl"),
        rights: Some("Sample rights"),
        license: Some("https://creativecommons.org/licenses/by/4.0/"),
        license_text: t.with("licence-for", "title", "A sample entry"),
        credit: Some(named("A credited site", "https://credited.example/")),
    }
}

/// The contexts `feedbraid check` renders each template with, on the main view: everything
/// present (a sample entry, a subtitle, rights, every format, the partners' OPML, the embeds),
/// then nothing (no entries, no optional value).
pub(super) fn samples<'a>(cfg: &'a Config, views: &'a [FeedView]) -> [PageCtx<'a>; 2] {
    let t = interface(&views[0]);
    let mut full = page_ctx(cfg, views, 0, &[], Renderer::Page);
    full.subtitle = full.subtitle.or(Some("A sample subtitle"));
    full.rights = full.rights.or(Some("Sample rights"));
    let sibling = |f: &str| Some(format!("{}{f}", cfg.feed.link));
    full.json_url = full.json_url.or_else(|| sibling("feed.json"));
    full.rss_url = full.rss_url.or_else(|| sibling("feed.rss"));
    full.opml_url = full.opml_url.or_else(|| sibling("partners.opml"));
    full.digest_url = full.digest_url.or_else(|| sibling("digest/index.html"));
    full.updated = Some(when(t, DateTime::UNIX_EPOCH));
    full.updated_text = Some("Updated".into());
    full.entries = vec![sample_entry(t)];
    let mut empty = page_ctx(cfg, views, 0, &[], Renderer::Page);
    empty.subtitle = None;
    empty.rights = None;
    empty.json_url = None;
    empty.rss_url = None;
    empty.opml_url = None;
    empty.digest_url = None;
    empty.updated_text = None;
    empty.embeds.clear();
    [full, empty]
}
