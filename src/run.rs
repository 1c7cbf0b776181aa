//! One run, sequenced: config → lock → per-source fetch/parse/normalise (concurrently, each source
//! processed as it arrives) → merge → render → state commit → publish → report. The only module
//! besides fetch, state and publish that does I/O; every decision it takes is delegated to the
//! pure stages.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, SubsecRound, Utc};
use tokio::sync::Semaphore;

use crate::config::{Config, ConfigError, Location, Source};
use crate::fetch::{Failure, FailureKind, Fetcher, Outcome};
use crate::model::Entry;
use crate::report::{RunReport, SourceReport, Status};
use crate::state::{SourceState, SourceWrite, State};
use crate::{local, merge, parse, publish, render};

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

struct Shared {
    fetcher: Fetcher,
    state_path: PathBuf,
    now: DateTime<Utc>,
    cpu: Semaphore,
    offline: bool,
    feed_max: usize,
    grace: chrono::Duration,
    max_backoff: chrono::Duration,
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
    let shared = Arc::new(Shared {
        fetcher: Fetcher::new(&cfg.fetch).map_err(|e| Fatal::Other(e.to_string()))?,
        state_path: cfg.state_path.clone(),
        now,
        cpu: Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())),
        offline: opts.offline,
        feed_max: cfg.feed.max_entries,
        grace: chrono::Duration::from_std(cfg.fetch.grace_period).unwrap_or(chrono::Duration::MAX),
        max_backoff: chrono::Duration::from_std(cfg.fetch.max_backoff)
            .unwrap_or(chrono::Duration::days(1)),
    });
    let (tx, rx) = std::sync::mpsc::sync_channel::<SourceWrite>(8);
    let writer = std::thread::spawn(move || state.write_run(rx, now));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Fatal::Other(format!("cannot start the async runtime: {e}")))?;
    let (reports, mut entries) = runtime.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for (i, source) in cfg.sources.iter().enumerate() {
            let (shared, source, tx) = (Arc::clone(&shared), source.clone(), tx.clone());
            set.spawn(async move {
                let (report, entries, write) = process(&shared, &source).await;
                // A closed channel means the writer failed; its error is reported when it is joined.
                let _ = tokio::task::spawn_blocking(move || tx.send(write).is_ok()).await;
                (i, report, entries)
            });
        }
        drop(tx);
        let mut results = Vec::new();
        while let Some(r) = set.join_next().await {
            match r {
                Ok(r) => results.push(r),
                Err(e) => return Err(Fatal::Other(format!("a source task failed: {e}"))),
            }
        }
        results.sort_by_key(|r| r.0);
        let mut all = Vec::new();
        let mut reports = Vec::new();
        for (_, rep, es) in results {
            reports.push(rep);
            all.extend(es);
        }
        Ok((reports, all))
    })?;
    drop(runtime);
    match writer.join() {
        Ok(r) => r?,
        Err(_) => return Err(Fatal::Other("the state writer panicked".into())),
    };
    entries.extend(local_entries);
    let merged = merge::merge(&cfg, entries);
    let written = publish_all(&cfg, &merged, &reports)?;
    Ok(RunReport {
        sources: reports,
        entries: merged.len(),
        written,
        generated_at: now,
    })
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

/// Deterministic jitter in [0.9, 1.1) from the source name and failure count.
fn backoff(shared: &Shared, name: &str, failures: u32) -> chrono::Duration {
    let base =
        chrono::Duration::minutes(5) * 2i32.saturating_pow(failures.saturating_sub(1).min(20));
    let capped = base.min(shared.max_backoff);
    let j = crate::normalise::ids::short_hash(&[name, &failures.to_string()]);
    let frac = u8::from_str_radix(&j[..2], 16).unwrap_or(128) as i32;
    capped * (900 + frac * 200 / 256) / 1000
}

