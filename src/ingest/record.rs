//! What one fetched document writes: the source's report and state, the items to store, those
//! the hijack guard holds, and which stored items are gone. Kept apart from `collect` (which
//! decides when and how a source is fetched) because the guard changes what a document may
//! erase.

use crate::ingest::document::Ingested;
use crate::ingest::guard::Verdict;
use crate::ingest::report::{SourceReport, Status};
use crate::model::Candidate;
use crate::state::{SourceState, SourceWrite};

/// Records what a fetched document gave: the report's status, warnings and recoveries, the
/// source's attribution (kept as it was while the hijack guard holds the new items), the items
/// to store, those the guard holds, and which stored ones are gone (none while the source is
/// `held`: a taken-over feed does not erase the partner's entries). Returns its candidates.
pub(crate) fn document(
    ingested: Ingested,
    verdict: Option<Verdict>,
    held: bool,
    rep: &mut SourceReport,
    st: &mut SourceState,
    write: &mut SourceWrite,
) -> Vec<Candidate> {
    rep.status = Status::Fetched;
    rep.warnings.extend(ingested.warnings);
    rep.recovered = ingested.recovered;
    st.last_status = "ok".into();
    if let Some(v) = &verdict {
        rep.warnings.push(format!(
            "{} new items held for review by the {}",
            v.ids.len(),
            v.reason
        ));
    }
    if verdict.is_none() || st.info.is_none() {
        st.info = Some(ingested.info);
    }
    write.guarded = verdict;
    write.new_items = ingested.new_items;
    // The document's items are exactly its candidates; any other stored item is gone.
    let mut candidates = ingested.candidates;
    if held {
        candidates.extend(ingested.absent);
    }
    write.keep_hashes = Some(candidates.iter().map(|c| c.handle().to_string()).collect());
    candidates
}
