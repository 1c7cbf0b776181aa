//! WebSub (W3C Recommendation, <https://www.w3.org/TR/websub/>), the publisher's side: every feed
//! document advertises `[feed] hubs` (Atom and RSS `<link rel="hub">`, JSON Feed `hubs`), and
//! after the files are published, each feed document that changed is announced to every hub with
//! a form-encoded `hub.mode=publish&hub.url=<its self URL>` POST, so subscribers hear at once
//! instead of at their next poll. Nothing changed, nothing sent.
//!
//! Pings run after publishing and never undo it: a hub that fails is reported (summary,
//! `status.json`, exit code 1) and the files stay published. The next run does not repeat a
//! failed ping (only a change triggers one); the hub's subscribers then hear at the next change.

use std::time::Duration;

use url::Url;

use crate::config::FetchSettings;
use crate::pool::views::FeedView;
use crate::publish::sink::Written;

/// Why one ping failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PingError {
    /// The hub answered, but not with a 2xx.
    #[error("HTTP {0}")]
    Status(u16),
    #[error("timed out")]
    Timeout,
    /// Connection refused, DNS, TLS, or the client could not be set up.
    #[error("{0}")]
    Network(String),
}

impl PingError {
    /// The machine-readable key written to `status.json`.
    pub fn key(&self) -> &'static str {
        match self {
            PingError::Status(_) => "http-status",
            PingError::Timeout => "timeout",
            PingError::Network(_) => "network",
        }
    }
}

/// One ping that failed: the feed announced and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PingFailure {
    pub topic: String,
    pub error: PingError,
}

/// What a run did with one hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubReport {
    pub hub: String,
    /// Feeds announced successfully (self URLs), in view order.
    pub pinged: Vec<String>,
    pub failures: Vec<PingFailure>,
    /// `--offline`: nothing was sent, whatever changed.
    pub offline: bool,
}

impl HubReport {
    /// `ok`, `failed`, `idle` (no feed changed) or `offline`.
    pub fn label(&self) -> &'static str {
        if !self.failures.is_empty() {
            "failed"
        } else if self.offline {
            "offline"
        } else if self.pinged.is_empty() {
            "idle"
        } else {
            "ok"
        }
    }

    /// One human line for the summary.
    pub fn line(&self) -> String {
        let what = match self.label() {
            "failed" => format!(
                "FAILED: {}",
                self.failures
                    .iter()
                    .map(|f| format!("{}: {}", f.topic, f.error))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            "offline" => "not pinged (--offline)".into(),
            "idle" => "no feed changed, not pinged".into(),
            _ => format!("pinged for {} changed feeds", self.pinged.len()),
        };
        format!("hub {} {what}", self.hub)
    }
}

/// The self URLs of the feed documents (Atom, JSON Feed, RSS) that this run changed, in view
/// order: the topics to announce.
pub fn changed_topics(
    views: &[FeedView],
    main_self: &Url,
    written: &[(String, Written)],
) -> Vec<String> {
    let changed = |file: &str| {
        written
            .iter()
            .any(|(n, w)| n == file && *w == Written::Changed)
    };
    views
        .iter()
        .flat_map(|v| {
            v.renderers
                .iter()
                .filter(|r| r.is_feed() && changed(&v.file(**r)))
                .map(|&r| v.url(main_self, r))
        })
        .collect()
}

/// The hubs' reports when nothing may be sent (`--offline`).
pub fn offline(hubs: &[Url]) -> Vec<HubReport> {
    hubs.iter()
        .map(|h| HubReport {
            hub: h.to_string(),
            pinged: Vec::new(),
            failures: Vec::new(),
            offline: true,
        })
        .collect()
}

async fn ping_one(client: reqwest::Client, hub: Url, topic: String) -> Result<(), PingError> {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("hub.mode", "publish")
        .append_pair("hub.url", &topic)
        .finish();
    let resp = client
        .post(hub)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await
        .map_err(|e| {
            if e.is_timeout() {
                PingError::Timeout
            } else {
                PingError::Network(crate::ingest::fetch::short_reason(&e))
            }
        })?;
    let status = resp.status();
    // The body is not needed; reading it lets the connection be reused.
    let _ = tokio::time::timeout(Duration::from_secs(5), resp.bytes()).await;
    if status.is_success() {
        Ok(())
    } else {
        Err(PingError::Status(status.as_u16()))
    }
}

/// Announces every topic to every hub, all at once, with `[fetch]`'s timeouts. Never fails: each
/// hub's outcome is in its report.
pub async fn ping(settings: &FetchSettings, hubs: &[Url], topics: &[String]) -> Vec<HubReport> {
    let mut reports: Vec<HubReport> = hubs
        .iter()
        .map(|h| HubReport {
            hub: h.to_string(),
            pinged: Vec::new(),
            failures: Vec::new(),
            offline: false,
        })
        .collect();
    if topics.is_empty() || hubs.is_empty() {
        return reports;
    }
    let client = match crate::ingest::fetch::client(settings) {
        Ok(c) => c,
        Err(e) => {
            for r in &mut reports {
                r.failures = topics
                    .iter()
                    .map(|t| PingFailure {
                        topic: t.clone(),
                        error: PingError::Network(e.to_string()),
                    })
                    .collect();
            }
            return reports;
        }
    };
    let mut tasks = tokio::task::JoinSet::new();
    for (h, hub) in hubs.iter().enumerate() {
        for (t, topic) in topics.iter().enumerate() {
            let fut = ping_one(client.clone(), hub.clone(), topic.clone());
            tasks.spawn(async move { (h, t, fut.await) });
        }
    }
    let mut results = Vec::with_capacity(hubs.len() * topics.len());
    // A task that panicked cannot say which ping it was: a ping not accounted for failed.
    while let Some(done) = tasks.join_next().await {
        if let Ok(r) = done {
            results.push(r);
        }
    }
    for (h, report) in reports.iter_mut().enumerate() {
        for (t, topic) in topics.iter().enumerate() {
            match results.iter().find(|r| r.0 == h && r.1 == t).map(|r| &r.2) {
                Some(Ok(())) => report.pinged.push(topic.clone()),
                Some(Err(e)) => report.failures.push(PingFailure {
                    topic: topic.clone(),
                    error: e.clone(),
                }),
                None => report.failures.push(PingFailure {
                    topic: topic.clone(),
                    error: PingError::Network("the ping task panicked".into()),
                }),
            }
        }
    }
    reports
}
