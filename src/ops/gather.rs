//! The gathering part of a run: every source fetched (or read, or taken from state), parsed,
//! normalised and written to state, concurrently; then the local entries; then the pool every
//! view selects from. An `async fn` that runs on the caller's tokio runtime and builds none of
//! its own, so that a long-running process (`serve`, `--every`) can call it again and again.
//!
//! It opens nothing: the run hands it the state connections it works with ([`Connections`],
//! opened by `open::run_connections`) and the local entries it read.

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
use crate::model::{Candidate, Entry, SourceInfo};
use crate::ops::Fatal;
use crate::par::par_each_mut;
use crate::pool::Gathered;
use crate::pool::merge;
use crate::pool::views::{self, FeedView};
use crate::state::{Pool, Preloaded, SourceWrite, State, StateError};

/// Called once per source as it finishes, in completion order, with its report: what a progress
/// line counts.
pub type OnSource<'a> = &'a (dyn Fn(&SourceReport) + Sync);

/// What a run gathers for.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub cfg: &'a Config,
    /// Every feed the run renders (the main one first): whether candidates keep their filter
    /// text depends on their patterns.
    pub views: &'a [FeedView],
    /// Take every source from state; fetch nothing.
    pub offline: bool,
    /// The run's clock (whole seconds).
    pub now: DateTime<Utc>,
    /// The private-network guard's ranges and resolver.
    pub guard: &'a Guard,
}

/// The state connections gathering works with, opened by the run.
#[derive(Debug)]
pub struct Connections {
    /// Moved to the writer thread: it runs the run's one integrity check beside its first
    /// writes, commits nothing before it has passed (issue 14, defect 2), commits the run's
    /// writes, then checkpoints while the views are rendered and published.
    pub writer: State,
    /// Read connections for the source tasks (opened on demand, reused).
    pub readers: Pool,
}

/// One finished source: its place in the config, its report, candidates and attribution.
type Done = (usize, SourceReport, Vec<Candidate>, Option<SourceInfo>);

/// The network's own entries: those written in `feeds.toml`, then the Markdown files of
/// `[local] dir`.
pub fn local_entries(cfg: &Config) -> Result<Vec<Entry>, Fatal> {
    let mut locals = cfg.entries.clone();
    locals.extend(local::read_markdown_dir(cfg)?);
    Ok(local::to_entries(cfg, &locals))
}

/// [`gather_with`] outside a run: the config's own views and local entries, the system's guard,
/// and no progress.
pub async fn gather(
    cfg: &Config,
    state: Connections,
    offline: bool,
    now: DateTime<Utc>,
) -> Result<Gathered, Fatal> {
    let views = views::feed_views(cfg);
    let scope = Scope {
        cfg,
        views: &views,
        offline,
        now,
        guard: &Guard::system(),
    };
    gather_with(&scope, local_entries(cfg)?, state, &|_| {}).await
}

/// Gathers every source, telling `on_source` about each as it finishes, commits what was learnt
/// to state (through `state.writer`), and builds the pool from the sources' candidates and
/// `locals`.
pub async fn gather_with(
    scope: &Scope<'_>,
    locals: Vec<Entry>,
    state: Connections,
    on_source: OnSource<'_>,
) -> Result<Gathered, Fatal> {
    let keep_text = views::need_text(scope.views);
    // Sources' writes queue here while the writer thread adds them to the run's transaction; the
    // bound keeps a slow disk from letting finished sources pile up in memory.
    let (tx, rx) = tokio::sync::mpsc::channel::<SourceWrite>(8);
    // The writer says when the run's writes are committed, then copies the write-ahead log into
    // the database (SQLite's checkpoint: fsyncs) while the views are rendered and published.
    let (committed_tx, committed) = tokio::sync::oneshot::channel();
    let mut writer_state = state.writer;
    let now = scope.now;
    let writer = std::thread::spawn(move || {
        let _ = committed_tx.send(writer_state.write_run(rx, now));
        writer_state.checkpoint();
    });
    // "sources" includes reading every source's stored state (`shared`).
    let started = std::time::Instant::now();
    // The last sender goes with `shared`, dropped once every source is done (or the first
    // failed): the writer then commits and returns.
    let results = match shared(scope, state.readers, keep_text, tx) {
        Ok(shared) => collect_all(scope.cfg, shared, on_source).await,
        Err(e) => Err(e),
    };
    let results = match results {
        Ok(results) => results,
        Err(e) => {
            // Not before the writer is done: the caller releases the run lock on return, and a
            // first run's writer is still putting its new state in place (`state::building`);
            // the next run would sweep the file it works on.
            let _ = committed.await;
            return Err(e);
        }
    };
    let collected = started.elapsed();
    // What parsing freed on the blocking pool's threads, given back before the merge allocates
    // (documents parsed while the stored items were read left 12 MB of freed pages resident at
    // 5,000 × 20, and the merge's peak above 100 MB).
    crate::ops::memory::give_back_freed();
    // The merge needs the sources' candidates, not their stored rows: it runs while the writer
    // thread still writes and commits the last sources (at 500 × 50 each took 10–20 ms, one
    // after the other, with a core idle). A failed commit still fails the run before anything
    // is rendered.
    let mut gathered = assemble(scope.cfg, results, locals, keep_text);
    let merged = started.elapsed();
    match committed.await {
        Ok(r) => r?,
        Err(_) => return Err(Fatal::Panicked("state writer")),
    };
    gathered.timings = vec![
        ("sources", collected),
        ("state commit", started.elapsed() - merged),
        ("merge", merged - collected),
    ];
    gathered.checkpoint = Some(writer);
    Ok(gathered)
}

