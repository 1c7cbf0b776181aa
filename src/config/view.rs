//! `[[view]]` tables: more feeds from the same run, checked here so that `check` reports a bad
//! name, an unknown source, a duplicate name or a name that collides with another output with the
//! file, the line and the key, like every other config error.

use toml::Spanned;

use super::check::{Ctx, R};
use super::raw::RawView;
use super::{Source, View};

/// The origin name a view's `sources` uses for the network's own (local) entries.
pub const LOCAL: &str = "local";

/// Stems the main outputs use (`feed.atom`, `index.html`, `embed.html`, `status.json`...) or
/// that are kept for outputs the design names (`partners.opml`, `archive/`, `media/`).
pub const RESERVED: &[&str] = &[
    "feed", "index", "embed", "status", "partners", "archive", "media", "sitemap", "robots",
    "digest",
];

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Every `[[view]]`, in file order; `default_max` is `[feed] max_entries`.
pub(super) fn views(
    cx: &Ctx<'_>,
    raw: &[Spanned<RawView>],
    sources: &[Source],
    default_max: usize,
) -> R<Vec<View>> {
    let mut out: Vec<View> = Vec::with_capacity(raw.len());
    for (i, v) in raw.iter().enumerate() {
        let k = format!("view[{i}].");
        let view = view(cx, v.get_ref(), &k, &out, sources, default_max)?;
        out.push(view);
    }
    Ok(out)
}

/// One `[[view]]`; `k` is its key prefix (`view[2].`), `earlier` the views before it.
fn view(
    cx: &Ctx<'_>,
    r: &RawView,
    k: &str,
    earlier: &[View],
    sources: &[Source],
    default_max: usize,
) -> R<View> {
    let name = name(cx, r, k, earlier)?;
    let sources = source_names(cx, r, k, sources)?;
    Ok(View {
        name,
        title: cx.name(&r.title, &format!("{k}title"))?,
        subtitle: r.subtitle.clone().filter(|s| !s.trim().is_empty()),
        sources,
        tags: cx
            .tags(&r.tags, &format!("{k}tags"))?
            .iter()
            .map(|t| t.to_lowercase())
            .collect(),
        languages: r
            .languages
            .iter()
            .enumerate()
            .map(|(j, l)| cx.lang(l, &format!("{k}languages[{j}]")))
            .collect::<R<_>>()?,
        filter: cx.filter(&r.include, &r.exclude, None, k)?,
        max_entries: cx
            .opt_count(r.max_entries.as_ref(), &format!("{k}max_entries"), 1)?
            .unwrap_or(default_max),
        ui_language: r
            .ui_language
            .as_ref()
            .map(|l| cx.lang(l, &format!("{k}ui_language")))
            .transpose()?,
    })
}

/// `name`: a file stem no other output uses and no earlier view has taken.
fn name(cx: &Ctx<'_>, r: &RawView, k: &str, earlier: &[View]) -> R<String> {
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
    if earlier.iter().any(|o| o.name == name) {
        return cx.err(
            r.name.span(),
            &name_key,
            format!("the view name `{name}` is used twice"),
        );
    }
    Ok(name)
}

/// `sources`: each the name of a `[[source]]`, or [`LOCAL`] (which no source may be called).
fn source_names(cx: &Ctx<'_>, r: &RawView, k: &str, sources: &[Source]) -> R<Vec<String>> {
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
    Ok(names)
}
