//! The `outputs` table: per view, the fingerprint of the inputs its published files were
//! rendered from (see `outputs::fingerprint`).

use std::collections::HashMap;

use rusqlite::params;

use super::{State, StateError};

impl State {
    /// Every view's fingerprint at its last publication.
    pub fn output_fingerprints(&self) -> Result<HashMap<String, String>, StateError> {
        let mut st = self
            .conn
            .prepare("SELECT view, fingerprint FROM outputs")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Records the fingerprints of a publication (all at once), replacing the previous ones.
    pub fn set_output_fingerprints(
        &mut self,
        prints: &[(String, String)],
    ) -> Result<(), StateError> {
        let path = self.path.clone();
        let sql = |source| super::integrity::sql_error(&path, source);
        let tx = self.conn.transaction().map_err(sql)?;
        tx.execute("DELETE FROM outputs", []).map_err(sql)?;
        for (view, print) in prints {
            tx.execute(
                "INSERT INTO outputs (view, fingerprint) VALUES (?1, ?2)",
                params![view, print],
            )
            .map_err(sql)?;
        }
        tx.commit().map_err(sql)
    }
}
