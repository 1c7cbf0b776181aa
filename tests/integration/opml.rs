//! OPML in and out: each reader's export shape imports into a copy of the shipped `feeds.toml`
//! (comments kept, result valid), a second import adds nothing, `--dry-run` writes nothing, bad
//! OPML is exit 2, and `partners_opml` of the shipped partners round-trips through `import` and
//! parses with Python's lxml.

use std::path::{Path, PathBuf};

use feedbraid::config::{Config, Location};

use crate::Setup;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn opml_fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/opml").join(name)
}

/// A temp folder whose feeds.toml is a copy of the shipped one.
fn shipped_copy() -> Setup {
    let s = Setup::new::<&str>(&[], "");
    std::fs::copy(root().join("feeds.toml"), s.config()).expect("copy feeds.toml");
    s
}

/// `feedbraid import --config <setup's config> <extra...>`: exit code, stdout, stderr.
fn import(s: &Setup, extra: &[&str]) -> (Option<i32>, String, String) {
    let out = s
        .command("import", extra)
        .output()
        .expect("the binary runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).expect("read")
}

/// name, url, tags, homepage
type Want = (
    &'static str,
    &'static str,
    &'static [&'static str],
    Option<&'static str>,
);

/// fixture, what it adds, what it skips (label, reason)
type Case = (
    &'static str,
    &'static [Want],
    &'static [(&'static str, &'static str)],
);

const FIXTURES: &[Case] = &[
    (
        "miniflux.opml",
        &[
            (
                "Scarlet Alliance",
                "https://scarletalliance.example.org/feed/",
                &["All"],
                Some("https://scarletalliance.example.org/"),
            ),
            (
                "APNSW",
                "https://apnsw.example.org/index.xml",
                &["Asia Pacific"],
                Some("https://apnsw.example.org/"),
            ),
            (
                "Global Sex Work Research",
                "https://gswr.example.org/atom.xml",
                &["Research"],
                Some("https://gswr.example.org/"),
            ),
        ],
        &[("Empower Foundation", "already configured by name")],
    ),
    (
        "freshrss.opml",
        &[
            (
                "NSWP Global",
                "https://nswp-global.example.org/feed.atom",
                &["Uncategorized"],
                Some("https://nswp-global.example.org/"),
            ),
            (
                "Sex Workers Education & Advocacy Taskforce",
                "https://sweat.example.org/feed/",
                &["Africa"],
                Some("https://sweat.example.org/"),
            ),
        ],
        &[(
            "ASWA news page",
            "type `HTML+XPath` is not an RSS or Atom feed",
        )],
    ),
    (
        "feedly.opml",
        &[
            (
                "PION",
                "https://pion.example.org/rss.xml",
                &["Partners", "Health"],
                Some("https://pion.example.org/"),
            ),
            (
                "HIV Justice",
                "http://www.hivjustice.example.org/feed",
                &["Health"],
                Some("http://www.hivjustice.example.org/"),
            ),
        ],
        &[
            ("Zi Teng", "already configured by name"),
            ("PION", "listed twice in this file"),
        ],
    ),
    (
        "netnewswire.opml",
        &[
            (
                "Red Umbrella Fund",
                "https://redumbrellafund.example.org/feed/",
                &[],
                Some("https://redumbrellafund.example.org/"),
            ),
            (
                "RedTraSex",
                "https://redtrasex.example.org/feed/",
                &["Latin America"],
                None,
            ),
        ],
        &[("Empty folder", "no xmlUrl")],
    ),
    (
        "thunderbird.opml",
        &[
            (
                "มูลนิธิซิสเตอร์ Sisters Foundation",
                "https://sisters.example.org/feed/",
                &["Asia", "Thailand"],
                Some("https://sisters.example.org/"),
            ),
            (
                "午夜藍 Midnight Blue",
                "https://midnightblue.example.org/rss",
                &["Asia", "Hong Kong"],
                Some("https://midnightblue.example.org/"),
            ),
        ],
        &[("SWING Foundation", "already configured by name")],
    ),
];

