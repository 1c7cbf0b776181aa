//! The cache of sanitised HTML (issue 13; the pure side is `crate::publish::clean`).
//!
//! A partner entry's sanitised HTML lives in its `entries` row, beside the raw entry, with the
//! print of the settings that made it: it goes when the item goes, and a row whose print is not
//! the current one is simply cleaned again. Rows stored before publish-time sanitising hold
//! HTML that is already clean; their print is `legacy`. The network's own entries, which are not
//! stored, are cached in `local_clean` under a digest of their HTML, and the rows of entries no
//! longer configured are removed. The HTML is stored LZ4-compressed, like the entries.

use rusqlite::{OptionalExtension, params};

use super::{State, StateError};
use crate::model::Cleaned;
use crate::model::Entry;

fn pack(html: &Option<String>) -> Option<Vec<u8>> {
    html.as_ref()
        .map(|h| lz4_flex::compress_prepend_size(h.as_bytes()))
}

impl State {
    fn unpack_html(&self, packed: Option<Vec<u8>>) -> Result<Option<String>, StateError> {
        packed
            .map(|p| {
                lz4_flex::decompress_size_prepended(&p)
                    .map_err(|e| e.to_string())
                    .and_then(|b| String::from_utf8(b).map_err(|e| e.to_string()))
                    .map_err(|msg| StateError::Other {
                        path: self.path.clone(),
                        msg: format!("stored sanitised HTML unreadable: {msg}"),
                    })
            })
            .transpose()
    }
}

/// The print of rows whose entry was sanitised when it was stored (before schema 7).
pub const LEGACY: &str = "legacy";

/// A stored partner entry, as publishing needs it.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The entry; its HTML raw, unless `clean` is [`LEGACY`].
    pub entry: Entry,
    /// What the links inside its HTML resolve against.
    pub base: Option<String>,
    /// The cached sanitised HTML and the print it was made with.
    pub clean: Option<(String, Cleaned)>,
}

/// A sanitised entry to cache.
#[derive(Debug, Clone)]
pub struct CleanRow {
    /// The partner's name, or `None` for the network's own entries.
    pub source: Option<String>,
    /// The item hash, or the local entry's digest (`crate::publish::clean::local_key`).
    pub key: String,
    pub print: String,
    pub cleaned: Cleaned,
}

impl State {
    /// Loads the entry of `(source, hash)` with its base and cached sanitised HTML.
    pub fn stored(&self, source: &str, hash: &str) -> Result<Option<Stored>, StateError> {
        type Row = (
            (Vec<u8>, Option<Vec<u8>>),
            Option<String>,
            Option<String>,
            Option<Vec<u8>>,
            Option<Vec<u8>>,
        );
        let row: Option<Row> = self
            .conn
            .prepare_cached(
                "SELECT entry, body, base, clean_print, clean_summary, clean_content FROM entries
                 WHERE source = ?1 AND hash = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![source, hash], |r| {
                    let packed = (r.get(0)?, r.get(1)?);
                    Ok((packed, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
                })
                .optional()
            })
            .map_err(|e| self.err(e))?;
        row.map(|(packed, base, print, summary, content)| {
            let clean = match print {
                Some(p) => Some((
                    p,
                    Cleaned {
                        summary: self.unpack_html(summary)?,
                        content: self.unpack_html(content)?,
                    },
                )),
                None => None,
            };
            Ok(Stored {
                entry: self.unpack(&packed.0, packed.1.as_deref())?,
                base,
                clean,
            })
        })
        .transpose()
    }

    /// The cached sanitised HTML of one of the network's own entries.
    pub fn local_cleaned(&self, key: &str) -> Result<Option<Cleaned>, StateError> {
        type Row = (Option<Vec<u8>>, Option<Vec<u8>>);
        let row: Option<Row> = self
            .conn
            .prepare_cached("SELECT summary, content FROM local_clean WHERE key = ?1")
            .and_then(|mut s| {
                s.query_row(params![key], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.err(e))?;
        row.map(|(summary, content)| {
            Ok(Cleaned {
                summary: self.unpack_html(summary)?,
                content: self.unpack_html(content)?,
            })
        })
        .transpose()
    }

    /// Caches what was sanitised, in one transaction, and forgets the local entries whose digest
    /// is not in `locals` (every local entry of the run). Called only when something was
    /// sanitised: a departed local entry's row waits for that (a few hundred bytes).
    pub fn save_cleaned(&mut self, rows: &[CleanRow], locals: &[String]) -> Result<(), StateError> {
        let path = self.path.clone();
        let sql = |e| super::sql_error(&path, e);
        let tx = self.conn.transaction().map_err(sql)?;
        {
            let mut item = tx
                .prepare_cached(
                    "UPDATE entries SET clean_print = ?3, clean_summary = ?4, clean_content = ?5
                     WHERE source = ?1 AND hash = ?2",
                )
                .map_err(sql)?;
            let mut local = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO local_clean (key, summary, content) VALUES (?1, ?2, ?3)",
                )
                .map_err(sql)?;
            // In the table's order (a partner's entries were written together), not the feeds':
            // each update grows its row in place, and in the feeds' order nearly every one
            // fetched its page from the file, then split it (300 topics' feeds at 500 × 50:
            // 2.98 → 2.90 s).
            let mut rows: Vec<&CleanRow> = rows.iter().collect();
            rows.sort_unstable_by(|a, b| (&a.source, &a.key).cmp(&(&b.source, &b.key)));
            for r in rows {
                let (s, c) = (pack(&r.cleaned.summary), pack(&r.cleaned.content));
                match &r.source {
                    Some(source) => item.execute(params![source, r.key, r.print, s, c]),
                    None => local.execute(params![r.key, s, c]),
                }
                .map_err(sql)?;
            }
            let keep = serde_json::to_string(locals).map_err(|e| StateError::Other {
                path: path.clone(),
                msg: e.to_string(),
            })?;
            tx.execute(
                "DELETE FROM local_clean WHERE key NOT IN (SELECT value FROM json_each(?1))",
                params![keep],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }
}
