//! Where rendered outputs go: a [`Sink`]. [`Disk`] is the output folder, written so that nothing
//! half-written is ever seen and a run publishes all of its files or none: every changed file is
//! first staged as a temporary file in the same folder (written, flushed to disk, made
//! world-readable); only when all are staged are they renamed into place. A target that is not a
//! regular file fails the publish before anything is renamed. A file whose bytes are unchanged is
//! not touched at all (its mtime stays, so readers' conditional GETs keep hitting 304). Temp files
//! a killed publish left (`.NAME.XXXXXX.tmp`), and the hidden folders a killed run staged a new
//! folder of pages in (`.partners.XXXXXX.tmp/`), are removed by the next one.
//!
//! The one window renames cannot close: the renames themselves are one system call per file, so a
//! crash (or an I/O error) between the first and the last leaves some files new and some old.
//! Each file is still whole, and the next run publishes the rest.
//!
//! Beside each text output, `Disk` writes its gzip copy (`feed.atom.gz`, see [`precompress`]):
//! staged and renamed with the rest of the publication, right after its file, and only when the
//! file changes or its copy is missing or stale. The library's pages come staged already, with
//! their copies (see [`Stage`](super::stage::Stage)): they are only flushed and renamed here.
//! The copies are not in the report: a run publishes and counts its files, not their encodings.
//! [`Memory`] keeps the files in a map (no copies), for tests and for a server that renders on
//! demand.
//!
//! [`precompress`]: super::precompress

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::precompress::{compressible, copy_name, gzip, has_current_copy, without_current_copy};
use super::staging::{flush, remove_stale_folders, remove_stale_temps, stage_unflushed};
use crate::par::par_map;

pub use super::output::Output;

/// A file staged (see [`staging`](super::staging)), and where it goes.
type Staged = (tempfile::NamedTempFile, PathBuf);

/// One step of the renames, in order.
enum Step<'a> {
    /// A file (or copy) staged by the publication.
    File(Staged),
    /// An output staged when it was rendered: its file, then its copy, whichever were staged.
    Early(&'a Output),
}

/// What happened to each output file, by name.
type Report = Vec<(String, Written)>;

/// What happened to one output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The file was (re)written.
    Changed,
    /// The bytes there were already these; nothing was written.
    Unchanged,
}

/// A file could not be published; nothing of this run was.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {err}")]
pub struct SinkError {
    pub path: PathBuf,
    pub err: std::io::Error,
}

/// Receives a run's outputs, all at once.
pub trait Sink {
    /// Publishes every output, or none of them.
    fn publish(&mut self, outputs: &[Output]) -> Result<Vec<(String, Written)>, SinkError>;
}

/// The output folder.
#[derive(Debug, Clone)]
pub struct Disk {
    pub dir: PathBuf,
}

impl Disk {
    /// Fails if a target exists and is not a regular file (a folder, a FIFO): a rename cannot
    /// replace it. Checked before anything is staged, so such a run leaves every file untouched;
    /// a run that publishes in two steps checks the second step's names before the first. Each
    /// folder is listed once, not each name looked up: a cold run at 5,000 × 20 checks 13,654
    /// names, and their `statx` calls were 26 ms on the run's last, serial stretch.
    pub fn check<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Result<(), SinkError> {
        let mut listed: HashMap<&str, HashSet<std::ffi::OsString>> = HashMap::new();
        for name in names {
            let (folder, file) = name.rsplit_once('/').unwrap_or(("", name));
            let in_the_way = listed
                .entry(folder)
                .or_insert_with(|| not_files(&self.dir.join(folder)));
            if in_the_way.contains(std::ffi::OsStr::new(file)) {
                return Err(SinkError {
                    path: self.dir.join(name),
                    err: std::io::Error::other("exists and is not a regular file"),
                });
            }
        }
        Ok(())
    }
}

/// The names in `folder` that are not regular files (symbolic links included, as
/// `symlink_metadata` sees them); none when it cannot be listed (it is not there yet).
fn not_files(folder: &Path) -> HashSet<std::ffi::OsString> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return HashSet::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| !t.is_file()))
        .map(|e| e.file_name())
        .collect()
}

