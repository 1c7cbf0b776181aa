//! A state database written by an earlier version, upgraded in place: the real file in
//! `tests/fixtures/state-v10/` (schema 10, each entry one blob with its text inside).

use std::path::{Path, PathBuf};

use feedbraid::ops::run::RunOptions;

use super::{files_under, in_process};

/// The fixture folder copied into a temp dir (config, partner feed and, if `with_state`, the old
/// database).
pub(crate) fn copy_fixture(with_state: bool) -> tempfile::TempDir {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/state-v10");
    let dir = tempfile::tempdir().expect("tempdir");
    for name in ["feeds.toml", "partner.xml"] {
        std::fs::copy(from.join(name), dir.path().join(name)).expect("copy");
    }
    if with_state {
        std::fs::copy(from.join("state.db"), dir.path().join("state.db")).expect("copy state");
    }
    dir
}

pub(crate) fn run(dir: &Path) {
    run_with(dir, false);
}

/// A run; `offline`: published from the state alone, no feed read.
fn run_with(dir: &Path, offline: bool) {
    in_process(&RunOptions {
        config: dir.join("feeds.toml"),
        offline,
        ..RunOptions::default()
    })
    .expect("run");
}

/// Every output but `status.json` (which says when the run was), by name.
fn outputs(dir: &Path) -> Vec<(PathBuf, String)> {
    let out = dir.join("output");
    let mut files: Vec<(PathBuf, String)> = files_under(&out)
        .into_iter()
        .filter(|p| !p.ends_with("status.json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            (p.strip_prefix(&out).expect("inside").to_path_buf(), text)
        })
        .collect();
    files.sort();
    files
}

fn db(dir: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(dir.join("state.db")).expect("state")
}

fn rows_without_body(dir: &Path) -> i64 {
    db(dir)
        .query_row("SELECT COUNT(*) FROM entries WHERE body IS NULL", [], |r| {
            r.get(0)
        })
        .expect("count")
}

/// Adds a third item, new, to the fixture's partner feed in `dir`.
pub(crate) fn add_third_item(dir: &Path) {
    let feed_file = dir.join("partner.xml");
    let xml = std::fs::read_to_string(&feed_file).expect("feed");
    let item = "<item><title>Third</title><link>https://partner.example.org/3</link>\
                <pubDate>Wed, 04 Mar 2026 10:00:00 GMT</pubDate>\
                <description>&lt;p&gt;New text&lt;/p&gt;</description></item>\n</channel>";
    std::fs::write(&feed_file, xml.replace("</channel>", item)).expect("write");
}

/// The same outputs, file for file.
fn assert_same_outputs(a: &Path, b: &Path) {
    let (a, b) = (outputs(a), outputs(b));
    assert_eq!(
        a.iter().map(|f| &f.0).collect::<Vec<_>>(),
        b.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert_eq!(x, y, "{} differs", name.display());
    }
}

/// Description: the upgrade from schema 10 adds the `body` column and leaves the stored rows as
/// they are (their text inside `entry`). A run that reads no feed (`--offline`) publishes the
/// partner's stored entries from those rows: with their sanitised copies dropped, the run must
/// read each old row whole to sanitise it again, and list it on the library's pages from its
/// head. The feed's first read after that normalises its items again (their keys are of an
/// earlier key version) and stores them with a body.
/// Expect: offline, the two old rows kept without a body and every output the same as a fresh
/// state's; once it is read, no row without a
/// body and every output the same; a third item, new, published.
#[test]
fn a_schema_10_state_reads_its_rows_whole_and_publishes_what_a_fresh_state_does() {
    let old = copy_fixture(true);
    let version: i64 = db(old.path())
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert_eq!(version, 10, "the fixture is a schema-10 file");
    db(old.path())
        .execute("UPDATE entries SET clean_print = NULL", [])
        .expect("forget the sanitised copies");
    run_with(old.path(), true);
    let version: i64 = db(old.path())
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("version");
    assert!(version >= 11, "upgraded: {version}");
    assert_eq!(
        rows_without_body(old.path()),
        2,
        "old rows kept as they were"
    );

    let fresh = copy_fixture(false);
    run(fresh.path());
    assert_eq!(rows_without_body(fresh.path()), 0, "new rows have a body");
    assert_same_outputs(old.path(), fresh.path());
    let feed = std::fs::read_to_string(old.path().join("output/feed.atom")).expect("feed");
    assert!(
        feed.contains("&lt;strong&gt;report&lt;/strong&gt;"),
        "{feed}"
    );
    assert!(feed.contains("ข้อความภาษาไทย") && !feed.contains("alert(1)"));
    let partner = std::fs::read_to_string(old.path().join("output/partners/partner.html"))
        .expect("the partner's page");
    assert!(partner.contains("Report on outreach") && partner.contains("สิทธิของพนักงานบริการ"));

    run(old.path());
    assert_eq!(rows_without_body(old.path()), 0, "normalised again");
    assert_same_outputs(old.path(), fresh.path());

    add_third_item(old.path());
    run(old.path());
    let total: i64 = db(old.path())
        .query_row("SELECT COUNT(*) FROM entries", [], |r| r.get(0))
        .expect("count");
    assert_eq!(total, 3);
    let feed = std::fs::read_to_string(old.path().join("output/feed.atom")).expect("feed");
    assert!(feed.contains("New text") && feed.contains("ข้อความภาษาไทย"));
}
