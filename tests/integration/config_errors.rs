//! Config errors name the file, the line and the key.

use std::path::Path;

use feedbraid::config::Config;

const GOOD: &str = r#"[feed]
title = "T"
id = "tag:x.example.org,2026:feed"
link = "https://x.example.org/"
self_url = "https://x.example.org/feed.atom"
author = { name = "X" }

[[source]]
name = "A"
url = "https://a.example.org/feed"
"#;

fn err(text: &str) -> String {
    Config::parse(text, Path::new("/cfg/feeds.toml"))
        .expect_err("must be rejected")
        .to_string()
}

#[test]
fn good_config_parses_with_defaults() {
    let c = Config::parse(GOOD, Path::new("/cfg/feeds.toml")).expect("valid");
    assert_eq!(c.feed.max_entries, 100);
    assert_eq!(c.output_dir, Path::new("/cfg/output"));
    assert_eq!(c.state_path, Path::new("/cfg/.feedbraid/state.db"));
    assert_eq!(c.sources.len(), 1);
}

#[test]
fn unknown_key_names_line_and_key() {
    let e = err(&GOOD.replace(
        "name = \"A\"",
        "name = \"A\"\nhomepgae = \"https://a.example.org/\"",
    ));
    assert!(e.starts_with("/cfg/feeds.toml:10:"), "{e}");
    assert!(e.contains("source[0].homepgae"), "{e}");
    assert!(e.contains("unknown field"), "{e}");
}

#[test]
fn bad_url_names_line_and_key() {
    let e = err(&GOOD.replace("https://a.example.org/feed", "not a url"));
    assert!(e.starts_with("/cfg/feeds.toml:10:"), "{e}");
    assert!(e.contains("source[0].url"), "{e}");
    let e = err(&GOOD.replace("https://a.example.org/feed", "ftp://a.example.org/feed"));
    assert!(e.contains("must be an http(s) URL"), "{e}");
}

#[test]
fn missing_title_names_the_key() {
    let e = err(&GOOD.replace("title = \"T\"\n", ""));
    assert!(e.contains("feed.title"), "{e}");
    assert!(e.contains("missing field"), "{e}");
    assert!(e.starts_with("/cfg/feeds.toml:1:"), "{e}");
}

#[test]
fn bad_values_are_rejected_with_their_line() {
    let e = err(&format!("{GOOD}id_strategy = \"random\"\n"));
    assert!(
        e.starts_with("/cfg/feeds.toml:11:") && e.contains("source[0].id_strategy"),
        "{e}"
    );
    let e = err(&GOOD.replace("[[source]]", "[fetch]\ntimeout = \"soon\"\n\n[[source]]"));
    assert!(e.contains("fetch.timeout") && e.contains(":9:"), "{e}");
    let e = err(&format!("{GOOD}include = [\"(unclosed\"]\n"));
    assert!(
        e.contains("source[0].include[0]") && e.contains("bad pattern"),
        "{e}"
    );
    let e = err(&format!(
        "{GOOD}\n[[source]]\nname = \"A\"\npath = \"x.xml\"\n"
    ));
    assert!(e.contains("used twice") && e.contains(":13:"), "{e}");
}

/// A network that publishes in Chinese and Thai filters by script: Unicode scripts and
/// categories are patterns like any other (the release binary once refused them: see
/// `features.rs`).
#[test]
fn filters_may_name_unicode_scripts_and_categories() {
    let text = GOOD.replace(
        "[[source]]",
        "[filter]\ninclude = ['\\p{Han}', '\\p{Thai}+', '^\\p{Lu}\\p{Ll}+$']\n\n[[source]]",
    );
    let c = Config::parse(&text, Path::new("/cfg/feeds.toml")).expect("valid");
    let [han, thai, word] = c.filter.include.as_slice() else {
        panic!("three patterns: {:?}", c.filter.include);
    };
    assert!(han.is_match("性工作者权利报告") && !han.is_match("รายงาน"));
    assert!(thai.is_match("รายงานสิทธิ") && !thai.is_match("Report"));
    assert!(
        word.is_match("Éducation") && word.is_match("éducation"),
        "case-insensitive"
    );
}

