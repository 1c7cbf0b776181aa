//! Defect 8 of issue 14: one text-cleaning rule for every output. Characters XML 1.0 forbids
//! (U+0001) and non-characters (U+FFFF) that `feed.atom` strips must not survive in `feed.json`
//! or the pages either, wherever they came from: a partner's JSON Feed, a local entry, the config.

use crate::{Reply, Server, Setup};

const DIRTY_JSON: &str = r#"{"version":"https://jsonfeed.org/version/1.1","title":"Dirty\u0001 partner\uffff",
"home_page_url":"https://dirty.example.org/","authors":[{"name":"Ann\u0001\uffff"}],
"items":[{"id":"https://dirty.example.org/1","url":"https://dirty.example.org/1","title":"T\u0001itle\uffff",
"content_html":"<p>Body\u0001\uffff</p>","summary":"Sum\u0001mary\uffff","tags":["ta\u0001g\uffff"],
"attachments":[{"url":"https://dirty.example.org/f.pdf","mime_type":"application/pdf","title":"Fi\u0001le\uffff"}],
"date_published":"2026-01-01T00:00:00Z"}]}"#;

#[test]
fn characters_atom_strips_are_stripped_from_every_output() {
    let server = Server::start();
    server.route(
        "/dirty.json",
        vec![Reply::ok(DIRTY_JSON, "application/feed+json")],
    );
    let s = Setup::new(&[("Dirty", server.url("/dirty.json"))], "");
    let cfg = std::fs::read_to_string(s.config()).expect("config");
    let cfg = cfg
        .replace(
            "title = \"Our own report\"",
            "title = \"Our\\u0001 own\\uFFFF report\"",
        )
        .replace(
            "summary = \"<p>Local</p>\"",
            "summary = \"<p>Lo\\u0001cal\\uFFFF</p>\"",
        )
        // Not the feed's title: control characters in a name are refused by `check` since issue
        // 27 (defect 11); the subtitle is free text, stripped like everything else.
        .replace(
            "title = \"Test network\"",
            "title = \"Test network\"\nsubtitle = \"Test\\u0001 network\\uFFFF\"",
        );
    std::fs::write(s.config(), cfg).expect("config");
    let r = s.run().expect("run");
    assert_eq!(r.exit_code(), 0, "{}", r.summary());
    let feed = s.feed();
    assert!(feed.contains("Title"), "the partner's item is published");
    assert!(
        feed.contains("Our own report"),
        "the local entry is published"
    );
    for name in [
        "feed.atom",
        "feed.json",
        "index.html",
        "embed.html",
        "status.json",
    ] {
        let text = std::fs::read_to_string(s.out().join(name)).expect(name);
        for bad in [
            "\u{1}", "\u{FFFF}", "\\u0001", "\\uffff", "\\uFFFF", "&#1;", "&#x1;",
        ] {
            assert!(!text.contains(bad), "{bad:?} in {name}");
        }
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.out().join("feed.json")).expect("json"))
            .expect("valid JSON");
    let titles: Vec<&str> = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["title"].as_str())
        .collect();
    assert!(titles.contains(&"Title"), "{titles:?}");
    assert!(titles.contains(&"Our own report"), "{titles:?}");
}
