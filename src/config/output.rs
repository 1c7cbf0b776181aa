//! `[output]` and `[archive]`: how every feed is written (formats, templates, how partners are
//! credited, media mirroring) and whether monthly archive documents are kept. Split from
//! `view` (which checks `[[view]]`, the feeds themselves) so each file is about one thing.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::check::{Ctx, R};
use super::raw::{RawArchive, RawOutput};
use super::{ArchiveSettings, CreditStyle, Formats, OutputSettings};

/// `[output]`, every key checked in the order the file's errors have always been reported in.
pub(super) fn output(cx: &Ctx<'_>, raw: Option<&RawOutput>) -> R<OutputSettings> {
    let d = OutputSettings::default();
    Ok(OutputSettings {
        templates: templates(cx, raw)?,
        credit: credit(cx, raw)?,
        mirror_media: raw.and_then(|o| o.mirror_media).unwrap_or(d.mirror_media),
        media_max_bytes: cx
            .opt_count(
                raw.and_then(|o| o.media_max_bytes.as_ref()),
                "output.media_max_bytes",
                1024,
            )?
            .map_or(d.media_max_bytes, |n| n as u64),
        credit_words: raw.map(credit_words).unwrap_or_default(),
        formats: formats(cx, raw)?,
    })
}

/// `[output] credit_words`: keyed by primary language subtag, values trimmed.
fn credit_words(raw: &RawOutput) -> BTreeMap<String, String> {
    raw.credit_words
        .iter()
        .map(|(k, v)| (crate::text::lang::primary(k), v.trim().to_string()))
        .collect()
}
/// `[output] credit`: `content` (default), `author` or `none`.
fn credit(cx: &Ctx<'_>, raw: Option<&RawOutput>) -> R<CreditStyle> {
    let Some(c) = raw.and_then(|o| o.credit.as_ref()) else {
        return Ok(CreditStyle::Content);
    };
    match c.get_ref().trim() {
        "content" => Ok(CreditStyle::Content),
        "author" => Ok(CreditStyle::Author),
        "none" => Ok(CreditStyle::None),
        other => cx.err(
            c.span(),
            "output.credit",
            format!("`{other}` is not one of `content`, `author`, `none`"),
        ),
    }
}

/// `[output] templates`: a folder, resolved against the config's.
fn templates(cx: &Ctx<'_>, raw: Option<&RawOutput>) -> R<Option<PathBuf>> {
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
fn formats(cx: &Ctx<'_>, raw: Option<&RawOutput>) -> R<Formats> {
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
