//! One source's part of a run: decides whether to fetch it (due, backing off, gone, offline),
//! fetches it or reads its file, hands the bytes to `ingest`, applies the failure policy
//! (exponential back-off with jitter, `Retry-After`, the grace period for stored entries) and
//! says what to write to state. Sources run concurrently; each is processed as it arrives.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use tokio::sync::Semaphore;
use url::Url;

use crate::config::{Filter, Location, Source};
use crate::ingest::document::{Fetched, IngestError, Ingested, ingest};
use crate::ingest::fetch::{Failure, FailureKind, Fetcher, Outcome};
use crate::ingest::file;
use crate::ingest::guard;
use crate::ingest::record;
use crate::ingest::report::{SourceReport, Status};
use crate::ingest::schedule;
use crate::ingest::select;
use crate::model::{Candidate, SourceInfo, Validators};
use crate::state::{Pool, Preloaded, SourceState, SourceWrite, StateError};

mod stored;

/// Whether a source's candidates need their filter text: `keep_text` (some view applies
/// patterns), or the source's or the global filter has a pattern.
pub(crate) fn needs_text(keep_text: bool, global: &Filter, source: &Source) -> bool {
    let patterns = |f: &Filter| !f.include.is_empty() || !f.exclude.is_empty();
    keep_text || patterns(&source.filter) || patterns(global)
}

/// What every source task shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub fetcher: Fetcher,
    /// Read connections to the state database.
    pub pool: Arc<Pool>,
    /// The run's clock (whole seconds), read once.
    pub now: DateTime<Utc>,
    /// Where documents are parsed and normalised: one thread per core.
    pub cores: crate::ingest::cores::Cores,
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
    /// The hijack guard's settings, when it is on.
    pub guard: Option<guard::Settings>,
    /// Sources with items the guard holds, undecided: a document cannot drop their earlier
    /// entries.
    pub held_sources: std::collections::HashSet<String>,
    /// Every source's stored state and items, read when the run started (see `Preloaded`).
    pub preloaded: Preloaded,
}

