//! RFC 5005 archives end to end, over loopback with a settable clock (`RunOptions::now`): a
//! simulated year of weekly runs, partners adding items (one in a batch larger than
//! `max_entries`, one dated in a month already closed) while serving only their newest items.
//! Every item that ever appeared is then in exactly one archive document (the newest in `feed.atom`
//! too); a walker
//! following `prev-archive` from `feed.atom` finds them all; closed months never change; every
//! archive is valid Atom to the project's checker, xmllint and feedparser. A withdrawal rewrites
//! the closed month that carried the entry (tombstone in place of the entry) and nothing else.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::{Reply, Server, Setup, reparse};

const BASE: &str = "https://test.example.org/";

/// One partner item: guid, link, date.
type Item = (String, String, DateTime<Utc>);

fn rss(items: &[Item]) -> Vec<u8> {
    let mut x = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>P</title><link>https://p.example.org/</link>",
    );
    for (guid, link, d) in items {
        x.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>Item {guid}</title><link>{link}</link>\
             <pubDate>{}</pubDate><description>Text of {guid}</description></item>",
            d.to_rfc2822()
        ));
    }
    x.push_str("</channel></rss>");
    x.into_bytes()
}

/// A network with two partners, `max_entries = 5` and archives on.
fn setup(server: &Server) -> Setup {
    let s = Setup::new(
        &[
            ("Alpha", server.url("/alpha")),
            ("Beta", server.url("/beta")),
        ],
        "",
    );
    s.cap_entries(5);
    s.append("\n[archive]\nenabled = true\n");
    s
}

fn run_at(s: &Setup, now: DateTime<Utc>) {
    let report = s
        .run_at(now, false)
        .unwrap_or_else(|e| panic!("run at {now}: {e}"));
    assert!(report.entries <= 5, "feed.atom is capped");
}

/// The archive documents on disk, by file name.
fn archives(out: &Path) -> BTreeMap<String, String> {
    let dir = out.join("archive");
    let Ok(list) = std::fs::read_dir(&dir) else {
        return BTreeMap::new();
    };
    list.map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "atom"))
        .map(|p| {
            (
                p.file_name().expect("name").to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).expect("read"),
            )
        })
        .collect()
}

/// Entry links of one document, in order.
fn links_of(xml: &str) -> Vec<String> {
    reparse(xml)
        .entries
        .iter()
        .map(|e| {
            e.links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .map(|l| l.href.clone())
                .expect("entry link")
        })
        .collect()
}

fn rel(xml: &str, rel: &str) -> Option<String> {
    reparse(xml)
        .links
        .iter()
        .find(|l| l.rel.as_deref() == Some(rel))
        .map(|l| l.href.clone())
}

fn local_file(out: &Path, href: &str) -> PathBuf {
    out.join(href.strip_prefix(BASE).expect("a URL of ours"))
}

/// RFC 5005 §4: from the subscription document, follow `prev-archive` to the end. Returns the
/// entry links of every document, and how many archive documents were visited.
fn walk(out: &Path) -> (Vec<String>, usize) {
    let feed = std::fs::read_to_string(out.join("feed.atom")).expect("feed.atom");
    let mut links = links_of(&feed);
    let mut seen = HashSet::new();
    let mut next = rel(&feed, "prev-archive");
    while let Some(href) = next {
        assert!(seen.insert(href.clone()), "the chain loops at {href}");
        let doc = std::fs::read_to_string(local_file(out, &href)).expect("archive exists");
        assert!(
            doc.contains("<fh:archive"),
            "{href} is marked as an archive"
        );
        assert_eq!(
            rel(&doc, "current").as_deref(),
            Some("https://test.example.org/feed.atom")
        );
        links.extend(links_of(&doc));
        next = rel(&doc, "prev-archive");
        if let Some(p) = &next {
            let older = std::fs::read_to_string(local_file(out, p)).expect("older archive");
            assert_eq!(rel(&older, "next-archive").as_deref(), Some(href.as_str()));
        }
    }
    (links, seen.len())
}