#[test]
fn each_readers_export_imports_into_the_shipped_config() {
    for (file, want, skipped) in FIXTURES {
        let s = shipped_copy();
        let before = read(&s.config());
        let fixture = opml_fixture(file);
        let (code, out, err) = import(&s, &[fixture.to_str().expect("utf-8 path")]);
        assert_eq!(code, Some(0), "{file}: {out}{err}");
        let after = read(&s.config());
        // Every byte of the original, comments included, is still there, in place.
        assert!(after.starts_with(before.trim_end()), "{file}: {after}");
        assert!(
            after.contains("# Permanent: never change the id once the feed has been published.")
        );
        let cfg = Config::from_file(&s.config()).expect("the result passes feedbraid check");
        assert_eq!(cfg.sources.len(), 6 + want.len(), "{file}: {out}");
        for (name, url, tags, homepage) in *want {
            let src = cfg.sources.iter().find(|x| x.name == *name);
            let src = src.unwrap_or_else(|| panic!("{file}: {name} not added: {out}"));
            assert_eq!(
                src.location,
                Location::Url(url.parse().expect("url")),
                "{file}: {name}"
            );
            assert_eq!(src.tags, *tags, "{file}: {name}");
            assert_eq!(
                src.homepage.as_ref().map(|h| h.as_str()),
                *homepage,
                "{file}: {name}"
            );
            assert!(
                out.contains(&format!("added: {name} <{url}>")),
                "{file}: {out}"
            );
        }
        for (label, why) in *skipped {
            assert!(
                out.lines()
                    .any(|l| l.starts_with(&format!("skipped: {label}: {why}"))),
                "{file}: {label} should be skipped ({why}): {out}"
            );
        }
    }
}

#[test]
fn a_second_import_adds_nothing() {
    for (file, want, skipped) in FIXTURES {
        let s = shipped_copy();
        let fixture = opml_fixture(file);
        let arg = [fixture.to_str().expect("utf-8 path")];
        assert_eq!(import(&s, &arg).0, Some(0), "{file}");
        let once = read(&s.config());
        let (code, out, err) = import(&s, &arg);
        assert_eq!(code, Some(0), "{file}: {err}");
        assert_eq!(
            read(&s.config()),
            once,
            "{file}: the second import changed the config"
        );
        assert!(!out.contains("added: "), "{file}: {out}");
        assert!(
            out.contains(&format!("0 added, {} skipped", want.len() + skipped.len())),
            "{file}: {out}"
        );
        for (name, ..) in *want {
            assert!(
                out.contains(&format!("skipped: {name}: already configured by URL")),
                "{file}: {out}"
            );
        }
    }
}

#[test]
fn dry_run_prints_the_plan_and_writes_nothing() {
    let s = shipped_copy();
    let before = std::fs::read(s.config()).expect("read");
    let fixture = opml_fixture("feedly.opml");
    let (code, out, _) = import(&s, &["--dry-run", fixture.to_str().expect("utf-8 path")]);
    assert_eq!(code, Some(0));
    assert!(
        out.contains("would add: PION <https://pion.example.org/rss.xml> tags: Partners, Health"),
        "{out}"
    );
    assert!(
        out.contains("skipped: Zi Teng: already configured by name"),
        "{out}"
    );
    assert!(out.contains("dry run: nothing written"), "{out}");
    assert_eq!(std::fs::read(s.config()).expect("read"), before);
    let leftovers = std::fs::read_dir(s.dir.path()).expect("dir").count();
    assert_eq!(leftovers, 1, "only feeds.toml in the folder");
}

