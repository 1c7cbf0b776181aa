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

/// Which keys a candidate has, and their hashes: computed for every candidate on every core
/// before the merge's serial pass, in the candidates' order (that pass visits them sorted, all
/// over the heap; hashing each key there, it was a third of a changed run's merge at 5,000 ×
/// 20). The pass then reads a key's text only to compare it with a slot's of the same hash.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Probe {
    hashes: [u64; 3],
    /// Bit `kind` set when the candidate has that key.
    has: u8,
}

impl Probe {
    /// How many keys the candidate has.
    pub(super) fn count(&self) -> usize {
        self.has.count_ones() as usize
    }

    fn each(&self) -> impl Iterator<Item = (u8, u64)> + '_ {
        KINDS
            .into_iter()
            .filter(|k| self.has & (1 << k) != 0)
            .map(|k| (k, self.hashes[usize::from(k)]))
    }
}

impl Keys {
    /// An empty table, seeded for this process.
    pub(super) fn new() -> Keys {
        Keys::with_hasher(foldhash::fast::RandomState::default())
    }
}

impl<S: BuildHasher> Keys<S> {
    fn with_hasher(hasher: S) -> Keys<S> {
        Keys {
            table: hashbrown::HashTable::new(),
            hasher,
        }
    }

    /// Room for `n` keys (the sum of the candidates' [`Probe::count`]), so that the table never
    /// grows. Called before any key is recorded.
    pub(super) fn reserve(&mut self, n: usize) {
        debug_assert!(self.table.is_empty(), "reserved after keys were recorded");
        self.table = hashbrown::HashTable::with_capacity(n);
    }

    /// `c`'s keys, hashed.
    pub(super) fn probe(&self, c: &Candidate) -> Probe {
        let mut p = Probe {
            hashes: [0; 3],
            has: 0,
        };
        for kind in KINDS {
            if let Some(s) = key(c, kind) {
                p.hashes[usize::from(kind)] = self.hasher.hash_one((kind, s));
                p.has |= 1 << kind;
            }
        }
        p
    }

    /// The winner of the first group (by kind) that holds one of candidate `i`'s keys (probed
    /// as `p`).
    pub(super) fn winner<'c>(
        &self,
        get: &impl Fn(usize) -> &'c Candidate,
        i: usize,
        p: &Probe,
    ) -> Option<usize> {
        p.each().find_map(|(kind, h)| {
            let found = self.table.find(h, |e| same(get, e, kind, get(i)));
            found.map(|e| e.winner as usize)
        })
    }

    /// Records the keys of candidate `owner` (probed as `p`) for the group of `winner`, but those
    /// known already.
    pub(super) fn record<'c>(
        &mut self,
        get: &impl Fn(usize) -> &'c Candidate,
        p: &Probe,
        owner: usize,
        winner: usize,
    ) {
        let hasher = &self.hasher;
        let rehash = |e: &Slot| {
            let s = key(get(e.owner as usize), e.kind).unwrap_or_default();
            hasher.hash_one((e.kind, s))
        };
        for (kind, h) in p.each() {
            let entry = self
                .table
                .entry(h, |e| same(get, e, kind, get(owner)), rehash);
            if let hashbrown::hash_table::Entry::Vacant(v) = entry {
                v.insert(Slot {
                    owner: owner as u32,
                    winner: winner as u32,
                    kind,
                });
            }
        }
    }

    /// The places of the candidates (probed as `probes`, in places' order) that share one of
    /// their keys in `part` of [`PARTS`] with another candidate: each part's keys looked up in a
    /// table of their own, so that the parts can be searched on different cores. Every other
    /// candidate is alone, the winner of its own group (most of a run's), and needs no place in
    /// the merge's serial pass. A place may be listed more than once.
    pub(super) fn shared<'c>(
        &self,
        get: &impl Fn(usize) -> &'c Candidate,
        probes: &[Probe],
        part: usize,
    ) -> Vec<u32> {
        let mine = |&(_, h): &(u8, u64)| (h >> 40) as usize % PARTS == part;
        let n = probes.iter().map(|p| p.each().filter(mine).count()).sum();
        let mut firsts: hashbrown::HashTable<First> = hashbrown::HashTable::with_capacity(n);
        let hasher = &self.hasher;
        let rehash = |e: &First| {
            let s = key(get(e.owner as usize), e.kind).unwrap_or_default();
            hasher.hash_one((e.kind, s))
        };
        let mut out = Vec::new();
        for (i, p) in probes.iter().enumerate() {
            let text = |kind| key(get(i), kind);
            for (kind, h) in p.each().filter(mine) {
                let same =
                    |e: &First| e.kind == kind && key(get(e.owner as usize), kind) == text(kind);
                match firsts.entry(h, same, rehash) {
                    hashbrown::hash_table::Entry::Occupied(mut o) => {
                        let first = o.get_mut();
                        if !first.listed {
                            first.listed = true;
                            out.push(first.owner);
                        }
                        out.push(i as u32);
                    }
                    hashbrown::hash_table::Entry::Vacant(v) => {
                        v.insert(First {
                            owner: i as u32,
                            kind,
                            listed: false,
                        });
                    }
                }
            }
        }
        out
    }
}

