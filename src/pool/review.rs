//! The review queue's decisions, without I/O (issue 23): which of the pool's entries are
//! published, which wait for an editor (held, with the reason), and which an editor rejected
//! (never published, whatever id the partner gives the item again: matched by link too).
//!
//! The decisions live in `reviewed.toml` beside `feeds.toml` (`approved = [...]`, `[[rejected]]`
//! with `key` and `reason`), written by `feedbraid approve` / `reject` and read here.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::config::{ConfigError, ReviewMode};
use crate::model::Candidate;

/// What editors decided, from `reviewed.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reviewed {
    /// Ids or links approved.
    #[serde(default)]
    pub approved: Vec<String>,
    #[serde(default)]
    pub rejected: Vec<Rejected>,
}

/// One rejection.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rejected {
    /// An id or a link.
    pub key: String,
    #[serde(default)]
    pub reason: Option<String>,
}

impl Reviewed {
    /// Parses `text` (the file at `path`, for messages).
    pub fn parse(text: &str, path: &Path) -> Result<Reviewed, ConfigError> {
        toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))
    }

    /// Whether `key` (an id, or a link as an editor pastes it) names `c`.
    fn names(key: &str, c: &Candidate) -> bool {
        key == c.id()
            || c.original_id() == Some(key)
            || c.canonical_link() == Some(key)
            || crate::text::links::canonical(key)
                .is_some_and(|k| c.canonical_link() == Some(k.as_str()))
    }

    pub fn rejects(&self, c: &Candidate) -> bool {
        self.rejected.iter().any(|r| Self::names(&r.key, c))
    }

    pub fn approves(&self, c: &Candidate) -> bool {
        self.approved.iter().any(|a| Self::names(a, c))
    }
}

/// What happens to one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Publish,
    Hold(String),
    Reject,
}

/// What the queue knows of the sources and of what was published.
#[derive(Debug, Clone, Default)]
pub struct Context<'a> {
    pub modes: HashMap<&'a str, ReviewMode>,
    /// When each source's first item was seen.
    pub first_seen: HashMap<String, DateTime<Utc>>,
    pub trial: chrono::Duration,
    pub now: DateTime<Utc>,
    /// Ids the feeds carried at the last publication: they stay published.
    pub published: HashSet<String>,
    /// The items the hijack guard holds, by id, with its reason.
    pub guarded: HashMap<String, String>,
    /// The sources with guarded items still undecided (see [`pending`]), with the reason.
    pub pending: HashMap<String, String>,
    /// Ids of a pending source's items first seen before its hold began: published before the
    /// feed was taken over, they stay published (in the library and archives too) while it is.
    pub earlier: HashSet<String>,
}

/// The sources whose guarded items are still undecided: one of them is still in the pool,
/// neither approved nor rejected. Every other new item of such a source waits too (a hijacked
/// feed keeps posting after the run that tripped the guard).
pub fn pending<'a>(
    pool: impl Iterator<Item = &'a Candidate>,
    guarded: &HashMap<String, String>,
    r: &Reviewed,
) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for c in pool {
        if let (Some(why), Some(source)) = (guarded.get(c.id()), c.origin.as_deref())
            && !r.approves(c)
            && !r.rejects(c)
        {
            out.entry(source.to_string()).or_insert_with(|| why.clone());
        }
    }
    out
}

/// The decision for `c`.
pub fn decide(c: &Candidate, cx: &Context<'_>, r: &Reviewed) -> Decision {
    if r.rejects(c) {
        return Decision::Reject;
    }
    let Some(source) = c.origin.as_deref() else {
        return Decision::Publish;
    };
    if r.approves(c) || cx.published.contains(c.id()) {
        return Decision::Publish;
    }
    if let Some(why) = cx.guarded.get(c.id()) {
        return Decision::Hold(why.clone());
    }
    if let Some(why) = cx.pending.get(source)
        && !cx.earlier.contains(c.id())
    {
        return Decision::Hold(format!("its source's earlier items are held by the {why}"));
    }
    let mode = cx.modes.get(source).copied().unwrap_or_default();
    match mode {
        ReviewMode::Off => Decision::Publish,
        ReviewMode::All => Decision::Hold("its source is under review = \"all\"".into()),
        _ => match cx.first_seen.get(source) {
            Some(first) if cx.now.signed_duration_since(*first) >= cx.trial => Decision::Publish,
            _ => Decision::Hold(format!(
                "its source is new (review = \"new\", a trial of {} days)",
                cx.trial.num_days()
            )),
        },
    }
}

