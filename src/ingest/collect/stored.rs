//! A source whose document is not read this run, and what it contributes: its stored items
//! (it answered 304, is not due, or the run is offline), those within the grace period (it
//! failed or is backing off), or none (disabled). The stored items come from the preload
//! (`state::Preloaded`); a source that needs them only as they are takes them once every
//! source has answered ([`Shared::take_stored`]), so that waiting for the read holds no request.

use super::{Collected, Shared};
use crate::config::{Location, Source};
use crate::ingest::report::{SourceReport, Status};
use crate::ingest::select;
use crate::model::Candidate;
use crate::state::{SourceState, SourceWrite, StateError};

impl Shared {
    /// The source's stored items (its last good entries): read when the run started, or, when
    /// taken already, read again.
    async fn stored(&self, source: &Source) -> Result<Vec<Candidate>, StateError> {
        if let Some(items) = self.preloaded.take_items(&source.name).await? {
            return Ok(items);
        }
        let name = source.name.clone();
        let with_text = self.needs_text(source);
        self.read(move |s| s.item_list(&name, with_text)).await
    }

    /// Takes the stored items of a source whose candidates they are (see
    /// [`Collected::stored`]), counted; `None` when its candidates are its own already. They
    /// are then filtered by [`Shared::select_stored`].
    pub(crate) async fn take_stored(
        &self,
        source: &Source,
        collected: &mut Collected,
    ) -> Result<Option<Vec<Candidate>>, StateError> {
        if !std::mem::take(&mut collected.stored) {
            return Ok(None);
        }
        let cands = self.stored(source).await?;
        collected.report.entries = cands.len();
        Ok(Some(cands))
    }

    /// Filters a source's stored items as `done` filters a source's candidates. Pure: the
    /// caller runs it for many sources at once.
    pub(crate) fn select_stored(&self, source: &Source, cands: Vec<Candidate>) -> Vec<Candidate> {
        select::select_source(&source.filter, &self.global, self.keep_text, cands)
    }

    /// The stored entries while a source cannot be fetched: kept for the grace period after its
    /// last success, then dropped with a warning (they stay in state, should the source return).
    pub(super) async fn within_grace(
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

    /// Why this source is not fetched this run, if it is not.
    pub(super) fn skip_reason(&self, source: &Source, prev: &SourceState) -> Option<Status> {
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

    /// A source not fetched this run: its stored entries (all of them, those within the grace
    /// period, or none), its state unchanged.
    pub(super) async fn skipped(
        &self,
        source: &Source,
        mut rep: SourceReport,
        prev: SourceState,
        status: Status,
    ) -> Result<Collected, StateError> {
        let stored = matches!(status, Status::Offline | Status::NotDue(_));
        let cands = match status {
            Status::Disabled | Status::Offline | Status::NotDue(_) => Vec::new(),
            _ => self.within_grace(source, &prev, &mut rep).await?,
        };
        rep.status = status;
        let write = SourceWrite {
            unchanged: true,
            ..SourceWrite::new(&source.name, prev)
        };
        let mut collected = self.done(source, rep, cands, write).await;
        collected.stored = stored;
        Ok(collected)
    }
}
