//! One run, sequenced as a list of steps: config and templates → lock → the local entries →
//! the state opened → gather (per-source fetch/parse/normalise, concurrently; state commit; the
//! pool) → render every view → publish all or nothing → WebSub pings for the feeds that changed
//! → `status.json` → report. The only module besides fetch, state and publish that does I/O;
//! every decision it takes is delegated to the pure stages.
//!
//! The state database is opened here, once per run, and handed down; no stage opens it. One
//! connection cannot serve the whole run: gathering's writer commits the run's writes on a
//! thread of its own and then, on that same connection, checkpoints the write-ahead log while
//! the views are rendered and published (a connection is used from one thread at a time). So
//! the run has three handles: the writer's connection (moved to its thread) and the source
//! tasks' reader pool ([`run_connections`]: on a first run, a new state built without the log
//! and readers that find nothing stored), and the connection publishing reads and records on,
//! opened once gathering has committed. The order that keeps a crash harmless is unchanged: the
//! run's writes are committed (gather awaits the writer) before anything is rendered; the
//! outputs are published before their fingerprints, histories and closed archive months are
//! recorded.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, SubsecRound, Utc};

use crate::config::Config;
use crate::ops::Fatal;
use crate::ops::gather::{OnSource, Scope, gather_with, local_entries};
pub use crate::ops::open::{RunLock, RunOptions, load_config, lock, read_config, run_connections};
use crate::ops::report::RunReport;
use crate::pool::Gathered;
use crate::pool::editorial::{self, Withdrawals, tombstones::Context};
use crate::pool::views::{FeedView, feed_views};
use crate::publish::archive;
use crate::publish::media::Mirror;
use crate::publish::outputs::{Editorial, Inputs, Rendered, render_all};
use crate::publish::render::RenderError;
use crate::publish::render::html::Templates;
use crate::publish::sink::{Disk, Output, Sink, SinkError, Written};
use crate::publish::spool::Spool;
use crate::publish::stage::Stage;
use crate::publish::websub::{self, HubReport};
use crate::state::State;

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
    let run = Run::prepare(opts)?;
    let locals = local_entries(&run.cfg)?;
    let gather = run_connections(&run.cfg.state_path, &run.lock)?;
    let mut gathered = rt.block_on(gather_with(&run.scope(opts), locals, gather, on_source))?;
    // Publishing's connection: reads the winners' entries, caches sanitised HTML, knows the
    // mirrored media, files the archives, and records what was published. Opened once gathering
    // has committed: a first run's state has its name only then.
    let mut state = State::open(&run.cfg.state_path)?;
    // What the merge freed (its keys, probes and orders), before the pages grow on other threads
    // (what parsing freed was given back before the merge).
    crate::ops::memory::give_back_freed();
    // Withdrawn means gone from every output, however the partner still serves it.
    run.withdrawals.withdraw_from(&mut gathered.pool);
    // Held and rejected items leave the pool here: no view, page, archive or ping sees them.
    let held = crate::ops::review::apply(&run.cfg, &state, &mut gathered.pool, run.now)?;
    // With the hijack guard on (the default), any source's items may be held.
    let reviewing = run.cfg.review.guard
        || run
            .cfg
            .sources
            .iter()
            .any(|s| s.review != Default::default());
    let started = std::time::Instant::now();
    let mut rendered = render(&run, opts, &mut state, &gathered)?;
    let mut disk = Disk {
        dir: run.cfg.output_dir.clone(),
    };
    // `[digest]`: its index page, which `index.html` links to, exists from the first run on.
    if run.cfg.digest.is_some() {
        rendered.outputs.push(crate::ops::digest::feed::index_page(
            &run.cfg,
            &run.cfg.output_dir,
            None,
        ));
    }
    let render_took = started.elapsed();
    crate::ops::memory::give_back_freed();
    let written = publish(&run, &mut disk, &mut state, &rendered)?;
    let swept = sweep_elsewhere(&run, std::mem::take(&mut rendered.library));
    let mut timings = std::mem::take(&mut gathered.timings);
    timings.push(("render", render_took));
    timings.push(("publish", started.elapsed() - render_took));
    let hubs = ping_hubs(&run, opts.offline, rt, &written);
    let mut report = RunReport {
        sources: std::mem::take(&mut gathered.reports),
        entries: rendered.counts.first().map_or(0, |c| c.1),
        views: rendered.counts.len().saturating_sub(1),
        written,
        timings,
        media: rendered.media.clone(),
        hubs,
        cleaned: rendered.cleaned,
        status_failed: None,
        digest: None,
        review: (reviewing || !held.is_empty()).then(|| crate::ops::review::status(&held)),
    };
    let checkpoint = gathered.checkpoint.take();
    free_elsewhere((gathered, rendered));
    // The feeds are out: the monthly digest's failure is reported, never an exit code.
    report.digest = digest_step(&run, opts.offline, rt);
    // The feeds are out: a failure from here on is reported, never an exit 2.
    if let Err(e) = write_status(&mut disk, &mut report) {
        report.status_failed = Some(e.to_string());
    }
    if let Some(checkpoint) = checkpoint {
        let _ = checkpoint.join();
    }
    // Within the run, under its lock: the next run's pages never race the sweep.
    if let Some(swept) = swept {
        let _ = swept.join();
    }
    Ok(report)
}

