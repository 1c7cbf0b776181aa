//! Views: more feeds from the same run. Selection (language, tag, source, local), history beyond
//! the main feed's cap, the same entry in every output, pages and embeds, template overrides and
//! their errors, all-or-nothing publishing, and the gathering part running on a caller's runtime.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use feedbraid::publish::sink::{Memory, Sink, Written};

use crate::{Reply, Server, Setup};

fn rss(items: &[(&str, &str, &str)]) -> Vec<u8> {
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\"><channel><title>T</title><link>https://p.example.org/</link>\n",
    );
    for (title, date, cat) in items {
        let slug: String = title.chars().filter(char::is_ascii_alphanumeric).collect();
        x.push_str(&format!(
            "<item><title>{title}</title><link>https://p.example.org/{slug}</link><guid>https://p.example.org/{slug}</guid><pubDate>{date}</pubDate><category>{cat}</category><description>About {title}</description></item>\n"
        ));
    }
    x.push_str("</channel></rss>\n");
    x.into_bytes()
}

/// The shipped example, run offline by the binary into a temp folder.
pub fn shipped(tmp: &Path) -> PathBuf {
    let out = tmp.join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_feedbraid"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["run", "--out"])
        .arg(&out)
        .arg("--state")
        .arg(tmp.join("state.db"))
        .output()
        .expect("binary runs");
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    out
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The `<entry ...>...</entry>` elements of an Atom document, by id.
fn atom_entries(xml: &str) -> BTreeMap<String, String> {
    xml.split("<entry")
        .skip(1)
        .map(|rest| {
            let el = format!(
                "<entry{}",
                &rest[..rest.find("</entry>").expect("closed") + 8]
            );
            let id = el
                .split("<id>")
                .nth(1)
                .and_then(|r| r.split("</id>").next());
            (id.expect("id").to_string(), el)
        })
        .collect()
}

fn json_items(p: &Path) -> BTreeMap<String, serde_json::Value> {
    let v: serde_json::Value = serde_json::from_str(&read(p)).expect("json");
    v["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["id"].as_str().expect("id").to_string(), i.clone()))
        .collect()
}

fn no_nulls(v: &serde_json::Value, at: &str) {
    match v {
        serde_json::Value::Null => panic!("null at {at}"),
        serde_json::Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| no_nulls(x, &format!("{at}[{i}]"))),
        serde_json::Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| no_nulls(x, &format!("{at}.{k}"))),
        _ => {}
    }
}

