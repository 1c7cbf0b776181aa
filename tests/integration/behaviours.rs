//! One fixture per normalisation behaviour (each fixture's Description/Expect comment says what).

use feedbraid::run::{self, RunOptions};

use crate::{Reply, Server, Setup, fixture, reparse};

#[test]
fn cross_posts_merge_with_via_and_filters_dates_apply() {
    let server = Server::start();
    server.route(
        "/a.xml",
        vec![Reply::ok(fixture("crosspost-a.xml"), "text/xml")],
    );
    server.route(
        "/b.xml",
        vec![Reply::ok(fixture("crosspost-b.xml"), "text/xml")],
    );
    let s = Setup::new(
        &[("A", server.url("/a.xml")), ("B", server.url("/b.xml"))],
        "",
    );
    let cfg = std::fs::read_to_string(s.config()).expect("cfg");
    std::fs::write(s.config(), format!("{cfg}exclude = [\"cheap pills\"]\n")).expect("cfg");
    let before = chrono::Utc::now();
    s.run().expect("run");
    let xml = s.feed();
    let feed = reparse(&xml);
    let titles: Vec<String> = feed
        .entries
        .iter()
        .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
        .collect();
    assert_eq!(
        titles
            .iter()
            .filter(|t| t.starts_with("Joint statement"))
            .count(),
        1,
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Joint statement".to_string()),
        "the earliest published wins"
    );
    assert!(
        xml.contains("<link href=\"https://b.example.org/\" rel=\"via\"/>"),
        "{xml}"
    );
    assert!(!titles.iter().any(|t| t.contains("pills")), "excluded");
    let future = feed
        .entries
        .iter()
        .find(|e| {
            e.title
                .as_ref()
                .is_some_and(|t| t.content == "From the future")
        })
        .expect("future");
    let updated = future.updated.expect("date");
    assert!(
        updated >= before - chrono::Duration::seconds(2) && updated <= chrono::Utc::now(),
        "clamped to fetch time: {updated}"
    );
    let undated = feed
        .entries
        .iter()
        .find(|e| {
            e.title
                .as_ref()
                .is_some_and(|t| t.content == "No date at all")
        })
        .expect("undated");
    assert_eq!(
        undated.updated.expect("date").to_rfc3339(),
        "2026-01-07T08:00:00+00:00",
        "dated by the feed's lastBuildDate"
    );
}

#[test]
fn undated_item_keeps_its_first_seen_time() {
    let server = Server::start();
    let body = String::from_utf8(fixture("crosspost-b.xml"))
        .expect("utf8")
        .replace(
            "<lastBuildDate>Wed, 07 Jan 2026 08:00:00 +0000</lastBuildDate>",
            "",
        );
    server.route("/b.xml", vec![Reply::ok(body, "text/xml")]);
    let s = Setup::new(&[("B", server.url("/b.xml"))], "");
    s.run().expect("run 1");
    let first = s.feed();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    s.run().expect("run 2");
    assert_eq!(
        first,
        s.feed(),
        "the undated item keeps its first-seen time, so nothing changes"
    );
}

#[test]
fn id_strategy_link_survives_churning_guids() {
    let server = Server::start();
    let tpl = String::from_utf8(fixture("churning-guids.xml")).expect("utf8");
    server.route(
        "/c.xml",
        vec![
            Reply::ok(tpl.replace("GUID-PLACEHOLDER", "x-1"), "text/xml"),
            Reply::ok(tpl.replace("GUID-PLACEHOLDER", "x-2"), "text/xml"),
        ],
    );
    let s = Setup::new(&[("Churn", server.url("/c.xml"))], "");
    let cfg = std::fs::read_to_string(s.config()).expect("cfg");
    std::fs::write(s.config(), format!("{cfg}id_strategy = \"link\"\n")).expect("cfg");
    s.run().expect("run 1");
    let id1 = reparse(&s.feed())
        .entries
        .iter()
        .find(|e| {
            e.title
                .as_ref()
                .is_some_and(|t| t.content == "Stable story")
        })
        .expect("entry")
        .id
        .clone();
    s.run().expect("run 2");
    let feed2 = reparse(&s.feed());
    let ids2: Vec<&str> = feed2
        .entries
        .iter()
        .filter(|e| {
            e.title
                .as_ref()
                .is_some_and(|t| t.content == "Stable story")
        })
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(ids2, vec![id1.as_str()]);
    assert!(id1.starts_with("tag:feedbraid,2026:churn/link/"), "{id1}");
}

#[test]
fn iframes_only_from_allowed_hosts_and_only_raster_data_images() {
    let server = Server::start();
    server.route("/e.xml", vec![Reply::ok(fixture("embeds.xml"), "text/xml")]);
    let s = Setup::new(&[("Embeds", server.url("/e.xml"))], "");
    let cfg = std::fs::read_to_string(s.config()).expect("cfg");
    std::fs::write(
        s.config(),
        format!("{cfg}iframe_hosts = [\"www.youtube.com\"]\n"),
    )
    .expect("cfg");
    s.run().expect("run");
    let xml = s.feed();
    assert!(
        xml.contains("&lt;iframe src=&quot;https://www.youtube.com/embed/abc&quot;"),
        "{xml}"
    );
    assert!(xml.contains("sandbox="), "{xml}");
    assert!(!xml.contains("ads.example.com"));
    assert!(xml.contains("data:image/png;base64"));
    assert!(!xml.contains("svg+xml") && !xml.contains("srcset"), "{xml}");
}

#[test]
fn max_items_caps_a_busy_source_after_sorting() {
    let server = Server::start();
    server.route(
        "/a.xml",
        vec![Reply::ok(fixture("crosspost-a.xml"), "text/xml")],
    );
    server.route(
        "/b.xml",
        vec![Reply::ok(fixture("crosspost-b.xml"), "text/xml")],
    );
    let s = Setup::new(
        &[("A", server.url("/a.xml")), ("B", server.url("/b.xml"))],
        "",
    );
    let cfg = std::fs::read_to_string(s.config()).expect("cfg");
    std::fs::write(s.config(), format!("{cfg}max_items = 1\n")).expect("cfg");
    s.run().expect("run");
    let feed = reparse(&s.feed());
    let from_b: Vec<String> = feed
        .entries
        .iter()
        .filter(|e| e.links.iter().any(|l| l.href.contains("b.example.org")))
        .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
        .collect();
    assert_eq!(
        from_b,
        vec!["From the future".to_string()],
        "only B's newest entry"
    );
    let r = run::run(&RunOptions {
        config: s.config(),
        offline: true,
        ..RunOptions::default()
    })
    .expect("offline");
    assert_eq!(r.exit_code(), 0);
}
