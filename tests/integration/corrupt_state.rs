//! Defect 2 of issue 14: a damaged state database must never publish. The integrity check at open
//! refuses a database with damaged pages (exit 2, outputs untouched); a read that fails later in
//! the run is just as fatal; `feedbraid repair` moves the damaged file aside and starts afresh.

use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::{Reply, Server, Setup, reparse};

fn state_path(s: &Setup) -> PathBuf {
    s.dir.path().join(".feedbraid/state.db")
}

/// `dd if=/dev/urandom of=state.db bs=4096 seek=2 count=2 conv=notrunc`, with a fixed seed.
fn scribble(db: &Path) {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let junk: Vec<u8> = (0..8192)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(db)
        .expect("open state.db");
    f.seek(SeekFrom::Start(2 * 4096)).expect("seek");
    f.write_all(&junk).expect("scribble");
}

fn published(s: &Setup) -> (Vec<u8>, Vec<u8>) {
    (
        std::fs::read(s.out().join("feed.atom")).expect("feed.atom"),
        std::fs::read(s.out().join("feed.json")).expect("feed.json"),
    )
}

fn first_run() -> (Server, Setup) {
    let server = Server::start();
    server.route("/one.xml", vec![Reply::fixture("rss2-wordpress.xml")]);
    let s = Setup::new(&[("One", server.url("/one.xml"))], "");
    let r = s.run().expect("a first good run");
    assert_eq!(r.entries, 3, "{}", r.summary());
    (server, s)
}

#[test]
fn a_scribbled_state_publishes_nothing_and_repair_starts_afresh() {
    let (_server, s) = first_run();
    let before = published(&s);
    let db = state_path(&s);
    assert!(
        std::fs::metadata(&db).expect("state.db").len() > 4 * 4096,
        "the damage lands inside the database"
    );
    scribble(&db);
    let damaged = std::fs::read(&db).expect("damaged bytes");
    for _ in 0..2 {
        let (code, err) = s.cli("run", &[]);
        assert_eq!(code, Some(2), "{err}");
        assert!(
            err.contains("feedbraid repair"),
            "the message says what to do: {err}"
        );
        assert_eq!(published(&s), before, "outputs untouched");
    }
    let (code, err) = s.cli("status", &[]);
    assert_eq!(code, Some(2), "{err}");

    let out = s.command("repair", &[]).output().expect("repair runs");
    let said =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("first-seen"),
        "what is lost is reported: {said}"
    );
    // Moved aside, never deleted: the damaged bytes are kept as they were.
    let aside: Vec<PathBuf> = std::fs::read_dir(db.parent().expect("dir"))
        .expect("read_dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(".damaged-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read(&aside[0]).expect("aside"), damaged);
    assert!(said.contains(&aside[0].display().to_string()), "{said}");

    let r = s.run().expect("the run after repair");
    assert_eq!(r.exit_code(), 0, "{}", r.summary());
    assert_eq!(reparse(&s.feed()).entries.len(), 3, "everything re-fetched");
}

#[test]
fn repair_of_a_healthy_state_changes_nothing() {
    let (_server, s) = first_run();
    let db = state_path(&s);
    let out = s.command("repair", &[]).output().expect("repair runs");
    assert_eq!(out.status.code(), Some(0));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("no damage"), "{said}");
    let names: Vec<String> = std::fs::read_dir(db.parent().expect("dir"))
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.contains("damaged")), "{names:?}");
    assert_eq!(s.run_offline().expect("offline").entries, 3);
}

#[test]
fn a_state_read_failing_mid_run_is_fatal_and_publishes_nothing() {
    let (_server, s) = first_run();
    let before = published(&s);
    // Every page is sound (the integrity check passes), but the stored items cannot be read
    // back: their `id` is a blob where a string must be.
    {
        let c = rusqlite::Connection::open(state_path(&s)).expect("open");
        c.execute_batch("UPDATE items SET id = X'FF00'")
            .expect("update");
    }
    let (code, err) = s.cli("run", &["--offline"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("state database"), "{err}");
    assert_eq!(published(&s), before, "nothing built from a partial read");
}

/// Issue 27, defect 19: a folder where `state.db` should be. `run` and `status` say what it is
/// (not SQLite's "unable to open database file") and exit 2 with the outputs untouched;
/// `repair` moves it aside, contents and all, and starts a new state.
#[test]
fn a_folder_in_place_of_the_state_is_named_and_repair_moves_it_aside() {
    let (_server, s) = first_run();
    let before = published(&s);
    let db = state_path(&s);
    for f in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{f}", db.display()));
    }
    std::fs::create_dir(&db).expect("a folder named state.db");
    std::fs::write(db.join("notes.txt"), "kept").expect("a file inside");
    for cmd in ["run", "status"] {
        let (code, err) = s.cli(cmd, &[]);
        assert_eq!(code, Some(2), "{cmd}: {err}");
        assert!(
            err.contains("state.db is a directory, not a database file")
                && err.contains("feedbraid repair"),
            "{cmd}: {err}"
        );
        assert!(!err.contains("unable to open"), "{cmd}: {err}");
    }
    assert_eq!(published(&s), before, "outputs untouched");

    let out = s.command("repair", &[]).output().expect("repair runs");
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(said.contains("is a directory"), "{said}");
    let aside: Vec<PathBuf> = std::fs::read_dir(db.parent().expect("dir"))
        .expect("read_dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(".damaged-"))
        .collect();
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(
        std::fs::read_to_string(aside[0].join("notes.txt")).expect("moved with its contents"),
        "kept"
    );
    assert!(said.contains(&aside[0].display().to_string()), "{said}");
    assert!(db.is_file(), "a new state database");
    let r = s.run().expect("the run after repair");
    assert_eq!(r.exit_code(), 0, "{}", r.summary());
}
