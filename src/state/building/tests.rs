//! A first run's state, built apart and put in place: its log, its leftovers, and a state made
//! meanwhile under its name.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::{Placement, building_path, placement, sweep};
use crate::state::writer::tests::{fetched, item, run};
use crate::state::{SourceWrite, State};

fn first() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-02T10:00:00Z")
        .expect("date")
        .with_timezone(&Utc)
}

/// Source `A`'s first answer, with two new items.
fn a_first() -> SourceWrite {
    let mut a = SourceWrite::new("A", fetched("ok", first(), Some("\"a1\"")));
    a.new_items = vec![item("h1", 1, first()), item("h2", 2, first())];
    a
}

/// The files in `dir`, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn journal_mode(path: &Path) -> String {
    let st = State::open(path).expect("open");
    st.conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode")
}

#[test]
fn a_first_state_is_built_apart_and_put_in_place_with_its_log() {
    // Description: no state at `state.db`; a run's writer builds one and writes a source with
    // two items. Expect: while it is built, nothing has the state's name and its file has no
    // journal; afterwards `state.db` alone (no file of the build left), in WAL mode (its
    // header says so to every reader), with the source's row, items, entries and first
    // sightings; a second run finds it in place.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.db");
    let mut st = State::build(&path).expect("build").expect("a new state");
    assert!(!path.exists(), "no state under its name while it is built");
    let mode: String = st
        .conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .expect("mode");
    assert_eq!(mode, "off");
    assert_eq!(files(dir.path()), ["state.db.building"]);

    assert_eq!(run(&mut st, vec![a_first()], first()), 1);
    assert_eq!(st.path, path.display().to_string(), "reopened in place");
    drop(st);
    assert_eq!(files(dir.path()), ["state.db"]);
    let header = std::fs::read(&path).expect("read");
    assert_eq!(header.get(18..20), Some(&[2u8, 2][..]), "WAL from now on");
    assert_eq!(journal_mode(&path), "wal");
    let st = State::open(&path).expect("open");
    let a = st.source("A").expect("read");
    assert_eq!(a.validators.etag.as_deref(), Some("\"a1\""));
    assert_eq!(st.items("A").expect("items").len(), 2);
    let e2 = st.entry("A", "h2").expect("read").expect("stored");
    assert_eq!(e2.title, "T2");
    assert_eq!(st.first_seen("tag:a,2026:1").expect("read"), Some(first()));
    assert!(State::build(&path).expect("open").is_none(), "in place");
}

#[test]
fn what_a_first_run_cut_short_left_is_removed_before_it_builds_again() {
    // Description: a killed first run left a damaged file under the building name, with a
    // journal and a log beside it. Expect: the next run's build removes all three and builds a
    // new file (a database with the schema, not the damaged bytes); with a state in place,
    // the leftovers go too and nothing is built.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.db");
    let built = building_path(&path);
    let leave = |p: &Path| {
        for suffix in ["", "-journal", "-wal"] {
            let mut f = p.as_os_str().to_owned();
            f.push(suffix);
            std::fs::write(f, b"not a database").expect("write");
        }
    };
    leave(&built);
    let st = State::build(&path).expect("build").expect("a new state");
    assert_eq!(files(dir.path()), ["state.db.building"]);
    assert_eq!(st.source("A").expect("an empty state").failures, 0);
    drop(st);

    State::open(&path).expect("a state in place");
    leave(&built);
    assert!(State::build(&path).expect("open").is_none());
    assert!(!files(dir.path()).iter().any(|f| f.contains("building")));
    sweep(&path).expect("nothing to sweep is no error");
}