#[test]
fn shipped_config_is_valid() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds.toml");
    let c = Config::from_file(&p).expect("shipped feeds.toml is valid");
    assert!(c.sources.len() >= 5);
    assert!(c.entries.len() >= 6);
    assert!(
        c.entries
            .iter()
            .any(|e| e.language.as_deref() == Some("zh")),
        "the Chinese newsletter is marked zh"
    );
}

fn with_views(views: &str) -> String {
    format!("{GOOD}\n{views}")
}

#[test]
fn views_parse_with_defaults_and_lower_case_selectors() {
    let c = Config::parse(
        &with_views(
            "[[view]]\nname = \"zh\"\ntitle = \"Chinese\"\nlanguages = [\"zh-Hant\"]\ntags = [\"Anti-Trafficking\"]\nsources = [\"A\", \"local\"]\n",
        ),
        Path::new("/cfg/feeds.toml"),
    )
    .expect("valid");
    let v = &c.views[0];
    assert_eq!(v.name, "zh");
    assert_eq!(v.max_entries, 100, "defaults to the main feed's");
    assert_eq!(v.languages, ["zh-Hant"]);
    assert_eq!(v.tags, ["anti-trafficking"]);
    assert_eq!(v.sources, ["A", "local"]);
}

#[test]
fn view_errors_name_line_and_key() {
    // GOOD has 10 lines, then a blank one: `[[view]]` is line 12.
    let e = err(&with_views(
        "[[view]]\nname = \"a\"\ntitle = \"A\"\nsources = [\"A\", \"Nobody\"]\n",
    ));
    assert!(e.starts_with("/cfg/feeds.toml:15:"), "{e}");
    assert!(e.contains("view[0].sources[1]"), "{e}");
    assert!(
        e.contains("`Nobody` is not the name of any [[source]]"),
        "{e}"
    );

    let e = err(&with_views(
        "[[view]]\nname = \"a\"\ntitle = \"A\"\n\n[[view]]\nname = \"a\"\ntitle = \"B\"\n",
    ));
    assert!(e.starts_with("/cfg/feeds.toml:17:"), "{e}");
    assert!(
        e.contains("view[1].name") && e.contains("used twice"),
        "{e}"
    );

    for clash in ["feed", "index", "embed", "status"] {
        let e = err(&with_views(&format!(
            "[[view]]\nname = \"{clash}\"\ntitle = \"A\"\n"
        )));
        assert!(e.starts_with("/cfg/feeds.toml:13:"), "{e}");
        assert!(
            e.contains("view[0].name") && e.contains("collides with another output"),
            "{e}"
        );
    }

    let e = err(&with_views("[[view]]\nname = \"Zh_TW\"\ntitle = \"A\"\n"));
    assert!(
        e.contains("view[0].name") && e.contains("lower-case"),
        "{e}"
    );

    let e = err(&with_views(
        "[[view]]\nname = \"a\"\ntitle = \"A\"\nlanguages = [\"chinese!\"]\n",
    ));
    assert!(e.contains("view[0].languages[0]"), "{e}");

    let e = err(&with_views(
        "[[view]]\nname = \"a\"\ntitle = \"A\"\ninclude = [\"(\"]\n",
    ));
    assert!(
        e.contains("view[0].include[0]") && e.contains("bad pattern"),
        "{e}"
    );

    let e = err(&with_views(
        "[[view]]\nname = \"a\"\ntitle = \"A\"\ncolour = \"red\"\n",
    ));
    assert!(
        e.contains("view[0].colour") && e.contains("unknown field"),
        "{e}"
    );

    let e = err(&with_views("[output]\ntemplates = \"no-such-folder\"\n"));
    assert!(
        e.contains("output.templates") && e.contains("not a folder"),
        "{e}"
    );
}

