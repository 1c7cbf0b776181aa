//! Every fixture under `tests/fixtures/liberal/` (one per kind of broken or unusual feed), served
//! as the only partner of a run over loopback. Each fixture states what it checks in
//! `Description:` and its expectations in `Expect:` lines, which this test reads and checks:
//!
//! | line | meaning |
//! |---|---|
//! | `entries = N` | the source contributes N entries |
//! | `title = T` | an entry is titled exactly T |
//! | `link = U` / `enclosure = U` | an entry's alternate / enclosure link is exactly U |
//! | `[not] content ~ S` | some (no) entry's content or summary contains S (HTML, unescaped) |
//! | `not id ~ S` | no entry id contains S |
//! | `recovered ~ S` | the source's report says it recovered S |
//! | `category = term\|label`, `hreflang = L` | the Atom output carries them |
//! | `failure = KEY` | the source failed with this `status.json` failure kind |
//! | `email = A` / `[not] email ~ S` | an author's `<email>` is exactly A / some (no) `<email>` contains S |
//! | `author = N` | an author's `<name>` is exactly N |
//!
//! Every output must also pass the validity checker (`validity::violations`).

use crate::{Reply, Server, Setup};

fn fixtures() -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/liberal");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("liberal fixtures")
        .map(|e| e.expect("entry").path())
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (
                name,
                String::from_utf8_lossy(&std::fs::read(&p).expect("read")).into_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

struct Published {
    entries: Vec<feed_rs::model::Entry>,
    xml: String,
}

impl Published {
    fn bodies(&self) -> impl Iterator<Item = String> + '_ {
        self.entries.iter().flat_map(|e| {
            e.content
                .as_ref()
                .and_then(|c| c.body.clone())
                .into_iter()
                .chain(e.summary.as_ref().map(|s| s.content.clone()))
        })
    }
}

fn check(name: &str, text: &str) -> Vec<String> {
    let server = Server::start();
    server.route(
        "/feed",
        vec![Reply::ok(text.as_bytes().to_vec(), "application/xml")],
    );
    let s = Setup::new(&[("partner", server.url("/feed"))], "");
    let report = s.run().expect("run");
    let rep = report
        .sources
        .iter()
        .find(|r| r.name == "partner")
        .expect("reported");
    let xml = s.feed();
    let mut problems: Vec<String> = crate::validity::violations(&xml)
        .into_iter()
        .map(|v| format!("invalid output: {v}"))
        .collect();
    let feed = crate::reparse(&xml);
    let p = Published {
        entries: feed
            .entries
            .into_iter()
            .filter(|e| {
                e.title
                    .as_ref()
                    .is_none_or(|t| t.content != "Our own report")
            })
            .collect(),
        xml,
    };
    let expects: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Expect:"))
        .map(str::trim)
        .collect();
    assert!(!expects.is_empty(), "{name} has no Expect: lines");
    for e in expects {
        let (negated, e) = match e.strip_prefix("not ") {
            Some(rest) => (true, rest),
            None => (false, e),
        };
        let (key, op, value) = match (e.split_once(" = "), e.split_once(" ~ ")) {
            (Some((k, v)), _) => (k, "=", v),
            (None, Some((k, v))) => (k, "~", v),
            _ => panic!("{name}: cannot read `Expect: {e}`"),
        };
        let found = match (key, op) {
            ("entries", "=") => rep.entries.to_string() == value,
            ("title", "=") => p
                .entries
                .iter()
                .any(|x| x.title.as_ref().is_some_and(|t| t.content == value)),
            ("link", "=") => p.entries.iter().any(|x| {
                x.links
                    .iter()
                    .any(|l| l.rel.as_deref() == Some("alternate") && l.href == value)
            }),
            ("enclosure", "=") => p.entries.iter().any(|x| {
                x.links
                    .iter()
                    .any(|l| l.rel.as_deref() == Some("enclosure") && l.href == value)
            }),
            ("content", "~") => p.bodies().any(|b| b.contains(value)),
            ("id", "~") => p.entries.iter().any(|x| x.id.contains(value)),
            ("recovered", "~") => rep.recovered.iter().any(|r| r.contains(value)),
            ("category", "=") => {
                let (term, label) = value.split_once('|').expect("term|label");
                p.xml
                    .contains(&format!("<category term=\"{term}\" label=\"{label}\"/>"))
            }
            ("hreflang", "=") => p.xml.contains(&format!("hreflang=\"{value}\"")),
            ("failure", "=") => rep.failure.map(|f| f.key()) == Some(value),
            ("email", "=") => p
                .xml
                .contains(&format!("<email>{}</email>", xml_escape(value))),
            ("email", "~") => p
                .xml
                .split("<email>")
                .skip(1)
                .filter_map(|s| s.split_once("</email>").map(|(e, _)| e))
                .any(|e| e.contains(&xml_escape(value))),
            ("author", "=") => p
                .xml
                .contains(&format!("<name>{}</name>", xml_escape(value))),
            _ => panic!("{name}: unknown expectation `{e}`"),
        };
        if found == negated {
            problems.push(format!(
                "expected {}{e}; report: {}",
                if negated { "not " } else { "" },
                rep.line()
            ));
        }
    }
    problems
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[test]
fn every_liberal_fixture_meets_its_expectations() {
    let mut all = Vec::new();
    for (name, text) in fixtures() {
        for p in check(&name, &text) {
            all.push(format!("{name}: {p}"));
        }
    }
    assert!(all.is_empty(), "{}", all.join("\n"));
}
