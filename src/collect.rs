//! One source's part of a run: decides whether to fetch it (due, backing off, gone, offline),
//! fetches it or reads its file, hands the bytes to `ingest`, applies the failure policy
//! (exponential back-off with jitter, `Retry-After`, the grace period for stored entries) and
//! says what to write to state. Sources run concurrently; each is processed as it arrives.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Semaphore;

use crate::config::{Location, Source};
use crate::fetch::{Failure, FailureKind, Fetcher, Outcome};
use crate::ingest::{Ingested, ingest};
use crate::merge;
use crate::model::Entry;
use crate::report::{SourceReport, Status};
use crate::state::{SourceState, SourceWrite, State};

/// What every source task shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub fetcher: Fetcher,
    pub state_path: PathBuf,
    /// The run's clock (whole seconds), read once.
    pub now: DateTime<Utc>,
    /// Bounds CPU work (parse, sanitise) to the number of cores.
    pub cpu: Semaphore,
    pub offline: bool,
    pub feed_max: usize,
    pub grace: Duration,
    pub max_backoff: Duration,
}

/// One source's contribution to the run.
#[derive(Debug)]
pub(crate) struct Collected {
    pub report: SourceReport,
    /// The source's entries, already filtered and capped (see `merge::select_source`).
    pub entries: Vec<Entry>,
    pub write: SourceWrite,
}

fn to_chrono(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::MAX)
}

impl Shared {
    /// Exponential back-off from 5 minutes, capped, with a deterministic jitter of ±10% (from the
    /// source name and failure count) so that sources failing together do not retry together.
    fn backoff(&self, name: &str, failures: u32) -> Duration {
        let base = Duration::minutes(5) * 2i32.saturating_pow(failures.saturating_sub(1).min(20));
        let capped = base.min(self.max_backoff);
        let h = crate::normalise::ids::short_hash(&[name, &failures.to_string()]);
        let frac = i32::from(u8::from_str_radix(&h[..2], 16).unwrap_or(128));
        capped * (900 + frac * 200 / 256) / 1000
    }

    /// The stored entries while a source cannot be fetched: kept for the grace period after its
    /// last success, then dropped with a warning.
    fn within_grace(&self, st: &SourceState, rep: &mut SourceReport) -> Vec<Entry> {
        if st.last_success.is_some_and(|t| self.now - t <= self.grace) {
            return st.entries.clone();
        }
        if !st.entries.is_empty() {
            rep.warnings.push(format!(
                "{} stored entries dropped: no successful fetch within the grace period",
                st.entries.len()
            ));
        }
        Vec::new()
    }

    fn done(
        &self,
        source: &Source,
        mut report: SourceReport,
        entries: Vec<Entry>,
        write: SourceWrite,
    ) -> Collected {
        report.entries = entries.len();
        report.last_success = write.state.last_success;
        report.next_fetch = write.state.next_fetch;
        report.failures = write.state.failures;
        report.moved_to.clone_from(&write.state.moved_to);
        let entries =
            merge::select_source(&source.filter, source.max_items, self.feed_max, entries);
        Collected {
            report,
            entries,
            write,
        }
    }

    /// Why this source is not fetched this run, if it is not.
    fn skip_reason(&self, source: &Source, prev: &SourceState) -> Option<Status> {
        if !source.enabled {
            return Some(Status::Disabled);
        }
        if self.offline {
            return Some(Status::Offline);
        }
        if prev.gone && matches!(source.location, Location::Url(_)) {
            return Some(Status::Gone);
        }
        let next = prev.next_fetch.filter(|t| *t > self.now)?;
        Some(if prev.failures > 0 {
            Status::BackingOff(next)
        } else {
            Status::NotDue(next)
        })
    }

