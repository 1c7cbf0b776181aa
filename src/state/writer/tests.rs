//! The state writer's tests: what a run's writes store, and the log emptied beside the run.

use chrono::{DateTime, Duration, Utc};

use crate::model::{Candidate, Ids, Validators};
use crate::state::{NewItem, SourceState, SourceWrite, State, test_entry};

/// A new item of source `A`, its entry with a title, a link and a text of its own.
pub(in crate::state) fn item(hash: &str, n: u32, updated: DateTime<Utc>) -> NewItem {
    let mut entry = test_entry();
    entry.id = format!("tag:a,2026:{n}");
    entry.title = format!("T{n}");
    entry.link = format!("https://a.example/{n}");
    entry.content = Some(format!("<p>C{n} ผ</p>"));
    entry.updated = updated;
    let candidate = Candidate {
        ids: Ids::new(hash, &entry.id, Some(&entry.link), None),
        updated,
        published: None,
        origin: Some("A".into()),
        text: Some(format!("T{n}")),
        tags: Default::default(),
        language: None,
        via: Vec::new(),
    };
    NewItem::new(candidate, entry, None).expect("pack")
}

pub(in crate::state) fn fetched(
    status: &str,
    at: DateTime<Utc>,
    etag: Option<&str>,
) -> SourceState {
    SourceState {
        validators: Validators {
            etag: etag.map(str::to_string),
            last_modified: None,
        },
        last_status: status.to_string(),
        last_attempt: Some(at),
        last_success: Some(at),
        ..SourceState::default()
    }
}

/// Writes `writes` as one run at `now`; what `write_run` returns.
pub(in crate::state) fn run(st: &mut State, writes: Vec<SourceWrite>, now: DateTime<Utc>) -> usize {
    let (tx, rx) = tokio::sync::mpsc::channel(writes.len().max(1));
    for w in writes {
        tx.try_send(w).expect("queued");
    }
    drop(tx);
    st.write_run(rx, now).expect("written")
}

#[test]
fn a_runs_writes_are_stored_and_a_304_changes_only_its_times() {
    // Description: a run writes source A with two new items and B's first answer; the next
    // run keeps one of A's items and B answers 304 with nothing new (its write says so, and
    // carries no validators). Expect: each run counts its writes; A's items, entries and
    // first sightings are stored and the dropped item is gone from both tables; B's times
    // and status change and its stored validators stay.
    let dir = tempfile::tempdir().expect("dir");
    let mut st = State::open(&dir.path().join("state.db")).expect("open");
    let first = DateTime::parse_from_rfc3339("2026-11-02T10:00:00Z")
        .expect("date")
        .with_timezone(&Utc);
    let mut a = SourceWrite::new("A", fetched("ok", first, None));
    a.new_items = vec![item("h1", 1, first), item("h2", 2, first)];
    let b = SourceWrite::new("B", fetched("ok", first, Some("\"e1\"")));
    assert_eq!(run(&mut st, vec![a, b], first), 2);
    let mut stored: Vec<String> = st.items("A").expect("items").into_keys().collect();
    stored.sort();
    assert_eq!(stored, ["h1", "h2"]);
    let e1 = st.entry("A", "h1").expect("read").expect("stored");
    assert_eq!(
        (e1.title.as_str(), e1.content.as_deref()),
        ("T1", Some("<p>C1 ผ</p>"))
    );
    assert_eq!(st.first_seen("tag:a,2026:2").expect("read"), Some(first));
    assert_eq!(st.source("A").expect("read").last_status, "ok");

    let then = first + Duration::hours(1);
    let mut a = SourceWrite::new("A", fetched("ok", then, None));
    a.keep_hashes = Some(vec!["h2".to_string()]);
    let mut b = SourceWrite::new("B", fetched("not modified", then, None));
    b.touched_only = true;
    assert_eq!(run(&mut st, vec![a, b], then), 2);
    assert_eq!(
        st.items("A")
            .expect("items")
            .into_keys()
            .collect::<Vec<_>>(),
        ["h2"]
    );
    assert!(
        st.entry("A", "h1").expect("read").is_none(),
        "its entry gone too"
    );
    assert!(st.entry("A", "h2").expect("read").is_some());
    let b = st.source("B").expect("read");
    assert_eq!(
        (b.last_status.as_str(), b.last_attempt, b.last_success),
        ("not modified", Some(then), Some(then))
    );
    assert_eq!(
        b.validators.etag.as_deref(),
        Some("\"e1\""),
        "validators kept"
    );
}

fn log_len(dir: &std::path::Path) -> u64 {
    std::fs::metadata(dir.join("state.db-wal")).map_or(0, |m| m.len())
}

fn prints(tag: &str) -> Vec<(String, String)> {
    (0..2_000)
        .map(|i| (format!("{tag}-{i}.html"), "x".repeat(200)))
        .collect()
}

#[test]
fn the_log_is_emptied_beside_the_run_unless_a_reader_is_in_it() {
    // Description: a state whose log holds its last writes is emptied on another
    // connection; then again while a reader is in the middle of a read of the log.
    // Expect: the log empty, every write still read back; with the reader, the call
    // returns without waiting for it and the log is left for later.
    let dir = tempfile::tempdir().expect("dir");
    let mut st = State::open(&dir.path().join("state.db")).expect("open");
    st.set_output_fingerprints(&prints("a")).expect("write");
    assert!(log_len(dir.path()) > 100_000, "the writes are in the log");
    let _ = st.empty_log_elsewhere().expect("a thread").join();
    assert_eq!(log_len(dir.path()), 0, "emptied");
    assert_eq!(st.output_fingerprints().expect("read").len(), 2_000);

    st.set_output_fingerprints(&prints("b")).expect("write");
    let reader = State::open(&dir.path().join("state.db")).expect("open");
    reader.conn.execute_batch("BEGIN").expect("begin");
    assert_eq!(reader.output_fingerprints().expect("read").len(), 2_000);
    let _ = st.empty_log_elsewhere().expect("a thread").join();
    assert!(log_len(dir.path()) > 0, "left while a reader is in it");
    reader.conn.execute_batch("COMMIT").expect("end the read");
    let got = st.output_fingerprints().expect("read");
    assert!(got.contains_key("b-1999.html") && !got.contains_key("a-0.html"));
}

#[test]
fn a_damaged_state_in_place_fails_the_runs_writes_even_with_none() {
    // Description: a state in place whose tables' pages were overwritten (as `dd` would),
    // then a run with nothing to write. Expect: the run's integrity check fails it as
    // damaged, though no write of the run touches those pages.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("state.db");
    let mut st = State::open(&path).expect("open");
    let at = DateTime::parse_from_rfc3339("2026-11-02T10:00:00Z")
        .expect("date")
        .with_timezone(&Utc);
    let mut a = SourceWrite::new("A", fetched("ok", at, None));
    a.new_items = vec![item("h1", 1, at)];
    run(&mut st, vec![a], at);
    st.conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("all in the file");
    drop(st);
    let mut bytes = std::fs::read(&path).expect("read");
    // The pages after the schema's, the sources' and the items' tables, overwritten.
    bytes.splice(16_384..49_152, std::iter::repeat_n(0xA5, 32_768));
    std::fs::write(&path, bytes).expect("write");

    let mut st = State::open(&path).expect("the schema's page is whole");
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    drop(tx);
    let err = st.write_run(rx, at).expect_err("damaged");
    assert!(
        matches!(err, crate::state::StateError::Damaged { .. }),
        "{err}"
    );
}