impl Sink for Disk {
    fn publish(&mut self, outputs: &[Output]) -> Result<Vec<(String, Written)>, SinkError> {
        // Runs under the run lock, so no other run's temp file can be in flight; this run's
        // outputs staged when they were rendered are spared (their stage's token). Every folder
        // the outputs go to: a run killed while rendering leaves pages' temp files in theirs.
        let mut live: Vec<&str> = outputs
            .iter()
            .filter_map(|o| Some(o.placed()?.0.token()))
            .collect();
        live.sort_unstable();
        live.dedup();
        let folders = folders(outputs);
        self.sweep(outputs, &folders, &live);
        let copies: Vec<String> = outputs
            .iter()
            .filter(|o| compressible(&o.name))
            .map(|o| copy_name(&o.name))
            .collect();
        self.check(
            outputs
                .iter()
                .map(|o| o.name.as_str())
                .chain(copies.iter().map(String::as_str)),
        )?;
        // The folders are scanned for files whose copy is missing or stale on the other core
        // while this one stages (the scan reads every file's and copy's times: 0.05 s of a
        // changed run's publication at 5,000 × 20; staged names start with a dot, which it skips).
        let this = &*self;
        let (mut steps, report, stale) = std::thread::scope(|sc| {
            let scan = sc.spawn(|| this.without_copies(outputs, &folders));
            let staged = this.stage(outputs);
            // Should the scan have panicked, scanned again here.
            let stale = scan
                .join()
                .unwrap_or_else(|_| this.without_copies(outputs, &folders));
            staged.map(|(steps, report)| (steps, report, stale))
        })?;
        // Files this publication leaves as they are (views not rendered again, closed archive
        // months, a file edited by hand) get a copy when theirs is missing or stale.
        for name in stale {
            let path = self.dir.join(&name);
            let bytes = std::fs::read(&path).map_err(fail(&path))?;
            steps.push(Step::File(stage_copy(&self.dir, &name, &bytes)?));
        }
        // Every staged byte on disk before the first rename: all or nothing, after a crash too.
        let files: Vec<&std::fs::File> = steps
            .iter()
            .filter_map(|s| match s {
                Step::File((t, _)) => Some(t.as_file()),
                Step::Early(_) => None,
            })
            .collect();
        let whole = flush(&self.dir, &files).map_err(fail(&self.dir))?;
        if !whole {
            for o in outputs {
                if let Some((stage, placed)) = o.placed() {
                    stage
                        .sync(&o.name, placed)
                        .map_err(fail(&self.dir.join(&o.name)))?;
                }
            }
        }
        for step in steps {
            match step {
                Step::File((tmp, path)) => {
                    tmp.persist(&path).map(|_| ()).map_err(|e| SinkError {
                        path: path.clone(),
                        err: e.error,
                    })?
                }
                Step::Early(o) => {
                    if let Some((stage, placed)) = o.placed() {
                        stage
                            .rename(&o.name, placed)
                            .map_err(|(path, err)| SinkError { path, err })?;
                    }
                }
            }
        }
        for o in outputs {
            if let Some((stage, _)) = o.placed() {
                stage.published();
            }
        }
        Ok(report)
    }
}

impl Disk {
    /// Removes what a killed run left in the folders `outputs` are written to (`folders`): its
    /// temp files, and its hidden folders of pages staged whole (each parent listed once); but
    /// what this run's stages (tokens `live`) staged.
    fn sweep(&self, outputs: &[Output], folders: &[(&str, String)], live: &[&str]) {
        let mut children: BTreeMap<&str, HashSet<&str>> = BTreeMap::new();
        for (folder, _) in folders.iter().filter(|(f, _)| !f.is_empty()) {
            let (parent, base) = folder.rsplit_once('/').unwrap_or(("", folder));
            children.entry(parent).or_default().insert(base);
        }
        for (parent, bases) in &children {
            remove_stale_folders(&self.dir.join(parent), live, |n| bases.contains(n));
        }
        for (folder, prefix) in folders {
            let path = self.dir.join(folder);
            remove_stale_temps(&path, live, |name| {
                let name = format!("{prefix}{name}");
                outputs
                    .iter()
                    .any(|o| o.name == name || copy_name(&o.name) == name)
                    || std::fs::symlink_metadata(self.dir.join(&name)).is_ok_and(|m| m.is_file())
            });
        }
    }

