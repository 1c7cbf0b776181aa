//! Every page for people in a real browser with axe-core (issue 22): the shipped example's pages,
//! view pages, embeds, month, topic and partner pages, and an embed inside a host page that
//! paints its own white background in the dark scheme, each at 1280 and 375 px in the light and
//! the dark scheme (`.ci/axe.js`: Debian's Chromium driven by puppeteer-core, both installed by
//! `.ci/run`). Also: every entry of the shipped example is reachable from `index.html` by links
//! alone, and no page requests anything from another origin.

use std::collections::{BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::files_under;
use crate::views::shipped;

/// The HTML pages of an output folder (the gzip copies aside).
fn pages(out: &Path) -> Vec<PathBuf> {
    files_under(out)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

/// Description: the shipped example, rendered; axe over every page and embed in both schemes and
/// both widths, and over a host page embedding `embed.html` on a white background in dark mode.
/// Expect: 0 violations everywhere; no request leaves the output folder; no page scrolls
/// sideways at 320 px with 200 % text (160 CSS px).
#[test]
fn every_page_and_embed_passes_axe_in_both_schemes_and_widths() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = shipped(tmp.path());
    let host = out.join("host-page.html");
    std::fs::write(
        &host,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>A partner's site</title>\
         <style>:root{color-scheme:light dark}body{background:#fff;color:#111}</style></head>\
         <body><main><h1>A partner's site</h1>\
         <iframe src=\"embed.html\" title=\"Network news\" width=\"100%\" height=\"420\" style=\"border:0\"></iframe>\
         </main></body></html>",
    )
    .expect("host page");
    let files = pages(&out);
    assert!(files.len() > 20, "{files:?}");
    axe_clean(&files);
}

/// The `href`s of an HTML page.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

/// Three partners with three years of monthly posts each (108 entries, in English, Thai and
/// Arabic, with topics), the main feed capped at 10 entries.
fn years_of_entries() -> (crate::Server, crate::Setup, Vec<String>) {
    let srv = crate::Server::start();
    let mut links = Vec::new();
    let mut sources = Vec::new();
    for (p, lang, tag) in [
        ("en", "en", "Health"),
        ("th", "th", "สุขภาพ"),
        ("ar", "ar", "الصحة"),
    ] {
        let mut x = format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Partner {p}</title>\
             <link>https://{p}.example.org/</link><description>d</description><language>{lang}</language>"
        );
        for i in 0..36 {
            let link = format!("https://{p}.example.org/post/{i}");
            x.push_str(&format!(
                "<item><guid>{link}</guid><title>Post {i} of {p}</title><link>{link}</link>\
                 <category>{tag}</category><pubDate>Mon, 10 {} {} 10:00:00 GMT</pubDate>\
                 <description>Text {i}</description></item>",
                [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                    "Dec"
                ][i % 12],
                2023 + i / 12
            ));
            links.push(link);
        }
        x.push_str("</channel></rss>");
        let path = format!("/{p}.xml");
        srv.route(&path, vec![crate::Reply::ok(x, "application/rss+xml")]);
        sources.push((format!("partner-{p}"), srv.url(&path)));
    }
    let s = crate::Setup::new(&sources, "");
    s.cap_entries(10);
    (srv, s, links)
}

/// Every page reached from `index.html` by following its links inside `out`, and every
/// outside link found on them.
fn crawl(out: &Path) -> (Vec<String>, BTreeSet<String>) {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([out.join("index.html")]);
    let mut linked = BTreeSet::new();
    while let Some(page) = queue.pop_front() {
        let Ok(canon) = page.canonicalize() else {
            continue;
        };
        if !seen.insert(canon.clone()) {
            continue;
        }
        let html = std::fs::read_to_string(&canon).expect("page");
        for h in hrefs(&html) {
            if h.starts_with("http") {
                linked.insert(h);
            } else if h.ends_with(".html") {
                queue.push_back(canon.parent().expect("dir").join(&h));
            }
        }
    }
    let out = out.canonicalize().expect("out");
    let reached = seen
        .iter()
        .filter_map(|p| p.strip_prefix(&out).ok())
        .map(|p| p.display().to_string())
        .collect();
    (reached, linked)
}

