//! Issue 13: only what some output publishes is sanitised, each entry once, however many runs
//! and views publish it; the cache of sanitised HTML follows the settings that made it.

use std::collections::BTreeSet;

use crate::{Reply, Server, Setup};

/// An RSS feed of `n` items from `host`, newest first, each with markup to sanitise.
fn rss(host: &str, n: usize, day0: usize) -> Vec<u8> {
    let mut x = format!(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>{host}</title><link>https://{host}/</link>\n"
    );
    for i in 0..n {
        x.push_str(&format!(
            "<item><title>{host} item {i}</title><link>https://{host}/{i}</link><guid>https://{host}/{i}</guid>\
             <pubDate>{:02} Mar 2026 10:00:00 GMT</pubDate><category>shared</category>\
             <description><![CDATA[<p onclick=\"x()\">Read <a href=\"more/{i}?utm_source=feed\">more</a></p><script>track()</script>]]></description></item>\n",
            28 - (day0 + i)
        ));
    }
    x.push_str("</channel></rss>\n");
    x.into_bytes()
}

/// `status.json`'s `cleaned`: (sanitised, cached).
fn cleaned(s: &Setup) -> (u64, u64) {
    let text = std::fs::read_to_string(s.out().join("status.json")).expect("status.json");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    let n = |k: &str| v["cleaned"][k].as_u64().expect("a count");
    (n("sanitised"), n("cached"))
}

/// The ids of the entries in `file` of the output folder.
fn ids(s: &Setup, file: &str) -> BTreeSet<String> {
    let xml = std::fs::read_to_string(s.out().join(file)).expect("feed");
    crate::reparse(&xml)
        .entries
        .into_iter()
        .map(|e| e.id)
        .collect()
}

#[test]
fn an_entry_is_sanitised_once_however_many_runs_and_views_publish_it() {
    let server = Server::start();
    server.route(
        "/a",
        vec![Reply::ok(
            rss("a.example.org", 12, 0),
            "application/rss+xml",
        )],
    );
    server.route(
        "/b",
        vec![Reply::ok(rss("b.example.org", 4, 1), "application/rss+xml")],
    );
    let s = Setup::new(&[("A", server.url("/a")), ("B", server.url("/b"))], "");
    s.cap_entries(5);
    // Two more feeds over the same entries: every B entry is in both, and in the main feed.
    s.append(
        "[[view]]\nname = \"shared\"\ntitle = \"Shared\"\ntags = [\"shared\"]\n\n\
         [[view]]\nname = \"b\"\ntitle = \"B\"\nsources = [\"B\"]\n",
    );
    let report = s.run().expect("first run");
    assert_eq!(report.exit_code(), 0, "{}", report.summary());
    let published: BTreeSet<String> = ["feed.atom", "shared.atom", "b.atom"]
        .iter()
        .flat_map(|f| ids(&s, f))
        .collect();
    let from_b = published
        .iter()
        .filter(|i| i.contains("b.example.org"))
        .count() as u64;
    assert_eq!(from_b, 4);
    // 16 items stored, each published entry sanitised once though three feeds carry it.
    let (sanitised, cached) = cleaned(&s);
    assert_eq!((sanitised, cached), (published.len() as u64, 0));
    assert!(
        sanitised < 16,
        "only published entries are sanitised: {sanitised}"
    );
    // What was published is sanitised: the script and handler gone, the link absolute and clean.
    let feed = s.feed();
    assert!(
        !feed.contains("track()") && !feed.contains("onclick"),
        "{feed}"
    );
    assert!(
        feed.contains("href=&quot;https://a.example.org/more/0&quot;"),
        "{feed}"
    );
    assert!(!feed.contains("utm_source"), "{feed}");
    let page = std::fs::read_to_string(s.out().join("b.html")).expect("page");
    assert!(!page.contains("track()") && page.contains("https://b.example.org/more/0"));

    // The same entries again, every view rendered again (the config changed): nothing sanitised.
    s.append("# touched");
    s.run().expect("second run");
    assert_eq!(cleaned(&s), (0, published.len() as u64));

    // A change of B's iframe hosts concerns B's entries only: those are sanitised again.
    let cfg = std::fs::read_to_string(s.config()).expect("config");
    let b_url = format!("url = \"{}\"\n", server.url("/b"));
    std::fs::write(
        s.config(),
        cfg.replace(
            &b_url,
            &format!("{b_url}iframe_hosts = [\"www.youtube-nocookie.com\"]\n"),
        ),
    )
    .expect("config");
    s.run().expect("third run");
    assert_eq!(cleaned(&s), (from_b, published.len() as u64 - from_b));
    // And HTML from the cache is byte for byte what cleaning anew gives.
    let cold = tempfile::tempdir().expect("tempdir");
    let cold_out = cold.path().join("out");
    feedbraid::ops::run::run(&feedbraid::ops::run::RunOptions {
        config: s.config(),
        out: Some(cold_out.clone()),
        state: Some(cold.path().join("state.db")),
        ..Default::default()
    })
    .expect("cold run");
    for file in ["feed.atom", "shared.atom", "b.atom", "feed.json", "b.html"] {
        let warm = std::fs::read(s.out().join(file)).expect("file");
        let fresh = std::fs::read(cold_out.join(file)).expect("cold file");
        assert!(warm == fresh, "{file} differs when cleaned from the cache");
    }
}

