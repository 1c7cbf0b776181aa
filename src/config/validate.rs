//! Turns the raw serde types into typed values, checking each one and naming its line on failure.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use regex::{Regex, RegexBuilder};
use toml::Spanned;
use url::Url;

use super::raw::{DateVal, RawConfig, RawFilter, RawPerson, S};
use super::source::source;
use super::{Config, ConfigError, FeedMeta, FetchSettings, Filter, Source};
use crate::model::Person;

pub(super) struct Ctx<'a> {
    pub file: &'a Path,
    pub src: &'a str,
    pub base_dir: PathBuf,
}

pub(super) type R<T> = Result<T, ConfigError>;

impl Ctx<'_> {
    pub(super) fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        key: &str,
        msg: impl Into<String>,
    ) -> R<T> {
        Err(ConfigError::at(self.file, self.src, span, key, msg))
    }

    pub(super) fn text(&self, s: &S, key: &str) -> R<String> {
        let t = s.get_ref().trim();
        if t.is_empty() {
            return self.err(s.span(), key, "must not be empty");
        }
        Ok(t.to_string())
    }

    pub(super) fn http_url(&self, s: &S, key: &str) -> R<Url> {
        match Url::parse(s.get_ref().trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(u),
            Ok(u) => self.err(
                s.span(),
                key,
                format!(
                    "`{}` must be an http(s) URL, not `{}:`",
                    s.get_ref(),
                    u.scheme()
                ),
            ),
            Err(e) => self.err(
                s.span(),
                key,
                format!("`{}` is not a valid absolute URL ({e})", s.get_ref()),
            ),
        }
    }

    /// An absolute URL, or one relative to `base`.
    pub(super) fn url_or_relative(&self, s: &S, key: &str, base: &Url) -> R<Url> {
        match base.join(s.get_ref().trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https" | "mailto") => Ok(u),
            Ok(u) => self.err(
                s.span(),
                key,
                format!("scheme `{}:` is not allowed", u.scheme()),
            ),
            Err(e) => self.err(
                s.span(),
                key,
                format!("`{}` is not a valid URL ({e})", s.get_ref()),
            ),
        }
    }

    pub(super) fn iri(&self, s: &S, key: &str) -> R<String> {
        match Url::parse(s.get_ref().trim()) {
            Ok(u) if !u.cannot_be_a_base() || u.scheme() == "tag" || u.scheme() == "urn" => {
                Ok(s.get_ref().trim().to_string())
            }
            _ => self.err(
                s.span(),
                key,
                format!(
                    "`{}` must be an absolute IRI such as `tag:example.org,2012:feed` or an https URL",
                    s.get_ref()
                ),
            ),
        }
    }

    pub(super) fn path(&self, s: &S, key: &str) -> R<PathBuf> {
        let t = self.text(s, key)?;
        Ok(self.base_dir.join(t))
    }

    pub(super) fn duration(&self, s: &S, key: &str) -> R<Duration> {
        parse_duration(s.get_ref())
            .map_err(|m| ConfigError::at(self.file, self.src, s.span(), key, m))
    }

    pub(super) fn count(&self, n: &Spanned<i64>, key: &str, min: i64) -> R<usize> {
        match usize::try_from(*n.get_ref()) {
            Ok(v) if *n.get_ref() >= min => Ok(v),
            _ => self.err(n.span(), key, format!("must be an integer ≥ {min}")),
        }
    }

    pub(super) fn lang(&self, s: &S, key: &str) -> R<String> {
        let t = s.get_ref().trim();
        crate::text::lang::normalise(t).map_or_else(
            || {
                self.err(
                    s.span(),
                    key,
                    format!("`{t}` is not a language tag such as `en` or `zh-Hant`"),
                )
            },
            Ok,
        )
    }

    pub(super) fn patterns(&self, list: &[S], key: &str) -> R<Vec<Regex>> {
        list.iter()
            .enumerate()
            .map(|(i, p)| {
                RegexBuilder::new(p.get_ref())
                    .case_insensitive(true)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| {
                        ConfigError::at(
                            self.file,
                            self.src,
                            p.span(),
                            &format!("{key}[{i}]"),
                            format!("bad pattern: {e}"),
                        )
                    })
            })
            .collect()
    }

    pub(super) fn filter(
        &self,
        include: &[S],
        exclude: &[S],
        max_age: Option<&S>,
        key: &str,
    ) -> R<Filter> {
        Ok(Filter {
            include: self.patterns(include, &format!("{key}include"))?,
            exclude: self.patterns(exclude, &format!("{key}exclude"))?,
            max_age: max_age
                .map(|m| self.duration(m, &format!("{key}max_age")))
                .transpose()?,
        })
    }

    pub(super) fn person(&self, p: &RawPerson, key: &str) -> R<Person> {
        Ok(Person {
            name: self.text(&p.name, &format!("{key}.name"))?,
            email: p.email.clone().filter(|e| !e.trim().is_empty()),
            uri: p
                .uri
                .as_ref()
                .map(|u| self.http_url(u, &format!("{key}.uri")).map(String::from))
                .transpose()?,
        })
    }

    pub(super) fn date(&self, s: &Spanned<DateVal>, key: &str) -> R<DateTime<Utc>> {
        let text = s.get_ref().text();
        let t = text.trim().replacen(' ', "T", 1);
        let t = t.as_str();
        if let Ok(d) = DateTime::parse_from_rfc3339(t) {
            return Ok(d.with_timezone(&Utc));
        }
        if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d")
            && let Some(dt) = d.and_hms_opt(0, 0, 0)
        {
            return Ok(dt.and_utc());
        }
        self.err(
            s.span(),
            key,
            format!("`{t}` is not a date: use `2012-02-21` or `2012-02-21T10:00:00Z`"),
        )
    }
}

