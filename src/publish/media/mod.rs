//! Mirroring media at publish time, so that no output makes a reader's client load anything from
//! a third party (`[output] mirror_media`). For sex workers, outreach staff and migrants, being
//! seen reading is a risk: a hot-linked image tells a partner's server (and its CDN and
//! analytics) who read what, and when.
//!
//! Every image a published entry references (in its HTML, and its `image`) is fetched once, with
//! the feeds' politeness (timeouts, per-host limits, a byte cap: `media_max_bytes`), checked by
//! its bytes (`sniff`), stripped of EXIF/XMP/IPTC/comments (`strip`), and stored content-addressed
//! under `output/media/ab/abcdef....jpg`. The HTML is then rewritten (`rewrite`): mirrored images
//! point at the copy beside `self_url`; an image that cannot be mirrored becomes a plain link,
//! never a hot-link; iframes become links. Images on the network's own site are first-party and
//! stay as they are. Copies no output references for 30 days are deleted (`cleanup`).
//!
//! An image a public partner's entry references never reaches a private address (the fetcher's
//! guard, `Reach::Public`); only images of the network's own entries and of sources whose
//! configured URL is itself private may.

mod rewrite;
mod sniff;
mod strip;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};
use url::Url;

pub use rewrite::{image_urls, rewrite};
pub use sniff::{Kind, Refusal, sniff};
pub use strip::{orientation, strip};

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
        }))
    }

    fn first_party(&self, url: &str) -> bool {
        if url.starts_with("data:") {
            return true;
        }
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
        let known = state.media_files()?;
        let mut map: HashMap<String, String> = HashMap::new();
        let mut report = MediaReport::default();
        let mut todo = Vec::new();
        for (url, origins) in wanted {
            match known.get(&url) {
                Some(file) if self.out_dir.join(file).is_file() => {
                    report.reused += 1;
                    map.insert(url, file.clone());
                }
                _ => todo.push((url, origins)),
            }
        }
        let mut new_rows = Vec::new();
        if !self.offline {
            for (url, result) in self.fetch_all(todo) {
                match result.and_then(|bytes| self.store(bytes)) {
                    Ok((file, n)) => {
                        report.mirrored += 1;
                        report.bytes += n;
                        new_rows.push((url.clone(), file.clone()));
                        map.insert(url, file);
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

    /// Checks, strips and stores one image; returns its path under the output folder.
    fn store(&self, bytes: Vec<u8>) -> Result<(String, u64), Refusal> {
        let kind = sniff(&bytes)?;
        let clean = strip(kind, bytes)?;
        let hash = crate::ingest::normalise::ids::hex(&Sha256::digest(&clean));
        let file = format!("media/{}/{}.{}", &hash[..2], &hash[..32], kind.extension());
        let path = self.out_dir.join(&file);
        if !path.is_file() {
            write_atomic(&path, &clean)
                .map_err(|e| Refusal::Fetch(format!("cannot store: {e}")))?;
        }
        Ok((file, clean.len() as u64))
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.as_file().sync_all()?;
    let perms = std::os::unix::fs::PermissionsExt::from_mode(0o644);
    std::fs::set_permissions(tmp.path(), perms)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Deletes mirrored files that no output in `out_dir` has referenced for `keep`; returns how many
/// went. A referenced file's modification time is set to now, so it records when it was last
/// seen in use. An output that cannot be read stops the cleanup (nothing is deleted that it might
/// reference).
pub fn cleanup(out_dir: &Path, keep: std::time::Duration) -> usize {
    let media = out_dir.join("media");
    let Ok(dirs) = std::fs::read_dir(&media) else {
        return 0;
    };
    let mut referenced = String::new();
    let mut outputs: Vec<PathBuf> = std::fs::read_dir(out_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    outputs.extend(
        std::fs::read_dir(out_dir.join("archive"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path()),
    );
    for p in outputs.iter().filter(|p| p.is_file()) {
        match std::fs::read(p) {
            Ok(bytes) => referenced.push_str(&String::from_utf8_lossy(&bytes)),
            // Gone since it was listed: it references nothing.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            // What it references is unknown: nothing is deleted this time.
            Err(_) => return 0,
        }
    }
    let mut removed = 0;
    for d in dirs.flatten() {
        for f in std::fs::read_dir(d.path()).into_iter().flatten().flatten() {
            let name = format!(
                "media/{}/{}",
                d.file_name().to_string_lossy(),
                f.file_name().to_string_lossy()
            );
            let old = f
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > keep);
            if referenced.contains(&name) {
                // The file's time is the last time an output was seen to use it.
                if let Ok(file) = std::fs::File::options().append(true).open(f.path()) {
                    let _ = file.set_modified(std::time::SystemTime::now());
                }
            } else if old && std::fs::remove_file(f.path()).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}
