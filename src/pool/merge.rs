//! Filter, deduplicate, order and cap: candidates from every source in, the combined feed's
//! entries out.
//!
//! One total order (updated desc, then id asc, then origin). Each source's candidates are sorted,
//! filtered and capped on their own first (`ingest::select::select_source`), so a busy partner cannot crowd out
//! a quiet one; then all are deduplicated across sources, sorted once more, and the global age
//! limit and cap are applied ([`merge`]). Works on [`Candidate`]s, so memory grows with the number
//! of items, not their size; the result does not depend on the order sources or items arrive in.
//! Pure.

use std::collections::BTreeMap;

use super::keys::{Keys, Probe};
use super::order::{earliest, newest, sort_places};
pub use super::winners::{Winner, Winners};
use crate::config::{Config, Filter};
use crate::ingest::select::passes_age;
use crate::model::{Candidate, by_id, feed_order};
use crate::par::{join, par_fill};

/// From how many candidates [`sharing`] searches the keys' parts on two threads.
const PAR_FROM: usize = 4096;

/// Keeps one candidate per duplicate group: local over partner, else the earliest published (then
/// the smallest id); the other sources are credited on it with their `credits` link. Two
/// candidates are duplicates when they share an id, a canonical link or an original partner id.
///
/// `groups` are the candidates in input order (one group per source, in config order): ties keep
/// it. The winners stay in them (see [`Winners`]), in that order.
///
/// Most candidates share no key with any other: they are found first, their keys looked up on
/// both cores ([`Keys::shared`]), and only those that do are sorted and taken in order, one after
/// the other (a serial pass over all 100,000 of a large network, sorted, was most of a changed
/// run's merge).
pub fn dedup(groups: Vec<Vec<Candidate>>, credits: &BTreeMap<String, String>) -> Winners {
    // Every candidate by its place: (group, index), in input order.
    let at: Vec<(u32, u32)> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, cs)| (0..cs.len()).map(move |i| (g as u32, i as u32)))
        .collect();
    let get = |i: usize| &groups[at[i].0 as usize][at[i].1 as usize];
    let mut keys = Keys::new();
    let mut probes = vec![Probe::default(); at.len()];
    let probe = |i: usize| keys.probe(get(i));
    if par_fill(&mut probes, probe).is_err() {
        probes
            .iter_mut()
            .enumerate()
            .for_each(|(i, p)| *p = probe(i));
    }
    let dups = sharing(&keys, &get, &probes);
    // Local first, then the earliest date, then id and origin; ties keep their input order.
    // Sorted by summaries (see `order`): local, then the second.
    let date = |c: &Candidate| c.published.unwrap_or(c.updated);
    let order: Vec<u32> = sort_places(
        dups.len(),
        |j| {
            let c = get(dups[j] as usize);
            (u32::from(!c.is_local()) << 31) | (earliest(date(c)) >> 1)
        },
        |a, b| {
            let (x, y) = (get(dups[a] as usize), get(dups[b] as usize));
            y.is_local()
                .cmp(&x.is_local())
                .then_with(|| date(x).cmp(&date(y)))
                .then_with(|| by_id(x, y))
                .then_with(|| a.cmp(&b))
        },
    )
    .into_iter()
    .map(|j| dups[j as usize])
    .collect();
    // First the winner of each candidate that shares a key, with keys borrowed from the
    // candidates (no copies), then the winners' credits set where they are.
    // Only duplicates' winners get credits: a map of them, not a list per candidate (24 bytes
    // each, 2.4 MB at 100,000, when the merge is a changed run's peak memory).
    let mut winner_of: Vec<u32> = (0..at.len() as u32).collect();
    let mut via: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    keys.reserve(order.iter().map(|&i| probes[i as usize].count()).sum());
    for &i in &order {
        let i = i as usize;
        let c = get(i);
        let probe = &probes[i];
        let w = match keys.winner(&get, i, probe) {
            Some(w) => {
                if let Some(credit) = credits.get(c.origin())
                    && get(w).origin() != c.origin()
                {
                    let credited = via.entry(w).or_default();
                    if !credited.contains(credit) {
                        credited.push(credit.clone());
                    }
                }
                w
            }
            None => i,
        };
        winner_of[i] = w as u32;
        keys.record(&get, probe, i, w);
    }
    // Freed before the lists are made (4 MB at 100,000 candidates).
    drop((keys, probes, order, dups));
    // In place: a list of candidates becomes a list of slots without moving (the slot's `None`
    // is a niche of the candidate's).
    let mut lists: Vec<Vec<Option<Candidate>>> = groups
        .into_iter()
        .map(|cs| cs.into_iter().map(Some).collect())
        .collect();
    // The winners' places in input order, their credits set; the losers dropped where they are.
    let mut won = Vec::with_capacity(at.len());
    for (i, &place) in at.iter().enumerate() {
        let slot = &mut lists[place.0 as usize][place.1 as usize];
        if winner_of[i] as usize != i {
            *slot = None;
        } else if let Some(w) = slot {
            w.via = via.remove(&i).unwrap_or_default();
            w.via.sort();
            won.push(place);
        }
    }
    Winners::new(lists, won)
}

