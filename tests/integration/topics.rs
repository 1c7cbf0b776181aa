//! A topic's feeds (`tags/SLUG.atom`, `.json`) when a network has many topics: the library makes
//! them a chunk of topics at a time (about 1,024 listed entries a chunk), each chunk's entries
//! loaded and sanitised together, its feeds staged with their gzip copies.

use std::collections::BTreeSet;
use std::io::Read;

use crate::{Reply, Server, Setup};

const TOPICS: usize = 12;

/// The topics of item `i`: three of [`TOPICS`].
fn topics_of(i: usize) -> [usize; 3] {
    [i % TOPICS, (i + 1) % TOPICS, (i + 5) % TOPICS]
}

/// An RSS feed of `n` items from `host`, item `i` published `i` minutes before the newest of
/// the other host's (the hosts interleave), each with markup to sanitise.
fn rss(host: &str, n: usize, offset: usize) -> Vec<u8> {
    let mut x = format!(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>{host}</title><link>https://{host}/</link>\n"
    );
    for i in 0..n {
        let minutes = 2 * i + offset;
        let cats: String = topics_of(i)
            .iter()
            .map(|t| format!("<category>topic {t}</category>"))
            .collect();
        x.push_str(&format!(
            "<item><title>{host} item {i}</title><link>https://{host}/{i}</link><guid>https://{host}/{i}</guid>\
             <pubDate>Sat, 28 Mar 2026 {:02}:{:02}:00 GMT</pubDate>{cats}\
             <description><![CDATA[<p onclick=\"x()\">Item {i}</p><script>track()</script>]]></description></item>\n",
            23 - minutes / 60,
            59 - minutes % 60
        ));
    }
    x.push_str("</channel></rss>\n");
    x.into_bytes()
}

/// Description: two partners of 300 items, each item in three of 12 topics (150 entries a
/// topic), the feeds capped at 100: the topics' feeds list 1,200 entries, more than a chunk,
/// and most entries are in topics of both chunks.
/// Expect: every topic's Atom and JSON Feed carries its 100 newest entries, newest first,
/// sanitised, with a gzip copy of the same bytes; each entry some feed carries is sanitised
/// once (`status.json`), however many topics in however many chunks carry it.
#[test]
fn every_topic_of_many_gets_its_newest_entries_each_sanitised_once() {
    let server = Server::start();
    for (path, host, offset) in [("/a", "a.example.org", 0), ("/b", "b.example.org", 1)] {
        server.route(
            path,
            vec![Reply::ok(rss(host, 300, offset), "application/rss+xml")],
        );
    }
    let s = Setup::new(&[("A", server.url("/a")), ("B", server.url("/b"))], "");
    s.cap_entries(100);
    let report = s.run().expect("run");
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
    let out = s.out();
    let read = |f: &str| std::fs::read_to_string(out.join(f)).expect(f);
    let ids = |f: &str| -> Vec<String> {
        crate::reparse(&read(f))
            .entries
            .into_iter()
            .map(|e| e.id)
            .collect()
    };
    // Newest first: minute 0 of A, minute 1 of B, minute 2 of A (item 1), ...
    let newest_first: Vec<(usize, String)> = (0..600)
        .map(|m| {
            let (host, i) = if m % 2 == 0 {
                ("a", m / 2)
            } else {
                ("b", m / 2)
            };
            (i, format!("https://{host}.example.org/{i}"))
        })
        .collect();
    let mut carried: BTreeSet<String> = ids("feed.atom").into_iter().collect();
    for t in 0..TOPICS {
        let want: Vec<String> = newest_first
            .iter()
            .filter(|(i, _)| topics_of(*i).contains(&t))
            .map(|(_, id)| id.clone())
            .take(100)
            .collect();
        let atom = format!("tags/topic-{t}.atom");
        assert_eq!(ids(&atom), want, "{atom}");
        let json: serde_json::Value =
            serde_json::from_str(&read(&format!("tags/topic-{t}.json"))).expect("json");
        let json_ids: Vec<&str> = json["items"]
            .as_array()
            .expect("items")
            .iter()
            .filter_map(|i| i["id"].as_str())
            .collect();
        assert_eq!(json_ids, want, "topic {t}'s JSON Feed");
        let text = read(&atom);
        assert!(
            !text.contains("script") && !text.contains("onclick"),
            "{atom} sanitised"
        );
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(
            std::fs::File::open(out.join(format!("{atom}.gz"))).expect("copy"),
        )
        .read_to_string(&mut unzipped)
        .expect("gunzip");
        assert_eq!(unzipped, text, "{atom}.gz");
        carried.extend(want);
    }
    let status: serde_json::Value = serde_json::from_str(&read("status.json")).expect("status");
    assert_eq!(
        status["cleaned"]["sanitised"].as_u64(),
        Some(carried.len() as u64),
        "each carried entry sanitised once"
    );
}
