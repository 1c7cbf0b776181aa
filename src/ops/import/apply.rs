//! `feedbraid import`: the edge around the pure plan. Takes the config's edit lock, reads the
//! config and the OPML file, appends the new `[[source]]` tables with `toml_edit` (every existing
//! byte, comments included, stays as it was), checks the result as `feedbraid check` would, and
//! only then replaces the config atomically, keeping its mode and owner (`ops::edit`: a temp file
//! in the same folder, renamed into place; a killed import's temp files swept).

use std::fmt::Write as _;
use std::path::PathBuf;

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, value};

use super::outcome::{ImportPlan, NewSource, PlanRules};
use super::plan::plan_import;
use super::read::{OpmlError, parse};
use crate::config::{Config, ConfigError};
use crate::ops::edit::{EditError, Editing};

/// What to import where.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The `feeds.toml` to add sources to.
    pub config: PathBuf,
    /// The OPML file.
    pub opml: PathBuf,
    /// Report what would be added, write nothing.
    pub dry_run: bool,
    /// Import feeds on private networks too (`--allow-intranet`).
    pub allow_intranet: bool,
}

/// Why an import wrote nothing. Every kind is exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: cannot read: {source}", path.display())]
    ReadOpml {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Opml { path: PathBuf, source: OpmlError },
    /// The config is unreadable or invalid before anything is added.
    #[error("{0}")]
    Config(ConfigError),
    /// The config's TOML could not be edited (it parsed for the checker, so this is rare).
    #[error("{}: cannot edit: {message}", path.display())]
    Edit { path: PathBuf, message: String },
    /// `source` is not written as `[[source]]` tables, so new ones cannot be appended.
    #[error("{}: `source` must be written as [[source]] tables to import into it", path.display())]
    SourceNotTables { path: PathBuf },
    /// The config with the new sources would fail `feedbraid check`; nothing was written.
    #[error("the imported sources would make the config invalid, so nothing was written: {0}")]
    WouldBreak(ConfigError),
    /// The config's edit lock was not had, or the new config could not be written.
    #[error(transparent)]
    File(#[from] EditError),
}

impl ImportError {
    /// The command's exit code.
    pub fn exit_code(&self) -> i32 {
        2
    }
}

/// What an import did (or, with `--dry-run`, would do).
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub plan: ImportPlan,
    pub dry_run: bool,
    /// The config file that was (or would be) changed.
    pub config: PathBuf,
}

impl ImportReport {
    /// One line per outline: what was added, what was skipped and why.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        let verb = if self.dry_run { "would add" } else { "added" };
        for a in &self.plan.added {
            let _ = write!(s, "{verb}: {} <{}>", a.name, a.url);
            if !a.tags.is_empty() {
                let _ = write!(s, " tags: {}", a.tags.join(", "));
            }
            s.push('\n');
            for d in &a.dropped {
                let _ = writeln!(s, "  note: {d}");
            }
        }
        for k in &self.plan.skipped {
            let _ = writeln!(s, "skipped: {}: {}", k.label, k.reason);
        }
        let _ = writeln!(
            s,
            "{}: {} {verb}, {} skipped{}",
            self.config.display(),
            self.plan.added.len(),
            self.plan.skipped.len(),
            if self.dry_run {
                " (dry run: nothing written)"
            } else {
                ""
            }
        );
        s
    }
}

