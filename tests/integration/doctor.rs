//! `feedbraid doctor` on partners served over loopback (issue 23): a broken feed gets a note
//! naming each planted defect and how to fix it (exit 1); a well-kept one none (exit 0); an
//! unreachable one exit 2; no state is written.

use crate::{Reply, Server, Setup};

/// Description: a feed with a blank line before `<?xml`, sent as text/html without validators,
/// an undeclared entity, an item without guid or date, two items sharing a guid, an item dated
/// 2099, a link with utm_ parameters and a title with markup.
/// Expect: exit 1; the note names space-before-xml-declaration, wrong-content-type,
/// no-validators, ill-formed, missing-id, missing-date, duplicate-id, future-date,
/// tracking-parameters and title-markup, each with "How to fix"; the first items are listed;
/// no state database is created.
#[test]
fn a_broken_feed_gets_a_note_naming_each_defect() {
    let srv = Server::start();
    let broken = "\n\n<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Broken</title>\
        <link>https://b.example.org/</link>\
        <item><title>No guid&nbsp;here</title><link>https://b.example.org/1?utm_source=x</link></item>\
        <item><title>Twice</title><guid>same</guid><link>https://b.example.org/2</link><pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item>\
        <item><title>Twice again</title><guid>same</guid><link>https://b.example.org/3</link><pubDate>Sun, 04 Jan 2026 10:00:00 GMT</pubDate></item>\
        <item><title>&lt;b&gt;Future&lt;/b&gt;</title><guid>f</guid><link>https://b.example.org/4</link><pubDate>Fri, 01 Jan 2099 10:00:00 GMT</pubDate></item>\
        </channel></rss>";
    srv.route("/feed", vec![Reply::ok(broken, "text/html")]);
    let good = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Good</title>\
        <link>https://g.example.org/</link><item><title>Fine</title><guid>g1</guid>\
        <link>https://g.example.org/1</link><pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item></channel></rss>";
    srv.route(
        "/good",
        vec![Reply::ok(good, "application/rss+xml").etag("\"v1\"")],
    );
    let s = Setup::new(&[("broken", srv.url("/feed"))], "");
    let out = s.command("doctor", &["broken"]).output().expect("doctor");
    let note = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{note}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for key in [
        "space-before-xml-declaration",
        "wrong-content-type",
        "no-validators",
        "ill-formed",
        "missing-id",
        "missing-date",
        "duplicate-id",
        "future-date",
        "tracking-parameters",
        "title-markup",
    ] {
        assert!(note.contains(&format!("[{key}]")), "{key}: {note}");
    }
    assert!(note.matches("How to fix").count() >= 10, "{note}");
    assert!(note.contains("4 item(s) found"), "{note}");
    assert!(
        !s.dir.path().join(".feedbraid/state.db").exists(),
        "no state written"
    );

    let out = s
        .command("doctor", &[&srv.url("/good"), "--format", "markdown"])
        .output()
        .expect("doctor");
    let note = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{note}");
    assert!(note.starts_with("## Feed check for"), "{note}");
    assert!(note.contains("No problems found"), "{note}");

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let out = s
        .command("doctor", &[&format!("http://127.0.0.1:{closed}/feed")])
        .output()
        .expect("doctor");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("connection refused"));
}
