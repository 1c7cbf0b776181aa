//! The combined feed end to end: loopback partners in, a valid, attributed, deterministic feed out.

use std::process::Command;
use std::time::Duration;

use crate::{Reply, Server, Setup, fixture, reparse};

fn partners(server: &Server) -> Vec<(&'static str, String)> {
    server.route(
        "/one.xml",
        vec![Reply::ok(
            fixture("rss2-wordpress.xml"),
            "application/rss+xml",
        )],
    );
    server.route(
        "/two.xml",
        vec![Reply::ok(
            fixture("atom-xmlbase.xml"),
            "application/atom+xml",
        )],
    );
    server.route(
        "/three.xml",
        vec![Reply::ok(fixture("rss1-rdf.xml"), "application/rdf+xml")],
    );
    vec![
        ("One", server.url("/one.xml")),
        ("Two", server.url("/two.xml")),
        ("Three", server.url("/three.xml")),
    ]
}

#[test]
fn every_source_lands_attributed_and_failures_do_not_stop_the_run() {
    let server = Server::start();
    let mut sources = partners(&server);
    server.route("/500.xml", vec![Reply::status(500)]);
    server.route(
        "/slow.xml",
        vec![Reply::fixture("rss1-rdf.xml").delay(Duration::from_secs(6))],
    );
    server.route(
        "/garbage.xml",
        vec![Reply::ok("this is <not a feed", "text/xml")],
    );
    sources.push(("Broken", server.url("/500.xml")));
    sources.push(("Slow", server.url("/slow.xml")));
    sources.push(("Garbage", server.url("/garbage.xml")));
    let s = Setup::new(&sources, "");
    let report = s.run().expect("run publishes");
    assert_eq!(report.exit_code(), 1, "failed sources give exit 1");
    let summary = report.summary();
    for name in ["Broken", "Slow", "Garbage"] {
        assert!(
            summary
                .lines()
                .any(|l| l.starts_with(name) && l.contains("FAILED")),
            "{name} reported: {summary}"
        );
    }
    // Each failure is reported with its reason.
    let line = |name: &str| {
        summary
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_default()
            .to_string()
    };
    assert!(line("Broken").contains("HTTP 500"), "{summary}");
    assert!(
        line("Slow").contains("timed out") || line("Slow").contains("no complete answer"),
        "{summary}"
    );
    assert!(line("Garbage").contains("not a feed"), "{summary}");
    let xml = s.feed();
    let feed = reparse(&xml);
    // 2 + 2 + 2 partner items and one local entry.
    assert_eq!(feed.entries.len(), 7, "{xml}");
    for title in ["Partner One", "Partner Two", "Partner Three"] {
        assert!(
            xml.contains(&format!("<source>\n      <title>{title}</title>")),
            "attribution for {title}"
        );
    }
    // The partner whose guid is not an IRI gets a derived tag: id; the Atom partner keeps its own.
    assert!(xml.contains("<id>tag:two.example.org,2020:e1</id>"));
    assert!(xml.contains("<id>tag:feedbraid,2026:one/guid/"));
    // Links: absolute, tracking stripped, xml:base honoured, enclosure with type and length.
    assert!(
        xml.contains("href=\"https://one.example.org/2026/01/report?id=7\""),
        "{xml}"
    );
    assert!(xml.contains("href=\"https://two.example.org/news/e1.html\""));
    assert!(xml.contains("href=\"https://two.example.org/fr/e2.html\""));
    // Inside HTML too: the feed's xml:base applies to the entry's content.
    assert!(
        xml.contains("href=&quot;https://two.example.org/news/more.html&quot;"),
        "{xml}"
    );
    assert!(xml.contains("<link href=\"https://one.example.org/files/report.pdf\" rel=\"enclosure\" type=\"application/pdf\" length=\"123456\"/>"), "{xml}");
    assert!(xml.contains("src=&quot;https://one.example.org/img/cover.jpg&quot;"));
    assert!(
        !xml.contains("tracker.example.com"),
        "tracking pixel removed"
    );
    // Dates: ICT is +07:00.
    assert!(
        xml.contains("<published>2026-01-05T03:00:00+00:00</published>"),
        "{xml}"
    );
    // Languages on entries.
    assert!(xml.contains("<entry xml:lang=\"fr\">"));
    // Every entry has an id, an author, an alternate link.
    for e in &feed.entries {
        assert!(!e.id.is_empty() && !e.authors.is_empty(), "{e:?}");
        assert!(
            e.links
                .iter()
                .any(|l| l.rel.as_deref() == Some("alternate") && l.href.starts_with("https://"))
        );
    }
}