/// Patterns read the partner's text before it is sanitised, and still apply when the items come
/// from the state (a later run, offline) and their text is read back only because a pattern
/// needs it.
#[test]
fn patterns_see_the_text_not_scripts_and_apply_to_stored_items_too() {
    let server = Server::start();
    let rss = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>P</title><link>https://p.example.org/</link>\
        <item><title>One</title><link>https://p.example.org/1</link><pubDate>02 Mar 2026 10:00:00 GMT</pubDate>\
        <description><![CDATA[<p>Visit our <b>casino</b></p>]]></description></item>\
        <item><title>Two</title><link>https://p.example.org/2</link><pubDate>01 Mar 2026 10:00:00 GMT</pubDate>\
        <description><![CDATA[<p>A report</p><script>casino()</script><!-- casino -->]]></description></item>\
        </channel></rss>";
    server.route("/p", vec![Reply::ok(rss, "application/rss+xml")]);
    let s = Setup::new(&[("P", server.url("/p"))], "");
    s.append("exclude = [\"casino\"]");
    let titles = |s: &Setup| -> Vec<String> {
        crate::reparse(&s.feed())
            .entries
            .into_iter()
            .filter_map(|e| e.title.map(|t| t.content))
            .filter(|t| t != "Our own report")
            .collect()
    };
    s.run().expect("first run");
    assert_eq!(
        titles(&s),
        vec!["Two"],
        "the text is matched, a script is not"
    );
    std::fs::remove_dir_all(s.out()).expect("rm output");
    s.run_offline().expect("offline run, from the state");
    assert_eq!(
        titles(&s),
        vec!["Two"],
        "stored items are filtered the same way"
    );
}

/// Description: a pattern added after the items were stored applies to them when a run reads
/// them back from the state (offline), whether it excludes or includes; the stored candidates
/// carry their filter text whenever some pattern needs it.
/// Expect: One and Two unfiltered; then exclude "casino" keeps Two; then include "report" keeps Two.
#[test]
fn a_pattern_added_later_applies_to_stored_items_both_ways() {
    let server = Server::start();
    let rss = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>P</title><link>https://p.example.org/</link>\
        <item><title>One</title><link>https://p.example.org/1</link><pubDate>02 Mar 2026 10:00:00 GMT</pubDate>\
        <description><![CDATA[<p>Visit our casino</p>]]></description></item>\
        <item><title>Two</title><link>https://p.example.org/2</link><pubDate>01 Mar 2026 10:00:00 GMT</pubDate>\
        <description><![CDATA[<p>A report</p>]]></description></item>\
        </channel></rss>";
    server.route("/p", vec![Reply::ok(rss, "application/rss+xml")]);
    let s = Setup::new(&[("P", server.url("/p"))], "");
    let titles = |s: &Setup| -> Vec<String> {
        crate::reparse(&s.feed())
            .entries
            .into_iter()
            .filter_map(|e| e.title.map(|t| t.content))
            .filter(|t| t != "Our own report")
            .collect()
    };
    s.run().expect("first run");
    assert_eq!(titles(&s), vec!["One", "Two"], "no pattern yet");
    let plain = std::fs::read_to_string(s.config()).expect("config");
    // The source's pattern and a global one of the same kind: the text is needed whichever
    // filter has a pattern, and only a pattern of either kind needs it.
    for (own, global) in [
        (
            "exclude = [\"casino\"]",
            "exclude = [\"nothing matches this\"]",
        ),
        ("include = [\"report\"]", "include = [\"report|casino\"]"),
    ] {
        std::fs::write(
            s.config(),
            format!("{plain}\n{own}\n\n[filter]\n{global}\n"),
        )
        .expect("config");
        s.run_offline().expect("offline run, from the state");
        assert_eq!(titles(&s), vec!["Two"], "{own} on the stored text");
    }
}

/// Description: the archive publishes entries the main feed no longer carries; those are
/// sanitised too, and `cleaned` counts the views' and the archive's work together.
/// Expect: sanitised = the distinct entries of feed.atom and every archive document, more than
/// the feed's 5; cached = the feed's 5, which are in their month's document too.
#[test]
fn the_archives_entries_are_sanitised_and_counted_with_the_feeds() {
    let server = Server::start();
    server.route(
        "/a",
        vec![Reply::ok(
            rss("a.example.org", 12, 0),
            "application/rss+xml",
        )],
    );
    let s = Setup::new(&[("A", server.url("/a"))], "");
    s.cap_entries(5);
    s.append("\n[archive]\nenabled = true\n");
    s.run().expect("run");
    let in_feed = ids(&s, "feed.atom");
    let mut published = in_feed.clone();
    // Every archive file (documents and pages) is sanitised; the documents' entries are counted.
    for f in crate::files_under(&s.out().join("archive")) {
        let text = std::fs::read_to_string(&f).expect("archive file");
        assert!(
            !text.contains("track()") && !text.contains("onclick"),
            "{}",
            f.display()
        );
        if f.extension().is_some_and(|x| x == "atom") {
            published.extend(crate::reparse(&text).entries.into_iter().map(|e| e.id));
        }
    }
    assert!(published.len() > in_feed.len(), "{published:?}");
    // Filing sanitised every archived entry once; feed.atom's newest (in their month's document
    // too) then came from that cache.
    assert_eq!(cleaned(&s), (published.len() as u64, in_feed.len() as u64));
}

