//! Local entries (`[[entry]]` tables and Markdown files with front matter) validated into
//! [`LocalEntry`] values.

use std::path::Path;

use chrono::{DateTime, Utc};
use toml::Spanned;
use url::Url;

use super::attachment_file::facts;
use super::check::{Ctx, R};
use super::raw::{RawAttachment, RawCredit, RawEntry, S};
use super::{Config, ConfigError, LocalEntry};
use crate::model::{Credit, Enclosure};

/// One local entry; `k` is its key prefix in messages (`entry[3]`, or `entry` in front matter).
pub(super) fn entry(cx: &Ctx<'_>, cfg: &Config, e: &Spanned<RawEntry>, k: &str) -> R<LocalEntry> {
    let r = e.get_ref();
    let id = id(cx, cfg, e, k)?;
    let (published, updated) = dates(cx, r, k)?;
    let link = link(cx, cfg, r, k)?;
    let attachments = r
        .attachments
        .iter()
        .enumerate()
        .map(|(j, a)| attachment(cx, cfg, a, &format!("{k}.attachments[{j}]")))
        .collect::<R<Vec<_>>>()?;
    let authors = r
        .authors
        .iter()
        .enumerate()
        .map(|(j, p)| cx.person(p.get_ref(), &format!("{k}.authors[{j}]")))
        .collect::<R<Vec<_>>>()?;
    Ok(LocalEntry {
        id,
        title: cx.text(&r.title, &format!("{k}.title"))?,
        published,
        updated,
        link,
        summary: r.summary.clone(),
        content: r.content.clone(),
        language: r
            .language
            .as_ref()
            .map(|l| cx.lang(l, &format!("{k}.language")))
            .transpose()?
            .or_else(|| cfg.feed.language.clone()),
        tags: r.tags.clone(),
        authors,
        attachments,
        credit: r
            .source
            .as_ref()
            .map(|c| credit(cx, c.get_ref(), &format!("{k}.source")))
            .transpose()?,
    })
}

/// `id`, else the feed's id with `/` and the slug.
fn id(cx: &Ctx<'_>, cfg: &Config, e: &Spanned<RawEntry>, k: &str) -> R<String> {
    let r = e.get_ref();
    match (&r.id, &r.slug) {
        (Some(id), _) => cx.iri(id, &format!("{k}.id")),
        (None, Some(slug)) => Ok(format!(
            "{}/{}",
            cfg.feed.id.trim_end_matches('/'),
            crate::config::slugify(slug.get_ref())
        )),
        (None, None) => cx.err(e.span(), &format!("{k}.slug"), "missing `slug` (or `id`)"),
    }
}

/// `published` and `updated` (which defaults to `published` and may not be before it).
fn dates(cx: &Ctx<'_>, r: &RawEntry, k: &str) -> R<(DateTime<Utc>, DateTime<Utc>)> {
    let published = cx.date(&r.published, &format!("{k}.published"))?;
    let updated = r
        .updated
        .as_ref()
        .map(|u| cx.date(u, &format!("{k}.updated")))
        .transpose()?
        .unwrap_or(published);
    if updated < published {
        return cx.err(
            r.updated.as_ref().map_or(0..0, Spanned::span),
            &format!("{k}.updated"),
            "is before `published`",
        );
    }
    Ok((published, updated))
}

/// `link`, else the slug, both relative to `[feed] link`; else `[feed] link` itself.
fn link(cx: &Ctx<'_>, cfg: &Config, r: &RawEntry, k: &str) -> R<Url> {
    match (&r.link, &r.slug) {
        (Some(l), _) => cx.url_or_relative(l, &format!("{k}.link"), &cfg.feed.link),
        (None, Some(slug)) => cx.url_or_relative(slug, &format!("{k}.slug"), &cfg.feed.link),
        (None, None) => Ok(cfg.feed.link.clone()),
    }
}

