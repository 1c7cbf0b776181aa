//! `digest/feed.atom`: every digest written so far, newest first, one entry linking to its page,
//! so that members who prefer a feed reader get the digest too.

use std::path::Path;

use atom_syndication::{Entry, Feed, Link, Person, Text};
use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::pool::views::sibling;
use crate::publish::sink::Output;

/// The digest feed, with `stem` (just written) and the digests already under `dir/digest/`.
pub fn index(cfg: &Config, dir: &Path, stem: &str, title: &str, now: DateTime<Utc>) -> Output {
    let mut stems: Vec<(String, String)> = std::fs::read_dir(dir.join("digest"))
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    e.file_name()
                        .to_str()?
                        .strip_suffix(".html")
                        .map(str::to_string)
                })
                .filter(|s| s != stem)
                .map(|s| (s.clone(), s))
                .collect()
        })
        .unwrap_or_default();
    stems.push((stem.to_string(), title.to_string()));
    stems.sort_by(|a, b| b.0.cmp(&a.0));
    let url = |s: &str| sibling(&cfg.feed.self_url, &format!("digest/{s}.html")).to_string();
    let entries: Vec<Entry> = stems
        .iter()
        .map(|(s, t)| Entry {
            id: url(s),
            title: Text::plain(if t == s {
                format!("Digest {s}")
            } else {
                t.clone()
            }),
            // A month's digest dates from its month's end: the feed changes only with a digest.
            updated: crate::ops::digest::Period::parse_month(s.split('.').next().unwrap_or(s))
                .map_or(now, |p| p.end)
                .into(),
            links: vec![Link {
                href: url(s),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Link::default()
            }],
            ..Entry::default()
        })
        .collect();
    let self_url = sibling(&cfg.feed.self_url, "digest/feed.atom").to_string();
    let feed = Feed {
        id: self_url.clone(),
        title: Text::plain(format!("{}: monthly digest", cfg.feed.title)),
        updated: stems
            .first()
            .and_then(|(s, _)| crate::ops::digest::Period::parse_month(s.split('.').next()?))
            .map_or(now, |p| p.end)
            .into(),
        authors: vec![Person {
            name: cfg.feed.author.name.clone(),
            ..Person::default()
        }],
        links: vec![Link {
            href: self_url,
            rel: "self".into(),
            mime_type: Some("application/atom+xml".into()),
            ..Link::default()
        }],
        entries,
        ..Feed::default()
    };
    Output {
        name: "digest/feed.atom".into(),
        bytes: feed.to_string().into_bytes(),
    }
}
