//! Which outlines of an OPML file become new `[[source]]` tables, and why the others do not. Pure:
//! the configured sources and the outlines in, the plan out.
//!
//! An outline is already configured when its feed URL matches a source's after normalisation
//! (`http` and `https` alike, host case and `www.` ignored, no trailing slash, tracking parameters
//! and fragments dropped), or when its name matches a source's name, case-insensitively (a
//! partner configured as a local `path` file has no URL to compare). Two outlines of the same file
//! with the same URL become one source with both folders as tags; two with different URLs but the
//! same name get the feed's host added to the second name.

use std::fmt;

use url::Url;

use super::read::Outline;
use crate::config::{Location, Source};

/// A `[[source]]` table to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSource {
    pub name: String,
    pub url: String,
    pub homepage: Option<String>,
    pub language: Option<String>,
    /// Folder titles, then the outline's categories; no duplicates.
    pub tags: Vec<String>,
    /// Values of the outline that could not be carried over.
    pub dropped: Vec<Dropped>,
}

/// An outline value left out of a new source because the config would reject it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dropped {
    /// `htmlUrl` is not an absolute http(s) URL.
    Homepage(String),
    /// `language` is not a language tag.
    Language(String),
}

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dropped::Homepage(h) => {
                write!(f, "htmlUrl `{h}` left out: not an absolute http(s) URL")
            }
            Dropped::Language(l) => write!(f, "language `{l}` left out: not a language tag"),
        }
    }
}

/// Why an outline adds nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A configured source has the same feed URL.
    ConfiguredByUrl { existing: String },
    /// A configured source has the same name.
    ConfiguredByName { existing: String },
    /// An earlier outline of this file has the same feed URL (its folders were merged into it).
    ListedTwice { first: String },
    /// The outline has no `xmlUrl`: a link or an empty folder, not a feed.
    NoXmlUrl,
    /// The `xmlUrl` is not an absolute http(s) URL.
    InvalidUrl { url: String, why: NotHttpUrl },
    /// The `type` names something that is not an RSS, Atom or JSON feed (`HTML+XPath`...).
    NotAFeed { kind: String },
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::ConfiguredByUrl { existing } => {
                write!(f, "already configured by URL, as `{existing}`")
            }
            SkipReason::ConfiguredByName { existing } => {
                write!(f, "already configured by name, as `{existing}`")
            }
            SkipReason::ListedTwice { first } => {
                write!(
                    f,
                    "listed twice in this file; its folders were added to `{first}`"
                )
            }
            SkipReason::NoXmlUrl => write!(f, "no xmlUrl: not a feed"),
            SkipReason::InvalidUrl { url, why } => write!(f, "invalid xmlUrl `{url}`: {why}"),
            SkipReason::NotAFeed { kind } => write!(f, "type `{kind}` is not an RSS or Atom feed"),
        }
    }
}

/// One outline that adds nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// The outline's name, else its `xmlUrl`, else `(untitled)`.
    pub label: String,
    pub reason: SkipReason,
}

/// What an import does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportPlan {
    pub added: Vec<NewSource>,
    pub skipped: Vec<Skipped>,
}

