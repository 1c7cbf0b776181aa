//! `withdrawn.toml`: reading it (errors name the file, the line and the key, like `feeds.toml`'s)
//! and changing its text with toml_edit, so an editor's comments and layout survive `withdraw`
//! and `--undo`, the header staying on top. Text in, text out: `ops::withdraw` reads and writes
//! the file (under its edit lock, atomically, keeping its mode and owner: `ops::edit`).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use toml::Spanned;
use toml_edit::{ArrayOfTables, DocumentMut, Item, Table, value};

use super::{Withdrawal, Withdrawals};
use crate::config::ConfigError;
use crate::text::links;

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

/// The text as a `toml_edit` document, checked first with the same reader the runs use, so a bad
/// hand edit is reported, not rewritten. `None` is a file not made yet: the header alone.
fn read_doc(path: &Path, text: Option<&str>) -> Result<DocumentMut, WithdrawnError> {
    let text = text.unwrap_or(HEADER);
    parse(text, path)?;
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

/// The document's `[[withdrawn]]` tables (made if missing).
fn tables<'a>(
    doc: &'a mut DocumentMut,
    path: &Path,
) -> Result<&'a mut ArrayOfTables, WithdrawnError> {
    doc.entry("withdrawn")
        .or_insert_with(|| Item::ArrayOfTables(ArrayOfTables::new()))
        .as_array_of_tables_mut()
        .ok_or_else(|| {
            WithdrawnError::Syntax(ConfigError {
                file: path.to_path_buf(),
                line: 0,
                column: 0,
                key: "withdrawn".into(),
                message: "must be a list of [[withdrawn]] tables".into(),
            })
        })
}

/// Puts the comment block at the end of the document (where `toml_edit` keeps the comments of a
/// file with no table yet) above the first table instead (issue 27, defect 8): all of it when the
/// file had no table before (`fresh`), else only our own header and what follows it (a file an
/// earlier version left with its header at the bottom).
fn header_on_top(doc: &mut DocumentMut, fresh: bool) {
    let trailing = doc.trailing().as_str().unwrap_or_default().to_string();
    let ours = trailing.find(HEADER.lines().next().unwrap_or_default());
    let at = match (fresh, ours) {
        (true, _) => 0,
        (false, Some(at)) => at,
        (false, None) => return,
    };
    let (kept, moved) = trailing.split_at(at);
    if moved.trim().is_empty() {
        return;
    }
    let first = doc
        .get_mut("withdrawn")
        .and_then(Item::as_array_of_tables_mut)
        .and_then(|l| l.get_mut(0));
    if let Some(first) = first {
        let own = first
            .decor()
            .prefix()
            .and_then(|p| p.as_str())
            .unwrap_or_default();
        let own = own.trim_start_matches(['\n', '\r']).to_string();
        first
            .decor_mut()
            .set_prefix(format!("{}\n\n{own}", moved.trim()));
        let kept = kept.trim_end();
        doc.set_trailing(if kept.is_empty() {
            String::new()
        } else {
            format!("{kept}\n")
        });
    }
}

/// The file's text (`None`: no file yet) with `new` appended, the header on top.
pub fn with_added(
    path: &Path,
    text: Option<&str>,
    new: &[Withdrawal],
) -> Result<String, WithdrawnError> {
    let mut doc = read_doc(path, text)?;
    let list = tables(&mut doc, path)?;
    let fresh = list.is_empty();
    for w in new {
        let mut t = Table::new();
        t["id"] = value(w.id.as_str());
        if let Some(l) = &w.link {
            t["link"] = value(l.as_str());
        }
        if let Some(title) = &w.title {
            t["title"] = value(title.as_str());
        }
        t["when"] = value(w.when.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        if let Some(r) = &w.reason {
            t["reason"] = value(r.as_str());
        }
        list.push(t);
    }
    header_on_top(&mut doc, fresh);
    Ok(doc.to_string())
}

/// What [`without`] made of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// The new text.
    pub text: String,
    /// How many withdrawals were taken out.
    pub removed: usize,
    /// The keys that named no withdrawal, in the order given.
    pub unmatched: Vec<String>,
}