/// The places, in order, of the candidates that share a key with another (see
/// [`Keys::shared`]), the keys' two parts searched on both cores (both on this thread should the
/// other's part panic).
fn sharing<'c>(
    keys: &Keys,
    get: &(impl Fn(usize) -> &'c Candidate + Sync),
    probes: &[Probe],
) -> Vec<u32> {
    let part = |p: usize| keys.shared(get, probes, p);
    // A thread for a part only when there are enough keys to be worth one.
    let apart = probes.len() >= PAR_FROM;
    let (first, second) =
        join(apart, || part(0), || part(1)).unwrap_or_else(|_| (part(0), part(1)));
    let mut shares = vec![false; probes.len()];
    for &i in first.iter().chain(&second) {
        shares[i as usize] = true;
    }
    (0..probes.len() as u32)
        .filter(|&i| shares[i as usize])
        .collect()
}

/// Every entry any view can show: cross-source dedup, then one sort. Deduplicating once, before
/// any view selects, is what makes an entry the same (same winner, same credits) in every view.
/// `groups`: as for [`dedup`].
pub fn pool(groups: Vec<Vec<Candidate>>, credits: &BTreeMap<String, String>) -> Winners {
    let mut all = dedup(groups, credits);
    // Ids are unique once deduplicated, so `feed_order` is total: an unstable sort gives the
    // same order.
    all.sort_by(|w| newest(w.updated), feed_order);
    all
}

/// Applies the global age limit to a view's selection (sorted, newest first), measured from its
/// newest entry, and caps it. Yields indices into the selection.
pub fn age_and_cap<'a>(
    global: &Filter,
    selected: impl Iterator<Item = &'a Winner>,
    cap: usize,
) -> Vec<&'a Winner> {
    let mut newest = None;
    selected
        .filter(|w| {
            let n = *newest.get_or_insert(w.updated);
            passes_age(global, w, n)
        })
        .take(cap)
        .collect()
}

