//! The keys by which the merge finds duplicates (an id, a canonical link, an original partner
//! id), in a table of candidates' places rather than of the keys themselves. Hand-written over
//! `hashbrown::HashTable` because a map of borrowed `(kind, &str)` keys took 32 bytes a slot and
//! was the warm run's heap peak at 100,000 candidates (issue 25); the table compares a key
//! through the candidate that owns it.

use std::hash::BuildHasher;

use crate::model::Candidate;

/// The keys two duplicates can share: the id, the canonical link, the original partner id.
const KINDS: [u8; 3] = [0, 1, 2];

fn key(c: &Candidate, kind: u8) -> Option<&str> {
    match kind {
        0 => Some(c.id()),
        1 => c.canonical_link(),
        _ => c.original_id(),
    }
}

/// Each key seen so far, and the winner of its group. A slot holds the key's owner (a candidate's
/// place) and kind, not the key: 12 bytes, where a map of borrowed `(kind, &str)` keys took 32
/// and, growing past 200,000 keys, held its old and new tables at once (26 MB at 100,000
/// candidates, the warm run's peak). The hasher is foldhash, seeded per process like std's
/// SipHash (partners choose these keys): SipHash was 6 % of a warm run's samples at 5,000
/// sources.
pub(super) struct Keys<S = foldhash::fast::RandomState> {
    table: hashbrown::HashTable<Slot>,
    hasher: S,
}

#[derive(Clone, Copy)]
struct Slot {
    owner: u32,
    winner: u32,
    kind: u8,
}

/// A candidate's keys with their hashes, computed once for both looking them up and recording
/// them.
pub(super) struct Probe<'c>([Option<(u8, &'c str, u64)>; 3]);

impl Keys {
    /// Room for every key of `candidates`, so that the table never grows.
    pub(super) fn for_candidates<'c>(candidates: impl Iterator<Item = &'c Candidate>) -> Keys {
        Keys::with_hasher(candidates, foldhash::fast::RandomState::default())
    }
}

impl<S: BuildHasher> Keys<S> {
    fn with_hasher<'c>(candidates: impl Iterator<Item = &'c Candidate>, hasher: S) -> Keys<S> {
        let n = candidates
            .map(|c| KINDS.iter().filter(|&&k| key(c, k).is_some()).count())
            .sum();
        Keys {
            table: hashbrown::HashTable::with_capacity(n),
            hasher,
        }
    }

    /// `c`'s keys, hashed.
    pub(super) fn probe<'c>(&self, c: &'c Candidate) -> Probe<'c> {
        Probe(KINDS.map(|k| key(c, k).map(|s| (k, s, self.hasher.hash_one((k, s))))))
    }

    /// The winner of the first group (by kind) that holds one of the probed keys.
    pub(super) fn winner<'c>(
        &self,
        get: &impl Fn(usize) -> &'c Candidate,
        p: &Probe<'_>,
    ) -> Option<usize> {
        p.0.iter().flatten().find_map(|&(kind, s, h)| {
            let found = self.table.find(h, |e| same(get, e, kind, s));
            found.map(|e| e.winner as usize)
        })
    }

    /// Records the probed keys of candidate `owner` for the group of `winner`, but those known
    /// already.
    pub(super) fn record<'c>(
        &mut self,
        get: &impl Fn(usize) -> &'c Candidate,
        p: &Probe<'_>,
        owner: usize,
        winner: usize,
    ) {
        let hasher = &self.hasher;
        let rehash = |e: &Slot| {
            let s = key(get(e.owner as usize), e.kind).unwrap_or_default();
            hasher.hash_one((e.kind, s))
        };
        for &(kind, s, h) in p.0.iter().flatten() {
            let entry = self.table.entry(h, |e| same(get, e, kind, s), rehash);
            if let hashbrown::hash_table::Entry::Vacant(v) = entry {
                v.insert(Slot {
                    owner: owner as u32,
                    winner: winner as u32,
                    kind,
                });
            }
        }
    }
}

/// Whether slot `e` holds the key `s` of `kind`.
fn same<'c>(get: &impl Fn(usize) -> &'c Candidate, e: &Slot, kind: u8, s: &str) -> bool {
    e.kind == kind && key(get(e.owner as usize), kind) == Some(s)
}

#[cfg(test)]
mod tests {
    use std::hash::{BuildHasherDefault, Hasher};

    use super::*;

    /// Every key hashes alike: what finds a key is the table's comparison alone.
    #[derive(Default)]
    struct Colliding;

    impl Hasher for Colliding {
        fn finish(&self) -> u64 {
            7
        }
        fn write(&mut self, _: &[u8]) {}
    }

    fn cand(id: &str, link: Option<&str>, original: Option<&str>) -> Candidate {
        Candidate {
            ids: crate::model::Ids::new(id, id, link, original),
            updated: chrono::DateTime::UNIX_EPOCH,
            published: None,
            origin: Some("s".into()),
            text: None,
            tags: crate::model::Tags::default(),
            language: None,
            via: Vec::new(),
        }
    }

    #[test]
    fn a_key_is_found_by_its_kind_and_text_even_when_every_hash_collides() {
        let cs = [
            cand("u", None, None),
            cand("v", Some("u"), None),
            cand("w", None, Some("u")),
            cand("x", Some("u"), Some("v")),
        ];
        let get = |i: usize| &cs[i];
        let mut keys = Keys::with_hasher(cs.iter(), BuildHasherDefault::<Colliding>::default());
        let mut winners = Vec::new();
        for (i, c) in cs.iter().enumerate() {
            let p = keys.probe(c);
            let w = keys.winner(&get, &p).unwrap_or(i);
            keys.record(&get, &p, i, w);
            winners.push(w);
        }
        // "u" as an id, a link and an original id are three keys; x shares v's link.
        assert_eq!(winners, [0, 1, 2, 1]);
        assert_eq!(
            keys.table.len(),
            7,
            "4 ids, u as a link and u and v as original ids"
        );
    }
}