/// Description: three years of three partners' monthly posts (one in Arabic), the main feed
/// capped at 10; the pages followed from `index.html` by their links, as a visitor would.
/// Expect: all 108 entries are linked from some page reached (before the library: only the 10
/// newest); the month, topic and partner pages exist and list the right entries; Arabic titles
/// and texts are right to left while the English interface around them is not.
#[test]
fn every_entry_is_reachable_from_the_home_page_by_links_alone() {
    let (_srv, s, links) = years_of_entries();
    assert_eq!(s.run().expect("run").exit_code(), 0);
    let out = s.out();
    let (reached, linked) = crawl(&out);
    for index in [
        "archive/index.html",
        "tags/index.html",
        "partners/index.html",
    ] {
        assert!(reached.iter().any(|r| r == index), "{index}: {reached:?}");
    }
    let missing: Vec<&String> = links.iter().filter(|l| !linked.contains(*l)).collect();
    assert!(missing.is_empty(), "unreachable: {missing:?}");
    let month = std::fs::read_to_string(out.join("archive/2024-03.html")).expect("month");
    assert!(
        month.contains("Post 14 of en") && month.contains("Post 14 of th"),
        "{month}"
    );
    assert!(!month.contains("Post 15 of"), "another month's entry");
    assert!(
        month.contains("<h3 lang=\"ar\" dir=\"rtl\"><a href=\"https://ar.example.org/post/14\">"),
        "{month}"
    );
    assert!(month.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(
        month.contains(
            "<link rel=\"alternate\" type=\"application/atom+xml\" title=\"Atom feed of Test network\" href=\"https://test.example.org/feed.atom\">"
        ) && month.contains("property=\"og:url\" content=\"https://test.example.org/archive/2024-03.html\""),
        "discovery: {month}"
    );
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).expect("sitemap");
    assert!(sitemap.contains("<loc>https://test.example.org/archive/2024-03.html</loc>"));
    assert!(month.contains("href=\"2024-02.html\"") && month.contains("href=\"2024-04.html\""));
    let thai = std::fs::read_to_string(out.join(format!(
        "tags/{}.html",
        feedbraid::publish::library::tag_slug("สุขภาพ")
    )))
    .expect("tag page");
    assert_eq!(thai.matches("<article>").count(), 36, "{thai}");
    let partner = std::fs::read_to_string(out.join("partners/partner-en.html")).expect("partner");
    assert_eq!(partner.matches("<article>").count(), 36);
    assert!(partner.contains("/en.xml"), "its own feed: {partner}");
    let tag_feed =
        crate::reparse(&std::fs::read_to_string(out.join("tags/health.atom")).expect("tag feed"));
    assert_eq!(
        tag_feed.entries.len(),
        10,
        "the newest, as many as the main feed"
    );
}

/// Description: the multi-year, three-language scenario's pages (the home page, a month, a Thai
/// and an Arabic topic, a partner, the indexes, the embed, the digests' index) through axe in both
/// schemes and widths.
/// Expect: 0 violations; no request leaves the output folder; no sideways scroll at 160 CSS px.
#[test]
fn the_library_of_years_in_three_languages_passes_axe() {
    let (_srv, s, _) = years_of_entries();
    s.append("[digest]");
    assert_eq!(s.run().expect("run").exit_code(), 0);
    let out = s.out();
    let slug = feedbraid::publish::library::tag_slug;
    let files: Vec<PathBuf> = [
        "index.html".to_string(),
        "embed.html".into(),
        "archive/index.html".into(),
        "archive/2024-03.html".into(),
        "archive/2023-01.html".into(),
        "tags/index.html".into(),
        format!("tags/{}.html", slug("สุขภาพ")),
        format!("tags/{}.html", slug("الصحة")),
        "partners/index.html".into(),
        "partners/partner-ar.html".into(),
        "digest/index.html".into(),
    ]
    .iter()
    .map(|f| out.join(f))
    .collect();
    axe_clean(&files);
}

