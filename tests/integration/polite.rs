//! Memory between runs: conditional GET, back-off, outages, redirects, caps and the run lock.

use feedbraid::ingest::report::Status;
use feedbraid::ops::Fatal;
use feedbraid::ops::run::{self, RunOptions};

use crate::{Reply, Server, Setup, fixture};

fn status_of<'a>(r: &'a feedbraid::ops::report::RunReport, name: &str) -> &'a Status {
    &r.sources
        .iter()
        .find(|s| s.name == name)
        .expect("source in report")
        .status
}

#[test]
fn second_run_is_conditional_and_leaves_the_feed_untouched() {
    let server = Server::start();
    server.route(
        "/one.xml",
        vec![Reply::ok(fixture("rss2-wordpress.xml"), "application/rss+xml").etag("\"v1\"")],
    );
    let s = Setup::new(&[("One", server.url("/one.xml"))], "");
    let r1 = s.run().expect("run 1");
    assert_eq!(r1.exit_code(), 0);
    let mtime = std::fs::metadata(s.out().join("feed.atom"))
        .and_then(|m| m.modified())
        .expect("mtime");
    let before = s.feed();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let r2 = s.run().expect("run 2");
    assert_eq!(r2.exit_code(), 0);
    assert_eq!(status_of(&r2, "One"), &Status::NotModified);
    // A 304's candidates are its stored items, taken once every source has answered: counted
    // in its report as the fetch that stored them counted them.
    let entries = |r: &feedbraid::ops::report::RunReport| r.sources[0].entries;
    assert!(entries(&r1) > 0);
    assert_eq!(entries(&r2), entries(&r1));
    let reqs = server.requests_to("/one.xml");
    assert_eq!(reqs.len(), 2);
    assert_eq!(
        reqs[1].headers.get("if-none-match").map(String::as_str),
        Some("\"v1\"")
    );
    assert_eq!(reqs[1].status, 304);
    assert!(
        reqs[0]
            .headers
            .get("user-agent")
            .is_some_and(|u| u.starts_with("feedbraid/"))
    );
    assert_eq!(before, s.feed());
    let mtime2 = std::fs::metadata(s.out().join("feed.atom"))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(mtime, mtime2, "unchanged feed is not rewritten");
}

#[test]
fn outage_keeps_last_good_entries_and_exits_1() {
    let server = Server::start();
    server.route(
        "/one.xml",
        vec![
            Reply::ok(fixture("rss2-wordpress.xml"), "application/rss+xml"),
            Reply::status(500),
        ],
    );
    let s = Setup::new(&[("One", server.url("/one.xml"))], "");
    assert_eq!(s.run().expect("run 1").exit_code(), 0);
    let before = s.feed();
    let r2 = s.run().expect("run 2");
    assert_eq!(r2.exit_code(), 1);
    assert!(matches!(status_of(&r2, "One"), Status::Failed(r) if r.contains("500")));
    assert_eq!(before, s.feed(), "entries kept during the outage");
    // The failure schedules a back-off: the third run does not ask again, still publishes.
    let r3 = s.run().expect("run 3");
    assert!(matches!(status_of(&r3, "One"), Status::BackingOff(_)));
    assert_eq!(server.requests_to("/one.xml").len(), 2);
    assert_eq!(before, s.feed());
}

#[test]
fn retry_after_is_honoured_across_runs() {
    let server = Server::start();
    server.route(
        "/busy.xml",
        vec![Reply::status(429).header("Retry-After", "3600")],
    );
    let s = Setup::new(&[("Busy", server.url("/busy.xml"))], "");
    assert_eq!(s.run().expect("run 1").exit_code(), 1);
    let r2 = s.run().expect("run 2");
    assert_eq!(
        server.requests_to("/busy.xml").len(),
        1,
        "no request before Retry-After expires"
    );
    let next = r2.sources[0].next_fetch.expect("next fetch");
    assert!(next > chrono::Utc::now() + chrono::Duration::minutes(55));
}

