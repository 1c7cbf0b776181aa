//! `feedbraid doctor NAME|URL`: fetches one partner's feed, politely and behind the same
//! private-network guard as a run, and writes a note the operator can send to the partner: what
//! is wrong, in plain words, and how to fix it, then what a reader sees. It changes no state. As
//! a list of steps: the config → the URL → fetch (and fetch again with the validators, to see
//! whether the server answers 304) → parse → findings (`findings`, pure) → the note.

mod findings;

use std::time::Instant;

use chrono::{DateTime, Utc};

pub use findings::{Exchange, Finding};

use crate::config::Location;
use crate::ingest::fetch::{Fetcher, Outcome};
use crate::ingest::parse::parse_feed;
use crate::model::Validators;
use crate::ops::Fatal;
use crate::ops::open::{RunOptions, load_config};
use crate::text::plain::plain;

/// Why the doctor could not examine the feed (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum DoctorError {
    #[error(transparent)]
    Fatal(#[from] Fatal),
    #[error("`{0}` is neither a source in the config nor an http(s) URL")]
    Unknown(String),
    #[error("{0} is read from a file, not fetched: nothing to examine over HTTP")]
    NotFetched(String),
    #[error("cannot fetch {url}: {reason}")]
    Fetch { url: String, reason: String },
}

/// What the doctor found.
#[derive(Debug, Clone)]
pub struct Diagnosis {
    pub url: String,
    pub findings: Vec<Finding>,
    pub format: String,
    /// Items found, and the first three (title, link, date).
    pub items: usize,
    pub first: Vec<(String, String, Option<DateTime<Utc>>)>,
}

impl Diagnosis {
    /// 0 nothing to fix, 1 findings.
    pub fn exit_code(&self) -> i32 {
        i32::from(!self.findings.is_empty())
    }

    /// The note, as plain text or Markdown.
    pub fn note(&self, markdown: bool) -> String {
        let (h, b) = if markdown {
            ("## ", "- ")
        } else {
            ("", "  - ")
        };
        let mut s = format!("{h}Feed check for {}\n\n", self.url);
        if self.findings.is_empty() {
            s.push_str("No problems found. Thank you for a well-kept feed.\n");
        } else {
            s.push_str(&format!("{} thing(s) to fix:\n\n", self.findings.len()));
            for (i, f) in self.findings.iter().enumerate() {
                s.push_str(&format!(
                    "{}. {} [{}]\n{b}How to fix: {}\n\n",
                    i + 1,
                    f.what,
                    f.key,
                    f.fix
                ));
            }
        }
        s.push_str(&format!(
            "\n{h}What a reader sees\n\n{} item(s) found ({}).\n",
            self.items, self.format
        ));
        for (t, l, d) in &self.first {
            let date = d.map_or_else(
                || "no date".to_string(),
                |d| d.format("%-d %B %Y").to_string(),
            );
            s.push_str(&format!("{b}{t} ({date})\n{b}  {l}\n"));
        }
        s
    }
}

/// Examines `target` (a source's name or a URL).
pub fn doctor(
    run: &RunOptions,
    target: &str,
    rt: &tokio::runtime::Handle,
) -> Result<Diagnosis, DoctorError> {
    let cfg = load_config(run)?;
    let url = match cfg
        .sources
        .iter()
        .find(|s| s.name == target)
        .map(|s| &s.location)
    {
        Some(Location::Url(u)) => u.clone(),
        Some(Location::Path(p)) => return Err(DoctorError::NotFetched(p.display().to_string())),
        None => url::Url::parse(target)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| DoctorError::Unknown(target.to_string()))?,
    };
    let fetcher = Fetcher::with_guard(&cfg.fetch, run.guard.clone()).map_err(Fatal::from)?;
    let started = Instant::now();
    let first = rt.block_on(fetcher.fetch(&url, &Validators::default()));
    let millis = started.elapsed().as_millis();
    let shown = crate::ingest::fetch::without_credentials(&url).to_string();
    let Outcome::Body {
        body,
        final_url,
        content_type,
        validators,
        moved_to,
        ..
    } = first
    else {
        let reason = match first {
            Outcome::Failed(f) => f.reason,
            _ => "the server answered 304 to a request without validators".into(),
        };
        return Err(DoctorError::Fetch { url: shown, reason });
    };
    let revalidated =
        (validators.etag.is_some() || validators.last_modified.is_some()).then(|| {
            matches!(
                rt.block_on(fetcher.fetch(&url, &validators)),
                Outcome::NotModified { .. }
            )
        });
    let x = Exchange {
        requested: url.to_string(),
        final_url: final_url.as_ref().map(ToString::to_string),
        moved_to: moved_to.map(|u| u.to_string()),
        content_type: content_type.clone(),
        etag: validators.etag.is_some(),
        last_modified: validators.last_modified.is_some(),
        revalidated,
        millis,
        bytes: body.len(),
    };
    let mut found = findings::http(&x);
    let charset = content_type
        .as_deref()
        .and_then(crate::ingest::decode::charset_from_content_type);
    let now = run.now.unwrap_or_else(Utc::now);
    let (items, format, first) = match parse_feed(&body, charset, final_url.as_ref()) {
        Ok(p) => {
            found.extend(findings::document(&body, &p, now));
            let first = p
                .feed
                .items
                .iter()
                .take(3)
                .map(|i| {
                    let title = i
                        .title
                        .as_ref()
                        .map_or_else(|| "(no title)".into(), |t| plain(&t.value));
                    let link = i.links.first().map_or_else(String::new, |l| l.href.clone());
                    (title, link, i.published.or(i.updated))
                })
                .collect();
            (p.feed.items.len(), format!("{:?}", p.feed.format), first)
        }
        Err(e) => {
            found.push(Finding {
                key: "not-a-feed",
                what: format!("The address does not return a feed: {e}."),
                fix: "Check that the address is the feed's (often /feed/ or /rss.xml), not a page's.",
            });
            (0, "none".into(), Vec::new())
        }
    };
    Ok(Diagnosis {
        url: shown,
        findings: found,
        format,
        items,
        first,
    })
}
