//! The archives' I/O: filing this run's entries in the state (`prepare`, before anything is
//! rendered, so that the main feed knows which entries it may still carry), then rendering the
//! monthly documents (`Plan::render`, beside the other outputs). A closed month's document is
//! rendered only when it has never been written, its file is gone, or the withdrawals touching
//! it changed; the months closed are recorded by `run` once the files are in place.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::{Month, chain, file_under};
use crate::config::Config;
use crate::model::Candidate;
use crate::model::Tombstone;
use crate::pool::Gathered;
use crate::pool::editorial::Withdrawals;
use crate::pool::merge::Winner;
use crate::pool::views::sibling;
use crate::publish::PublishError;
use crate::publish::render::History;
use crate::publish::sink::Output;
use crate::state::{Filed, State};

/// What the archives look like this run, once the new entries are filed.
#[derive(Debug)]
pub struct Plan {
    /// The newest document: the month the run's clock is in.
    pub current: Month,
    /// The oldest document.
    pub first: Month,
    filed: Vec<Filed>,
    /// Closed months as recorded, with their withdrawal keys.
    closed: HashMap<String, String>,
    now: DateTime<Utc>,
    grace: std::time::Duration,
    /// What filing sanitised (the entries it stores).
    pub cleaned: crate::publish::materialise::CleanCount,
}

/// The archive documents of a run.
#[derive(Debug, Default)]
pub struct ArchiveFiles {
    pub outputs: Vec<Output>,
    /// Closed documents left as they are.
    pub kept: Vec<String>,
    /// Months closed (or re-rendered for a withdrawal) by this run, with their keys: recorded
    /// once published.
    pub closed: Vec<(String, String)>,
}

/// Which version of an entry a candidate is: its item hash, or a local entry's content hash.
fn version(c: &Candidate, g: &Gathered) -> String {
    match &c.origin {
        Some(_) => c.handle().to_string(),
        None => {
            let local = c.local_index().and_then(|i| g.locals.get(i));
            let json = local
                .and_then(|e| serde_json::to_vec(e).ok())
                .unwrap_or_default();
            format!("{:x}", Sha256::digest(&json))
        }
    }
}

/// Files every entry the main feed selects (before its cap) that is not filed yet, and refreshes
/// the stored body of one whose month is still open when its partner changed it.
pub fn prepare(
    state: &mut State,
    cfg: &Config,
    g: &Gathered,
    now: DateTime<Utc>,
) -> Result<Plan, PublishError> {
    let mut filed = state.archive_index()?;
    let closed = state.archive_closed()?;
    let last_closed = closed.keys().filter_map(|m| Month::parse(m)).max();
    let is_open = |m: &str| Month::parse(m).is_some_and(|m| last_closed.is_none_or(|c| m > c));
    let at: HashMap<String, usize> = filed
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id.clone(), i))
        .collect();
    let mut todo: Vec<(&Winner, Filed, DateTime<Utc>)> = Vec::new();
    for w in crate::pool::merge::age_and_cap(&cfg.filter, g.pool.iter(), usize::MAX) {
        let c = w;
        let v = version(c, g);
        let dated = c.published.unwrap_or(c.updated);
        match at.get(c.id()).map(|&i| &filed[i]) {
            Some(f) if is_open(&f.month) && f.version != v => todo.push((
                w,
                Filed {
                    version: v,
                    ..f.clone()
                },
                dated,
            )),
            Some(_) => {}
            None => todo.push((
                w,
                Filed {
                    id: c.id().to_string(),
                    month: file_under(dated, now, last_closed).to_string(),
                    canonical_link: c.canonical_link().map(String::from),
                    version: v,
                },
                dated,
            )),
        }
    }
    let wanted: Vec<&Winner> = todo.iter().map(|t| t.0).collect();
    let (entries, cleaned) = crate::publish::materialise::materialise(state, cfg, g, &wanted)?;
    let mut rows = Vec::with_capacity(todo.len());
    for (w, f, dated) in todo {
        let entry = entries
            .get(&crate::publish::materialise::key(w))
            .cloned()
            .ok_or_else(|| PublishError::Vanished {
                id: w.id().to_string(),
            })?;
        rows.push((f, dated, entry));
    }
    state.archive_file(&rows)?;
    for (f, _, _) in rows {
        match at.get(&f.id) {
            Some(&i) => filed[i] = f,
            None => filed.push(f),
        }
    }
    let current = Month::of(now).max(last_closed.map_or(Month::of(now), Month::next));
    let first = filed
        .iter()
        .filter_map(|f| Month::parse(&f.month))
        .min()
        .unwrap_or(current);
    let grace = cfg.archive.grace;
    Ok(Plan {
        current,
        first,
        filed,
        closed,
        now,
        grace,
        cleaned,
    })
}

