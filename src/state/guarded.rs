//! The `guarded` table: the items the hijack guard held (`ingest::guard`), per source, with its
//! reason and since when. Written by the run that saw them (`writer`); read by the review queue
//! in every later run, because a held item is not new any more once stored: the hold outlives
//! the run that made it, until an editor approves or rejects the items.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{State, StateError};

/// One held item: its source, the guard's reason, and when it was held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardedItem {
    pub source: String,
    pub reason: String,
    pub since: DateTime<Utc>,
}

impl State {
    /// Every item the guard holds, by entry id.
    pub fn guarded(&self) -> Result<HashMap<String, GuardedItem>, StateError> {
        let mut st = self
            .conn
            .prepare("SELECT source, id, reason, since FROM guarded")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        let mut out = HashMap::new();
        for row in rows {
            let (source, id, reason, since) = row.map_err(|e| self.err(e))?;
            let since =
                DateTime::parse_from_rfc3339(&since).map_or(DateTime::UNIX_EPOCH, |t| t.to_utc());
            out.insert(
                id,
                GuardedItem {
                    source,
                    reason,
                    since,
                },
            );
        }
        Ok(out)
    }
}