#[test]
fn shipped_views_are_written_and_entries_are_identical_across_them() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = shipped(tmp.path());
    for v in ["zh", "th", "anti-trafficking", "resources"] {
        for ext in ["atom", "json", "html", "embed.html"] {
            assert!(out.join(format!("{v}.{ext}")).is_file(), "{v}.{ext}");
        }
    }
    for f in [
        "index.html",
        "embed.html",
        "feed.atom",
        "feed.json",
        "status.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let main = atom_entries(&read(&out.join("feed.atom")));
    let main_json = json_items(&out.join("feed.json"));
    for v in ["zh", "th", "anti-trafficking", "resources"] {
        let xml = read(&out.join(format!("{v}.atom")));
        let entries = atom_entries(&xml);
        assert!(!entries.is_empty(), "{v} has entries");
        // The same element, byte for byte: same id, content, dates, attribution.
        for (id, el) in &entries {
            assert_eq!(
                main.get(id),
                Some(el),
                "{v}: entry {id} differs from feed.atom"
            );
        }
        let items = json_items(&out.join(format!("{v}.json")));
        assert_eq!(
            items.keys().collect::<Vec<_>>(),
            entries.keys().collect::<Vec<_>>()
        );
        for (id, item) in &items {
            assert_eq!(main_json.get(id), Some(item), "{v}: JSON item {id}");
        }
        // Own id (feed id + name), self link beside self_url, updated = newest entry.
        assert!(
            xml.contains(&format!("<id>tag:swrn.example.org,2012:feed/view/{v}</id>")),
            "{v}"
        );
        assert!(xml.contains(&format!(
            "href=\"https://swrn.example.org/{v}.atom\" rel=\"self\""
        )));
        let newest = entries
            .values()
            .filter_map(|e| e.split("<updated>").nth(1)?.split('<').next())
            .max()
            .expect("dates");
        let feed_updated = xml
            .split("<updated>")
            .nth(1)
            .and_then(|r| r.split('<').next());
        assert_eq!(
            feed_updated,
            Some(newest),
            "{v}: updated is its newest entry's"
        );
    }
    // Selections: languages by primary subtag, a tag, the network's own entries.
    let zh = read(&out.join("zh.atom"));
    assert!(zh.contains("xml:lang=\"zh-HK\"") && zh.contains("xml:lang=\"zh\""));
    assert!(!zh.contains("xml:lang=\"en"), "only Chinese entries");
    let th = read(&out.join("th.atom"));
    assert!(th.contains("xml:lang=\"th\"") && !th.contains("xml:lang=\"en"));
    let at = read(&out.join("anti-trafficking.atom"));
    assert_eq!(
        atom_entries(&at).len(),
        at.matches("term=\"Anti-trafficking\"").count()
            + at.matches("term=\"anti-trafficking\"").count(),
        "every entry carries the tag, once"
    );
    let res = read(&out.join("resources.atom"));
    // The network's own entries: no partner's attribution or credit line; the one `<source>` is
    // the book review's credit to where it came from.
    assert!(
        !res.contains("feedbraid-credit"),
        "only the network's own entries"
    );
    assert_eq!(
        res.matches("<source>").count(),
        res.matches("<title>Rights Work Initiative</title>").count(),
        "only the network's own entries"
    );
    assert!(res.contains("Zi Teng Newsletter 39"));
    // Every Atom file: well-formed for libxml2, bozo 0 for feedparser, valid per our checker.
    let atoms: Vec<PathBuf> = std::fs::read_dir(&out)
        .expect("out")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "atom"))
        .collect();
    assert_eq!(atoms.len(), 5);
    crate::atom_accepted_everywhere(&atoms, true);
    // JSON Feed 1.1: optional strings left out, never null.
    for f in ["feed.json", "zh.json", "resources.json"] {
        let v: serde_json::Value = serde_json::from_str(&read(&out.join(f))).expect("json");
        no_nulls(&v, f);
    }
}

fn write_config(s: &Setup, edit: impl Fn(String) -> String) {
    std::fs::write(s.config(), edit(read(&s.config()))).expect("write config");
}

#[test]
fn a_view_keeps_its_own_history_beyond_the_main_feeds_cap() {
    let server = Server::start();
    let en: Vec<(String, String)> = (1..=6)
        .map(|d| {
            (
                format!("English news {d}"),
                format!("Mon, {d:02} Jun 2026 10:00:00 GMT"),
            )
        })
        .collect();
    let en_items: Vec<(&str, &str, &str)> = en
        .iter()
        .map(|(t, d)| (t.as_str(), d.as_str(), "News"))
        .collect();
    server.route(
        "/en.xml",
        vec![Reply::ok(rss(&en_items), "application/rss+xml")],
    );
    server.route(
        "/zh.xml",
        vec![Reply::ok(
            rss(&[
                (
                    "Old Chinese item",
                    "Mon, 02 Feb 2026 10:00:00 GMT",
                    "Health",
                ),
                (
                    "Older Chinese item",
                    "Mon, 05 Jan 2026 10:00:00 GMT",
                    "News",
                ),
            ]),
            "application/rss+xml",
        )],
    );
    let s = Setup::new(
        &[("En", server.url("/en.xml")), ("Zh", server.url("/zh.xml"))],
        "",
    );
    s.append("language = \"zh-Hant\"\nmax_items = 5\n");
    write_config(&s, |t| {
        t.replace(
            "language = \"en\"\n\n",
            "language = \"en\"\nmax_entries = 3\n\n",
        ) + "\n[[view]]\nname = \"zh\"\ntitle = \"Chinese\"\nlanguages = [\"zh\"]\n\
               \n[[view]]\nname = \"ours\"\ntitle = \"Ours\"\nsources = [\"local\"]\n\
               \n[[view]]\nname = \"health\"\ntitle = \"Health in Chinese\"\ntags = [\"health\"]\nsources = [\"Zh\"]\n\
               \n[[view]]\nname = \"capped\"\ntitle = \"Capped\"\nmax_entries = 2\ninclude = [\"English\"]\n"
    });
    let report = s.run().expect("run");
    assert_eq!(report.entries, 3);
    assert_eq!(report.views, 4);
    let main = atom_entries(&s.feed());
    assert_eq!(main.len(), 3, "the main feed keeps its cap");
    assert!(
        !s.feed().contains("Chinese item"),
        "too old for the main feed"
    );
    let zh = read(&s.out().join("zh.atom"));
    assert_eq!(atom_entries(&zh).len(), 2, "{zh}");
    assert!(zh.contains("Old Chinese item") && zh.contains("Older Chinese item"));
    assert!(zh.contains("xml:lang=\"zh-Hant\""));
    let ours = read(&s.out().join("ours.atom"));
    assert_eq!(atom_entries(&ours).len(), 1);
    assert!(ours.contains("Our own report"));
    let health = read(&s.out().join("health.atom"));
    assert_eq!(atom_entries(&health).len(), 1, "tags AND sources");
    assert!(health.contains("Old Chinese item"));
    let capped = read(&s.out().join("capped.atom"));
    assert_eq!(atom_entries(&capped).len(), 2, "its own cap");
    assert!(capped.contains("English news 6") && capped.contains("English news 5"));
}

