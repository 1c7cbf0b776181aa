//! Mirroring media at publish time, so that no output makes a reader's client load anything from
//! a third party (`[output] mirror_media`). For sex workers, outreach staff and migrants, being
//! seen reading is a risk: a hot-linked image tells a partner's server (and its CDN and
//! analytics) who read what, and when.
//!
//! Every image a published entry references (in its HTML, and its `image`) is fetched once, with
//! the feeds' politeness (timeouts, per-host limits, a byte cap: `media_max_bytes`), checked by
//! its bytes (`sniff`), walked block by block keeping only what decoding needs, every frame held to
//! the pixel limit (`strip`, with one walker per format: `jpeg`, `png`, `gif`, `webp`), and stored
//! content-addressed under `output/media/ab/abcdef....jpg` (`store`). Inline `data:` images go
//! through the same checks from their decoded bytes (`inline`); with mirroring off they are
//! dropped for their alt text ([`drop_inline`]). The HTML is then rewritten (`rewrite`): mirrored images
//! point at the copy beside `self_url`; an image that cannot be mirrored becomes a plain link,
//! never a hot-link; iframes become links. Images on the network's own site are first-party and
//! stay as they are. Copies no output references for 30 days are deleted (`cleanup`).
//!
//! An image a public partner's entry references never reaches a private address (the fetcher's
//! guard, `Reach::Public`); only images of the network's own entries and of sources whose
//! configured URL is itself private may.

mod gif;
mod inline;
mod jpeg;
mod png;
mod rewrite;
mod sniff;
mod store;
mod strip;
mod webp;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use url::Url;

pub use jpeg::orientation;
pub use rewrite::{drop_inline, image_urls, is_inline, rewrite};
pub use sniff::{Kind, MAX_PIXELS, MAX_SIDE, Refusal, sniff, within};
pub use store::cleanup;
pub use strip::{clean, frames, strip};

use crate::config::{Config, Location};
use crate::ingest::fetch::{FailureKind, Fetcher, Guard, Outcome, Reach};
use crate::model::Entry;
use crate::model::Validators;
use crate::publish::PublishError;
use crate::state::State;

/// What mirroring did in one run (for the summary and `status.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct MediaReport {
    /// Images fetched and mirrored this run.
    pub mirrored: usize,
    /// Images already mirrored by an earlier run (not fetched again).
    pub reused: usize,
    /// Images refused, with why: published as plain links.
    pub refused: Vec<(String, String)>,
    /// Bytes of newly mirrored files.
    pub bytes: u64,
}

impl MediaReport {
    /// Counts an inline image stored now, or found stored by an earlier run.
    fn note(&mut self, s: &store::Stored) {
        if s.new {
            self.mirrored += 1;
            self.bytes += s.bytes;
        } else {
            self.reused += 1;
        }
    }
}

/// The mirroring stage of one run.
#[derive(Debug)]
pub struct Mirror {
    out_dir: PathBuf,
    self_url: Url,
    own_hosts: Vec<String>,
    fetcher: Arc<Fetcher>,
    /// Configured URL per source name: decides whether its images may reach private addresses.
    sources: HashMap<String, Url>,
    offline: bool,
    max_bytes: u64,
}

impl Mirror {
    /// `None` when `[output] mirror_media` is off.
    pub fn new(cfg: &Config, offline: bool) -> Result<Option<Mirror>, PublishError> {
        Mirror::with_guard(cfg, offline, &Guard::system())
    }

    /// [`Mirror::new`] with the private-network guard's ranges and resolver given.
    pub fn with_guard(
        cfg: &Config,
        offline: bool,
        guard: &Guard,
    ) -> Result<Option<Mirror>, PublishError> {
        if !cfg.output.mirror_media {
            return Ok(None);
        }
        let mut settings = cfg.fetch.clone();
        settings.max_bytes = cfg.output.media_max_bytes;
        let fetcher = Fetcher::with_guard(&settings, guard.clone())?;
        Ok(Some(Mirror {
            out_dir: cfg.output_dir.clone(),
            self_url: cfg.feed.self_url.clone(),
            own_hosts: [&cfg.feed.self_url, &cfg.feed.link]
                .iter()
                .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
                .collect(),
            fetcher: Arc::new(fetcher),
            sources: cfg
                .sources
                .iter()
                .filter_map(|s| match &s.location {
                    Location::Url(u) => Some((s.name.clone(), u.clone())),
                    Location::Path(_) => None,
                })
                .collect(),
            offline,
            max_bytes: cfg.output.media_max_bytes,
        }))
    }

    fn first_party(&self, url: &str) -> bool {
        Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
            .is_some_and(|h| self.own_hosts.contains(&h))
    }

