//! One run, sequenced: config and templates → lock → gather (per-source fetch/parse/normalise,
//! concurrently; state commit; the pool) → render every view → publish all or nothing → WebSub
//! pings for the feeds that changed → `status.json` → report. The only module
//! besides fetch, state and publish that does I/O; every decision it takes is delegated to the
//! pure stages.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, SubsecRound, Utc};

use crate::config::Config;
use crate::ingest::fetch::Guard;
use crate::ops::Fatal;
use crate::ops::gather::{OnSource, gather_with};
use crate::ops::report::RunReport;
use crate::publish::outputs::{Editorial, render_all};
use crate::publish::render::html::Templates;
use crate::publish::sink::{Disk, Sink, Written};
use crate::state::State;

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
    /// The private-network guard's ranges and resolver ([`Guard::system`] by default; a test
    /// injects its own).
    pub guard: Guard,
    /// The run's clock, instead of the system's (a replayed or simulated run; truncated to whole
    /// seconds like the real one).
    pub now: Option<DateTime<Utc>>,
}

/// Holds the run lock for as long as it lives. The OS drops the lock when the process dies, so a
/// killed run never leaves a stale lock behind.
#[derive(Debug)]
pub struct RunLock(#[allow(dead_code)] std::fs::File);

/// Takes the advisory lock beside the state database, or says who holds it.
pub fn lock(state_path: &Path) -> Result<RunLock, Fatal> {
    let path = state_path.with_extension("lock");
    if let Some(d) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(d).map_err(|err| Fatal::File {
            what: "create",
            path: d.to_path_buf(),
            err,
        })?;
    }
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|err| Fatal::File {
            what: "open lock file",
            path: path.clone(),
            err,
        })?;
    match f.try_lock() {
        Ok(()) => Ok(RunLock(f)),
        Err(std::fs::TryLockError::WouldBlock) => Err(Fatal::Locked(path)),
        Err(std::fs::TryLockError::Error(e)) => Err(Fatal::File {
            what: "lock",
            path,
            err: e,
        }),
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

/// Makes a file-size limit (`ulimit -f`) an error rather than a silent death: with SIGXFSZ
/// handled, a write past the limit fails with EFBIG ("File too large"), and the run stops with
/// exit 2 and the usual message, its previous output untouched (issue 14, defect 7). A handler
/// that only sets a flag, through `signal-hook` (no `unsafe` here).
pub fn survive_file_size_limit() {
    #[cfg(unix)]
    let _ = signal_hook::flag::register(
        signal_hook::consts::SIGXFSZ,
        std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false)),
    );
}

/// The runtime a run gathers on: multi-threaded, with no more blocking threads than the work
/// needs (state reads, parsing and sanitising; more would only add memory, a malloc arena and a
/// SQLite connection each).
pub fn runtime() -> Result<tokio::runtime::Runtime, Fatal> {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(cores * 2)
        .build()
        .map_err(Fatal::Runtime)
}

/// Runs the whole pipeline once, on a runtime of its own (the CLI has no other): see [`run_on`].
pub fn run(opts: &RunOptions) -> Result<RunReport, Fatal> {
    run_on(opts, runtime()?.handle(), &|_| {})
}

