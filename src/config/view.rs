//! `[[view]]` tables and `[output]`: more feeds from the same run, checked here so that `check`
//! reports an unknown format, an unknown source, a duplicate name or a name that collides with another output with
//! the file, the line and the key, like every other config error.

use toml::Spanned;

use super::raw::{RawArchive, RawOutput, RawView};
use super::validate::{Ctx, R};
use super::{ArchiveSettings, Formats, Source, View};

/// The origin name a view's `sources` uses for the network's own (local) entries.
pub const LOCAL: &str = "local";

/// Stems the main outputs use (`feed.atom`, `index.html`, `embed.html`, `status.json`...) or
/// that are kept for outputs the design names (`partners.opml`, `archive/`, `media/`).
pub const RESERVED: &[&str] = &[
    "feed", "index", "embed", "status", "partners", "archive", "media",
];

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

pub(super) fn views(
    cx: &Ctx<'_>,
    raw: &[Spanned<RawView>],
    sources: &[Source],
    default_max: usize,
) -> R<Vec<View>> {
    let mut out: Vec<View> = Vec::with_capacity(raw.len());
    for (i, v) in raw.iter().enumerate() {
        let k = format!("view[{i}].");
        let r = v.get_ref();
        let name = r.name.get_ref().trim().to_string();
        let name_key = format!("{k}name");
        if !valid_name(&name) {
            return cx.err(
                r.name.span(),
                &name_key,
                format!("`{name}` is not a view name: use lower-case letters, digits and `-`"),
            );
        }
        if RESERVED.contains(&name.as_str()) {
            return cx.err(
                r.name.span(),
                &name_key,
                format!(
                    "`{name}` collides with another output ({name}.*); reserved: {}",
                    RESERVED.join(", ")
                ),
            );
        }
        if out.iter().any(|o| o.name == name) {
            return cx.err(
                r.name.span(),
                &name_key,
                format!("the view name `{name}` is used twice"),
            );
        }
        let mut names = Vec::with_capacity(r.sources.len());
        for (j, s) in r.sources.iter().enumerate() {
            let n = s.get_ref().trim();
            let key = format!("{k}sources[{j}]");
            let known = sources.iter().any(|src| src.name == n);
            if n == LOCAL && known {
                return cx.err(
                    s.span(),
                    &key,
                    "`local` names the network's own entries, but a [[source]] is also called `local`: rename that source",
                );
            }
            if n != LOCAL && !known {
                return cx.err(
                    s.span(),
                    &key,
                    format!(
                        "`{n}` is not the name of any [[source]] (use `{LOCAL}` for the network's own entries)"
                    ),
                );
            }
            names.push(n.to_string());
        }
        out.push(View {
            name,
            title: cx.text(&r.title, &format!("{k}title"))?,
            subtitle: r.subtitle.clone().filter(|s| !s.trim().is_empty()),
            sources: names,
            tags: r
                .tags
                .iter()
                .map(|t| t.trim().to_lowercase())
                .filter(|t| !t.is_empty())
                .collect(),
            languages: r
                .languages
                .iter()
                .enumerate()
                .map(|(j, l)| cx.lang(l, &format!("{k}languages[{j}]")))
                .collect::<R<_>>()?,
            filter: cx.filter(&r.include, &r.exclude, None, &k)?,
            max_entries: r
                .max_entries
                .as_ref()
                .map(|n| cx.count(n, &format!("{k}max_entries"), 1))
                .transpose()?
                .unwrap_or(default_max),
        });
    }
    Ok(out)
}

/// `[output] credit`: `content` (default), `author` or `none`.
pub(super) fn credit(cx: &Ctx<'_>, raw: Option<&RawOutput>) -> R<super::CreditStyle> {
    let Some(c) = raw.and_then(|o| o.credit.as_ref()) else {
        return Ok(super::CreditStyle::Content);
    };
    match c.get_ref().trim() {
        "content" => Ok(super::CreditStyle::Content),
        "author" => Ok(super::CreditStyle::Author),
        "none" => Ok(super::CreditStyle::None),
        other => cx.err(
            c.span(),
            "output.credit",
            format!("`{other}` is not one of `content`, `author`, `none`"),
        ),
    }
}

pub(super) fn templates(cx: &Ctx<'_>, raw: Option<&RawOutput>) -> R<Option<std::path::PathBuf>> {
    let Some(t) = raw.and_then(|o| o.templates.as_ref()) else {
        return Ok(None);
    };
    let dir = cx.path(t, "output.templates")?;
    if !dir.is_dir() {
        return cx.err(
            t.span(),
            "output.templates",
            format!("`{}` is not a folder", dir.display()),
        );
    }
    Ok(Some(dir))
}

/// `[output] formats`: `atom` must be there; `json`, `html` and `rss` are optional.
pub(super) fn formats(cx: &Ctx<'_>, raw: Option<&RawOutput>) -> R<Formats> {
    let Some(list) = raw.and_then(|o| o.formats.as_ref()) else {
        return Ok(Formats::default());
    };
    let mut f = Formats {
        json: false,
        html: false,
        rss: false,
    };
    let mut atom = false;
    for (i, s) in list.get_ref().iter().enumerate() {
        let key = format!("output.formats[{i}]");
        match s.get_ref().trim() {
            "atom" => atom = true,
            "json" => f.json = true,
            "html" => f.html = true,
            "rss" => f.rss = true,
            other => {
                return cx.err(
                    s.span(),
                    &key,
                    format!("`{other}` is not one of atom, json, html, rss"),
                );
            }
        }
    }
    if !atom {
        return cx.err(
            list.span(),
            "output.formats",
            "`atom` cannot be left out: the Atom feed is the product, and the pages and WebSub point at it",
        );
    }
    Ok(f)
}

/// `[archive]`: `enabled` (default false) and `grace` (a duration of at most 28 days, so that a
/// month is closed before the next one ends).
pub(super) fn archive(cx: &Ctx<'_>, raw: Option<&RawArchive>) -> R<ArchiveSettings> {
    let mut out = ArchiveSettings::default();
    let Some(raw) = raw else {
        return Ok(out);
    };
    out.enabled = raw.enabled.unwrap_or(false);
    if let Some(g) = &raw.grace {
        out.grace = cx.duration(g, "archive.grace")?;
        if out.grace > std::time::Duration::from_secs(28 * 86_400) {
            return cx.err(
                g.span(),
                "archive.grace",
                "at most 28 days: a month must close before the next one ends".to_string(),
            );
        }
    }
    Ok(out)
}