#[test]
fn an_unchanged_run_rewrites_nothing_and_memory_gets_the_same_bytes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = shipped(tmp.path());
    let opts = feedbraid::ops::run::RunOptions {
        config: Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds.toml"),
        out: Some(out.clone()),
        state: Some(tmp.path().join("state.db")),
        offline: false,
        ..Default::default()
    };
    let again = feedbraid::ops::run::run(&opts).expect("second run");
    assert!(again.written.len() >= 4 * 5 + 2);
    for (name, w) in &again.written {
        // status.json records when each source last succeeded: that changes on every run.
        if name != "status.json" {
            assert_eq!(
                *w,
                Written::Unchanged,
                "{name} rewritten by an unchanged run"
            );
        }
    }
    // Unchanged views are not even rendered; a view whose file went missing is.
    std::fs::remove_file(out.join("zh.html")).expect("rm");
    let third = feedbraid::ops::run::run(&opts).expect("third run");
    let changed: Vec<&str> = third
        .written
        .iter()
        .filter(|(n, w)| *w == Written::Changed && n != "status.json")
        .map(|(n, _)| n.as_str())
        .collect();
    assert_eq!(changed, ["zh.html"]);
    assert!(out.join("zh.html").is_file());
    // The gathering part runs on the caller's runtime; rendering into memory gives the bytes
    // that are on disk.
    let cfg = feedbraid::ops::run::load_config(&opts).expect("config");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let locked = feedbraid::ops::run::lock(&cfg.state_path).expect("the run lock");
    let gather = feedbraid::ops::run::run_connections(&cfg.state_path, &locked).expect("state");
    let g = rt
        .block_on(feedbraid::ops::gather::gather(
            &cfg,
            gather,
            true,
            chrono::Utc::now(),
        ))
        .expect("gather");
    let mut state = feedbraid::state::State::open(&cfg.state_path).expect("state");
    let templates = feedbraid::publish::render::html::Templates::load(None).expect("templates");
    let (withdrawals, active, histories) = Default::default();
    let editorial = feedbraid::publish::outputs::Editorial {
        cx: feedbraid::pool::editorial::tombstones::Context {
            withdrawals: &withdrawals,
            active_sources: &active,
            now: chrono::Utc::now(),
            days: 30,
        },
        histories: &histories,
    };
    let views = feedbraid::pool::views::feed_views(&cfg);
    let config_text = std::fs::read_to_string(&opts.config).expect("config");
    let mirror = feedbraid::publish::media::Mirror::new(&cfg, true).expect("mirror");
    let spool_dir = tempfile::tempdir().expect("spool folder");
    let spool = std::sync::Arc::new(
        feedbraid::publish::spool::Spool::in_dir(spool_dir.path()).expect("spool"),
    );
    let rendered = feedbraid::publish::outputs::render_all(
        &mut state,
        &feedbraid::publish::outputs::Inputs {
            cfg: &cfg,
            config_text: &config_text,
            views: &views,
            gathered: &g,
            templates: &templates,
            previous: &Default::default(),
            editorial: &editorial,
            mirror: mirror.as_ref(),
            archive: None,
            spool: &spool,
            stage: &std::sync::Arc::new(
                feedbraid::publish::stage::Stage::in_dir(spool_dir.path()).expect("stage"),
            ),
        },
    )
    .expect("render");
    let mut mem = Memory::default();
    mem.publish(&rendered.outputs).expect("memory");
    for (name, bytes) in &mem.files {
        if name == "status.json" {
            continue; // offline: the sources' status differs from the real run's
        }
        assert_eq!(
            &std::fs::read(out.join(name)).expect("on disk"),
            bytes,
            "{name}"
        );
    }
    let twice = mem.publish(&rendered.outputs).expect("memory");
    assert!(twice.iter().all(|(_, w)| *w == Written::Unchanged));
}