/// Decides, for each outline in order, whether it adds a source to `existing`.
pub fn plan_import(existing: &[Source], outlines: &[Outline]) -> ImportPlan {
    let configured: Vec<(Option<String>, &str)> = existing
        .iter()
        .map(|s| match &s.location {
            Location::Url(u) => (url_key(u.as_str()), s.name.as_str()),
            Location::Path(_) => (None, s.name.as_str()),
        })
        .collect();
    let mut plan = ImportPlan::default();
    let mut keys: Vec<String> = Vec::new();
    for o in outlines {
        let label = o
            .name
            .clone()
            .or_else(|| o.xml_url.clone())
            .unwrap_or_else(|| "(untitled)".into());
        let skip = |reason| Skipped {
            label: label.clone(),
            reason,
        };
        let url = match checked_url(o) {
            Ok(u) => u,
            Err(reason) => {
                plan.skipped.push(skip(reason));
                continue;
            }
        };
        let key = url_key(url.as_str()).unwrap_or_else(|| url.to_string());
        let host = url.host_str().unwrap_or_default().to_string();
        let name = o.name.clone().unwrap_or_else(|| host.clone());
        let tags = tags(o);
        if let Some((_, n)) = configured.iter().find(|(k, _)| k.as_ref() == Some(&key)) {
            plan.skipped.push(skip(SkipReason::ConfiguredByUrl {
                existing: (*n).to_string(),
            }));
        } else if let Some((_, n)) = configured.iter().find(|(_, n)| same_name(n, &name)) {
            plan.skipped.push(skip(SkipReason::ConfiguredByName {
                existing: (*n).to_string(),
            }));
        } else if let Some(i) = keys.iter().position(|k| *k == key) {
            let first = &mut plan.added[i];
            for t in tags {
                push_tag(&mut first.tags, t);
            }
            let first = first.name.clone();
            plan.skipped.push(skip(SkipReason::ListedTwice { first }));
        } else {
            let taken = |n: &str| plan.added.iter().any(|a| same_name(&a.name, n));
            let mut unique = name.clone();
            if taken(&unique) {
                unique = format!("{name} ({host})");
                let mut i = 2;
                while taken(&unique) {
                    unique = format!("{name} ({host}) {i}");
                    i += 1;
                }
            }
            let mut dropped = Vec::new();
            let homepage = o.html_url.as_ref().and_then(|h| match http_url(h) {
                Ok(u) => Some(u.to_string()),
                Err(_) => {
                    dropped.push(Dropped::Homepage(h.clone()));
                    None
                }
            });
            let language = o.language.as_ref().and_then(|l| {
                let n = crate::text::lang::normalise(l);
                if n.is_none() {
                    dropped.push(Dropped::Language(l.clone()));
                }
                n
            });
            keys.push(key);
            plan.added.push(NewSource {
                name: unique,
                url: url.to_string(),
                homepage,
                language,
                tags,
                dropped,
            });
        }
    }
    plan
}

/// The outline's feed URL, or why it has none usable.
fn checked_url(o: &Outline) -> Result<Url, SkipReason> {
    let Some(raw) = &o.xml_url else {
        return Err(SkipReason::NoXmlUrl);
    };
    if let Some(kind) = &o.kind {
        let k = kind.to_ascii_lowercase();
        if !matches!(k.as_str(), "rss" | "atom" | "jsonfeed" | "json" | "feed") {
            return Err(SkipReason::NotAFeed { kind: kind.clone() });
        }
    }
    http_url(raw).map_err(|why| SkipReason::InvalidUrl {
        url: raw.clone(),
        why,
    })
}

/// Why a URL fails the rule `feedbraid check` applies to `url` and `homepage`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotHttpUrl {
    /// It parses, but is not http(s) with a host.
    #[error("`{0}:` is not http(s)")]
    Scheme(String),
    /// It does not parse as an absolute URL.
    #[error(transparent)]
    Parse(#[from] url::ParseError),
}

/// The rule `feedbraid check` applies to `url` and `homepage`: absolute, http(s), with a host.
fn http_url(s: &str) -> Result<Url, NotHttpUrl> {
    let u = Url::parse(s.trim())?;
    if matches!(u.scheme(), "http" | "https") && u.host().is_some() {
        Ok(u)
    } else {
        Err(NotHttpUrl::Scheme(u.scheme().to_string()))
    }
}

/// The normalised form two URLs of the same feed share (the canonical link, plus any explicit port).
fn url_key(url: &str) -> Option<String> {
    let canonical = crate::text::links::canonical(url)?;
    let port = Url::parse(url).ok().and_then(|u| u.port());
    Some(match port {
        Some(p) => format!("{canonical} :{p}"),
        None => canonical,
    })
}

fn same_name(a: &str, b: &str) -> bool {
    a.trim().to_lowercase() == b.trim().to_lowercase()
}

/// Folder titles, then the `category` paths (one leading `/` removed); blanks and case-insensitive
/// duplicates dropped. A folder named like the feed itself is not a tag: Thunderbird puts every
/// feed in a folder of its own.
fn tags(o: &Outline) -> Vec<String> {
    let mut out = Vec::new();
    let own = o.name.as_deref().unwrap_or_default();
    let folders = o.folders.iter().map(String::as_str);
    let folders = folders.filter(|f| !same_name(f, own));
    let cats = o.category.as_deref().unwrap_or_default().split(',');
    let cats = cats.map(|c| c.trim().strip_prefix('/').unwrap_or(c.trim()));
    for t in folders.chain(cats) {
        push_tag(&mut out, t.trim().to_string());
    }
    out
}

