//! Editing the files beside the config safely (issue 27, defects 4-8), with the real binary and
//! real concurrent processes: simultaneous `withdraw`s and `import`s lose nothing (an edit waits
//! for the one holding the file's lock), a rewrite keeps
//! the file's mode and owner, `--undo` of thousands of ids is one write (all or nothing), a killed
//! editor's temp files are swept by the next, and `withdrawn.toml`'s header stays on top.

use std::path::Path;
use std::process::{Child, Output};
use std::time::{Duration, Instant};

use crate::{Reply, Server, Setup};

/// A partner serving `n` items (`item-0`...), and a config whose run has stored them.
fn stored_items(n: usize) -> (Server, Setup) {
    let mut x = String::from(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>P</title><link>https://p.example.org/</link>",
    );
    for i in 0..n {
        x.push_str(&format!(
            "<item><guid isPermaLink=\"false\">item-{i}</guid><title>Item {i}</title>\
             <link>https://p.example.org/{i}</link><pubDate>Mon, 05 Jan 2026 08:00:00 +0000</pubDate>\
             <description>text {i}</description></item>"
        ));
    }
    x.push_str("</channel></rss>");
    let server = Server::start();
    server.route("/feed", vec![Reply::ok(x, "application/rss+xml")]);
    let s = Setup::new(&[("Partner", server.url("/feed"))], "");
    assert_eq!(s.cli("run", &[]).0, Some(0));
    (server, s)
}

/// The partner's stored ids, as `feedbraid list` prints them.
fn stored_ids(s: &Setup) -> Vec<String> {
    let out = s.command("list", &[]).output().expect("list");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.lines()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|cols| cols.get(2) == Some(&"Partner"))
        .map(|cols| cols[0].to_string())
        .collect()
}

fn withdrawn(s: &Setup) -> String {
    std::fs::read_to_string(s.dir.path().join("withdrawn.toml")).unwrap_or_default()
}

/// Waits for `child`, killing it after `limit`: a test of a bound fails instead of hanging.
fn bounded(mut child: Child, limit: Duration, what: &str) -> Output {
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} took more than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// The binary, its output piped (every command here says a line or two: far less than a pipe
/// holds, so [`bounded`] can wait before reading).
fn spawn(s: &Setup, command: &str, extra: &[&str]) -> Child {
    s.command(command, extra)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary starts")
}

#[test]
fn eight_simultaneous_withdrawals_are_all_kept() {
    let (_server, s) = stored_items(16);
    let ids = stored_ids(&s);
    assert_eq!(ids.len(), 16, "{ids:?}");
    for round in ids.chunks(8) {
        let children: Vec<Child> = round
            .iter()
            .map(|id| spawn(&s, "withdraw", &[id]))
            .collect();
        for c in children {
            let out = bounded(c, Duration::from_secs(60), "a withdrawal");
            let said = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && said.contains("1 recorded"),
                "{said}{out:?}"
            );
        }
    }
    let record = withdrawn(&s);
    for id in &ids {
        assert!(
            record.contains(&format!("id = \"{id}\"")),
            "{id} lost:\n{record}"
        );
    }
    assert_eq!(record.matches("[[withdrawn]]").count(), 16, "{record}");
    let left: Vec<_> = std::fs::read_dir(s.dir.path())
        .expect("dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("withdrawn") && n != "withdrawn.toml")
        .collect();
    assert!(left.is_empty(), "lock or temp files left: {left:?}");
}

fn opml_of(prefix: &str, n: usize) -> String {
    let mut x = String::from("<opml version=\"2.0\"><head/><body>");
    for i in 0..n {
        x.push_str(&format!(
            "<outline type=\"rss\" text=\"{prefix} {i}\" xmlUrl=\"https://{prefix}{i}.example.org/feed\"/>"
        ));
    }
    x.push_str("</body></opml>");
    x
}

#[test]
fn two_simultaneous_imports_keep_both_files_sources() {
    for trial in 0..10 {
        let s = Setup::new::<&str>(&[], "");
        let (a, b) = (s.dir.path().join("a.opml"), s.dir.path().join("b.opml"));
        std::fs::write(&a, opml_of("alpha", 5)).expect("write");
        std::fs::write(&b, opml_of("beta", 5)).expect("write");
        let children = [a, b].map(|f| spawn(&s, "import", &[f.to_str().expect("utf-8")]));
        for c in children {
            let out = bounded(c, Duration::from_secs(60), "an import");
            assert!(out.status.success(), "trial {trial}: {out:?}");
        }
        let cfg = feedbraid::config::Config::from_file(&s.config()).expect("valid");
        assert_eq!(
            cfg.sources.len(),
            10,
            "trial {trial}: {:?}",
            cfg.sources.iter().map(|x| &x.name).collect::<Vec<_>>()
        );
    }
}

