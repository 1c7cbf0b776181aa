//! The pages in a real browser: Debian's Chromium, headless, renders `index.html`, a view page
//! and an embed of the shipped example. Every entry's title must be visible text linking to the
//! entry's Atom link, Chinese and Thai entries must carry `lang`, no page may hold a script, and
//! the embed must load nothing from another origin (checked in Chromium's own network log).
//! `.ci/run` installs Chromium; without it this test fails rather than passing unseen.

use std::path::Path;
use std::process::Command;

use crate::views::shipped;

pub const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// `chromium --headless --dump-dom`: the DOM after parsing, as Chromium serialises it.
pub fn dump_dom(file: &Path, profile: &Path, net_log: Option<&Path>) -> String {
    let mut c = Command::new("chromium");
    c.args(FLAGS)
        .arg(format!("--user-data-dir={}", profile.display()));
    if let Some(log) = net_log {
        c.arg(format!("--log-net-log={}", log.display()));
    }
    let out = c
        .arg("--dump-dom")
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs (apt-get install chromium; .ci/run does)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 DOM")
}

/// Text as Chromium serialises it inside an element.
fn text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\u{a0}', "&nbsp;")
}

/// An attribute value as Chromium serialises it.
fn attr(s: &str) -> String {
    text(s).replace('"', "&quot;")
}

/// JSON Feed items of an output: (title, link, language).
fn items(json: &Path) -> Vec<(String, String, Option<String>)> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json).expect("json")).expect("valid json");
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["title"].as_str().expect("title").to_string(),
                i["url"].as_str().expect("url").to_string(),
                i["language"].as_str().map(str::to_string),
            )
        })
        .collect()
}

/// Asserts every item is a visible, linked title, with `lang` on Chinese and Thai entries.
fn check_entries(dom: &str, items: &[(String, String, Option<String>)], page: &str) {
    assert!(!items.is_empty(), "{page}: nothing to check");
    let lower = dom.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "{page} has a script");
    let body = &dom[dom.find("<body").expect("body")..];
    for (title, link, lang) in items {
        let a = format!("<a href=\"{}\">{}</a>", attr(link), text(title));
        let at = body
            .find(&a)
            .unwrap_or_else(|| panic!("{page}: no visible linked title {a}"));
        // The element that holds the entry's title: its heading on a page (`<h3`), its link in
        // an embed (`<a`); the interface's labels around it keep the page's language.
        let start = body[..at]
            .rfind("<h3")
            .max(body[..at].rfind("<li"))
            .expect("entry element");
        let tag = &body[start..start + body[start..].find('>').expect("tag end")];
        if let Some(l) = lang
            .as_deref()
            .filter(|l| l.starts_with("zh") || l.starts_with("th"))
        {
            assert!(
                tag.to_ascii_lowercase()
                    .contains(&format!("lang=\"{}\"", l.to_ascii_lowercase())),
                "{page}: {title} lacks lang={l}: {tag}"
            );
        }
    }
}

#[test]
fn pages_render_in_chromium_with_linked_titles_lang_and_nothing_foreign() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = shipped(tmp.path());
    let all = items(&out.join("feed.json"));
    assert!(
        all.iter()
            .any(|i| i.2.as_deref().is_some_and(|l| l.starts_with("zh")))
            && all.iter().any(|i| i.2.as_deref() == Some("th")),
        "the shipped example has Chinese and Thai entries"
    );
    let index_log = tmp.path().join("index-net.json");
    let index = dump_dom(
        &out.join("index.html"),
        &tmp.path().join("p1"),
        Some(&index_log),
    );
    check_entries(&index, &all, "index.html");
    // Media are mirrored (or, when they cannot be, plain links): the page for people loads
    // nothing from any partner's server.
    assert_eq!(
        page_requests(&index_log),
        Vec::<String>::new(),
        "index.html loaded something from elsewhere"
    );
    assert_eq!(index.matches("<h1").count(), 1);
    let zh = dump_dom(&out.join("zh.html"), &tmp.path().join("p2"), None);
    check_entries(&zh, &items(&out.join("zh.json")), "zh.html");
    let log = tmp.path().join("net.json");
    let embed = dump_dom(
        &out.join("th.embed.html"),
        &tmp.path().join("p3"),
        Some(&log),
    );
    check_entries(&embed, &items(&out.join("th.json")), "th.embed.html");
    assert!(embed.contains("<base target=\"_blank\">"));
    // Chromium logs every request it makes. Its own background requests (network time, update
    // checks) start in the browser process ("not an origin"); anything the page asks for has the
    // page as initiator. The check is itself checked on a page that loads an image from elsewhere.
    assert_eq!(
        page_requests(&log),
        Vec::<String>::new(),
        "the embed loaded something"
    );
    let control = tmp.path().join("control.html");
    std::fs::write(&control, "<img src=\"http://192.0.2.1/pixel.png\">").expect("write");
    let control_log = tmp.path().join("control-net.json");
    dump_dom(&control, &tmp.path().join("p4"), Some(&control_log));
    assert!(
        page_requests(&control_log)
            .iter()
            .any(|u| u.contains("192.0.2.1")),
        "the net-log check sees a page's request"
    );
}

/// URLs of the requests a page initiated, from Chromium's net log.
pub fn page_requests(log: &Path) -> Vec<String> {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(log).expect("net log written")).expect("net log");
    let ty = |name: &str| v["constants"]["logEventTypes"][name].as_i64();
    let (start, alive) = (ty("URL_REQUEST_START_JOB"), ty("REQUEST_ALIVE"));
    let events = v["events"].as_array().expect("events");
    let mut out = Vec::new();
    for e in events {
        if e["type"].as_i64() != start {
            continue;
        }
        let (Some(url), initiator) = (
            e["params"]["url"].as_str(),
            e["params"]["initiator"].as_str(),
        ) else {
            continue; // the event's end: no parameters
        };
        if initiator != Some("not an origin") && !url.starts_with("file:") {
            out.push(url.to_string());
        }
    }
    // Keep `alive` used for a clearer message should Chromium rename the start event.
    assert!(
        start.is_some() && alive.is_some(),
        "net log event names changed"
    );
    out
}
