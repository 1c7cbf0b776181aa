//! WebSub against loopback hubs: every feed document advertises the hubs; a run pings each hub
//! exactly once for each feed document it changed (form-encoded `hub.mode=publish`,
//! `hub.url=<self URL>`), never when nothing changed, never `--offline`; a failing hub is
//! reported (summary, `status.json`, exit 1) while the outputs stay published.

use std::collections::BTreeMap;

use crate::{Reply, Server, Setup};

fn partner(titles: &[&str]) -> Vec<u8> {
    let mut x = String::from(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>P</title><link>https://p.example.org/</link>\n",
    );
    for (i, t) in titles.iter().enumerate() {
        x.push_str(&format!(
            "<item><title>{t}</title><link>https://p.example.org/{i}</link><guid>https://p.example.org/{i}</guid><pubDate>Mon, 0{} Dec 2025 10:00:00 GMT</pubDate></item>\n",
            i + 1
        ));
    }
    x.push_str("</channel></rss>\n");
    x.into_bytes()
}

/// A config with one partner, the given hubs in `[feed]`, RSS on, and a view of local entries.
fn setup(server: &Server, hubs: &[&str]) -> Setup {
    let s = Setup::new(&[("P", server.url("/p.xml"))], "");
    let list: Vec<String> = hubs
        .iter()
        .map(|h| format!("\"{}\"", server.url(h)))
        .collect();
    let cfg = std::fs::read_to_string(s.config()).expect("config");
    let cfg = cfg.replacen(
        "language = \"en\"\n",
        &format!("language = \"en\"\nhubs = [{}]\n", list.join(", ")),
        1,
    );
    std::fs::write(s.config(), cfg).expect("config");
    s.append(
        "\n[output]\nformats = [\"atom\", \"json\", \"html\", \"rss\"]\n\n[[view]]\nname = \"ours\"\ntitle = \"Ours\"\nsources = [\"local\"]\n",
    );
    s
}

/// The `hub.url`s of the pings `hub` received, counted; every ping checked for form and mode.
fn pings(server: &Server, hub: &str) -> BTreeMap<String, usize> {
    let mut topics = BTreeMap::new();
    for r in server.requests_to(hub) {
        assert_eq!(r.method, "POST");
        assert_eq!(
            r.headers.get("content-type").map(String::as_str),
            Some("application/x-www-form-urlencoded")
        );
        let form: BTreeMap<String, String> =
            url::form_urlencoded::parse(&r.body).into_owned().collect();
        assert_eq!(form.get("hub.mode").map(String::as_str), Some("publish"));
        assert_eq!(form.len(), 2, "{form:?}");
        *topics.entry(form["hub.url"].clone()).or_insert(0) += 1;
    }
    topics
}

fn once(files: &[&str]) -> BTreeMap<String, usize> {
    files
        .iter()
        .map(|f| (format!("https://test.example.org/{f}"), 1))
        .collect()
}

#[test]
fn each_changed_feed_is_pinged_once_per_hub_and_nothing_when_unchanged() {
    let server = Server::start();
    server.route("/p.xml", vec![Reply::ok(partner(&["One"]), "text/xml")]);
    for hub in ["/hub-a", "/hub-b"] {
        server.route(hub, vec![Reply::status(204)]);
    }
    let s = setup(&server, &["/hub-a", "/hub-b"]);

    let report = s.run().expect("run");
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
    // Advertised in every feed document.
    for f in ["feed.atom", "ours.atom", "feed.rss", "ours.rss"] {
        let xml = std::fs::read_to_string(s.out().join(f)).expect("feed");
        for hub in ["/hub-a", "/hub-b"] {
            let link = format!("href=\"{}\" rel=\"hub\"", server.url(hub));
            assert_eq!(xml.matches(&link).count(), 1, "{f}: {link}\n{xml}");
        }
    }
    for f in ["feed.json", "ours.json"] {
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(s.out().join(f)).expect("json")).expect("json");
        assert_eq!(
            json["hubs"],
            serde_json::json!([
                {"type": "WebSub", "url": server.url("/hub-a")},
                {"type": "WebSub", "url": server.url("/hub-b")},
            ]),
            "{f}"
        );
    }
    // First run: every feed document is new.
    let all = once(&[
        "feed.atom",
        "feed.json",
        "feed.rss",
        "ours.atom",
        "ours.json",
        "ours.rss",
    ]);
    assert_eq!(pings(&server, "/hub-a"), all);
    assert_eq!(pings(&server, "/hub-b"), all);

    // Nothing changed: no ping at all.
    server.clear_log();
    let report = s.run().expect("second run");
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
    assert!(server.requests_to("/hub-a").is_empty());
    assert!(server.requests_to("/hub-b").is_empty());
    assert!(report.hubs.iter().all(|h| h.label() == "idle"));

    // The partner adds an item: the main feed changes, the view of local entries does not.
    server.clear_log();
    server.route(
        "/p.xml",
        vec![Reply::ok(partner(&["One", "Two"]), "text/xml")],
    );
    let report = s.run().expect("third run");
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
    let main = once(&["feed.atom", "feed.json", "feed.rss"]);
    assert_eq!(pings(&server, "/hub-a"), main);
    assert_eq!(pings(&server, "/hub-b"), main);
    assert!(s.feed().contains("<title>Two</title>"));

    // `--offline` uses no network: a new view is written, no hub is told.
    server.clear_log();
    s.append("\n[[view]]\nname = \"theirs\"\ntitle = \"Theirs\"\nsources = [\"P\"]\n");
    let report = s.run_offline().expect("offline run");
    assert!(s.out().join("theirs.atom").is_file());
    assert!(server.requests_to("/hub-a").is_empty());
    assert!(report.hubs.iter().all(|h| h.label() == "offline"));
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
}