/// Runs the whole pipeline once: takes the run lock, gathers on the caller's runtime `rt`
/// (telling `on_source` as each source finishes), then renders every view and publishes all the
/// files, or none, and releases the lock. Blocks the calling thread, so it must not be called
/// from an async task: `serve --every` calls it on a blocking thread of its own runtime.
pub fn run_on(
    opts: &RunOptions,
    rt: &tokio::runtime::Handle,
    on_source: OnSource<'_>,
) -> Result<RunReport, Fatal> {
    survive_file_size_limit();
    let cfg = load_config(opts)?;
    let templates = Templates::load(cfg.output.templates.as_deref())?;
    let _lock = lock(&cfg.state_path)?;
    std::fs::create_dir_all(&cfg.output_dir).map_err(|err| Fatal::Output {
        path: cfg.output_dir.clone(),
        err,
    })?;
    // Whole seconds: dates derived from the clock (clamped or first-seen) stay readable.
    let now = opts.now.unwrap_or_else(Utc::now).trunc_subsecs(0);
    let withdrawals =
        crate::pool::editorial::load(&crate::pool::editorial::path_beside(&cfg.path))?;
    let mut gathered = rt.block_on(gather_with(&cfg, opts.offline, now, &opts.guard, on_source))?;
    // Withdrawn means gone from every output, however the partner still serves it.
    gathered.pool.retain(|w| !withdrawals.covers(&w.candidate));
    let started = std::time::Instant::now();
    let mut state = State::open(&cfg.state_path)?;
    // A view is skipped only if its files are all still there.
    let views = crate::pool::views::feed_views(&cfg);
    let previous: HashMap<String, String> = state
        .output_fingerprints()?
        .into_iter()
        .filter(|(name, _)| {
            views
                .iter()
                .find(|v| v.name.as_deref().unwrap_or("feed") == name)
                .is_some_and(|v| {
                    v.renderers
                        .iter()
                        .all(|&r| cfg.output_dir.join(v.file(r)).is_file())
                })
        })
        .collect();
    let active: std::collections::HashSet<String> = cfg
        .sources
        .iter()
        .filter(|s| s.enabled)
        .map(|s| s.name.clone())
        .collect();
    let histories = state.view_histories()?;
    let editorial = Editorial {
        cx: crate::pool::editorial::tombstones::Context {
            withdrawals: &withdrawals,
            active_sources: &active,
            now,
            days: cfg.feed.tombstone_days,
        },
        histories: &histories,
    };
    let mirror = crate::publish::media::Mirror::with_guard(&cfg, opts.offline, &opts.guard)?;
    // Entries are filed before rendering: the main feed carries only those of open months.
    let archive = if cfg.archive.enabled {
        Some(crate::publish::archive::prepare(
            &mut state, &cfg, &gathered, now,
        )?)
    } else {
        None
    };
    let rendered = render_all(
        &cfg,
        &gathered,
        &templates,
        &previous,
        &editorial,
        mirror.as_ref(),
        archive.as_ref(),
    )?;
    let mut disk = Disk {
        dir: cfg.output_dir.clone(),
    };
    let output_err = |e: crate::publish::sink::SinkError| Fatal::Output {
        path: e.path,
        err: e.err,
    };
    // status.json is published after the hubs are pinged: its target is checked now, with the rest.
    disk.check(std::iter::once("status.json"))
        .map_err(output_err)?;
    let mut written = disk.publish(&rendered.outputs).map_err(output_err)?;
    // Recorded only once the files are in place: a failure before this renders them again.
    state.set_output_fingerprints(&rendered.fingerprints)?;
    state.set_view_histories(&rendered.histories)?;
    state.set_archive_closed(&rendered.archive_closed)?;
    if mirror.is_some() {
        crate::publish::media::cleanup(
            &cfg.output_dir,
            std::time::Duration::from_secs(30 * 24 * 3600),
        );
    }
    written.extend(
        rendered
            .kept
            .iter()
            .map(|f| (f.clone(), Written::Unchanged)),
    );
    let mut timings = std::mem::take(&mut gathered.timings);
    timings.push(("render and publish", started.elapsed()));
    // Only now, with the files in place, are the hubs told; a hub's failure is reported, never
    // undoes the publication.
    let hubs = if opts.offline {
        crate::publish::websub::offline(&cfg.feed.hubs)
    } else {
        let topics = crate::publish::websub::changed_topics(&views, &cfg.feed.self_url, &written);
        rt.block_on(crate::publish::websub::ping(
            &cfg.fetch,
            &cfg.feed.hubs,
            &topics,
        ))
    };
    let entries = rendered.counts.first().map_or(0, |c| c.1);
    // The run's report, written last so that it can say what the hubs answered.
    let status = crate::publish::sink::Output {
        name: "status.json".into(),
        bytes: crate::ops::report::status_json(
            &gathered.reports,
            entries,
            rendered.cleaned,
            rendered.media.as_ref(),
            &hubs,
        )
        .map_err(|e| Fatal::Publish(crate::publish::render::RenderError::from(e).into()))?,
    };
    written.extend(disk.publish(&[status]).map_err(output_err)?);
    if let Some(checkpoint) = gathered.checkpoint.take() {
        let _ = checkpoint.join();
    }
    Ok(RunReport {
        sources: gathered.reports,
        entries,
        views: rendered.counts.len().saturating_sub(1),
        written,
        timings,
        media: rendered.media.clone(),
        hubs,
        cleaned: rendered.cleaned,
    })
}
