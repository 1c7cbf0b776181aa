//! The unit tests of `preload` (in a file of their own: with them `preload` was over 400 lines).

use super::*;

/// A state with items of sources `a` (two), `b` (two) and `c` (one), written in that order.
fn state() -> (tempfile::TempDir, Arc<Pool>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.db");
    let st = State::open(&path).expect("open");
    for (source, hash) in [
        ("a", "a2"),
        ("a", "a1"),
        ("b", "b2"),
        ("b", "b1"),
        ("c", "c1"),
    ] {
        st.conn
            .execute(
                "INSERT INTO items (source, hash, id, updated, text, tags, language)
                 VALUES (?1, ?2, ?3, '2026-01-02T03:04:05+00:00', 'text of ' || ?2, '', NULL)",
                params![source, hash, format!("tag:{source},2026:{hash}")],
            )
            .expect("row");
    }
    (dir, Arc::new(Pool::new(&path)))
}

fn handles(list: &[Candidate]) -> Vec<&str> {
    list.iter().map(Candidate::handle).collect()
}

#[test]
fn a_source_passed_before_its_rows_are_reached_is_left_out_of_the_read() {
    // Description: the read of every item, `a` passed already; `b` asks for its text.
    // Expect: `a` an empty list, `b`'s rows by hash with their text, `c`'s without.
    let (_dir, pool) = state();
    let passed = Passed::default();
    passed.lock().expect("lock").insert("a".into());
    let names = ["a", "b", "c"].map(String::from).to_vec();
    let map = pool
        .read_items(names, Some(r#"["b"]"#), &passed)
        .expect("read");
    assert!(map["a"].1.is_empty());
    assert_eq!(handles(&map["b"].1), ["b1", "b2"]);
    assert_eq!(map["b"].1[0].text.as_deref(), Some("text of b1"));
    assert_eq!(handles(&map["c"].1), ["c1"]);
    assert_eq!(map["c"].1[0].text, None, "no text asked for");
    assert_eq!(&*map["c"].0, "c", "the list's shared name");
}

/// A preload of `a`, `b` and `c` whose read waits until the sender is used.
fn held(rt: &tokio::runtime::Runtime) -> (Preloaded, std::sync::mpsc::Sender<()>) {
    let (dir, pool) = state();
    let (release, held) = std::sync::mpsc::channel::<()>();
    let passed = Passed::default();
    let skip = Arc::clone(&passed);
    let reading = rt.spawn_blocking(move || {
        held.recv().expect("released");
        let names = ["a", "b", "c"].map(String::from).to_vec();
        let read = pool.read_items(names, None, &skip);
        drop(dir);
        read
    });
    let pre = Preloaded {
        sources: std::sync::Mutex::new(HashMap::from([("a".into(), SourceState::default())])),
        items: tokio::sync::Mutex::new(Stage::Reading(reading)),
        passed,
        path: "state.db".into(),
    };
    (pre, release)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .expect("runtime")
}

#[test]
fn a_document_never_waits_for_the_read_and_its_source_is_dropped_from_it() {
    // Description: the read held back until released; `a` asks for its items now, then the
    // read ends. Expect: `a` gets none while the read is under way (it reads its own) and
    // none from the read after it; `b` waits for the read and gets its rows; `c`, asking
    // now once the read is done, gets its rows, once.
    let rt = runtime();
    let (pre, release) = held(&rt);
    let now = |name: &str| rt.block_on(pre.items_now(name)).expect("read");
    assert!(now("a").is_none(), "under way: no wait");
    release.send(()).expect("release");
    let b = rt.block_on(pre.take_items("b")).expect("read");
    assert_eq!(handles(&b.expect("b's rows")), ["b1", "b2"]);
    assert!(rt.block_on(pre.take_items("a")).expect("read").is_none());
    assert_eq!(handles(&now("c").expect("c's rows")), ["c1"]);
    assert!(now("c").is_none(), "taken once");
    assert!(
        pre.passed.lock().expect("lock").is_empty(),
        "dropped at the end"
    );
}

#[test]
fn a_read_done_but_not_yet_taken_serves_a_document_without_a_query() {
    // Description: the read ends before anyone has waited for it (every source that
    // answered 304 takes its items only at the end). Expect: a document's source takes its
    // rows from it, and is not counted among those that read their own.
    let rt = runtime();
    let (pre, release) = held(&rt);
    release.send(()).expect("release");
    let done = || match &*pre.items.try_lock().expect("free") {
        Stage::Reading(r) => r.is_finished(),
        Stage::Read(_) => true,
    };
    while !done() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let a = rt.block_on(pre.items_now("a")).expect("read");
    assert_eq!(handles(&a.expect("a's rows")), ["a1", "a2"]);
    assert!(pre.passed.lock().expect("lock").is_empty());
    // A source's stored state, once.
    assert_eq!(pre.take_source("a"), Some(SourceState::default()));
    assert_eq!(pre.take_source("a"), None);
}