async fn process(shared: &Shared, source: &Source) -> (SourceReport, Vec<Entry>, SourceWrite) {
    let name = source.name.clone();
    let prev = {
        let path = shared.state_path.clone();
        let n = name.clone();
        tokio::task::spawn_blocking(move || State::open(&path).and_then(|s| s.source(&n))).await
    };
    let prev = match prev {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => return failed_without_state(source, e.to_string()),
        Err(e) => return failed_without_state(source, e.to_string()),
    };
    let now = shared.now;
    let mut rep = SourceReport::new(source, &prev);
    if !source.enabled {
        rep.status = Status::Disabled;
        return (
            rep,
            Vec::new(),
            SourceWrite {
                name,
                state: prev,
                ..SourceWrite::default()
            },
        );
    }
    let keep_old = |prev: &SourceState, rep: &mut SourceReport| -> Vec<Entry> {
        let fresh_enough = prev.last_success.is_some_and(|t| now - t <= shared.grace);
        if fresh_enough {
            prev.entries.clone()
        } else {
            if !prev.entries.is_empty() {
                rep.warnings.push(format!(
                    "{} stored entries dropped: no successful fetch within the grace period",
                    prev.entries.len()
                ));
            }
            Vec::new()
        }
    };
    if shared.offline {
        rep.status = Status::Offline;
        let es = prev.entries.clone();
        return finish(
            shared,
            source,
            rep,
            es,
            SourceWrite {
                name,
                state: prev,
                ..SourceWrite::default()
            },
        );
    }
    if prev.gone && matches!(source.location, Location::Url(_)) {
        rep.status = Status::Gone;
        let es = keep_old(&prev, &mut rep);
        return finish(
            shared,
            source,
            rep,
            es,
            SourceWrite {
                name,
                state: prev,
                ..SourceWrite::default()
            },
        );
    }
    if let Some(next) = prev.next_fetch.filter(|t| *t > now) {
        rep.status = if prev.failures > 0 {
            Status::BackingOff(next)
        } else {
            Status::NotDue(next)
        };
        let es = if prev.failures > 0 {
            keep_old(&prev, &mut rep)
        } else {
            prev.entries.clone()
        };
        return finish(
            shared,
            source,
            rep,
            es,
            SourceWrite {
                name,
                state: prev,
                ..SourceWrite::default()
            },
        );
    }
    let outcome = match &source.location {
        Location::Url(url) => shared.fetcher.fetch(url, &prev.validators).await,
        Location::Path(p) => read_file(p, shared.fetcher_cap()),
    };
    let mut st = prev.clone();
    st.last_attempt = Some(now);
    match outcome {
        Outcome::Body {
            body,
            final_url,
            content_type,
            validators,
            max_age,
            moved_to,
        } => {
            let charset = content_type
                .as_deref()
                .and_then(crate::decode::charset_from_content_type)
                .map(str::to_string);
            let base = match &source.location {
                Location::Url(_) => Some(final_url),
                Location::Path(_) => source.homepage.clone(),
            };
            let _cpu = shared.cpu.acquire().await;
            let (src, path) = (source.clone(), shared.state_path.clone());
            let done = tokio::task::spawn_blocking(move || {
                crate::ingest::ingest(&src, &path, &body, charset.as_deref(), base.as_ref(), now)
            })
            .await;
            match done {
                Ok(Ok(ing)) => {
                    st.validators = validators;
                    st.last_status = "ok".into();
                    st.last_success = Some(now);
                    st.failures = 0;
                    st.gone = false;
                    st.moved_to = moved_to.map(String::from);
                    let min = max_age.max(ing.ttl).map(|d| {
                        chrono::Duration::from_std(d)
                            .unwrap_or_default()
                            .min(shared.max_backoff)
                    });
                    st.next_fetch = min.map(|m| now + m);
                    st.entries = ing.entries.clone();
                    rep.status = Status::Fetched;
                    rep.warnings.extend(ing.warnings);
                    let w = SourceWrite {
                        name,
                        state: st,
                        entries_changed: true,
                        seen: ing.seen,
                        cache: ing.new_cache,
                        reparsed: Some(ing.hashes),
                    };
                    finish(shared, source, rep, ing.entries, w)
                }
                Ok(Err(reason)) => failure(
                    shared,
                    source,
                    rep,
                    st,
                    Failure {
                        kind: FailureKind::Client,
                        status: None,
                        retry_after: None,
                        reason,
                    },
                ),
                Err(e) => failure(
                    shared,
                    source,
                    rep,
                    st,
                    Failure {
                        kind: FailureKind::Client,
                        status: None,
                        retry_after: None,
                        reason: format!("processing crashed: {e}"),
                    },
                ),
            }
        }
        Outcome::NotModified {
            validators,
            max_age,
            moved_to,
        } => {
            st.validators = validators;
            st.last_status = "not modified".into();
            st.last_success = Some(now);
            st.failures = 0;
            st.moved_to = moved_to.map(String::from);
            st.next_fetch = max_age.map(|m| {
                now + chrono::Duration::from_std(m)
                    .unwrap_or_default()
                    .min(shared.max_backoff)
            });
            rep.status = Status::NotModified;
            let es = st.entries.clone();
            finish(
                shared,
                source,
                rep,
                es,
                SourceWrite {
                    name,
                    state: st,
                    ..SourceWrite::default()
                },
            )
        }
        Outcome::Failed(f) => failure(shared, source, rep, st, f),
    }
}

