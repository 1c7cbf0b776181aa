//! The HTML outputs: a page for people (`index.html`, `NAME.html`) and a compact list for an
//! `<iframe>` on a partner's site (`embed.html`, `NAME.embed.html`). minijinja templates, the
//! defaults compiled into the binary; `[output] templates = "DIR"` overrides any of them by file
//! name, and its other files can be included. What the templates are given is worked out in
//! [`page`](super::page).
//!
//! Everything a template writes goes into an HTML page, so everything is HTML-escaped, whatever
//! the file's name: a partial called `item.j2`, `row.inc` or `notes.txt` escapes as `page.html`
//! does (minijinja would otherwise decide by the extension). Only `|safe` values (the sanitised
//! summaries) are written as they are. Templates can include only each other: there is no
//! loader, so `{% include "/etc/passwd" %}` is a missing template, not a file read.
//!
//! A template error names the file, the line and, for an undefined value, the expression.
//! [`Templates::check`] renders each page template against sample entries, as `feedbraid check`
//! does, so that what a run would refuse is refused before it. Pure apart from reading the
//! override folder once.

use std::path::{Path, PathBuf};

use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};

pub use super::page::{dir, human_size, kind_size};
use super::page::{page_ctx, samples};
use crate::config::{Config, ConfigError};
use crate::model::Entry;
use crate::pool::views::{FeedView, Renderer};
use crate::text::escape::escape_html_to;

/// The built-in templates, by file name.
pub const DEFAULTS: &[(&str, &str)] = &[
    ("page.html", include_str!("templates/page.html")),
    ("embed.html", include_str!("templates/embed.html")),
    ("style.css", include_str!("templates/style.css")),
    // The privacy head every page and embed carries (Content-Security-Policy, no referrer).
    ("head.html", include_str!("templates/head.html")),
    // Sharing and discovery: description, canonical URL, Open Graph, favicon.
    ("meta.html", include_str!("templates/meta.html")),
    // The skip link, the network, the title and the navigation of every page.
    ("top.html", include_str!("templates/top.html")),
    // One entry, in full (`full`) or compact.
    ("entry.html", include_str!("templates/entry.html")),
    // The month, topic and partner pages and their indexes (`render::library`).
    ("library.html", include_str!("templates/library.html")),
];

/// The templates a run renders; the others are only ever included by these.
const PAGES: [(&str, Renderer); 2] = [
    ("page.html", Renderer::Page),
    ("embed.html", Renderer::Embed),
];

/// The loaded templates: the defaults, with any file of the override folder replacing the one of
/// the same name (and extra files available to `include`).
#[derive(Debug)]
pub struct Templates {
    env: Environment<'static>,
    dir: Option<PathBuf>,
    /// Every template's name and text, for the views' fingerprints.
    pub sources: Vec<(String, String)>,
    /// Whether `entry.html` is the built-in one (or an override with the same text): the
    /// library's rows are then written without minijinja (`render::row`).
    entry_built_in: bool,
}

fn template_error(dir: Option<&Path>, outer: &minijinja::Error) -> ConfigError {
    // An error inside an include is wrapped ("could not render include"): the innermost one says
    // what went wrong, and where ("recursion limit exceeded", an undefined value in a partial).
    let mut e = outer;
    while let Some(inner) =
        std::error::Error::source(e).and_then(|s| s.downcast_ref::<minijinja::Error>())
    {
        e = inner;
    }
    let name = e.name().unwrap_or("template").to_string();
    let file = match dir {
        Some(d) if d.join(&name).is_file() => d.join(&name),
        _ => PathBuf::from(format!("(built-in)/{name}")),
    };
    // The failing expression, as written (`e.no_such_field`): it names an undefined variable.
    let expr = e
        .template_source()
        .zip(e.range())
        .and_then(|(src, r)| src.get(r))
        .map(str::trim)
        .filter(|x| !x.is_empty() && x.len() <= 80);
    let message = match (e.kind(), expr) {
        (ErrorKind::UndefinedError, Some(x)) => format!("template error: undefined value `{x}`"),
        (kind, x) => format!(
            "template error: {kind}{}{}",
            e.detail().map_or(String::new(), |d| format!(": {d}")),
            x.map_or(String::new(), |x| format!(" (in `{x}`)"))
        ),
    };
    ConfigError {
        file,
        line: e.line().unwrap_or(1),
        column: 1,
        key: name,
        message,
    }
}

