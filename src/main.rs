//! The `feedbraid` command: a thin clap layer over the library. Each subcommand is one function
//! that calls the library and prints what it did; [`main`] alone prints a failure and maps it to
//! the exit code (0 all fine, 1 published with failed sources or a run already going, 2 fatal).

mod alloc;
mod cli;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use cli::*;
use feedbraid::config::ConfigError;
use feedbraid::ingest::report::SourceReport;
use feedbraid::ops::Fatal;
use feedbraid::ops::deploy::{DeployError, DeployOptions, DeployReport};
use feedbraid::ops::import::{ImportError, ImportOptions};
use feedbraid::ops::progress::Progress;
use feedbraid::ops::run::{self, RunOptions};
use feedbraid::ops::serve::{ServeError, ServeOptions};
use feedbraid::ops::withdraw::{self as editorial, WithdrawError};
use feedbraid::{out, outln, say, sayln};

/// Why a command failed: `main` prints it as `feedbraid: MESSAGE` and exits with its code.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Fatal(#[from] Fatal),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Serve(#[from] ServeError),
    #[error(transparent)]
    Withdraw(#[from] WithdrawError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Deploy(#[from] DeployError),
    #[error(transparent)]
    Digest(#[from] feedbraid::ops::digest::DigestError),
    #[error(transparent)]
    Doctor(#[from] feedbraid::ops::doctor::DoctorError),
    #[error(transparent)]
    Review(#[from] feedbraid::ops::review::ReviewError),
    /// `run --json`: the report could not be serialised (the run itself is done).
    #[error("cannot write the JSON report: {0}")]
    RunJson(#[source] serde_json::Error),
    /// `status --json`.
    #[error(transparent)]
    StatusJson(serde_json::Error),
}

impl Failure {
    /// A run's fatal error and an import's failure say their own code; every other failure is 2
    /// (a lock held while withdrawing included, as it always was).
    fn exit_code(&self) -> i32 {
        match self {
            Failure::Fatal(e) => e.exit_code(),
            Failure::Import(e) => e.exit_code(),
            Failure::Deploy(e) => e.exit_code(),
            _ => 2,
        }
    }
}

/// What a command that did its work exits with.
type Outcome = Result<i32, Failure>;

fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::Run(a) => run_cmd(a),
        Command::Serve(a) => serve(a),
        Command::Check(a) => check(&a),
        Command::Withdraw(a) => withdraw(a),
        Command::List(a) => list(a),
        Command::Repair(a) => repair(a),
        Command::Status(a) => status(a),
        Command::Import(a) => import(a),
        Command::Deploy(a) => deploy(a),
        Command::Digest(a) => digest(a),
        Command::Doctor(a) => doctor(a),
        Command::Review(a) => review(a),
        Command::Approve(a) => approve(a),
        Command::Reject(a) => reject(a),
    };
    let code = outcome.unwrap_or_else(|e| {
        sayln!("feedbraid: {e}");
        e.exit_code()
    });
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}

/// Options for a command that reads only the config (and the state it names).
fn with_config(config: PathBuf) -> RunOptions {
    RunOptions {
        config,
        ..RunOptions::default()
    }
}

/// `feedbraid run`: a progress line while sources are fetched when stderr is a terminal (and not
/// `--quiet`), then with `--json` the report on stdout, then the summary (or with `--quiet` only
/// the problems) on stderr; the exit code says whether every source and hub was fine.
fn run_cmd(a: RunArgs) -> Outcome {
    let opts = RunOptions {
        offline: a.offline,
        out: a.out.clone(),
        state: a.state.clone(),
        ..with_config(a.config.clone())
    };
    let progress = (!a.quiet && std::io::stderr().is_terminal())
        .then(|| run::load_config(&opts).ok())
        .flatten()
        .map(|cfg| Progress::stderr(cfg.sources.len()));
    let on_source = |r: &SourceReport| {
        if let Some(p) = &progress {
            p.on_source(r);
        }
    };
    let rt = run::runtime()?;
    let once = || run::run_on(&opts, rt.handle(), &on_source);
    let (result, deployed) = if a.deploy {
        let d = DeployOptions {
            run: opts.clone(),
            ..DeployOptions::default()
        };
        match feedbraid::ops::deploy::run_then_deploy(&d, rt.handle(), once) {
            Ok((r, dep)) => (Ok(r), Some(dep)),
            Err(DeployError::Fatal(f)) => (Err(f), None),
            Err(e) => return Err(e.into()),
        }
    } else {
        (once(), None)
    };
    if let Some(p) = &progress {
        p.finish();
    }
    let report = result?;
    if a.json {
        let bytes = report.status_json().map_err(Failure::RunJson)?;
        out!("{}", String::from_utf8_lossy(&bytes));
    }
    let text = if a.quiet {
        report.problems()
    } else if a.verbose {
        report.summary_verbose()
    } else {
        report.summary()
    };
    say!("{text}");
    let deploy_code = match deployed {
        None => 0,
        Some(Ok(d)) => print_deploy(&d),
        Some(Err(e)) => {
            sayln!("feedbraid: {e}");
            e.exit_code()
        }
    };
    Ok(report.exit_code().max(deploy_code))
}

/// `feedbraid digest`: what was written and sent, on stderr (with `--dry-run`, the files on
/// stdout).
fn digest(a: DigestArgs) -> Outcome {
    let rt = run::runtime()?;
    let r = feedbraid::ops::digest::digest(
        &feedbraid::ops::digest::DigestOptions {
            run: with_config(a.config),
            view: a.view,
            month: a.month,
            since: a.since,
            out: a.out,
            send: a.send,
            dry_run: a.dry_run,
        },
        rt.handle(),
    )?;
    if a.dry_run {
        for f in &r.files {
            outln!("{f}");
        }
    }
    say!("{}", r.summary());
    Ok(r.exit_code())
}

/// `feedbraid review`: one line per held item (or JSON) on stdout.
fn review(a: ReviewArgs) -> Outcome {
    let rt = run::runtime()?;
    let list =
        feedbraid::ops::review::held_now(&with_config(a.config), rt.handle(), a.source.as_deref())?;
    if a.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&list).map_err(Failure::StatusJson)?
        );
    } else {
        for h in &list {
            outln!(
                "{}  {}  {}\n  {}\n  {}\n  id: {}\n  held: {}\n",
                h.date,
                h.source,
                h.title,
                h.link.as_deref().unwrap_or("-"),
                h.excerpt,
                h.id,
                h.why
            );
        }
        sayln!("{} item(s) held", list.len());
    }
    Ok(0)
}

