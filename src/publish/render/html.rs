//! The HTML outputs: a page for people (`index.html`, `NAME.html`) and a compact list for an
//! `<iframe>` on a partner's site (`embed.html`, `NAME.embed.html`). minijinja templates, the
//! defaults compiled into the binary; `[output] templates = "DIR"` overrides any of them by file
//! name. Everything a template shows is worked out here into plain typed values (dates, sizes,
//! `lang`/`dir`), so templates stay logic-free and an override cannot get the facts wrong.
//! A template error names the file and the line, like a config error. Pure apart from reading
//! the override folder once.

use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use crate::config::{Config, ConfigError};
use crate::model::{Enclosure, Entry};
use crate::pool::views::{FeedView, Renderer};
use crate::text::escape::escape_html;
use crate::text::lang::conventional_case;

/// The built-in templates, by file name.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("page.html", include_str!("templates/page.html")),
    ("embed.html", include_str!("templates/embed.html")),
    ("style.css", include_str!("templates/style.css")),
    // The privacy head every page and embed carries (Content-Security-Policy, no referrer).
    ("head.html", include_str!("templates/head.html")),
];

/// The loaded templates: the defaults, with any file of the override folder replacing the one of
/// the same name (and extra files available to `include`).
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    dir: Option<PathBuf>,
    /// Every template's name and text, for the views' fingerprints.
    pub sources: Vec<(String, String)>,
}

fn template_error(dir: Option<&Path>, e: &minijinja::Error) -> ConfigError {
    let name = e.name().unwrap_or("template").to_string();
    let file = match dir {
        Some(d) if d.join(&name).is_file() => d.join(&name),
        _ => PathBuf::from(format!("(built-in)/{name}")),
    };
    let detail = e.detail().map_or(String::new(), |d| format!(": {d}"));
    ConfigError {
        file,
        line: e.line().unwrap_or(1),
        column: 1,
        key: name,
        message: format!("template error: {}{detail}", e.kind()),
    }
}

impl Templates {
    /// Compiles the defaults and the overrides in `dir`. Syntax errors are reported here (so
    /// `feedbraid check` finds them), with the file and the line.
    pub fn load(dir: Option<&Path>) -> Result<Templates, ConfigError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        // minijinja's own HTML escaping also turns `/` into `&#x2f;`: valid, but it makes every
        // URL in the page unreadable to people and to plain-text checks. Escape what HTML needs.
        env.set_formatter(|out, state, value| {
            if matches!(state.auto_escape(), AutoEscape::Html)
                && !value.is_safe()
                && let Some(s) = value.as_str()
            {
                out.write_str(&escape_html(s))?;
                return Ok(());
            }
            minijinja::escape_formatter(out, state, value)
        });
        let mut sources: Vec<(String, String)> = DEFAULTS
            .iter()
            .map(|(n, s)| ((*n).to_string(), (*s).to_string()))
            .collect();
        if let Some(d) = dir {
            let read = std::fs::read_dir(d).map_err(|e| ConfigError::io(d, &e))?;
            let mut files: Vec<PathBuf> = read
                .filter_map(|f| f.ok().map(|f| f.path()))
                .filter(|p| p.is_file())
                .collect();
            files.sort();
            for f in files {
                let text = std::fs::read_to_string(&f).map_err(|e| ConfigError::io(&f, &e))?;
                let name = f
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                sources.retain(|(n, _)| *n != name);
                sources.push((name, text));
            }
        }
        for (name, text) in &sources {
            env.add_template_owned(name.clone(), text.clone())
                .map_err(|e| template_error(dir, &e))?;
        }
        Ok(Templates {
            env,
            dir: dir.map(Path::to_path_buf),
            sources,
        })
    }

    fn render(&self, name: &str, ctx: &PageCtx<'_>) -> Result<Vec<u8>, ConfigError> {
        let t = self
            .env
            .get_template(name)
            .map_err(|e| template_error(self.dir.as_deref(), &e))?;
        t.render(ctx)
            .map(String::into_bytes)
            .map_err(|e| template_error(self.dir.as_deref(), &e))
    }

    /// Renders one view as a page (`Renderer::Page`) or an embed (`Renderer::Embed`).
    pub fn view(
        &self,
        cfg: &Config,
        views: &[FeedView],
        at: usize,
        entries: &[Entry],
        kind: Renderer,
    ) -> Result<Vec<u8>, ConfigError> {
        let ctx = page_ctx(cfg, views, at, entries);
        let name = if kind == Renderer::Embed {
            "embed.html"
        } else {
            "page.html"
        };
        self.render(name, &ctx)
    }
}

#[derive(Debug, Serialize)]
struct PageCtx<'a> {
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
    match a.length {
        Some(n) => format!("{kind}, {}", human_size(n)),
        None => kind,
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

fn page_ctx<'a>(
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
        updated: entries.iter().map(|e| e.updated).max().map(when),
        nav,
        entries: entries.iter().map(|e| entry_ctx(cfg, e)).collect(),
        embeds,
    }
}
