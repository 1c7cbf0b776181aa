//! The `feedbraid` command: a thin layer over the library that maps outcomes to exit codes
//! (0 all fine, 1 published with failed sources, 2 fatal).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use feedbraid::editorial::commands as editorial;
use feedbraid::run::{self, RunOptions};

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

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Run {
            config,
            out,
            state,
            offline,
        } => {
            match run::run(&RunOptions {
                config,
                out,
                state,
                offline,
                now: None,
            }) {
                Ok(report) => {
                    eprint!("{}", report.summary());
                    report.exit_code()
                }
                Err(e) => {
                    eprintln!("feedbraid: {e}");
                    e.exit_code()
                }
            }
        }
        // The config, the Markdown entries and the templates it points at: everything but the
        // network.
        Command::Check { config } => match feedbraid::config::Config::from_file(&config)
            .and_then(|cfg| feedbraid::local::read_markdown_dir(&cfg).map(|md| (cfg, md.len())))
            .and_then(|(cfg, md)| {
                feedbraid::html::Templates::load(cfg.templates.as_deref()).map(|_| (cfg, md))
            }) {
            Ok((cfg, markdown)) => {
                println!(
                    "{}: ok ({} sources, {} local entries, {} views)",
                    config.display(),
                    cfg.sources.len(),
                    cfg.entries.len() + markdown,
                    cfg.views.len()
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
        Command::Repair { config, state } => match feedbraid::repair::repair(&RunOptions {
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
        Command::Status { config, state } => match run::status(&RunOptions {
            config,
            state,
            ..RunOptions::default()
        }) {
            Ok(table) => {
                print!("{table}");
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
        } => match feedbraid::opml::import(&feedbraid::opml::ImportOptions {
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