/// One source's contribution to the run.
#[derive(Debug)]
pub(crate) struct Collected {
    pub report: SourceReport,
    /// The source's candidates, already filtered (see `select::select_source`); views cap them.
    pub candidates: Vec<Candidate>,
    /// Attribution for the source's entries.
    pub info: Option<SourceInfo>,
    /// The candidates are the source's stored items, still to be taken ([`Shared::take_stored`]): a
    /// source that answered 304 or was not due has its answer before the stored items are read,
    /// and need not wait for them while it holds a place among the requests in flight.
    pub stored: bool,
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
        needs_text(self.keep_text, &self.global, source)
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
        // A source not fetched this run has nothing to write: its state is as it was read.
        // A closed queue means the writer failed; its error is reported when it is joined.
        if !write.unchanged {
            let _ = self.writes.send(write).await;
        }
        Collected {
            report,
            candidates,
            info,
            stored: false,
        }
    }

    /// Parses and normalises a fetched body on a blocking thread. `Err`: the state could not be
    /// read (the run stops); `Ok(Err)`: the document is not a usable feed (the source failed).
    async fn ingest(
        &self,
        source: &Source,
        body: Vec<u8>,
        content_type: Option<String>,
        final_url: Option<Url>,
    ) -> Result<Result<Ingested, Failure>, StateError> {
        let charset = content_type
            .as_deref()
            .and_then(crate::ingest::decode::charset_from_content_type)
            .map(str::to_string);
        // Parsed and normalised on the next free core, which is free again before the writes
        // are queued (no core idles while the state writer commits); memory stays bounded by
        // `in_flight`, held until the writes are queued.
        let stored = self.preloaded.items_now(&source.name).await?;
        let src = source.clone();
        let pool = Arc::clone(&self.pool);
        let with_text = self.needs_text(source);
        let now = self.now;
        let done = self
            .cores
            .run(move || {
                let doc = Fetched {
                    body: &body,
                    charset: charset.as_deref(),
                    url: final_url.as_ref(),
                };
                ingest(&src, &pool, (stored, with_text), doc, now)
            })
            .await;
        let not_a_feed =
            |reason: String| Ok(Err(Failure::new(FailureKind::NotAFeed, None, reason)));
        match done {
            Ok(Ok(i)) => Ok(Ok(i)),
            Ok(Err(IngestError::State(e))) => Err(e),
            Ok(Err(IngestError::Parse(e))) => not_a_feed(e.to_string()),
            Err(e) => not_a_feed(e.to_string()),
        }
    }

    /// Records a 200 or 304 in the source's state and hands on its candidates. Validators are
    /// stored on every 200 and 304, even when the body turned out unchanged.
    fn succeeded(&self, st: &mut SourceState, fresh: Fresh) -> Vec<Candidate> {
        st.validators = fresh.validators;
        st.last_success = Some(self.now);
        st.failures = 0;
        st.gone = false;
        st.moved_to = fresh.moved_to.map(String::from);
        st.next_fetch = schedule::after_success(self.now, fresh.hint, self.max_backoff);
        fresh.candidates
    }

    /// Records what fetching (or reading) the source gave: a failure, a 304 (the stored entries
    /// stand), or a document, ingested.
    async fn attempted(
        &self,
        source: &Source,
        mut rep: SourceReport,
        mut st: SourceState,
        outcome: Outcome,
    ) -> Result<Collected, StateError> {
        let before = st.clone();
        st.last_attempt = Some(self.now);
        let mut write = SourceWrite::new(&source.name, SourceState::default());
        let not_modified = matches!(outcome, Outcome::NotModified { .. });
        let fresh = match outcome {
            Outcome::Failed(f) => return self.failure(source, rep, st, f).await,
            Outcome::NotModified {
                validators,
                max_age,
                moved_to,
            } => {
                rep.status = Status::NotModified;
                st.last_status = "not modified".into();
                Fresh {
                    validators,
                    hint: max_age,
                    moved_to,
                    // The stored items, taken when every source has answered (`take_stored`).
                    candidates: Vec::new(),
                }
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
                let ingested = match self.ingest(source, body, content_type, final_url).await? {
                    Ok(i) => i,
                    Err(f) => return self.failure(source, rep, st, f).await,
                };
                let hint = max_age.max(ingested.ttl);
                let verdict = self.guard.as_ref().and_then(|g| {
                    guard::check(
                        g,
                        source,
                        &st,
                        (&ingested.novelty, &ingested.info),
                        moved_to.as_ref(),
                        self.now,
                    )
                });
                let held = verdict.is_some() || self.held_sources.contains(&source.name);
                let candidates =
                    record::document(ingested, verdict, held, &mut rep, &mut st, &mut write);
                Fresh {
                    validators,
                    hint,
                    moved_to,
                    candidates,
                }
            }
        };
        let cands = self.succeeded(&mut st, fresh);
        write.touched_only = not_modified && only_times_differ(&before, &st);
        write.state = st;
        let mut collected = self.done(source, rep, cands, write).await;
        collected.stored = not_modified;
        Ok(collected)
    }

    /// Records a failed attempt: the source backs off (or is gone), and keeps its stored entries
    /// for the grace period.
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
        st.next_fetch = Some(schedule::after_failure(
            self.now,
            &source.name,
            st.failures,
            f.retry_after,
            self.max_backoff,
        ));
        rep.error_chain = f.chain;
        rep.status = if st.gone {
            Status::Gone
        } else {
            rep.failure = Some(f.kind);
            Status::Failed(f.reason)
        };
        let cands = self.within_grace(source, &st, &mut rep).await?;
        let write = SourceWrite::new(&source.name, st);
        Ok(self.done(source, rep, cands, write).await)
    }
}

/// Whether `after` is `before` with only the attempt's times and `not modified` status set.
fn only_times_differ(before: &SourceState, after: &SourceState) -> bool {
    before.validators == after.validators
        && before.last_status == after.last_status
        && before.failures == after.failures
        && before.next_fetch == after.next_fetch
        && before.gone == after.gone
        && before.moved_to == after.moved_to
        && before.info == after.info
}

/// Fetches (or reads), ingests and classifies one source. A state read error is returned: the
/// run stops there, and publishes nothing.
pub(crate) async fn process(shared: &Shared, source: &Source) -> Result<Collected, StateError> {
    let taken = shared.preloaded.take_source(&source.name);
    let prev = match taken {
        Some(prev) => prev,
        None => {
            let name = source.name.clone();
            shared.read(move |s| s.source(&name)).await?
        }
    };
    let rep = SourceReport::new(source, &prev);
    if let Some(status) = shared.skip_reason(source, &prev) {
        return shared.skipped(source, rep, prev, status).await;
    }
    // Held until the source's writes are queued (see `Shared::in_flight`).
    let _in_flight = shared.in_flight.acquire().await.ok();
    let outcome = match &source.location {
        Location::Url(url) => shared.fetcher.fetch(url, &prev.validators).await,
        Location::Path(p) => file::read(p, shared.fetcher.max_bytes()),
    };
    shared.attempted(source, rep, prev, outcome).await
}

/// A 200 or a 304: what it says about the source's next fetch, and the source's candidates.
struct Fresh {
    validators: Validators,
    /// How long the answer stays fresh (`max-age`, or a feed's `<ttl>`).
    hint: Option<std::time::Duration>,
    /// Where every redirect permanently led, if anywhere.
    moved_to: Option<Url>,
    candidates: Vec<Candidate>,
}
