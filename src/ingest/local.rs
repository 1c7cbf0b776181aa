//! The network's own entries: `[[entry]]` tables of `feeds.toml` and, when `[local] dir` is set, a
//! folder of Markdown files with TOML front matter. Both become the same [`Entry`] model as partner
//! items, and are sanitised the same way when published (`materialise`).

use std::path::PathBuf;

use crate::config::{Config, ConfigError, LocalEntry};
use crate::model::Entry;
use crate::text::plain as text;

/// Converts configured local entries into model entries (pure).
pub fn to_entries(cfg: &Config, locals: &[LocalEntry]) -> Vec<Entry> {
    locals
        .iter()
        .map(|l| Entry {
            id: l.id.clone(),
            original_id: None,
            title: text::plain(&l.title),
            link: l.link.to_string(),
            published: Some(l.published),
            updated: l.updated,
            // Sanitised when published, like a partner's (see `clean`).
            summary: l.summary.clone().filter(|s| !s.trim().is_empty()),
            content: l.content.clone().filter(|s| !s.trim().is_empty()),
            authors: if l.authors.is_empty() {
                vec![cfg.feed.author.clone()]
            } else {
                l.authors.clone()
            },
            categories: l
                .tags
                .iter()
                .map(|t| text::plain(t))
                .filter(|t| !t.is_empty())
                .map(crate::model::Category::term)
                .collect(),
            language: l.language.clone(),
            enclosures: l.attachments.clone(),
            image: None,
            link_is_site: false,
            link_lang: None,
            via: Vec::new(),
            source: None,
            rights: None,
            license: None,
            credit: l.credit.clone(),
        })
        .collect()
}

/// Reads every `*.md` file of the `[local] dir` folder, in name order. Errors name the file.
pub fn read_markdown_dir(cfg: &Config) -> Result<Vec<LocalEntry>, ConfigError> {
    let Some(dir) = &cfg.local_dir else {
        return Ok(Vec::new());
    };
    let read = std::fs::read_dir(dir).map_err(|e| ConfigError::io(dir, &e))?;
    let mut files: Vec<PathBuf> = read
        .filter_map(|d| d.ok().map(|d| d.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    let mut out = Vec::with_capacity(files.len());
    for f in files {
        let text = std::fs::read_to_string(&f).map_err(|e| ConfigError::io(&f, &e))?;
        out.push(cfg.parse_markdown_entry(&text, &f)?);
    }
    Ok(out)
}
