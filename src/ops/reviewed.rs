//! `reviewed.toml`, the editors' decisions, as read by a run: the review queue (`ops::review`)
//! applies them to the pool, and gathering (`ops::gather`) asks which sources still have items
//! the hijack guard holds undecided. A module of its own so that both can read it without
//! importing each other.

use std::collections::HashSet;
use std::path::PathBuf;

use crate::config::Config;
use crate::ops::Fatal;
use crate::pool::review::Reviewed;
use crate::state::State;

/// `reviewed.toml` beside the config.
pub fn path_beside(config: &std::path::Path) -> PathBuf {
    config.with_file_name("reviewed.toml")
}

/// The decisions recorded (none when the file does not exist).
pub fn load(cfg: &Config) -> Result<Reviewed, crate::config::ConfigError> {
    let path = path_beside(&cfg.path);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Reviewed::parse(&text, &path)?),
        Err(_) => Ok(Reviewed::default()),
    }
}

/// The sources with guarded items not yet decided in `reviewed.toml` (matched by id, as
/// `approve --source` records them): their documents may not drop their earlier entries.
pub fn undecided_sources(
    cfg: &Config,
    readers: &crate::state::Pool,
) -> Result<HashSet<String>, Fatal> {
    let guarded = readers.with(State::guarded)?;
    if guarded.is_empty() {
        return Ok(HashSet::new());
    }
    let r = load(cfg)?;
    let decided: HashSet<&str> = r
        .approved
        .iter()
        .map(String::as_str)
        .chain(r.rejected.iter().map(|x| x.key.as_str()))
        .collect();
    Ok(guarded
        .into_iter()
        .filter(|(id, _)| !decided.contains(id.as_str()))
        .map(|(_, g)| g.source)
        .collect())
}
