//! The `digests` table: per month and view, whether its digest was sent (and when), or how
//! often sending failed, the last error and when to try again. Recorded right after the SMTP
//! server accepted the message, so a re-run never sends it twice.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{State, StateError};

/// What the state knows of one month's digest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DigestRecord {
    pub sent_at: Option<DateTime<Utc>>,
    pub failures: u32,
    pub last_error: Option<String>,
    /// Not tried again before this time.
    pub next_try: Option<DateTime<Utc>>,
}

/// `status.json`'s `digest`: the last month sent, the oldest not sent yet and its failures.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DigestStatus {
    pub last_sent: Option<String>,
    pub pending: Option<String>,
    pub failures: u32,
    pub last_error: Option<String>,
}

/// A digest not sent yet: its period, its failures, its last error.
pub type Pending = (String, u32, Option<String>);

impl State {
    /// The record of `period`'s digest of `view` (empty when never tried).
    pub fn digest(&self, period: &str, view: &str) -> Result<DigestRecord, StateError> {
        self.conn
            .query_row(
                "SELECT sent_at, failures, last_error, next_try FROM digests
                 WHERE period = ?1 AND view = ?2",
                params![period, view],
                |r| {
                    let t = |v: Option<i64>| v.and_then(|s| DateTime::from_timestamp(s, 0));
                    Ok(DigestRecord {
                        sent_at: t(r.get(0)?),
                        failures: r.get(1)?,
                        last_error: r.get(2)?,
                        next_try: t(r.get(3)?),
                    })
                },
            )
            .optional()
            .map(Option::unwrap_or_default)
            .map_err(|e| self.err(e))
    }

    /// Records `period`'s digest of `view` as `rec`.
    pub fn set_digest(
        &self,
        period: &str,
        view: &str,
        rec: &DigestRecord,
    ) -> Result<(), StateError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO digests (period, view, sent_at, failures, last_error, next_try)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    period,
                    view,
                    rec.sent_at.map(|t| t.timestamp()),
                    rec.failures,
                    rec.last_error,
                    rec.next_try.map(|t| t.timestamp())
                ],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// For `status.json`: the last period sent (any view), and the oldest period not sent yet
    /// with its failures and last error.
    pub fn digest_status(&self) -> Result<(Option<String>, Option<Pending>), StateError> {
        let last = self
            .conn
            .query_row(
                "SELECT period FROM digests WHERE sent_at IS NOT NULL ORDER BY sent_at DESC LIMIT 1",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let pending = self
            .conn
            .query_row(
                "SELECT period, failures, last_error FROM digests WHERE sent_at IS NULL
                 ORDER BY period LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        Ok((last, pending))
    }
}

impl State {
    /// When each source's first item was seen (for the review queue's trial).
    pub fn sources_first_seen(
        &self,
    ) -> Result<std::collections::HashMap<String, DateTime<Utc>>, StateError> {
        let mut st = self
            .conn
            .prepare("SELECT source, MIN(first_seen) FROM seen GROUP BY source")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err(e))?;
        let mut out = std::collections::HashMap::new();
        for row in rows {
            let (s, t) = row.map_err(|e| self.err(e))?;
            if let Ok(t) = DateTime::parse_from_rfc3339(&t) {
                out.insert(s, t.to_utc());
            }
        }
        Ok(out)
    }
}
