//! The `archive` and `archive_closed` tables, behind RFC 5005 archives (see `archive`): every entry
//! the main feed ever selected, filed under one month with the entry as it was published (so an
//! archive never depends on a partner still serving the item), and the months whose documents
//! were written for good, each with the withdrawals it reflects.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{State, StateError};
use crate::model::Entry;

/// One archived entry, without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub id: String,
    /// `YYYY-MM`: the document it lives in.
    pub month: String,
    pub canonical_link: Option<String>,
    /// Which version of the entry is stored (the item hash, or a local entry's content hash).
    pub version: String,
}

impl State {
    /// Every archived entry, without bodies.
    pub fn archive_index(&self) -> Result<Vec<Filed>, StateError> {
        let mut st = self
            .conn
            .prepare("SELECT id, month, canonical_link, version FROM archive")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(Filed {
                    id: r.get(0)?,
                    month: r.get(1)?,
                    canonical_link: r.get(2)?,
                    version: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<Vec<_>, _>>().map_err(|e| self.err(e))
    }

    /// Files entries (new ones, or a newer version of one whose month is still open), in one
    /// transaction. `dated` orders a month's document.
    pub fn archive_file(
        &mut self,
        rows: &[(Filed, DateTime<Utc>, Entry)],
    ) -> Result<(), StateError> {
        let path = self.path.clone();
        // Through `sql_error`, like every other state error: corruption is reported as such.
        let sql = |source| super::integrity::sql_error(&path, source);
        let tx = self.conn.transaction().map_err(sql)?;
        for (f, dated, entry) in rows {
            let json = serde_json::to_vec(entry).map_err(|e| StateError::Other {
                path: path.clone(),
                msg: e.to_string(),
            })?;
            tx.execute(
                "INSERT OR REPLACE INTO archive (id, month, canonical_link, version, dated, entry)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    f.id,
                    f.month,
                    f.canonical_link,
                    f.version,
                    dated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    lz4_flex::compress_prepend_size(&json)
                ],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }

    /// The entries filed under `month`, newest first (ties by id: the order never varies).
    pub fn archive_entries(&self, month: &str) -> Result<Vec<Entry>, StateError> {
        let unreadable = |msg: String| StateError::Other {
            path: self.path.clone(),
            msg: format!("archived entry unreadable: {msg}"),
        };
        let mut st = self
            .conn
            .prepare("SELECT entry FROM archive WHERE month = ?1 ORDER BY dated DESC, id")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map(params![month], |r| r.get::<_, Vec<u8>>(0))
            .map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for packed in rows {
            let packed = packed.map_err(|e| self.err(e))?;
            let json = lz4_flex::decompress_size_prepended(&packed)
                .map_err(|e| unreadable(e.to_string()))?;
            out.push(serde_json::from_slice(&json).map_err(|e| unreadable(e.to_string()))?);
        }
        Ok(out)
    }

    /// The closed months, each with the key of the withdrawals its document reflects.
    pub fn archive_closed(&self) -> Result<HashMap<String, String>, StateError> {
        let mut st = self
            .conn
            .prepare("SELECT month, withdrawn FROM archive_closed")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<HashMap<_, _>, _>>()
            .map_err(|e| self.err(e))
    }

    /// Records closed months once their documents are in place.
    pub fn set_archive_closed(&mut self, months: &[(String, String)]) -> Result<(), StateError> {
        let path = self.path.clone();
        // Through `sql_error`, like every other state error: corruption is reported as such.
        let sql = |source| super::integrity::sql_error(&path, source);
        let tx = self.conn.transaction().map_err(sql)?;
        for (month, key) in months {
            tx.execute(
                "INSERT OR REPLACE INTO archive_closed (month, withdrawn) VALUES (?1, ?2)",
                params![month, key],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }
}
