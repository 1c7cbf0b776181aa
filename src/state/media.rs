//! The `media` table: which mirrored file holds the copy of each image URL, so that an image is
//! fetched once, not on every run.

use std::collections::HashMap;

use rusqlite::params;

use super::{State, StateError};

impl State {
    /// Every mirrored image: URL → path under the output folder.
    pub fn media_files(&self) -> Result<HashMap<String, String>, StateError> {
        let mut st = self
            .conn
            .prepare("SELECT url, file FROM media")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Records newly mirrored images.
    pub fn set_media_files(&mut self, rows: &[(String, String)]) -> Result<(), StateError> {
        if rows.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        // Through `sql_error`, like every other state error: corruption is reported as such.
        let sql = |source| super::integrity::sql_error(&path, source);
        let tx = self.conn.transaction().map_err(sql)?;
        for (url, file) in rows {
            tx.execute(
                "INSERT OR REPLACE INTO media (url, file) VALUES (?1, ?2)",
                params![url, file],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }
}
