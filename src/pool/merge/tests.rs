//! The unit tests of `merge` (in a file of their own: with them `merge` was over 400 lines).

use std::collections::BTreeMap;

use super::*;
use crate::ingest::select::tests::{cand, day, filter};
use crate::model::{Ids, feed_order};

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
            c.ids =
                crate::model::Ids::new(c.handle(), c.id(), link.as_deref(), original.as_deref());
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