    fn failure(
        &self,
        source: &Source,
        mut rep: SourceReport,
        mut st: SourceState,
        f: Failure,
    ) -> Collected {
        st.failures += 1;
        st.last_status.clone_from(&f.reason);
        st.gone = f.kind == FailureKind::Gone;
        let mut wait = self.backoff(&source.name, st.failures);
        if let Some(ra) = f.retry_after {
            wait = wait.max(to_chrono(ra).min(self.max_backoff));
        }
        st.next_fetch = Some(self.now + wait);
        rep.status = if st.gone {
            Status::Gone
        } else {
            Status::Failed(f.reason)
        };
        let entries = self.within_grace(&st, &mut rep);
        self.done(
            source,
            rep,
            entries,
            SourceWrite {
                name: source.name.clone(),
                state: st,
                ..SourceWrite::default()
            },
        )
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
                final_url: None,
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

/// Fetches (or reads), ingests and classifies one source.
pub(crate) async fn process(shared: &Shared, source: &Source) -> Collected {
    let (path, name) = (shared.state_path.clone(), source.name.clone());
    let prev =
        match tokio::task::spawn_blocking(move || State::open(&path).and_then(|s| s.source(&name)))
            .await
        {
            Ok(Ok(p)) => p,
            Ok(Err(e)) => return unreadable_state(source, &e.to_string()),
            Err(e) => return unreadable_state(source, &e.to_string()),
        };
    let now = shared.now;
    let mut rep = SourceReport::new(source, &prev);
    if let Some(status) = shared.skip_reason(source, &prev) {
        let entries = match status {
            Status::Disabled => Vec::new(),
            Status::Offline | Status::NotDue(_) => prev.entries.clone(),
            _ => shared.within_grace(&prev, &mut rep),
        };
        rep.status = status;
        return shared.done(
            source,
            rep,
            entries,
            SourceWrite {
                name: source.name.clone(),
                state: prev,
                ..SourceWrite::default()
            },
        );
    }
    let outcome = match &source.location {
        Location::Url(url) => shared.fetcher.fetch(url, &prev.validators).await,
        Location::Path(p) => read_file(p, shared.fetcher.max_bytes()),
    };
    let mut st = prev;
    st.last_attempt = Some(now);
    let (validators, max_age, moved_to) = match &outcome {
        Outcome::Body {
            validators,
            max_age,
            moved_to,
            ..
        }
        | Outcome::NotModified {
            validators,
            max_age,
            moved_to,
        } => (validators.clone(), *max_age, moved_to.clone()),
        Outcome::Failed(f) => return shared.failure(source, rep, st, f.clone()),
    };
    let mut write = SourceWrite {
        name: source.name.clone(),
        ..SourceWrite::default()
    };
    let mut hint = max_age;
    if let Outcome::Body {
        body,
        final_url,
        content_type,
        ..
    } = outcome
    {
        let charset = content_type
            .as_deref()
            .and_then(crate::decode::charset_from_content_type)
            .map(str::to_string);
        let _cpu = shared.cpu.acquire().await;
        let (src, path) = (source.clone(), shared.state_path.clone());
        let done = tokio::task::spawn_blocking(move || {
            ingest(
                &src,
                &path,
                &body,
                charset.as_deref(),
                final_url.as_ref(),
                now,
            )
        })
        .await;
        let Ingested {
            entries,
            seen,
            new_cache,
            hashes,
            ttl,
            warnings,
        } = match done {
            Ok(Ok(i)) => i,
            Ok(Err(reason)) => {
                return shared.failure(
                    source,
                    rep,
                    st,
                    Failure {
                        kind: FailureKind::Client,
                        status: None,
                        retry_after: None,
                        reason,
                    },
                );
            }
            Err(e) => {
                let reason = format!("processing failed: {e}");
                return shared.failure(
                    source,
                    rep,
                    st,
                    Failure {
                        kind: FailureKind::Client,
                        status: None,
                        retry_after: None,
                        reason,
                    },
                );
            }
        };
        hint = hint.max(ttl);
        st.entries = entries;
        rep.warnings.extend(warnings);
        rep.status = Status::Fetched;
        st.last_status = "ok".into();
        write.entries_changed = true;
        write.seen = seen;
        write.cache = new_cache;
        write.reparsed = Some(hashes);
    } else {
        rep.status = Status::NotModified;
        st.last_status = "not modified".into();
    }
    // Validators are stored on every 200 and 304, even when the body turned out unchanged.
    st.validators = validators;
    st.last_success = Some(now);
    st.failures = 0;
    st.gone = false;
    st.moved_to = moved_to.map(String::from);
    st.next_fetch = hint.map(|h| now + to_chrono(h).min(shared.max_backoff));
    let entries = st.entries.clone();
    write.state = st;
    shared.done(source, rep, entries, write)
}

fn unreadable_state(source: &Source, reason: &str) -> Collected {
    let mut report = SourceReport::new(source, &SourceState::default());
    report.status = Status::Failed(format!("state: {reason}"));
    Collected {
        report,
        entries: Vec::new(),
        write: SourceWrite {
            name: source.name.clone(),
            ..SourceWrite::default()
        },
    }
}