/// Description: rows stored before publish-time sanitising (schema 6) hold HTML that was
/// sanitised when it was stored; the upgrade marks them `legacy`, and they are published as they
/// are, counted as cached, never sanitised a second time.
/// Expect: after marking every stored entry legacy, a run that renders everything again reports
/// (0 sanitised, 3 cached) for the partner and publishes the same entries.
#[test]
fn legacy_rows_are_published_as_stored_and_counted_as_cached() {
    let server = Server::start();
    let mut rss = String::from(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>L</title><link>https://l.example.org/</link>\n",
    );
    for i in 0..3 {
        rss.push_str(&format!(
            "<item><title>L {i}</title><link>https://l.example.org/{i}</link>\
             <pubDate>0{} Mar 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;Plain {i}&lt;/p&gt;</description></item>\n",
            i + 1
        ));
    }
    rss.push_str("</channel></rss>\n");
    server.route("/l", vec![Reply::ok(rss, "application/rss+xml")]);
    let s = Setup::new(&[("L", server.url("/l"))], "");
    s.run().expect("first run");
    let (sanitised, _) = cleaned(&s);
    let before = ids(&s, "feed.atom");
    let marked = rusqlite::Connection::open(s.dir.path().join(".feedbraid/state.db"))
        .expect("state")
        .execute("UPDATE entries SET clean_print = 'legacy'", [])
        .expect("mark legacy");
    assert_eq!(marked, 3);
    s.append("# touched");
    s.run_offline().expect("offline run");
    // The network's own entry comes from its cache; the partner's three are legacy rows.
    assert_eq!(cleaned(&s), (0, sanitised));
    assert_eq!(ids(&s, "feed.atom"), before);
    assert!(s.feed().contains("Plain 2"), "{}", s.feed());
}

/// Description: entries of one source whose links resolve against different bases (`xml:base`
/// per entry) are sanitised side by side on the same worker; each keeps its own base.
/// Expect: every entry's relative link is resolved against the base its entry declared.
#[test]
fn entries_sanitised_together_keep_their_own_base() {
    let server = Server::start();
    let mut atom = String::from(
        "<?xml version=\"1.0\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>B</title><id>tag:b.example.org,2026:feed</id>\
         <updated>2026-03-01T00:00:00Z</updated><link href=\"https://b.example.org/\"/>\n",
    );
    let host = |i: usize| if i.is_multiple_of(2) { "one" } else { "two" };
    for i in 0..20 {
        atom.push_str(&format!(
            "<entry xml:base=\"https://{}.example.org/dir/\"><title>E{i}</title><id>tag:b.example.org,2026:{i}</id>\
             <link href=\"https://b.example.org/{i}\"/><updated>2026-02-{:02}T00:00:00Z</updated>\
             <content type=\"html\">&lt;a href=\"page-{i}\"&gt;more&lt;/a&gt;</content></entry>\n",
            host(i),
            i + 1
        ));
    }
    atom.push_str("</feed>\n");
    server.route("/b", vec![Reply::ok(atom, "application/atom+xml")]);
    let s = Setup::new(&[("B", server.url("/b"))], "");
    s.run().expect("run");
    let feed = s.feed();
    for i in 0..20 {
        let want = format!(
            "href=&quot;https://{}.example.org/dir/page-{i}&quot;",
            host(i)
        );
        assert!(feed.contains(&want), "{want} in {feed}");
    }
}

/// Description: archives turned on after a first run file every stored entry; those the feed
/// published before come from the cache, the rest are sanitised, and the feed of open months is
/// rendered from the cache too. `cleaned` adds the archive's counts to the feeds'.
/// Expect: run 1 sanitises the feed's 5; run 2 sanitises the other 8 and finds 5 + 5 cached.
#[test]
fn archives_turned_on_later_count_their_cache_hits_with_the_feeds() {
    use chrono::TimeZone;
    let server = Server::start();
    server.route(
        "/a",
        vec![Reply::ok(
            rss("a.example.org", 12, 0),
            "application/rss+xml",
        )],
    );
    let s = Setup::new(&[("A", server.url("/a"))], "");
    s.cap_entries(5);
    // The items are dated 17 to 28 March 2026: March is still open on the 29th.
    let now = chrono::Utc.with_ymd_and_hms(2026, 3, 29, 12, 0, 0).unwrap();
    let run = || s.run_at(now, false).expect("run");
    run();
    assert_eq!(cleaned(&s), (5, 0));
    s.append("\n[archive]\nenabled = true\n");
    run();
    assert_eq!(ids(&s, "feed.atom").len(), 5);
    assert_eq!(cleaned(&s), (8, 10));
}