/// `feedbraid approve`: records the approvals.
fn approve(a: ApproveArgs) -> Outcome {
    let opts = with_config(a.config);
    let mut keys = a.keys;
    if a.all || a.source.is_some() {
        let rt = run::runtime()?;
        let held = feedbraid::ops::review::held_now(&opts, rt.handle(), a.source.as_deref())?;
        keys.extend(held.into_iter().map(|h| h.id));
    }
    let cfg = run::load_config(&opts)?;
    let n = feedbraid::ops::review::record(&cfg, &keys, None)?;
    outln!("{n} approval(s) recorded in reviewed.toml; the next run publishes them");
    Ok(0)
}

/// `feedbraid reject`: records the rejections.
fn reject(a: RejectArgs) -> Outcome {
    let cfg = run::load_config(&with_config(a.config))?;
    let n = feedbraid::ops::review::record(&cfg, &a.keys, Some(a.reason.as_deref()))?;
    outln!("{n} rejection(s) recorded in reviewed.toml; these items never appear");
    Ok(0)
}

/// `feedbraid doctor`: the note on stdout.
fn doctor(a: DoctorArgs) -> Outcome {
    let rt = run::runtime()?;
    let d = feedbraid::ops::doctor::doctor(&with_config(a.config), &a.target, rt.handle())?;
    out!("{}", d.note(a.format == "markdown"));
    Ok(d.exit_code())
}