#[test]
fn templates_override_by_name_and_errors_name_file_and_line() {
    let s = Setup::new::<&str>(&[], "");
    let dir = s.dir.path().join("templates");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(
        dir.join("page.html"),
        "<!DOCTYPE html><title>{{ title }}</title>\n{% for e in entries %}<p>{{ e.title }}</p>{% endfor %}\n",
    )
    .expect("write");
    s.append("\n[output]\ntemplates = \"templates\"\n");
    s.run().expect("run");
    assert_eq!(
        read(&s.out().join("index.html")),
        "<!DOCTYPE html><title>Test network</title>\n<p>Our own report</p>\n"
    );
    assert!(
        read(&s.out().join("embed.html")).contains("<base target=\"_blank\">"),
        "default kept"
    );
    let before = s.feed();
    // A syntax error: `check` and `run` name the file and the line, and nothing is published.
    std::fs::write(dir.join("page.html"), "<p>\n{% for e in %}\n").expect("write");
    let (code, err) = s.cli("check", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("{}:2:", dir.join("page.html").display())),
        "{err}"
    );
    // An error only rendering finds (an unknown variable) stops the run before anything is
    // written, even the feeds whose own rendering succeeded.
    std::fs::write(dir.join("page.html"), "<p>\n\n{{ no_such_thing.title }}\n").expect("write");
    write_config(&s, |t| {
        t.replace("title = \"Test network\"", "title = \"Renamed\"")
    });
    let (code, err) = s.cli("run", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!("{}:3:", dir.join("page.html").display())),
        "{err}"
    );
    assert_eq!(before, s.feed(), "nothing published");
}

#[test]
fn a_database_from_before_views_is_backfilled_so_views_see_its_history() {
    let tmp = tempfile::tempdir().expect("tmp");
    let out = shipped(tmp.path());
    let zh_before = read(&out.join("zh.atom"));
    // Make the database look like schema 1: no tags or language columns.
    let db = rusqlite::Connection::open(tmp.path().join("state.db")).expect("open");
    db.execute_batch(
        "ALTER TABLE items DROP COLUMN tags; ALTER TABLE items DROP COLUMN language;\n         DROP TABLE outputs; PRAGMA user_version = 1;",
    )
    .expect("downgrade");
    drop(db);
    std::fs::remove_dir_all(&out).expect("rm");
    let opts = feedbraid::ops::run::RunOptions {
        config: Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds.toml"),
        out: Some(out.clone()),
        state: Some(tmp.path().join("state.db")),
        offline: true,
        ..Default::default()
    };
    feedbraid::ops::run::run(&opts).expect("offline run on the upgraded database");
    assert_eq!(
        read(&out.join("zh.atom")),
        zh_before,
        "stored partner entries keep their language"
    );
    let at = read(&out.join("anti-trafficking.atom"));
    assert!(
        at.contains("<source>"),
        "and their tags: partner entries are selected"
    );
}