fn valid_everywhere(out: &Path, docs: &BTreeMap<String, String>) {
    let paths: Vec<PathBuf> = docs.keys().map(|n| out.join("archive").join(n)).collect();
    crate::atom_accepted_everywhere(&paths, false);
}

#[test]
fn a_simulated_year_archives_every_item_and_closed_months_never_change() {
    let server = Server::start();
    let s = setup(&server);
    let start = Utc
        .with_ymd_and_hms(2026, 1, 2, 9, 0, 0)
        .single()
        .expect("date");
    let (mut alpha, mut beta): (Vec<Item>, Vec<Item>) = (Vec::new(), Vec::new());
    let mut ever: HashSet<String> = HashSet::new();
    let mut frozen: HashMap<String, String> = HashMap::new();
    for week in 0..52i64 {
        let now = start + Duration::weeks(week);
        for k in 0..2 {
            let n = alpha.len();
            alpha.push((
                format!("a{n}"),
                format!("https://alpha.example.org/{n}"),
                now - Duration::hours(1 + 30 * k),
            ));
        }
        if week == 10 {
            // A batch larger than max_entries: most never show in feed.atom.
            for n in 0..12 {
                beta.push((
                    format!("b{n}"),
                    format!("https://beta.example.org/{n}"),
                    now - Duration::hours(n + 2),
                ));
            }
        }
        if week == 30 {
            // A late arrival dated three months back, in a month already closed.
            beta.push((
                "late".into(),
                "https://beta.example.org/late".into(),
                now - Duration::days(90),
            ));
        }
        // Partners serve only their newest items: older ones leave the state database.
        let newest = |v: &[Item], n: usize| v[v.len().saturating_sub(n)..].to_vec();
        let (a, b) = (newest(&alpha, 6), newest(&beta, 14));
        server.route("/alpha", vec![Reply::ok(rss(&a), "application/rss+xml")]);
        server.route("/beta", vec![Reply::ok(rss(&b), "application/rss+xml")]);
        ever.extend(a.iter().chain(&b).map(|i| i.1.clone()));
        run_at(&s, now);
        ever.extend(links_of(&s.feed()));
        assert!(
            rel(&s.feed(), "prev-archive").is_some(),
            "feed.atom links the archives"
        );
        // A month closes seven days (the default grace) after its end, and is never written again.
        for (name, xml) in archives(&s.out()) {
            let m = feedbraid::publish::archive::Month::parse(name.trim_end_matches(".atom"))
                .expect("month");
            if now >= m.next().start() + Duration::days(7) {
                let before = frozen.entry(name.clone()).or_insert_with(|| xml.clone());
                assert_eq!(before, &xml, "{name} changed after it closed (week {week})");
            }
        }
    }
    assert!(ever.len() > 100, "the year produced items: {}", ever.len());

    // Every item is in exactly one month's document; feed.atom carries the newest as well.
    let docs = archives(&s.out());
    let mut count: HashMap<String, usize> = HashMap::new();
    for l in docs.values().flat_map(|x| links_of(x)) {
        *count.entry(l).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "in two archive documents: {twice:?}");
    let found: HashSet<String> = count.into_keys().collect();
    let feed_links = links_of(&s.feed());
    assert_eq!(feed_links.len(), 5, "feed.atom carries max_entries entries");
    let missing: Vec<_> = ever.difference(&found).collect();
    assert!(missing.is_empty(), "unreachable: {missing:?}");
    assert_eq!(found, ever);

    // The batch of twelve and the late item are archived; the late one under the month it
    // arrived in (week 30: 2026-07-31), not the closed month it is dated in.
    let late = &docs["2026-07.atom"];
    assert!(links_of(late).contains(&"https://beta.example.org/late".to_string()));
    // Months are an unbroken chain from the local entry's 2025-12 to the clock's 2026-12.
    assert_eq!(docs.len(), 13, "{:?}", docs.keys());

    // The walker from feed.atom finds every item, visiting every archive once.
    let (walked, visited) = walk(&s.out());
    assert_eq!(visited, docs.len());
    assert_eq!(
        walked.len(),
        ever.len() + feed_links.len(),
        "every item once in the archives, the newest also in feed.atom"
    );
    assert_eq!(walked.into_iter().collect::<HashSet<_>>(), ever);

    valid_everywhere(&s.out(), &docs);
    // The oldest has no prev-archive, the newest no next-archive.
    assert_eq!(rel(&docs["2025-12.atom"], "prev-archive"), None);
    assert_eq!(rel(&docs["2026-12.atom"], "next-archive"), None);
}

