//! Where rendered outputs go: a [`Sink`]. [`Disk`] is the output folder, written so that nothing
//! half-written is ever seen and a run publishes all of its files or none: every changed file is
//! first staged as a temporary file in the same folder (written, flushed to disk, made
//! world-readable); only when all are staged are they renamed into place. A target that is not a
//! regular file fails the publish before anything is staged. A file whose bytes are unchanged is
//! not touched at all (its mtime stays, so readers' conditional GETs keep hitting 304). Temp files
//! a killed publish left (`.NAME.XXXXXX.tmp`) are removed by the next one.
//!
//! The one window renames cannot close: the renames themselves are one system call per file, so a
//! crash (or an I/O error) between the first and the last leaves some files new and some old.
//! Each file is still whole, and the next run publishes the rest. [`Memory`] keeps the files in a map, for tests and for a server that renders on demand.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What happened to one output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The file was (re)written.
    Changed,
    /// The bytes there were already these; nothing was written.
    Unchanged,
}

/// One rendered file: its name inside the output folder and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A file could not be published; nothing of this run was.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {err}")]
pub struct PublishError {
    pub path: PathBuf,
    pub err: std::io::Error,
}

/// Receives a run's outputs, all at once.
pub trait Sink {
    /// Publishes every output, or none of them.
    fn publish(&mut self, outputs: &[Output]) -> Result<Vec<(String, Written)>, PublishError>;
}

/// The output folder.
#[derive(Debug, Clone)]
pub struct Disk {
    pub dir: PathBuf,
}

impl Disk {
    /// Fails if a target exists and is not a regular file (a folder, a FIFO): a rename cannot
    /// replace it. Checked before anything is staged, so such a run leaves every file untouched;
    /// a run that publishes in two steps checks the second step's names before the first.
    pub fn check<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Result<(), PublishError> {
        for name in names {
            let path = self.dir.join(name);
            if let Ok(m) = std::fs::symlink_metadata(&path)
                && !m.is_file()
            {
                return Err(PublishError {
                    path,
                    err: std::io::Error::other("exists and is not a regular file"),
                });
            }
        }
        Ok(())
    }
}

impl Sink for Disk {
    fn publish(&mut self, outputs: &[Output]) -> Result<Vec<(String, Written)>, PublishError> {
        remove_stale_temps(&self.dir, outputs);
        self.check(outputs.iter().map(|o| o.name.as_str()))?;
        let mut staged = Vec::new();
        let mut report = Vec::with_capacity(outputs.len());
        for o in outputs {
            let path = self.dir.join(&o.name);
            let fail = |err| PublishError {
                path: path.clone(),
                err,
            };
            if std::fs::read(&path).is_ok_and(|old| old == o.bytes) {
                report.push((o.name.clone(), Written::Unchanged));
                continue;
            }
            // Dropped (and so deleted) if a later file fails: nothing is published then.
            staged.push((stage(&path, &o.bytes).map_err(fail)?, path));
            report.push((o.name.clone(), Written::Changed));
        }
        for (tmp, path) in staged {
            tmp.persist(&path).map_err(|e| PublishError {
                path: path.clone(),
                err: e.error,
            })?;
        }
        Ok(report)
    }
}

/// Whether `file` is a temp file [`stage`] names for one of `names`: `.NAME.XXXXXX.tmp`.
fn is_our_temp(file: &str, is_ours: impl Fn(&str) -> bool) -> bool {
    let Some(inner) = file.strip_prefix('.').and_then(|f| f.strip_suffix(".tmp")) else {
        return false;
    };
    let Some((name, rand)) = inner.rsplit_once('.') else {
        return false;
    };
    rand.len() == 6 && rand.bytes().all(|b| b.is_ascii_alphanumeric()) && is_ours(name)
}

/// Removes the temp files a killed publish left behind (issue 14, defect 6): only our naming,
/// for a file this run publishes or one that is already in the folder. Runs under the run lock,
/// so no other run's temp file can be in flight. Best effort: a file that cannot be removed is
/// left for the next run.
fn remove_stale_temps(dir: &Path, outputs: &[Output]) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let ours = |name: &str| {
            outputs.iter().any(|o| o.name == name)
                || std::fs::symlink_metadata(dir.join(name)).is_ok_and(|m| m.is_file())
        };
        if is_our_temp(&file, ours) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

fn stage(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Outputs may live in a folder of their own (`archive/2026-03.atom`).
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    set_readable(tmp.path())?;
    Ok(tmp)
}

/// Files kept in memory, with the same "unchanged bytes are not rewritten" report as [`Disk`].
#[derive(Debug, Clone, Default)]
pub struct Memory {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Sink for Memory {
    fn publish(&mut self, outputs: &[Output]) -> Result<Vec<(String, Written)>, PublishError> {
        Ok(outputs
            .iter()
            .map(|o| {
                let w = if self.files.get(&o.name) == Some(&o.bytes) {
                    Written::Unchanged
                } else {
                    self.files.insert(o.name.clone(), o.bytes.clone());
                    Written::Changed
                };
                (o.name.clone(), w)
            })
            .collect())
    }
}

#[cfg(unix)]
fn set_readable(p: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn set_readable(_: &Path) -> std::io::Result<()> {
    Ok(())
}
