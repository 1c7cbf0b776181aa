//! `withdrawn.toml`: reading it (errors name the file, the line and the key, like `feeds.toml`'s)
//! and changing it with toml_edit, so an editor's comments and layout survive `withdraw` and
//! `--undo`. Writes are atomic (a temp file in the same folder, then a rename).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use toml::Spanned;

use super::{Withdrawal, Withdrawals};
use crate::config::ConfigError;

/// The file's name, beside `feeds.toml`.
pub const FILE_NAME: &str = "withdrawn.toml";

const HEADER: &str = "\
# Entries withdrawn from every output of feedbraid (the main feed, every view, Atom, JSON and
# HTML). `feedbraid withdraw` adds to this file and `feedbraid withdraw --undo` removes from it;
# review and version it together with feeds.toml. An entry is matched by its id, or by its link.
# `reason` is public: it is shown in the feed's tombstone for the entry.
";

/// Reading or writing `withdrawn.toml` failed.
#[derive(Debug, thiserror::Error)]
pub enum WithdrawnError {
    #[error("{0}")]
    Syntax(#[from] ConfigError),
    #[error("cannot read or write {path}: {err}")]
    Io { path: PathBuf, err: std::io::Error },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    withdrawn: Vec<Spanned<RawWithdrawal>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWithdrawal {
    id: String,
    link: Option<String>,
    title: Option<String>,
    when: Spanned<toml::Value>,
    reason: Option<String>,
}

/// `withdrawn.toml` beside the config file `config`.
pub fn path_beside(config: &Path) -> PathBuf {
    config
        .parent()
        .map_or_else(|| PathBuf::from(FILE_NAME), |d| d.join(FILE_NAME))
}

/// Parses the file's text.
pub fn parse(text: &str, path: &Path) -> Result<Withdrawals, ConfigError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
    let mut list = Vec::with_capacity(raw.withdrawn.len());
    for (i, w) in raw.withdrawn.into_iter().enumerate() {
        let w = w.into_inner();
        let text_when = match w.when.get_ref() {
            toml::Value::String(s) => s.trim().to_string(),
            toml::Value::Datetime(d) => d.to_string(),
            _ => String::new(),
        };
        let when = DateTime::parse_from_rfc3339(&text_when)
            .map_err(|_| {
                ConfigError::at(
                    path,
                    text,
                    w.when.span(),
                    &format!("withdrawn[{i}].when"),
                    "must be an RFC 3339 date and time, such as 2026-11-29T10:00:00Z",
                )
            })?
            .with_timezone(&Utc);
        list.push(Withdrawal {
            id: w.id,
            link: w.link,
            title: w.title,
            when,
            reason: w.reason.filter(|r| !r.trim().is_empty()),
        });
    }
    Ok(Withdrawals::new(list))
}

/// Reads the file; a missing file means nothing is withdrawn.
pub fn load(path: &Path) -> Result<Withdrawals, WithdrawnError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(parse(&text, path)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Withdrawals::default()),
        Err(err) => Err(WithdrawnError::Io {
            path: path.to_path_buf(),
            err,
        }),
    }
}

fn read_doc(path: &Path) -> Result<toml_edit::DocumentMut, WithdrawnError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => HEADER.to_string(),
        Err(err) => {
            return Err(WithdrawnError::Io {
                path: path.to_path_buf(),
                err,
            });
        }
    };
    // Checked with the same reader the runs use, so a bad hand edit is reported, not rewritten.
    parse(&text, path)?;
    text.parse().map_err(|e: toml_edit::TomlError| {
        WithdrawnError::Syntax(ConfigError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            key: String::new(),
            message: e.to_string(),
        })
    })
}

fn write_doc(path: &Path, doc: &toml_edit::DocumentMut) -> Result<(), WithdrawnError> {
    let io = |err| WithdrawnError::Io {
        path: path.to_path_buf(),
        err,
    };
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    let mut tmp = tempfile::NamedTempFile::new_in(dir.unwrap_or(Path::new("."))).map_err(io)?;
    std::io::Write::write_all(&mut tmp, doc.to_string().as_bytes()).map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Appends withdrawals to the file (creating it with an explanatory header).
pub fn add(path: &Path, new: &[Withdrawal]) -> Result<(), WithdrawnError> {
    let mut doc = read_doc(path)?;
    let list = doc
        .entry("withdrawn")
        .or_insert_with(|| toml_edit::Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
    let Some(list) = list.as_array_of_tables_mut() else {
        return Err(WithdrawnError::Syntax(ConfigError {
            file: path.to_path_buf(),
            line: 0,
            column: 0,
            key: "withdrawn".into(),
            message: "must be a list of [[withdrawn]] tables".into(),
        }));
    };
    for w in new {
        let mut t = toml_edit::Table::new();
        t["id"] = toml_edit::value(w.id.as_str());
        if let Some(l) = &w.link {
            t["link"] = toml_edit::value(l.as_str());
        }
        if let Some(title) = &w.title {
            t["title"] = toml_edit::value(title.as_str());
        }
        t["when"] = toml_edit::value(w.when.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        if let Some(r) = &w.reason {
            t["reason"] = toml_edit::value(r.as_str());
        }
        list.push(t);
    }
    write_doc(path, &doc)
}

/// Removes the withdrawals whose id or link is one of `keys`; returns how many were removed.
pub fn remove(path: &Path, keys: &[String]) -> Result<usize, WithdrawnError> {
    let mut doc = read_doc(path)?;
    let Some(list) = doc
        .get_mut("withdrawn")
        .and_then(|w| w.as_array_of_tables_mut())
    else {
        return Ok(0);
    };
    let before = list.len();
    let canonical: Vec<Option<String>> = keys
        .iter()
        .map(|k| crate::text::links::canonical(k))
        .collect();
    list.retain(|t| {
        let id = t.get("id").and_then(|v| v.as_str()).unwrap_or_default();
        let link = t
            .get("link")
            .and_then(|v| v.as_str())
            .and_then(crate::text::links::canonical);
        !keys
            .iter()
            .zip(&canonical)
            .any(|(k, c)| k == id || (c.is_some() && *c == link))
    });
    let removed = before - list.len();
    if removed > 0 {
        write_doc(path, &doc)?;
    }
    Ok(removed)
}
