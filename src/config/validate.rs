//! Puts validation together: turns the whole [`RawConfig`] into a [`Config`], one table after
//! another (`[feed]`, `[fetch]`, `[filter]`, `[[source]]`, the paths, `[[view]]`, `[output]`,
//! `[archive]`, `[deploy]`, `[digest]`, `[[entry]]`), stopping at the first bad value.
//!
//! The order is part of the behaviour: when a file has several mistakes, `check` names the first
//! one in this order. The checkers themselves are in `check`; the larger tables have files of
//! their own (`source`, `view`, `output`, `entry`), none of which imports this one.

use std::path::{Path, PathBuf};

use toml::Spanned;

use super::check::{Ctx, R};
use super::deploy::deploy;
use super::digest::digest;
use super::entry::entry;
use super::output::{archive, output};
use super::raw::{
    RawConfig, RawEntry, RawFeed, RawFetch, RawFilter, RawLocal, RawReview, RawSource, S,
};
use super::source::source;
use super::view::views;
use super::{Config, FeedMeta, FetchSettings, Filter, LocalEntry, ReviewSettings, Source};

/// The whole file, in the order its errors are reported.
pub(super) fn validate(raw: RawConfig, src: &str, file: &Path) -> R<Config> {
    let base_dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let cx = Ctx {
        file,
        src,
        base_dir: base_dir.clone(),
    };
    let feed = feed_meta(&cx, &raw.feed)?;
    let fetch = fetch_settings(&cx, &raw.fetch)?;
    let filter = global_filter(&cx, &raw.filter)?;
    let sources = sources(&cx, &raw.source)?;
    let output_dir = path_or(
        &cx,
        raw.output_dir.as_ref(),
        "output_dir",
        base_dir.join("output"),
    )?;
    let state_path = path_or(
        &cx,
        raw.state.as_ref(),
        "state",
        base_dir.join(".feedbraid").join("state.db"),
    )?;
    let local_dir = local_dir(&cx, raw.local.as_ref())?;
    let views = views(&cx, &raw.view, &sources, feed.max_entries)?;
    let output = output(&cx, raw.output.as_ref())?;
    let archive = archive(&cx, raw.archive.as_ref())?;
    let deploy = deploy(&cx, raw.deploy.as_ref())?;
    let digest = digest(&cx, raw.digest.as_ref(), &views)?;
    let mut cfg = Config {
        path: file.to_path_buf(),
        base_dir,
        output_dir,
        state_path,
        feed,
        fetch,
        filter,
        local_dir,
        sources,
        entries: Vec::new(),
        views,
        output,
        archive,
        deploy,
        digest,
        review: review(&cx, raw.review.as_ref())?,
    };
    cfg.entries = entries(&cx, &cfg, &raw.entry)?;
    Ok(cfg)
}

/// `[review]`.
fn review(cx: &Ctx<'_>, raw: Option<&RawReview>) -> R<ReviewSettings> {
    let d = ReviewSettings::default();
    let Some(r) = raw else { return Ok(d) };
    Ok(ReviewSettings {
        trial: cx
            .opt_duration(r.trial.as_ref(), "review.trial")?
            .unwrap_or(d.trial),
        guard: r.guard.unwrap_or(d.guard),
        burst: cx
            .opt_count(r.burst.as_ref(), "review.burst", 1)?
            .unwrap_or(d.burst),
    })
}

/// `[feed]`.
fn feed_meta(cx: &Ctx<'_>, f: &RawFeed) -> R<FeedMeta> {
    Ok(FeedMeta {
        title: cx.name(&f.title, "feed.title")?,
        subtitle: f.subtitle.clone().filter(|s| !s.trim().is_empty()),
        id: cx.iri(&f.id, "feed.id")?,
        link: cx.http_url(&f.link, "feed.link")?,
        self_url: cx.http_url(&f.self_url, "feed.self_url")?,
        author: cx.person(f.author.get_ref(), "feed.author")?,
        language: f
            .language
            .as_ref()
            .map(|l| cx.lang(l, "feed.language"))
            .transpose()?,
        rights: f.rights.clone(),
        icon: f
            .icon
            .as_ref()
            .map(|u| cx.http_url(u, "feed.icon"))
            .transpose()?,
        logo: f
            .logo
            .as_ref()
            .map(|u| cx.http_url(u, "feed.logo"))
            .transpose()?,
        max_entries: cx
            .opt_count(f.max_entries.as_ref(), "feed.max_entries", 1)?
            .unwrap_or(100),
        tombstone_days: cx
            .opt_count(f.tombstone_days.as_ref(), "feed.tombstone_days", 0)?
            .map_or(30, |n| u32::try_from(n).unwrap_or(u32::MAX)),
        iframe_hosts: f
            .iframe_hosts
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .filter(|h| !h.is_empty())
            .collect(),
        hubs: f
            .hubs
            .iter()
            .enumerate()
            .map(|(i, h)| cx.http_url(h, &format!("feed.hubs[{i}]")))
            .collect::<R<_>>()?,
    })
}