/// Parses `"30s"`, `"15m"`, `"6h"`, `"7d"`, `"1h30m"` (also `"90"` = seconds).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = || format!("`{text}` is not a duration: use e.g. `30s`, `15m`, `6h`, `7d`");
    if t.is_empty() {
        return Err(bad());
    }
    if let Ok(n) = t.parse::<u64>() {
        return Ok(Duration::from_secs(n));
    }
    let (mut total, mut num) = (0u64, String::new());
    for c in t.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let n: u64 = num.parse().map_err(|_| bad())?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(bad)?;
        num.clear();
    }
    if !num.is_empty() {
        return Err(bad());
    }
    Ok(Duration::from_secs(total))
}

pub(super) fn validate(raw: RawConfig, src: &str, file: &Path) -> R<Config> {
    let base_dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let cx = Ctx {
        file,
        src,
        base_dir: base_dir.clone(),
    };
    let f = &raw.feed;
    let feed = FeedMeta {
        title: cx.text(&f.title, "feed.title")?,
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
        max_entries: f
            .max_entries
            .as_ref()
            .map(|n| cx.count(n, "feed.max_entries", 1))
            .transpose()?
            .unwrap_or(100),
        tombstone_days: f
            .tombstone_days
            .as_ref()
            .map(|n| cx.count(n, "feed.tombstone_days", 0))
            .transpose()?
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
    };
    let d = FetchSettings::default();
    let r = &raw.fetch;
    let fetch = FetchSettings {
        timeout: r
            .timeout
            .as_ref()
            .map(|s| cx.duration(s, "fetch.timeout"))
            .transpose()?
            .unwrap_or(d.timeout),
        connect_timeout: r
            .connect_timeout
            .as_ref()
            .map(|s| cx.duration(s, "fetch.connect_timeout"))
            .transpose()?
            .unwrap_or(d.connect_timeout),
        max_bytes: r
            .max_bytes
            .as_ref()
            .map(|n| cx.count(n, "fetch.max_bytes", 1024))
            .transpose()?
            .map_or(d.max_bytes, |n| n as u64),
        concurrency: r
            .concurrency
            .as_ref()
            .map(|n| cx.count(n, "fetch.concurrency", 1))
            .transpose()?
            .unwrap_or(d.concurrency),
        per_host: r
            .per_host
            .as_ref()
            .map(|n| cx.count(n, "fetch.per_host", 1))
            .transpose()?
            .unwrap_or(d.per_host),
        grace_period: r
            .grace_period
            .as_ref()
            .map(|s| cx.duration(s, "fetch.grace_period"))
            .transpose()?
            .unwrap_or(d.grace_period),
        max_backoff: r
            .max_backoff
            .as_ref()
            .map(|s| cx.duration(s, "fetch.max_backoff"))
            .transpose()?
            .unwrap_or(d.max_backoff),
    };
    let RawFilter {
        include,
        exclude,
        max_age,
    } = &raw.filter;
    let filter = cx.filter(include, exclude, max_age.as_ref(), "filter.")?;
    let mut sources: Vec<Source> = Vec::new();
    for (i, s) in raw.source.iter().enumerate() {
        let src = source(&cx, s, i)?;
        if sources.iter().any(|o| o.name == src.name) {
            return cx.err(
                s.get_ref().name.span(),
                &format!("source[{i}].name"),
                format!("the name `{}` is used twice", src.name),
            );
        }
        sources.push(src);
    }
    let feed_max = feed.max_entries;
    let mut cfg = Config {
        path: file.to_path_buf(),
        base_dir: base_dir.clone(),
        output_dir: match &raw.output_dir {
            Some(p) => cx.path(p, "output_dir")?,
            None => base_dir.join("output"),
        },
        state_path: match &raw.state {
            Some(p) => cx.path(p, "state")?,
            None => base_dir.join(".feedbraid").join("state.db"),
        },
        feed,
        fetch,
        filter,
        local_dir: raw
            .local
            .as_ref()
            .map(|l| cx.path(&l.dir, "local.dir"))
            .transpose()?,
        views: super::view::views(&cx, &raw.view, &sources, feed_max)?,
        templates: super::view::templates(&cx, raw.output.as_ref())?,
        credit: super::view::credit(&cx, raw.output.as_ref())?,
        mirror_media: raw
            .output
            .as_ref()
            .and_then(|o| o.mirror_media)
            .unwrap_or(false),
        media_max_bytes: match raw.output.as_ref().and_then(|o| o.media_max_bytes.as_ref()) {
            Some(n) => cx.count(n, "output.media_max_bytes", 1024)? as u64,
            None => 5 * 1024 * 1024,
        },
        credit_words: raw
            .output
            .as_ref()
            .map(|o| {
                o.credit_words
                    .iter()
                    .map(|(k, v)| (crate::text::lang::primary(k), v.trim().to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        formats: super::view::formats(&cx, raw.output.as_ref())?,
        archive: super::view::archive(&cx, raw.archive.as_ref())?,
        sources,
        entries: Vec::new(),
    };
    for (i, e) in raw.entry.iter().enumerate() {
        let le = super::entry::entry(&cx, &cfg, e, &format!("entry[{i}]"))?;
        if cfg.entries.iter().any(|o| o.id == le.id) {
            return cx.err(
                e.span(),
                &format!("entry[{i}]"),
                format!("id `{}` is used twice", le.id),
            );
        }
        cfg.entries.push(le);
    }
    Ok(cfg)
}