/// Runs `.ci/axe.js` over `files` and fails on any violation or request to another origin.
fn axe_clean(files: &[PathBuf]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert!(
        root.join(".ci/node_modules/puppeteer-core").is_dir(),
        "puppeteer-core and axe-core are missing: .ci/run installs them (npm)"
    );
    let run = Command::new("node")
        .current_dir(root.join(".ci"))
        .arg("axe.js")
        .args(files)
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in stdout.lines() {
        let r: serde_json::Value = serde_json::from_str(line).expect("json line");
        checked += 1;
        let empty = |k: &str| r[k].as_array().is_some_and(Vec::is_empty);
        if !empty("violations") || !empty("requests") || r["overflow"] != false {
            failures.push(line.to_string());
        }
    }
    assert_eq!(checked, files.len() * 4, "{stdout}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A feed of `n` posts, all in January 2024, newest first.
fn one_month(n: usize) -> Vec<u8> {
    let mut x = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Busy</title>\
         <link>https://busy.example.org/</link><description>d</description>",
    );
    for i in (0..n).rev() {
        x.push_str(&format!(
            "<item><guid>https://busy.example.org/{i}</guid><title>Busy post {i}</title>\
             <link>https://busy.example.org/{i}</link><category>Busy</category>\
             <pubDate>Mon, 01 Jan 2024 {:02}:{:02}:00 GMT</pubDate></item>",
            i / 60,
            i % 60
        ));
    }
    x.push_str("</channel></rss>");
    x.into_bytes()
}

/// One partner, "busy", serving `n` posts of one month (`one_month`), with `extra` appended to
/// its source; after a first run, which must succeed.
fn busy(n: usize, extra: &str) -> (crate::Server, crate::Setup) {
    let srv = crate::Server::start();
    serve_posts(&srv, n);
    let s = crate::Setup::new(&[("busy", srv.url("/f"))], "");
    s.append(extra);
    assert_eq!(s.run().expect("run").exit_code(), 0);
    (srv, s)
}

fn serve_posts(srv: &crate::Server, n: usize) {
    srv.route(
        "/f",
        vec![crate::Reply::ok(one_month(n), "application/rss+xml")],
    );
}

fn read_out(s: &crate::Setup, f: &str) -> String {
    std::fs::read_to_string(s.out().join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

/// Description: 250 posts in one month from one partner, then a 251st.
/// Expect: the month, the topic and the partner each get a newest page of 150 entries and an
/// older page of the 100 oldest, linked both ways; after the 251st post the newest page has 151
/// and the older page is not rewritten (same bytes, reported unchanged); both pass axe.
#[test]
fn a_long_list_is_cut_into_pages_that_never_shift() {
    let (srv, s) = busy(250, "max_items = 1000");
    let out = s.out();
    let read = |f: &str| read_out(&s, f);
    for stem in ["archive/2024-01", "tags/busy", "partners/busy"] {
        let newest = read(&format!("{stem}.html"));
        let older = read(&format!("{stem}-p1.html"));
        assert_eq!(newest.matches("<article>").count(), 150, "{stem}");
        assert_eq!(older.matches("<article>").count(), 100, "{stem}");
        assert!(older.contains(">Busy post 0<") && !older.contains(">Busy post 100<"));
        let name = stem.rsplit('/').next().expect("name");
        assert!(
            newest.contains(&format!("href=\"{name}-p1.html\"")),
            "{stem}"
        );
        assert!(older.contains(&format!("href=\"{name}.html\"")), "{stem}");
    }
    let before = read("archive/2024-01-p1.html");
    serve_posts(&srv, 251);
    let r = s.run().expect("run");
    assert_eq!(
        read("archive/2024-01.html").matches("<article>").count(),
        151
    );
    assert_eq!(read("archive/2024-01-p1.html"), before);
    assert!(
        r.written.iter().any(|(f, w)| f == "archive/2024-01-p1.html"
            && matches!(w, feedbraid::publish::sink::Written::Unchanged)),
        "{:?}",
        r.written
    );
    axe_clean(&[
        out.join("archive/2024-01.html"),
        out.join("tags/busy-p1.html"),
    ]);
}

/// Description: 750 posts in one month (a newest page and six older ones), then 1,000 (nine).
/// Expect: every page's pager is a window (the newest, the oldest, up to two either side), so
/// the oldest pages are not rewritten when pages are added far from them; each page links to
/// its older neighbour, so every page stays reachable.
#[test]
fn adding_pages_leaves_the_older_pages_and_their_pager_alone() {
    // 250 new posts in one run are the hijack guard's burst: this test is about pages.
    let (srv, s) = busy(750, "max_items = 2000\n\n[review]\nguard = false");
    let read = |f: &str| read_out(&s, f);
    let before: Vec<String> = (1..=3)
        .map(|i| read(&format!("tags/busy-p{i}.html")))
        .collect();
    serve_posts(&srv, 1000);
    let r = s.run().expect("run");
    assert_eq!(r.exit_code(), 0);
    for i in 1..=3 {
        let f = format!("tags/busy-p{i}.html");
        assert_eq!(read(&f), before[i - 1], "{f}");
        assert!(
            !r.written
                .iter()
                .any(|(n, w)| *n == f && matches!(w, feedbraid::publish::sink::Written::Changed)),
            "{f} rewritten: {:?}",
            r.written
        );
    }
    // Newest → p9 → p8 → … → p1, each page linking to the next older one, and to few others.
    let mut page = read("tags/busy.html");
    for i in (1..=9).rev() {
        let href = format!("href=\"busy-p{i}.html\"");
        assert!(page.contains(&href), "no link to page {i}");
        let pager = page
            .split("class=\"pages\"")
            .nth(1)
            .and_then(|p| p.split("</nav>").next())
            .expect("a pager");
        assert!(pager.matches("href=").count() <= 7, "{pager}");
        page = read(&format!("tags/busy-p{i}.html"));
    }
    assert!(read("tags/busy-p9.html").contains("href=\"busy-p1.html\""));
}