/// `[fetch]`: every key optional, defaults from [`FetchSettings::default`].
fn fetch_settings(cx: &Ctx<'_>, r: &RawFetch) -> R<FetchSettings> {
    let d = FetchSettings::default();
    Ok(FetchSettings {
        timeout: cx
            .opt_duration(r.timeout.as_ref(), "fetch.timeout")?
            .unwrap_or(d.timeout),
        connect_timeout: cx
            .opt_duration(r.connect_timeout.as_ref(), "fetch.connect_timeout")?
            .unwrap_or(d.connect_timeout),
        max_bytes: cx
            .opt_count(r.max_bytes.as_ref(), "fetch.max_bytes", 1024)?
            .map_or(d.max_bytes, |n| n as u64),
        concurrency: cx
            .opt_count(r.concurrency.as_ref(), "fetch.concurrency", 1)?
            .unwrap_or(d.concurrency),
        per_host: cx
            .opt_count(r.per_host.as_ref(), "fetch.per_host", 1)?
            .unwrap_or(d.per_host),
        grace_period: cx
            .opt_duration(r.grace_period.as_ref(), "fetch.grace_period")?
            .unwrap_or(d.grace_period),
        max_backoff: cx
            .opt_duration(r.max_backoff.as_ref(), "fetch.max_backoff")?
            .unwrap_or(d.max_backoff),
    })
}

/// `[filter]`.
fn global_filter(cx: &Ctx<'_>, r: &RawFilter) -> R<Filter> {
    let RawFilter {
        include,
        exclude,
        max_age,
    } = r;
    cx.filter(include, exclude, max_age.as_ref(), "filter.")
}

/// Every `[[source]]`, in file order; names must be unique.
fn sources(cx: &Ctx<'_>, raw: &[Spanned<RawSource>]) -> R<Vec<Source>> {
    let mut sources: Vec<Source> = Vec::with_capacity(raw.len());
    // A set, not a scan: a large network lists thousands of sources.
    let mut names = std::collections::HashSet::with_capacity(raw.len());
    for (i, s) in raw.iter().enumerate() {
        let src = source(cx, s, i)?;
        if !names.insert(src.name.clone()) {
            return cx.err(
                s.get_ref().name.span(),
                &format!("source[{i}].name"),
                format!("the name `{}` is used twice", src.name),
            );
        }
        sources.push(src);
    }
    Ok(sources)
}

/// A top-level path key (`output_dir`, `state`), resolved against the config's folder.
fn path_or(cx: &Ctx<'_>, raw: Option<&S>, key: &str, default: PathBuf) -> R<PathBuf> {
    match raw {
        Some(p) => cx.path(p, key),
        None => Ok(default),
    }
}

/// `[local] dir`: the folder of Markdown entries.
fn local_dir(cx: &Ctx<'_>, raw: Option<&RawLocal>) -> R<Option<PathBuf>> {
    raw.map(|l| cx.path(&l.dir, "local.dir")).transpose()
}

/// Every `[[entry]]`, in file order (they need `[feed]` from `cfg`); ids must be unique.
fn entries(cx: &Ctx<'_>, cfg: &Config, raw: &[Spanned<RawEntry>]) -> R<Vec<LocalEntry>> {
    let mut out: Vec<LocalEntry> = Vec::with_capacity(raw.len());
    let mut ids = std::collections::HashSet::with_capacity(raw.len());
    for (i, e) in raw.iter().enumerate() {
        let le = entry(cx, cfg, e, &format!("entry[{i}]"))?;
        if !ids.insert(le.id.clone()) {
            return cx.err(
                e.span(),
                &format!("entry[{i}]"),
                format!("id `{}` is used twice", le.id),
            );
        }
        out.push(le);
    }
    Ok(out)
}
