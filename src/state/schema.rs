//! The state database's schema: versioned forward migrations, and the one data migration that
//! SQL alone cannot do (filling the columns views select on from the stored entries).

use rusqlite::{Transaction, params};

use crate::model::Entry;

/// Why the data migrations (moving the stored entries out of `items`, filling the columns views
/// select on) could not upgrade a database; its message is the error beneath it.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
    /// A stored entry's head could not be read: not the LZ4, JSON or binary form it was
    /// written in (the message says why).
    #[error("{0}")]
    Head(String),
}

pub(super) const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    "CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        etag TEXT, last_modified TEXT,
        last_status TEXT NOT NULL DEFAULT '',
        last_attempt TEXT, last_success TEXT,
        failures INTEGER NOT NULL DEFAULT 0,
        next_fetch TEXT,
        gone INTEGER NOT NULL DEFAULT 0,
        moved_to TEXT,
        info TEXT
    );
    CREATE TABLE items (
        source TEXT NOT NULL,
        hash TEXT NOT NULL,
        id TEXT NOT NULL,
        canonical_link TEXT,
        original_id TEXT,
        updated TEXT NOT NULL,
        published TEXT,
        text TEXT NOT NULL,
        entry BLOB NOT NULL
    );
    -- A rowid table: its rows (a few KB) would overflow into extra pages WITHOUT ROWID.
    CREATE UNIQUE INDEX items_key ON items (source, hash);
    CREATE TABLE seen (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        first_seen TEXT NOT NULL
    ) WITHOUT ROWID;",
    // 2: what views select on, so that selecting never loads a full entry. Rows stored before
    // this are filled in by `backfill`.
    "ALTER TABLE items ADD COLUMN tags TEXT;
    ALTER TABLE items ADD COLUMN language TEXT;",
    // 3: the fingerprint of each view's inputs when its files were last published, so that an
    // unchanged view is not rendered again.
    "CREATE TABLE outputs (view TEXT PRIMARY KEY, fingerprint TEXT NOT NULL) WITHOUT ROWID;",
    // 4: per view, what it published last (so that a withdrawn or departed entry it carried gets
    // a tombstone) and the tombstones it carries.
    "CREATE TABLE IF NOT EXISTS carried (
        view TEXT NOT NULL, id TEXT NOT NULL, canonical_link TEXT, source TEXT,
        PRIMARY KEY (view, id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS tombstones (
        view TEXT NOT NULL, id TEXT NOT NULL, at TEXT NOT NULL, comment TEXT,
        PRIMARY KEY (view, id)
    ) WITHOUT ROWID;",
    // 5: mirrored media: which file under output/media holds the copy of an image URL.
    "CREATE TABLE IF NOT EXISTS media (url TEXT PRIMARY KEY, file TEXT NOT NULL) WITHOUT ROWID;",
    // 6: RFC 5005 archives. Every entry the main feed ever selected, filed under its month, as it
    // was published (entry: JSON, LZ4), so that archives outlive the partner items; and the months
    // whose documents were written for good, with the withdrawals they reflect.
    "CREATE TABLE IF NOT EXISTS archive (
        id TEXT PRIMARY KEY,
        month TEXT NOT NULL,
        canonical_link TEXT,
        version TEXT NOT NULL,
        dated TEXT NOT NULL,
        entry BLOB NOT NULL
    );
    CREATE INDEX IF NOT EXISTS archive_month ON archive (month);
    CREATE TABLE IF NOT EXISTS archive_closed (month TEXT PRIMARY KEY, withdrawn TEXT NOT NULL) WITHOUT ROWID;",
    // 7: the entries move out of `items` into `entries` (see `split_entries`), so that the rows a
    // run reads for every source are small and dense; HTML is sanitised at publish time and
    // cached beside the raw entry (issue 13); the network's own entries are cached in
    // `local_clean` under a digest of their HTML.
    "CREATE TABLE IF NOT EXISTS entries (
        source TEXT NOT NULL,
        hash TEXT NOT NULL,
        entry BLOB NOT NULL,
        base TEXT,
        clean_print TEXT,
        clean_summary BLOB,
        clean_content BLOB
    );
    CREATE UNIQUE INDEX IF NOT EXISTS entries_key ON entries (source, hash);
    CREATE TABLE IF NOT EXISTS local_clean (
        key TEXT PRIMARY KEY, summary BLOB, content BLOB
    ) WITHOUT ROWID;",
    // 8: what `feedbraid deploy` put in each target: a file's digest as uploaded, and since when
    // a file gone from the output waits for its deletion.
    "CREATE TABLE IF NOT EXISTS deployed (
        target TEXT NOT NULL, name TEXT NOT NULL,
        digest TEXT NOT NULL, gone_since INTEGER,
        PRIMARY KEY (target, name)
    ) WITHOUT ROWID;",
    // 9: the digests sent (or still to send) per month and view, so that a crash or a re-run
    // never sends one twice, and a refused send is retried with back-off.
    "CREATE TABLE IF NOT EXISTS digests (
        period TEXT NOT NULL, view TEXT NOT NULL,
        sent_at INTEGER, failures INTEGER NOT NULL DEFAULT 0,
        last_error TEXT, next_try INTEGER,
        PRIMARY KEY (period, view)
    ) WITHOUT ROWID;",
    // 10: the items the hijack guard held, with its reason, until an editor decides (a held
    // item is no longer new in the next run: the hold must outlive the run that saw it).
    "CREATE TABLE IF NOT EXISTS guarded (
        source TEXT NOT NULL, id TEXT NOT NULL,
        reason TEXT NOT NULL, since TEXT NOT NULL,
        PRIMARY KEY (source, id)
    ) WITHOUT ROWID;",
    // 11: an entry's text (summary, content) in a column of its own, apart from the rest (see
    // `entries`): listings read the rest alone. Rows stored before keep the whole entry in
    // `entry` and no body, and read as they did. The column is added by `body_column` (SQLite
    // has no `ADD COLUMN IF NOT EXISTS`, and a database whose version was set back still has it).
    "-- entries.body: added by `body_column`",
];