    /// Mirrors every image the entries reference and rewrites them; `state` knows which images
    /// earlier runs mirrored, and learns this run's.
    pub fn apply<K>(
        &self,
        state: &mut State,
        entries: &mut HashMap<K, Entry>,
    ) -> Result<MediaReport, PublishError> {
        // Each image with the origins referencing it: `None` for the network's own entries.
        let mut wanted: BTreeMap<String, BTreeSet<Option<String>>> = BTreeMap::new();
        for e in entries.values() {
            let origin = e.source.as_ref().map(|s| s.name.clone());
            let mut urls = Vec::new();
            for html in [&e.summary, &e.content].into_iter().flatten() {
                urls.extend(image_urls(html));
            }
            urls.extend(e.image.clone());
            for u in urls {
                wanted.entry(u).or_default().insert(origin.clone());
            }
        }
        wanted.retain(|u, _| !self.first_party(u));
        let mut map: HashMap<String, String> = HashMap::new();
        let mut report = MediaReport::default();
        // Inline images need no fetch (offline runs too) and no row in the state.
        wanted.retain(|url, _| !is_inline(url) || self.inline(url, &mut map, &mut report));
        let known = state.media_files()?;
        let mut todo = Vec::new();
        let mut new_rows = Vec::new();
        for (url, origins) in wanted {
            let copy = known
                .get(&url)
                .and_then(|f| Some((f, std::fs::read(self.out_dir.join(f)).ok()?)));
            let Some((file, bytes)) = copy else {
                todo.push((url, origins));
                continue;
            };
            // A copy is checked again when reused: an earlier version may have kept metadata or
            // missed a bomb. A clean copy strips to itself.
            if clean(&bytes).is_ok_and(|(_, c)| c == bytes) {
                report.reused += 1;
                map.insert(url, file.clone());
                continue;
            }
            match store::store(&self.out_dir, &bytes) {
                Ok(s) => {
                    report.reused += 1;
                    new_rows.push((url.clone(), s.file.clone()));
                    map.insert(url, s.file);
                }
                Err(why) => report.refused.push((url, why.to_string())),
            }
        }
        if !self.offline {
            for (url, result) in self.fetch_all(todo) {
                match result.and_then(|bytes| store::store(&self.out_dir, &bytes)) {
                    Ok(s) => {
                        report.mirrored += 1;
                        report.bytes += s.bytes;
                        new_rows.push((url.clone(), s.file.clone()));
                        map.insert(url, s.file);
                    }
                    Err(why) => report.refused.push((url, why.to_string())),
                }
            }
        }
        state.set_media_files(&new_rows)?;
        let local = |u: &str| {
            if self.first_party(u) {
                return Some(u.to_string());
            }
            map.get(u)
                .map(|f| crate::pool::views::sibling(&self.self_url, f).to_string())
        };
        for e in entries.values_mut() {
            for html in [&mut e.summary, &mut e.content].into_iter().flatten() {
                *html = rewrite(html, &local);
            }
            e.image = e.image.as_deref().and_then(local);
        }
        Ok(report)
    }

    /// Mirrors an inline image, or reports it refused (by its media type and length, never its
    /// bytes). Returns `false`: nothing is left to fetch.
    fn inline(
        &self,
        url: &str,
        map: &mut HashMap<String, String>,
        report: &mut MediaReport,
    ) -> bool {
        let stored = inline::decode(url, self.max_bytes)
            .and_then(|bytes| store::store(&self.out_dir, &bytes));
        match stored {
            Ok(s) => {
                report.note(&s);
                map.insert(url.to_string(), s.file);
            }
            Err(why) => report.refused.push((inline::label(url), why.to_string())),
        }
        false
    }

    /// May an image referenced by `origins` reach private addresses? Only if one of them is the
    /// network itself or a source whose configured URL is private.
    async fn reach(
        &self,
        origins: &BTreeSet<Option<String>>,
        known: &mut HashMap<String, Reach>,
    ) -> Reach {
        for origin in origins {
            let Some(name) = origin else {
                return Reach::Any;
            };
            let reach = match (known.get(name), self.sources.get(name)) {
                (Some(r), _) => *r,
                (None, Some(url)) => self.fetcher.reach_of(url).await,
                (None, None) => Reach::Public,
            };
            known.insert(name.clone(), reach);
            if reach == Reach::Any {
                return Reach::Any;
            }
        }
        Reach::Public
    }

    fn fetch_all(
        &self,
        urls: Vec<(String, BTreeSet<Option<String>>)>,
    ) -> Vec<(String, Result<Vec<u8>, Refusal>)> {
        if urls.is_empty() {
            return Vec::new();
        }
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return urls
                .into_iter()
                .map(|(u, _)| (u, Err(Refusal::Fetch("no async runtime".into()))))
                .collect();
        };
        rt.block_on(async {
            let mut set = tokio::task::JoinSet::new();
            let mut reaches = HashMap::new();
            for (url, origins) in urls {
                let reach = self.reach(&origins, &mut reaches).await;
                let f = Arc::clone(&self.fetcher);
                set.spawn(async move {
                    let Ok(parsed) = Url::parse(&url) else {
                        return (url, Err(Refusal::Fetch("not a URL".into())));
                    };
                    let r = match f
                        .fetch_reaching(&parsed, &Validators::default(), reach)
                        .await
                    {
                        Outcome::Body { body, .. } => Ok(body),
                        Outcome::NotModified { .. } => {
                            Err(Refusal::Fetch("304 without a copy".into()))
                        }
                        Outcome::Failed(x) if x.kind == FailureKind::TooLarge => {
                            Err(Refusal::TooLarge)
                        }
                        Outcome::Failed(x) => Err(Refusal::Fetch(x.reason)),
                    };
                    (url, r)
                });
            }
            let mut out = Vec::new();
            while let Some(done) = set.join_next().await {
                if let Ok(r) = done {
                    out.push(r);
                }
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out
        })
    }
}