#[test]
fn archive_keys_are_checked_with_line_and_key() {
    let c = Config::parse(
        &format!("{GOOD}\n[archive]\nenabled = true\n"),
        Path::new("/cfg/feeds.toml"),
    )
    .expect("valid");
    assert!(c.archive.enabled);
    assert_eq!(c.archive.grace, std::time::Duration::from_secs(7 * 86_400));
    assert!(
        !Config::parse(GOOD, Path::new("/cfg/feeds.toml"))
            .expect("valid")
            .archive
            .enabled
    );
    let e = err(&format!(
        "{GOOD}\n[archive]\nenabled = true\nmonthly = true\n"
    ));
    assert!(e.starts_with("/cfg/feeds.toml:14:"), "{e}");
    assert!(e.contains("monthly") && e.contains("unknown field"), "{e}");
    let e = err(&format!(
        "{GOOD}\n[archive]\nenabled = true\ngrace = \"40d\"\n"
    ));
    assert!(e.starts_with("/cfg/feeds.toml:14:"), "{e}");
    assert!(
        e.contains("archive.grace") && e.contains("at most 28 days"),
        "{e}"
    );
}

#[test]
fn control_and_bidi_characters_in_names_are_rejected_with_line_and_key() {
    let source = |name: &str| GOOD.replace("name = \"A\"", &format!("name = \"{name}\""));
    for (bad, shown) in [
        ("A\\nadded: Forged", "U+000A"),
        ("A\\rB", "U+000D"),
        ("A\\tB", "U+0009"),
        ("A\\u0085B", "U+0085"),
        ("\u{202e}lmth.exe", "U+202E"),
        ("A\u{2066}B", "U+2066"),
        ("A\u{200f}", "U+200F"),
    ] {
        let e = err(&source(bad));
        assert!(e.starts_with("/cfg/feeds.toml:9:"), "{bad}: {e}");
        assert!(
            e.contains("source[0].name") && e.contains(shown),
            "{bad}: {e}"
        );
    }
    let e = err(&format!("{GOOD}tags = [\"ok\", \"x\u{202d}y\"]\n"));
    assert!(e.starts_with("/cfg/feeds.toml:11:"), "{e}");
    assert!(
        e.contains("source[0].tags[1]") && e.contains("U+202D"),
        "{e}"
    );
    let e = err(&GOOD.replace("title = \"T\"", "title = \"T\\r\""));
    assert!(
        e.starts_with("/cfg/feeds.toml:2:") && e.contains("feed.title"),
        "{e}"
    );
    let e = err(&GOOD.replace("name = \"X\"", "name = \"X\u{202e}\""));
    assert!(
        e.starts_with("/cfg/feeds.toml:6:") && e.contains("feed.author.name"),
        "{e}"
    );
    let e = err(&with_views("[[view]]\nname = \"a\"\ntitle = \"A\\nB\"\n"));
    assert!(
        e.starts_with("/cfg/feeds.toml:14:") && e.contains("view[0].title"),
        "{e}"
    );
    let e = err(&with_views(
        "[[view]]\nname = \"a\"\ntitle = \"A\"\ntags = [\"\\t\"]\n",
    ));
    assert!(
        e.starts_with("/cfg/feeds.toml:15:") && e.contains("view[0].tags[0]"),
        "{e}"
    );
    // Other whitespace and right-to-left text are names like any other.
    Config::parse(
        &source("مؤسسة\u{a0}Empower 午夜藍"),
        Path::new("/cfg/feeds.toml"),
    )
    .expect("valid");
    // `feedbraid check` says the same and exits 2.
    let s = crate::Setup::new::<&str>(&[], "");
    std::fs::write(s.config(), source("A\\nB")).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_feedbraid"))
        .args(["check", "--config"])
        .arg(s.config())
        .output()
        .expect("runs");
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("feeds.toml:9:") && said.contains("source[0].name"),
        "{said}"
    );
}

/// Description: the hijack guard's settings (`[review] guard`, `burst`), good and bad.
/// Expect: the defaults are on and 20; `burst = 0` is refused with its line and key.
#[test]
fn the_review_table_names_a_bad_burst() {
    let c = Config::parse(GOOD, Path::new("/cfg/feeds.toml")).expect("valid");
    assert!(c.review.guard);
    assert_eq!(c.review.burst, 20);
    let c = Config::parse(
        &format!("[review]\nguard = false\nburst = 5\n\n{GOOD}"),
        Path::new("/cfg/feeds.toml"),
    )
    .expect("valid");
    assert!(!c.review.guard);
    assert_eq!(c.review.burst, 5);
    let e = err(&format!("[review]\nburst = 0\n\n{GOOD}"));
    assert!(
        e.starts_with("/cfg/feeds.toml:2:") && e.contains("review.burst"),
        "{e}"
    );
}
