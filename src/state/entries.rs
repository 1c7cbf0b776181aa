//! The stored normalised entries, in two parts since schema 11:
//!
//! - `entries.entry`, the **head**: the entry without its summary and content, in binary
//!   (`head`: postcard of a mirror of the model, after a mark). Heads written before it are
//!   LZ4-compressed JSON, and still read.
//! - `entries.body`: the summary and content, the raw HTML that is most of an entry's bytes,
//!   LZ4-compressed postcard (two length-prefixed strings, written and read without JSON's
//!   escaping: writing JSON was a third of packing an entry, most of it the HTML's escapes).
//!
//! A listing needs only heads: the library reads every published entry on a cold run (100,000
//! at 5,000 partners × 20), and decompressing and parsing the text it never shows was a third
//! of that cost, beside reading the rows and rendering them (`docs/performance.md`, issue 25). Feeds, withdrawals and review read both parts.
//!
//! Rows stored before schema 11 have no body: their `entry` is the whole entry, as it was, and
//! reads as a head that carries its text (a listing drops it) or as the whole entry.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use super::{State, StateError, head};
use crate::model::Entry;

/// Fewer heads of one source than this are read one query each (see [`State::packed_heads`]).
const SCAN_AT_LEAST: usize = 8;

/// Whether `wanted` heads of one source are read in one pass over its rows (see
/// [`State::packed_heads`]): at least [`SCAN_AT_LEAST`], and at least a quarter of what the
/// source has stored (`stored`, counted only then).
fn in_one_pass<E>(wanted: usize, stored: impl FnOnce() -> Result<usize, E>) -> Result<bool, E> {
    if wanted < SCAN_AT_LEAST {
        return Ok(false);
    }
    Ok(wanted.saturating_mul(4) >= stored()?)
}

/// A stored entry's head as its packed bytes, to be decoded with [`unpack_entry`].
#[derive(Debug, Clone)]
pub struct Packed(pub Vec<u8>);

/// An entry packed for storage: its head and its body (see the module header).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackedEntry {
    pub head: Vec<u8>,
    pub body: Vec<u8>,
}

/// Why an entry could not be packed.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("{0}")]
    Postcard(#[from] postcard::Error),
}

/// Packs `entry`: its text goes to the body, the rest to the head.
pub fn pack_entry(entry: &Entry) -> Result<PackedEntry, PackError> {
    // Sized for most heads: written without regrowing.
    let mut head = Vec::with_capacity(512);
    head.extend_from_slice(&head::MARK);
    let head = head::write(entry, head)?;
    let body = postcard::to_allocvec(&(&entry.summary, &entry.content))?;
    Ok(PackedEntry {
        head,
        body: lz4_flex::compress_prepend_size(&body),
    })
}

/// Decodes a packed head; the error says what was wrong with it (see [`State::unreadable`]).
/// A row stored before schema 11 gives its text too.
pub fn unpack_entry(packed: &Packed) -> Result<Entry, String> {
    unpack_head(&packed.0)
}

pub(super) fn unpack_head(head: &[u8]) -> Result<Entry, String> {
    if let Some(binary) = head.strip_prefix(&head::MARK) {
        return head::read(binary).map_err(|e| e.to_string());
    }
    let json = lz4_flex::decompress_size_prepended(head).map_err(|e| e.to_string())?;
    serde_json::from_slice(&json).map_err(|e| e.to_string())
}

/// Decodes a whole entry: its head, and its body where the row has one.
fn unpack_whole(head: &[u8], body: Option<&[u8]>) -> Result<Entry, String> {
    let mut entry = unpack_head(head)?;
    if let Some(body) = body {
        let bytes = lz4_flex::decompress_size_prepended(body).map_err(|e| e.to_string())?;
        let (summary, content) = postcard::from_bytes::<(Option<String>, Option<String>)>(&bytes)
            .map_err(|e| format!("its text: {e}"))?;
        entry.summary = summary;
        entry.content = content;
    }
    Ok(entry)
}

