//! Withdrawal end to end, over loopback with the real binary: an item a partner still serves is
//! withdrawn from every output, leaves an RFC 6721 tombstone that validates, stays out when the
//! partner re-posts it under a new id, loses its tombstone after `tombstone_days`, and comes back
//! with `--undo`. A partner that leaves takes its entries with it, with tombstones.

use std::process::Command;

use crate::{Reply, Server, Setup};

fn feed(items: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut x = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Partner</title><link>https://p.example.org/</link>",
    );
    for (guid, title, link) in items {
        x.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title><link>{link}</link>\
             <pubDate>Mon, 05 Jan 2026 08:00:00 +0000</pubDate><description>{title} text</description></item>"
        ));
    }
    x.push_str("</channel></rss>");
    x.into_bytes()
}

const HARMFUL: (&str, &str, &str) = ("h-1", "Harmful item", "https://p.example.org/harmful");
const FINE: (&str, &str, &str) = ("f-1", "Fine item", "https://p.example.org/fine");

fn feedparser_accepts(path: &std::path::Path) {
    let script = "import sys, feedparser\nd = feedparser.parse(sys.argv[1])\nassert not d.bozo, d.bozo_exception";
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_withdrawn_item_leaves_every_output_with_a_tombstone_and_comes_back_on_undo() {
    let server = Server::start();
    server.route(
        "/feed",
        vec![Reply::ok(feed(&[HARMFUL, FINE]), "application/rss+xml")],
    );
    let s = Setup::new(&[("Partner", server.url("/feed"))], "");
    s.append(
        "\n[[view]]\nname = \"partner\"\ntitle = \"Only the partner\"\nsources = [\"Partner\"]\n",
    );
    assert_eq!(s.cli("run", &[]).0, Some(0));
    assert!(s.feed().contains("Harmful item"));
    let id = crate::reparse(&s.feed())
        .entries
        .iter()
        .find(|e| {
            e.title
                .as_ref()
                .is_some_and(|t| t.content == "Harmful item")
        })
        .map(|e| e.id.clone())
        .expect("published");

    // Unknown ids are refused with a hint; nothing is recorded.
    let (code, err) = s.cli("withdraw", &["tag:nobody.example.org,2026:none"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("feedbraid list"), "{err}");
    assert!(!s.dir.path().join("withdrawn.toml").exists());
    // `list` finds it.
    let listed = s
        .command("list", &["--search", "harmful"])
        .output()
        .expect("list");
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(
        listed.contains(&id) && listed.contains("Partner"),
        "{listed}"
    );

    let (code, err) = s.cli("withdraw", &["--reason", "At the partner's request", &id]);
    assert_eq!(code, Some(0), "{err}");
    let record = std::fs::read_to_string(s.dir.path().join("withdrawn.toml")).expect("record");
    for want in [
        id.as_str(),
        "https://p.example.org/harmful",
        "Harmful item",
        "At the partner's request",
        "when = ",
    ] {
        assert!(record.contains(want), "{want} not in {record}");
    }

    // The partner still serves it; the next run removes it everywhere.
    assert_eq!(s.cli("run", &[]).0, Some(0));
    for (name, text) in s.outputs() {
        if name == "status.json" {
            continue;
        }
        assert!(!text.contains("Harmful item"), "{name} still carries it");
        assert!(
            text.contains("Fine item") || !name.ends_with(".atom"),
            "{name} lost the fine item"
        );
    }
    for file in ["feed.atom", "partner.atom"] {
        let xml = std::fs::read_to_string(s.out().join(file)).expect("atom");
        assert!(
            xml.contains("xmlns:at=\"http://purl.org/atompub/tombstones/1.0\"")
                && xml.contains(&format!("<at:deleted-entry ref=\"{id}\" when=\""))
                && xml.contains("<at:comment>At the partner&apos;s request</at:comment>")
                    | xml.contains("<at:comment>At the partner's request</at:comment>"),
            "{file}: {xml}"
        );
        let problems = crate::validity::violations(&xml);
        assert!(problems.is_empty(), "{file}: {problems:?}");
        feedparser_accepts(&s.out().join(file));
    }

    // Re-posted under a new id with the same link: still withdrawn.
    let reposted = (
        "h-2-new-guid",
        "Harmful item",
        "https://p.example.org/harmful?utm_source=x",
    );
    server.route(
        "/feed",
        vec![Reply::ok(feed(&[reposted, FINE]), "application/rss+xml")],
    );
    assert_eq!(s.cli("run", &[]).0, Some(0));
    assert!(!s.feed().contains("Harmful item"), "re-post came back");

    // After tombstone_days, the tombstone goes (the record's date is the tombstone's).
    let old = (chrono::Utc::now() - chrono::Duration::days(31))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let edited = regex_when(&record, &old);
    std::fs::write(s.dir.path().join("withdrawn.toml"), edited).expect("edit");
    assert_eq!(s.cli("run", &["--offline"]).0, Some(0));
    assert!(
        !s.feed().contains("at:deleted-entry"),
        "tombstone outlived tombstone_days"
    );
    assert!(!s.feed().contains("Harmful item"));

    // --undo brings it back.
    let (code, err) = s.cli("withdraw", &["--undo", &id]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(s.cli("run", &[]).0, Some(0));
    assert!(
        s.feed().contains("Harmful item"),
        "undo did not bring it back"
    );
    let (code, _) = s.cli("withdraw", &["--undo", &id]);
    assert_eq!(code, Some(2), "undoing twice is an error");
}

fn regex_when(record: &str, new: &str) -> String {
    record
        .lines()
        .map(|l| {
            if l.trim_start().starts_with("when") {
                format!("when = \"{new}\"")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_partner_that_leaves_takes_its_entries_with_tombstones() {
    let server = Server::start();
    server.route("/a", vec![Reply::ok(feed(&[FINE]), "application/rss+xml")]);
    server.route(
        "/b",
        vec![Reply::ok(
            feed(&[("b-1", "From B", "https://b.example.org/1")]),
            "application/rss+xml",
        )],
    );
    let s = Setup::new(&[("A", server.url("/a")), ("B", server.url("/b"))], "");
    assert_eq!(s.cli("run", &[]).0, Some(0));
    assert!(s.feed().contains("From B"));
    s.append("enabled = false");
    assert_eq!(s.cli("run", &[]).0, Some(0));
    let xml = s.feed();
    assert!(
        !xml.contains("From B"),
        "the disabled partner's entry stayed"
    );
    assert!(
        xml.contains("<at:deleted-entry ref=\"") && xml.contains("Fine item"),
        "{xml}"
    );
    for (name, text) in s.outputs() {
        if name != "status.json" {
            assert!(!text.contains("From B"), "{name}");
        }
    }
}