/// `status.json`'s `review`: how many items wait, and the oldest's date.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReviewStatus {
    pub held: usize,
    pub oldest: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: &str, link: &str) -> Candidate {
        Candidate {
            ids: crate::model::Ids::new(
                "",
                id,
                crate::text::links::canonical(link).as_deref(),
                None,
            ),
            origin: Some("p".into()),
            updated: DateTime::UNIX_EPOCH,
            published: None,
            text: None,
            tags: crate::model::Tags::default(),
            language: None,
            via: Vec::new(),
        }
    }

    fn cx(mode: ReviewMode, first_days_ago: i64) -> Context<'static> {
        let now = DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
            .expect("date")
            .to_utc();
        Context {
            modes: [("p", mode)].into_iter().collect(),
            first_seen: [(
                "p".to_string(),
                now - chrono::Duration::days(first_days_ago),
            )]
            .into_iter()
            .collect(),
            trial: chrono::Duration::days(30),
            now,
            published: HashSet::new(),
            guarded: HashMap::new(),
            pending: HashMap::new(),
            earlier: HashSet::new(),
        }
    }

    #[test]
    fn new_sources_are_held_for_their_trial_and_decisions_match_links() {
        let c = cand("tag:x,2026:1", "https://p.example.org/a?utm_source=x");
        let none = Reviewed::default();
        assert!(matches!(
            decide(&c, &cx(ReviewMode::New, 3), &none),
            Decision::Hold(_)
        ));
        assert_eq!(
            decide(&c, &cx(ReviewMode::New, 31), &none),
            Decision::Publish
        );
        assert_eq!(
            decide(&c, &cx(ReviewMode::Off, 0), &none),
            Decision::Publish
        );
        let approved = Reviewed {
            approved: vec!["http://p.example.org/a".into()],
            rejected: Vec::new(),
        };
        assert_eq!(
            decide(&c, &cx(ReviewMode::All, 0), &approved),
            Decision::Publish
        );
        let rejected = Reviewed {
            approved: Vec::new(),
            rejected: vec![Rejected {
                key: "https://p.example.org/a".into(),
                reason: None,
            }],
        };
        assert_eq!(
            decide(&c, &cx(ReviewMode::Off, 0), &rejected),
            Decision::Reject
        );
        let mut published = cx(ReviewMode::All, 0);
        published.published.insert(c.id().to_string());
        assert_eq!(decide(&c, &published, &none), Decision::Publish);
    }

    #[test]
    fn a_key_names_an_entry_by_id_partner_id_or_link_and_nothing_else() {
        let mut c = cand("tag:x,2026:1", "https://p.example.org/a?utm_source=x");
        c.ids = crate::model::Ids::new(c.handle(), c.id(), c.canonical_link(), Some("urn:uuid:1"));
        for key in [
            "tag:x,2026:1",
            "urn:uuid:1",
            "https://p.example.org/a",
            "http://p.example.org/a",
        ] {
            assert!(Reviewed::names(key, &c), "{key}");
        }
        for key in ["tag:x,2026:2", "urn:uuid:2", "https://p.example.org/b", ""] {
            assert!(!Reviewed::names(key, &c), "{key}");
        }
        let text = "approved = [\"tag:x,2026:1\"]\n[[rejected]]\nkey = \"https://p.example.org/b\"\nreason = \"spam\"\n";
        let r = Reviewed::parse(text, Path::new("reviewed.toml")).expect("parses");
        assert!(r.approves(&c) && !r.rejects(&c));
        assert_eq!(r.rejected[0].reason.as_deref(), Some("spam"));
        let e = Reviewed::parse("approved = 1\n", Path::new("reviewed.toml"));
        assert!(e.is_err());
    }

    #[test]
    fn guarded_items_and_their_source_wait_until_decided_whatever_the_mode() {
        let held = cand("tag:x,2026:spam", "https://casino.example/1");
        let later = cand("tag:x,2026:later", "https://casino.example/2");
        let mut c = cx(ReviewMode::Off, 400);
        c.guarded
            .insert(held.id().to_string(), "hijack guard: 40 new items".into());
        let none = Reviewed::default();
        c.pending = pending([&held, &later].into_iter(), &c.guarded, &none);
        assert!(matches!(decide(&held, &c, &none), Decision::Hold(w) if w.contains("40 new")));
        assert!(
            matches!(decide(&later, &c, &none), Decision::Hold(w) if w.contains("earlier items"))
        );
        // An item seen before the hold began stays published.
        let before = cand("tag:x,2026:before", "https://p.example.org/old");
        c.earlier.insert(before.id().to_string());
        assert_eq!(decide(&before, &c, &none), Decision::Publish);
        // Once the held item is decided, the source is no longer pending.
        let approved = Reviewed {
            approved: vec![held.id().to_string()],
            rejected: Vec::new(),
        };
        c.pending = pending([&held, &later].into_iter(), &c.guarded, &approved);
        assert!(c.pending.is_empty());
        assert_eq!(decide(&held, &c, &approved), Decision::Publish);
        assert_eq!(decide(&later, &c, &approved), Decision::Publish);
    }
}
