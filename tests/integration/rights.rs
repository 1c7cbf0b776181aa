//! Partners' rights and licences (from the config and from their feeds) in every output; a
//! partner that allows linking but not republication (`excerpt_only`); and the visible credit
//! line that every reader shows, checked with Python's feedparser.

use std::process::Command;

use crate::{Reply, Server, Setup};

const LATE_SENTENCE: &str = "This closing sentence must never be republished";

fn rss(title: &str, rights: Option<&str>, body: &str) -> Vec<u8> {
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:creativeCommons=\"http://backend.userland.com/creativeCommonsRssModule\">\
         <channel><title>{title}</title><link>https://{title}.example.org/</link>{}\
         <creativeCommons:license>https://creativecommons.org/licenses/by/4.0/</creativeCommons:license>\
         <item><title>{title} item</title><link>https://{title}.example.org/1</link><guid>https://{title}.example.org/1</guid>\
         <author>ana@{title}.example.org (Dr Ana Ribeiro)</author><pubDate>Mon, 05 Jan 2026 08:00:00 +0000</pubDate><description><![CDATA[{body}]]></description>\
         <enclosure url=\"https://{title}.example.org/report.pdf\" type=\"application/pdf\" length=\"1000\"/></item>\
         </channel></rss>",
        rights.map(|r| format!("<copyright>{r}</copyright>")).unwrap_or_default()
    )
    .into_bytes()
}