/// Removes the library's stale pages (see [`crate::publish::library::remove_stale`]: `current`
/// are this run's) on a thread of its own, while the hubs are pinged and `status.json` written:
/// it reads every page's folder (0.01–0.02 s of a changed run's serial tail at 5,000 × 20,
/// issue 25). Here should no thread start.
fn sweep_elsewhere(run: &Run, current: Vec<String>) -> Option<std::thread::JoinHandle<()>> {
    let current = std::sync::Arc::new(current);
    let (out, theirs) = (run.cfg.output_dir.clone(), std::sync::Arc::clone(&current));
    let sweep = move || crate::publish::library::remove_stale(&out, &theirs);
    match std::thread::Builder::new()
        .name("feedbraid-sweep".into())
        .spawn(sweep)
    {
        Ok(thread) => Some(thread),
        Err(_) => {
            crate::publish::library::remove_stale(&run.cfg.output_dir, &current);
            None
        }
    }
}

/// Drops `what` on a thread of its own, not waited for: the pool's candidates and the rendered
/// outputs, no longer needed once published, took 20 ms to free at the end of a changed run of
/// 5,000 sources, on the one thread that still had work (issue 25). A process that exits first
/// leaves them to the system; one that runs again (`serve`, `--every`) frees them meanwhile.
fn free_elsewhere<T: Send + 'static>(what: T) {
    // A thread that cannot be started drops `what` here, with the closure.
    let _ = std::thread::Builder::new()
        .name("feedbraid-free".into())
        .spawn(move || drop(what));
}

/// What a run settles before it gathers, and holds until it ends (the lock).
struct Run {
    cfg: Config,
    /// The text `cfg` was parsed from.
    config_text: String,
    templates: Templates,
    /// The main feed, then every `[[view]]`: built once, for gathering, rendering and WebSub.
    views: Vec<FeedView>,
    withdrawals: Withdrawals,
    /// The run's clock, in whole seconds: dates derived from it (clamped or first-seen) stay
    /// readable.
    now: DateTime<Utc>,
    lock: RunLock,
}

impl Run {
    /// The config with its overrides, the templates, the lock, the output folder, the clock and
    /// the withdrawals.
    fn prepare(opts: &RunOptions) -> Result<Run, Fatal> {
        let (cfg, config_text) = read_config(opts)?;
        let templates = Templates::load(cfg.output.templates.as_deref())?;
        let lock = lock(&cfg.state_path)?;
        std::fs::create_dir_all(&cfg.output_dir).map_err(|err| Fatal::Output {
            path: cfg.output_dir.clone(),
            err,
        })?;
        let now = opts.now.unwrap_or_else(Utc::now).trunc_subsecs(0);
        let withdrawals = editorial::load(&editorial::path_beside(&cfg.path))?;
        Ok(Run {
            views: feed_views(&cfg),
            cfg,
            config_text,
            templates,
            withdrawals,
            now,
            lock,
        })
    }

    fn scope<'a>(&'a self, opts: &'a RunOptions) -> Scope<'a> {
        Scope {
            cfg: &self.cfg,
            views: &self.views,
            offline: opts.offline,
            now: self.now,
            guard: &opts.guard,
        }
    }
}

