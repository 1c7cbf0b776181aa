//! `feedbraid digest`: the monthly e-mail for the mailing list, made from a view's entries of the
//! month as the state holds them (no fetching), written as HTML, text and an RFC 5322 message
//! under `output/digest/` (all or nothing), listed in `digest/feed.atom`, and sent once per month
//! and view: the state records a send as soon as the server accepted it, and a refused send is
//! tried again on later runs with back-off. As a list of steps: config → lock → period and view
//! → entries (`select`) → renderings (`publish::render::digest`) → message (`mail`) → files →
//! send → record.

mod mail;
mod select;

use std::path::PathBuf;

use chrono::{DateTime, Duration, SubsecRound, Utc};

pub use mail::MailError;
pub use select::Period;

use crate::config::{Config, DigestSettings};
use crate::ops::Fatal;
use crate::ops::open::{RunLock, RunOptions, load_config, lock};
use crate::publish::render::digest::{DigestMeta, html, text};
use crate::publish::sink::{Disk, Output, Sink, SinkError};
use crate::state::{DigestRecord, State, StateError};

/// What `feedbraid digest` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct DigestOptions {
    pub run: RunOptions,
    /// The view (default: `[digest] view`, else the main feed).
    pub view: Option<String>,
    /// `YYYY-MM` (default: the previous month).
    pub month: Option<String>,
    /// Instead of a month: the entries of this long before now.
    pub since: Option<std::time::Duration>,
    /// Where to write (default: `output_dir/digest`).
    pub out: Option<PathBuf>,
    /// Send it (once: a digest already sent is not sent again).
    pub send: bool,
    /// Write nothing, send nothing: say what would be done.
    pub dry_run: bool,
}

/// Why no digest was made.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error("{} has no [digest] table", .0.display())]
    NotConfigured(PathBuf),
    #[error("no view is named `{0}`")]
    NoView(String),
    #[error("`{0}` is not a month (YYYY-MM)")]
    BadMonth(String),
    #[error(transparent)]
    Fatal(#[from] Fatal),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Mail(#[from] MailError),
    #[error(transparent)]
    Output(#[from] SinkError),
}

/// What sending did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Not asked to send.
    NotAsked,
    /// Accepted by the server now.
    Now,
    /// Sent before, at that time: not sent again.
    Before(DateTime<Utc>),
    /// Refused or failed (the error, without secrets); tried again after `retry`.
    Failed { error: String, retry: DateTime<Utc> },
    /// An earlier attempt failed; not tried again before then.
    Waiting(DateTime<Utc>),
}

/// What a digest did.
#[derive(Debug, Clone)]
pub struct DigestReport {
    pub period: String,
    pub view: String,
    pub entries: usize,
    /// The files written (names under the output folder).
    pub files: Vec<String>,
    pub sent: Sent,
}

impl DigestReport {
    /// One line per fact, for stderr.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "digest {} ({}): {} entries, {} files\n",
            self.period,
            self.view,
            self.entries,
            self.files.len()
        );
        s.push_str(&match &self.sent {
            Sent::NotAsked => String::new(),
            Sent::Now => "digest: sent\n".into(),
            Sent::Before(t) => format!("digest: already sent {}, not sent again\n", t.to_rfc3339()),
            Sent::Failed { error, retry } => {
                format!(
                    "digest: NOT SENT: {error}; tried again after {}\n",
                    retry.to_rfc3339()
                )
            }
            Sent::Waiting(t) => format!("digest: waiting to retry after {}\n", t.to_rfc3339()),
        });
        s
    }

    /// 0 done (or already done), 1 the send failed (the files are written; it is retried).
    pub fn exit_code(&self) -> i32 {
        i32::from(matches!(self.sent, Sent::Failed { .. } | Sent::Waiting(_)))
    }
}

/// `feedbraid digest`.
pub fn digest(
    opts: &DigestOptions,
    rt: &tokio::runtime::Handle,
) -> Result<DigestReport, DigestError> {
    let cfg = load_config(&opts.run)?;
    let d = cfg
        .digest
        .clone()
        .ok_or_else(|| DigestError::NotConfigured(cfg.path.clone()))?;
    let locked = lock(&cfg.state_path)?;
    let now = opts.run.now.unwrap_or_else(Utc::now).trunc_subsecs(0);
    let period = match (&opts.month, opts.since) {
        (Some(m), _) => Period::parse_month(m).ok_or_else(|| DigestError::BadMonth(m.clone()))?,
        (None, Some(since)) => since_period(now, since),
        (None, None) => {
            Period::previous_month(now).ok_or_else(|| DigestError::BadMonth("-".into()))?
        }
    };
    make(&cfg, &d, opts, &period, rt, now, &locked)
}

/// Inside a run (which holds the lock), with `[digest] send = "monthly"`: the previous month's
/// digest, written and sent if it was not yet. `None` when there is nothing to do (not
/// configured, or sent already: the usual case, which costs one state read).
pub fn after_run(
    cfg: &Config,
    rt: &tokio::runtime::Handle,
    now: DateTime<Utc>,
    locked: &RunLock,
) -> Option<Result<DigestReport, DigestError>> {
    let d = cfg.digest.as_ref().filter(|d| d.monthly)?;
    let period = Period::previous_month(now)?;
    let view = d.view.clone().unwrap_or_default();
    let state = State::open(&cfg.state_path).ok()?;
    if state
        .digest(&period.label, &view)
        .is_ok_and(|r| r.sent_at.is_some())
    {
        return None;
    }
    let o = DigestOptions {
        run: RunOptions {
            config: cfg.path.clone(),
            ..RunOptions::default()
        },
        send: true,
        ..DigestOptions::default()
    };
    Some(make(cfg, d, &o, &period, rt, now, locked))
}