/// The main feed alone: the pool, its age limit and `max_entries` (per-source caps are applied by
/// `views::select`; this is the shape without them, kept for tests of merge itself).
pub fn merge(cfg: &Config, cs: Vec<Candidate>, credits: &BTreeMap<String, String>) -> Vec<Winner> {
    let all = pool(vec![cs], credits);
    age_and_cap(&cfg.filter, all.iter(), cfg.feed.max_entries)
        .into_iter()
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use chrono::{DateTime, TimeZone, Utc};
    use regex::Regex;

    use super::*;
    use crate::model::{Ids, feed_order};

    fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, d, 12, 0, 0)
            .single()
            .expect("valid date")
    }

    fn cand(id: &str, origin: Option<&str>, updated: u32) -> Candidate {
        Candidate {
            ids: crate::model::Ids::new(id, id, None, None),
            updated: day(updated),
            published: None,
            origin: origin.map(Into::into),
            text: Some(format!("text of {id}")),
            tags: crate::model::Tags::default(),
            language: None,
            via: Vec::new(),
        }
    }

    fn filter(include: &[&str], exclude: &[&str], max_age_days: Option<u64>) -> Filter {
        Filter {
            include: include
                .iter()
                .map(|r| Regex::new(r).expect("test setup"))
                .collect(),
            exclude: exclude
                .iter()
                .map(|r| Regex::new(r).expect("test setup"))
                .collect(),
            max_age: max_age_days.map(|d| Duration::from_secs(d * 86_400)),
        }
    }

    fn win_ids<'a>(ws: impl IntoIterator<Item = &'a Winner>) -> Vec<&'a str> {
        ws.into_iter().map(|w| w.id()).collect()
    }

    #[test]
    fn order_is_newest_first_then_id_then_origin() {
        let mut cs = [
            cand("b", Some("s"), 3),
            cand("a", Some("t"), 3),
            cand("c", Some("s"), 5),
            cand("a", Some("s"), 3),
        ];
        cs.sort_by(feed_order);
        let got: Vec<(&str, &str)> = cs.iter().map(|c| (c.id(), c.origin())).collect();
        assert_eq!(got, vec![("c", "s"), ("a", "s"), ("a", "t"), ("b", "s")]);
    }

    #[test]
    fn dedup_prefers_local_then_earliest_and_credits_the_others() {
        let credits: BTreeMap<String, String> = [
            ("a".to_string(), "https://a.example/".to_string()),
            ("b".to_string(), "https://b.example/".to_string()),
        ]
        .into();
        let mut pa = cand("pa", Some("a"), 5);
        pa.ids = Ids::new(
            pa.handle(),
            pa.id(),
            Some("https://ex.org/story"),
            pa.original_id(),
        );
        let mut pb = cand("pb", Some("b"), 6);
        pb.ids = Ids::new(
            pb.handle(),
            pb.id(),
            Some("https://ex.org/story"),
            pb.original_id(),
        );
        pb.published = Some(day(2));
        let mut pb2 = cand("pb2", Some("b"), 6);
        pb2.ids = Ids::new(
            pb2.handle(),
            pb2.id(),
            pb2.canonical_link(),
            Some("https://ex.org/story"),
        );
        pb2.ids = Ids::new(
            pb2.handle(),
            pb2.id(),
            Some("https://ex.org/story"),
            pb2.original_id(),
        );
        let mut pa_same = cand("pa", Some("a"), 5);
        pa_same.ids = Ids::new(
            "second",
            pa_same.id(),
            pa_same.canonical_link(),
            pa_same.original_id(),
        );
        let other = cand("z", Some("a"), 1);
        let out = dedup(
            vec![
                vec![pa.clone(), pb.clone()],
                vec![pb2, pa_same, other.clone()],
            ],
            &credits,
        );
        // The winners in input order: pb (earliest published of its group) and z.
        assert_eq!(win_ids(&out), vec!["pb", "z"], "earliest published wins");
        assert_eq!(
            out.iter().next().expect("winner").via,
            vec!["https://a.example/"],
            "b not credited on b"
        );
        assert!(out.iter().nth(1).expect("winner").via.is_empty());
        let mut local = cand("l", None, 9);
        local.ids = Ids::new(
            local.handle(),
            local.id(),
            local.canonical_link(),
            Some("tag:x,2026:1"),
        );
        let mut pc = cand("pc", Some("b"), 1);
        pc.ids = Ids::new(
            pc.handle(),
            pc.id(),
            pc.canonical_link(),
            Some("tag:x,2026:1"),
        );
        let out = dedup(vec![vec![pc, local], vec![pa, pb]], &credits);
        assert_eq!(
            win_ids(&out),
            vec!["l", "pb"],
            "local wins whatever its date"
        );
        assert_eq!(
            out.iter().next().expect("winner").via,
            vec!["https://b.example/"]
        );
        assert_eq!(
            out.iter().nth(1).expect("winner").via,
            vec!["https://a.example/"]
        );
    }

    #[test]
    fn keys_of_different_kinds_never_match() {
        let a = cand("https://ex.org/1", Some("s"), 1);
        let mut b = cand("v", Some("s"), 2);
        b.ids = Ids::new(
            b.handle(),
            b.id(),
            Some("https://ex.org/1"),
            b.original_id(),
        );
        let mut c = cand("w", Some("s"), 3);
        c.ids = Ids::new(
            c.handle(),
            c.id(),
            c.canonical_link(),
            Some("https://ex.org/1"),
        );
        let mut d = cand("x", Some("t"), 4);
        d.ids = Ids::new(
            d.handle(),
            d.id(),
            Some("https://ex.org/1"),
            d.original_id(),
        );
        let out = dedup(vec![vec![a, b, c, d]], &BTreeMap::new());
        assert_eq!(win_ids(&out), vec!["https://ex.org/1", "v", "w"]);
    }

    /// `n` candidates whose ids, links and original ids overlap in every way, in the dedup's
    /// order (earliest published first).
    fn overlapping(n: u32) -> Vec<Candidate> {
        (0..n)
            .map(|i| {
                let mut c = cand(
                    &format!("i{}", i % (n * 5 / 6)),
                    Some(["s", "t"][i as usize % 2]),
                    1,
                );
                c.published = Some(day(1) + chrono::Duration::minutes(i64::from(i)));
                let link = (i % 3 != 0).then(|| format!("l{}", i / 4));
                let original = (i % 5 == 0).then(|| format!("o{}", i / 7));
                c.ids = crate::model::Ids::new(
                    c.handle(),
                    c.id(),
                    link.as_deref(),
                    original.as_deref(),
                );
                c
            })
            .collect()
    }

    /// The winners a plain scan finds: candidates in the dedup's order, each the winner of the
    /// first earlier key it shares, by kind.
    fn scanned(cs: &[Candidate]) -> Vec<&str> {
        let mut seen: std::collections::HashMap<(u8, &str), usize> = Default::default();
        let mut winners = Vec::new();
        for (i, c) in cs.iter().enumerate() {
            let keys: Vec<(u8, &str)> = [
                Some((0, c.id())),
                c.canonical_link().map(|l| (1, l)),
                c.original_id().map(|o| (2, o)),
            ]
            .into_iter()
            .flatten()
            .collect();
            let w = keys
                .iter()
                .find_map(|k| seen.get(k).copied())
                .unwrap_or_else(|| {
                    winners.push(c.id());
                    i
                });
            for k in keys {
                seen.entry(k).or_insert(w);
            }
        }
        winners
    }

    /// The tables' answers against a plain scan of every key seen, on more candidates than a
    /// test of a few would fill them with, their keys overlapping in every way: a few hundred
    /// (the keys searched on this thread) and thousands (on two).
    #[test]
    fn many_candidates_dedup_as_a_plain_scan_would() {
        for n in [600, PAR_FROM as u32 * 3 / 2] {
            let cs = overlapping(n);
            let out = dedup(vec![cs.clone()], &BTreeMap::new());
            let winners = scanned(&cs);
            assert!(
                winners.len() > n as usize / 6 && winners.len() < n as usize * 5 / 6,
                "{n}: {}",
                winners.len()
            );
            assert_eq!(win_ids(&out), winners, "{n}");
        }
    }

    #[test]
    fn pool_and_global_age_and_cap() {
        let cs = vec![
            cand("a", Some("s"), 1),
            cand("b", Some("t"), 9),
            cand("c", Some("s"), 5),
            cand("d", Some("s"), 6),
        ];
        let all = pool(vec![cs.clone()], &BTreeMap::new());
        assert_eq!(win_ids(&all), vec!["b", "d", "c", "a"]);
        let got = age_and_cap(&filter(&[], &[], Some(4)), all.iter(), 10);
        assert_eq!(
            got.iter().map(|w| w.id()).collect::<Vec<_>>(),
            vec!["b", "d", "c"]
        );
        let got = age_and_cap(&Filter::default(), all.iter(), 2);
        assert_eq!(got.len(), 2);
        let cfg = Config::parse(
            "[feed]\ntitle = \"T\"\nid = \"tag:t.example.org,2026:f\"\nlink = \"https://t.example.org/\"\n\
             self_url = \"https://t.example.org/f.atom\"\nauthor = { name = \"T\" }\nmax_entries = 2\n\
             [filter]\nmax_age = \"2d\"\n",
            std::path::Path::new("feeds.toml"),
        )
        .expect("config");
        assert_eq!(win_ids(&merge(&cfg, cs, &BTreeMap::new())), vec!["b"]);
    }
}