#[test]
fn rights_and_licences_from_config_and_feed_reach_atom_json_and_html() {
    let server = Server::start();
    server.route(
        "/cfg",
        vec![Reply::ok(
            rss("configured", Some("Feed says this"), "<p>A</p>"),
            "application/rss+xml",
        )],
    );
    server.route(
        "/feed",
        vec![Reply::ok(
            rss("feedonly", Some("© Feed Only 2026"), "<p>B</p>"),
            "application/rss+xml",
        )],
    );
    let s = Setup::new(&[("Configured", server.url("/cfg"))], "");
    s.append("rights = \"© Configured partner, with permission\"\nlicense = \"https://creativecommons.org/licenses/by-nc/4.0/\"\n");
    s.append(&format!(
        "[[source]]\nname = \"FeedOnly\"\nurl = \"{}\"\n",
        server.url("/feed")
    ));
    s.run().expect("run");
    let atom = s.feed();
    let json = std::fs::read_to_string(s.out().join("feed.json")).expect("json");
    let html = std::fs::read_to_string(s.out().join("index.html")).expect("html");
    // The config wins over the feed; the feed's own terms are read when the config has none.
    assert!(!atom.contains("Feed says this") && !json.contains("Feed says this"));
    for (name, text) in [
        ("feed.atom", &atom),
        ("feed.json", &json),
        ("index.html", &html),
    ] {
        for want in [
            "© Configured partner, with permission",
            "https://creativecommons.org/licenses/by-nc/4.0/",
            "© Feed Only 2026",
            "https://creativecommons.org/licenses/by/4.0/",
        ] {
            assert!(text.contains(want), "{name} lacks {want}");
        }
    }
    assert!(atom.contains(
        "<link href=\"https://creativecommons.org/licenses/by-nc/4.0/\" rel=\"license\"/>"
    ));
    assert!(atom.contains("<rights>© Configured partner, with permission</rights>"));
    let v: serde_json::Value = serde_json::from_str(&json).expect("json");
    let ext = v["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["_feedbraid"]["source"]["name"] == "Configured")
        .map(|i| i["_feedbraid"].clone())
        .expect("the _feedbraid extension");
    assert_eq!(ext["rights"], "© Configured partner, with permission");
    assert_eq!(
        ext["license"],
        "https://creativecommons.org/licenses/by-nc/4.0/"
    );
}

#[test]
fn an_excerpt_only_partner_publishes_title_excerpt_and_link_and_nothing_more() {
    let server = Server::start();
    let body = format!(
        "<p>The opening words of a long article that the partner allows us to link to. {} {LATE_SENTENCE}.</p><img src=\"https://ex.example.org/photo.jpg\">",
        "Filler words go here to make the article longer than the excerpt. ".repeat(10)
    );
    server.route(
        "/ex",
        vec![Reply::ok(rss("ex", None, &body), "application/rss+xml")],
    );
    let s = Setup::new(&[("Linking only", server.url("/ex"))], "");
    s.append("excerpt_only = true\nexcerpt_chars = 120\n");
    s.run().expect("run");
    for (name, text) in s.outputs() {
        assert!(
            !text.contains(LATE_SENTENCE),
            "{name} republished the full content"
        );
        assert!(
            !text.contains("photo.jpg") && !text.contains("report.pdf"),
            "{name} carries media"
        );
    }
    let atom = s.feed();
    assert!(atom.contains("ex item") && atom.contains("https://ex.example.org/1"));
    assert!(
        atom.contains("The opening words of a long article"),
        "the excerpt is there"
    );
    let excerpt_len = crate::reparse(&atom)
        .entries
        .iter()
        .find_map(|e| {
            e.summary
                .as_ref()
                .filter(|s| s.content.contains("opening words"))
                .map(|s| s.content.clone())
        })
        .expect("excerpt");
    let text = excerpt_len
        .split("</p>")
        .last()
        .unwrap_or_default()
        .replace("<p>", "");
    assert!(text.chars().count() <= 121, "{text}");
}

fn feedparser(path: &std::path::Path, expr: &str) -> String {
    let script =
        format!("import sys, feedparser\nd = feedparser.parse(sys.argv[1])\nprint({expr})");
    let out = Command::new("python3")
        .args(["-c", &script])
        .arg(path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_partner_is_credited_where_feedparser_shows_it() {
    let server = Server::start();
    server.route(
        "/p",
        vec![Reply::ok(
            rss("credited", None, "<p>Body</p>"),
            "application/rss+xml",
        )],
    );
    let s = Setup::new(&[("Kay's Partner", server.url("/p"))], "");
    s.run().expect("run");
    let shown = feedparser(
        &s.out().join("feed.atom"),
        "[e.get('content', [{}])[0].get('value', e.get('summary', '')) for e in d.entries if e.title == 'credited item'][0]",
    );
    assert!(
        shown.contains("From <a href=\"https://credited.example.org/\">Kay&#x27;s Partner</a>")
            || shown.contains("From <a href=\"https://credited.example.org/\">Kay's Partner</a>"),
        "{shown}"
    );
    // And a JavaScript reader (rss-parser, installed by .ci/run into .ci/node_modules).
    let js = "const P = require(process.argv[1] + '/rss-parser');\n\
              P.prototype.parseString.call(new P(), require('fs').readFileSync(process.argv[2], 'utf8'))\n\
              .then(f => { const i = f.items.find(i => i.title === 'credited item');\n\
              console.log(i.content || i.summary); })\n\
              .catch(e => { console.error(e); process.exit(1); });";
    let modules = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/node_modules");
    let out = Command::new("node")
        .args(["-e", js])
        .arg(&modules)
        .arg(s.out().join("feed.atom"))
        .output()
        .expect("node runs (.ci/run installs rss-parser)");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        shown.contains("From <a href=\"https://credited.example.org/\">Kay"),
        "rss-parser shows: {shown}"
    );
    // `credit = "author"` puts the partner in the author name instead.
    let cfg = std::fs::read_to_string(s.config()).expect("cfg");
    let cfg = cfg.replacen("[fetch]", "[output]\ncredit = \"author\"\n\n[fetch]", 1);
    std::fs::write(s.config(), cfg).expect("write");
    s.run_offline().expect("offline");
    let author = feedparser(
        &s.out().join("feed.atom"),
        "[e.author_detail.name for e in d.entries if e.title == 'credited item'][0]",
    );
    assert_eq!(author.trim(), "Dr Ana Ribeiro (Kay's Partner)");
    assert!(!s.feed().contains("feedbraid-credit"));
}