impl Shared {
    fn fetcher_cap(&self) -> u64 {
        self.fetcher.max_bytes()
    }
}

fn read_file(p: &Path, cap: u64) -> Outcome {
    let fail = |kind, reason: String| {
        Outcome::Failed(Failure {
            kind,
            status: None,
            retry_after: None,
            reason,
        })
    };
    match std::fs::metadata(p) {
        Ok(m) if m.len() > cap => fail(
            FailureKind::TooLarge,
            format!("file larger than the {cap}-byte cap"),
        ),
        Ok(_) => match std::fs::read(p) {
            Ok(body) => Outcome::Body {
                body,
                final_url: url::Url::parse("file:///")
                    .unwrap_or_else(|_| unreachable!("static URL")),
                content_type: None,
                validators: Default::default(),
                max_age: None,
                moved_to: None,
            },
            Err(e) => fail(
                FailureKind::Network,
                format!("cannot read {}: {e}", p.display()),
            ),
        },
        Err(e) => fail(
            FailureKind::Network,
            format!("cannot read {}: {e}", p.display()),
        ),
    }
}

fn failure(
    shared: &Shared,
    source: &Source,
    mut rep: SourceReport,
    mut st: SourceState,
    f: Failure,
) -> (SourceReport, Vec<Entry>, SourceWrite) {
    let now = shared.now;
    st.failures += 1;
    st.last_status = f.reason.clone();
    st.gone = f.kind == FailureKind::Gone;
    let mut wait = backoff(shared, &source.name, st.failures);
    if let Some(ra) = f.retry_after {
        wait = wait.max(
            chrono::Duration::from_std(ra)
                .unwrap_or_default()
                .min(shared.max_backoff),
        );
    }
    st.next_fetch = Some(now + wait);
    rep.status = if st.gone {
        Status::Gone
    } else {
        Status::Failed(f.reason)
    };
    rep.failures = st.failures;
    let fresh_enough = st.last_success.is_some_and(|t| now - t <= shared.grace);
    let es = if fresh_enough {
        st.entries.clone()
    } else {
        if !st.entries.is_empty() {
            rep.warnings.push(format!(
                "{} stored entries dropped: no successful fetch within the grace period",
                st.entries.len()
            ));
        }
        Vec::new()
    };
    finish(
        shared,
        source,
        rep,
        es,
        SourceWrite {
            name: source.name.clone(),
            state: st,
            ..SourceWrite::default()
        },
    )
}

fn failed_without_state(
    source: &Source,
    reason: String,
) -> (SourceReport, Vec<Entry>, SourceWrite) {
    let mut rep = SourceReport::new(source, &SourceState::default());
    rep.status = Status::Failed(format!("state: {reason}"));
    (
        rep,
        Vec::new(),
        SourceWrite {
            name: source.name.clone(),
            ..SourceWrite::default()
        },
    )
}

fn finish(
    shared: &Shared,
    source: &Source,
    mut rep: SourceReport,
    entries: Vec<Entry>,
    mut w: SourceWrite,
) -> (SourceReport, Vec<Entry>, SourceWrite) {
    rep.entries = entries.len();
    rep.last_success = w.state.last_success;
    rep.next_fetch = w.state.next_fetch;
    rep.failures = w.state.failures;
    rep.moved_to = w.state.moved_to.clone();
    let selected = merge::select_source(&source.filter, source.max_items, shared.feed_max, entries);
    w.name = source.name.clone();
    (rep, selected, w)
}

/// `parse` is re-exported for the benchmarks and tests that time it on its own.
pub use parse::parse_feed;

/// The `feedbraid status` table: what state knows about each configured source.
pub fn status(opts: &RunOptions) -> Result<String, Fatal> {
    let cfg = load_config(opts)?;
    let state = State::open(&cfg.state_path)?;
    let fmt = |d: Option<DateTime<Utc>>| {
        d.map_or("-".to_string(), |d| d.format("%Y-%m-%d %H:%M").to_string())
    };
    let mut out = format!(
        "{:<28} {:<24} {:<17} {:>8} {:<17} {:>7}\n",
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
            "{:<28} {:<24} {:<17} {:>8} {:<17} {:>7}\n",
            s.name,
            status,
            fmt(st.last_success),
            st.failures,
            fmt(st.next_fetch),
            st.entries.len()
        ));
    }
    Ok(out)
}
