//! One `[[source]]` table validated into a [`Source`]: where it is fetched from, how its ids are
//! derived, its filters, and the editorial terms that travel with its items (rights, licence,
//! excerpt only). `validate` calls it once per table and checks the names are unique.

use toml::Spanned;

use super::ReviewMode;
use super::check::{Ctx, R};
use super::raw::RawSource;
use super::{IdStrategy, Location, Source};

/// The `i`th `[[source]]` table (0-based).
pub(super) fn source(cx: &Ctx<'_>, s: &Spanned<RawSource>, i: usize) -> R<Source> {
    let k = format!("source[{i}].");
    let r = s.get_ref();
    let location = location(cx, s, &k)?;
    let id_strategy = id_strategy(cx, r, &k)?;
    Ok(Source {
        name: cx.name(&r.name, &format!("{k}name"))?,
        location,
        homepage: r
            .homepage
            .as_ref()
            .map(|u| cx.http_url(u, &format!("{k}homepage")))
            .transpose()?,
        language: r
            .language
            .as_ref()
            .map(|l| cx.lang(l, &format!("{k}language")))
            .transpose()?,
        tags: cx.tags(&r.tags, &format!("{k}tags"))?,
        max_items: r
            .max_items
            .as_ref()
            .map(|n| cx.count(n, &format!("{k}max_items"), 1))
            .transpose()?,
        id_strategy,
        filter: cx.filter(&r.include, &r.exclude, r.max_age.as_ref(), &k)?,
        iframe_hosts: r
            .iframe_hosts
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect(),
        enabled: r.enabled.unwrap_or(true),
        rights: r.rights.clone().filter(|t| !t.trim().is_empty()),
        description: r.description.clone().filter(|t| !t.trim().is_empty()),
        license: r
            .license
            .as_ref()
            .map(|u| cx.http_url(u, &format!("{k}license")))
            .transpose()?,
        excerpt_only: r.excerpt_only.unwrap_or(false),
        excerpt_chars: r
            .excerpt_chars
            .as_ref()
            .map(|n| cx.count(n, &format!("{k}excerpt_chars"), 20))
            .transpose()?
            .unwrap_or(300),
        review: match r.review.as_ref().map(|v| (v, v.get_ref().trim())) {
            None | Some((_, "off")) => ReviewMode::Off,
            Some((_, "new")) => ReviewMode::New,
            Some((_, "all")) => ReviewMode::All,
            Some((v, other)) => {
                return cx.err(
                    v.span(),
                    &format!("{k}review"),
                    format!("`{other}` is not one of off, new, all"),
                );
            }
        },
    })
}

/// `url` or `path` (one of them, not both).
fn location(cx: &Ctx<'_>, s: &Spanned<RawSource>, k: &str) -> R<Location> {
    let r = s.get_ref();
    match (&r.url, &r.path) {
        (Some(u), None) => Ok(Location::Url(cx.http_url(u, &format!("{k}url"))?)),
        (None, Some(p)) => Ok(Location::Path(cx.path(p, &format!("{k}path"))?)),
        (Some(u), Some(_)) => cx.err(
            u.span(),
            &format!("{k}url"),
            "give either `url` or `path`, not both",
        ),
        (None, None) => cx.err(
            s.span(),
            &format!("{k}url"),
            "missing `url` (or `path` for a local file)",
        ),
    }
}

/// `id_strategy`: `auto` (the default), `guid`, `link` or `hash`.
fn id_strategy(cx: &Ctx<'_>, r: &RawSource, k: &str) -> R<IdStrategy> {
    match r.id_strategy.as_ref().map(|v| (v, v.get_ref().as_str())) {
        None | Some((_, "auto")) => Ok(IdStrategy::Auto),
        Some((_, "guid")) => Ok(IdStrategy::Guid),
        Some((_, "link")) => Ok(IdStrategy::Link),
        Some((_, "hash")) => Ok(IdStrategy::Hash),
        Some((v, other)) => cx.err(
            v.span(),
            &format!("{k}id_strategy"),
            format!("`{other}` is not one of auto, guid, link, hash"),
        ),
    }
}
