//! `feedbraid check`: everything a run reads before it fetches, read and used as the run would,
//! without the network and without writing anything. The config and its Markdown entries, the
//! templates (compiled, then rendered against sample entries: issue 27, defect 15) and
//! `withdrawn.toml`. What passes here is what a run accepts.

use std::path::Path;

use crate::config::Config;
use crate::ingest::local::read_markdown_dir;
use crate::ops::Fatal;
use crate::pool::editorial::{load, path_beside};
use crate::publish::render::html::Templates;

/// What a valid configuration holds, for the "ok" line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checked {
    pub sources: usize,
    /// `[[entry]]` tables and Markdown files.
    pub local_entries: usize,
    pub views: usize,
}

/// Checks the configuration at `config` and everything it points at.
pub fn check(config: &Path) -> Result<Checked, Fatal> {
    let cfg = Config::from_file(config)?;
    let markdown = read_markdown_dir(&cfg)?;
    let templates = Templates::load(cfg.output.templates.as_deref())?;
    templates.check(&cfg)?;
    crate::publish::render::check_library(&templates, &cfg)?;
    load(&path_beside(&cfg.path))?;
    Ok(Checked {
        sources: cfg.sources.len(),
        local_entries: cfg.entries.len() + markdown.len(),
        views: cfg.views.len(),
    })
}
