//! The pages for people and the embeds for partner sites, as written (the browser test renders
//! them): landmarks, one h1, autodiscovery, the subscribe box, downloads with kind and size,
//! `lang`, navigation, the iframe snippets; embeds without scripts or outside loads.

use std::path::Path;

use crate::views::shipped;

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn pages_and_embeds_have_what_people_and_partner_sites_need() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = shipped(tmp.path());
    let index = read(&out.join("index.html"));
    assert_eq!(index.matches("<h1>").count(), 1);
    for needle in [
        "<link rel=\"alternate\" type=\"application/atom+xml\"",
        "href=\"https://swrn.example.org/feed.atom\"",
        "type=\"application/feed+json\"",
        "<main>",
        "<nav aria-label=\"Pages\">",
        "<a class=\"skip\" href=\"#content\">",
        "<h3 lang=\"th\">",
        "href=\"archive/index.html\"",
        "property=\"og:title\"",
        // The size inside the link, the kind once (issue 22).
        "download>Human Trafficking and Sex Work (PDF, 476 KB)</a>",
        "download>Briefing paper (PDF, 1.1 MB)</a>",
        "rel=\"license\">Licence for “",
        "<footer>",
        "feed reader",
        "<time datetime=\"",
        "(PDF, 2.0 MB)",
        "href=\"zh.html\"",
        "href=\"resources.html\"",
        "prefers-color-scheme:dark",
        "lang=\"zh-HK\"",
        "lang=\"th\"",
        // One copy-paste snippet per view, escaped as text.
        "&lt;iframe src=&quot;https://swrn.example.org/zh.embed.html&quot;",
        "&lt;iframe src=&quot;https://swrn.example.org/embed.html&quot;",
    ] {
        assert!(index.contains(needle), "index.html lacks {needle}");
    }
    assert!(!index.to_ascii_lowercase().contains("<script"));
    let zh = read(&out.join("zh.html"));
    assert!(zh.contains("aria-current=\"page\"") && zh.contains("href=\"index.html\""));
    assert!(!zh.contains("&lt;iframe"), "snippets only on the main page");
    for e in ["embed.html", "zh.embed.html"] {
        let embed = read(&out.join(e));
        assert!(embed.contains("<base target=\"_blank\">"), "{e}");
        let lower = embed.to_ascii_lowercase();
        for bad in [
            "<script", "<link", "<img", "<iframe", "src=", "url(", "@import",
        ] {
            assert!(!lower.contains(bad), "{e} has {bad}");
        }
    }
}

#[test]
fn page_helpers_size_kind_and_direction() {
    use feedbraid::model::Enclosure;
    use feedbraid::publish::render::html::{dir, human_size, kind_size};
    use feedbraid::text::lang::conventional_case as bcp47_case;
    let pdf = Enclosure {
        url: "https://x.example.org/a.pdf".into(),
        mime_type: "application/pdf".into(),
        length: Some(487_424),
        title: None,
        language: None,
        ..Enclosure::default()
    };
    assert_eq!(kind_size(&pdf), "PDF, 476 KB");
    let paged = Enclosure {
        pages: Some(16),
        length: Some(6_815_744),
        ..pdf.clone()
    };
    assert_eq!(kind_size(&paged), "PDF, 16 pages, 6.5 MB");
    let one = Enclosure {
        pages: Some(1),
        ..pdf.clone()
    };
    assert_eq!(kind_size(&one), "PDF, 1 page, 476 KB");
    assert_eq!(human_size(900), "900 bytes");
    assert_eq!(human_size(2_134_016), "2.0 MB");
    let mp3 = Enclosure {
        mime_type: "audio/mpeg".into(),
        length: None,
        ..pdf
    };
    assert_eq!(kind_size(&mp3), "MP3");
    assert_eq!(dir("ar"), Some("rtl"));
    assert_eq!(dir("fa-IR"), Some("rtl"));
    assert_eq!(dir("az-arab"), Some("rtl"));
    assert_eq!(dir("zh-hant"), None);
    assert_eq!(dir("th"), None);
    assert_eq!(bcp47_case("zh-hant-hk"), "zh-Hant-HK");
    assert_eq!(bcp47_case("en-us"), "en-US");
}

/// Description: the shipped example's outputs for search engines (issue 22).
/// Expect: `sitemap.xml` is well-formed (xmllint) and lists `index.html` and every view's page
/// by absolute URL, and no embed; `robots.txt` allows all and names the sitemap.
#[test]
fn the_sitemap_lists_every_page_and_robots_names_it() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = crate::views::shipped(tmp.path());
    let lint = std::process::Command::new("xmllint")
        .args(["--noout"])
        .arg(out.join("sitemap.xml"))
        .output()
        .expect("xmllint (.ci/run installs it)");
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );
    let map = std::fs::read_to_string(out.join("sitemap.xml")).expect("sitemap");
    for page in [
        "index.html",
        "zh.html",
        "th.html",
        "anti-trafficking.html",
        "resources.html",
    ] {
        assert!(
            map.contains(&format!("<loc>https://swrn.example.org/{page}</loc>")),
            "{page}: {map}"
        );
    }
    assert!(!map.contains("embed"), "{map}");
    let robots = std::fs::read_to_string(out.join("robots.txt")).expect("robots");
    assert!(
        robots.contains("Sitemap: https://swrn.example.org/sitemap.xml"),
        "{robots}"
    );
}

/// Description: a second run renders only the pages whose entries changed and keeps the rest
/// (a partner's new item changes its own, its month's and the front page, not the indexes).
/// Expect: `sitemap.xml` lists the pages in the same order as a fresh state's run on the same
/// feeds, byte for byte: its order does not depend on which pages a run rendered.
#[test]
fn the_sitemap_keeps_its_order_whichever_pages_a_run_rendered() {
    use crate::state_upgrade::{add_third_item, copy_fixture, run};
    let twice = copy_fixture(false);
    run(twice.path());
    add_third_item(twice.path());
    run(twice.path());
    let fresh = copy_fixture(false);
    add_third_item(fresh.path());
    run(fresh.path());
    let map = |dir: &std::path::Path| {
        std::fs::read_to_string(dir.join("output/sitemap.xml")).expect("sitemap")
    };
    assert!(map(fresh.path()).contains("partners/index.html"));
    assert_eq!(map(twice.path()), map(fresh.path()));
}
