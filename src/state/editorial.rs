//! The `carried` and `tombstones` tables: what each view published last, and the RFC 6721
//! tombstones it carries (see `editorial::tombstones`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{State, StateError};
use crate::model::{Carried, Tombstone, ViewHistory};

impl State {
    /// Every view's history, by view name.
    pub fn view_histories(&self) -> Result<HashMap<String, ViewHistory>, StateError> {
        let mut out: HashMap<String, ViewHistory> = HashMap::new();
        let mut st = self
            .conn
            .prepare("SELECT view, id, canonical_link, source FROM carried")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Carried {
                        id: r.get(1)?,
                        canonical_link: r.get(2)?,
                        source: r.get(3)?,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (view, c) = row.map_err(|e| self.err(e))?;
            out.entry(view).or_default().carried.push(c);
        }
        let mut st = self
            .conn
            .prepare("SELECT view, id, at, comment FROM tombstones")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                ))
            })
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (view, id, at, comment) = row.map_err(|e| self.err(e))?;
            let Ok(when) = DateTime::parse_from_rfc3339(&at) else {
                continue;
            };
            out.entry(view).or_default().tombstones.push(Tombstone {
                id,
                when: when.with_timezone(&Utc),
                comment,
            });
        }
        Ok(out)
    }

    /// Replaces every view's history with this run's (all at once).
    pub fn set_view_histories(
        &mut self,
        histories: &[(String, ViewHistory)],
    ) -> Result<(), StateError> {
        let path = self.path.clone();
        // Through `sql_error`, like every other state error: corruption is reported as such.
        let sql = |source| super::integrity::sql_error(&path, source);
        let tx = self.conn.transaction().map_err(sql)?;
        tx.execute("DELETE FROM carried", []).map_err(sql)?;
        tx.execute("DELETE FROM tombstones", []).map_err(sql)?;
        for (view, h) in histories {
            for c in &h.carried {
                tx.execute(
                    "INSERT OR IGNORE INTO carried (view, id, canonical_link, source) VALUES (?1, ?2, ?3, ?4)",
                    params![view, c.id, c.canonical_link, c.source],
                )
                .map_err(sql)?;
            }
            for t in &h.tombstones {
                tx.execute(
                    "INSERT OR IGNORE INTO tombstones (view, id, at, comment) VALUES (?1, ?2, ?3, ?4)",
                    params![
                        view,
                        t.id,
                        t.when.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                        t.comment
                    ],
                )
                .map_err(sql)?;
            }
        }
        tx.commit().map_err(sql)
    }
}