impl State {
    /// Loads the normalised entry of `(source, hash)`, whole (its HTML as stored: see
    /// [`super::Stored`]).
    pub fn entry(&self, source: &str, hash: &str) -> Result<Option<Entry>, StateError> {
        let row: Option<(Vec<u8>, Option<Vec<u8>>)> = self
            .conn
            .prepare_cached("SELECT entry, body FROM entries WHERE source = ?1 AND hash = ?2")
            .and_then(|mut s| {
                s.query_row(params![source, hash], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.err(e))?;
        row.map(|(head, body)| self.unpack(&head, body.as_deref()))
            .transpose()
    }

    /// The packed head of `(source, hash)`, not decoded: what a listing shows.
    pub fn packed_head(&self, source: &str, hash: &str) -> Result<Option<Packed>, StateError> {
        self.conn
            .prepare_cached("SELECT entry FROM entries WHERE source = ?1 AND hash = ?2")
            .and_then(|mut s| s.query_row(params![source, hash], |r| r.get(0)).optional())
            .map(|p| p.map(Packed))
            .map_err(|e| self.err(e))
    }

    /// The packed heads of `hashes`, all of `source`, in their order (`None` where none is
    /// stored). Where they are at least a quarter of the source's stored entries (a cold run's
    /// library lists every one), read in one pass over the source's rows: 100,000 point queries,
    /// each descending the index and the table from their roots, were a fifth of a cold run's
    /// library at 5,000 × 20 (`docs/performance.md`, issue 25, round ten); else one query each.
    pub fn packed_heads(
        &self,
        source: &str,
        hashes: &[&str],
    ) -> Result<Vec<Option<Packed>>, StateError> {
        if !in_one_pass(hashes.len(), || self.stored_count(source))? {
            return hashes.iter().map(|h| self.packed_head(source, h)).collect();
        }
        let mut at: HashMap<&str, usize, foldhash::fast::RandomState> =
            HashMap::with_capacity_and_hasher(hashes.len(), Default::default());
        // From the last to the first: a hash asked twice keeps its first place.
        let mut twice = false;
        for (i, h) in hashes.iter().enumerate().rev() {
            twice |= at.insert(h, i).is_some();
        }
        let mut heads: Vec<Option<Packed>> = vec![None; hashes.len()];
        let mut stmt = self
            .conn
            .prepare_cached("SELECT hash, entry FROM entries WHERE source = ?1")
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query(params![source]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let hash = row.get_ref(0).map_err(|e| self.err(e))?;
            if let Some(&i) = hash.as_str().ok().and_then(|h| at.get(h)) {
                heads[i] = Some(Packed(row.get(1).map_err(|e| self.err(e))?));
            }
        }
        // A hash asked twice: its later places get what the first got (no pass when none is).
        if twice {
            for (i, h) in hashes.iter().enumerate() {
                if let Some(&first) = at.get(h)
                    && first != i
                {
                    heads[i] = heads[first].clone();
                }
            }
        }
        Ok(heads)
    }

    /// How many entries `source` has stored.
    fn stored_count(&self, source: &str) -> Result<usize, StateError> {
        let stored: i64 = self
            .conn
            .prepare_cached("SELECT COUNT(*) FROM entries WHERE source = ?1")
            .and_then(|mut s| s.query_row(params![source], |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        Ok(usize::try_from(stored).unwrap_or(usize::MAX))
    }

    /// The error for a stored entry that could not be read.
    pub fn unreadable(&self, msg: &str) -> StateError {
        StateError::Other {
            path: self.path.clone(),
            msg: format!("stored entry unreadable: {msg}"),
        }
    }

    /// Reads a stored entry whole.
    pub(super) fn unpack(&self, head: &[u8], body: Option<&[u8]>) -> Result<Entry, StateError> {
        unpack_whole(head, body).map_err(|m| self.unreadable(&m))
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// An entry with every kind of field: a summary, a content, a topic and a language.
    pub(crate) fn entry() -> Entry {
        serde_json::from_str(
            r#"{"id":"tag:p,2026:1","original_id":null,"title":"T","link":"https://p.example/1",
            "published":null,"updated":"2026-01-01T00:00:00Z","summary":"<p>S \"q\" ผ</p>",
            "content":"<p>C</p>","authors":[],"categories":["a"],"language":"th",
            "enclosures":[],"via":[],"source":null}"#,
        )
        .expect("entry")
    }

    #[test]
    fn the_head_leaves_the_text_to_the_body_and_both_read_back_whole() {
        let e = entry();
        let packed = pack_entry(&e).expect("pack");
        let head = unpack_entry(&Packed(packed.head.clone())).expect("head");
        assert_eq!(
            (head.summary.as_deref(), head.content.as_deref()),
            (None, None)
        );
        assert_eq!(head.title, "T");
        assert_eq!(head.categories, e.categories);
        let whole = unpack_whole(&packed.head, Some(&packed.body)).expect("whole");
        assert_eq!(whole, e);
    }

    #[test]
    fn an_entry_without_text_has_a_body_all_the_same() {
        let mut e = entry();
        e.summary = None;
        e.content = None;
        let packed = pack_entry(&e).expect("pack");
        assert!(!packed.body.is_empty(), "a body marks the row as split");
        assert_eq!(
            unpack_whole(&packed.head, Some(&packed.body)).expect("whole"),
            e
        );
    }

    #[test]
    fn a_row_stored_before_the_split_reads_whole_from_its_head_alone() {
        let e = entry();
        let old = lz4_flex::compress_prepend_size(&serde_json::to_vec(&e).expect("json"));
        assert_eq!(unpack_whole(&old, None).expect("whole"), e);
        assert_eq!(unpack_entry(&Packed(old)).expect("head"), e);
    }

    #[test]
    fn rows_of_both_formats_read_whole_and_as_heads() {
        let dir = tempfile::tempdir().expect("tempdir");
        let st = State::open(&dir.path().join("state.db")).expect("open");
        let e = entry();
        let new = pack_entry(&e).expect("pack");
        let old = lz4_flex::compress_prepend_size(&serde_json::to_vec(&e).expect("json"));
        st.conn
            .execute(
                "INSERT INTO entries (source, hash, entry, body) VALUES ('P', 'new', ?1, ?2),
                 ('P', 'old', ?3, NULL)",
                params![new.head, new.body, old],
            )
            .expect("rows");
        for hash in ["new", "old"] {
            assert_eq!(
                st.entry("P", hash).expect("read"),
                Some(e.clone()),
                "{hash}"
            );
            let head = st.packed_head("P", hash).expect("read").expect("stored");
            assert_eq!(unpack_entry(&head).expect("head").title, "T");
        }
        let head = st.packed_head("P", "new").expect("read").expect("stored");
        assert_eq!(
            unpack_entry(&head).expect("head").summary,
            None,
            "no text in a head"
        );
        assert_eq!(st.entry("P", "gone").expect("read"), None);
        assert!(st.packed_head("Q", "new").expect("read").is_none());
    }

    #[test]
    fn heads_are_read_in_one_pass_when_they_are_a_quarter_of_the_stored_or_more() {
        let never = || -> Result<usize, ()> { panic!("not counted for fewer than eight") };
        assert_eq!(in_one_pass(0, never), Ok(false));
        assert_eq!(in_one_pass(SCAN_AT_LEAST - 1, never), Ok(false));
        for (wanted, stored, one_pass) in [
            (8, 0, true),
            (8, 32, true),
            (8, 33, false),
            (100, 400, true),
            (100, 401, false),
            (usize::MAX, usize::MAX, true),
        ] {
            assert_eq!(
                in_one_pass(wanted, || Ok::<_, ()>(stored)),
                Ok(one_pass),
                "{wanted} of {stored}"
            );
        }
        assert_eq!(in_one_pass(9, || Err("count failed")), Err("count failed"));
    }

    #[test]
    fn a_snapshot_reader_sees_the_heads_as_they_were_when_it_first_read() {
        // Description: a reader opened with `reopen_snapshot` reads a head; another connection
        // then rewrites that head and adds another. Expect: the reader still reads the old head
        // and not the new one until it is dropped; a reader opened afterwards reads both anew.
        let dir = tempfile::tempdir().expect("tempdir");
        let st = State::open(&dir.path().join("state.db")).expect("open");
        let mut e = entry();
        let put = |e: &Entry, hash: &str| {
            let packed = pack_entry(e).expect("pack");
            st.conn
                .execute(
                    "INSERT OR REPLACE INTO entries (source, hash, entry, body) VALUES ('P', ?1, ?2, ?3)",
                    params![hash, packed.head, packed.body],
                )
                .expect("row");
        };
        put(&e, "h0");
        let title = |s: &State, h: &str| {
            s.packed_head("P", h)
                .expect("read")
                .map(|p| unpack_entry(&p).expect("head").title)
        };
        let reader = st.reopen_snapshot().expect("reader");
        assert_eq!(title(&reader, "h0").as_deref(), Some("T"));
        e.title = "T2".into();
        put(&e, "h0");
        put(&e, "h1");
        assert_eq!(title(&reader, "h0").as_deref(), Some("T"), "the snapshot");
        assert_eq!(title(&reader, "h1"), None, "written after the snapshot");
        drop(reader);
        let later = st.reopen_snapshot().expect("reader");
        assert_eq!(title(&later, "h0").as_deref(), Some("T2"));
        assert_eq!(title(&later, "h1").as_deref(), Some("T2"));
    }

    #[test]
    fn heads_read_together_are_those_read_one_by_one() {
        // Description: a partner with 40 stored entries and another with 5; heads asked for
        // many at once (read in one pass over the partner's rows) and for a few (one query
        // each), with a hash asked twice and one never stored. Expect: the same heads as
        // `packed_head` gives one by one, in the order asked; never another partner's.
        let dir = tempfile::tempdir().expect("tempdir");
        let st = State::open(&dir.path().join("state.db")).expect("open");
        let mut e = entry();
        for (source, n) in [("P", 40), ("Q", 5)] {
            for i in 0..n {
                e.title = format!("{source}{i}");
                let packed = pack_entry(&e).expect("pack");
                st.conn
                    .execute(
                        "INSERT INTO entries (source, hash, entry, body) VALUES (?1, ?2, ?3, ?4)",
                        params![source, format!("h{i}"), packed.head, packed.body],
                    )
                    .expect("row");
            }
        }
        let title = |p: &Option<Packed>| p.as_ref().map(|p| unpack_entry(p).expect("head").title);
        let many = [
            "h5", "gone", "h5", "h1", "h39", "h0", "h2", "h3", "h4", "h10", "h11",
        ];
        let few = ["h4", "h3", "gone", "h2"];
        for (source, hashes) in [("P", &many[..]), ("P", &few[..]), ("Q", &many[..])] {
            let together: Vec<_> = st.packed_heads(source, hashes).expect("read");
            let one_by_one: Vec<_> = hashes
                .iter()
                .map(|h| st.packed_head(source, h).expect("read"))
                .collect();
            let titles = |v: &[Option<Packed>]| v.iter().map(title).collect::<Vec<_>>();
            assert_eq!(
                titles(&together),
                titles(&one_by_one),
                "{source} {hashes:?}"
            );
        }
        assert_eq!(
            (
                st.stored_count("P").expect("P"),
                st.stored_count("R").expect("R")
            ),
            (40, 0)
        );
        let p = st.packed_heads("P", &many).expect("read");
        assert_eq!(title(&p[0]).as_deref(), Some("P5"));
        assert_eq!((title(&p[1]), title(&p[2]).as_deref()), (None, Some("P5")));
        let q = st.packed_heads("Q", &many).expect("read");
        assert_eq!(
            q.iter().filter(|h| h.is_some()).count(),
            5,
            "Q has h0 to h4 alone"
        );
    }

    #[test]
    fn a_damaged_body_is_an_error_that_says_so() {
        let packed = pack_entry(&entry()).expect("pack");
        let cut = &packed.body[..packed.body.len() - 2];
        assert!(unpack_whole(&packed.head, Some(cut)).is_err());
        let garbage = lz4_flex::compress_prepend_size(&[0xff, 0xff, 0xff]);
        let err = unpack_whole(&packed.head, Some(&garbage)).expect_err("not a body");
        assert!(err.starts_with("its text"), "{err}");
    }
}