impl Plan {
    fn url(cfg: &Config, m: Month) -> String {
        sibling(&cfg.feed.self_url, &m.file()).to_string()
    }

    /// The main feed's place: `prev-archive` to the current month's document.
    pub fn feed_history(&self, cfg: &Config) -> History {
        History {
            prev: Some(Self::url(cfg, self.current)),
            ..History::default()
        }
    }

    fn closing(&self, m: Month) -> bool {
        self.closed.contains_key(&m.to_string()) || m.closes_by(self.now, self.grace)
    }

    /// Renders every month's document from the entries filed in `state`, each with all of its
    /// entries but the withdrawn (an entry `feed.atom` carries is in its month's document too,
    /// as RFC 5005 allows; readers merge by id); `out_dir` is where a closed document's file
    /// should already be.
    pub fn render(
        &self,
        state: &State,
        cfg: &Config,
        withdrawals: &Withdrawals,
        out_dir: &Path,
    ) -> Result<ArchiveFiles, PublishError> {
        let mut by_month: HashMap<String, Vec<&Filed>> = HashMap::new();
        for f in &self.filed {
            by_month.entry(f.month.clone()).or_default().push(f);
        }
        let mut files = ArchiveFiles::default();
        for m in chain(self.first, self.current) {
            let name = m.to_string();
            let mut tombstones: Vec<Tombstone> = by_month
                .get(&name)
                .into_iter()
                .flatten()
                .filter_map(|f| {
                    let w = withdrawals.find(&f.id, f.canonical_link.as_deref())?;
                    Some(Tombstone {
                        id: f.id.clone(),
                        when: w.when,
                        comment: w.reason.clone(),
                    })
                })
                .collect();
            tombstones.sort_by(|a, b| a.id.cmp(&b.id));
            let mut h = Sha256::new();
            for t in &tombstones {
                h.update(format!("{}\0{}\0{:?}\0", t.id, t.when, t.comment).as_bytes());
            }
            let key = format!("{:x}", h.finalize());
            let closing = self.closing(m);
            if closing && self.closed.get(&name) == Some(&key) && out_dir.join(m.file()).is_file() {
                files.kept.push(m.file());
                continue;
            }
            let gone: HashSet<&str> = tombstones.iter().map(|t| t.id.as_str()).collect();
            let entries: Vec<_> = state
                .archive_entries(&name)?
                .into_iter()
                .filter(|e| !gone.contains(e.id.as_str()))
                .map(|e| crate::pool::editorial::credit::apply(cfg, &e).into_owned())
                .map(|e| no_third_party(cfg, e))
                .collect();
            let mut meta = cfg.feed.clone();
            meta.self_url = sibling(&cfg.feed.self_url, &m.file());
            // Its twin for people (`publish::library`): `rel="alternate" type="text/html"`.
            meta.link = sibling(&cfg.feed.self_url, &format!("archive/{m}.html"));
            // A document that never changes has nothing to announce to a hub.
            meta.hubs.clear();
            let history = History {
                archive: true,
                prev: (m > self.first).then(|| Self::url(cfg, m.prev())),
                next: (m < self.current).then(|| Self::url(cfg, m.next())),
                current: Some(cfg.feed.self_url.to_string()),
                empty_updated: Some(m.start()),
            };
            let bytes = crate::publish::render::atom_document(
                &meta,
                &entries,
                Some("../feed.xsl"),
                &tombstones,
                &history,
            )?;
            files.outputs.push(Output::new(m.file(), bytes));
            if closing {
                files.closed.push((name, key));
            }
        }
        Ok(files)
    }
}

/// With `[output] mirror_media`, no output may make a reader's client load anything from a third
/// party, archives included. Archives never change, so they cannot point at mirrored copies
/// (those are deleted once unused): every image and frame in them becomes a plain link.
fn no_third_party(cfg: &Config, mut e: crate::model::Entry) -> crate::model::Entry {
    if cfg.output.mirror_media {
        let link_only = |_: &str| None;
        for html in [&mut e.summary, &mut e.content].into_iter().flatten() {
            *html = crate::publish::media::rewrite(html, &link_only);
        }
        e.image = None;
    }
    e
}
