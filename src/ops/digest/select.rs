//! What a digest holds: the entries the view selected in the period, read from the state the
//! way an offline run reads it (no fetching), withdrawn, held and rejected entries left out,
//! loaded and sanitised as
//! the feeds publish them (so `excerpt_only` and credits hold here as there), newest first, and
//! grouped: the network's own entries first.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::config::{Config, GroupBy};
use crate::model::Entry;
use crate::ops::Fatal;
use crate::ops::gather::gather;
use crate::ops::open::{RunLock, run_connections};
use crate::pool::editorial;
use crate::pool::views::{self, FeedView, feed_views};
use crate::publish::materialise::{key, materialise};
use crate::state::State;

/// The period a digest covers: `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// `YYYY-MM` for a month; `YYYY-MM-DD` (the start) for `--since`.
    pub label: String,
}

impl Period {
    /// The calendar month `y`-`m`.
    pub fn month(y: i32, m: u32) -> Option<Period> {
        let start = NaiveDate::from_ymd_opt(y, m, 1)?;
        let next = if m == 12 {
            NaiveDate::from_ymd_opt(y + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(y, m + 1, 1)?
        };
        Some(Period {
            start: start.and_hms_opt(0, 0, 0)?.and_utc(),
            end: next.and_hms_opt(0, 0, 0)?.and_utc(),
            label: format!("{y:04}-{m:02}"),
        })
    }

    /// The month before the one `now` is in.
    pub fn previous_month(now: DateTime<Utc>) -> Option<Period> {
        let (y, m) = if now.month() == 1 {
            (now.year() - 1, 12)
        } else {
            (now.year(), now.month() - 1)
        };
        Period::month(y, m)
    }

    /// `YYYY-MM`.
    pub fn parse_month(s: &str) -> Option<Period> {
        let (y, m) = s.split_once('-')?;
        Period::month(y.parse().ok()?, m.parse().ok()?)
    }
}

/// A digest's entries in their groups: (heading, entries newest first).
pub type Groups = Vec<(String, Vec<Entry>)>;

/// The view named `name` (the main feed for `None`), without its entry cap: a digest holds the
/// whole month.
pub fn view_of(cfg: &Config, name: Option<&str>) -> Option<FeedView> {
    let mut v = feed_views(cfg)
        .into_iter()
        .find(|v| name.is_none_or(|n| v.key() == n))?;
    v.cap = usize::MAX;
    Some(v)
}

/// The entries `view` selected in `period`, from the state at `cfg.state_path` (the caller holds
/// the run lock, `locked`).
pub fn entries(
    cfg: &Config,
    view: &FeedView,
    period: &Period,
    rt: &tokio::runtime::Handle,
    now: DateTime<Utc>,
    locked: &RunLock,
) -> Result<Vec<Entry>, Fatal> {
    let conns = run_connections(&cfg.state_path, locked)?;
    let mut g = rt.block_on(gather(cfg, conns, true, now))?;
    // After gathering, as a run opens it: a state built meanwhile has its name only then.
    let mut state = State::open(&cfg.state_path)?;
    let withdrawals = editorial::load(&editorial::path_beside(&cfg.path))?;
    withdrawals.withdraw_from(&mut g.pool);
    // Held (review queue) and rejected items never reach a digest.
    crate::ops::review::apply(cfg, &state, &mut g.pool, now)?;
    let max_items: HashMap<&str, usize> = cfg
        .sources
        .iter()
        .filter_map(|s| s.max_items.map(|n| (s.name.as_str(), n)))
        .collect();
    let in_period = |w: &crate::pool::merge::Winner| {
        let d = w.published.unwrap_or(w.updated);
        d >= period.start && d < period.end
    };
    let selected = views::select_where(view, &g.pool, &max_items, &cfg.filter, in_period);
    let (mut loaded, _) = materialise(&mut state, cfg, &g, &selected).map_err(Fatal::Publish)?;
    Ok(selected
        .iter()
        .filter_map(|w| loaded.remove(&key(w)))
        .collect())
}

/// `entries` in their groups: by partner (the network's own first, then partners by name), by
/// tag (an entry under its first tag; untagged last), or one group.
pub fn group(cfg: &Config, entries: Vec<Entry>, by: GroupBy) -> Groups {
    let mut groups: Groups = Vec::new();
    let mut push = |heading: String, e: Entry| match groups.iter_mut().find(|g| g.0 == heading) {
        Some(g) => g.1.push(e),
        None => groups.push((heading, vec![e])),
    };
    let own = cfg.feed.title.clone();
    for e in entries {
        let heading = match by {
            GroupBy::None => String::new(),
            GroupBy::Source => e.source.as_ref().map_or(own.clone(), |s| s.title.clone()),
            GroupBy::Tag => e.categories.first().map_or_else(
                || "Other".to_string(),
                |c| c.label.clone().unwrap_or_else(|| c.term.clone()),
            ),
        };
        push(heading, e);
    }
    if by == GroupBy::Source {
        groups.sort_by(|a, b| (a.0 != own).cmp(&(b.0 != own)).then_with(|| a.0.cmp(&b.0)));
    }
    groups
}
