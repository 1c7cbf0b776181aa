//! Local entries (`[[entry]]` tables and Markdown files with front matter) validated into
//! [`LocalEntry`] values.

use std::path::Path;

use toml::Spanned;

use super::raw::RawEntry;
use super::validate::{Ctx, R};
use super::{Config, ConfigError, LocalEntry};
use crate::model::Enclosure;

pub(super) fn entry(cx: &Ctx<'_>, cfg: &Config, e: &Spanned<RawEntry>, k: &str) -> R<LocalEntry> {
    let r = e.get_ref();
    let id = match (&r.id, &r.slug) {
        (Some(id), _) => cx.iri(id, &format!("{k}.id"))?,
        (None, Some(slug)) => format!(
            "{}/{}",
            cfg.feed.id.trim_end_matches('/'),
            crate::config::slugify(slug.get_ref())
        ),
        (None, None) => return cx.err(e.span(), &format!("{k}.slug"), "missing `slug` (or `id`)"),
    };
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
    let link = match (&r.link, &r.slug) {
        (Some(l), _) => cx.url_or_relative(l, &format!("{k}.link"), &cfg.feed.link)?,
        (None, Some(slug)) => cx.url_or_relative(slug, &format!("{k}.slug"), &cfg.feed.link)?,
        (None, None) => cfg.feed.link.clone(),
    };
    let mut attachments = Vec::new();
    for (j, a) in r.attachments.iter().enumerate() {
        let ak = format!("{k}.attachments[{j}]");
        let a = a.get_ref();
        let mime = cx.text(&a.mime_type, &format!("{ak}.type"))?;
        if !mime.contains('/') {
            return cx.err(
                a.mime_type.span(),
                &format!("{ak}.type"),
                format!("`{mime}` is not a MIME type such as `application/pdf`"),
            );
        }
        let file_len = a
            .path
            .as_ref()
            .map(|p| cx.path(p, &format!("{ak}.path")))
            .transpose()?
            .and_then(|p| std::fs::metadata(p).ok())
            .map(|m| m.len());
        attachments.push(Enclosure {
            url: cx
                .url_or_relative(&a.url, &format!("{ak}.url"), &cfg.feed.link)?
                .into(),
            mime_type: mime,
            length: match (&a.length, file_len) {
                (_, Some(n)) => Some(n),
                (Some(n), None) => Some(cx.count(n, &format!("{ak}.length"), 0)? as u64),
                (None, None) => None,
            },
            title: a.title.clone(),
            language: a
                .language
                .as_ref()
                .map(|l| cx.lang(l, &format!("{ak}.language")))
                .transpose()?,
        });
    }
    let mut authors = Vec::new();
    for (j, p) in r.authors.iter().enumerate() {
        authors.push(cx.person(p.get_ref(), &format!("{k}.authors[{j}]"))?);
    }
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
        credit: match &r.source {
            None => None,
            Some(c) => {
                let c = c.get_ref();
                let sk = format!("{k}.source");
                Some(crate::model::Credit {
                    name: cx.text(&c.name, &format!("{sk}.name"))?,
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
        },
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
