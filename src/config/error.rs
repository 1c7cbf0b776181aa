//! Config errors that name the file, the line and the key, as `path:line:column: key: message`.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// A problem in `feeds.toml` (or a local entry's front matter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file the problem is in.
    pub file: PathBuf,
    /// 1-based line, 0 when the file could not be read at all.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// Dotted key path, e.g. `source[2].url`.
    pub key: String,
    /// What is wrong and, where possible, how to fix it.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.key,
                self.message
            )
        }
    }
}

impl std::error::Error for ConfigError {}

/// 1-based line and column of a byte offset.
pub(crate) fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..floor_char_boundary(src, offset)];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The table header (`feed`, `source[3]`, `entry[1].attachments[0]`) in force at `offset`.
fn table_path(src: &str, offset: usize) -> String {
    let mut path = String::new();
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut pos = 0;
    for line in src.split_inclusive('\n') {
        if pos > offset {
            break;
        }
        pos += line.len();
        let t = line.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_string();
            let n = match counts.iter_mut().find(|(k, _)| *k == name) {
                Some((_, c)) => {
                    *c += 1;
                    *c
                }
                None => {
                    counts.push((name.clone(), 0));
                    0
                }
            };
            path = format!("{name}[{n}]");
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            path = name.trim().to_string();
        }
    }
    path
}

impl ConfigError {
    /// An error about the value at `span` of the key `key` (a full dotted path).
    pub(crate) fn at(
        file: &Path,
        src: &str,
        span: Range<usize>,
        key: &str,
        msg: impl Into<String>,
    ) -> Self {
        let (line, column) = line_col(src, span.start);
        ConfigError {
            file: file.to_path_buf(),
            line,
            column,
            key: key.to_string(),
            message: msg.into(),
        }
    }

    /// Converts a TOML syntax or shape error, working out the key from the span and message.
    pub(crate) fn from_toml(file: &Path, src: &str, err: &toml::de::Error) -> Self {
        let span = err.span().unwrap_or(0..0);
        let (line, column) = line_col(src, span.start);
        let msg = err.message().trim().to_string();
        let named = ["unknown field `", "missing field `", "duplicate key `"]
            .iter()
            .find_map(|p| msg.strip_prefix(p))
            .and_then(|r| r.split('`').next())
            .map(str::to_string);
        let key_here = src
            .get(span.clone())
            .and_then(|s| s.lines().next())
            .map(|s| s.split('=').next().unwrap_or(s).trim().to_string())
            .filter(|s| !s.is_empty() && !s.starts_with('[') && !s.contains(' '));
        let table = table_path(src, span.start);
        let leaf = named.or(key_here).unwrap_or_default();
        let key = match (table.is_empty(), leaf.is_empty()) {
            (true, _) => leaf,
            (false, true) => table,
            (false, false) if leaf.starts_with(&format!("{table}.")) => leaf,
            (false, false) => format!("{table}.{leaf}"),
        };
        ConfigError {
            file: file.to_path_buf(),
            line,
            column,
            key: if key.is_empty() {
                "(document)".into()
            } else {
                key
            },
            message: msg,
        }
    }

    /// The file could not be read.
    pub fn io(file: &Path, err: &std::io::Error) -> Self {
        ConfigError {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            key: String::new(),
            message: format!("cannot read: {err}"),
        }
    }
}
