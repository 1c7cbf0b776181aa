//! Crashes and outages over time: a killed run (a first one too), a crash between the state
//! commit and the publish, freshness hints across runs, and the grace period.

use std::time::Duration;

use feedbraid::ingest::report::Status;

use crate::{Reply, Server, Setup, fixture, reparse};

#[test]
fn a_killed_run_leaves_state_and_output_usable() {
    let server = Server::start();
    server.route(
        "/one.xml",
        vec![Reply::fixture("rss2-wordpress.xml").etag("\"a\"")],
    );
    let rdf = || Reply::fixture("rss1-rdf.xml");
    // Fast for the first run, stalled while the second run is killed, fast again afterwards.
    server.route(
        "/slow.xml",
        vec![rdf(), rdf().delay(Duration::from_secs(2)), rdf()],
    );
    let s = Setup::new(
        &[
            ("One", server.url("/one.xml")),
            ("Slow", server.url("/slow.xml")),
        ],
        "",
    );
    s.run().expect("a first good run");
    let before = s.feed();
    let mut child = s.command("run", &[]).spawn().expect("spawn");
    // Killed while its slow source is being answered.
    server.wait_for("/slow.xml", 2);
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    assert_eq!(
        before,
        s.feed(),
        "the killed run published nothing half-written"
    );
    let leftovers: Vec<_> = std::fs::read_dir(s.out())
        .expect("out")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "no temp files left in output/");
    let r = s
        .run()
        .expect("the next run is not blocked by a stale lock");
    assert_eq!(r.exit_code(), 0, "{}", r.summary());
    assert_eq!(reparse(&s.feed()).entries.len(), 5);
}

#[test]
fn a_first_run_killed_while_it_builds_its_state_leaves_no_state_and_the_next_builds_it() {
    // Description: the very first run is killed while its slow source is answered, its state
    // being built without SQLite's log under a name of its own. Expect: nothing under the
    // state's name and nothing published; the next run removes the killed one's file, builds
    // the state, puts it in place (in WAL mode, like every state) and publishes.
    let server = Server::start();
    server.route("/one.xml", vec![Reply::fixture("rss2-wordpress.xml")]);
    let rdf = || Reply::fixture("rss1-rdf.xml");
    server.route(
        "/slow.xml",
        vec![rdf().delay(Duration::from_secs(3)), rdf()],
    );
    let s = Setup::new(
        &[
            ("One", server.url("/one.xml")),
            ("Slow", server.url("/slow.xml")),
        ],
        "",
    );
    let mut child = s.command("run", &[]).spawn().expect("spawn");
    server.wait_for("/slow.xml", 1);
    server.wait_for("/one.xml", 1);
    child.kill().expect("kill -9");
    child.wait().expect("reaped");
    let dir = s.dir.path().join(".feedbraid");
    let names = || -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(&dir)
            .expect("the state's folder")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    assert_eq!(names(), ["state.db.building", "state.lock"], "no state.db");
    assert!(!s.out().join("feed.atom").exists(), "nothing published");

    let r = s.run().expect("the next run");
    assert_eq!(r.exit_code(), 0, "{}", r.summary());
    assert_eq!(reparse(&s.feed()).entries.len(), 5);
    assert!(
        !names().iter().any(|n| n.contains("building")),
        "{:?}",
        names()
    );
    let db = rusqlite::Connection::open(dir.join("state.db")).expect("open");
    let mode: String = db
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "wal");
    let sources: i64 = db
        .query_row("SELECT COUNT(*) FROM sources", [], |r| r.get(0))
        .expect("count");
    assert_eq!(sources, 2);
}

#[test]
fn a_crash_between_state_commit_and_publish_heals_on_the_next_run() {
    let server = Server::start();
    server.route(
        "/one.xml",
        vec![Reply::fixture("rss2-wordpress.xml").etag("\"a\"")],
    );
    let s = Setup::new(&[("One", server.url("/one.xml"))], "");
    // feed.atom is a folder: the state is committed, then publishing fails (exit 2).
    std::fs::create_dir_all(s.out().join("feed.atom")).expect("mkdir");
    let (code, err) = s.cli("run", &[]);
    assert_eq!(code, Some(2), "{err}");
    std::fs::remove_dir(s.out().join("feed.atom")).expect("rmdir");
    // The next run gets a 304 and must still publish the stored entries.
    let r = s.run().expect("run");
    assert_eq!(r.sources[0].status, Status::NotModified);
    assert_eq!(
        reparse(&s.feed()).entries.len(),
        3,
        "two stored partner entries and the local one"
    );
}

#[test]
fn cache_control_and_ttl_delay_the_next_fetch() {
    let server = Server::start();
    server.route(
        "/cc.xml",
        vec![Reply::fixture("rss1-rdf.xml").header("Cache-Control", "public, max-age=7200")],
    );
    let ttl = String::from_utf8(fixture("rss2-wordpress.xml"))
        .expect("utf8")
        .replace(
            "<language>en</language>",
            "<language>en</language><ttl>180</ttl>",
        );
    server.route("/ttl.xml", vec![Reply::ok(ttl, "text/xml")]);
    let s = Setup::new(
        &[
            ("CC", server.url("/cc.xml")),
            ("TTL", server.url("/ttl.xml")),
        ],
        "",
    );
    s.run().expect("run 1");
    let r = s.run().expect("run 2");
    assert_eq!(r.exit_code(), 0, "not due is not a failure");
    assert!(
        r.sources
            .iter()
            .all(|x| matches!(x.status, Status::NotDue(_))),
        "{}",
        r.summary()
    );
    assert_eq!(server.requests_to("/cc.xml").len(), 1);
    assert_eq!(server.requests_to("/ttl.xml").len(), 1);
    assert_eq!(
        reparse(&s.feed()).entries.len(),
        5,
        "stored entries still published"
    );
}

