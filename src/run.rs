//! One run, sequenced: config → lock → per-source fetch/parse/normalise (concurrently, each source
//! processed as it arrives) → merge → render → state commit → publish → report. The only module
//! besides fetch, state and publish that does I/O; every decision it takes is delegated to the
//! pure stages.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use tokio::sync::Semaphore;

use crate::collect::{Collected, Shared, process};
use crate::config::{Config, ConfigError};
use crate::fetch::Fetcher;
use std::collections::BTreeMap;

use crate::config::Filter;
use crate::merge::Winner;
use crate::model::{Candidate, Entry, SourceInfo};
use crate::report::{RunReport, SourceReport};
use crate::state::{SourceWrite, State};
use crate::{local, merge, publish, render};

/// What `feedbraid run` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub config: PathBuf,
    /// Overrides the config's `output_dir`.
    pub out: Option<PathBuf>,
    /// Overrides the config's `state`.
    pub state: Option<PathBuf>,
    /// Rebuild from state alone, without fetching.
    pub offline: bool,
}

/// Errors that stop a run before anything is published (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum Fatal {
    #[error("{0}")]
    Config(#[from] ConfigError),
    #[error(transparent)]
    State(#[from] crate::state::StateError),
    #[error("another feedbraid run holds the lock {0}; try again when it has finished")]
    Locked(PathBuf),
    #[error("cannot write to the output folder {path}: {err}")]
    Output { path: PathBuf, err: std::io::Error },
    #[error("{0}")]
    Other(String),
}

impl Fatal {
    /// Exit code: a refused lock is "nothing done this time" (1); everything else is fatal (2).
    pub fn exit_code(&self) -> i32 {
        if matches!(self, Fatal::Locked(_)) {
            1
        } else {
            2
        }
    }
}

/// Holds the run lock for as long as it lives. The OS drops the lock when the process dies, so a
/// killed run never leaves a stale lock behind.
#[derive(Debug)]
pub struct RunLock(#[allow(dead_code)] std::fs::File);

/// Takes the advisory lock beside the state database, or says who holds it.
pub fn lock(state_path: &Path) -> Result<RunLock, Fatal> {
    let path = state_path.with_extension("lock");
    if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d)
            .map_err(|e| Fatal::Other(format!("cannot create {}: {e}", d.display())))?;
    }
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Fatal::Other(format!("cannot open lock file {}: {e}", path.display())))?;
    match f.try_lock() {
        Ok(()) => Ok(RunLock(f)),
        Err(std::fs::TryLockError::WouldBlock) => Err(Fatal::Locked(path)),
        Err(std::fs::TryLockError::Error(e)) => {
            Err(Fatal::Other(format!("cannot lock {}: {e}", path.display())))
        }
    }
}

/// The config with command-line overrides applied.
pub fn load_config(opts: &RunOptions) -> Result<Config, Fatal> {
    let mut cfg = Config::from_file(&opts.config)?;
    if let Some(out) = &opts.out {
        cfg.output_dir = out.clone();
    }
    if let Some(s) = &opts.state {
        cfg.state_path = s.clone();
    }
    Ok(cfg)
}

