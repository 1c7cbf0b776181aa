//! Where rendered outputs go: a [`Sink`]. [`Disk`] is the output folder, written so that nothing
//! half-written is ever seen and a run publishes all of its files or none: every changed file is
//! first staged as a temporary file in the same folder (written, flushed to disk, made
//! world-readable); only when all are staged are they renamed into place. A file whose bytes are
//! unchanged is not touched at all (its mtime stays, so readers' conditional GETs keep hitting
//! 304). [`Memory`] keeps the files in a map, for tests and for a server that renders on demand.

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

impl Sink for Disk {
    fn publish(&mut self, outputs: &[Output]) -> Result<Vec<(String, Written)>, PublishError> {
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

fn stage(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
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
