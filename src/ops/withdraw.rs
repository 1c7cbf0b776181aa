//! `feedbraid list` and `feedbraid withdraw`: the editor's side of withdrawal. `list` shows the
//! stored entries (what a run can publish) so an editor can find the one to take down; `withdraw`
//! records it in `withdrawn.toml` (or takes it out again with `--undo`), one write per command
//! under the file's edit lock (`edit`). Neither touches the outputs: the next `run` (or `run
//! --offline`) does, everywhere at once.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::ops::Fatal;
use crate::ops::edit::{EditError, Editing};
use crate::ops::run::{RunOptions, load_config};
use crate::pool::editorial::{
    Withdrawal, Withdrawals, WithdrawnError, parse, path_beside, with_added, without,
};
use crate::state::State;
use crate::text::links;

/// One entry as `list` prints it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: String,
    pub updated: DateTime<Utc>,
    /// The partner's name, or `local`.
    pub source: String,
    pub title: String,
    pub link: String,
}

/// Why `withdraw` refused.
#[derive(Debug, thiserror::Error)]
pub enum WithdrawError {
    #[error(
        "no stored entry has the id or link `{0}`; `feedbraid list --search WORD` shows the entries and their ids"
    )]
    Unknown(String),
    #[error("`{0}` is not withdrawn (see withdrawn.toml)")]
    NotWithdrawn(String),
    #[error(transparent)]
    File(#[from] WithdrawnError),
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error(transparent)]
    Fatal(#[from] Fatal),
}

/// Every stored entry of the configured sources and every local entry, newest first, narrowed to
/// one source and to titles, ids or links containing `search` (case-insensitive).
pub fn list(
    opts: &RunOptions,
    source: Option<&str>,
    search: Option<&str>,
) -> Result<Vec<Listed>, Fatal> {
    let cfg = load_config(opts)?;
    let state = State::open_to_read(&cfg.state_path)?;
    let mut out = Vec::new();
    for s in cfg
        .sources
        .iter()
        .filter(|s| source.is_none_or(|n| n == s.name))
    {
        for (hash, _) in state.items(&s.name)? {
            if let Some(e) = state.entry(&s.name, &hash)? {
                out.push(Listed {
                    id: e.id,
                    updated: e.updated,
                    source: s.name.clone(),
                    title: e.title,
                    link: e.link,
                });
            }
        }
    }
    if source.is_none_or(|n| n == crate::config::LOCAL) {
        let mut locals = cfg.entries.clone();
        locals.extend(crate::ingest::local::read_markdown_dir(&cfg)?);
        for e in crate::ingest::local::to_entries(&cfg, &locals) {
            out.push(Listed {
                id: e.id,
                updated: e.updated,
                source: crate::config::LOCAL.into(),
                title: e.title,
                link: e.link,
            });
        }
    }
    if let Some(q) = search.map(str::to_lowercase) {
        out.retain(|l| {
            l.title.to_lowercase().contains(&q)
                || l.id.to_lowercase().contains(&q)
                || l.link.to_lowercase().contains(&q)
        });
    }
    out.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
    out.dedup_by(|a, b| a.id == b.id);
    Ok(out)
}

/// Records the withdrawal of each entry named by id or link; returns what was recorded. Entries
/// already withdrawn are not recorded twice. One write for all of them, under the file's edit
/// lock: simultaneous `withdraw`s each keep theirs (issue 27, defect 4).
pub fn withdraw(
    opts: &RunOptions,
    keys: &[String],
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<Withdrawal>, WithdrawError> {
    let entries = list(opts, None, None)?;
    let mut by_id: HashMap<&str, &Listed> = HashMap::new();
    let mut by_link: HashMap<String, &Listed> = HashMap::new();
    // Newest first: the first entry with an id or a link is the one a key names.
    for e in &entries {
        by_id.entry(e.id.as_str()).or_insert(e);
        if let Some(c) = links::canonical(&e.link) {
            by_link.entry(c).or_insert(e);
        }
    }
    let found: Vec<&Listed> = keys
        .iter()
        .map(|key| {
            by_id
                .get(key.as_str())
                .or_else(|| links::canonical(key).and_then(|c| by_link.get(&c)))
                .copied()
                .ok_or_else(|| WithdrawError::Unknown(key.clone()))
        })
        .collect::<Result<_, _>>()?;
    let file = path_beside(&opts.config);
    let editing = Editing::begin(&file)?;
    let text = editing.read()?;
    let already = match &text {
        Some(t) => parse(t, &file).map_err(WithdrawnError::from)?,
        None => Withdrawals::default(),
    };
    let mut new: Vec<Withdrawal> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for e in found {
        let canonical_link = links::canonical(&e.link);
        if already.find(&e.id, canonical_link.as_deref()).is_some() || !seen.insert(e.id.as_str()) {
            continue;
        }
        new.push(Withdrawal {
            id: e.id.clone(),
            link: Some(e.link.clone()),
            title: Some(e.title.clone()),
            when: now,
            reason: reason.map(str::to_string).filter(|r| !r.trim().is_empty()),
        });
    }
    if !new.is_empty() {
        let text = with_added(&file, text.as_deref(), &new)?;
        editing.replace(text.as_bytes(), Some(&opts.config))?;
    }
    Ok(new)
}

/// Takes withdrawals out again (by the id or link they were recorded with): all of them in one
/// write (issue 27, defect 6), or none when a key names no withdrawal.
pub fn undo(opts: &RunOptions, keys: &[String]) -> Result<usize, WithdrawError> {
    let file = path_beside(&opts.config);
    let editing = Editing::begin(&file)?;
    let Some(text) = editing.read()? else {
        let first = keys.first().cloned().unwrap_or_default();
        return Err(WithdrawError::NotWithdrawn(first));
    };
    let r = without(&file, &text, keys)?;
    if let Some(k) = r.unmatched.into_iter().next() {
        return Err(WithdrawError::NotWithdrawn(k));
    }
    if r.removed > 0 {
        editing.replace(r.text.as_bytes(), Some(&opts.config))?;
    }
    Ok(r.removed)
}
