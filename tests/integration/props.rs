//! Property tests: sanitising never lets active content through; merging does not depend on the
//! order entries arrive in; rendering then re-parsing keeps ids and links.

use chrono::{TimeZone, Utc};
use feedbraid::config::Config;
use feedbraid::ingest::normalise::html::Sanitizer;
use feedbraid::model::{Entry, Person};
use proptest::prelude::*;

fn fragment() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<script>alert(1)</script>".to_string()),
        Just("<scr<script>ipt>x</script>".to_string()),
        Just("<a href=\"javascript:alert(1)\">a</a>".to_string()),
        Just("<a href=\"jav&#x61;script:alert(1)\">b</a>".to_string()),
        Just("<a href=\" JaVaScRiPt:alert(1)\">c</a>".to_string()),
        Just("<img src=x onerror=alert(1)>".to_string()),
        Just("<svg onload=alert(1)>".to_string()),
        Just("<p style=\"x:expression(alert(1))\">p</p>".to_string()),
        Just("<iframe src=\"https://evil.example/\"></iframe>".to_string()),
        Just("<a href=\"rel/link\">rel</a>".to_string()),
        Just("<img src=\"/i.png\">".to_string()),
        Just("<b>".to_string()),
        Just("</div>".to_string()),
        "[a-z <>&\"'=/:;]{0,12}",
    ];
    proptest::collection::vec(piece, 0..8).prop_map(|v| v.concat())
}

proptest! {
    #[test]
    fn sanitised_html_has_no_active_content_and_only_absolute_urls(html in fragment()) {
        let s = Sanitizer::new(Some(url::Url::parse("https://base.example.org/dir/").expect("url")), &[]);
        let out = s.clean(&html).to_lowercase();
        prop_assert!(!out.contains("<script"), "{out}");
        prop_assert!(!out.contains("javascript:"), "{out}");
        prop_assert!(!out.contains("<iframe") && !out.contains("<svg") && !out.contains("style="), "{out}");
        prop_assert!(!out.contains(" on"), "event handler in {out}");
        for attr in ["href=\"", "src=\""] {
            for part in out.split(attr).skip(1) {
                prop_assert!(part.starts_with("https://") || part.starts_with("http://") || part.starts_with("mailto:"), "{out}");
            }
        }
        let start_tags = |t: &str| t.as_bytes().windows(2).filter(|w| w[0] == b'<' && w[1].is_ascii_alphabetic()).count();
        let (tags_in, tags_out) = (start_tags(&html), start_tags(&out));
        prop_assert!(tags_out <= tags_in, "gained tags: {html} -> {out}");
    }
}

fn entry(i: u32, src: Option<&str>, day: u32) -> Entry {
    Entry {
        id: format!("tag:t.example.org,2026:{i}"),
        original_id: None,
        title: format!("Entry {i}"),
        link: format!("https://t.example.org/{}", i % 7),
        link_is_site: false,
        link_lang: None,
        published: None,
        updated: Utc
            .with_ymd_and_hms(2026, 1, day, 0, 0, 0)
            .single()
            .expect("date"),
        summary: None,
        content: None,
        authors: vec![Person {
            name: "A".into(),
            email: None,
            uri: None,
        }],
        categories: vec![],
        language: None,
        enclosures: vec![],
        image: None,
        via: vec![],
        source: src.map(|s| feedbraid::model::SourceInfo {
            name: s.into(),
            id: format!("https://{s}.example.org/"),
            title: s.into(),
            homepage: Some(format!("https://{s}.example.org/")),
            feed_url: None,
            updated: Utc
                .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
                .single()
                .expect("date"),
            rights: None,
            license: None,
        }),
        rights: None,
        license: None,
        credit: None,
    }
}

fn cfg() -> Config {
    Config::parse(
        "[feed]\ntitle = \"T\"\nid = \"tag:t.example.org,2026:f\"\nlink = \"https://t.example.org/\"\nself_url = \"https://t.example.org/f.atom\"\nauthor = { name = \"T\" }\nmax_entries = 10\n",
        std::path::Path::new("feeds.toml"),
    )
    .expect("cfg")
}

proptest! {
    #[test]
    fn merge_ignores_arrival_order_and_roundtrips(seed in any::<u64>(), n in 1u32..30) {
        let entries: Vec<Entry> = (0..n)
            .map(|i| entry(i, [None, Some("a"), Some("b")][(i % 3) as usize], 1 + (i * 7 + (seed % 5) as u32) % 27))
            .collect();
        let mut shuffled = entries.clone();
        let mut x = seed;
        for i in (1..shuffled.len()).rev() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (x >> 33) as usize % (i + 1));
        }
        let c = cfg();
        let credits: std::collections::BTreeMap<String, String> =
            [("a", "https://a.example.org/"), ("b", "https://b.example.org/")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let cands = |es: &[Entry]| -> Vec<_> {
            es.iter().map(|e| feedbraid::ingest::select::candidate(e, &e.id, &mut Default::default())).collect()
        };
        let a = feedbraid::pool::merge::merge(&c, cands(&entries), &credits);
        let b = feedbraid::pool::merge::merge(&c, cands(&shuffled), &credits);
        prop_assert_eq!(&a, &b);
        let a: Vec<Entry> = a
            .iter()
            .map(|w| {
                let mut e = entries.iter().find(|e| e.id == w.handle() && e.origin() == w.origin()).cloned().expect("entry");
                e.via.clone_from(&w.via);
                e
            })
            .collect();
        let xml = feedbraid::publish::render::atom(&c.feed, &a, None).expect("render");
        let back = feed_rs::parser::parse(xml.as_slice()).expect("reparse");
        let ids: Vec<&str> = back.entries.iter().map(|e| e.id.as_str()).collect();
        let want: Vec<&str> = a.iter().map(|e| e.id.as_str()).collect();
        prop_assert_eq!(ids, want);
        for (e, r) in a.iter().zip(&back.entries) {
            prop_assert!(r.links.iter().any(|l| l.href == e.link));
        }
    }
}
