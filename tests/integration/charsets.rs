//! Every charset fixture, served over loopback with and without an HTTP `charset`, comes out with
//! its title exactly as the partner wrote it (tests/fixtures/charsets/expect.json lists them).

use crate::{Reply, Server, Setup, fixture};

fn check(with_header: bool) {
    let manifest: serde_json::Value =
        serde_json::from_slice(&fixture("charsets/expect.json")).expect("manifest");
    let cases: Vec<&serde_json::Value> = manifest
        .as_array()
        .expect("array")
        .iter()
        .filter(|c| !with_header || !c["http_charset"].is_null())
        .collect();
    let server = Server::start();
    let mut sources = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let file = case["file"].as_str().expect("file");
        let ct = match case["http_charset"].as_str() {
            Some(cs) if with_header => format!("application/rss+xml; charset={cs}"),
            _ => "application/xml".to_string(),
        };
        server.route(
            &format!("/{file}"),
            vec![Reply::ok(fixture(&format!("charsets/{file}")), &ct)],
        );
        sources.push((format!("source-{i}"), server.url(&format!("/{file}"))));
    }
    let s = Setup::new(&sources, "");
    let report = s.run().expect("run");
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
    let feed = crate::reparse(&s.feed());
    let titles: Vec<String> = feed
        .entries
        .iter()
        .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
        .collect();
    // Nothing declared and not UTF-8: the detector's guess is named in the source's warnings.
    for (i, case) in cases.iter().enumerate() {
        let file = case["file"].as_str().expect("file");
        if let Some(enc) = file
            .strip_prefix("undeclared-")
            .and_then(|f| f.strip_suffix(".xml"))
        {
            let rep = &report.sources[report
                .sources
                .iter()
                .position(|r| r.name == format!("source-{i}"))
                .expect("source reported")];
            // TIS-620 is read as its superset windows-874, KOI8-R as KOI8-U.
            let enc = match enc {
                "tis-620" => "windows-874",
                "koi8-r" => "koi8",
                e => e,
            };
            assert!(
                rep.warnings
                    .iter()
                    .any(|w| w.starts_with("no charset declared; detected")
                        && w.to_ascii_lowercase().contains(&enc.to_ascii_lowercase())),
                "{file}: {:?}",
                rep.warnings
            );
        }
    }
    for case in cases {
        let title = case["title"].as_str().expect("title");
        assert!(
            titles.iter().any(|t| t == title),
            "{} (header: {with_header}) should give {title:?}; got {titles:?}",
            case["file"]
        );
    }
}

#[test]
fn titles_come_out_as_written_without_http_charset() {
    check(false);
}

#[test]
fn titles_come_out_as_written_with_http_charset() {
    check(true);
}