/// Whether `table` has the column `column` (SQLite has no `IF NOT EXISTS` for columns).
fn has_column(conn: &rusqlite::Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT COUNT(*) FROM pragma_table_info(?1) WHERE name = ?2",
        params![table, column],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// Migration 7's move: the entries stored in `items` go to `entries`, and the column is dropped.
/// They were sanitised when they were stored: marked `legacy`, they are published as they are.
/// Done only where `items` still has the column, so that a database whose version was set back
/// is upgraded again.
pub(super) fn split_entries(tx: &Transaction<'_>) -> Result<(), UpgradeError> {
    if has_column(tx, "items", "entry")? {
        tx.execute(
            "INSERT OR REPLACE INTO entries (source, hash, entry, clean_print)
             SELECT source, hash, entry, ?1 FROM items",
            params![super::clean::LEGACY],
        )?;
        tx.execute_batch("ALTER TABLE items DROP COLUMN entry")?;
    }
    Ok(())
}

/// Migration 11's column: `entries.body`, added where it is missing.
pub(super) fn body_column(tx: &Transaction<'_>) -> Result<(), UpgradeError> {
    if !has_column(tx, "entries", "body")? {
        tx.execute_batch("ALTER TABLE entries ADD COLUMN body BLOB")?;
    }
    Ok(())
}

/// Fills `tags` and `language` of rows stored before migration 2 from their entries, so that
/// views see an upgraded database's history without a refetch.
pub(super) fn backfill(tx: &Transaction<'_>) -> Result<(), UpgradeError> {
    let mut rows = Vec::new();
    {
        let mut st = tx.prepare(
            "SELECT i.rowid, e.entry FROM items i JOIN entries e USING (source, hash)
                 WHERE i.tags IS NULL",
        )?;
        let mut q = st.query([])?;
        while let Some(r) = q.next()? {
            let (rowid, packed): (i64, Vec<u8>) = (r.get(0)?, r.get(1)?);
            // Whatever form the head is in: a database is upgraded as far as it needs, whenever
            // the heads of its newer rows were written.
            let entry: Entry = super::entries::unpack_head(&packed).map_err(UpgradeError::Head)?;
            rows.push((
                rowid,
                crate::model::Tags::of(&entry.categories, None)
                    .as_joined()
                    .to_string(),
                entry.language.map(|l| l.to_ascii_lowercase()),
            ));
        }
    }
    let mut up = tx.prepare("UPDATE items SET tags = ?2, language = ?3 WHERE rowid = ?1")?;
    for (rowid, t, lang) in rows {
        up.execute(params![rowid, t, lang])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{MIGRATIONS, has_column};
    use crate::state::{LEGACY, State};

    #[test]
    fn a_schema_6_database_moves_its_entries_out_and_marks_them_sanitised() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("state.db");
        let entry = r#"{"id":"tag:p,2026:1","original_id":null,"title":"T","link":"https://p.example/1","published":null,"updated":"2026-01-01T00:00:00Z","summary":"<p>Clean</p>","content":null,"authors":[],"categories":[],"language":"en","enclosures":[],"via":[],"source":null}"#;
        {
            let c = rusqlite::Connection::open(&path).expect("open");
            for m in &MIGRATIONS[..6] {
                c.execute_batch(m).expect("old migration");
            }
            c.pragma_update(None, "user_version", 6).expect("version");
            c.execute(
                "INSERT INTO items (source, hash, id, updated, text, entry, tags, language)
                 VALUES ('P', 'h1', 'tag:p,2026:1', '2026-01-01T00:00:00+00:00', 'T', ?1, '', 'en')",
                [lz4_flex::compress_prepend_size(entry.as_bytes())],
            )
            .expect("old row");
        }
        let st = State::open(&path).expect("upgrade");
        let stored = st.stored("P", "h1").expect("read").expect("moved");
        assert_eq!(stored.clean.map(|c| c.0).as_deref(), Some(LEGACY));
        assert_eq!(stored.entry.summary.as_deref(), Some("<p>Clean</p>"));
        assert_eq!(st.items("P").expect("items").len(), 1);
        assert!(
            !has_column(&st.conn, "items", "entry").expect("columns"),
            "the blobs left `items`"
        );
        assert!(has_column(&st.conn, "entries", "body").expect("columns"));
        st.quick_check().expect("still sound");
    }

    #[test]
    fn a_new_database_has_large_pages_and_an_old_one_keeps_its_own() {
        // Description: a state opened where there was no file, and one made by an older
        // feedbraid with SQLite's default 4 KB pages. Expect: 16 KB pages for the new one; the
        // old one opens, upgrades and keeps 4 KB (a page size changes only by rewriting the file).
        let page_size = |st: &State| -> i64 {
            st.conn
                .pragma_query_value(None, "page_size", |r| r.get(0))
                .expect("page size")
        };
        let dir = tempfile::tempdir().expect("tempdir");
        let new = State::open(&dir.path().join("new.db")).expect("open");
        assert_eq!(page_size(&new), super::super::open::PAGE_SIZE);
        assert_eq!(super::super::open::PAGE_SIZE, 16_384);
        let path = dir.path().join("old.db");
        {
            let c = rusqlite::Connection::open(&path).expect("open");
            c.execute_batch(MIGRATIONS[0]).expect("old migration");
            c.pragma_update(None, "user_version", 1).expect("version");
        }
        let old = State::open(&path).expect("upgrade");
        assert_eq!(page_size(&old), 4_096);
        old.quick_check().expect("sound");
    }
}
