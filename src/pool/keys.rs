//! The keys by which the merge finds duplicates (an id, a canonical link, an original partner
//! id), in a table of candidates' places rather than of the keys themselves. Hand-written over
//! `hashbrown::HashTable` because a map of borrowed `(kind, &str)` keys took 32 bytes a slot and
//! was the warm run's heap peak at 100,000 candidates (issue 25); the table compares a key
//! through the candidate that owns it.

use crate::model::Candidate;

/// The keys two duplicates can share: the id, the canonical link, the original partner id.
pub(super) const KINDS: [u8; 3] = [0, 1, 2];

pub(super) fn key(c: &Candidate, kind: u8) -> Option<&str> {
    match kind {
        0 => Some(c.id.as_str()),
        1 => c.canonical_link.as_deref(),
        _ => c.original_id.as_deref(),
    }
}

/// Each key seen so far, and the winner of its group. A slot holds the key's owner (a candidate's
/// place) and kind, not the key: 12 bytes, where a map of borrowed `(kind, &str)` keys took 32
/// and, growing past 200,000 keys, held its old and new tables at once (26 MB at 100,000
/// candidates, the warm run's peak). foldhash, seeded per process like std's SipHash (partners
/// choose these keys): SipHash was 6 % of a warm run's samples at 5,000 sources.
pub(super) struct Keys {
    table: hashbrown::HashTable<Slot>,
    hasher: foldhash::fast::RandomState,
}

#[derive(Clone, Copy)]
struct Slot {
    owner: u32,
    winner: u32,
    kind: u8,
}

impl Keys {
    /// Room for every key of the candidates at `at`, so that the table never grows.
    pub(super) fn with_capacity<'c>(
        at: &[(u32, u32)],
        get: &impl Fn(usize) -> &'c Candidate,
    ) -> Keys {
        let n = (0..at.len())
            .map(|i| KINDS.iter().filter(|&&k| key(get(i), k).is_some()).count())
            .sum();
        Keys {
            table: hashbrown::HashTable::with_capacity(n),
            hasher: foldhash::fast::RandomState::default(),
        }
    }

    fn hash(&self, kind: u8, s: &str) -> u64 {
        std::hash::BuildHasher::hash_one(&self.hasher, (kind, s))
    }

    /// The winner of the group that holds `s` as a key of `kind`.
    pub(super) fn get<'c>(
        &self,
        get: &impl Fn(usize) -> &'c Candidate,
        kind: u8,
        s: &str,
    ) -> Option<usize> {
        let found = self.table.find(self.hash(kind, s), |e| {
            e.kind == kind && key(get(e.owner as usize), kind) == Some(s)
        });
        found.map(|e| e.winner as usize)
    }

    /// Records candidate `i`'s key of `kind` (if it has one) for the group of `winner`, unless
    /// the key is known already.
    pub(super) fn insert<'c>(
        &mut self,
        get: &impl Fn(usize) -> &'c Candidate,
        i: usize,
        kind: u8,
        winner: usize,
    ) {
        let Some(s) = key(get(i), kind) else { return };
        let hasher = &self.hasher;
        let rehash = |e: &Slot| {
            let s = key(get(e.owner as usize), e.kind).unwrap_or_default();
            std::hash::BuildHasher::hash_one(hasher, (e.kind, s))
        };
        let h = std::hash::BuildHasher::hash_one(hasher, (kind, s));
        let eq = |e: &Slot| e.kind == kind && key(get(e.owner as usize), kind) == Some(s);
        if let hashbrown::hash_table::Entry::Vacant(v) = self.table.entry(h, eq, rehash) {
            v.insert(Slot {
                owner: i as u32,
                winner: winner as u32,
                kind,
            });
        }
    }
}
