//! Operating feedbraid: `serve --every` (runs on its schedule, shares the run lock with a cron
//! `run`, stops cleanly on SIGTERM), the progress line on a terminal (a pseudo-terminal from
//! util-linux's `script`) and nowhere else, `run --json`/`--quiet` and `status --json`, and a
//! run whose report cannot be written.

use std::time::Duration;

use crate::served::Served;
use crate::{Reply, Server, Setup, fixture};

fn rss() -> Reply {
    Reply::ok(fixture("rss2-wordpress.xml"), "application/rss+xml")
}

fn published_lines(l: &str) -> bool {
    l.contains("entries published")
}

#[test]
fn serve_every_runs_on_schedule_then_stops_on_sigterm_releasing_the_lock() {
    let server = Server::start();
    server.route("/one.xml", vec![rss()]);
    let s = Setup::new(&[("One", server.url("/one.xml"))], "");
    let mut srv = Served::start(&s, &["--every", "1s"]);
    srv.wait_lines(2, published_lines);
    // Each run fetched the partner (it asks for no interval of its own).
    assert!(server.requests_to("/one.xml").len() >= 2);
    // And the output it published is what it serves.
    let feed = srv.get("/feed.atom", &[]);
    assert_eq!(feed.status, 200);
    assert!(String::from_utf8_lossy(&feed.body).contains("<entry"));

    assert_eq!(srv.terminate(), Some(0), "{}", srv.stderr());
    assert!(srv.stderr().contains("feedbraid: stopped"));
    // The lock is free at once, and the state was committed.
    let (code, err) = s.cli("run", &[]);
    assert_eq!(code, Some(0), "{err}");
    let out = s.command("status", &["--json"]).output().expect("status");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    assert_eq!(doc["sources"][0]["name"], "One");
    assert!(doc["sources"][0]["last_success"].is_string());
}