#[test]
fn two_runs_give_identical_bytes_and_ids() {
    let server = Server::start();
    let s = Setup::new(&partners(&server), "");
    s.run_cold("a").expect("first run");
    let first = s.feed();
    std::fs::remove_file(s.out().join("feed.atom")).expect("rm");
    s.run_cold("b").expect("second run");
    assert_eq!(first, s.feed(), "byte-identical across cold runs");
    let ids: Vec<String> = reparse(&first).entries.into_iter().map(|e| e.id).collect();
    assert_eq!(ids.len(), 7);
}

#[test]
fn source_order_does_not_change_the_output() {
    let server = Server::start();
    let mut sources = partners(&server);
    let a = Setup::new(&sources, "");
    a.run().expect("run a");
    sources.reverse();
    let b = Setup::new(&sources, "");
    b.run().expect("run b");
    assert_eq!(a.feed(), b.feed());
}

#[test]
fn charsets_come_out_as_the_partner_wrote_them() {
    let server = Server::start();
    server.route(
        "/thai.xml",
        vec![Reply::ok(fixture("thai-874.xml"), "application/rss+xml")],
    );
    server.route(
        "/thai-http.xml",
        vec![Reply::ok(
            fixture("thai-874-no-prolog-charset.xml"),
            "application/rss+xml; charset=x-cp874",
        )],
    );
    server.route(
        "/latin.xml",
        vec![Reply::fixture("latin1-declared-utf8.xml")],
    );
    let big5 = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/partners/zi-teng-big5.xml"
    ))
    .expect("big5 sample");
    server.route("/big5.xml", vec![Reply::ok(big5, "text/xml")]);
    let s = Setup::new(
        &[
            ("Thai", server.url("/thai.xml")),
            ("Thai2", server.url("/thai-http.xml")),
            ("Latin", server.url("/latin.xml")),
            ("ZiTeng", server.url("/big5.xml")),
        ],
        "",
    );
    let report = s.run().expect("run");
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
    let xml = s.feed();
    assert_eq!(
        xml.matches("<title>สิทธิของพนักงานบริการ “ข่าว”</title>")
            .count(),
        1,
        "{xml}"
    );
    assert!(xml.contains("<title>Café für Señoras</title>"));
    assert!(xml.contains("紫藤"), "Big5 decoded");
    assert!(xml.contains("<entry xml:lang=\"th\">"));
}

#[test]
fn hostile_feed_is_defused() {
    let server = Server::start();
    server.route("/evil.xml", vec![Reply::fixture("hostile.xml")]);
    let s = Setup::new(&[("Evil", server.url("/evil.xml"))], "");
    let report = s.run().expect("run");
    let xml = s.feed();
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
    let lower = xml.to_lowercase();
    for bad in [
        "&lt;script",
        "onclick",
        "onload",
        "onerror",
        "javascript:",
        "vbscript:",
        "expression(",
        "&lt;iframe",
        "&lt;svg",
        "data:text",
    ] {
        assert!(!lower.contains(bad), "{bad} survived: {xml}");
    }
    assert!(
        !xml.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r')),
        "no control characters"
    );
    assert!(
        xml.contains("<title>Non breaking title withcontrols</title>"),
        "{xml}"
    );
    assert!(xml.contains("<title>Whole document</title>"), "{xml}");
    assert!(server.log().iter().all(|l| l.path != "/never-fetched"));
}