/// The defaults, then every file of `dir` (replacing a default of the same name).
fn read_sources(dir: Option<&Path>) -> Result<Vec<(String, String)>, ConfigError> {
    let mut sources: Vec<(String, String)> = DEFAULTS
        .iter()
        .map(|(n, s)| ((*n).to_string(), (*s).to_string()))
        .collect();
    let Some(d) = dir else {
        return Ok(sources);
    };
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
    Ok(sources)
}

impl Templates {
    /// Compiles the defaults and the overrides in `dir`. Syntax errors are reported here (so
    /// `feedbraid check` finds them), with the file and the line.
    pub fn load(dir: Option<&Path>) -> Result<Templates, ConfigError> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        // Every template is part of a page, whatever its name says (issue 27, defect 14).
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        // Keeps the source and the span of a failing expression, to name it in the error.
        env.set_debug(true);
        // minijinja's own HTML escaping also turns `/` into `&#x2f;`: valid, but it makes every
        // URL in the page unreadable to people and to plain-text checks. Escape what HTML needs.
        env.set_formatter(|out, state, value| {
            if matches!(state.auto_escape(), AutoEscape::Html)
                && !value.is_safe()
                && let Some(s) = value.as_str()
            {
                return Ok(escape_html_to(s, out)?);
            }
            minijinja::escape_formatter(out, state, value)
        });
        let sources = read_sources(dir)?;
        for (name, text) in &sources {
            env.add_template_owned(name.clone(), text.clone())
                .map_err(|e| template_error(dir, &e))?;
        }
        let built_in = DEFAULTS.iter().find(|(n, _)| *n == "entry.html");
        let entry_built_in = sources
            .iter()
            .any(|(n, text)| n == "entry.html" && built_in.is_some_and(|(_, b)| b == text));
        Ok(Templates {
            env,
            dir: dir.map(Path::to_path_buf),
            sources,
            entry_built_in,
        })
    }

    /// Whether `entry.html` is the built-in template (see `render::row`).
    pub(crate) fn entry_built_in(&self) -> bool {
        self.entry_built_in
    }

    /// Renders template `name` with `ctx`.
    pub(crate) fn render_with(
        &self,
        name: &str,
        ctx: &impl serde::Serialize,
    ) -> Result<Vec<u8>, ConfigError> {
        self.render_string(name, ctx).map(|page| {
            // A page is held until the publication; the buffer's spare capacity (up to half of
            // it, as it grew by doubling) would be held with it, thousands of times over.
            let mut bytes = page.into_bytes();
            bytes.shrink_to_fit();
            bytes
        })
    }

    /// Renders template `name` with `ctx`, as text.
    pub(crate) fn render_string(
        &self,
        name: &str,
        ctx: &impl serde::Serialize,
    ) -> Result<String, ConfigError> {
        let t = self
            .env
            .get_template(name)
            .map_err(|e| template_error(self.dir.as_deref(), &e))?;
        t.render(ctx)
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
        let ctx = page_ctx(cfg, views, at, entries, kind);
        let name = PAGES
            .iter()
            .find(|(_, r)| *r == kind)
            .map_or("page.html", |(n, _)| n);
        self.render_with(name, &ctx)
    }

    /// Renders the page and the embed (and so every template they include) once with a sample
    /// entry and every optional value present, and once with nothing: an undefined variable, a
    /// missing or recursive include fails here as it would in a run (issue 27, defect 15).
    pub fn check(&self, cfg: &Config) -> Result<(), ConfigError> {
        let views = crate::pool::views::feed_views(cfg);
        for ctx in &samples(cfg, &views) {
            for (name, _) in PAGES {
                self.render_with(name, ctx)?;
            }
        }
        Ok(())
    }
}
