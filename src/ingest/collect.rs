//! One source's part of a run: decides whether to fetch it (due, backing off, gone, offline),
//! fetches it or reads its file, hands the bytes to `ingest`, applies the failure policy
//! (exponential back-off with jitter, `Retry-After`, the grace period for stored entries) and
//! says what to write to state. Sources run concurrently; each is processed as it arrives.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Semaphore;

use crate::config::{Filter, Location, Source};
use crate::ingest::document::{IngestError, Ingested, ingest};
use crate::ingest::fetch::{Failure, FailureKind, Fetcher, Outcome};
use crate::ingest::report::{SourceReport, Status};
use crate::ingest::select;
use crate::model::{Candidate, SourceInfo};
use crate::state::{Pool, SourceState, SourceWrite, StateError};

/// What every source task shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub fetcher: Fetcher,
    /// Read connections to the state database.
    pub pool: Arc<Pool>,
    /// The run's clock (whole seconds), read once.
    pub now: DateTime<Utc>,
    /// Bounds CPU work (parse, sanitise) to the number of cores.
    pub cpu: Semaphore,
    /// Bounds the sources between "request sent" and "writes queued" (`[fetch] concurrency`), so
    /// that bodies waiting for a core never pile up: memory follows this bound, not the input.
    pub in_flight: Semaphore,
    pub offline: bool,
    /// Keep candidates' filter text: some view still applies patterns.
    pub keep_text: bool,
    /// The global filter (its patterns are applied per source, its age limit in `merge`).
    pub global: Filter,
    pub grace: Duration,
    pub max_backoff: Duration,
    /// Where finished sources send what to write to state (see `State::write_run`).
    pub writes: tokio::sync::mpsc::Sender<SourceWrite>,
}

/// One source's contribution to the run.
#[derive(Debug)]
pub(crate) struct Collected {
    pub report: SourceReport,
    /// The source's candidates, already filtered (see `select::select_source`); views cap them.
    pub candidates: Vec<Candidate>,
    /// Attribution for the source's entries.
    pub info: Option<SourceInfo>,
}

fn to_chrono(d: std::time::Duration) -> Duration {
    Duration::from_std(d).unwrap_or(Duration::MAX)
}

fn failed(kind: FailureKind, reason: String) -> Failure {
    Failure {
        kind,
        status: None,
        retry_after: None,
        reason,
    }
}

/// Exponential back-off from 5 minutes, capped at `max`, with a deterministic jitter of ±10% (from
/// the source name and failure count) so that sources failing together do not retry together.
fn backoff(name: &str, failures: u32, max: Duration) -> Duration {
    let base = Duration::minutes(5) * 2i32.saturating_pow(failures.saturating_sub(1).min(20));
    let capped = base.min(max);
    let h = crate::ingest::normalise::ids::short_hash(&[name, &failures.to_string()]);
    let frac = i32::from(u8::from_str_radix(&h[..2], 16).unwrap_or(128));
    capped * (900 + frac * 200 / 256) / 1000
}

