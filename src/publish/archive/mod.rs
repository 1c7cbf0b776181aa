//! RFC 5005 archived feeds (`[archive] enabled = true`): every entry the main feed ever selected
//! stays reachable from `feed.atom` by following `prev-archive` through monthly documents
//! `archive/YYYY-MM.atom`.
//!
//! The rules (docs/config.md, "Archives", says the same for operators):
//! - **Filed once.** An entry that passes the main feed's filters (the cap and `max_items` are not
//!   filters) is filed, on the first run that sees it, under the month of its published date (else
//!   its updated date), with its body as published, in the state table `archive`.
//! - **Late items.** A month *closes* once the run's clock is past its end plus `grace`; its
//!   document is then written for good. An item dated in a month that has already closed is filed
//!   under the month it arrived in (reopening would rewrite a closed document).
//! - **Always the newest.** `feed.atom` carries the newest `max_entries` entries, whatever their
//!   month (a subscription document is never empty while entries exist). Every month's document
//!   carries all of its entries, so the newest are in both, as RFC 5005 allows (readers merge by
//!   id), and every entry is in exactly one archive document.
//! - **An unbroken chain.** There is a document for every month from the oldest filed month to the
//!   current one, empty months included, so `prev-archive`/`next-archive` are known when a month
//!   closes and a closed document never needs new links.
//! - **Withdrawals.** A withdrawn entry leaves its month's document, which then carries an RFC 6721
//!   tombstone for it instead, for good (a closed document is rewritten only then, and on
//!   `withdraw --undo`).
//!
//! This module is pure (months, filing, the chain); `build` reads and writes the state and
//! renders the documents.

mod build;

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

pub use build::{ArchiveFiles, Plan, prepare};

/// A calendar month (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

impl Month {
    /// The month `d` falls in.
    pub fn of(d: DateTime<Utc>) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    /// Parses `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.split_once('-')?;
        let m = Month {
            year: y.parse().ok()?,
            month: m.parse().ok()?,
        };
        (1..=12).contains(&m.month).then_some(m)
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                month: self.month + 1,
                ..self
            }
        }
    }

    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                month: self.month - 1,
                ..self
            }
        }
    }

    /// Its first instant.
    pub fn start(self) -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map_or(DateTime::<Utc>::UNIX_EPOCH, |d| Utc.from_utc_datetime(&d))
    }

    /// Whether the month is over for good at `now`: past its end by `grace`.
    pub fn closes_by(self, now: DateTime<Utc>, grace: std::time::Duration) -> bool {
        let grace = chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::zero());
        now >= self.next().start() + grace
    }

    /// The file of its document, inside the output folder.
    pub fn file(self) -> String {
        format!("archive/{self}.atom")
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// The month a newly seen entry dated `dated` is filed under at `now`: its own, unless that
/// month's document has already been written for good (it is at or before `last_closed`, the
/// newest closed month), in which case the month it arrived in. Never after the current month
/// (a date in the future is filed now).
pub fn file_under(dated: DateTime<Utc>, now: DateTime<Utc>, last_closed: Option<Month>) -> Month {
    let current = Month::of(now);
    let own = Month::of(dated).min(current);
    match last_closed {
        Some(c) if own <= c => current.max(c.next()),
        _ => own,
    }
}

/// Every month from `first` to `last`, oldest first.
pub fn chain(first: Month, last: Month) -> Vec<Month> {
    let mut out = Vec::new();
    let mut m = first;
    while m <= last {
        out.push(m);
        m = m.next();
    }
    out
}
