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

    /// Records the fingerprints of a publication (all at once), replacing the previous ones:
    /// only the rows that changed are written (a changed run at 5,000 × 20 changes a few
    /// hundred of 13,671; deleting and inserting every one was a seventh of its publication).
    pub fn set_output_fingerprints(
        &mut self,
        prints: &[(String, String)],
    ) -> Result<(), StateError> {
        // Read before the transaction: the run lock keeps every other writer out.
        let mut before = self.output_fingerprints()?;
        let path = self.path.clone();
        let sql = |source| super::integrity::sql_error(&path, source);
        let tx = self.conn.transaction().map_err(sql)?;
        {
            let mut put = tx
                .prepare("INSERT OR REPLACE INTO outputs (view, fingerprint) VALUES (?1, ?2)")
                .map_err(sql)?;
            for (view, print) in prints {
                if before.remove(view).as_ref() != Some(print) {
                    put.execute(params![view, print]).map_err(sql)?;
                }
            }
            let mut gone = tx
                .prepare("DELETE FROM outputs WHERE view = ?1")
                .map_err(sql)?;
            for view in before.keys() {
                gone.execute(params![view]).map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_publication_replaces_the_fingerprints_writing_only_what_changed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut st = State::open(&dir.path().join("state.db")).expect("open");
        let pairs = |v: &[(&str, &str)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        st.set_output_fingerprints(&pairs(&[("a", "1"), ("b", "2"), ("c", "3")]))
            .expect("set");
        st.set_output_fingerprints(&pairs(&[("a", "1"), ("b", "9"), ("d", "4")]))
            .expect("set");
        let got = st.output_fingerprints().expect("read");
        let want: HashMap<String, String> = pairs(&[("a", "1"), ("b", "9"), ("d", "4")])
            .into_iter()
            .collect();
        assert_eq!(got, want, "changed replaced, gone deleted, new added");
        st.set_output_fingerprints(&[]).expect("set");
        assert!(st.output_fingerprints().expect("read").is_empty());
    }
}
