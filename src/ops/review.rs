//! The review queue at the edges (issue 23): reading `reviewed.toml`, splitting a run's pool into
//! what is published and what is held (`pool::review` decides), and the editors' commands
//! (`review`, `approve`, `reject`), which write their decisions into `reviewed.toml` beside
//! `feeds.toml` through `ops::edit` (one editor at a time, atomically, comments kept).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};

use crate::config::Config;
use crate::ops::Fatal;
use crate::ops::edit::{EditError, Editing};
use crate::pool::merge::{Winner, Winners};
use crate::pool::review::{Context, Decision, ReviewStatus, decide, pending};
use crate::state::{State, StateError};

/// Why the queue could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Fatal(#[from] Fatal),
    #[error("{}: not valid TOML: {source}", path.display())]
    Toml {
        path: PathBuf,
        #[source]
        source: toml_edit::TomlError,
    },
}

pub use crate::ops::reviewed::{load, path_beside};

/// Removes rejected entries from `pool` and takes out the held ones, which it returns with
/// their reasons.
pub fn apply(
    cfg: &Config,
    state: &State,
    pool: &mut Winners,
    now: DateTime<Utc>,
) -> Result<Vec<(Winner, String)>, Fatal> {
    let reviewed = load(cfg)?;
    let reviewing = cfg.sources.iter().any(|s| s.review != Default::default());
    let guarded_items = state.guarded()?;
    // When each source's hold began: its earliest held item.
    let mut hold_since: HashMap<&str, DateTime<Utc>> = HashMap::new();
    for g in guarded_items.values() {
        let since = hold_since.entry(g.source.as_str()).or_insert(g.since);
        *since = (*since).min(g.since);
    }
    let guarded: HashMap<String, String> = guarded_items
        .iter()
        .map(|(id, g)| (id.clone(), g.reason.clone()))
        .collect();
    if !reviewing && reviewed.rejected.is_empty() && guarded.is_empty() {
        return Ok(Vec::new());
    }
    let published: HashSet<String> = state
        .view_histories()?
        .into_values()
        .flat_map(|h| h.carried.into_iter().map(|c| c.id))
        .collect();
    let pending = pending(pool.iter(), &guarded, &reviewed);
    // A pending source's items first seen before its hold began were published before it.
    let mut earlier = HashSet::new();
    for c in pool.iter() {
        let Some(since) = c
            .origin
            .as_deref()
            .and_then(|s| pending.contains_key(s).then(|| hold_since.get(s)).flatten())
        else {
            continue;
        };
        if !guarded.contains_key(c.id())
            && state
                .first_seen(c.id())?
                .is_some_and(|first| first < *since)
        {
            earlier.insert(c.id().to_string());
        }
    }
    let cx = Context {
        modes: cfg
            .sources
            .iter()
            .map(|s| (s.name.as_str(), s.review))
            .collect(),
        first_seen: state.sources_first_seen()?,
        trial: chrono::Duration::from_std(cfg.review.trial).unwrap_or(chrono::Duration::MAX),
        now,
        published,
        guarded,
        pending,
        earlier,
    };
    // Why each winner taken out is: held (with the reason), or rejected (none).
    let mut why = Vec::new();
    let taken = pool.take_where(|w| match decide(w, &cx, &reviewed) {
        Decision::Publish => false,
        Decision::Hold(reason) => {
            why.push(Some(reason));
            true
        }
        Decision::Reject => {
            why.push(None);
            true
        }
    });
    Ok(taken
        .into_iter()
        .zip(why)
        .filter_map(|(w, why)| Some((w, why?)))
        .collect())
}

/// `status.json`'s `review`.
pub fn status(held: &[(Winner, String)]) -> ReviewStatus {
    ReviewStatus {
        held: held.len(),
        oldest: held
            .iter()
            .map(|(w, _)| w.published.unwrap_or(w.updated))
            .min()
            .map(|d| d.to_rfc3339()),
    }
}