#[test]
fn unreadable_opml_is_exit_2_and_writes_nothing() {
    let s = shipped_copy();
    let before = read(&s.config());
    let cases: &[(&str, &str)] = &[
        (
            "page.opml",
            "<!DOCTYPE html><html><body>Not found</body></html>",
        ),
        (
            "cut.opml",
            "<opml version=\"2.0\"><body><outline text=\"A\" xmlUrl=\"https://a.example.org/feed\"/>",
        ),
        (
            "broken.opml",
            "<opml><body><outline text=\"a></body></opml>",
        ),
    ];
    let wants = [
        "the root element is <html>",
        "the file is cut off",
        "not well-formed XML",
    ];
    for ((name, body), want) in cases.iter().zip(wants) {
        let p = s.dir.path().join(name);
        std::fs::write(&p, body).expect("write");
        let (code, err) = s.cli("import", &[p.to_str().expect("utf-8 path")]);
        assert_eq!(code, Some(2), "{name}: {err}");
        assert!(err.contains(want) && err.contains(name), "{name}: {err}");
    }
    let (code, err) = s.cli("import", &["/nonexistent/subscriptions.opml"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot read"), "{err}");
    assert_eq!(read(&s.config()), before);
}

/// The shipped feeds.toml with its partners fetched over https instead of read from files, plus a
/// disabled partner and one whose URL carries credentials.
fn shipped_with_url_partners(s: &Setup) -> Config {
    let text = read(&root().join("feeds.toml"));
    let mut out = String::new();
    for line in text.lines() {
        match line.strip_prefix("path = \"examples/partners/") {
            Some(rest) => out.push_str(&format!("url = \"https://feeds.example.org/{}", rest)),
            None => out.push_str(line),
        }
        out.push('\n');
    }
    out.push_str(
        "\n[[source]]\nname = \"Switched off\"\nurl = \"https://off.example.org/feed\"\nenabled = false\n\
         \n[[source]]\nname = \"Members only\"\nurl = \"https://reader:s3cret@members.example.org/feed.atom\"\n\
         homepage = \"https://members.example.org/\"\ntags = [\"Members\"]\n",
    );
    std::fs::write(s.config(), out).expect("write");
    Config::from_file(&s.config()).expect("valid")
}

#[test]
fn partners_opml_round_trips_through_import() {
    let from = Setup::new::<&str>(&[], "");
    let cfg = shipped_with_url_partners(&from);
    let opml = feedbraid::publish::render::opml::partners_opml(&cfg).expect("export");
    let file = from.dir.path().join("partners.opml");
    std::fs::write(&file, &opml).expect("write");

    let to = Setup::new::<&str>(&[], "");
    let (code, out, err) = import(&to, &[file.to_str().expect("utf-8 path")]);
    assert_eq!(code, Some(0), "{out}{err}");
    let got = Config::from_file(&to.config()).expect("the result passes feedbraid check");
    let enabled: Vec<_> = cfg.sources.iter().filter(|s| s.enabled).collect();
    assert_eq!(enabled.len(), 7);
    assert_eq!(got.sources.len(), enabled.len(), "{out}");
    for (want, got) in enabled.iter().zip(&got.sources) {
        let mut url = match &want.location {
            Location::Url(u) => u.clone(),
            Location::Path(p) => panic!("path source {}", p.display()),
        };
        let _ = url.set_password(None);
        let _ = url.set_username("");
        assert_eq!(got.name, want.name);
        assert_eq!(got.location, Location::Url(url), "{}", want.name);
        assert_eq!(got.homepage, want.homepage, "{}", want.name);
        assert_eq!(got.tags, want.tags, "{}", want.name);
        assert_eq!(got.language, want.language, "{}", want.name);
    }
    assert!(!got.sources.iter().any(|s| s.name == "Switched off"));
    assert!(!read(&to.config()).contains("s3cret"));
}

#[test]
fn partners_opml_parses_with_lxml_and_lists_every_enabled_partner() {
    let s = Setup::new::<&str>(&[], "");
    let cfg = shipped_with_url_partners(&s);
    let file = s.dir.path().join("partners.opml");
    std::fs::write(
        &file,
        feedbraid::publish::render::opml::partners_opml(&cfg).expect("export"),
    )
    .expect("write");
    let script = "import sys, lxml.etree as et\n\
                  doc = et.parse(sys.argv[1])\n\
                  r = doc.getroot()\n\
                  assert r.tag == 'opml' and r.get('version') == '2.0', r.tag\n\
                  print(r.findtext('head/title'))\n\
                  for o in r.iterfind('body/outline'):\n\
                  \x20   print('\\t'.join([o.get('text'), o.get('title'), o.get('type'), o.get('xmlUrl'), o.get('htmlUrl') or '', o.get('language') or '', o.get('category') or '']))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&file)
        .output()
        .expect("python3 runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "lxml: {}{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some(cfg.feed.title.as_str()));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split('\t').collect()).collect();
    let enabled: Vec<_> = cfg.sources.iter().filter(|s| s.enabled).collect();
    assert_eq!(rows.len(), enabled.len(), "{stdout}");
    for (src, row) in enabled.iter().zip(&rows) {
        assert_eq!(row[0], src.name);
        assert_eq!(row[1], src.name);
        assert_eq!(row[2], "rss");
        assert!(
            row[3].starts_with("https://") && !row[3].contains('@'),
            "{row:?}"
        );
        assert_eq!(row[4], src.homepage.as_ref().map_or("", |h| h.as_str()));
        assert_eq!(row[5], src.language.as_deref().unwrap_or(""));
        let cats: Vec<String> = src.tags.iter().map(|t| format!("/{t}")).collect();
        assert_eq!(row[6], cats.join(","));
    }
    assert!(
        rows.iter()
            .any(|r| r[0] == "Zi Teng" && r[5] == "zh-HK" && r[6] == "/Hong Kong,/Partner news")
    );
}

#[test]
fn every_run_writes_partners_opml_and_the_page_links_it() {
    let server = crate::Server::start();
    server.route(
        "/a",
        vec![crate::Reply::ok(
            crate::fixture("crosspost-a.xml"),
            "application/rss+xml",
        )],
    );
    let s = crate::Setup::new(&[("Partner A", server.url("/a"))], "");
    s.run().expect("run");
    let opml = std::fs::read_to_string(s.out().join("partners.opml")).expect("partners.opml");
    assert!(
        opml.contains("text=\"Partner A\"")
            && opml.contains(&format!("xmlUrl=\"{}\"", server.url("/a"))),
        "{opml}"
    );
    let index = std::fs::read_to_string(s.out().join("index.html")).expect("index.html");
    assert!(
        index.contains("partners.opml\" type=\"text/x-opml\""),
        "the page links the OPML"
    );
}