/// The deploy's summary on stderr; its exit code.
fn print_deploy(d: &DeployReport) -> i32 {
    say!("{}", d.summary());
    d.exit_code()
}

/// `feedbraid deploy`: the plan (with `--dry-run`) or what was done, on stderr.
fn deploy(a: DeployArgs) -> Outcome {
    let rt = run::runtime()?;
    let report = feedbraid::ops::deploy::deploy(
        &DeployOptions {
            run: with_config(a.config),
            dry_run: a.dry_run,
            full: a.full,
        },
        rt.handle(),
    )?;
    if a.dry_run {
        for name in &report.plan.uploads {
            outln!("upload\t{name}");
        }
        for name in &report.plan.deletes {
            outln!("delete\t{name}");
        }
    }
    Ok(print_deploy(&report))
}

/// `feedbraid serve`: returns once asked to stop.
fn serve(a: ServeArgs) -> Outcome {
    feedbraid::ops::serve::serve(&ServeOptions {
        config: a.config,
        addr: a.addr,
        every: a.every,
        deploy: a.deploy,
    })?;
    Ok(0)
}

/// `feedbraid check`: the config, the Markdown entries, the templates (rendered once) and
/// withdrawn.toml: everything but the network.
fn check(a: &CheckArgs) -> Outcome {
    let c = feedbraid::ops::check::check(&a.config)?;
    outln!(
        "{}: ok ({} sources, {} local entries, {} views)",
        a.config.display(),
        c.sources,
        c.local_entries,
        c.views
    );
    Ok(0)
}

/// `feedbraid withdraw` (and `--undo`): records the change in withdrawn.toml.
fn withdraw(a: WithdrawArgs) -> Outcome {
    let opts = with_config(a.config);
    if a.undo {
        let n = editorial::undo(&opts, &a.keys)?;
        outln!("{n} withdrawal(s) taken back; the next run publishes the entries again");
        return Ok(0);
    }
    let new = editorial::withdraw(&opts, &a.keys, a.reason.as_deref(), chrono::Utc::now())?;
    for w in &new {
        outln!(
            "withdrawn: {} ({})",
            w.id,
            w.title.as_deref().unwrap_or_default()
        );
    }
    outln!(
        "{} recorded in withdrawn.toml; the next run removes them from every output",
        new.len()
    );
    Ok(0)
}

/// `feedbraid list`: one tab-separated line per stored entry.
fn list(a: ListArgs) -> Outcome {
    let opts = with_config(a.config);
    for e in editorial::list(&opts, a.source.as_deref(), a.search.as_deref())? {
        outln!(
            "{}\t{}\t{}\t{}",
            e.id,
            e.updated.format("%Y-%m-%d"),
            e.source,
            e.title
        );
    }
    Ok(0)
}

/// `feedbraid repair`: says on stderr what it did.
fn repair(a: RepairArgs) -> Outcome {
    let done = feedbraid::ops::repair::repair(&RunOptions {
        state: a.state,
        ..with_config(a.config)
    })?;
    sayln!("feedbraid: {done}");
    Ok(0)
}

/// `feedbraid status`: the table, or with `--json` the same rows as JSON, on stdout.
fn status(a: StatusArgs) -> Outcome {
    let rows = feedbraid::ops::status::rows(&RunOptions {
        state: a.state,
        ..with_config(a.config)
    })?;
    if a.json {
        out!(
            "{}",
            feedbraid::ops::status::json(&rows).map_err(Failure::StatusJson)?
        );
    } else {
        out!("{}", feedbraid::ops::status::table(&rows));
    }
    Ok(0)
}

/// `feedbraid import`: what was (or, with `--dry-run`, would be) added and skipped, on stdout.
fn import(a: ImportArgs) -> Outcome {
    let report = feedbraid::ops::import::import(&ImportOptions {
        config: a.config,
        opml: a.file,
        dry_run: a.dry_run,
        allow_intranet: a.allow_intranet,
    })?;
    out!("{}", report.summary());
    Ok(0)
}
