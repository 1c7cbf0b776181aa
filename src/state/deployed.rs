//! The `deployed` table: per deploy target, each file as it was last uploaded (its digest), and
//! for a file that left the output, since when, so that it is deleted from the store only after
//! the grace time. Written one file at a time as each upload succeeds: a deploy that is
//! interrupted is resumed by the next one, which uploads only what is still missing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{State, StateError};

/// What the state knows of one file in a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployedFile {
    /// The digest of the bytes uploaded (as `ops::deploy` computes it).
    pub digest: String,
    /// Set once the file is no longer in the output: it waits there for its deletion.
    pub gone_since: Option<DateTime<Utc>>,
}

impl State {
    /// Every file recorded for `target`.
    pub fn deployed(&self, target: &str) -> Result<HashMap<String, DeployedFile>, StateError> {
        let mut st = self
            .conn
            .prepare("SELECT name, digest, gone_since FROM deployed WHERE target = ?1")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([target], |r| {
                let gone: Option<i64> = r.get(2)?;
                Ok((
                    r.get::<_, String>(0)?,
                    DeployedFile {
                        digest: r.get(1)?,
                        gone_since: gone.and_then(|t| DateTime::from_timestamp(t, 0)),
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// Records `name` as uploaded with `digest` (present in the output again, if it was gone).
    pub fn set_deployed(&self, target: &str, name: &str, digest: &str) -> Result<(), StateError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO deployed (target, name, digest, gone_since)
                 VALUES (?1, ?2, ?3, NULL)",
                params![target, name, digest],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Marks `name` as gone from the output since `at` (kept if it was marked before).
    pub fn set_deploy_gone(
        &self,
        target: &str,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.conn
            .execute(
                "UPDATE deployed SET gone_since = ?3
                 WHERE target = ?1 AND name = ?2 AND gone_since IS NULL",
                params![target, name, at.timestamp()],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Forgets `name` (deleted from the store).
    pub fn forget_deployed(&self, target: &str, name: &str) -> Result<(), StateError> {
        self.conn
            .execute(
                "DELETE FROM deployed WHERE target = ?1 AND name = ?2",
                params![target, name],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Forgets everything recorded for `target` (`deploy --full` compares with the store's own
    /// listing instead).
    pub fn forget_target(&self, target: &str) -> Result<(), StateError> {
        self.conn
            .execute("DELETE FROM deployed WHERE target = ?1", [target])
            .map(drop)
            .map_err(|e| self.err(e))
    }
}

impl State {
    /// A consistent copy of the whole database at `dest` (which must not exist), for uploading
    /// it while this connection stays open (`VACUUM INTO`: one transaction, the log folded in).
    pub fn snapshot(&self, dest: &std::path::Path) -> Result<(), StateError> {
        self.conn
            .execute("VACUUM INTO ?1", [dest.to_string_lossy()])
            .map(drop)
            .map_err(|e| self.err(e))
    }
}