/// `status.json`'s `digest`, from the state.
pub fn status(cfg: &Config) -> Option<crate::state::DigestStatus> {
    cfg.digest.as_ref()?;
    let (last_sent, pending) = State::open(&cfg.state_path).ok()?.digest_status().ok()?;
    let (pending, failures, last_error) = match pending {
        Some((p, f, e)) => (Some(p), f, e),
        None => (None, 0, None),
    };
    Some(crate::state::DigestStatus {
        last_sent,
        pending,
        failures,
        last_error,
    })
}

fn since_period(now: DateTime<Utc>, since: std::time::Duration) -> Period {
    let start = now - Duration::from_std(since).unwrap_or(Duration::days(30));
    Period {
        start,
        end: now + Duration::seconds(1),
        label: start.format("%Y-%m-%d").to_string(),
    }
}

fn make(
    cfg: &Config,
    d: &DigestSettings,
    opts: &DigestOptions,
    period: &Period,
    rt: &tokio::runtime::Handle,
    now: DateTime<Utc>,
    locked: &RunLock,
) -> Result<DigestReport, DigestError> {
    let view_name = opts.view.clone().or_else(|| d.view.clone());
    let view = select::view_of(cfg, view_name.as_deref())
        .ok_or_else(|| DigestError::NoView(view_name.clone().unwrap_or_default()))?;
    let entries = select::entries(cfg, &view, period, rt, now, locked)?;
    let n = entries.len();
    let groups = select::group(cfg, entries, d.group_by);
    let stem = match &view_name {
        Some(v) => format!("{}.{v}", period.label),
        None => period.label.clone(),
    };
    let site = cfg.feed.link.as_str();
    let lang = cfg.feed.language.as_deref().unwrap_or("en");
    let web = crate::pool::views::sibling(&cfg.feed.self_url, &format!("digest/{stem}.html"));
    let meta = DigestMeta {
        title: format!("{}: digest, {}", view.meta.title, period.label),
        site,
        network: &cfg.feed.title,
        lang,
        web_url: Some(web.to_string()),
        feed_url: cfg.feed.self_url.as_str(),
        unsubscribe: d.unsubscribe.as_ref().map(url::Url::as_str),
    };
    let (h, t) = (html(&meta, &groups), text(&meta, &groups));
    let mut outputs = vec![
        Output::new(format!("digest/{stem}.html"), h.clone().into_bytes()),
        Output::new(format!("digest/{stem}.txt"), t.clone().into_bytes()),
    ];
    let host = cfg.feed.link.host_str().unwrap_or("localhost").to_string();
    let id = format!("digest-{stem}");
    let env = mail::Envelope {
        subject: &meta.title,
        id: &id,
        host: &host,
        list_name: &cfg.feed.title,
        date: period.end.min(now),
    };
    let message = (d.from.is_some() && d.to.is_some())
        .then(|| mail::message(d, &env, t, h))
        .transpose()?;
    if let Some(m) = &message {
        outputs.push(Output::new(format!("digest/{stem}.eml"), m.formatted()));
    }
    let dir = opts.out.clone().unwrap_or_else(|| cfg.output_dir.clone());
    outputs.push(feed::index(cfg, &dir, &stem, &meta.title, now));
    outputs.push(feed::index_page(cfg, &dir, Some(&stem)));
    let mut report = DigestReport {
        period: period.label.clone(),
        view: view.key().to_string(),
        entries: n,
        files: outputs.iter().map(|o| o.name.clone()).collect(),
        sent: Sent::NotAsked,
    };
    if opts.dry_run {
        return Ok(report);
    }
    Disk { dir }.publish(&outputs)?;
    if let (true, Some(m)) = (opts.send, &message) {
        let state = State::open(&cfg.state_path)?;
        report.sent = send_once(d, &state, &stem, m, now)?;
    }
    Ok(report)
}

/// Sends `m` unless the state says it was sent (or must wait), and records what happened.
fn send_once(
    d: &DigestSettings,
    state: &State,
    stem: &str,
    m: &lettre::Message,
    now: DateTime<Utc>,
) -> Result<Sent, DigestError> {
    let (period, view) = stem.split_once('.').unwrap_or((stem, ""));
    let rec = state.digest(period, view)?;
    if let Some(t) = rec.sent_at {
        return Ok(Sent::Before(t));
    }
    if let Some(t) = rec.next_try.filter(|t| *t > now) {
        return Ok(Sent::Waiting(t));
    }
    match mail::send(d, m) {
        Ok(()) => {
            let done = DigestRecord {
                sent_at: Some(now),
                ..rec
            };
            state.set_digest(period, view, &done)?;
            Ok(Sent::Now)
        }
        Err(e) => {
            let failures = rec.failures + 1;
            // 15 minutes, doubling, at most a day.
            let wait = Duration::minutes(15 * (1i64 << failures.min(7).saturating_sub(1)))
                .min(Duration::days(1));
            let retry = now + wait;
            let error = e.to_string();
            state.set_digest(
                period,
                view,
                &DigestRecord {
                    sent_at: None,
                    failures,
                    last_error: Some(error.clone()),
                    next_try: Some(retry),
                },
            )?;
            Ok(Sent::Failed { error, retry })
        }
    }
}

pub mod feed;
