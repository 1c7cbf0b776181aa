//! `feedbraid list` and `feedbraid withdraw`: the editor's side of withdrawal. `list` shows the
//! stored entries (what a run can publish) so an editor can find the one to take down; `withdraw`
//! records it in `withdrawn.toml` (or takes it out again with `--undo`). Neither touches the
//! outputs: the next `run` (or `run --offline`) does, everywhere at once.

use chrono::{DateTime, Utc};

use crate::ops::Fatal;
use crate::ops::run::{RunOptions, load_config};
use crate::pool::editorial::{Withdrawal, WithdrawnError, add, load, path_beside, remove};
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
    let state = State::open(&cfg.state_path)?;
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
/// already withdrawn are not recorded twice.
pub fn withdraw(
    opts: &RunOptions,
    keys: &[String],
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<Withdrawal>, WithdrawError> {
    let entries = list(opts, None, None)?;
    let file = path_beside(&opts.config);
    let already = load(&file)?;
    let mut new: Vec<Withdrawal> = Vec::new();
    for key in keys {
        let canonical = links::canonical(key);
        let found = entries
            .iter()
            .find(|e| e.id == *key)
            .or_else(|| {
                canonical.as_ref().and_then(|c| {
                    entries
                        .iter()
                        .find(|e| links::canonical(&e.link).as_ref() == Some(c))
                })
            })
            .ok_or_else(|| WithdrawError::Unknown(key.clone()))?;
        let canonical_link = links::canonical(&found.link);
        if already.find(&found.id, canonical_link.as_deref()).is_some()
            || new.iter().any(|w| w.id == found.id)
        {
            continue;
        }
        new.push(Withdrawal {
            id: found.id.clone(),
            link: Some(found.link.clone()),
            title: Some(found.title.clone()),
            when: now,
            reason: reason.map(str::to_string).filter(|r| !r.trim().is_empty()),
        });
    }
    if !new.is_empty() {
        add(&file, &new)?;
    }
    Ok(new)
}

/// Takes withdrawals out again (by the id or link they were recorded with).
pub fn undo(opts: &RunOptions, keys: &[String]) -> Result<usize, WithdrawError> {
    let file = path_beside(&opts.config);
    let mut removed = 0;
    for key in keys {
        let n = remove(&file, std::slice::from_ref(key))?;
        if n == 0 {
            return Err(WithdrawError::NotWithdrawn(key.clone()));
        }
        removed += n;
    }
    Ok(removed)
}