#[test]
fn a_state_made_meanwhile_keeps_its_rows_and_gets_the_built_ones() {
    // Description: while a first run builds its state, another command makes one under the
    // state's name and writes to it (an older version's command, a script): source B's row,
    // and A's row with other validators. Expect: that file is kept (never
    // replaced), with B's row, its own A row, and the run's items of A added; the built file
    // is gone.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.db");
    let mut st = State::build(&path).expect("build").expect("a new state");
    let mut meanwhile = State::open(&path).expect("made meanwhile");
    let b = SourceWrite::new("B", fetched("ok", first(), Some("\"b1\"")));
    let a = SourceWrite::new("A", fetched("ok", first(), Some("\"theirs\"")));
    assert_eq!(run(&mut meanwhile, vec![b, a], first()), 2);

    assert_eq!(run(&mut st, vec![a_first()], first()), 1);
    assert_eq!(
        files(dir.path()),
        ["state.db", "state.db-shm", "state.db-wal"]
    );
    drop(st);
    let got = |name: &str| meanwhile.source(name).expect("read").validators.etag;
    assert_eq!(got("B").as_deref(), Some("\"b1\""));
    assert_eq!(got("A").as_deref(), Some("\"theirs\""), "its own row kept");
    assert_eq!(
        meanwhile.items("A").expect("items").len(),
        2,
        "the run's added"
    );
    assert!(meanwhile.entry("A", "h1").expect("read").is_some());
}

#[test]
fn a_folder_where_the_build_goes_is_an_error_that_names_it() {
    // Description: a folder, not a file, holds the building name (made by hand). Expect: no
    // build; an error that names that path and says why, not advice to repair the state.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.db");
    std::fs::create_dir_all(building_path(&path).join("inside")).expect("folder");
    let err = State::build(&path).expect_err("not removed").to_string();
    assert!(err.contains("state.db.building"), "{err}");
    assert!(err.to_lowercase().contains("directory"), "{err}");
    assert!(!err.contains("repair"), "{err}");
    assert!(!path.exists(), "nothing built");
}

#[test]
fn a_log_left_without_its_state_is_set_aside_not_replayed_into_the_new_one() {
    // Description: `state.db` was deleted by hand and its write-ahead log left beside it (a
    // log of another database, with a table of its own); a first run then builds a state.
    // Expect: the new `state.db` holds the run's rows, not the log's pages (SQLite would
    // replay a valid log into any file under that name), and the log is kept aside.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.db");
    let other = dir.path().join("other.db");
    let o = rusqlite::Connection::open(&other).expect("other");
    o.execute_batch(
        "PRAGMA page_size = 16384; PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
         CREATE TABLE theirs (x); INSERT INTO theirs VALUES (1);",
    )
    .expect("a log");
    std::fs::copy(
        dir.path().join("other.db-wal"),
        dir.path().join("state.db-wal"),
    )
    .expect("copy");
    drop(o);
    std::fs::remove_file(&other).expect("gone");

    let mut st = State::build(&path).expect("build").expect("a new state");
    assert_eq!(run(&mut st, vec![a_first()], first()), 1);
    drop(st);
    let st = State::open(&path).expect("open");
    assert_eq!(st.items("A").expect("the run's rows").len(), 2);
    let theirs: i64 = st
        .conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'theirs'",
            [],
            |r| r.get(0),
        )
        .expect("schema");
    assert_eq!(theirs, 0, "the log was not replayed");
    assert!(
        files(dir.path())
            .iter()
            .any(|f| f.starts_with("state.db.orphan-") && f.ends_with("-wal")),
        "{:?}",
        files(dir.path())
    );
}

#[test]
fn a_copy_from_a_file_with_no_tables_is_an_error_not_an_empty_copy() {
    // Description: the copy into a state made meanwhile is pointed at a file that is not there
    // (SQLite's `ATTACH` makes an empty database of it). Expect: an error that names it; the
    // state made meanwhile unchanged.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.db");
    let mut made = State::open(&path).expect("made meanwhile");
    let b = SourceWrite::new("B", fetched("ok", first(), None));
    run(&mut made, vec![b], first());
    let missing = dir.path().join("gone.building");
    let err = super::copy_into(&missing, &path).expect_err("nothing to copy");
    assert!(err.to_string().contains("gone.building"), "{err}");
    assert_eq!(made.source("B").expect("read").last_status, "ok");
}

#[test]
fn a_built_state_is_copied_into_one_found_there_and_renamed_only_where_none_is() {
    // Linked: whether a state is there is not asked.
    assert_eq!(placement(true, || panic!("asked")), Placement::Linked);
    // Not linked (refused by a state made meanwhile, or a file system without links): never
    // renamed over a state that is there.
    assert_eq!(placement(false, || true), Placement::CopyInto);
    assert_eq!(placement(false, || false), Placement::Rename);
}
