//! The review queue (issue 23): a partner under `review = "all"` has its items held (stored,
//! shown nowhere), approved one by one, rejected for good (also when re-posted under a new id
//! with the same link); items published before the source went under review stay published.

use crate::{Reply, Server, Setup};

fn feed(items: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut x = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Partner</title>\
         <link>https://p.example.org/</link>",
    );
    for (guid, title, date) in items {
        x.push_str(&format!(
            "<item><guid>{guid}</guid><title>{title}</title><link>https://p.example.org/{title}</link>\
             <pubDate>{date}</pubDate><description>About {title}</description></item>"
        ));
    }
    x.push_str("</channel></rss>");
    x.into_bytes()
}

/// Every output file's text, concatenated (the media excepted).
fn everything(s: &Setup) -> String {
    s.outputs().into_iter().map(|(_, t)| t).collect()
}

fn cmd(s: &Setup, command: &str, args: &[&str]) -> (Option<i32>, String) {
    let o = s.command(command, args).output().expect("runs");
    (
        o.status.code(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

/// Description: a partner published with review off (item Old), then put under `review =
/// "all"`; it adds Held1 and Held2; an editor approves Held1 and rejects Held2; the partner then
/// re-posts Held2 under a new guid with the same link.
/// Expect: Old stays published throughout; Held1 and Held2 appear in no output while held
/// (status.json `review.held` = 2, exit 0); after the approval Held1 is published; Held2 never
/// is, re-posted or not, and is no longer counted as held. A digest of the month leaves the held
/// items out.
#[test]
fn held_items_appear_nowhere_until_approved_and_rejected_ones_never() {
    let srv = Server::start();
    let d = [
        "Mon, 05 Jan 2026 10:00:00 GMT",
        "Tue, 06 Jan 2026 10:00:00 GMT",
        "Wed, 07 Jan 2026 10:00:00 GMT",
    ];
    srv.route(
        "/f",
        vec![Reply::ok(
            feed(&[("g0", "Old", d[0])]),
            "application/rss+xml",
        )],
    );
    let s = Setup::new(&[("partner", srv.url("/f"))], "");
    assert_eq!(s.run().expect("run").exit_code(), 0);
    assert!(s.feed().contains("Old"));

    s.append("review = \"all\"");
    srv.route(
        "/f",
        vec![Reply::ok(
            feed(&[
                ("g0", "Old", d[0]),
                ("g1", "Held1", d[1]),
                ("g2", "Held2", d[2]),
            ]),
            "application/rss+xml",
        )],
    );
    let r = s.run().expect("run");
    assert_eq!(r.exit_code(), 0, "holding is not a failure");
    let all = everything(&s);
    assert!(all.contains("Old"), "published before review: stays");
    for held in [
        "Held1",
        "Held2",
        "p.example.org/Held1",
        "p.example.org/Held2",
    ] {
        assert!(!all.contains(held), "{held} leaked into an output");
    }
    let status: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.out().join("status.json")).expect("status"))
            .expect("json");
    assert_eq!(status["review"]["held"], 2, "{status}");
    let (code, listed) = cmd(&s, "review", &[]);
    assert_eq!(code, Some(0), "{listed}");
    assert!(
        listed.contains("p.example.org/Held1") && listed.contains("2 item(s) held"),
        "{listed}"
    );

    // Nor does a digest of the month carry them.
    s.append("[digest]");
    let (code, out) = cmd(&s, "digest", &["--month", "2026-01"]);
    assert_eq!(code, Some(0), "{out}");
    let digest = std::fs::read_to_string(s.out().join("digest/2026-01.html")).expect("digest");
    assert!(
        digest.contains("Old") && !digest.contains("Held1"),
        "{digest}"
    );

    let (code, out) = cmd(&s, "approve", &["https://p.example.org/Held1"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = cmd(
        &s,
        "reject",
        &["--reason", "spam", "https://p.example.org/Held2"],
    );
    assert_eq!(code, Some(0), "{out}");
    let reviewed = std::fs::read_to_string(s.dir.path().join("reviewed.toml")).expect("reviewed");
    assert!(
        reviewed.starts_with("# Decisions") && reviewed.contains("spam"),
        "{reviewed}"
    );
    s.run().expect("run");
    let all = everything(&s);
    assert!(all.contains("Held1"), "approved: published");
    assert!(!all.contains("Held2"), "rejected: never");

    srv.route(
        "/f",
        vec![Reply::ok(
            feed(&[
                ("g0", "Old", d[0]),
                ("g1", "Held1", d[1]),
                ("new-guid", "Held2", d[2]),
            ]),
            "application/rss+xml",
        )],
    );
    s.run().expect("run");
    assert!(
        !everything(&s).contains("Held2"),
        "re-posted under a new id: still rejected"
    );
    let status: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.out().join("status.json")).expect("status"))
            .expect("json");
    assert_eq!(status["review"]["held"], 0, "{status}");
}
