//! Hostile OPML through the real `feedbraid import` (issue 27, defects 9-11): deep folders cost
//! bounded memory and are flattened past 64 levels, thousands of outlines with one name are named
//! in linear time, private and metadata addresses are skipped unless `--allow-intranet`, and
//! control and bidi characters never reach the config.

use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use feedbraid::config::Config;

use crate::Setup;

/// Runs `feedbraid import` with `extra` (the OPML last) under a 2 GB address-space limit, killed
/// after `limit`.
fn import_bounded(s: &Setup, opml: &str, extra: &[&str], limit: Duration) -> Output {
    let file = s.dir.path().join("hostile.opml");
    std::fs::write(&file, opml).expect("write");
    let mut args = vec![
        "ulimit -v 2097152; cfg=\"$1\"; shift; exec \"$0\" import --config \"$cfg\" \"$@\""
            .to_string(),
        env!("CARGO_BIN_EXE_feedbraid").to_string(),
    ];
    // `$1` is the config; the rest follow it.
    args.push(s.config().display().to_string());
    args.extend(extra.iter().map(|e| e.to_string()));
    args.push(file.display().to_string());
    // To files, not pipes: a report longer than a pipe's buffer must not stall the child.
    let (out_file, err_file) = (s.dir.path().join("stdout"), s.dir.path().join("stderr"));
    let to = |p: &std::path::Path| Stdio::from(std::fs::File::create(p).expect("create"));
    let mut child: Child = std::process::Command::new("sh")
        .arg("-c")
        .args(&args)
        .stdout(to(&out_file))
        .stderr(to(&err_file))
        .spawn()
        .expect("sh runs");
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the import took more than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = child.wait().expect("wait");
    eprintln!("import: {:?}", start.elapsed());
    Output {
        status,
        stdout: std::fs::read(out_file).expect("stdout"),
        stderr: std::fs::read(err_file).expect("stderr"),
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn twenty_thousand_nested_folders_are_flattened_past_64_in_bounded_memory() {
    let s = Setup::new::<&str>(&[], "");
    let depth = 20_000;
    let mut x = String::from("<opml version=\"2.0\"><head/><body>");
    for i in 0..depth {
        x.push_str(&format!("<outline text=\"f{i}\">"));
    }
    x.push_str("<outline type=\"rss\" text=\"Deep\" xmlUrl=\"https://deep.example.org/feed\"/>");
    x.push_str(&"</outline>".repeat(depth));
    x.push_str(
        "<outline type=\"rss\" text=\"Shallow\" xmlUrl=\"https://shallow.example.org/feed\"/>",
    );
    x.push_str("</body></opml>");
    let out = import_bounded(&s, &x, &[], Duration::from_secs(60));
    let said = stdout(&out);
    assert!(out.status.success(), "{said}{out:?}");
    let cfg = Config::from_file(&s.config()).expect("valid");
    let deep = cfg
        .sources
        .iter()
        .find(|x| x.name == "Deep")
        .expect("the deep feed is imported");
    let want: Vec<String> = (0..64).map(|i| format!("f{i}")).collect();
    assert_eq!(deep.tags, want, "the outer 64 folders are its tags");
    assert!(
        cfg.sources
            .iter()
            .any(|x| x.name == "Shallow" && x.tags.is_empty())
    );
    assert!(
        said.contains("folders nested deeper than 64 levels were flattened"),
        "{said}"
    );
}

#[test]
fn two_thousand_outlines_with_one_name_are_named_in_linear_time() {
    let s = Setup::new::<&str>(&[], "");
    let n = 2000;
    let mut x = String::from("<opml version=\"2.0\"><head/><body>");
    for i in 0..n {
        x.push_str(&format!(
            "<outline type=\"rss\" text=\"News\" xmlUrl=\"https://news.example.org/feed/{i}\"/>"
        ));
    }
    // One outline with 20,000 categories (10,000 distinct): de-duplicated in linear time, 64 kept.
    let cats: Vec<String> = (0..20_000).map(|i| format!("/c{}", i % 10_000)).collect();
    x.push_str(&format!(
        "<outline type=\"rss\" text=\"Tagged\" category=\"{}\" xmlUrl=\"https://t.example.org/\"/>",
        cats.join(",")
    ));
    x.push_str("</body></opml>");
    let out = import_bounded(&s, &x, &[], Duration::from_secs(60));
    assert!(out.status.success(), "{out:?}");
    let cfg = Config::from_file(&s.config()).expect("valid: every name unique");
    assert_eq!(cfg.sources.len(), n + 1);
    let names: std::collections::HashSet<&str> =
        cfg.sources.iter().map(|x| x.name.as_str()).collect();
    assert!(names.contains("News") && names.contains("News (news.example.org)"));
    assert!(names.contains("News (news.example.org) 1999"), "{names:?}");
    let tagged = cfg
        .sources
        .iter()
        .find(|x| x.name == "Tagged")
        .expect("added");
    assert_eq!(tagged.tags.len(), 64, "at most 64 tags");
    assert!(
        stdout(&out).contains("9936 more tags left out"),
        "{}",
        stdout(&out)
    );
}

const INTRANET: &[&str] = &[
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:8080/feed",
    "http://[::1]/feed",
    "http://0/feed",
    "http://0x7f.1/feed",
    "http://[::ffff:10.0.0.1]/feed",
    "http://10.1.2.3/rss",
    "http://192.168.1.1/rss",
    "http://localhost/feed",
    "http://feeds.localhost./feed",
    "http://printer.local/feed",
    "http://wiki.internal/feed",
];

fn intranet_opml() -> String {
    let mut x = String::from("<opml version=\"2.0\"><head/><body>");
    for (i, u) in INTRANET.iter().enumerate() {
        x.push_str(&format!(
            "<outline type=\"rss\" text=\"In {i}\" xmlUrl=\"{u}\"/>"
        ));
    }
    x.push_str(
        "<outline type=\"rss\" text=\"Public\" xmlUrl=\"https://public.example.org/feed\"/>",
    );
    x.push_str("</body></opml>");
    x
}

#[test]
fn private_and_metadata_addresses_are_skipped_unless_allowed() {
    let s = Setup::new::<&str>(&[], "");
    let out = import_bounded(&s, &intranet_opml(), &[], Duration::from_secs(60));
    let said = stdout(&out);
    assert!(out.status.success(), "{said}{out:?}");
    let cfg = Config::from_file(&s.config()).expect("valid");
    let names: Vec<&str> = cfg.sources.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["Public"], "{said}");
    for i in 0..INTRANET.len() {
        let line = said
            .lines()
            .find(|l| l.starts_with(&format!("skipped: In {i}: ")))
            .unwrap_or_else(|| panic!("In {i} not skipped: {said}"));
        assert!(
            line.contains("private network") && line.contains("--allow-intranet"),
            "{line}"
        );
    }
    let s = Setup::new::<&str>(&[], "");
    let out = import_bounded(
        &s,
        &intranet_opml(),
        &["--allow-intranet"],
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{out:?}");
    let cfg = Config::from_file(&s.config()).expect("valid");
    assert_eq!(cfg.sources.len(), INTRANET.len() + 1, "{}", stdout(&out));
}

#[test]
fn control_and_bidi_characters_are_stripped_from_names_and_tags() {
    let s = Setup::new::<&str>(&[], "");
    let x = "<opml version=\"2.0\"><head/><body>\
        <outline text=\"Fol&#10;der&#x202E;\">\
        <outline type=\"rss\" text=\"Evil&#10;added: Forged &lt;https://forged.example.org/&gt;\" \
         xmlUrl=\"https://evil.example.org/feed\" category=\"/a&#9;b,/&#x2066;c&#x2069;\"/>\
        <outline type=\"rss\" text=\"&#x202E;lmth.exe&#13;&#x200F;&#x9B;&#x85;\" xmlUrl=\"https://flip.example.org/feed\"/>\
        </outline></body></opml>";
    let out = import_bounded(&s, x, &[], Duration::from_secs(60));
    let said = stdout(&out);
    assert!(out.status.success(), "{said}{out:?}");
    for l in said.lines() {
        assert!(
            !l.starts_with("added: Forged"),
            "a name forged a line: {said}"
        );
    }
    let cfg = Config::from_file(&s.config()).expect("the result passes check");
    let names: Vec<&str> = cfg.sources.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Evil added: Forged <https://forged.example.org/>",
            "lmth.exe"
        ]
    );
    assert_eq!(cfg.sources[0].tags, ["Fol der", "a b", "c"]);
    let text = std::fs::read_to_string(s.config()).expect("read");
    let bad = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    assert!(!text.chars().any(bad), "{text:?}");
}
