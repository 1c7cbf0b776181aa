//! The checkers every part of config validation shares: a [`Ctx`] (the file, its text and the
//! folder relative paths resolve against) with one method per kind of value (text, name, tags,
//! URL, IRI, path, duration, count, language, patterns, person, date), each naming the file, the
//! line and the key when the value is bad.
//!
//! The toolkit only: it imports none of the table validators (`entry`, `source`, `view`,
//! `output`), which import it, and `validate` puts them together.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use regex::{Regex, RegexBuilder};
use toml::Spanned;
use url::Url;

use super::duration::parse_duration;
use super::raw::{DateVal, RawPerson, S};
use super::{ConfigError, Filter};
use crate::model::Person;
use crate::text::controls;

/// What every checker needs to name a bad value's place and resolve a relative path.
pub(super) struct Ctx<'a> {
    /// The file being validated (`feeds.toml` or a Markdown entry).
    pub file: &'a Path,
    /// Its text, to turn spans into lines and columns.
    pub src: &'a str,
    /// The config's folder.
    pub base_dir: PathBuf,
}

/// A checked value or the config error that names where it went wrong.
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

    /// [`Ctx::text`] for a name (a source's, a view's or feed's title, a person's): it is shown on
    /// one line of the run report and on the pages, so no control or bidirectional control
    /// character (issue 27, defect 11; `text::controls`).
    pub(super) fn name(&self, s: &S, key: &str) -> R<String> {
        self.one_line(s, key)?;
        self.text(s, key)
    }

    /// Tags: trimmed, blanks dropped, each checked like a name (`key[i]`).
    pub(super) fn tags(&self, list: &[S], key: &str) -> R<Vec<String>> {
        let mut out = Vec::with_capacity(list.len());
        for (i, t) in list.iter().enumerate() {
            self.one_line(t, &format!("{key}[{i}]"))?;
            let t = t.get_ref().trim();
            if !t.is_empty() {
                out.push(t.to_string());
            }
        }
        Ok(out)
    }

    fn one_line(&self, s: &S, key: &str) -> R<()> {
        match controls::first_forbidden(s.get_ref()) {
            Some(c) => self.err(
                s.span(),
                key,
                format!(
                    "contains {}: a name is plain text on one line (the run report, the pages); \
                     remove it",
                    controls::describe(c)
                ),
            ),
            None => Ok(()),
        }
    }

    pub(super) fn http_url(&self, s: &S, key: &str) -> R<Url> {
        match Url::parse(s.get_ref().trim()) {
            Ok(mut u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {
                crate::text::links::make_iri(&mut u);
                Ok(u)
            }
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
            Ok(mut u) if matches!(u.scheme(), "http" | "https" | "mailto") => {
                crate::text::links::make_iri(&mut u);
                Ok(u)
            }
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
                Ok(crate::text::links::escape_iri(s.get_ref().trim()).into_owned())
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
            .map_err(|e| ConfigError::at(self.file, self.src, s.span(), key, e.to_string()))
    }

    /// [`Ctx::duration`] of a key that may be left out.
    pub(super) fn opt_duration(&self, s: Option<&S>, key: &str) -> R<Option<Duration>> {
        s.map(|s| self.duration(s, key)).transpose()
    }

    pub(super) fn count(&self, n: &Spanned<i64>, key: &str, min: i64) -> R<usize> {
        match usize::try_from(*n.get_ref()) {
            Ok(v) if *n.get_ref() >= min => Ok(v),
            _ => self.err(n.span(), key, format!("must be an integer ≥ {min}")),
        }
    }

    /// [`Ctx::count`] of a key that may be left out.
    pub(super) fn opt_count(
        &self,
        n: Option<&Spanned<i64>>,
        key: &str,
        min: i64,
    ) -> R<Option<usize>> {
        n.map(|n| self.count(n, key, min)).transpose()
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
        let email = p.email.as_deref().map(str::trim).filter(|e| !e.is_empty());
        if let Some(e) = email.filter(|e| !crate::text::email::is_addr_spec(e)) {
            // The table's span: `email` is a plain string in the raw types.
            return self.err(
                p.name.span(),
                &format!("{key}.email"),
                format!("`{e}` is not an e-mail address (local@domain)"),
            );
        }
        Ok(Person {
            name: self.name(&p.name, &format!("{key}.name"))?,
            email: email.map(str::to_string),
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