/// Description: a view's fingerprint covers what it carries from outside `feeds.toml`: the text
/// of a Markdown entry in `[local] dir`, and the partner's own feed details (its title). A change
/// to either renders the views again, though the config and the partner's items are unchanged.
/// Expect: run 2 publishes the new wording, run 3 the partner's new title.
#[test]
fn a_change_outside_feeds_toml_renders_the_views_again() {
    let server = Server::start();
    let feed = |title: &str| {
        String::from_utf8(rss(&[("Alpha", "01 Mar 2026 10:00:00 GMT", "x")]))
            .expect("utf8")
            .replacen("<title>T</title>", &format!("<title>{title}</title>"), 1)
    };
    let replies = ["Partner One", "Partner One", "Partner Renamed"]
        .map(|t| Reply::ok(feed(t), "application/rss+xml"));
    server.route("/p", replies.to_vec());
    let s = Setup::new(&[("P", server.url("/p"))], "");
    let content = s.dir.path().join("content");
    std::fs::create_dir_all(&content).expect("mkdir");
    let note = |words: &str| {
        std::fs::write(
            content.join("note.md"),
            format!(
                "+++\ntitle = \"A note\"\nslug = \"note\"\npublished = 2026-02-01\n+++\n{words}\n"
            ),
        )
        .expect("md")
    };
    note("First wording");
    s.append("\n[local]\ndir = \"content\"");
    s.run().expect("run 1");
    let feed1 = s.feed();
    assert!(
        feed1.contains("First wording") && feed1.contains("Partner One"),
        "{feed1}"
    );
    note("Second wording");
    s.run().expect("run 2");
    let feed2 = s.feed();
    assert!(
        feed2.contains("Second wording") && !feed2.contains("First wording"),
        "{feed2}"
    );
    s.run().expect("run 3");
    let feed3 = s.feed();
    assert!(feed3.contains("Partner Renamed"), "{feed3}");
}

/// Description: a view's `include` alone, or its `exclude` alone, is applied to the entries' text
/// (which the run then keeps for it), while the main feed carries everything.
/// Expect: feed.atom has One and Two; the include view and the exclude view have Two only.
#[test]
fn a_views_include_or_exclude_alone_filters_on_the_text() {
    let server = Server::start();
    let rss = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>P</title><link>https://p.example.org/</link>\
        <item><title>One</title><link>https://p.example.org/1</link><pubDate>02 Mar 2026 10:00:00 GMT</pubDate>\
        <description>Visit our casino</description></item>\
        <item><title>Two</title><link>https://p.example.org/2</link><pubDate>01 Mar 2026 10:00:00 GMT</pubDate>\
        <description>A report</description></item></channel></rss>";
    server.route("/p", vec![Reply::ok(rss, "application/rss+xml")]);
    let s = Setup::new(&[("P", server.url("/p"))], "");
    s.append(
        "\n[[view]]\nname = \"inc\"\ntitle = \"Inc\"\ninclude = [\"report\"]\n\n\
         [[view]]\nname = \"exc\"\ntitle = \"Exc\"\nexclude = [\"casino\"]\n",
    );
    s.run().expect("run");
    let titles = |file: &str| -> Vec<String> {
        let xml = std::fs::read_to_string(s.out().join(file)).expect("feed");
        crate::reparse(&xml)
            .entries
            .into_iter()
            .filter_map(|e| e.title.map(|t| t.content))
            .filter(|t| t != "Our own report")
            .collect()
    };
    assert_eq!(titles("feed.atom"), ["One", "Two"]);
    assert_eq!(titles("inc.atom"), ["Two"]);
    assert_eq!(titles("exc.atom"), ["Two"]);
}

/// Description: a source's `max_items` caps how many of its entries each feed carries: the
/// newest ones, in the main feed and in a view alike.
/// Expect: 2 of the partner's 4 entries (the newest two) in feed.atom and in the tag view.
#[test]
fn a_sources_max_items_keeps_its_newest_entries_in_every_feed() {
    let server = Server::start();
    let items = [
        ("Four", "04 Mar 2026 10:00:00 GMT", "x"),
        ("One", "01 Mar 2026 10:00:00 GMT", "x"),
        ("Three", "03 Mar 2026 10:00:00 GMT", "x"),
        ("Two", "02 Mar 2026 10:00:00 GMT", "x"),
    ];
    server.route("/p", vec![Reply::ok(rss(&items), "application/rss+xml")]);
    let s = Setup::new(&[("P", server.url("/p"))], "");
    s.append("max_items = 2\n\n[[view]]\nname = \"x\"\ntitle = \"X\"\ntags = [\"x\"]\n");
    s.run().expect("run");
    for file in ["feed.atom", "x.atom"] {
        let xml = std::fs::read_to_string(s.out().join(file)).expect("feed");
        let titles: Vec<String> = crate::reparse(&xml)
            .entries
            .into_iter()
            .filter_map(|e| e.title.map(|t| t.content))
            .filter(|t| t != "Our own report")
            .collect();
        assert_eq!(titles, ["Four", "Three"], "{file}");
    }
}