fn push_tag(tags: &mut Vec<String>, t: String) {
    if !t.is_empty() && !tags.iter().any(|x| same_name(x, &t)) {
        tags.push(t);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{Dropped, SkipReason, plan_import};
    use crate::config::Config;
    use crate::ops::import::Outline;

    fn existing() -> Vec<crate::config::Source> {
        let cfg = Config::parse(
            "[feed]\ntitle = \"t\"\nid = \"tag:ex.org,2026:f\"\nlink = \"https://ex.org/\"\n\
             self_url = \"https://ex.org/feed.atom\"\nauthor = { name = \"A\" }\n\
             [[source]]\nname = \"Empower\"\nurl = \"https://www.Empower.example.org/feed/\"\n\
             [[source]]\nname = \"Zi Teng\"\npath = \"zi.xml\"\n",
            Path::new("/tmp/feeds.toml"),
        )
        .expect("config");
        cfg.sources
    }

    fn feed(name: &str, url: &str) -> Outline {
        Outline {
            name: Some(name.into()),
            xml_url: Some(url.into()),
            kind: Some("rss".into()),
            ..Outline::default()
        }
    }

    #[test]
    fn configured_by_normalised_url_or_by_name() {
        let plan = plan_import(
            &existing(),
            &[
                feed("Empower (new name)", "http://empower.example.org/feed"),
                feed("ZI TENG", "https://ziteng.example.org/rss"),
            ],
        );
        assert!(plan.added.is_empty(), "{plan:?}");
        assert_eq!(
            plan.skipped[0].reason,
            SkipReason::ConfiguredByUrl {
                existing: "Empower".into()
            }
        );
        assert_eq!(
            plan.skipped[1].reason,
            SkipReason::ConfiguredByName {
                existing: "Zi Teng".into()
            }
        );
    }

    #[test]
    fn same_name_different_feed_is_made_unique_and_same_feed_is_merged() {
        let mut a = feed("News", "https://a.example.org/feed");
        a.folders = vec!["Asia".into()];
        let mut a_again = feed("News", "https://A.example.org/feed/");
        a_again.folders = vec!["Africa".into(), "News".into()];
        let b = feed("news", "https://b.example.org:8443/feed");
        let c = feed("News", "https://a.example.org:8443/feed");
        let plan = plan_import(&[], &[a, a_again, b, c]);
        let names: Vec<_> = plan.added.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(
            names,
            ["News", "news (b.example.org)", "News (a.example.org)"]
        );
        assert_eq!(plan.added[0].tags, ["Asia", "Africa"]);
        assert_eq!(
            plan.skipped[0].reason,
            SkipReason::ListedTwice {
                first: "News".into()
            }
        );
    }

    #[test]
    fn what_cannot_be_a_source_is_skipped_with_its_reason() {
        let mut xpath = feed("Scraped", "https://s.example.org/");
        xpath.kind = Some("HTML+XPath".into());
        let mut link = feed("Link", "");
        link.xml_url = None;
        let plan = plan_import(
            &[],
            &[
                xpath,
                link,
                feed("Relative", "/feed.xml"),
                feed("Gopher", "gopher://g.example.org/"),
            ],
        );
        assert!(plan.added.is_empty());
        let reasons: Vec<_> = plan.skipped.iter().map(|s| &s.reason).collect();
        assert!(matches!(reasons[0], SkipReason::NotAFeed { kind } if kind == "HTML+XPath"));
        assert_eq!(reasons[1], &SkipReason::NoXmlUrl);
        assert!(matches!(reasons[2], SkipReason::InvalidUrl { .. }));
        assert!(
            matches!(reasons[3], SkipReason::InvalidUrl { why, .. } if why.to_string().contains("gopher"))
        );
    }

    #[test]
    fn carries_valid_homepage_language_and_categories() {
        let mut o = feed("Partner", "https://p.example.org/feed");
        o.kind = None;
        o.html_url = Some("https://p.example.org/".into());
        o.language = Some("zh_hk".into());
        o.category = Some("/anti-trafficking, /Thailand,tag,/Asia/Mekong".into());
        let mut bad = feed("Bad", "https://bad.example.org/feed");
        bad.html_url = Some("javascript:alert(1)".into());
        bad.language = Some("English".into());
        let plan = plan_import(&[], &[o, bad]);
        let p = &plan.added[0];
        assert_eq!(p.homepage.as_deref(), Some("https://p.example.org/"));
        assert_eq!(p.language.as_deref(), Some("zh-HK"));
        assert_eq!(
            p.tags,
            ["anti-trafficking", "Thailand", "tag", "Asia/Mekong"]
        );
        let b = &plan.added[1];
        assert_eq!((b.homepage.as_ref(), b.language.as_ref()), (None, None));
        assert_eq!(
            b.dropped,
            [
                Dropped::Homepage("javascript:alert(1)".into()),
                Dropped::Language("English".into())
            ]
        );
    }
}
