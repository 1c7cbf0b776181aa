//! The `feedbraid` command: a thin layer over the library that maps outcomes to exit codes
//! (0 all fine, 1 published with failed sources, 2 fatal).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use feedbraid::ingest::report::SourceReport;
use feedbraid::ops::progress::Progress;
use feedbraid::ops::run::{self, RunOptions};
use feedbraid::ops::serve::ServeOptions;
use feedbraid::ops::withdraw as editorial;

#[derive(Parser)]
#[command(name = "feedbraid", version, about = "Fetches partner feeds, merges them with your own entries and publishes one clean Atom feed.", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Do one full run: fetch every source, merge, and write output/feed.atom (exit 0 all fine,
    /// 1 published but some sources failed, 2 nothing published).
    Run {
        /// The configuration file.
        #[arg(long, short, default_value = "feeds.toml")]
        config: PathBuf,
        /// Output folder (default: the config's `output_dir`, itself defaulting to `output`).
        #[arg(long)]
        out: Option<PathBuf>,
        /// State database (default: the config's `state`, i.e. `.feedbraid/state.db` beside it).
        #[arg(long)]
        state: Option<PathBuf>,
        /// Rebuild the outputs from stored state without touching the network.
        #[arg(long)]
        offline: bool,
        /// Print only problems: sources that failed, are gone or back off, and warnings.
        #[arg(long, short)]
        quiet: bool,
        /// Also print the run report (what status.json holds) as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Serve the output folder over HTTP; with --every, also run at start-up and on that
    /// schedule (SIGTERM or SIGINT finish the current run, then stop with exit 0).
    Serve {
        #[arg(long, short, default_value = "feeds.toml")]
        config: PathBuf,
        /// Address to listen on (port 0 picks a free one; the address is printed).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: std::net::SocketAddr,
        /// Run now and then this long after each run ends, e.g. `30m`, `1h`, `90s`.
        #[arg(long, value_name = "DURATION", value_parser = feedbraid::config::parse_duration)]
        every: Option<std::time::Duration>,
    },
    /// Validate the configuration without fetching anything (exit 0 valid, 2 invalid).
    Check {
        #[arg(long, short, default_value = "feeds.toml")]
        config: PathBuf,
    },
    /// Withdraw entries from every output (recorded in withdrawn.toml beside the config; the next
    /// run applies it and leaves a tombstone). With --undo, bring them back.
    Withdraw {
        #[arg(long, short, default_value = "feeds.toml")]
        config: PathBuf,
        /// The public reason, shown in the tombstone.
        #[arg(long, conflicts_with = "undo")]
        reason: Option<String>,
        /// Take the withdrawal back.
        #[arg(long)]
        undo: bool,
        /// Entry ids or links (see `feedbraid list`).
        #[arg(required = true, value_name = "ID-OR-LINK")]
        keys: Vec<String>,
    },
    /// List the stored entries (id, date, source, title), newest first, to find one to withdraw.
    List {
        #[arg(long, short, default_value = "feeds.toml")]
        config: PathBuf,
        /// Only this source's entries (`local` for the network's own).
        #[arg(long)]
        source: Option<String>,
        /// Only entries whose title, id or link contains this text.
        #[arg(long)]
        search: Option<String>,
    },
    /// Check the state database; if it is damaged, move it aside (never deleting it) and start a
    /// new one (exit 0 done, 2 failed).
    Repair {
        #[arg(long, short, default_value = "feeds.toml")]
        config: PathBuf,
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Print what the state database knows about each source.
    Status {
        #[arg(long, short, default_value = "feeds.toml")]
        config: PathBuf,
        #[arg(long)]
        state: Option<PathBuf>,
        /// Print the table as JSON on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Add a [[source]] to the config for each feed in an OPML subscription list that is not
    /// configured yet (exit 0 done, 2 unreadable OPML or config, or nothing written).
    Import {
        #[arg(long, short, default_value = "feeds.toml")]
        config: PathBuf,
        /// Print what would be added and skipped, and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// The OPML file (an export from Miniflux, FreshRSS, Feedly, NetNewsWire, Thunderbird...).
        file: PathBuf,
    },
}

/// `feedbraid run`: a progress line while sources are fetched when stderr is a terminal (and not
/// `--quiet`), then the summary (or with `--quiet` only the problems) on stderr, and with `--json`
/// the report on stdout.
fn run_command(opts: &RunOptions, quiet: bool, json: bool) -> i32 {
    let progress = (!quiet && std::io::stderr().is_terminal())
        .then(|| run::load_config(opts).ok())
        .flatten()
        .map(|cfg| Progress::stderr(cfg.sources.len()));
    let on_source = |r: &SourceReport| {
        if let Some(p) = &progress {
            p.on_source(r);
        }
    };
    let result = run::runtime().and_then(|rt| run::run_on(opts, rt.handle(), &on_source));
    if let Some(p) = &progress {
        p.finish();
    }
    match result {
        Ok(report) => {
            if json {
                match feedbraid::ops::report::status_json(
                    &report.sources,
                    report.entries,
                    report.cleaned,
                    report.media.as_ref(),
                    &report.hubs,
                ) {
                    Ok(bytes) => print!("{}", String::from_utf8_lossy(&bytes)),
                    Err(e) => {
                        eprintln!("feedbraid: cannot write the JSON report: {e}");
                        return 2;
                    }
                }
            }
            eprint!(
                "{}",
                if quiet {
                    report.problems()
                } else {
                    report.summary()
                }
            );
            report.exit_code()
        }
        Err(e) => {
            eprintln!("feedbraid: {e}");
            e.exit_code()
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run {
            config,
            out,
            state,
            offline,
            quiet,
            json,
        } => run_command(
            &RunOptions {
                config,
                out,
                state,
                offline,
                ..RunOptions::default()
            },
            quiet,
            json,
        ),
        Command::Serve {
            config,
            addr,
            every,
        } => match feedbraid::ops::serve::serve(&ServeOptions {
            config,
            addr,
            every,
        }) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("feedbraid: {e}");
                2
            }
        },
        // The config, the Markdown entries, the templates (rendered once) and withdrawn.toml:
        // everything but the network.
        Command::Check { config } => match feedbraid::ops::check::check(&config) {
            Ok(c) => {
                println!(
                    "{}: ok ({} sources, {} local entries, {} views)",
                    config.display(),
                    c.sources,
                    c.local_entries,
                    c.views
                );
                0
            }
            Err(e) => {
                eprintln!("feedbraid: {e}");
                2
            }
        },
        Command::Withdraw {
            config,
            reason,
            undo,
            keys,
        } => {
            let opts = RunOptions {
                config,
                ..RunOptions::default()
            };
            let result = if undo {
                editorial::undo(&opts, &keys).map(|n| {
                    println!(
                        "{n} withdrawal(s) taken back; the next run publishes the entries again"
                    );
                })
            } else {
                editorial::withdraw(&opts, &keys, reason.as_deref(), chrono::Utc::now()).map(|new| {
                    for w in &new {
                        println!(
                            "withdrawn: {} ({})",
                            w.id,
                            w.title.as_deref().unwrap_or_default()
                        );
                    }
                    println!(
                        "{} recorded in withdrawn.toml; the next run removes them from every output",
                        new.len()
                    );
                })
            };
            match result {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("feedbraid: {e}");
                    2
                }
            }
        }
        Command::List {
            config,
            source,
            search,
        } => match editorial::list(
            &RunOptions {
                config,
                ..RunOptions::default()
            },
            source.as_deref(),
            search.as_deref(),
        ) {
            Ok(entries) => {
                for e in entries {
                    println!(
                        "{}\t{}\t{}\t{}",
                        e.id,
                        e.updated.format("%Y-%m-%d"),
                        e.source,
                        e.title
                    );
                }
                0
            }
            Err(e) => {
                eprintln!("feedbraid: {e}");
                e.exit_code()
            }
        },
        Command::Repair { config, state } => match feedbraid::ops::repair::repair(&RunOptions {
            config,
            state,
            ..RunOptions::default()
        }) {
            Ok(done) => {
                eprintln!("feedbraid: {done}");
                0
            }
            Err(e) => {
                eprintln!("feedbraid: {e}");
                e.exit_code()
            }
        },
        Command::Status {
            config,
            state,
            json,
        } => match feedbraid::ops::status::rows(&RunOptions {
            config,
            state,
            ..RunOptions::default()
        }) {
            Ok(rows) if json => match feedbraid::ops::status::json(&rows) {
                Ok(text) => {
                    print!("{text}");
                    0
                }
                Err(e) => {
                    eprintln!("feedbraid: {e}");
                    2
                }
            },
            Ok(rows) => {
                print!("{}", feedbraid::ops::status::table(&rows));
                0
            }
            Err(e) => {
                eprintln!("feedbraid: {e}");
                e.exit_code()
            }
        },
        Command::Import {
            config,
            dry_run,
            file,
        } => match feedbraid::ops::import::import(&feedbraid::ops::import::ImportOptions {
            config,
            opml: file,
            dry_run,
        }) {
            Ok(report) => {
                print!("{}", report.summary());
                0
            }
            Err(e) => {
                eprintln!("feedbraid: {e}");
                e.exit_code()
            }
        },
    };
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}