    /// Stages every output that changed and every gzip copy wanted, in rename order (each file,
    /// then its copy); with the report of what changed. Dropped (and so deleted) if a later file
    /// fails: nothing is published then. Outputs staged when they were rendered are only put in
    /// their place in the order.
    fn stage<'a>(&self, outputs: &'a [Output]) -> Result<(Vec<Step<'a>>, Report), SinkError> {
        // Which files changed, and which need a new gzip copy; the copies compressed on every
        // core (a thousand pages made compression most of a publication), the files staged on
        // this thread: staged on every core too, a cold run at 5,000 × 20 published 0.15 s
        // sooner but its peak RSS rose from 95–98 MB to 95–116 MB, the workers' allocator
        // arenas keeping what they touched (issue 25, round ten).
        let same: Vec<bool> = outputs
            .iter()
            .map(|o| match o.placed() {
                Some((_, placed)) => !placed.file,
                None => o.same_as(&self.dir.join(&o.name)),
            })
            .collect();
        let plain: Vec<(&str, &[u8])> = outputs
            .iter()
            .zip(&same)
            .filter(|(o, same)| {
                compressible(&o.name) && !(**same && has_current_copy(&self.dir.join(&o.name)))
            })
            .filter_map(|(o, _)| Some((o.name.as_str(), o.plain()?)))
            .collect();
        let mut gz: BTreeMap<&str, std::io::Result<Vec<u8>>> = plain
            .iter()
            .map(|(name, _)| *name)
            .zip(par_map(&plain, |(_, b)| gzip(b)).map_err(|_| SinkError {
                path: self.dir.clone(),
                err: std::io::Error::other("compressing the gzip copies panicked"),
            })?)
            .collect();
        let mut steps = Vec::new();
        let mut report = Vec::with_capacity(outputs.len());
        for (o, same) in outputs.iter().zip(same) {
            match o.plain() {
                None => steps.push(Step::Early(o)),
                Some(bytes) => {
                    let path = self.dir.join(&o.name);
                    if !same {
                        let tmp = stage_unflushed(&path, bytes).map_err(fail(&path))?;
                        steps.push(Step::File((tmp, path)));
                    }
                    if let Some(copy) = gz.remove(o.name.as_str()) {
                        let copy_path = self.dir.join(copy_name(&o.name));
                        let tmp = copy
                            .and_then(|gz| stage_unflushed(&copy_path, &gz))
                            .map_err(fail(&copy_path))?;
                        steps.push(Step::File((tmp, copy_path)));
                    }
                }
            }
            let written = if same {
                Written::Unchanged
            } else {
                Written::Changed
            };
            report.push((o.name.clone(), written));
        }
        Ok((steps, report))
    }

    /// The compressible files already in the folders `outputs` are written to, other than
    /// `outputs` themselves, whose gzip copy is missing or older than they are.
    fn without_copies(&self, outputs: &[Output], folders: &[(&str, String)]) -> Vec<String> {
        folders
            .iter()
            .flat_map(|(d, prefix)| without_current_copy(&self.dir.join(d), prefix))
            .filter(|n| !outputs.iter().any(|o| o.name == *n))
            .collect()
    }
}

/// The folders `outputs` are written to (`""` for the output folder itself, always there),
/// sorted, each once, with the prefix of a file's name in each (`"partners/"`, `""`).
fn folders(outputs: &[Output]) -> Vec<(&str, String)> {
    let mut dirs: Vec<&str> = outputs
        .iter()
        .map(|o| o.name.rsplit_once('/').map_or("", |(d, _)| d))
        .chain([""])
        .collect();
    dirs.sort_unstable();
    dirs.dedup();
    dirs.into_iter()
        .map(|d| {
            let prefix = if d.is_empty() {
                String::new()
            } else {
                format!("{d}/")
            };
            (d, prefix)
        })
        .collect()
}

fn fail(path: &Path) -> impl Fn(std::io::Error) -> SinkError + '_ {
    move |err| SinkError {
        path: path.to_path_buf(),
        err,
    }
}

/// Stages the gzip copy of `name` (whose bytes are `bytes`), to be renamed after `name`.
fn stage_copy(dir: &Path, name: &str, bytes: &[u8]) -> Result<Staged, SinkError> {
    let path = dir.join(copy_name(name));
    let staged = gzip(bytes)
        .and_then(|gz| stage_unflushed(&path, &gz))
        .map_err(fail(&path))?;
    Ok((staged, path))
}

/// Files kept in memory, with the same "unchanged bytes are not rewritten" report as [`Disk`].
#[derive(Debug, Clone, Default)]
pub struct Memory {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Sink for Memory {
    fn publish(&mut self, outputs: &[Output]) -> Result<Vec<(String, Written)>, SinkError> {
        outputs
            .iter()
            .map(|o| {
                let bytes = o.bytes().map_err(|err| SinkError {
                    path: PathBuf::from(&o.name),
                    err,
                })?;
                let w = if self.files.get(&o.name).map(Vec::as_slice) == Some(&bytes[..]) {
                    Written::Unchanged
                } else {
                    self.files.insert(o.name.clone(), bytes.into_owned());
                    Written::Changed
                };
                Ok((o.name.clone(), w))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod whole_tests;
