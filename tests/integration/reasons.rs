//! Issue 21: a failed fetch is told in a few words in the run's summary ("connection refused",
//! "host not found"), never as an HTTP client's chain of causes; the chain is in `status.json`.

use crate::Setup;

/// Description: one partner on a loopback port nothing listens on, one on a name that does not
/// resolve (`.invalid`, RFC 6761), both allowed as intranet sources.
/// Expect: the summary's lines for them say "connection refused" and "host not found" and hold
/// no "error sending request", "client error" or "dns error"; no summary line is over 400
/// characters; `status.json` has the short reason in `detail` and the whole chain in
/// `error_chain`.
#[test]
fn failures_are_told_in_a_few_words_and_the_chain_is_in_status_json() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let s = Setup::new(
        &[
            ("closed", format!("http://127.0.0.1:{closed}/feed.xml")),
            (
                "nowhere",
                "http://feeds.no-such-partner.invalid/feed.xml".to_string(),
            ),
        ],
        "",
    );
    let out = s.command("run", &[]).output().expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let line = |name: &str| {
        err.lines()
            .find(|l| l.contains(name) && l.contains("FAILED"))
            .unwrap_or_else(|| panic!("no line for {name}: {err}"))
            .to_string()
    };
    assert!(line("closed").contains("connection refused"), "{err}");
    assert!(line("nowhere").contains("host not found"), "{err}");
    for noise in ["error sending request", "client error", "dns error"] {
        assert!(!err.contains(noise), "{noise}: {err}");
    }
    assert!(err.lines().all(|l| l.chars().count() <= 400), "{err}");
    let status: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.out().join("status.json")).expect("status"))
            .expect("json");
    let src = status["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .find(|x| x["name"] == "closed")
        .expect("closed")
        .clone();
    assert_eq!(src["detail"], "connection refused");
    let chain = src["error_chain"].as_str().expect("chain");
    assert!(
        chain.len() > "connection refused".len() && chain.contains("refused"),
        "{chain}"
    );
}

/// Description: three partners whose answers say `Cache-Control: max-age=3600`; a second run
/// right after the first, when none of them is due. Triggers added to the real state database
/// count every row written to `sources`, `items` and `entries`.
/// Expect: the second run writes no row (it used to write each source's unchanged state back).
#[test]
fn a_run_in_which_no_source_is_due_writes_nothing_to_the_state() {
    let srv = crate::Server::start();
    let mut sources = Vec::new();
    for i in 0..3 {
        let path = format!("/n{i}.xml");
        let body = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>N{i}</title>\
             <link>https://p.example.org/</link><item><title>N{i} item</title>\
             <link>https://p.example.org/n{i}</link></item></channel></rss>"
        );
        srv.route(
            &path,
            vec![
                crate::Reply::ok(body, "application/rss+xml")
                    .header("Cache-Control", "max-age=3600"),
            ],
        );
        sources.push((format!("n{i}"), srv.url(&path)));
    }
    let s = Setup::new(&sources, "");
    s.run().expect("first run");
    let db = rusqlite::Connection::open(s.dir.path().join(".feedbraid/state.db")).expect("db");
    db.execute_batch(
        "CREATE TABLE test_writes (t TEXT);
         CREATE TRIGGER tw1 AFTER UPDATE ON sources BEGIN INSERT INTO test_writes VALUES ('sources'); END;
         CREATE TRIGGER tw2 AFTER INSERT ON sources BEGIN INSERT INTO test_writes VALUES ('sources'); END;
         CREATE TRIGGER tw3 AFTER INSERT ON items BEGIN INSERT INTO test_writes VALUES ('items'); END;
         CREATE TRIGGER tw4 AFTER INSERT ON entries BEGIN INSERT INTO test_writes VALUES ('entries'); END;",
    )
    .expect("triggers");
    drop(db);
    let report = s.run().expect("second run");
    assert!(
        report.sources.iter().all(|r| r.line().contains("not due")),
        "{:?}",
        report.sources.iter().map(|r| r.line()).collect::<Vec<_>>()
    );
    assert!(
        s.feed().contains("N2 item"),
        "their stored entries are published"
    );
    let db = rusqlite::Connection::open(s.dir.path().join(".feedbraid/state.db")).expect("db");
    let writes: i64 = db
        .query_row("SELECT COUNT(*) FROM test_writes", [], |r| r.get(0))
        .expect("count");
    assert_eq!(writes, 0);
}
