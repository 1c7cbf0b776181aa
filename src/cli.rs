//! The `feedbraid` command line: the subcommands and their arguments (clap). Each argument is
//! checked by clap without I/O; `main` turns them into the library's options.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(name = "feedbraid", version, about = "Fetches partner feeds, merges them with your own entries and publishes one clean Atom feed.", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Do one full run: fetch every source, merge, and write output/feed.atom (exit 0 all fine,
    /// 1 published but some sources failed, 2 nothing published).
    Run(RunArgs),
    /// Serve the output folder over HTTP; with --every, also run at start-up and on that
    /// schedule (SIGTERM or SIGINT finish the current run, then stop with exit 0).
    Serve(ServeArgs),
    /// Validate the configuration without fetching anything (exit 0 valid, 2 invalid).
    Check(CheckArgs),
    /// Withdraw entries from every output (recorded in withdrawn.toml beside the config; the next
    /// run applies it and leaves a tombstone). With --undo, bring them back.
    Withdraw(WithdrawArgs),
    /// List the stored entries (id, date, source, title), newest first, to find one to withdraw.
    List(ListArgs),
    /// Check the state database; if it is damaged, move it aside (never deleting it) and start a
    /// new one (exit 0 done, 2 failed).
    Repair(RepairArgs),
    /// Print what the state database knows about each source.
    Status(StatusArgs),
    /// Add a [[source]] to the config for each feed in an OPML subscription list that is not
    /// configured yet (exit 0 done, 2 unreadable OPML or config, or nothing written).
    Import(ImportArgs),
    /// Copy the output folder to the `[deploy] target` (object storage or a folder): only what
    /// changed, the files readers start from last (exit 0 done, 1 the lease is held or the after
    /// hook failed, 2 not finished: the next deploy completes it).
    Deploy(DeployArgs),
    /// Write (and with --send, send once) the digest e-mail of a view's entries of a month, from
    /// the state (exit 0 done or already sent, 1 the send failed and is retried later, 2 error).
    Digest(DigestArgs),
    /// Fetch one partner's feed and write a note for the partner: what is wrong and how to fix
    /// it (exit 0 fine, 1 findings, 2 cannot fetch). Changes no state.
    Doctor(DoctorArgs),
    /// List the items the review queue holds (partner, date, link, why), from the state.
    Review(ReviewArgs),
    /// Approve held items (by id or link, all of a source's, or all): the next run publishes
    /// them. Recorded in reviewed.toml beside the config.
    Approve(ApproveArgs),
    /// Reject items (by id or link): they never appear, even re-posted under another id with
    /// the same link. Recorded in reviewed.toml.
    Reject(RejectArgs),
}

// The arguments of each subcommand (their help is the variant's above).

#[derive(Args)]
pub struct RunArgs {
    /// The configuration file.
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    /// Output folder (default: the config's `output_dir`, itself defaulting to `output`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// State database (default: the config's `state`, i.e. `.feedbraid/state.db` beside it).
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Rebuild the outputs from stored state without touching the network.
    #[arg(long)]
    pub offline: bool,
    /// Print only problems: sources that failed, are gone or back off, and warnings.
    #[arg(long, short)]
    pub quiet: bool,
    /// Also name every file the run wrote (by default they are counted by kind).
    #[arg(long, short, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Also print the run report (what status.json holds) as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Then deploy the output to the `[deploy] target` (see `feedbraid deploy`).
    #[arg(long, conflicts_with = "offline")]
    pub deploy: bool,
}

#[derive(Args)]
pub struct ServeArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    /// Address to listen on (port 0 picks a free one; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: std::net::SocketAddr,
    /// Run now and then this long after each run ends, e.g. `30m`, `1h`, `90s`.
    #[arg(long, value_name = "DURATION", value_parser = feedbraid::config::parse_duration)]
    pub every: Option<std::time::Duration>,
    /// With --every: deploy after each run (see `feedbraid deploy`).
    #[arg(long, requires = "every")]
    pub deploy: bool,
}

#[derive(Args)]
pub struct CheckArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
}

#[derive(Args)]
pub struct WithdrawArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    /// The public reason, shown in the tombstone.
    #[arg(long, conflicts_with = "undo")]
    pub reason: Option<String>,
    /// Take the withdrawal back.
    #[arg(long)]
    pub undo: bool,
    /// Entry ids or links (see `feedbraid list`).
    #[arg(required = true, value_name = "ID-OR-LINK")]
    pub keys: Vec<String>,
}

#[derive(Args)]
pub struct ListArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    /// Only this source's entries (`local` for the network's own).
    #[arg(long)]
    pub source: Option<String>,
    /// Only entries whose title, id or link contains this text.
    #[arg(long)]
    pub search: Option<String>,
}

#[derive(Args)]
pub struct RepairArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    #[arg(long)]
    pub state: Option<PathBuf>,
}

#[derive(Args)]
pub struct StatusArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    #[arg(long)]
    pub state: Option<PathBuf>,
    /// Print the table as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ImportArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    /// Print what would be added and skipped, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also import feeds on private networks (loopback, private and link-local addresses,
    /// local names such as `localhost`): intranet sources are fetched without the
    /// private-network guard, so they are skipped unless asked for.
    #[arg(long)]
    pub allow_intranet: bool,
    /// The OPML file (an export from Miniflux, FreshRSS, Feedly, NetNewsWire, Thunderbird...).
    pub file: PathBuf,
}

#[derive(Args)]
pub struct DeployArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    /// Print what would be uploaded and deleted; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Compare with the store's own listing instead of the state's record of the last deploy.
    #[arg(long)]
    pub full: bool,
}

#[derive(Args)]
pub struct DigestArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    /// The view (default: `[digest] view`, else the main feed).
    #[arg(long)]
    pub view: Option<String>,
    /// The month, `YYYY-MM` (default: the previous month).
    #[arg(long, conflicts_with = "since")]
    pub month: Option<String>,
    /// Instead of a month, the entries of this long before now, e.g. `14d`.
    #[arg(long, value_parser = feedbraid::config::parse_duration)]
    pub since: Option<std::time::Duration>,
    /// Where to write (default: the output folder; files go under `digest/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Send it through `[digest] smtp` (once: a digest already sent is not sent again).
    #[arg(long)]
    pub send: bool,
    /// Write nothing, send nothing; list the files it would write.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Args)]
pub struct DoctorArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    /// The note as plain text or Markdown.
    #[arg(long, value_parser = ["text", "markdown"], default_value = "text")]
    pub format: String,
    /// A source's name in the config, or a feed's URL.
    #[arg(value_name = "NAME|URL")]
    pub target: String,
}

#[derive(Args)]
pub struct ReviewArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    /// Only this source's held items.
    #[arg(long)]
    pub source: Option<String>,
    /// The list as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ApproveArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    /// Every item this source has held.
    #[arg(long, conflicts_with = "all")]
    pub source: Option<String>,
    /// Every held item.
    #[arg(long)]
    pub all: bool,
    /// Entry ids or links (see `feedbraid review`).
    #[arg(value_name = "ID-OR-LINK", required_unless_present_any = ["source", "all"])]
    pub keys: Vec<String>,
}

#[derive(Args)]
pub struct RejectArgs {
    #[arg(long, short, default_value = "feeds.toml")]
    pub config: PathBuf,
    /// Why (kept in reviewed.toml).
    #[arg(long)]
    pub reason: Option<String>,
    #[arg(value_name = "ID-OR-LINK", required = true)]
    pub keys: Vec<String>,
}