#[cfg(unix)]
fn mode_and_owner(p: &Path) -> (u32, u32, u32) {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(p).expect("metadata");
    (m.mode() & 0o7777, m.uid(), m.gid())
}

/// Gives `p` to uid 4242, gid 4243 when this process may (as root); says whether it did.
#[cfg(unix)]
fn give_away(p: &Path) -> bool {
    std::os::unix::fs::chown(p, Some(4242), Some(4243)).is_ok()
}

#[cfg(unix)]
#[test]
fn withdraw_keeps_the_files_mode_and_owner_and_a_new_file_takes_the_configs() {
    use std::os::unix::fs::PermissionsExt;
    let (_server, s) = stored_items(2);
    let ids = stored_ids(&s);
    // No withdrawn.toml yet: the new file is made like feeds.toml (the service user reads both).
    std::fs::set_permissions(s.config(), std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let owned = give_away(&s.config());
    let (code, err) = s.cli("withdraw", &[&ids[0]]);
    assert_eq!(code, Some(0), "{err}");
    let file = s.dir.path().join("withdrawn.toml");
    let (mode, uid, gid) = mode_and_owner(&file);
    assert_eq!(mode, 0o640, "a new withdrawn.toml takes feeds.toml's mode");
    if owned {
        assert_eq!((uid, gid), (4242, 4243), "and its owner");
    }
    // An existing file keeps its own mode and owner across a rewrite, and an --undo.
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664)).expect("chmod");
    if owned {
        std::os::unix::fs::chown(&file, Some(4244), Some(4245)).expect("chown");
    }
    for args in [vec![ids[1].as_str()], vec!["--undo", ids[0].as_str()]] {
        let (code, err) = s.cli("withdraw", &args);
        assert_eq!(code, Some(0), "{err}");
        let (mode, uid, gid) = mode_and_owner(&file);
        assert_eq!(mode, 0o664, "{args:?}");
        if owned {
            assert_eq!((uid, gid), (4244, 4245), "{args:?}");
        }
    }
}

#[cfg(unix)]
#[test]
fn import_keeps_the_configs_mode_and_owner() {
    use std::os::unix::fs::PermissionsExt;
    let s = Setup::new::<&str>(&[], "");
    std::fs::set_permissions(s.config(), std::fs::Permissions::from_mode(0o660)).expect("chmod");
    let owned = give_away(&s.config());
    let opml = s.dir.path().join("a.opml");
    std::fs::write(&opml, opml_of("alpha", 2)).expect("write");
    let (code, err) = s.cli("import", &[opml.to_str().expect("utf-8")]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        std::fs::read_to_string(s.config())
            .expect("read")
            .contains("alpha 1")
    );
    let (mode, uid, gid) = mode_and_owner(&s.config());
    assert_eq!(mode, 0o660);
    if owned {
        assert_eq!((uid, gid), (4242, 4243));
    }
}

/// A withdrawn.toml with `n` withdrawals (`tag:x,2026:N`), as an editor could have built it.
fn many_withdrawn(s: &Setup, n: usize) -> Vec<String> {
    let mut t = String::from("# Our withdrawals.\n");
    let ids: Vec<String> = (0..n)
        .map(|i| format!("tag:x.example.org,2026:{i}"))
        .collect();
    for (i, id) in ids.iter().enumerate() {
        t.push_str(&format!(
            "\n[[withdrawn]]\nid = \"{id}\"\nlink = \"https://x.example.org/{i}\"\ntitle = \"Item {i}\"\n\
             when = \"2026-01-05T08:00:00Z\"\n"
        ));
    }
    std::fs::write(s.dir.path().join("withdrawn.toml"), t).expect("write");
    ids
}

