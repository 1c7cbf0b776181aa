//! One source's line of the run report: how it fared ([`Status`]) and what it contributed. The
//! per-source task (`collect`) fills it; the run's summary and `status.json` (in `ops`) read it.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::config::{Location, Source};
use crate::state::SourceState;

/// How a source fared in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// A new document was fetched and read.
    Fetched,
    /// 304: the stored entries are current.
    NotModified,
    /// Not fetched: `Cache-Control`/`<ttl>` asked us to wait until then.
    NotDue(DateTime<Utc>),
    /// Not fetched: backing off after failures until then.
    BackingOff(DateTime<Utc>),
    Failed(String),
    /// 410: the partner removed the feed.
    Gone,
    Disabled,
    /// `--offline`: stored entries used.
    Offline,
}

impl Status {
    /// Whether this status makes the run exit with 1.
    pub fn is_problem(&self) -> bool {
        matches!(
            self,
            Status::Failed(_) | Status::Gone | Status::BackingOff(_)
        )
    }

    pub(crate) fn label(&self) -> &'static str {
        match self {
            Status::Fetched => "ok",
            Status::NotModified => "not-modified",
            Status::NotDue(_) => "not-due",
            Status::BackingOff(_) => "backing-off",
            Status::Failed(_) => "failed",
            Status::Gone => "gone",
            Status::Disabled => "disabled",
            Status::Offline => "offline",
        }
    }
}

/// One source's line of the report.
#[derive(Debug, Clone)]
pub struct SourceReport {
    pub name: String,
    pub location: String,
    pub status: Status,
    /// Entries the source contributed (before the feed's caps).
    pub entries: usize,
    pub last_success: Option<DateTime<Utc>>,
    pub failures: u32,
    pub next_fetch: Option<DateTime<Utc>>,
    pub moved_to: Option<String>,
    pub warnings: Vec<String>,
    /// What had to be recovered to read the document (a partner can be told).
    pub recovered: Vec<String>,
    /// The kind of failure, when the status is `Failed`.
    pub failure: Option<crate::ingest::fetch::FailureKind>,
    /// The failure's full chain of causes (the summary has the short reason), for `status.json`.
    pub error_chain: Option<String>,
    /// Bytes of the document received this run (0 when nothing was fetched or read).
    pub bytes: u64,
}

impl SourceReport {
    pub fn new(source: &Source, prev: &SourceState) -> Self {
        SourceReport {
            name: source.name.clone(),
            location: match &source.location {
                Location::Url(u) => crate::ingest::fetch::without_credentials(u).to_string(),
                Location::Path(p) => p.display().to_string(),
            },
            status: Status::Disabled,
            entries: 0,
            last_success: prev.last_success,
            failures: prev.failures,
            next_fetch: prev.next_fetch,
            moved_to: prev.moved_to.clone(),
            warnings: Vec::new(),
            recovered: Vec::new(),
            failure: None,
            error_chain: None,
            bytes: 0,
        }
    }

    /// One human line.
    pub fn line(&self) -> String {
        let what = match &self.status {
            Status::Failed(r) => format!("FAILED: {r} ({} in a row)", self.failures),
            Status::Gone => "GONE: the partner answered 410; remove it from feeds.toml".into(),
            Status::BackingOff(t) => format!(
                "backing off after {} failures until {}",
                self.failures,
                t.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
            Status::NotDue(t) => format!(
                "not due before {}",
                t.to_rfc3339_opts(SecondsFormat::Secs, true)
            ),
            s if self.recovered.is_empty() => s.label().to_string(),
            s => format!("{} (recovered: {})", s.label(), self.recovered.join("; ")),
        };
        let mut line = format!("{:<28} {what}; {} entries", self.name, self.entries);
        if let Some(m) = &self.moved_to {
            line.push_str(&format!(
                "; moved permanently: update feeds.toml to url = \"{m}\""
            ));
        }
        for w in &self.warnings {
            line.push_str(&format!("\n{:<28}   warning: {w}", ""));
        }
        line
    }
}