/// Description: a freshness hint makes the source due again at exactly the instant it names:
/// one second before it the stored entries are published, at it the partner is fetched.
/// Expect: 1 request at T + 7199 s (not due), 2 at T + 7200 s.
#[test]
fn a_source_is_due_again_at_the_instant_its_hint_names() {
    use chrono::{TimeZone, Utc};
    let server = Server::start();
    server.route(
        "/cc.xml",
        vec![Reply::fixture("rss1-rdf.xml").header("Cache-Control", "public, max-age=7200")],
    );
    let s = Setup::new(&[("CC", server.url("/cc.xml"))], "");
    let t = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    let at = |secs: i64| {
        s.run_at(t + chrono::Duration::seconds(secs), false)
            .expect("run")
    };
    at(0);
    let r = at(7199);
    assert!(
        matches!(r.sources[0].status, Status::NotDue(_)),
        "{}",
        r.summary()
    );
    assert_eq!(server.requests_to("/cc.xml").len(), 1);
    let names = rusqlite::Connection::open(s.dir.path().join(".feedbraid/state.db"))
        .expect("state")
        .prepare("SELECT name, last_attempt FROM sources")
        .expect("query")
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
        .expect("rows")
        .collect::<Result<Vec<_>, _>>()
        .expect("rows");
    assert_eq!(
        names,
        vec![("CC".to_string(), t.to_rfc3339())],
        "a source that is not due keeps its state row as it was, under its own name"
    );
    let r = at(7200);
    assert!(
        !matches!(r.sources[0].status, Status::NotDue(_)),
        "{}",
        r.summary()
    );
    assert_eq!(
        server.requests_to("/cc.xml").len(),
        2,
        "due at the instant itself"
    );
}

/// Description: `--offline` publishes what the state holds however old it is: the grace period
/// is for sources that fail, and an offline run fetches nothing, so nothing failed.
/// Expect: the entries of a source last fetched 60 days ago are published, with no warning.
#[test]
fn an_offline_run_publishes_stored_entries_past_the_grace_period() {
    use chrono::{TimeZone, Utc};
    let server = Server::start();
    server.route("/r.xml", vec![Reply::fixture("rss1-rdf.xml")]);
    let s = Setup::new(&[("R", server.url("/r.xml"))], "");
    let t = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
    let run = |days: i64, offline: bool| {
        s.run_at(t + chrono::Duration::days(days), offline)
            .expect("run")
    };
    let fetched = run(0, false).entries;
    assert!(fetched > 1, "{fetched}");
    let r = run(60, true);
    assert!(
        matches!(r.sources[0].status, Status::Offline),
        "{}",
        r.summary()
    );
    assert!(
        r.sources[0].warnings.is_empty(),
        "{:?}",
        r.sources[0].warnings
    );
    assert_eq!(r.entries, fetched, "{}", r.summary());
    assert_eq!(server.requests_to("/r.xml").len(), 1);
}

#[test]
fn entries_survive_an_outage_until_the_grace_period_ends() {
    let server = Server::start();
    server.route(
        "/one.xml",
        vec![Reply::fixture("rss2-wordpress.xml"), Reply::status(503)],
    );
    let s = Setup::new(
        &[("One", server.url("/one.xml"))],
        "grace_period = \"3s\"\nmax_backoff = \"1s\"",
    );
    s.run().expect("good run");
    let r = s.run().expect("outage within grace");
    assert_eq!(r.exit_code(), 1);
    assert_eq!(reparse(&s.feed()).entries.len(), 3, "kept during grace");
    // The run clock has whole seconds: 4.2 s later is at least 4 s by it, past the 3 s grace (which
    // leaves slow machines 2 s between the first two runs).
    std::thread::sleep(Duration::from_millis(4200));
    let r = s.run().expect("outage past grace");
    assert_eq!(r.exit_code(), 1);
    assert!(
        r.sources[0]
            .warnings
            .iter()
            .any(|w| w.contains("grace period")),
        "{}",
        r.summary()
    );
    assert_eq!(
        reparse(&s.feed()).entries.len(),
        1,
        "only the local entry is left; never an empty feed"
    );
}

#[test]
fn a_second_process_is_refused_while_a_run_is_going() {
    let server = Server::start();
    let slow = Reply::fixture("rss1-rdf.xml").delay(Duration::from_secs(2));
    server.route("/slow.xml", vec![slow]);
    let s = Setup::new(&[("Slow", server.url("/slow.xml"))], "");
    let mut first = s
        .command("run", &[])
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    // The first run holds the lock while its source is being answered.
    server.wait_for("/slow.xml", 1);
    let (code, err) = s.cli("run", &[]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("another feedbraid run holds the lock"),
        "{err}"
    );
    assert_eq!(
        first.wait().expect("first").code(),
        Some(0),
        "the first run is not disturbed"
    );
}
