//! RSS 2.0 output (`[output] formats` with `"rss"`): `feed.rss` and `NAME.rss` carry the same
//! entries as the Atom feeds, with enclosures, a correct `isPermaLink`, `atom:link rel="self"`,
//! `dc:creator`, categories and `pubDate`; xmllint and feedparser accept them; the pages link
//! them. And `formats` itself: the default has no RSS, `html` can be left out, `atom` cannot.

use std::collections::BTreeSet;
use std::process::Command;

use crate::{Reply, Server, Setup, reparse};

const PARTNER: &str = r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>P</title><link>https://p.example.org/</link>
<item><title>Permalink guid</title><link>https://p.example.org/a</link><guid>https://p.example.org/a</guid>
<pubDate>Mon, 01 Dec 2025 10:00:00 GMT</pubDate><dc:creator>Ana</dc:creator><category>health</category>
<enclosure url="https://p.example.org/a.mp3" length="12345" type="audio/mpeg"/><description>About A</description></item>
<item><title>Opaque guid</title><link>https://p.example.org/b</link><guid isPermaLink="false">b-2</guid>
<pubDate>Tue, 02 Dec 2025 10:00:00 GMT</pubDate><description>About B</description></item>
</channel></rss>
"#;

fn setup(formats: &str) -> (Server, Setup) {
    let server = Server::start();
    server.route("/p.xml", vec![Reply::ok(PARTNER, "text/xml")]);
    let s = Setup::new(&[("P", server.url("/p.xml"))], "");
    s.append(&format!(
        "\n[output]\nformats = {formats}\n\n[[view]]\nname = \"theirs\"\ntitle = \"Theirs\"\nsources = [\"P\"]\n"
    ));
    (server, s)
}

fn read(s: &Setup, f: &str) -> String {
    std::fs::read_to_string(s.out().join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

/// The text of every `<tag>` element (no attributes) in `xml`.
fn texts(xml: &str, tag: &str) -> Vec<String> {
    let open = format!("<{tag}>");
    xml.split(&open)
        .skip(1)
        .map(|r| r[..r.find(&format!("</{tag}>")).expect("closed")].to_string())
        .collect()
}

#[test]
fn rss_carries_the_atom_entries_with_enclosures_guids_and_creators() {
    let (_server, s) = setup(r#"["atom", "json", "html", "rss"]"#);
    let report = s.run().expect("run");
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
    let rss = read(&s, "feed.rss");

    // The same entries as the Atom feed, under the same ids.
    let atom_ids: BTreeSet<String> = reparse(&s.feed())
        .entries
        .into_iter()
        .map(|e| e.id)
        .collect();
    let rss_feed = reparse(&rss);
    let rss_ids: BTreeSet<String> = rss_feed.entries.iter().map(|e| e.id.clone()).collect();
    assert_eq!(rss_ids, atom_ids);
    assert_eq!(
        rss_feed.entries.len(),
        3,
        "two partner items and the local one"
    );

    // isPermaLink: true (the default, no attribute) only where the id is the link.
    assert!(
        rss.contains("<guid>https://p.example.org/a</guid>"),
        "{rss}"
    );
    let opaque = rss_ids
        .iter()
        .filter(|id| *id != "https://p.example.org/a")
        .collect::<Vec<_>>();
    assert_eq!(opaque.len(), 2);
    for id in opaque {
        assert!(id.starts_with("tag:"), "{id}");
        assert!(
            rss.contains(&format!("<guid isPermaLink=\"false\">{id}</guid>")),
            "{id}\n{rss}"
        );
    }
    // Self link, creators (the partner's, else the partner's name; ours for the local entry),
    // categories, enclosures with their length, RFC 822 dates.
    assert!(rss.contains(
        "<atom:link href=\"https://test.example.org/feed.rss\" rel=\"self\" type=\"application/rss+xml\">"
    ));
    assert!(rss.contains("xmlns:atom=\"http://www.w3.org/2005/Atom\""));
    assert_eq!(
        texts(&rss, "dc:creator"),
        ["P", "Ana", "Test Network"].map(String::from),
        "newest first"
    );
    assert!(texts(&rss, "category").contains(&"health".to_string()));
    assert!(rss.contains(
        "<enclosure url=\"https://p.example.org/a.mp3\" length=\"12345\" type=\"audio/mpeg\""
    ));
    assert!(rss.contains("length=\"1000\" type=\"application/pdf\""));
    assert_eq!(
        texts(&rss, "pubDate"),
        [
            "Tue, 2 Dec 2025 10:00:00 +0000",
            "Mon, 1 Dec 2025 10:00:00 +0000",
            "Mon, 1 Dec 2025 00:00:00 +0000"
        ]
        .map(String::from)
    );

    // The view has its own RSS, with its own self link and only its entries.
    let view = read(&s, "theirs.rss");
    assert!(view.contains("href=\"https://test.example.org/theirs.rss\" rel=\"self\""));
    assert_eq!(reparse(&view).entries.len(), 2);

    // Independent readers: xmllint (well-formed) and feedparser (RSS 2.0, bozo 0).
    for f in ["feed.rss", "theirs.rss"] {
        let path = s.out().join(f);
        let lint = Command::new("xmllint")
            .arg("--noout")
            .arg(&path)
            .output()
            .expect("xmllint runs (apt-get install libxml2-utils)");
        assert!(
            lint.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&lint.stderr)
        );
        let script = "import sys, feedparser\n\
                      d = feedparser.parse(sys.argv[1])\n\
                      assert not d.bozo, d.bozo_exception\n\
                      assert d.version == 'rss20', d.version\n\
                      print(len(d.entries), sum(len(e.get('enclosures', [])) for e in d.entries))";
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(&path)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let want = if f == "feed.rss" { "3 2" } else { "2 1" };
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), want, "{f}");
    }

    // The pages point browsers and readers at it.
    assert!(read(&s, "index.html").contains(
        "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"RSS feed of Test network\" href=\"https://test.example.org/feed.rss\">"
    ));
    assert!(read(&s, "theirs.html").contains("href=\"https://test.example.org/theirs.rss\">"));
}