#[test]
fn output_is_accepted_by_python_feedparser_and_expat() {
    let server = Server::start();
    let mut sources = partners(&server);
    server.route("/evil.xml", vec![Reply::fixture("hostile.xml")]);
    sources.push(("Evil", server.url("/evil.xml")));
    let s = Setup::new(&sources, "");
    s.run().expect("run");
    let script = "import sys, feedparser, xml.dom.minidom\n\
                  xml.dom.minidom.parse(sys.argv[1])\n\
                  d = feedparser.parse(sys.argv[1])\n\
                  assert not d.bozo, d.bozo_exception\n\
                  print(len(d.entries))";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(s.out().join("feed.atom"))
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "feedparser/expat rejected the feed (pip install feedparser?): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "9");
}

#[test]
fn shipped_example_runs_offline_with_the_binary() {
    let tmp = tempfile::tempdir().expect("tmp");
    let root = env!("CARGO_MANIFEST_DIR");
    let out = Command::new(env!("CARGO_BIN_EXE_feedbraid"))
        .current_dir(root)
        .args(["run", "--out"])
        .arg(tmp.path().join("out"))
        .arg("--state")
        .arg(tmp.path().join("state.db"))
        .output()
        .expect("binary runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xml = std::fs::read_to_string(tmp.path().join("out/feed.atom")).expect("feed");
    let feed = reparse(&xml);
    assert!(feed.entries.len() >= 30);
    assert!(xml.contains("Zi Teng Newsletter 39"));
    assert!(xml.contains("type=\"application/pdf\""));
    assert!(xml.matches("<source>").count() >= 25);
    let check = Command::new(env!("CARGO_BIN_EXE_feedbraid"))
        .current_dir(root)
        .arg("check")
        .output()
        .expect("check");
    assert_eq!(check.status.code(), Some(0));
    // Golden files: the shipped example's outputs are deterministic (no clock, no network).
    // FEEDBRAID_BLESS=1 cargo test rewrites them after an intended change.
    for name in [
        "feed.atom",
        "feed.json",
        "zh.atom",
        "index.html",
        "th.embed.html",
    ] {
        let got = std::fs::read_to_string(tmp.path().join("out").join(name)).expect("output");
        let golden = std::path::Path::new(root)
            .join("tests/golden")
            .join(format!("shipped-{name}"));
        if std::env::var_os("FEEDBRAID_BLESS").is_some() {
            std::fs::write(&golden, &got).expect("bless");
        }
        let want =
            std::fs::read_to_string(&golden).expect("golden file (FEEDBRAID_BLESS=1 creates it)");
        assert!(
            got == want,
            "{name} differs from {}; rerun with FEEDBRAID_BLESS=1 if the change is intended",
            golden.display()
        );
    }
}

#[test]
fn bad_config_or_unwritable_output_is_fatal_and_keeps_the_old_feed() {
    let server = Server::start();
    let s = Setup::new(&partners(&server), "");
    s.run().expect("good run");
    let before = s.feed();
    let good = std::fs::read_to_string(s.config()).expect("cfg");
    std::fs::write(
        s.config(),
        good.replace("[fetch]", "[fetch]\ntimout = \"1s\""),
    )
    .expect("write");
    let (code, err) = s.cli("run", &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("feeds.toml:10:") && err.contains("fetch.timout"),
        "{err}"
    );
    assert_eq!(before, s.feed(), "previous feed untouched");
    assert_eq!(s.cli("check", &[]).0, Some(2));
    std::fs::write(s.config(), good).expect("write");
    let file_as_dir = s.dir.path().join("not-a-dir");
    std::fs::write(&file_as_dir, "x").expect("write");
    let not_a_dir = file_as_dir.to_str().expect("utf-8 temp path");
    let (code, err) = s.cli("run", &["--out", not_a_dir]);
    assert_eq!(code, Some(2), "{err}");
    assert_eq!(before, s.feed());
}