/// One of `attachments`; `ak` is its key (`entry[0].attachments[1]`). With a `path`, the file is
/// the truth (issue 23): it must exist; its bytes give the type, size, digest and a PDF's pages
/// (and its title when the attachment has none); `url` defaults to the path under `[feed] link`.
/// Without one, `url` and `type` are required.
fn attachment(cx: &Ctx<'_>, cfg: &Config, a: &Spanned<RawAttachment>, ak: &str) -> R<Enclosure> {
    let (span, a) = (a.span(), a.get_ref());
    let file = match &a.path {
        Some(p) => {
            let path = cx.path(p, &format!("{ak}.path"))?;
            let facts = facts(&path).or_else(|e| {
                cx.err(
                    p.span(),
                    &format!("{ak}.path"),
                    format!("cannot read {}: {e}", path.display()),
                )
            })?;
            Some((p, facts))
        }
        None => None,
    };
    let url = match (&a.url, &file) {
        (Some(u), _) => cx.url_or_relative(u, &format!("{ak}.url"), &cfg.feed.link)?,
        (None, Some((p, _))) => cx.url_or_relative(p, &format!("{ak}.path"), &cfg.feed.link)?,
        (None, None) => {
            return cx.err(
                span,
                &format!("{ak}.url"),
                "give `url`, or `path` to a file",
            );
        }
    };
    // The bytes' type wins; a configured `type` names what the bytes do not show.
    let known = file.as_ref().and_then(|(_, f)| f.mime_type.clone());
    let mime = match (known, &a.mime_type, &file) {
        (Some(m), _, _) => m,
        (None, Some(t), _) => mime_type(cx, t, ak)?,
        (None, None, Some((_, f))) => f.fallback_type.to_string(),
        (None, None, None) => {
            return cx.err(
                span,
                &format!("{ak}.type"),
                "give `type`, or `path` to a file",
            );
        }
    };
    Ok(Enclosure {
        url: url.into(),
        mime_type: mime,
        length: match (&a.length, &file) {
            (_, Some((_, f))) => Some(f.length),
            (Some(n), None) => Some(cx.count(n, &format!("{ak}.length"), 0)? as u64),
            (None, None) => None,
        },
        title: a
            .title
            .clone()
            .or_else(|| file.as_ref().and_then(|(_, f)| f.title.clone())),
        language: a
            .language
            .as_ref()
            .map(|l| cx.lang(l, &format!("{ak}.language")))
            .transpose()?,
        pages: file.as_ref().and_then(|(_, f)| f.pages),
        sha256: file.map(|(_, f)| f.sha256),
    })
}

fn mime_type(cx: &Ctx<'_>, t: &S, ak: &str) -> R<String> {
    let mime = cx.text(t, &format!("{ak}.type"))?;
    if !mime.contains('/') {
        return cx.err(
            t.span(),
            &format!("{ak}.type"),
            format!("`{mime}` is not a MIME type such as `application/pdf`"),
        );
    }
    Ok(mime)
}

/// `source = { name, uri, feed }`; `sk` is its key (`entry[0].source`).
fn credit(cx: &Ctx<'_>, c: &RawCredit, sk: &str) -> R<Credit> {
    Ok(Credit {
        name: cx.name(&c.name, &format!("{sk}.name"))?,
        uri: c
            .uri
            .as_ref()
            .map(|u| cx.http_url(u, &format!("{sk}.uri")))
            .transpose()?
            .map(String::from),
        feed: c
            .feed
            .as_ref()
            .map(|u| cx.http_url(u, &format!("{sk}.feed")))
            .transpose()?
            .map(String::from),
    })
}

/// A Markdown local entry: `+++` TOML front matter `+++`, then a Markdown body that becomes `content`.
pub(super) fn markdown_entry(cfg: &Config, text: &str, file: &Path) -> R<LocalEntry> {
    let cx = Ctx {
        file,
        src: text,
        base_dir: cfg.base_dir.clone(),
    };
    let rest = text
        .trim_start_matches('\u{feff}')
        .strip_prefix("+++")
        .ok_or_else(|| {
            ConfigError::at(
                file,
                text,
                0..0,
                "(front matter)",
                "must start with a `+++` line",
            )
        })?;
    let end = rest.find("\n+++").ok_or_else(|| {
        ConfigError::at(
            file,
            text,
            0..0,
            "(front matter)",
            "has no closing `+++` line",
        )
    })?;
    let offset = text.len() - rest.len();
    let front = &rest[..end];
    let body = rest[end + 4..].trim_start_matches(['\r', '\n']);
    let raw: RawEntry = toml::from_str(front).map_err(|e| {
        let mut err = ConfigError::from_toml(file, front, &e);
        err.line += text[..offset].matches('\n').count();
        err
    })?;
    if raw.content.is_some() {
        return cx.err(
            0..0,
            "content",
            "write the content as the Markdown body, not as a key",
        );
    }
    let mut le = entry(&cx, cfg, &Spanned::new(0..0, raw), "entry")?;
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(body));
    le.content = Some(html).filter(|h| !h.trim().is_empty());
    Ok(le)
}
