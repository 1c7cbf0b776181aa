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