#[test]
fn a_failing_hub_exits_1_is_reported_and_never_blocks_publishing() {
    let server = Server::start();
    server.route("/p.xml", vec![Reply::ok(partner(&["One"]), "text/xml")]);
    server.route("/hub-bad", vec![Reply::status(500)]);
    server.route("/hub-ok", vec![Reply::status(202)]);
    let s = setup(&server, &["/hub-bad", "/hub-ok"]);

    let (code, stderr) = s.cli("run", &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!("hub {} FAILED", server.url("/hub-bad")))
            && stderr.contains("HTTP 500"),
        "{stderr}"
    );
    // Published all the same, and the good hub was told about everything.
    assert!(s.feed().contains("<title>One</title>"));
    assert_eq!(pings(&server, "/hub-ok").len(), 6);
    assert_eq!(pings(&server, "/hub-bad").len(), 6);

    let status: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.out().join("status.json")).expect("status"))
            .expect("json");
    assert_eq!(status["sources_with_problems"], 0, "the hub alone fails");
    let hubs = status["hubs"].as_array().expect("hubs");
    assert_eq!(hubs.len(), 2);
    assert_eq!(hubs[0]["url"], server.url("/hub-bad"));
    assert_eq!(hubs[0]["status"], "failed");
    assert_eq!(hubs[0]["failures"].as_array().map(Vec::len), Some(6));
    assert_eq!(hubs[0]["failures"][0]["kind"], "http-status");
    assert_eq!(hubs[0]["failures"][0]["detail"], "HTTP 500");
    assert_eq!(hubs[1]["status"], "ok");
    assert_eq!(hubs[1]["pinged"].as_array().map(Vec::len), Some(6));

    // The next, unchanged run sends nothing and exits 0: a failed ping is not repeated (only a
    // change triggers one).
    server.clear_log();
    let (code, stderr) = s.cli("run", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(server.requests_to("/hub-bad").is_empty());
}

#[test]
fn a_hub_must_be_an_http_url_named_by_line_and_key() {
    let server = Server::start();
    let s = setup(&server, &["/hub"]);
    let cfg = std::fs::read_to_string(s.config()).expect("config");
    std::fs::write(
        s.config(),
        cfg.replace(&server.url("/hub"), "ftp://hub.example.org/"),
    )
    .expect("config");
    let (code, stderr) = s.cli("check", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("feeds.toml:8:") && stderr.contains("feed.hubs[0]"),
        "{stderr}"
    );
}

#[test]
fn a_hub_that_stalls_times_out_with_the_fetch_timeout() {
    let server = Server::start();
    server.route("/p.xml", vec![Reply::ok(partner(&["One"]), "text/xml")]);
    server.route(
        "/hub-slow",
        vec![Reply::status(204).delay(std::time::Duration::from_secs(10))],
    );
    let s = setup(&server, &["/hub-slow"]);
    let started = std::time::Instant::now();
    let report = s.run().expect("run");
    // `[fetch] timeout = "3s"` in the test config; the pings run at the same time.
    assert!(started.elapsed() < std::time::Duration::from_secs(9));
    assert_eq!(report.exit_code(), 1, "{}", report.summary());
    let hub = &report.hubs[0];
    assert_eq!(hub.failures.len(), 6);
    assert!(
        hub.failures
            .iter()
            .all(|f| f.error == feedbraid::publish::websub::PingError::Timeout),
        "{hub:?}"
    );
    assert!(s.feed().contains("<title>One</title>"));
}

/// Description: `status.json` cannot be written after the feeds were published and the hubs
/// pinged (issue 21: this exited 2, as if nothing had been published).
/// Expect: the run returns its report with exit code 1 and says status.json was not written;
/// feed.atom is published.
#[test]
fn a_status_json_that_fails_after_the_pings_is_exit_1_not_2() {
    let server = Server::start();
    server.route("/p.xml", vec![Reply::ok(partner(&["One"]), "text/xml")]);
    server.route(
        "/hub",
        vec![Reply::status(204).delay(std::time::Duration::from_millis(1500))],
    );
    let s = setup(&server, &["/hub"]);
    let status = s.out().join("status.json");
    let run = std::thread::scope(|sc| {
        let run = sc.spawn(|| s.run());
        // While the hub is answering, status.json becomes a folder: its write must fail.
        server.wait_for("/hub", 1);
        let _ = std::fs::remove_file(&status);
        std::fs::create_dir_all(&status).expect("status.json is a folder");
        run.join().expect("run thread")
    });
    let report = run.expect("the feeds were published: not a fatal error");
    assert_eq!(report.exit_code(), 1, "{}", report.summary());
    assert!(
        report
            .summary()
            .contains("the feeds were published, but status.json was not"),
        "{}",
        report.summary()
    );
    assert!(s.feed().contains("One"));
    assert!(status.is_dir());
}