/// Runs an import: plan, append, check, write (unless `dry_run` or nothing is added). All of it
/// under the config's edit lock, so that two imports at once each add their sources (issue 27,
/// defect 4); a dry run takes no lock and writes nothing.
pub fn import(opts: &ImportOptions) -> Result<ImportReport, ImportError> {
    let config_io = |e: std::io::Error| ImportError::Config(ConfigError::io(&opts.config, &e));
    std::fs::metadata(&opts.config).map_err(config_io)?;
    let editing = (!opts.dry_run)
        .then(|| Editing::begin(&opts.config))
        .transpose()?;
    let text = std::fs::read_to_string(&opts.config).map_err(config_io)?;
    let cfg = Config::parse(&text, &opts.config).map_err(ImportError::Config)?;
    let bytes = std::fs::read(&opts.opml).map_err(|source| ImportError::ReadOpml {
        path: opts.opml.clone(),
        source,
    })?;
    let outlines = parse(&bytes).map_err(|source| ImportError::Opml {
        path: opts.opml.clone(),
        source,
    })?;
    let rules = PlanRules {
        allow_intranet: opts.allow_intranet,
    };
    let plan = plan_import(&cfg.sources, &outlines, rules);
    if !plan.added.is_empty() {
        let new_text = append_sources(&text, &plan.added).map_err(|e| match e {
            AppendError::Toml(message) => ImportError::Edit {
                path: opts.config.clone(),
                message,
            },
            AppendError::SourceNotTables => ImportError::SourceNotTables {
                path: opts.config.clone(),
            },
        })?;
        Config::parse(&new_text, &opts.config).map_err(ImportError::WouldBreak)?;
        if let Some(editing) = &editing {
            editing.replace(new_text.as_bytes(), None)?;
        }
    }
    Ok(ImportReport {
        plan,
        dry_run: opts.dry_run,
        config: opts.config.clone(),
    })
}

/// Why [`append_sources`] could not edit the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppendError {
    #[error("{0}")]
    Toml(String),
    #[error("`source` is not an array of [[source]] tables")]
    SourceNotTables,
}

/// The config text with one `[[source]]` table per new source at its end. Everything already in
/// the text is kept byte for byte; trailing comments stay above the new tables.
pub fn append_sources(text: &str, new: &[NewSource]) -> Result<String, AppendError> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| AppendError::Toml(e.to_string()))?;
    let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
    doc.set_trailing("");
    let sources = doc
        .entry("source")
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or(AppendError::SourceNotTables)?;
    for (i, s) in new.iter().enumerate() {
        let mut t = Table::new();
        t.insert("name", value(&s.name));
        t.insert("url", value(&s.url));
        if let Some(h) = &s.homepage {
            t.insert("homepage", value(h));
        }
        if let Some(l) = &s.language {
            t.insert("language", value(l));
        }
        if !s.tags.is_empty() {
            t.insert("tags", value(s.tags.iter().collect::<Array>()));
        }
        let prefix = if i == 0 {
            let kept = trailing.trim_end();
            if kept.is_empty() && text.is_empty() {
                String::new()
            } else if kept.is_empty() {
                "\n".to_string()
            } else {
                format!("{kept}\n\n")
            }
        } else {
            "\n".to_string()
        };
        t.decor_mut().set_prefix(prefix);
        // After every table already in the file, in this order.
        t.set_position(Some(isize::MAX - (new.len() - i) as isize));
        sources.push(t);
    }
    let mut out = doc.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{AppendError, append_sources};
    use crate::ops::import::NewSource;

    fn new(name: &str) -> NewSource {
        NewSource {
            name: name.into(),
            url: "https://p.example.org/feed?a=1&b=\"2\"".into(),
            homepage: None,
            language: Some("th".into()),
            tags: vec!["Thailand".into(), "Partner \"news\"".into()],
            dropped: Vec::new(),
        }
    }

    #[test]
    fn appends_after_everything_keeping_the_text() {
        let text = "# head comment\noutput_dir = \"out\" # why\n\n[[source]]\nname = \"A\"\n\
                    url = \"https://a.example.org/\"\n\n[[entry]]\ntitle = \"x\"\n\n# trailing note\n";
        let out = append_sources(text, &[new("B \"quoted\""), new("C")]).expect("appends");
        assert!(out.starts_with(text.trim_end()), "{out}");
        let tail = &out[text.trim_end().len()..];
        assert_eq!(
            tail,
            r#"

[[source]]
name = 'B "quoted"'
url = 'https://p.example.org/feed?a=1&b="2"'
language = "th"
tags = ["Thailand", 'Partner "news"']

[[source]]
name = "C"
url = 'https://p.example.org/feed?a=1&b="2"'
language = "th"
tags = ["Thailand", 'Partner "news"']
"#
        );
        let back: toml::Table = toml::from_str(&out).expect("valid TOML");
        assert_eq!(back["source"].as_array().map(Vec::len), Some(3));
    }

    #[test]
    fn an_inline_source_array_is_refused() {
        assert_eq!(
            append_sources("source = []\n", &[new("B")]),
            Err(AppendError::SourceNotTables)
        );
    }
}