/// Into how many parts [`Keys::shared`] splits the keys (by a bit of their hash that the table
/// itself uses for neither its buckets nor its tags): two, one for each of `par::join`'s threads.
pub(super) const PARTS: usize = 2;

/// A key's first owner in [`Keys::shared`], and whether that owner is listed as sharing it.
struct First {
    owner: u32,
    kind: u8,
    listed: bool,
}

/// Whether slot `e` holds `c`'s key of `kind` (read only now: a slot of the same hash).
fn same<'c>(get: &impl Fn(usize) -> &'c Candidate, e: &Slot, kind: u8, c: &Candidate) -> bool {
    e.kind == kind && key(get(e.owner as usize), kind) == key(c, kind)
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
        let mut keys = Keys::with_hasher(BuildHasherDefault::<Colliding>::default());
        let probes: Vec<Probe> = cs.iter().map(|c| keys.probe(c)).collect();
        assert_eq!(
            probes.iter().map(Probe::count).collect::<Vec<_>>(),
            [1, 2, 2, 3]
        );
        keys.reserve(8);
        let room = keys.table.capacity();
        assert!(room >= 8, "room for every key: {room}");
        let mut winners = Vec::new();
        for (i, p) in probes.iter().enumerate() {
            let w = keys.winner(&get, i, p).unwrap_or(i);
            keys.record(&get, p, i, w);
            winners.push(w);
        }
        // "u" as an id, a link and an original id are three keys; x shares v's link.
        assert_eq!(winners, [0, 1, 2, 1]);
        assert_eq!(
            keys.table.len(),
            7,
            "4 ids, u as a link and u and v as original ids"
        );
        assert_eq!(keys.table.capacity(), room, "the table never grew");
    }

    /// With every hash alike, the parts' tables tell keys apart by kind and text alone: only
    /// candidates that truly share a key are listed, each once per part at most as a first
    /// owner.
    #[test]
    fn only_candidates_that_share_a_key_are_listed_even_when_every_hash_collides() {
        let cs = [
            cand("u", None, None),
            cand("v", Some("u"), None),
            cand("w", None, Some("v")),
            cand("x", Some("u"), None),
            cand("y", None, None),
        ];
        let get = |i: usize| &cs[i];
        let keys = Keys::with_hasher(BuildHasherDefault::<Colliding>::default());
        let probes: Vec<Probe> = cs.iter().map(|c| keys.probe(c)).collect();
        let mut listed: Vec<u32> = (0..PARTS)
            .flat_map(|part| keys.shared(&get, &probes, part))
            .collect();
        listed.sort_unstable();
        // "u" as an id, a link and an original id are three keys; only v and x share one (the
        // link "u").
        assert_eq!(listed, [1, 3]);
    }
}
