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

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::model::Candidate;
use crate::pool::winners::Winners;
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

/// Every withdrawal in force, found by id and by canonical link in one lookup each: every
/// winner of a run is matched against them (100,000 at 5,000 partners), so a scan of the list
/// per winner would cost the run the product of the two.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Withdrawals {
    pub list: Vec<Withdrawal>,
    /// The first withdrawal listing each id, and each canonical link.
    by_id: HashMap<String, usize>,
    by_link: HashMap<String, usize>,
}

impl Withdrawals {
    pub fn new(list: Vec<Withdrawal>) -> Self {
        let (mut by_id, mut by_link) = (HashMap::new(), HashMap::new());
        for (i, w) in list.iter().enumerate() {
            by_id.entry(w.id.clone()).or_insert(i);
            if let Some(c) = w.link.as_deref().and_then(links::canonical) {
                by_link.entry(c).or_insert(i);
            }
        }
        Withdrawals {
            list,
            by_id,
            by_link,
        }
    }

    /// The withdrawal that covers an entry with this id and canonical link, if any (the first
    /// listed, should several).
    pub fn find(&self, id: &str, canonical_link: Option<&str>) -> Option<&Withdrawal> {
        let by_id = self.by_id.get(id).copied();
        let by_link = canonical_link.and_then(|l| self.by_link.get(l).copied());
        let first = match (by_id, by_link) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => a.or(b)?,
        };
        self.list.get(first)
    }

    /// Whether a candidate is withdrawn.
    pub fn covers(&self, c: &Candidate) -> bool {
        self.find(c.id(), c.canonical_link()).is_some()
    }

    /// Takes the withdrawn winners out of `pool`; no pass over it when nothing is withdrawn.
    pub fn withdraw_from(&self, pool: &mut Winners) {
        if !self.is_empty() {
            pool.retain(|w| !self.covers(w));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(id: &str, link: Option<&str>, reason: &str) -> Withdrawal {
        Withdrawal {
            id: id.into(),
            link: link.map(String::from),
            title: None,
            when: DateTime::UNIX_EPOCH,
            reason: Some(reason.into()),
        }
    }

    #[test]
    fn an_entry_is_found_by_id_or_canonical_link_and_the_first_listed_wins() {
        let ws = Withdrawals::new(vec![
            w("a", None, "first"),
            w("b", Some("https://Ex.org/story#top"), "second"),
            w("a", Some("https://ex.org/other"), "third"),
            w("c", Some("https://ex.org/other"), "fourth"),
        ]);
        let reason = |id, link| ws.find(id, link).and_then(|x| x.reason.as_deref());
        assert_eq!(reason("a", None), Some("first"));
        // Links are matched in canonical form (as candidates carry them).
        assert_eq!(reason("zz", Some("ex.org/story")), Some("second"));
        assert_eq!(reason("zz", Some("ex.org/other")), Some("third"));
        assert_eq!(reason("c", Some("ex.org/story")), Some("second"));
        assert_eq!(reason("c", None), Some("fourth"));
        assert_eq!(reason("zz", None), None);
        assert_eq!(reason("zz", Some("ex.org/none")), None);
        assert!(Withdrawals::default().find("a", None).is_none());
    }

    #[test]
    fn withdrawn_winners_leave_the_pool_and_the_rest_keep_their_order() {
        let cand = |id: &str| Candidate {
            ids: crate::model::Ids::new(id, id, None, None),
            updated: DateTime::UNIX_EPOCH,
            published: None,
            origin: Some("p".into()),
            text: None,
            tags: crate::model::Tags::default(),
            language: None,
            via: Vec::new(),
        };
        let ids = |p: &Winners| p.iter().map(|c| c.id().to_string()).collect::<Vec<_>>();
        let mut pool = Winners::from_vec(vec![cand("x"), cand("a"), cand("y")]);
        Withdrawals::default().withdraw_from(&mut pool);
        assert_eq!(ids(&pool), ["x", "a", "y"]);
        Withdrawals::new(vec![w("a", None, "r")]).withdraw_from(&mut pool);
        assert_eq!(ids(&pool), ["x", "y"]);
    }
}