/// The file's text without the withdrawals whose id or link is one of `keys`, in one pass
/// however many keys there are (issue 27, defect 6). The comments above a removed first table
/// (the file's header) move to the next one, or stay as the file's only text.
pub fn without(path: &Path, text: &str, keys: &[String]) -> Result<Removed, WithdrawnError> {
    let mut doc = read_doc(path, Some(text))?;
    let by_id: HashSet<&str> = keys.iter().map(String::as_str).collect();
    let mut by_link: HashMap<String, Vec<&str>> = HashMap::new();
    for k in keys {
        if let Some(c) = links::canonical(k) {
            by_link.entry(c).or_default().push(k);
        }
    }
    let mut matched: HashSet<&str> = HashSet::new();
    let list = tables(&mut doc, path)?;
    let keep: Vec<bool> = list
        .iter()
        .map(|t| {
            let id = t.get("id").and_then(|v| v.as_str()).unwrap_or_default();
            let mut hit = by_id.get(id).copied().inspect(|k| {
                matched.insert(*k);
            });
            let link = t
                .get("link")
                .and_then(|v| v.as_str())
                .and_then(links::canonical);
            if let Some(ks) = link.and_then(|l| by_link.get(&l)) {
                matched.extend(ks.iter().copied());
                hit = hit.or(ks.first().copied());
            }
            hit.is_none()
        })
        .collect();
    let removed = keep.iter().filter(|k| !**k).count();
    let header = (keep.first() == Some(&false))
        .then(|| {
            list.get(0)
                .and_then(|t| t.decor().prefix()?.as_str().map(str::to_string))
        })
        .flatten();
    let mut flags = keep.iter();
    list.retain(|_| flags.next().copied().unwrap_or(true));
    if let Some(header) = header.filter(|h| !h.trim().is_empty()) {
        if list.is_empty() {
            doc.set_trailing(format!("{}\n", header.trim()));
        } else if let Some(first) = list.get_mut(0) {
            let own = first
                .decor()
                .prefix()
                .and_then(|p| p.as_str())
                .unwrap_or_default();
            let own = own.trim_start_matches(['\n', '\r']).to_string();
            first
                .decor_mut()
                .set_prefix(format!("{}\n\n{own}", header.trim_end()));
        }
    }
    header_on_top(&mut doc, false);
    let unmatched = keys
        .iter()
        .filter(|k| !matched.contains(k.as_str()))
        .cloned()
        .collect();
    Ok(Removed {
        text: doc.to_string(),
        removed,
        unmatched,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use chrono::TimeZone;

    use super::{HEADER, Withdrawal, parse, with_added, without};

    fn w(id: &str) -> Withdrawal {
        Withdrawal {
            id: id.into(),
            link: Some(format!("https://p.example.org/{id}")),
            title: Some(format!("Item {id}")),
            when: chrono::Utc
                .with_ymd_and_hms(2026, 1, 5, 8, 0, 0)
                .single()
                .expect("a date"),
            reason: None,
        }
    }

    fn ids(text: &str) -> Vec<String> {
        let p = Path::new("withdrawn.toml");
        let list = parse(text, p).expect("parses").list;
        list.into_iter().map(|w| w.id).collect()
    }

    #[test]
    fn the_header_stays_on_top_through_adding_and_removing() {
        let p = Path::new("withdrawn.toml");
        let one = with_added(p, None, &[w("a")]).expect("adds");
        assert_eq!(
            one,
            format!(
                "{HEADER}\n[[withdrawn]]\nid = \"a\"\nlink = \"https://p.example.org/a\"\n\
                 title = \"Item a\"\nwhen = \"2026-01-05T08:00:00Z\"\n"
            )
        );
        let two = with_added(p, Some(&one), &[w("b"), w("c")]).expect("adds");
        assert!(
            two.starts_with(&format!("{HEADER}\n[[withdrawn]]\nid = \"a\"")),
            "{two}"
        );
        assert_eq!(ids(&two), ["a", "b", "c"]);
        // By id and by link, in one pass; a key naming nothing is reported, not an error here.
        let keys = [
            "a".to_string(),
            "https://p.example.org/c?utm_source=x".into(),
            "zz".into(),
        ];
        let r = without(p, &two, &keys).expect("removes");
        assert_eq!(
            (r.removed, r.unmatched.as_slice()),
            (2, &["zz".to_string()][..])
        );
        assert!(
            r.text
                .starts_with(&format!("{HEADER}\n[[withdrawn]]\nid = \"b\"")),
            "{}",
            r.text
        );
        let none = without(p, &r.text, &["b".to_string()]).expect("removes");
        assert_eq!(none.text.trim_end(), HEADER.trim_end());
        assert_eq!(ids(&none.text), Vec::<String>::new());
        let again = with_added(p, Some(&none.text), &[w("d")]).expect("adds");
        assert!(
            again.starts_with(&format!("{HEADER}\n[[withdrawn]]\nid = \"d\"")),
            "{again}"
        );
    }

    #[test]
    fn a_header_left_at_the_bottom_is_put_back_on_top() {
        let p = Path::new("withdrawn.toml");
        let bottom = format!(
            "[[withdrawn]]\nid = \"a\"\nwhen = \"2026-01-05T08:00:00Z\"\n# mine\n\n{HEADER}"
        );
        let fixed = with_added(p, Some(&bottom), &[w("b")]).expect("adds");
        assert!(fixed.starts_with(HEADER), "{fixed}");
        assert_eq!(fixed.matches("# Entries withdrawn").count(), 1, "{fixed}");
        assert!(fixed.contains("# mine"), "{fixed}");
        assert_eq!(ids(&fixed), ["a", "b"]);
    }
}
