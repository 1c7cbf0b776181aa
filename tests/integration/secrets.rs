//! Defect 1 of issue 14: credentials in a source URL (`http://user:password@host/...`) are used
//! to fetch and never leave the fetcher. Every published file, the state database and stderr are
//! searched for the password, for a configured URL with credentials and for a redirect to one.

use std::path::Path;

use crate::{Reply, Server, Setup};

/// An RSS feed without a channel link: every relative link resolves against the fetch URL.
const RELATIVE_RSS: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Secret partner</title>
<item><title>One</title><link>/posts/one</link><guid isPermaLink="false">one</guid><pubDate>Mon, 01 Dec 2025 10:00:00 GMT</pubDate>
<description>&lt;p&gt;See &lt;a href="/more"&gt;more&lt;/a&gt; and &lt;img src="pic.png" alt="x"&gt;&lt;/p&gt;</description>
<enclosure url="files/report.pdf" type="application/pdf" length="10"/></item>
</channel></rss>"#;

/// An Atom feed without an id or a self link: the fetch URL becomes the `<source>` id.
const BARE_ATOM: &str = r#"<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Moved partner</title>
<updated>2025-12-02T10:00:00Z</updated>
<entry><title>Two</title><id>urn:x:two</id><link href="two.html"/><updated>2025-12-02T10:00:00Z</updated><summary>Two</summary></entry>
</feed>"#;

/// Every file under `dir`, recursively, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push((p.display().to_string(), std::fs::read(&p).expect("read")));
        }
    }
    out
}

fn contains(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn credentials_in_source_urls_reach_no_output_state_or_stderr() {
    let server = Server::start();
    server.route(
        "/good",
        vec![Reply::ok(RELATIVE_RSS, "application/rss+xml")],
    );
    server.route("/atom", vec![Reply::ok(BARE_ATOM, "application/atom+xml")]);
    let port = server.base.rsplit(':').next().expect("port").to_string();
    // A permanent redirect to a URL carrying other credentials.
    server.route(
        "/old",
        vec![Reply::status(301).header(
            "Location",
            &format!("http://bob:R3dirPW@127.0.0.1:{port}/atom"),
        )],
    );
    let s = Setup::new(
        &[
            (
                "Secret",
                format!("http://alice:S3cretPW@127.0.0.1:{port}/good"),
            ),
            // Refused: the error message names the URL.
            ("Down", "http://carol:Cl0sedPW@127.0.0.1:1/feed".to_string()),
            ("Moved", server.url("/old")),
        ],
        "",
    );
    s.append("homepage = \"https://moved.example.org/\"");
    let cfg = std::fs::read_to_string(s.config()).expect("config");
    std::fs::write(
        s.config(),
        format!("{cfg}\n[[view]]\nname = \"all\"\ntitle = \"All\"\ninclude = [\".\"]\n"),
    )
    .expect("config");
    let (code, stderr) = s.cli("run", &[]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("Down"), "{stderr}");
    // The credentials were used for the request...
    let auth = |path: &str| {
        server.requests_to(path)[0]
            .headers
            .get("authorization")
            .cloned()
            .unwrap_or_default()
    };
    assert!(auth("/good").starts_with("Basic "), "basic auth was sent");
    assert!(
        auth("/atom").starts_with("Basic "),
        "basic auth after redirect"
    );
    // ...and the run published both partners, their links resolved against the fetch URL.
    let feed = s.feed();
    assert!(
        feed.contains(&format!("http://127.0.0.1:{port}/posts/one")),
        "{feed}"
    );
    assert!(
        feed.contains(&format!("http://127.0.0.1:{port}/two.html")),
        "{feed}"
    );
    let out = files(&s.out());
    for name in [
        "feed.atom",
        "feed.json",
        "index.html",
        "embed.html",
        "status.json",
        "all.atom",
        "all.json",
        "all.html",
        "all.embed.html",
    ] {
        assert!(
            out.iter().any(|(p, _)| p.ends_with(name)),
            "{name} was written"
        );
    }
    let status = std::fs::read_to_string(s.out().join("status.json")).expect("status");
    assert!(status.contains("\"moved_to\""), "{status}");
    let state_dir = s.dir.path().join(".feedbraid");
    for secret in [
        "S3cretPW", "R3dirPW", "Cl0sedPW", "alice:", "bob:", "carol:",
    ] {
        for (path, bytes) in out.iter().chain(files(&state_dir).iter()) {
            assert!(!contains(bytes, secret), "{secret} found in {path}");
        }
        assert!(!stderr.contains(secret), "{secret} on stderr: {stderr}");
    }
}
