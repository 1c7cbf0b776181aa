//! `digest/feed.atom` and `digest/index.html`: every digest written so far, newest first, so that
//! members who prefer a feed reader get the digest too, and visitors find the digests from
//! `index.html` ("Monthly digest").

use std::path::Path;

use atom_syndication::{Entry, Feed, Link, Person, Text};
use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::pool::views::sibling;
use crate::publish::sink::Output;

/// The digest feed, with `stem` (just written) and the digests already under `dir/digest/`.
pub fn index(cfg: &Config, dir: &Path, stem: &str, title: &str, now: DateTime<Utc>) -> Output {
    let stems: Vec<(String, String)> = stems(dir, Some(stem))
        .into_iter()
        .map(|s| {
            let t = if s == stem {
                title.to_string()
            } else {
                s.clone()
            };
            (s, t)
        })
        .collect();
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
    Output::new("digest/feed.atom", feed.to_string().into_bytes())
}

/// The digests under `dir/digest/` (and `extra`, about to be written), newest first.
fn stems(dir: &Path, extra: Option<&str>) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("digest"))
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    e.file_name()
                        .to_str()?
                        .strip_suffix(".html")
                        .map(str::to_string)
                })
                .filter(|s| s != "index")
                .collect()
        })
        .unwrap_or_default();
    v.extend(extra.map(str::to_string));
    v.sort();
    v.dedup();
    v.reverse();
    v
}

/// The digest index's own colours for both schemes (readable in either, issue 22), and text
/// that wraps at any width.
const STYLE: &str = ":root{color-scheme:light dark}\
body{font-family:sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;line-height:1.5;\
color:#1d1d1f;background:#fff;overflow-wrap:anywhere}a{color:#0b57d0}a:visited{color:#6a3db8}\
@media (prefers-color-scheme:dark){body{color:#ececf1;background:#15151a}a{color:#8ab4f8}\
a:visited{color:#c9a8ff}}";

/// `digest/index.html`: a plain page listing every digest, linked from `index.html`.
pub fn index_page(cfg: &Config, dir: &Path, extra: Option<&str>) -> Output {
    use crate::text::escape::escape;
    let lang = cfg.feed.language.as_deref().unwrap_or("en");
    let title = format!("{}: monthly digest", cfg.feed.title);
    let items: String = stems(dir, extra)
        .iter()
        .map(|s| {
            format!(
                "<li><a href=\"{}.html\">{}</a></li>\n",
                escape(s),
                escape(s)
            )
        })
        .collect();
    let list = if items.is_empty() {
        "<p>No digest has been written yet.</p>\n".to_string()
    } else {
        format!("<ul>\n{items}</ul>\n")
    };
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"color-scheme\" content=\"light dark\">\n<title>{t}</title>\n\
         <link rel=\"alternate\" type=\"application/atom+xml\" href=\"feed.atom\" title=\"{t}\">\n\
         <style>{STYLE}</style>\n\
         </head>\n<body>\n\
         <main>\n<h1>{t}</h1>\n{list}<p><a href=\"feed.atom\">The digests as a feed</a> · \
         <a href=\"../index.html\">Back to {n}</a></p>\n</main>\n</body>\n</html>\n",
        escape(lang),
        t = escape(&title),
        n = escape(&cfg.feed.title),
    );
    Output::new("digest/index.html", html.into_bytes())
}