/// What every source task shares: the fetcher, the state readers, the bounds and the policy.
fn shared(
    scope: &Scope<'_>,
    readers: Pool,
    keep_text: bool,
    writes: tokio::sync::mpsc::Sender<SourceWrite>,
) -> Result<Arc<Shared>, Fatal> {
    let cfg = scope.cfg;
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let held_sources = crate::ops::reviewed::undecided_sources(cfg, &readers)?;
    // Every source's stored state and items in one pass (see `Preloaded`), their filter text
    // where a pattern looks at it.
    let names: Vec<&str> = cfg.sources.iter().map(|s| s.name.as_str()).collect();
    let with_text: std::collections::HashSet<&str> = cfg
        .sources
        .iter()
        .filter(|s| crate::ingest::collect::needs_text(keep_text, &cfg.filter, s))
        .map(|s| s.name.as_str())
        .collect();
    let pool = Arc::new(readers);
    let preloaded = Preloaded::start(&pool, &names, &with_text)?;
    Ok(Arc::new(Shared {
        held_sources,
        preloaded,
        fetcher: Fetcher::with_guard(&cfg.fetch, scope.guard.clone())?,
        pool,
        now: scope.now,
        cores: crate::ingest::cores::Cores::start(cores).map_err(Fatal::Threads)?,
        in_flight: Semaphore::new(cfg.fetch.concurrency),
        offline: scope.offline,
        keep_text,
        global: cfg.filter.clone(),
        grace: chrono::Duration::from_std(cfg.fetch.grace_period).unwrap_or(chrono::Duration::MAX),
        max_backoff: chrono::Duration::from_std(cfg.fetch.max_backoff)
            .unwrap_or(chrono::Duration::days(1)),
        writes,
        guard: cfg.review.guard.then_some(crate::ingest::guard::Settings {
            burst: cfg.review.burst,
        }),
    }))
}

/// Runs every source's task, telling `on_source` as each finishes, and returns them in config
/// order, each with its candidates (the stored items of those that answered 304 or were not due
/// are taken once all have answered: see `Collected::stored`). A state read error in any source
/// stops the run: nothing is published from a partial read.
async fn collect_all(
    cfg: &Config,
    shared: Arc<Shared>,
    on_source: OnSource<'_>,
) -> Result<Vec<Done>, Fatal> {
    // Tasks are started as others finish, a few more than can be in flight: thousands of waiting
    // tasks would only hold memory.
    let window = cfg.fetch.concurrency * 4;
    let mut set = tokio::task::JoinSet::new();
    let mut results = Vec::with_capacity(cfg.sources.len());
    let joined = |r: Result<Result<(usize, Collected), StateError>, tokio::task::JoinError>| {
        r?.map_err(Fatal::State).inspect(|r| on_source(&r.1.report))
    };
    for (i, source) in cfg.sources.iter().enumerate() {
        if set.len() >= window
            && let Some(r) = set.join_next().await
        {
            results.push(joined(r)?);
        }
        let (shared, source) = (Arc::clone(&shared), source.clone());
        set.spawn(async move { Ok::<_, StateError>((i, process(&shared, &source).await?)) });
    }
    while let Some(r) = set.join_next().await {
        results.push(joined(r)?);
    }
    results.sort_by_key(|r| r.0);
    // The stored items of those whose candidates they are, by place in `results`.
    let mut taken = Vec::with_capacity(results.len());
    for (i, c) in &mut results {
        taken.push(shared.take_stored(&cfg.sources[*i], c).await?);
    }
    // Filtered on both cores: one source after the other, the stored items of 4,500 sources
    // that answered 304 took 30 ms of a changed run with the other core idle (issue 25).
    let source = |k: usize| &cfg.sources[results[k].0];
    par_each_mut(&mut taken, 256, |k, cands| {
        if let Some(cs) = cands.take() {
            *cands = Some(shared.select_stored(source(k), cs));
        }
    })
    .map_err(|_| Fatal::Panicked("selecting the stored items"))?;
    Ok(results
        .into_iter()
        .zip(taken)
        .map(|((i, c), stored)| (i, c.report, stored.unwrap_or(c.candidates), c.info))
        .collect())
}

/// The reports in config order, and the pool: one group of candidates per source, in config
/// order (never copied into one vector), then the local entries', merged with their `via`
/// credits.
fn assemble(cfg: &Config, results: Vec<Done>, locals: Vec<Entry>, keep_text: bool) -> Gathered {
    let (mut reports, mut candidates, mut infos) = (Vec::new(), Vec::new(), BTreeMap::new());
    for (_, report, cands, info) in results {
        if let Some(info) = info {
            infos.insert(report.name.clone(), info);
        }
        reports.push(report);
        candidates.push(cands);
    }
    let mut shared = crate::model::Interner::default();
    let local_cands: Vec<Candidate> = locals
        .iter()
        .enumerate()
        .map(|(i, e)| select::candidate(e, &i.to_string(), &mut shared))
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
    Gathered {
        reports,
        pool: merge::pool(candidates, &credits),
        locals,
        infos,
        timings: Vec::new(),
        checkpoint: None,
    }
}