#[test]
fn default_formats_write_no_rss_and_html_can_be_left_out() {
    let (_server, s) = setup(r#"["atom", "json", "html"]"#);
    s.run().expect("run");
    assert!(!s.out().join("feed.rss").exists());
    assert!(!read(&s, "index.html").contains("application/rss+xml"));

    let (_server, s) = setup(r#"["json", "atom"]"#);
    s.run().expect("run");
    for gone in [
        "index.html",
        "embed.html",
        "theirs.html",
        "theirs.embed.html",
    ] {
        assert!(!s.out().join(gone).exists(), "{gone}");
    }
    for kept in ["feed.atom", "feed.json", "theirs.atom", "theirs.json"] {
        assert!(s.out().join(kept).is_file(), "{kept}");
    }
    // A second run finds every file of its formats in place: nothing is rewritten.
    let again = s.run().expect("run");
    assert!(
        again
            .written
            .iter()
            .filter(|(n, _)| n != "status.json")
            .all(|(_, w)| *w == feedbraid::publish::sink::Written::Unchanged),
        "{:?}",
        again.written
    );
}

#[test]
fn unknown_format_and_missing_atom_are_config_errors_with_their_line() {
    let (_server, s) = setup(r#"["atom", "rss", "pdf"]"#);
    let (code, stderr) = s.cli("check", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("output.formats[2]") && stderr.contains("`pdf` is not one of"),
        "{stderr}"
    );
    let line = std::fs::read_to_string(s.config())
        .expect("config")
        .lines()
        .position(|l| l.starts_with("formats"))
        .expect("formats line")
        + 1;
    assert!(stderr.contains(&format!("feeds.toml:{line}:")), "{stderr}");

    let (_server, s) = setup(r#"["json", "rss"]"#);
    let (code, stderr) = s.cli("check", &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("output.formats") && stderr.contains("`atom` cannot be left out"),
        "{stderr}"
    );
}

/// Issue 27, defect 18: RSS titles are double-escaped as the RSS Best Practices Profile asks
/// (`&` and `<` as HTML entities, then XML-escaped), so a reader that takes RSS titles as HTML
/// (feedbraid's own ingest does, as feedparser does) reads the text, never markup. Shown by a
/// round trip: our `feed.rss` read back by a second feedbraid as a partner's feed.
#[test]
fn rss_titles_with_markup_as_text_survive_a_reader_that_takes_titles_as_html() {
    let s = Setup::new::<&str>(&[], "");
    s.append(
        "[[entry]]\ntitle = \"&quot;&gt;&lt;svg onload=alert(1)&gt;\"\nslug = \"svg\"\npublished = \"2025-12-02\"\n\n\
         [[entry]]\ntitle = \"AT&amp;T &amp; Bill &lt;3\"\nslug = \"att\"\npublished = \"2025-12-03\"\n\n\
         [output]\nformats = [\"atom\", \"rss\"]\n",
    );
    s.run_offline().expect("offline run");
    let rss = read(&s, "feed.rss");
    assert!(rss.contains("&amp;lt;svg onload=alert(1)"), "{rss}");
    assert!(!rss.contains("&lt;svg"), "escaped once:\n{rss}");
    assert!(
        rss.contains("AT&amp;amp;T &amp;amp; Bill &amp;lt;3"),
        "{rss}"
    );

    let server = Server::start();
    server.route(
        "/ours.rss",
        vec![Reply::ok(rss.clone(), "application/rss+xml")],
    );
    let reader = Setup::new(&[("Ours", server.url("/ours.rss"))], "");
    let report = reader.run().expect("run");
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
    let titles: BTreeSet<String> = reparse(&reader.feed())
        .entries
        .into_iter()
        .filter_map(|e| e.title.map(|t| t.content))
        .collect();
    for want in ["\"><svg onload=alert(1)>", "AT&T & Bill <3"] {
        assert!(titles.contains(want), "{want:?} not in {titles:?}");
    }
}