/// Records `keys` as approved (or, with `reason`, as rejected) in `reviewed.toml`.
pub fn record(
    cfg: &Config,
    keys: &[String],
    rejected: Option<Option<&str>>,
) -> Result<usize, ReviewError> {
    let path = path_beside(&cfg.path);
    let edit = Editing::begin(&path)?;
    let text = edit.read()?.unwrap_or_else(|| {
        "# Decisions of `feedbraid approve` and `feedbraid reject`: the review queue (see\n\
         # docs/editorial.md). Keys are entry ids or links.\napproved = []\n"
            .to_string()
    });
    let mut doc: DocumentMut = text.parse().map_err(|source| ReviewError::Toml {
        path: path.clone(),
        source,
    })?;
    let mut n = 0;
    match rejected {
        None => {
            let arr = doc
                .entry("approved")
                .or_insert(Item::Value(Array::new().into()))
                .as_array_mut();
            if let Some(arr) = arr {
                for k in keys {
                    if !arr.iter().any(|v| v.as_str() == Some(k)) {
                        arr.push(k.as_str());
                        n += 1;
                    }
                }
            }
        }
        Some(reason) => {
            let list = doc
                .entry("rejected")
                .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
            if let Some(list) = list.as_array_of_tables_mut() {
                for k in keys {
                    let mut t = Table::new();
                    t.insert("key", value(k.as_str()));
                    if let Some(r) = reason {
                        t.insert("reason", value(r));
                    }
                    list.push(t);
                    n += 1;
                }
            }
        }
    }
    edit.replace(doc.to_string().as_bytes(), Some(&cfg.path))?;
    Ok(n)
}

/// One held entry, for `feedbraid review`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Held {
    pub id: String,
    pub source: String,
    pub title: String,
    pub link: Option<String>,
    pub date: String,
    /// The start of its text, as plain text.
    pub excerpt: String,
    pub why: String,
}

/// How many characters of an entry's text `feedbraid review` shows.
const EXCERPT: usize = 200;

/// The held entries of `source` (or all), with their titles and excerpts from the state.
pub fn listed(
    state: &State,
    held: &[(Winner, String)],
    source: Option<&str>,
) -> Result<Vec<Held>, StateError> {
    let mut out = Vec::new();
    for (w, why) in held
        .iter()
        .filter(|(w, _)| source.is_none_or(|s| w.origin() == s))
    {
        let c = w;
        let entry = state.entry(c.origin(), c.handle())?;
        let text = entry
            .as_ref()
            .and_then(|e| e.summary.as_deref().or(e.content.as_deref()))
            .map(|h| crate::text::plain::excerpt(&crate::text::plain::plain(h), EXCERPT));
        out.push(Held {
            id: c.id().to_string(),
            source: c.origin().to_string(),
            title: entry.as_ref().map(|e| e.title.clone()).unwrap_or_default(),
            link: entry
                .as_ref()
                .map(|e| e.link.clone())
                .or_else(|| c.canonical_link().map(String::from)),
            date: c
                .published
                .unwrap_or(c.updated)
                .format("%Y-%m-%d")
                .to_string(),
            excerpt: text.unwrap_or_default(),
            why: why.clone(),
        });
    }
    Ok(out)
}

/// The entries held now, of `source` or all, from the state (an offline gather: nothing is
/// fetched).
pub fn held_now(
    opts: &crate::ops::open::RunOptions,
    rt: &tokio::runtime::Handle,
    source: Option<&str>,
) -> Result<Vec<Held>, ReviewError> {
    let cfg = crate::ops::open::load_config(opts)?;
    let locked = crate::ops::open::lock(&cfg.state_path)?;
    let conns = crate::ops::open::run_connections(&cfg.state_path, &locked)?;
    let now = opts.now.unwrap_or_else(Utc::now);
    let mut g = rt.block_on(crate::ops::gather::gather(&cfg, conns, true, now))?;
    // After gathering, as a run opens it: a state built meanwhile has its name only then.
    let state = State::open(&cfg.state_path)?;
    let held = apply(&cfg, &state, &mut g.pool, now)?;
    Ok(listed(&state, &held, source)?)
}