impl Shared {
    /// Runs a state read on a blocking thread. A failed read is an error, never "nothing stored":
    /// a run that cannot read its state must not publish (issue 14, defect 2).
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&crate::state::State) -> Result<T, StateError> + Send + 'static,
    ) -> Result<T, StateError> {
        let pool = Arc::clone(&self.pool);
        let path = pool.path().display().to_string();
        tokio::task::spawn_blocking(move || pool.with(f))
            .await
            .unwrap_or_else(|e| {
                Err(StateError::Other {
                    path,
                    msg: format!("a state read failed: {e}"),
                })
            })
    }

    /// Whether the source's candidates need their filter text: some pattern (the source's, the
    /// global one or a view's) looks at it.
    fn needs_text(&self, source: &Source) -> bool {
        let patterns = |f: &Filter| !f.include.is_empty() || !f.exclude.is_empty();
        self.keep_text || patterns(&source.filter) || patterns(&self.global)
    }

    /// The source's stored items (its last good entries).
    async fn stored(&self, source: &Source) -> Result<Vec<Candidate>, StateError> {
        let name = source.name.clone();
        let with_text = self.needs_text(source);
        self.read(move |s| s.item_list(&name, with_text)).await
    }

    /// The stored entries while a source cannot be fetched: kept for the grace period after its
    /// last success, then dropped with a warning (they stay in state, should the source return).
    async fn within_grace(
        &self,
        source: &Source,
        st: &SourceState,
        rep: &mut SourceReport,
    ) -> Result<Vec<Candidate>, StateError> {
        let stored = self.stored(source).await?;
        if st.last_success.is_some_and(|t| self.now - t <= self.grace) {
            return Ok(stored);
        }
        if !stored.is_empty() {
            rep.warnings.push(format!(
                "{} stored entries dropped: no successful fetch within the grace period",
                stored.len()
            ));
        }
        Ok(Vec::new())
    }

    /// Hands the source's writes to the state writer (waiting while its queue is full: the
    /// back-pressure that keeps finished sources from piling up in memory) and selects the
    /// source's candidates.
    async fn done(
        &self,
        source: &Source,
        mut report: SourceReport,
        cands: Vec<Candidate>,
        write: SourceWrite,
    ) -> Collected {
        report.entries = cands.len();
        report.last_success = write.state.last_success;
        report.next_fetch = write.state.next_fetch;
        report.failures = write.state.failures;
        report.moved_to.clone_from(&write.state.moved_to);
        let candidates = select::select_source(&source.filter, &self.global, self.keep_text, cands);
        let info = write.state.info.clone();
        // A closed queue means the writer failed; its error is reported when it is joined.
        let _ = self.writes.send(write).await;
        Collected {
            report,
            candidates,
            info,
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

    async fn failure(
        &self,
        source: &Source,
        mut rep: SourceReport,
        mut st: SourceState,
        f: Failure,
    ) -> Result<Collected, StateError> {
        st.failures += 1;
        st.last_status.clone_from(&f.reason);
        st.gone = f.kind == FailureKind::Gone;
        let mut wait = backoff(&source.name, st.failures, self.max_backoff);
        if let Some(ra) = f.retry_after {
            wait = wait.max(to_chrono(ra).min(self.max_backoff));
        }
        st.next_fetch = Some(self.now + wait);
        rep.status = if st.gone {
            Status::Gone
        } else {
            rep.failure = Some(f.kind);
            Status::Failed(f.reason)
        };
        let cands = self.within_grace(source, &st, &mut rep).await?;
        Ok(self
            .done(
                source,
                rep,
                cands,
                SourceWrite {
                    name: source.name.clone(),
                    state: st,
                    ..SourceWrite::default()
                },
            )
            .await)
    }
}

/// Reads a `path` source. Only a regular file is read (`/dev/zero` would never end, a FIFO would
/// hang the run with the lock held), and never more than `cap` bytes, even if it grows while read.
/// The type is checked on the opened handle, after opening without blocking, so the file cannot be
/// swapped between the check and the read.
fn read_file(p: &Path, cap: u64) -> Outcome {
    use std::io::Read;
    let fail = |kind, reason: String| Outcome::Failed(failed(kind, reason));
    let cannot = |e: std::io::Error| {
        fail(
            FailureKind::Network,
            format!("cannot read {}: {e}", p.display()),
        )
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting.
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = match opts.open(p) {
        Ok(f) => f,
        Err(e) => return cannot(e),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return cannot(e),
    };
    if !meta.is_file() {
        return fail(
            FailureKind::NotAFile,
            format!("{} is not a regular file", p.display()),
        );
    }
    let too_large = || {
        fail(
            FailureKind::TooLarge,
            format!("file larger than the {cap}-byte cap"),
        )
    };
    if meta.len() > cap {
        return too_large();
    }
    let mut body = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    match file.take(cap.saturating_add(1)).read_to_end(&mut body) {
        Ok(n) if n as u64 > cap => too_large(),
        Ok(_) => Outcome::Body {
            body,
            final_url: None,
            content_type: None,
            validators: Default::default(),
            max_age: None,
            moved_to: None,
        },
        Err(e) => cannot(e),
    }
}

/// Fetches (or reads), ingests and classifies one source. A state read error is returned: the
/// run stops there, and publishes nothing.
pub(crate) async fn process(shared: &Shared, source: &Source) -> Result<Collected, StateError> {
    let name = source.name.clone();
    let prev = shared.read(move |s| s.source(&name)).await?;
    let now = shared.now;
    let mut rep = SourceReport::new(source, &prev);
    if let Some(status) = shared.skip_reason(source, &prev) {
        let cands = match status {
            Status::Disabled => Vec::new(),
            Status::Offline | Status::NotDue(_) => shared.stored(source).await?,
            _ => shared.within_grace(source, &prev, &mut rep).await?,
        };
        rep.status = status;
        return Ok(shared
            .done(
                source,
                rep,
                cands,
                SourceWrite {
                    name: source.name.clone(),
                    state: prev,
                    ..SourceWrite::default()
                },
            )
            .await);
    }
    let _in_flight = shared.in_flight.acquire().await.ok();
    let outcome = match &source.location {
        Location::Url(url) => shared.fetcher.fetch(url, &prev.validators).await,
        Location::Path(p) => read_file(p, shared.fetcher.max_bytes()),
    };
    let mut st = prev;
    st.last_attempt = Some(now);
    let mut write = SourceWrite {
        name: source.name.clone(),
        ..SourceWrite::default()
    };
    let (validators, mut hint, moved_to, cands) = match outcome {
        Outcome::Failed(f) => return shared.failure(source, rep, st, f).await,
        Outcome::NotModified {
            validators,
            max_age,
            moved_to,
        } => {
            rep.status = Status::NotModified;
            st.last_status = "not modified".into();
            (validators, max_age, moved_to, shared.stored(source).await?)
        }
        Outcome::Body {
            body,
            final_url,
            content_type,
            validators,
            max_age,
            moved_to,
        } => {
            rep.bytes = body.len() as u64;
            let charset = content_type
                .as_deref()
                .and_then(crate::ingest::decode::charset_from_content_type)
                .map(str::to_string);
            // A core, held while the document is parsed and normalised, and released before the
            // writes are queued (no core idles while the state writer commits); memory stays
            // bounded by `in_flight`, held until the writes are queued.
            let cpu = shared.cpu.acquire().await.ok();
            let (src, pool) = (source.clone(), Arc::clone(&shared.pool));
            let with_text = shared.needs_text(source);
            let done = tokio::task::spawn_blocking(move || {
                ingest(
                    &src,
                    &pool,
                    with_text,
                    &body,
                    charset.as_deref(),
                    final_url.as_ref(),
                    now,
                )
            })
            .await;
            drop(cpu);
            let Ingested {
                candidates,
                new_items,
                info,
                ttl,
                warnings,
                recovered,
            } = match done {
                Ok(Ok(i)) => i,
                Ok(Err(IngestError::State(e))) => return Err(e),
                Ok(Err(IngestError::Parse(e))) => {
                    return shared
                        .failure(
                            source,
                            rep,
                            st,
                            failed(FailureKind::NotAFeed, e.to_string()),
                        )
                        .await;
                }
                Err(e) => {
                    return shared
                        .failure(
                            source,
                            rep,
                            st,
                            failed(FailureKind::NotAFeed, format!("processing failed: {e}")),
                        )
                        .await;
                }
            };
            rep.status = Status::Fetched;
            rep.warnings.extend(warnings);
            rep.recovered = recovered;
            st.last_status = "ok".into();
            st.info = Some(info);
            write.new_items = new_items;
            // The document's items are exactly its candidates; any other stored item is gone.
            write.keep_hashes = Some(candidates.iter().map(|c| c.handle.clone()).collect());
            (validators, max_age.max(ttl), moved_to, candidates)
        }
    };
    // Validators are stored on every 200 and 304, even when the body turned out unchanged.
    st.validators = validators;
    st.last_success = Some(now);
    st.failures = 0;
    st.gone = false;
    st.moved_to = moved_to.map(String::from);
    hint = hint.map(|h| h.min(shared.max_backoff.to_std().unwrap_or(h)));
    st.next_fetch = hint.map(|h| now + to_chrono(h));
    write.state = st;
    Ok(shared.done(source, rep, cands, write).await)
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::{backoff, read_file};
    use crate::ingest::fetch::{FailureKind, Outcome};

    #[test]
    fn backoff_doubles_from_five_minutes_with_ten_percent_jitter_and_a_cap() {
        let max = Duration::hours(6);
        let names: Vec<String> = (0..64).map(|i| format!("source-{i}")).collect();
        for failures in [1u32, 2, 3, 5, 8, 40] {
            let base = (Duration::minutes(5) * 2i32.pow(failures.min(21) - 1)).min(max);
            let waits: Vec<Duration> = names.iter().map(|n| backoff(n, failures, max)).collect();
            for w in &waits {
                assert!(
                    *w >= base * 9 / 10 && *w < base * 11 / 10,
                    "{failures}: {w} vs {base}"
                );
            }
            // The jitter spreads sources out over the whole ±10%.
            assert!(waits.iter().any(|w| *w < base * 19 / 20), "{failures}");
            assert!(waits.iter().any(|w| *w > base * 21 / 20), "{failures}");
        }
        assert_eq!(backoff("a", 3, max), backoff("a", 3, max), "deterministic");
        let w = backoff("a", 0, max);
        assert!(
            w >= Duration::seconds(270) && w < Duration::seconds(330),
            "{w}"
        );
    }

    #[test]
    fn read_file_reads_regular_files_up_to_the_cap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("feed.xml");
        std::fs::write(&f, b"0123456789").expect("test setup");
        match read_file(&f, 10) {
            Outcome::Body { body, .. } => assert_eq!(body, b"0123456789"),
            other => panic!("{other:?}"),
        }
        match read_file(&f, 9) {
            Outcome::Failed(fl) => assert_eq!(fl.kind, FailureKind::TooLarge),
            other => panic!("{other:?}"),
        }
        match read_file(dir.path(), 10) {
            Outcome::Failed(fl) => assert_eq!(fl.kind, FailureKind::NotAFile),
            other => panic!("{other:?}"),
        }
        match read_file(&dir.path().join("missing.xml"), 10) {
            Outcome::Failed(fl) => assert_eq!(fl.kind, FailureKind::Network),
            other => panic!("{other:?}"),
        }
    }

    /// A regular file whose size the metadata understates (procfs says 0 bytes; a file that
    /// grows while it is read looks the same) is capped by what is read, not by what was stated.
    #[cfg(target_os = "linux")]
    #[test]
    fn read_file_caps_what_is_read_not_what_the_metadata_says() {
        let status = std::path::Path::new("/proc/self/status");
        let meta = std::fs::metadata(status).expect("procfs");
        assert!(meta.is_file() && meta.len() == 0, "{meta:?}");
        match read_file(status, 10) {
            Outcome::Failed(fl) => assert_eq!(fl.kind, FailureKind::TooLarge),
            other => panic!("{other:?}"),
        }
        match read_file(status, 1 << 20) {
            Outcome::Body { body, .. } => assert!(body.starts_with(b"Name:"), "{body:?}"),
            other => panic!("{other:?}"),
        }
    }
}
