//! Defects 4–7 of issue 14, each as the probe found it: `path` sources that are not regular files,
//! publishing across files when one of them cannot be written, temp files left by a killed
//! publish, and a file-size limit (`ulimit -f`).

use std::path::Path;
use std::time::{Duration, Instant};

use crate::{Reply, Server, Setup};

/// Runs `cmd`, killing it (and failing the test) if it is still running after `secs`.
fn bounded(mut cmd: std::process::Command, secs: u64) -> (Option<i32>, String) {
    let mut child = cmd
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let until = Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(_status) = child.try_wait().expect("wait") {
            let out = child.wait_with_output().expect("output");
            return (
                out.status.code(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if Instant::now() > until {
            child.kill().ok();
            child.wait().ok();
            panic!("still running after {secs}s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn status_of(s: &Setup, name: &str) -> serde_json::Value {
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(s.out().join("status.json")).expect("status.json"))
            .expect("json");
    doc["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .find(|x| x["name"] == name)
        .cloned()
        .expect("the source is reported")
}

#[test]
fn path_sources_that_are_not_regular_files_are_refused_and_files_are_capped() {
    let s = Setup::new::<&str>(&[], "max_bytes = 2000");
    let dir = s.dir.path();
    let fifo = dir.join("pipe.xml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    std::fs::write(dir.join("big.xml"), vec![b' '; 5000]).expect("big");
    s.append(&format!(
        "[[source]]\nname = \"Zero\"\npath = \"/dev/zero\"\n\n\
         [[source]]\nname = \"Pipe\"\npath = \"{}\"\n\n\
         [[source]]\nname = \"Big\"\npath = \"big.xml\"\n",
        fifo.display()
    ));
    // /dev/zero used to run until the kernel killed the process; the FIFO hung with the lock held.
    let (code, err) = bounded(s.command("run", &[]), 30);
    assert_eq!(code, Some(1), "{err}");
    for name in ["Zero", "Pipe"] {
        let st = status_of(&s, name);
        assert_eq!(st["failure"], "not-a-file", "{st}");
        assert!(
            st["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("not a regular file"),
            "{st}"
        );
    }
    assert_eq!(status_of(&s, "Big")["failure"], "too-large");
    // The lock was released: the next run is not refused.
    let (code, err) = bounded(s.command("run", &[]), 30);
    assert_eq!(code, Some(1), "{err}");
}

fn changing_partner() -> (Server, Setup) {
    let server = Server::start();
    server.route(
        "/p.xml",
        vec![
            Reply::fixture("rss2-wordpress.xml"),
            Reply::fixture("rss1-rdf.xml"),
        ],
    );
    let s = Setup::new(&[("P", server.url("/p.xml"))], "");
    s.run().expect("a first good run");
    (server, s)
}

/// Every file of the folder: name and a hash of its bytes.
fn snapshot(dir: &Path) -> Vec<(String, u64)> {
    use std::hash::{Hash, Hasher};
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .expect("read_dir")
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(e.path()).expect("read").hash(&mut h);
            (e.file_name().to_string_lossy().into_owned(), h.finish())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_file_that_cannot_be_replaced_leaves_every_other_output_untouched() {
    // The first file published, and the last.
    for blocked in ["feed.atom", "status.json"] {
        one_file_blocked(blocked);
    }
}

fn one_file_blocked(blocked: &str) {
    let (_server, s) = changing_partner();
    let atom = s.out().join(blocked);
    std::fs::remove_file(&atom).expect("rm feed.atom");
    std::fs::create_dir(&atom).expect("feed.atom is now a folder");
    let before = snapshot(&s.out());
    assert!(before.iter().any(|(n, _)| n == "feed.json"));
    let (code, err) = s.cli("run", &[]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(blocked), "{err}");
    assert_eq!(
        snapshot(&s.out()),
        before,
        "feed.json and the pages are not replaced, and no temp file is left"
    );
    std::fs::remove_dir(&atom).expect("rmdir");
    let r = s.run().expect("run");
    assert_eq!(r.exit_code(), 0, "{}", r.summary());
    assert_ne!(
        snapshot(&s.out()),
        before,
        "the new entries are published now"
    );
}

#[test]
fn stale_temp_files_of_our_naming_are_removed_by_the_next_run() {
    let (_server, s) = changing_partner();
    let out = s.out();
    let stale = [
        ".feed.atom.Ab3xYz.tmp",
        ".feed.json.0123ab.tmp",
        ".index.html.QQQQQQ.tmp",
    ];
    let foreign = [
        ".notes.tmp",
        "draft.tmp",
        ".feed.atom.tmp",
        ".other.html.abcdef.tmp",
    ];
    for n in stale.iter().chain(&foreign) {
        std::fs::write(out.join(n), vec![b'x'; 4096]).expect("write");
    }
    let r = s.run().expect("run");
    assert_eq!(r.exit_code(), 0, "{}", r.summary());
    for n in stale {
        assert!(!out.join(n).exists(), "{n} removed");
    }
    for n in foreign {
        assert!(out.join(n).exists(), "{n} is not ours: kept");
    }
}

#[test]
fn a_file_size_limit_fails_the_run_with_a_message_instead_of_a_signal() {
    let (_server, s) = changing_partner();
    // A local entry of 2.5 MB: the outputs pass the limit (1 MB: 2,000 blocks of 512 bytes),
    // the state (a few dozen pages of 16 KB, the entry compressed) does not.
    s.append(&format!(
        "[[entry]]\ntitle = \"Long\"\nslug = \"long\"\npublished = \"2025-12-02\"\nsummary = \"{}\"\n",
        "word ".repeat(500_000)
    ));
    let before = snapshot(&s.out());
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg("ulimit -f 2000 && exec \"$0\" run --config \"$1\"")
        .arg(env!("CARGO_BIN_EXE_feedbraid"))
        .arg(s.config());
    let (code, err) = bounded(sh, 30);
    assert_eq!(code, Some(2), "exit 2, not death by SIGXFSZ: {err}");
    assert!(err.starts_with("feedbraid: "), "{err}");
    assert!(err.contains("File too large"), "EFBIG: {err}");
    assert!(err.contains("output"), "{err}");
    assert_eq!(snapshot(&s.out()), before, "nothing published");
}