#[test]
fn cron_run_during_a_serve_run_exits_1_with_the_lock_message() {
    let server = Server::start();
    // Slow enough that the run is still going when the cron-style run starts.
    server.route("/slow.xml", vec![rss().delay(Duration::from_secs(3))]);
    let s = Setup::new(&[("Slow", server.url("/slow.xml"))], "");
    let mut srv = Served::start(&s, &["--every", "1h"]);
    // The request arrived: the serve run is mid-fetch, holding the lock.
    server.wait_for("/slow.xml", 1);
    let (code, err) = s.cli("run", &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("holds the lock"), "{err}");
    assert_eq!(
        server.requests_to("/slow.xml").len(),
        1,
        "the refused run fetched nothing"
    );
    // SIGTERM during... or after the run: either way it finishes, commits and exits 0.
    srv.wait_line(published_lines);
    assert_eq!(srv.terminate(), Some(0), "{}", srv.stderr());
    let (code, err) = s.cli("run", &["--offline"]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn sigterm_mid_run_finishes_the_run_first() {
    let server = Server::start();
    server.route("/slow.xml", vec![rss().delay(Duration::from_secs(2))]);
    let s = Setup::new(&[("Slow", server.url("/slow.xml"))], "");
    let mut srv = Served::start(&s, &["--every", "1h"]);
    server.wait_for("/slow.xml", 1);
    assert_eq!(srv.terminate(), Some(0), "{}", srv.stderr());
    // The run that was going when the signal came completed and published.
    assert!(
        srv.stderr().contains("entries published"),
        "{}",
        srv.stderr()
    );
    assert!(s.feed().contains("<entry"));
    let out = s.command("status", &["--json"]).output().expect("status");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    assert!(doc["sources"][0]["last_success"].is_string(), "committed");
}

/// `feedbraid run` under a pseudo-terminal: what the terminal received.
fn run_on_a_terminal(s: &Setup) -> String {
    let cmd = format!(
        "'{}' run --config '{}'",
        env!("CARGO_BIN_EXE_feedbraid"),
        s.config().display()
    );
    let out = std::process::Command::new("script")
        .args(["-q", "-e", "-c", &cmd, "/dev/null"])
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script (util-linux) runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn progress_line_shows_on_a_terminal_only() {
    let server = Server::start();
    server.route("/one.xml", vec![rss()]);
    server.route("/slow.xml", vec![rss().delay(Duration::from_secs(1))]);
    server.route("/down.xml", vec![Reply::status(500)]);
    let s = Setup::new(
        &[
            ("One", server.url("/one.xml")),
            ("Slow", server.url("/slow.xml")),
            ("Down", server.url("/down.xml")),
        ],
        "",
    );
    let tty = run_on_a_terminal(&s);
    assert!(tty.contains("fetching "), "{tty}");
    assert!(tty.contains("/3 partners · "), "{tty}");
    assert!(tty.contains(" failed · ") && tty.contains(" MB"), "{tty}");
    // The usual summary stays.
    assert!(tty.contains("entries published"), "{tty}");

    // Not a terminal: exactly the summary, no progress.
    let (code, err) = s.cli("run", &[]);
    assert_eq!(code, Some(1));
    assert!(!err.contains("fetching"), "{err}");
    assert!(!err.contains('\u{1b}'), "no escape sequences: {err}");
    assert!(err.contains("entries published"), "{err}");
}

#[test]
fn run_json_prints_the_report_and_quiet_only_problems() {
    let server = Server::start();
    server.route("/one.xml", vec![rss()]);
    server.route("/down.xml", vec![Reply::status(500)]);
    let s = Setup::new(
        &[
            ("Fine Partner", server.url("/one.xml")),
            ("Down Partner", server.url("/down.xml")),
        ],
        "",
    );
    let out = s
        .command("run", &["--json", "--quiet"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let status_file = std::fs::read(s.out().join("status.json")).expect("status.json");
    assert_eq!(out.stdout, status_file, "stdout is the run report");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["sources_with_problems"], 1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("Down Partner") && err.contains("FAILED"),
        "{err}"
    );
    assert!(!err.contains("Fine Partner"), "{err}");
    assert!(!err.contains("entries published"), "{err}");

    // Without --quiet, the full summary; without --json, nothing on stdout.
    let out = s.command("run", &[]).output().expect("run");
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Fine Partner"));

    let out = s.command("status", &["--json"]).output().expect("status");
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    let sources = doc["sources"].as_array().expect("sources");
    assert_eq!(sources.len(), 2);
    assert_eq!(sources[0]["name"], "Fine Partner");
    assert!(sources[0]["entries"].as_u64().is_some_and(|n| n > 0));
    assert_eq!(sources[0]["consecutive_failures"], 0);
    assert!(
        sources[1]["status"]
            .as_str()
            .is_some_and(|t| t.contains("500"))
    );
    assert!(
        sources[1]["consecutive_failures"]
            .as_u64()
            .is_some_and(|n| n >= 1)
    );
    assert!(sources[1]["last_success"].is_null());
    // The table says the same.
    let table = s.command("status", &[]).output().expect("status");
    assert!(String::from_utf8_lossy(&table.stdout).contains("Fine Partner"));
}

/// Description: a run whose stderr cannot be written (`/dev/full`: a full disk), then one whose
/// stdout cannot either (`--json` prints the report there).
/// Expect: both publish and exit 0, as they would on a terminal (`eprint!` panicked once the
/// files were in place: exit 101, and no message).
#[test]
fn a_run_whose_report_cannot_be_written_still_exits_with_its_own_code() {
    let server = Server::start();
    server.route("/one.xml", vec![rss(), rss()]);
    let s = Setup::new(&[("One", server.url("/one.xml"))], "");
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full")
    };
    let run = s
        .command("run", &[])
        .stdout(std::process::Stdio::null())
        .stderr(full())
        .status()
        .expect("run");
    assert_eq!(run.code(), Some(0));
    assert!(s.out().join("feed.atom").is_file());
    let json = s
        .command("run", &["--json"])
        .stdout(full())
        .stderr(full())
        .status()
        .expect("run");
    assert_eq!(json.code(), Some(0));
}

#[test]
fn status_and_list_before_the_first_run_make_no_state() {
    // Description: `status --json` and `list` before any run (or during a first one, whose
    // state is built under another name). Expect: both answer (every source never fetched,
    // nothing listed but the local entry) and no state file is made under the state's name.
    let s = Setup::new(&[("One", "http://127.0.0.1:9/one.xml".to_string())], "");
    let out = s.command("status", &["--json"]).output().expect("status");
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status JSON");
    assert_eq!(doc["sources"][0]["name"], "One");
    assert_eq!(doc["sources"][0]["status"], "never fetched");
    let (code, err) = s.cli("list", &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        !s.dir.path().join(".feedbraid/state.db").exists(),
        "no state made by reading"
    );
}