#[test]
fn a_withdrawal_rewrites_only_the_closed_month_that_carried_the_entry_and_undo_restores_it() {
    let server = Server::start();
    let s = setup(&server);
    let at = |m: u32, d: u32| {
        Utc.with_ymd_and_hms(2026, m, d, 9, 0, 0)
            .single()
            .expect("date")
    };
    let items: Vec<Item> = vec![
        ("a0".into(), "https://alpha.example.org/0".into(), at(1, 5)),
        ("a1".into(), "https://alpha.example.org/1".into(), at(1, 6)),
        ("a2".into(), "https://alpha.example.org/2".into(), at(2, 3)),
    ];
    server.route(
        "/alpha",
        vec![Reply::ok(rss(&items[..2]), "application/rss+xml")],
    );
    server.route("/beta", vec![Reply::ok(rss(&[]), "application/rss+xml")]);
    run_at(&s, at(1, 10));
    server.route(
        "/alpha",
        vec![Reply::ok(rss(&items), "application/rss+xml")],
    );
    run_at(&s, at(2, 20));
    let before = archives(&s.out());
    let january = &before["2026-01.atom"];
    assert_eq!(
        links_of(january),
        ["https://alpha.example.org/1", "https://alpha.example.org/0"]
    );
    // January is closed; feed.atom still carries the newest entries, January's among them.
    assert_eq!(
        links_of(&s.feed()),
        [
            "https://alpha.example.org/2",
            "https://alpha.example.org/1",
            "https://alpha.example.org/0",
            "https://test.example.org/own-report"
        ]
    );
    let id = reparse(january)
        .entries
        .iter()
        .find(|e| e.links.iter().any(|l| l.href.ends_with("/0")))
        .map(|e| e.id.clone())
        .expect("a0 archived");

    std::fs::write(
        s.dir.path().join("withdrawn.toml"),
        format!("[[withdrawn]]\nid = \"{id}\"\nwhen = \"2026-02-21T08:00:00Z\"\nreason = \"At the partner's request\"\n"),
    )
    .expect("withdraw");
    run_at(&s, at(2, 21));
    let after = archives(&s.out());
    let january = &after["2026-01.atom"];
    assert_eq!(links_of(january), ["https://alpha.example.org/1"]);
    assert!(january.contains(&format!(
        "<at:deleted-entry ref=\"{id}\" when=\"2026-02-21T08:00:00Z\">"
    )));
    assert!(
        january.contains("At the partner&apos;s request")
            || january.contains("At the partner's request")
    );
    // Nothing else changed, and the entry is nowhere.
    for (name, xml) in &after {
        if name != "2026-01.atom" {
            assert_eq!(Some(xml), before.get(name), "{name} changed");
        }
        assert!(!links_of(xml).contains(&"https://alpha.example.org/0".to_string()));
    }
    assert!(!s.feed().contains("alpha.example.org/0"));
    valid_everywhere(&s.out(), &after);

    std::fs::remove_file(s.dir.path().join("withdrawn.toml")).expect("undo");
    run_at(&s, at(2, 22));
    assert_eq!(
        archives(&s.out()),
        before,
        "undo restores the archive byte for byte"
    );
}