#[test]
fn undo_of_two_thousand_ids_is_one_write_all_or_nothing() {
    let s = Setup::new::<&str>(&[], "");
    let ids = many_withdrawn(&s, 2000);
    let before = withdrawn(&s);
    // One unknown key, last: nothing is taken back, and quickly.
    let mut args: Vec<&str> = vec!["--undo"];
    args.extend(ids[..1999].iter().map(String::as_str));
    args.push("tag:x.example.org,2026:unknown");
    let out = bounded(
        spawn(&s, "withdraw", &args),
        Duration::from_secs(60),
        "a refused --undo",
    );
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2026:unknown` is not withdrawn"),
        "{out:?}"
    );
    assert_eq!(withdrawn(&s), before, "a refused --undo changed the file");
    // All 2,000 (half by link): one parse, one write.
    let mut args: Vec<String> = vec!["--undo".into()];
    args.extend(ids[..1000].iter().cloned());
    args.extend((1000..2000).map(|i| format!("https://x.example.org/{i}")));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let start = Instant::now();
    let out = bounded(
        spawn(&s, "withdraw", &args),
        Duration::from_secs(60),
        "--undo of 2,000 ids",
    );
    assert!(out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("2000 withdrawal(s) taken back"),
        "{out:?}"
    );
    eprintln!("--undo of 2,000 ids: {:?}", start.elapsed());
    let after = withdrawn(&s);
    assert!(!after.contains("[[withdrawn]]"), "{after}");
    assert!(after.starts_with("# Our withdrawals."), "{after}");
}

#[test]
fn a_killed_editors_temp_files_are_swept_by_the_next_edit() {
    let (_server, s) = stored_items(1);
    let dir = s.dir.path();
    let stale = [".feeds.toml.Ab12Z9.tmp", ".withdrawn.toml.xY3456.tmp"];
    let kept = [
        ".feeds.toml.abc.tmp",
        ".notes.Ab12Z9.tmp",
        "feeds.toml.Ab12Z9.tmp",
    ];
    for f in stale.iter().chain(&kept) {
        std::fs::write(dir.join(f), b"half a config").expect("write");
    }
    let opml = dir.join("a.opml");
    std::fs::write(&opml, opml_of("alpha", 1)).expect("write");
    // A dry run writes nothing and removes nothing.
    assert_eq!(
        s.cli("import", &["--dry-run", opml.to_str().expect("utf-8")])
            .0,
        Some(0)
    );
    assert!(dir.join(stale[0]).exists());
    assert_eq!(s.cli("import", &[opml.to_str().expect("utf-8")]).0, Some(0));
    assert!(
        !dir.join(stale[0]).exists(),
        "the import left a killed import's temp file"
    );
    let id = stored_ids(&s).remove(0);
    assert_eq!(s.cli("withdraw", &[&id]).0, Some(0));
    assert!(
        !dir.join(stale[1]).exists(),
        "withdraw left a killed withdraw's temp file"
    );
    for f in kept {
        assert!(dir.join(f).exists(), "{f} is not ours and was removed");
    }
}

#[test]
fn the_header_of_withdrawn_toml_stays_on_top() {
    let (_server, s) = stored_items(2);
    let ids = stored_ids(&s);
    let header = "# Entries withdrawn from every output of feedbraid";
    for (args, n) in [
        (vec![ids[0].as_str()], 1),
        (vec![ids[1].as_str()], 2),
        (vec!["--undo", ids[0].as_str(), ids[1].as_str()], 0),
        (vec![ids[1].as_str()], 1),
    ] {
        let (code, err) = s.cli("withdraw", &args);
        assert_eq!(code, Some(0), "{args:?}: {err}");
        let text = withdrawn(&s);
        assert!(text.starts_with(header), "{args:?}:\n{text}");
        assert_eq!(text.matches(header).count(), 1, "{args:?}:\n{text}");
        assert_eq!(
            text.matches("[[withdrawn]]").count(),
            n,
            "{args:?}:\n{text}"
        );
    }
}

#[test]
fn an_edit_waits_for_the_editor_holding_the_lock() {
    let (_server, s) = stored_items(1);
    let id = stored_ids(&s).remove(0);
    let lock_path = s.dir.path().join(".withdrawn.toml.lock");
    let held = std::fs::File::create(&lock_path).expect("create");
    held.lock().expect("lock");
    let child = spawn(&s, "withdraw", &[&id]);
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        withdrawn(&s).is_empty(),
        "the withdrawal did not wait for the lock"
    );
    drop(held);
    let out = bounded(child, Duration::from_secs(60), "a waiting withdrawal");
    assert!(out.status.success(), "{out:?}");
    assert!(withdrawn(&s).contains(&id));
    assert!(
        !lock_path.exists(),
        "the lock file is removed when the edit ends"
    );
}
