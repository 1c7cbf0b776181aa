//! Property test over every feed fixture: random truncation, random byte corruption and random
//! entity insertion never panic, never hang, and never publish anything invalid or active. Runs
//! the pure core (parse → normalise → render) on each mangled document and checks the Atom it
//! renders with the same validity checker as the full runs.

use std::path::Path;
use std::time::{Duration, Instant};

use feedbraid::ingest::normalise::FeedContext;
use feedbraid::ingest::parse::parse_feed;
use proptest::prelude::*;

fn corpus() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for dir in [root.clone(), root.join("liberal"), root.join("charsets")] {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .expect("fixtures")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "xml" || x == "json"))
            .collect();
        files.sort();
        out.extend(files.iter().map(|p| std::fs::read(p).expect("read")));
    }
    out
}

const ENTITIES: &[&str] = &[
    "&nbsp;",
    "&",
    "&#0;",
    "&#xD800;",
    "&bogus;",
    "&#x110000;",
    "&amp;",
    "<",
    "</item>",
    "</entry>",
    "<![CDATA[",
    "]]>",
    "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>",
    "&e;",
    "\u{0}",
    "<script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<a href=\"javascript:alert(1)\">x</a>",
    "\u{FEFF}",
    "<?xml version=\"1.0\"?>",
];

#[derive(Debug, Clone)]
enum Mangle {
    Truncate(usize),
    Corrupt(Vec<(usize, u8)>),
    Insert(Vec<(usize, usize)>),
}

fn apply(doc: &[u8], m: &Mangle) -> Vec<u8> {
    match m {
        Mangle::Truncate(at) => doc[..at % (doc.len() + 1)].to_vec(),
        Mangle::Corrupt(edits) => {
            let mut d = doc.to_vec();
            for (at, b) in edits {
                if !d.is_empty() {
                    let i = at % d.len();
                    d[i] = *b;
                }
            }
            d
        }
        Mangle::Insert(edits) => {
            let mut d = doc.to_vec();
            for (at, which) in edits {
                let i = at % (d.len() + 1);
                let e = ENTITIES[which % ENTITIES.len()].as_bytes();
                d.splice(i..i, e.iter().copied());
            }
            d
        }
    }
}

fn mangle() -> impl Strategy<Value = Mangle> {
    prop_oneof![
        any::<usize>().prop_map(Mangle::Truncate),
        proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8).prop_map(Mangle::Corrupt),
        proptest::collection::vec((any::<usize>(), any::<usize>()), 1..6).prop_map(Mangle::Insert),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]
    #[test]
    fn mangled_fixtures_never_panic_hang_or_publish_anything_invalid(which in any::<usize>(), m in mangle()) {
        static CORPUS: std::sync::LazyLock<Vec<Vec<u8>>> = std::sync::LazyLock::new(corpus);
        static CFG: std::sync::LazyLock<feedbraid::config::Config> = std::sync::LazyLock::new(|| {
            feedbraid::config::Config::from_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds.toml")).expect("shipped config")
        });
        let doc = apply(&CORPUS[which % CORPUS.len()], &m);
        let started = Instant::now();
        let url = url::Url::parse("https://partner.example.org/feed").expect("url");
        let Ok(parsed) = parse_feed(&doc, None, Some(&url)) else { return Ok(()); };
        let ctx = FeedContext::new(&CFG.sources[0], &parsed.feed, Some(&url), chrono::Utc::now());
        // As published: each entry sanitised on its way out (`materialise`).
        let settings = feedbraid::publish::clean::Settings::of_source(&CFG.sources[0]);
        let entries: Vec<_> = parsed.feed.items.iter().filter_map(|i| {
            let mut e = ctx.entry(i, &|_| None).ok()?.entry;
            let cleaned = feedbraid::publish::clean::clean(&settings, &settings.sanitizer(ctx.base_of(i)), e.summary.as_deref(), e.content.as_deref());
            feedbraid::publish::clean::apply(&mut e, &settings, cleaned);
            Some(e)
        }).collect();
        prop_assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
        let mut ids = std::collections::HashSet::new();
        let entries: Vec<_> = entries.into_iter().filter(|e| ids.insert(e.id.clone())).collect();
        let xml = feedbraid::publish::render::atom(&CFG.feed, &entries, None).expect("render");
        let xml = String::from_utf8(xml).expect("utf-8");
        let problems = crate::validity::violations(&xml);
        prop_assert!(problems.is_empty(), "{problems:#?}\n{}", String::from_utf8_lossy(&doc));
        // Titles are plain text (a `<script>` there is shown, never run); what readers render as
        // HTML is the content and summary.
        let back = crate::reparse(&xml);
        for e in &back.entries {
            let html = e.content.as_ref().and_then(|c| c.body.clone()).into_iter()
                .chain(e.summary.as_ref().map(|s| s.content.clone()));
            for h in html {
                // Markup only: escaped text (`&lt;a href="javascript:..."&gt;`) is shown, never run.
                for tag in h.split('<').skip(1).map(|t| t.split('>').next().unwrap_or_default().to_lowercase()) {
                    prop_assert!(!tag.starts_with("script") && !tag.starts_with("iframe"), "<{tag}> in {h}");
                    // An attribute value (the sanitiser quotes each with `"`) never starts with a
                    // dangerous scheme; the same letters percent-encoded in an https path are harmless.
                    let dangerous = tag.split('"').skip(1).step_by(2).map(str::trim_start)
                        .any(|v| v.starts_with("javascript:") || v.starts_with("file:"));
                    prop_assert!(!dangerous, "<{tag}> in {h}");
                    let handler = tag.split_whitespace().skip(1).any(|a| a.starts_with("on") && a.contains('='));
                    prop_assert!(!handler, "<{tag}> in {h}");
                }
            }
            for l in &e.links {
                prop_assert!(l.href.starts_with("https://") || l.href.starts_with("http://"), "{}", l.href);
            }
        }
    }
}