/// Description: with archives on, an entry of a closed month stays in every feed while it is
/// among the newest (issue 21: the shipped example with archives published an empty feed.atom).
/// Expect: an entry from two months ago is in feed.atom, in the Alpha view and in an archive.
#[test]
fn closed_months_stay_in_feed_atom_while_their_entries_are_among_the_newest() {
    let server = Server::start();
    let now = Utc.with_ymd_and_hms(2026, 5, 20, 12, 0, 0).unwrap();
    let items: Vec<Item> = [60, 2]
        .iter()
        .map(|d| {
            (
                format!("a{d}"),
                format!("https://alpha.example.org/{d}"),
                now - Duration::days(*d),
            )
        })
        .collect();
    server.route(
        "/alpha",
        vec![Reply::ok(rss(&items), "application/rss+xml")],
    );
    server.route("/beta", vec![Reply::ok(rss(&[]), "application/rss+xml")]);
    let s = setup(&server);
    s.append("\n[[view]]\nname = \"alpha\"\ntitle = \"Alpha\"\nsources = [\"Alpha\"]\n");
    run_at(&s, now);
    let old = "https://alpha.example.org/60".to_string();
    assert!(
        links_of(&s.feed()).contains(&old),
        "an entry of a closed month left feed.atom"
    );
    assert!(
        archives(&s.out())
            .values()
            .any(|x| links_of(x).contains(&old)),
        "and is archived"
    );
    let view = std::fs::read_to_string(s.out().join("alpha.atom")).expect("view");
    assert!(rel(&s.feed(), "prev-archive").is_some());
    assert_eq!(rel(&view, "prev-archive"), None, "a view links no archive");
    let links = links_of(&view);
    assert!(
        links.contains(&old) && links.contains(&"https://alpha.example.org/2".to_string()),
        "{links:?}"
    );
}

/// Description: the shipped example with `[archive] enabled = true`, run by the binary (issue 21:
/// this published a `feed.atom` with 0 entries and a page saying "No entries yet").
/// Expect: feed.atom carries as many entries as without archives, the newest first; index.html
/// lists them; the archive documents exist.
#[test]
fn the_shipped_example_with_archives_publishes_its_newest_entries() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("tmp");
    std::fs::create_dir_all(tmp.path().join("examples")).expect("mkdir");
    let copy = std::process::Command::new("cp")
        .arg("-r")
        .arg(root.join("examples/partners"))
        .arg(tmp.path().join("examples/"))
        .status()
        .expect("cp");
    assert!(copy.success());
    let shipped = std::fs::read_to_string(root.join("feeds.toml")).expect("feeds.toml");
    let run = |config: &str, name: &str| {
        let dir = tmp.path().join(name);
        std::fs::write(tmp.path().join(format!("{name}.toml")), config).expect("config");
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_feedbraid"))
            .arg("run")
            .arg("--config")
            .arg(tmp.path().join(format!("{name}.toml")))
            .arg("--out")
            .arg(dir.join("out"))
            .arg("--state")
            .arg(dir.join("state.db"))
            .output()
            .expect("binary runs");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        dir.join("out")
    };
    let plain = run(&shipped, "plain");
    let archived = run(
        &format!("{shipped}\n[archive]\nenabled = true\n"),
        "archived",
    );
    let entries =
        |out: &Path| links_of(&std::fs::read_to_string(out.join("feed.atom")).expect("feed.atom"));
    let with = entries(&archived);
    assert!(with.len() >= 30, "feed.atom carries {} entries", with.len());
    assert_eq!(
        with,
        entries(&plain),
        "the same newest entries as without archives"
    );
    let page = std::fs::read_to_string(archived.join("index.html")).expect("index.html");
    assert!(
        !page.contains("No entries yet"),
        "the page says there is nothing"
    );
    assert_eq!(page.matches("<article>").count(), with.len());
    assert!(!archives(&archived).is_empty(), "archive documents written");
    // Each archive document links to its human twin, which exists (issue 22).
    for (name, xml) in archives(&archived) {
        let html = name.replace(".atom", ".html");
        assert!(
            xml.contains(&format!(
                "href=\"https://swrn.example.org/archive/{html}\" rel=\"alternate\" type=\"text/html\""
            )) || xml.contains(&format!("archive/{html}")),
            "{name} does not link to {html}"
        );
        assert!(
            archived.join("archive").join(&html).is_file(),
            "{html} missing"
        );
    }
}
