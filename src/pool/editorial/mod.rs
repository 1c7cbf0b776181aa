//! Editorial control: entries the network has withdrawn, and the RFC 6721 tombstones that tell
//! readers so.
//!
//! Withdrawals live in `withdrawn.toml` beside `feeds.toml`: a human-readable file the team can
//! review and version (`feedbraid withdraw` appends to it, `--undo` removes from it, an editor may
//! edit it by hand). An entry is withdrawn when its id, or its canonical link, is listed: a partner
//! that re-posts an item under a new id is still caught by the link.
//!
//! Pure: parsing the file, matching entries and deciding tombstones take values and return values;
//! the file and the state are read and written by the callers.

pub mod credit;
mod file;
pub mod tombstones;

use chrono::{DateTime, Utc};

use crate::model::Candidate;
use crate::text::links;
pub use file::{Removed, WithdrawnError, load, parse, path_beside, with_added, without};

/// One withdrawn entry, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    /// The entry's id when it was withdrawn.
    pub id: String,
    /// Its link (matched in canonical form).
    pub link: Option<String>,
    /// Its title at that time, for the people reading the file.
    pub title: Option<String>,
    /// When it was withdrawn: the tombstone's `when`.
    pub when: DateTime<Utc>,
    /// The public reason, shown in the tombstone's `<at:comment>`.
    pub reason: Option<String>,
}

/// Every withdrawal in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Withdrawals {
    pub list: Vec<Withdrawal>,
    canonical: Vec<Option<String>>,
}

impl Withdrawals {
    pub fn new(list: Vec<Withdrawal>) -> Self {
        let canonical = list
            .iter()
            .map(|w| w.link.as_deref().and_then(links::canonical))
            .collect();
        Withdrawals { list, canonical }
    }

    /// The withdrawal that covers an entry with this id and canonical link, if any.
    pub fn find(&self, id: &str, canonical_link: Option<&str>) -> Option<&Withdrawal> {
        self.list.iter().zip(&self.canonical).find_map(|(w, c)| {
            (w.id == id || (canonical_link.is_some() && c.as_deref() == canonical_link))
                .then_some(w)
        })
    }

    /// Whether a candidate is withdrawn.
    pub fn covers(&self, c: &Candidate) -> bool {
        self.find(c.id(), c.canonical_link()).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
