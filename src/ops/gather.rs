//! The gathering part of a run: every source fetched (or read, or taken from state), parsed,
//! normalised and written to state, concurrently; then the local entries; then the pool every
//! view selects from. An `async fn` that runs on the caller's tokio runtime and builds none of
//! its own, so that a long-running process (`serve`, `--every`) can call it again and again.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;

use crate::config::{Config, Filter};
use crate::ingest::collect::{Collected, Shared, process};
use crate::ingest::fetch::{Fetcher, Guard};
use crate::ingest::local;
use crate::ingest::report::SourceReport;
use crate::ingest::select;
use crate::model::Candidate;
use crate::ops::Fatal;
use crate::pool::Gathered;
use crate::pool::merge;
use crate::pool::views;
use crate::state::{SourceWrite, State};

/// Called once per source as it finishes, in completion order, with its report: what a progress
/// line counts.
pub type OnSource<'a> = &'a (dyn Fn(&SourceReport) + Sync);

/// Gathers every source and the local entries, commits what was learnt to state, and builds the
/// pool. `now` is the run's clock (whole seconds).
pub async fn gather(cfg: &Config, offline: bool, now: DateTime<Utc>) -> Result<Gathered, Fatal> {
    gather_with(cfg, offline, now, &Guard::system(), &|_| {}).await
}

/// [`gather`] with the private-network guard's ranges and resolver given, telling `on_source`
/// about each source as it finishes (what a progress line counts).
pub async fn gather_with(
    cfg: &Config,
    offline: bool,
    now: DateTime<Utc>,
    guard: &Guard,
    on_source: OnSource<'_>,
) -> Result<Gathered, Fatal> {
    let mut locals = cfg.entries.clone();
    locals.extend(local::read_markdown_dir(cfg)?);
    let local_entries = local::to_entries(cfg, &locals);
    let keep_text = views::need_text(&views::feed_views(cfg));
    // Its writer runs the run's one integrity check beside its first writes, and commits nothing
    // before it has passed (issue 14, defect 2).
    let mut state = State::open(&cfg.state_path)?;
    // Sources' writes queue here while the writer thread adds them to the run's transaction; the
    // bound keeps a slow disk from letting finished sources pile up in memory.
    let (tx, rx) = tokio::sync::mpsc::channel::<SourceWrite>(8);
    // The writer says when the run's writes are committed, then copies the write-ahead log into
    // the database (SQLite's checkpoint: fsyncs) while the views are rendered and published.
    let (committed_tx, committed) = tokio::sync::oneshot::channel();
    let writer = std::thread::spawn(move || {
        let _ = committed_tx.send(state.write_run(rx, now));
        state.checkpoint();
    });
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let shared = Arc::new(Shared {
        fetcher: Fetcher::with_guard(&cfg.fetch, guard.clone())?,
        pool: Arc::new(crate::state::Pool::new(&cfg.state_path)),
        now,
        cpu: Semaphore::new(cores),
        in_flight: Semaphore::new(cfg.fetch.concurrency),
        offline,
        keep_text,
        global: cfg.filter.clone(),
        grace: chrono::Duration::from_std(cfg.fetch.grace_period).unwrap_or(chrono::Duration::MAX),
        max_backoff: chrono::Duration::from_std(cfg.fetch.max_backoff)
            .unwrap_or(chrono::Duration::days(1)),
        writes: tx,
    });
    let started = std::time::Instant::now();
    // Tasks are started as others finish, a few more than can be in flight: thousands of waiting
    // tasks would only hold memory.
    let window = cfg.fetch.concurrency * 4;
    let mut set = tokio::task::JoinSet::new();
    let mut results = Vec::with_capacity(cfg.sources.len());
    // A state read error in any source stops the run: nothing is published from a partial read.
    let joined = |r: Result<
        Result<(usize, SourceReport, _, _), crate::state::StateError>,
        tokio::task::JoinError,
    >| { r?.map_err(Fatal::State).inspect(|r| on_source(&r.1)) };
    for (i, source) in cfg.sources.iter().enumerate() {
        if set.len() >= window
            && let Some(r) = set.join_next().await
        {
            results.push(joined(r)?);
        }
        let (shared, source) = (Arc::clone(&shared), source.clone());
        set.spawn(async move {
            let Collected {
                report,
                candidates,
                info,
            } = process(&shared, &source).await?;
            Ok::<_, crate::state::StateError>((i, report, candidates, info))
        });
    }
    while let Some(r) = set.join_next().await {
        results.push(joined(r)?);
    }
    results.sort_by_key(|r| r.0);
    // One group of candidates per source, in config order (never copied into one vector).
    let (mut reports, mut candidates, mut infos) = (Vec::new(), Vec::new(), BTreeMap::new());
    for (_, report, cands, info) in results {
        if let Some(info) = info {
            infos.insert(report.name.clone(), info);
        }
        reports.push(report);
        candidates.push(cands);
    }
    // The last sender goes with `shared`: the writer then commits and returns.
    drop(shared);
    let collected = started.elapsed();
    match committed.await {
        Ok(r) => r?,
        Err(_) => return Err(Fatal::Panicked("state writer")),
    };
    let local_cands: Vec<Candidate> = local_entries
        .iter()
        .enumerate()
        .map(|(i, e)| select::candidate(e, i.to_string()))
        .collect();
    candidates.push(select::select_source(
        &Filter::default(),
        &cfg.filter,
        keep_text,
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
    Ok(Gathered {
        reports,
        pool: merge::pool(candidates, &credits),
        locals: local_entries,
        infos,
        timings: vec![
            ("sources", collected),
            ("state commit", started.elapsed() - collected),
        ],
        checkpoint: Some(writer),
    })
}