/// Runs the whole pipeline once.
pub fn run(opts: &RunOptions) -> Result<RunReport, Fatal> {
    let cfg = load_config(opts)?;
    let _lock = lock(&cfg.state_path)?;
    std::fs::create_dir_all(&cfg.output_dir).map_err(|err| Fatal::Output {
        path: cfg.output_dir.clone(),
        err,
    })?;
    let mut locals = cfg.entries.clone();
    locals.extend(local::read_markdown_dir(&cfg)?);
    let local_entries = local::to_entries(&cfg, &locals);
    let mut state = State::open(&cfg.state_path)?;
    // Whole seconds: dates derived from the clock (clamped or first-seen) stay readable.
    let now = Utc::now().trunc_subsecs(0);
    // Sources' writes queue here while the writer thread adds them to the run's transaction; the
    // bound keeps a slow disk from letting finished sources pile up in memory.
    let (tx, rx) = tokio::sync::mpsc::channel::<SourceWrite>(8);
    let writer = std::thread::spawn(move || state.write_run(rx, now));
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let shared = Arc::new(Shared {
        fetcher: Fetcher::new(&cfg.fetch).map_err(|e| Fatal::Other(e.to_string()))?,
        pool: Arc::new(crate::state::Pool::new(&cfg.state_path)),
        now,
        cpu: Semaphore::new(cores),
        in_flight: Semaphore::new(cfg.fetch.concurrency),
        offline: opts.offline,
        feed_max: cfg.feed.max_entries,
        global: cfg.filter.clone(),
        grace: chrono::Duration::from_std(cfg.fetch.grace_period).unwrap_or(chrono::Duration::MAX),
        max_backoff: chrono::Duration::from_std(cfg.fetch.max_backoff)
            .unwrap_or(chrono::Duration::days(1)),
        writes: tx,
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        // Blocking work (state reads, parsing, sanitising) needs no more threads than cores; more
        // would only add memory (a malloc arena and a SQLite connection each).
        .max_blocking_threads(cores * 2)
        .build()
        .map_err(|e| Fatal::Other(format!("cannot start the async runtime: {e}")))?;
    let started = std::time::Instant::now();
    let (reports, mut candidates, infos) = runtime.block_on(async {
        // Tasks are started as others finish, a few more than can be in flight: thousands of
        // waiting tasks would only hold memory.
        let window = cfg.fetch.concurrency * 4;
        let mut set = tokio::task::JoinSet::new();
        let mut results = Vec::with_capacity(cfg.sources.len());
        for (i, source) in cfg.sources.iter().enumerate() {
            if set.len() >= window
                && let Some(r) = set.join_next().await
            {
                results.push(r.map_err(|e| Fatal::Other(format!("a source task failed: {e}")))?);
            }
            let (shared, source) = (Arc::clone(&shared), source.clone());
            set.spawn(async move {
                let Collected {
                    report,
                    candidates,
                    info,
                } = process(&shared, &source).await;
                (i, report, candidates, info)
            });
        }
        while let Some(r) = set.join_next().await {
            results.push(r.map_err(|e| Fatal::Other(format!("a source task failed: {e}")))?);
        }
        results.sort_by_key(|r| r.0);
        let (mut reports, mut all, mut infos) = (Vec::new(), Vec::new(), BTreeMap::new());
        for (_, report, cands, info) in results {
            if let Some(info) = info {
                infos.insert(report.name.clone(), info);
            }
            reports.push(report);
            all.extend(cands);
        }
        Ok::<_, Fatal>((reports, all, infos))
    })?;
    drop(runtime);
    // The last sender goes with `shared`: the writer then commits and returns.
    drop(shared);
    let collected = started.elapsed();
    match writer.join() {
        Ok(r) => r?,
        Err(_) => return Err(Fatal::Other("the state writer panicked".into())),
    };
    let local_cands: Vec<Candidate> = local_entries
        .iter()
        .enumerate()
        .map(|(i, e)| merge::candidate(e, i.to_string()))
        .collect();
    candidates.extend(merge::select_source(
        &Filter::default(),
        &cfg.filter,
        None,
        cfg.feed.max_entries,
        local_cands,
    ));
    let credits: BTreeMap<String, String> = infos
        .iter()
        .filter_map(|(name, i)| {
            Some((
                name.clone(),
                i.homepage.clone().or_else(|| i.feed_url.clone())?,
            ))
        })
        .collect();
    let winners = merge::merge(&cfg, candidates, &credits);
    let entries = materialise(&cfg, winners, &local_entries, &infos)?;
    let committed = started.elapsed();
    let written = publish_all(&cfg, &entries, &reports)?;
    Ok(RunReport {
        sources: reports,
        entries: entries.len(),
        written,
        timings: vec![
            ("sources", collected),
            ("state commit", committed - collected),
            ("merge and publish", started.elapsed() - committed),
        ],
    })
}

/// Loads the full entries of the winners (local ones from memory, partner ones from state) and
/// attaches their attribution and `via` credits.
fn materialise(
    cfg: &Config,
    winners: Vec<Winner>,
    locals: &[Entry],
    infos: &BTreeMap<String, SourceInfo>,
) -> Result<Vec<Entry>, Fatal> {
    let state = State::open(&cfg.state_path)?;
    let mut out = Vec::with_capacity(winners.len());
    for Winner { candidate, via } in winners {
        let mut entry = match &candidate.origin {
            None => candidate
                .handle
                .parse::<usize>()
                .ok()
                .and_then(|i| locals.get(i).cloned()),
            Some(source) => state.entry(source, &candidate.handle)?.map(|mut e| {
                e.source = infos.get(source).cloned();
                e
            }),
        }
        .ok_or_else(|| {
            Fatal::Other(format!(
                "entry {} vanished from the state database",
                candidate.id
            ))
        })?;
        entry.via = via;
        out.push(entry);
    }
    Ok(out)
}

fn publish_all(
    cfg: &Config,
    entries: &[Entry],
    reports: &[SourceReport],
) -> Result<Vec<(String, publish::Written)>, Fatal> {
    let atom = render::atom(&cfg.feed, entries, Some("feed.xsl"))
        .map_err(|e| Fatal::Other(e.to_string()))?;
    let json_url = cfg
        .feed
        .self_url
        .join("feed.json")
        .map(String::from)
        .unwrap_or_default();
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("feed.xsl", crate::report::FEED_XSL.as_bytes().to_vec()),
        (
            "feed.json",
            render::json_feed(&cfg.feed, entries, &json_url),
        ),
        ("feed.atom", atom),
        (
            "status.json",
            crate::report::status_json(reports, entries.len()),
        ),
    ];
    let mut out = Vec::new();
    for (name, bytes) in files {
        let path = cfg.output_dir.join(name);
        let w = publish::write_atomic(&path, &bytes).map_err(|err| Fatal::Output {
            path: path.clone(),
            err,
        })?;
        out.push((name.to_string(), w));
    }
    Ok(out)
}

/// The `feedbraid status` table: what state knows about each configured source.
pub fn status(opts: &RunOptions) -> Result<String, Fatal> {
    let cfg = load_config(opts)?;
    let state = State::open(&cfg.state_path)?;
    let fmt = |d: Option<DateTime<Utc>>| {
        d.map_or("-".to_string(), |d| d.format("%Y-%m-%d %H:%M").to_string())
    };
    let w = cfg
        .sources
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let mut out = format!(
        "{:<w$} {:<24} {:<17} {:>8} {:<17} {:>7}\n",
        "source", "status", "last success", "failures", "next fetch", "entries"
    );
    for s in &cfg.sources {
        let st = state.source(&s.name)?;
        let status = if !s.enabled {
            "disabled".to_string()
        } else if st.gone {
            "gone (410)".into()
        } else if st.last_status.is_empty() {
            "never fetched".into()
        } else {
            st.last_status.chars().take(24).collect()
        };
        out.push_str(&format!(
            "{:<w$} {:<24} {:<17} {:>8} {:<17} {:>7}\n",
            s.name,
            status,
            fmt(st.last_success),
            st.failures,
            fmt(st.next_fetch),
            state.item_count(&s.name)?
        ));
    }
    Ok(out)
}
