//! Which RFC 6721 tombstones (`<at:deleted-entry>`) each Atom feed carries this run.
//!
//! A feed carries a tombstone for an entry it published in an earlier run and no longer does
//! because the entry was withdrawn, or because its partner left (removed from `feeds.toml` or set
//! to `enabled = false`). An entry that merely scrolled past the feed's cap gets none: it was not
//! deleted. A tombstone lasts `[feed] tombstone_days` from its `when`, and goes at once if the entry
//! comes back (`withdraw --undo`, or the partner returns).

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::Withdrawals;
use crate::model::{Carried, Tombstone};

/// What deciding needs to know besides one feed's history.
#[derive(Debug)]
pub struct Context<'a> {
    pub withdrawals: &'a Withdrawals,
    /// Names of the partners that are configured and enabled.
    pub active_sources: &'a HashSet<String>,
    pub now: DateTime<Utc>,
    pub days: u32,
}

/// The tombstones one feed carries: from what it published before (`carried`), what it
/// publishes now (`now_ids`) and the tombstones it already carried (`stored`). Sorted newest first.
pub fn decide(
    cx: &Context<'_>,
    carried: &[Carried],
    now_ids: &HashSet<&str>,
    stored: &[Tombstone],
) -> Vec<Tombstone> {
    let departed = |source: &Option<String>| {
        source
            .as_ref()
            .is_some_and(|s| !cx.active_sources.contains(s))
    };
    let mut out: Vec<Tombstone> = Vec::new();
    let mut push = |t: Tombstone| {
        if !out.iter().any(|o| o.id == t.id) {
            out.push(t);
        }
    };
    for c in carried.iter().filter(|c| !now_ids.contains(c.id.as_str())) {
        if let Some(w) = cx.withdrawals.find(&c.id, c.canonical_link.as_deref()) {
            push(Tombstone {
                id: c.id.clone(),
                when: w.when,
                comment: w.reason.clone(),
            });
        } else if departed(&c.source) {
            push(Tombstone {
                id: c.id.clone(),
                when: cx.now,
                comment: None,
            });
        }
    }
    for t in stored.iter().filter(|t| !now_ids.contains(t.id.as_str())) {
        // A withdrawal's record is the truth for its date and reason (an editor may correct them).
        match cx.withdrawals.find(&t.id, None) {
            Some(w) => push(Tombstone {
                id: t.id.clone(),
                when: w.when,
                comment: w.reason.clone(),
            }),
            None => push(t.clone()),
        }
    }
    let horizon = cx.now - chrono::Duration::days(i64::from(cx.days));
    out.retain(|t| cx.days > 0 && t.when > horizon);
    out.sort_by(|a, b| b.when.cmp(&a.when).then_with(|| a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::{TimeZone, Utc};

    use super::{Carried, Context, Tombstone, decide};
    use crate::pool::editorial::{Withdrawal, Withdrawals};

    fn carried(id: &str, source: Option<&str>) -> Carried {
        Carried {
            id: id.into(),
            canonical_link: Some(format!("example.org/{id}")),
            source: source.map(str::to_string),
        }
    }

    #[test]
    fn withdrawn_and_departed_get_tombstones_scrolled_off_do_not() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 29, 12, 0, 0)
            .single()
            .expect("date");
        let w = Withdrawals::new(vec![Withdrawal {
            id: "other-id".into(),
            link: Some("https://example.org/w".into()),
            title: None,
            when: now - chrono::Duration::days(2),
            reason: Some("At the partner's request".into()),
        }]);
        let active: HashSet<String> = ["a".to_string()].into();
        let cx = Context {
            withdrawals: &w,
            active_sources: &active,
            now,
            days: 30,
        };
        let before = [
            carried("w", Some("a")),
            carried("left", Some("b")),
            carried("scrolled", Some("a")),
            carried("kept", Some("a")),
        ];
        let now_ids: HashSet<&str> = ["kept"].into();
        let t = decide(&cx, &before, &now_ids, &[]);
        let ids: Vec<&str> = t.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["left", "w"], "matched by link; newest first");
        assert_eq!(t[1].comment.as_deref(), Some("At the partner's request"));
        // Next run: remembered; once past the horizon, gone; back in the feed, gone at once.
        let later = decide(&cx, &[], &now_ids, &t);
        assert_eq!(later, t);
        let cx_late = Context {
            now: now + chrono::Duration::days(29),
            ..cx
        };
        let late = decide(&cx_late, &[], &now_ids, &t);
        assert_eq!(
            late.len(),
            1,
            "the departed one (dated now) is still in its window"
        );
        let back: HashSet<&str> = ["w", "left"].into();
        assert!(decide(&cx, &[], &back, &t).is_empty());
        let none = Context { days: 0, ..cx };
        assert!(decide(&none, &before, &now_ids, &[]).is_empty());
    }

    #[test]
    fn an_edited_reason_and_date_win_over_the_stored_ones() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 29, 12, 0, 0)
            .single()
            .expect("date");
        let when = now - chrono::Duration::days(40);
        let w = Withdrawals::new(vec![Withdrawal {
            id: "x".into(),
            link: None,
            title: None,
            when,
            reason: Some("new reason".into()),
        }]);
        let active = HashSet::new();
        let cx = Context {
            withdrawals: &w,
            active_sources: &active,
            now,
            days: 30,
        };
        let stored = [Tombstone {
            id: "x".into(),
            when: now,
            comment: Some("old".into()),
        }];
        assert!(
            decide(&cx, &[], &HashSet::new(), &stored).is_empty(),
            "dated 40 days ago by the record: expired"
        );
    }
}