#[test]
fn gone_permanent_redirect_and_oversized_are_reported() {
    let server = Server::start();
    server.route("/gone.xml", vec![Reply::status(410)]);
    server.route(
        "/old.xml",
        vec![Reply::status(301).header("Location", "/older.xml")],
    );
    server.route(
        "/older.xml",
        vec![Reply::status(308).header("Location", "/new.xml")],
    );
    server.route("/new.xml", vec![Reply::fixture("rss1-rdf.xml")]);
    server.route(
        "/temp.xml",
        vec![Reply::status(302).header("Location", "/new.xml")],
    );
    let big = format!(
        "<rss version=\"2.0\"><channel><title>{}</title></channel></rss>",
        "x".repeat(50_000)
    );
    server.route("/big.xml", vec![Reply::ok(big, "text/xml")]);
    let s = Setup::new(
        &[
            ("Gone", server.url("/gone.xml")),
            ("Moved", server.url("/old.xml")),
            ("Temp", server.url("/temp.xml")),
            ("Big", server.url("/big.xml")),
        ],
        "max_bytes = 20000",
    );
    let r = s.run().expect("run");
    assert_eq!(r.exit_code(), 1);
    assert_eq!(status_of(&r, "Gone"), &Status::Gone);
    let moved = r.sources.iter().find(|x| x.name == "Moved").expect("moved");
    assert_eq!(
        moved.moved_to.as_deref(),
        Some(server.url("/new.xml").as_str())
    );
    assert!(moved.line().contains("update feeds.toml"));
    assert_eq!(
        r.sources
            .iter()
            .find(|x| x.name == "Temp")
            .expect("temp")
            .moved_to,
        None,
        "302 is followed silently"
    );
    assert!(matches!(status_of(&r, "Big"), Status::Failed(m) if m.contains("cap")));
    let r2 = s.run().expect("run 2");
    assert_eq!(status_of(&r2, "Gone"), &Status::Gone, "reported every run");
    assert_eq!(
        server.requests_to("/gone.xml").len(),
        1,
        "a gone feed is not asked again"
    );
    let status: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.out().join("status.json")).expect("status.json"))
            .expect("json");
    assert_eq!(status["sources"][0]["status"], "gone");
}

#[test]
fn a_second_concurrent_run_is_refused() {
    let server = Server::start();
    server.route("/one.xml", vec![Reply::fixture("rss2-wordpress.xml")]);
    let s = Setup::new(&[("One", server.url("/one.xml"))], "");
    let cfg = run::load_config(&RunOptions {
        config: s.config(),
        ..RunOptions::default()
    })
    .expect("cfg");
    let held = run::lock(&cfg.state_path).expect("first lock");
    let err = run::run(&RunOptions {
        config: s.config(),
        ..RunOptions::default()
    })
    .expect_err("refused");
    assert!(matches!(err, Fatal::Locked(_)));
    assert_eq!(err.exit_code(), 1);
    drop(held);
    assert!(s.run().is_ok(), "the lock is free again");
}

#[test]
fn offline_rebuild_uses_state_only() {
    let server = Server::start();
    server.route("/one.xml", vec![Reply::fixture("rss2-wordpress.xml")]);
    let s = Setup::new(&[("One", server.url("/one.xml"))], "");
    s.run().expect("run");
    let before = s.feed();
    std::fs::remove_file(s.out().join("feed.atom")).expect("rm");
    server.clear_log();
    assert_eq!(s.run_offline().expect("offline").exit_code(), 0);
    assert!(server.log().is_empty(), "no request offline");
    assert_eq!(before, s.feed());
    let table = feedbraid::ops::status::table(
        &feedbraid::ops::status::rows(&RunOptions {
            config: s.config(),
            ..RunOptions::default()
        })
        .expect("status"),
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("One") && l.contains("ok")),
        "{table}"
    );
}

#[test]
fn new_validators_are_stored_even_when_the_body_is_unchanged() {
    let server = Server::start();
    let body = || Reply::fixture("rss1-rdf.xml");
    server.route(
        "/v.xml",
        vec![
            body().etag("\"v1\""),
            body().etag("\"v2\""),
            body().etag("\"v2\""),
        ],
    );
    let s = Setup::new(&[("V", server.url("/v.xml"))], "");
    for _ in 0..3 {
        assert_eq!(s.run().expect("run").exit_code(), 0);
    }
    let reqs = server.requests_to("/v.xml");
    let sent: Vec<Option<&str>> = reqs
        .iter()
        .map(|r| r.headers.get("if-none-match").map(String::as_str))
        .collect();
    assert_eq!(sent, vec![None, Some("\"v1\""), Some("\"v2\"")]);
    assert_eq!(
        reqs.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![200, 200, 304]
    );
}