/// Renders every file, held until the publication (in memory, or for the library's pages staged
/// in the output folder under names no one sees): with each view's fingerprint and editorial
/// memory from the last run, the media mirrored, and with archives the new entries filed first
/// (the main feed carries only those of open months).
fn render(
    run: &Run,
    opts: &RunOptions,
    state: &mut State,
    gathered: &Gathered,
) -> Result<Rendered, Fatal> {
    let cfg = &run.cfg;
    let previous = still_published(run, state.output_fingerprints()?);
    let active: HashSet<String> = cfg
        .sources
        .iter()
        .filter(|s| s.enabled)
        .map(|s| s.name.clone())
        .collect();
    let histories = state.view_histories()?;
    let editorial = Editorial {
        cx: Context {
            withdrawals: &run.withdrawals,
            active_sources: &active,
            now: run.now,
            days: cfg.feed.tombstone_days,
        },
        histories: &histories,
    };
    let mirror = Mirror::with_guard(cfg, opts.offline, &opts.guard)?;
    let archive = if cfg.archive.enabled {
        Some(archive::prepare(state, cfg, gathered, run.now)?)
    } else {
        None
    };
    let spool =
        std::sync::Arc::new(Spool::in_dir(&cfg.output_dir).map_err(|err| Fatal::Output {
            path: cfg.output_dir.clone(),
            err,
        })?);
    let stage =
        std::sync::Arc::new(Stage::in_dir(&cfg.output_dir).map_err(|err| Fatal::Output {
            path: cfg.output_dir.clone(),
            err,
        })?);
    let inputs = Inputs {
        cfg,
        config_text: &run.config_text,
        views: &run.views,
        gathered,
        templates: &run.templates,
        previous: &previous,
        editorial: &editorial,
        mirror: mirror.as_ref(),
        archive: archive.as_ref(),
        spool: &spool,
        stage: &stage,
    };
    Ok(render_all(state, &inputs)?)
}

/// The recorded fingerprints of the views whose files are all still there: a view is skipped
/// only then.
fn still_published(run: &Run, recorded: HashMap<String, String>) -> HashMap<String, String> {
    recorded
        .into_iter()
        .filter(|(name, _)| {
            if let Some(file) = name.strip_prefix(crate::publish::library::KEY) {
                return run.cfg.output_dir.join(file).is_file();
            }
            run.views.iter().find(|v| v.key() == name).is_some_and(|v| {
                v.renderers
                    .iter()
                    .all(|&r| run.cfg.output_dir.join(v.file(r)).is_file())
            })
        })
        .collect()
}

/// Writes every rendered file into the output folder, all or none, then records what they were
/// rendered from; returns what was written, the files kept as they were included.
fn publish(
    run: &Run,
    disk: &mut Disk,
    state: &mut State,
    rendered: &Rendered,
) -> Result<Vec<(String, Written)>, Fatal> {
    // status.json is published after the hubs are pinged: its target is checked now, with the rest.
    disk.check(std::iter::once("status.json"))
        .map_err(output_err)?;
    let emptying = state.empty_log_elsewhere();
    let written = disk.publish(&rendered.outputs).map_err(output_err);
    emptying.map(std::thread::JoinHandle::join);
    let mut written = written?;
    // Recorded only once the files are in place: a failure before this renders them again.
    state.set_output_fingerprints(&rendered.fingerprints)?;
    state.set_view_histories(&rendered.histories)?;
    state.set_archive_closed(&rendered.archive_closed)?;
    if run.cfg.output.mirror_media {
        crate::publish::media::cleanup(
            &run.cfg.output_dir,
            std::time::Duration::from_secs(30 * 24 * 3600),
        );
    }
    written.extend(
        rendered
            .kept
            .iter()
            .map(|f| (f.clone(), Written::Unchanged)),
    );
    Ok(written)
}

/// Only now, with the files in place, are the hubs told of the feeds that changed; a hub's
/// failure is reported, never undoes the publication.
fn ping_hubs(
    run: &Run,
    offline: bool,
    rt: &tokio::runtime::Handle,
    written: &[(String, Written)],
) -> Vec<HubReport> {
    let feed = &run.cfg.feed;
    if offline {
        return websub::offline(&feed.hubs);
    }
    let topics = websub::changed_topics(&run.views, &feed.self_url, written);
    rt.block_on(websub::ping(&run.cfg.fetch, &feed.hubs, &topics))
}

/// `[digest] send = "monthly"`: the digest step's summary lines, and where digests stand.
/// An offline run sends nothing.
fn digest_step(
    run: &Run,
    offline: bool,
    rt: &tokio::runtime::Handle,
) -> Option<(String, crate::state::DigestStatus)> {
    let sent = (!offline)
        .then(|| crate::ops::digest::after_run(&run.cfg, rt, run.now, &run.lock))
        .flatten();
    let lines = match sent {
        None => String::new(),
        Some(Ok(r)) => r.summary(),
        Some(Err(e)) => format!("feedbraid: digest: {e}\n"),
    };
    Some((lines, crate::ops::digest::status(&run.cfg)?))
}

/// The run's report as `status.json`, written last so that it can say what the hubs answered.
fn write_status(disk: &mut Disk, report: &mut RunReport) -> Result<(), Fatal> {
    let status = Output::new(
        "status.json",
        report
            .status_json()
            .map_err(|e| Fatal::Publish(RenderError::from(e).into()))?,
    );
    report
        .written
        .extend(disk.publish(&[status]).map_err(output_err)?);
    Ok(())
}

fn output_err(e: SinkError) -> Fatal {
    Fatal::Output {
        path: e.path,
        err: e.err,
    }
}
