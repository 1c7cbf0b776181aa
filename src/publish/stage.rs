//! Where a run's library pages (and its topics' feeds) wait for the publication: staged in the
//! output folder as they are rendered, by the thread that rendered them. Each page is compared
//! with the file it replaces, written to a hidden temp file beside it (`.NAME.TOKEN.tmp`, the
//! naming of [`staging`](super::staging), with one token for the whole run) and its gzip copy
//! to another;
//! the publication only flushes and renames them, all or nothing with the rest of the run's
//! files. Should the run stop before that, the stage removes what it staged when it is dropped,
//! and a killed run's temp files are swept by the next (`staging::remove_stale_temps`).
//!
//! A folder that is not there yet (every folder of pages, on a cold run) is staged whole: its
//! files wait under their own names in a hidden folder beside it (`.partners.TOKEN.tmp/`), which
//! the publication renames into place once. Renamed one by one, the 13,654 files of a cold run
//! at 5,000 × 20 took 80 ms of its last stretch, on one thread (issue 25, round twenty-one).
//! Should something else have made the folder meanwhile (a file the publication stages beside
//! the pages), the files are moved into it one by one after all. A killed run's hidden folders
//! are swept by the next (`staging::remove_stale_folders`).
//!
//! Why it exists: a cold run of a large network renders thousands of pages. Held in the run's
//! spool, each was compressed there, read back, decompressed and written on one thread at the
//! publication (0.7 s at 5,000 × 20, a core idle); staged there on every core instead, the
//! workers' allocator arenas kept the buffers they touched (issue 25, round ten). Here the
//! worker that allocated a page writes it and frees it, and nothing per page outlives it but a
//! few flags in its [`Output`](super::sink::Output).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use super::precompress::{Effort, compressible, copy_name, gzip_then, has_current_copy};

/// The run's staged pages: their folder and the token in their temp files' names.
#[derive(Debug)]
pub struct Stage {
    dir: PathBuf,
    /// Six letters and digits, this stage's alone: `.NAME.TOKEN.tmp`.
    token: String,
    /// The folders (inside `dir`) where something was staged, with where their files wait: made
    /// once each, and swept if the run stops before its publication.
    folders: Mutex<BTreeMap<PathBuf, Folder>>,
    /// Set once the publication has renamed what was staged.
    published: AtomicBool,
}

/// Where the files staged for one folder wait.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Folder {
    /// The folder was there: beside the files they replace, under temp names.
    There,
    /// The folder was not there: all in this hidden folder beside it, under their own names.
    Whole(PathBuf),
    /// Staged whole, and renamed into place.
    Moved,
}

/// What was staged for one file: whether it was (not when its bytes are already there), whether
/// its gzip copy was, and its length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub len: usize,
    pub file: bool,
    pub copy: bool,
}

impl Stage {
    /// A stage for the output folder `dir`, with a token no temp file there has.
    pub fn in_dir(dir: &Path) -> std::io::Result<Stage> {
        // The token is a temp file's own random part: tempfile draws it and makes sure no file
        // of that name exists; the file itself is not needed.
        std::fs::create_dir_all(dir)?;
        let probe = super::staging::temp_file(dir, "stage")?;
        let token = probe
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".tmp"))
            .and_then(|n| n.rsplit_once('.'))
            .map(|(_, t)| t.to_string())
            .ok_or_else(|| std::io::Error::other("no token in a temp file's name"))?;
        Ok(Stage {
            dir: dir.to_path_buf(),
            token,
            folders: Mutex::new(BTreeMap::new()),
            published: AtomicBool::new(false),
        })
    }

    /// The random part of this stage's temp files' names.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Stages `bytes` as the file `name` (unless the file there holds them already) and its
    /// gzip copy, compressed at `effort` (unless it needs none, or has a current one beside an
    /// unchanged file).
    pub fn put(&self, name: &str, bytes: &[u8], effort: Effort) -> std::io::Result<Placed> {
        let target = self.dir.join(name);
        let same = std::fs::read(&target).is_ok_and(|old| old == bytes);
        let copy = compressible(name) && !(same && has_current_copy(&target));
        if !same || copy {
            self.folder_of(&target)?;
        }
        if !same {
            self.write(&self.temp(name), bytes)?;
        }
        if copy {
            // After the file: a copy is current when it is at least as new as its file.
            let copy = self.temp(&copy_name(name));
            gzip_then(effort, bytes, |gz| self.write(&copy, gz))??;
        }
        Ok(Placed {
            len: bytes.len(),
            file: !same,
            copy,
        })
    }

    /// The bytes staged as `name`, or (not staged: unchanged, or published) the file there.
    pub fn read(&self, name: &str, placed: Placed) -> std::io::Result<Vec<u8>> {
        if placed.file && !self.published.load(Ordering::Relaxed) {
            std::fs::read(self.temp(name))
        } else {
            std::fs::read(self.dir.join(name))
        }
    }

    /// Flushes what was staged for `name` to disk (where the system has no `syncfs`).
    pub fn sync(&self, name: &str, placed: Placed) -> std::io::Result<()> {
        let staged = [
            (placed.file, name.to_string()),
            (placed.copy, copy_name(name)),
        ];
        for (_, n) in staged.iter().filter(|(yes, _)| *yes) {
            std::fs::File::open(self.temp(n))?.sync_all()?;
        }
        Ok(())
    }

    /// Renames what was staged for `name` into place: the file, then its copy; or, the first
    /// time for a folder staged whole, the folder.
    pub fn rename(&self, name: &str, placed: Placed) -> Result<(), (PathBuf, std::io::Error)> {
        let folder = self.dir.join(name.rsplit_once('/').map_or("", |(f, _)| f));
        let place = self.folders().get(&folder).cloned();
        match place {
            Some(Folder::Moved) => return Ok(()),
            Some(Folder::Whole(hidden)) => {
                move_folder(&hidden, &folder)?;
                self.folders().insert(folder, Folder::Moved);
                return Ok(());
            }
            _ => {}
        }
        let staged = [
            (placed.file, name.to_string()),
            (placed.copy, copy_name(name)),
        ];
        for (_, n) in staged.iter().filter(|(yes, _)| *yes) {
            let target = self.dir.join(n);
            std::fs::rename(self.temp(n), &target).map_err(|e| (target, e))?;
        }
        Ok(())
    }

    /// Says that the publication has renamed everything staged: nothing to sweep on drop.
    pub fn published(&self) {
        self.published.store(true, Ordering::Relaxed);
    }

    /// Where `name` is staged: `.FILE.TOKEN.tmp` in its folder, or `FILE` in the hidden folder
    /// of a folder staged whole (or, once that is renamed, in its place).
    fn temp(&self, name: &str) -> PathBuf {
        let (folder, file) = name.rsplit_once('/').unwrap_or(("", name));
        let folder = self.dir.join(folder);
        match self.folders().get(&folder) {
            Some(Folder::Whole(hidden)) => hidden.join(file),
            Some(Folder::Moved) => folder.join(file),
            _ => folder.join(format!(".{file}.{}.tmp", self.token)),
        }
    }

    fn folders(&self) -> std::sync::MutexGuard<'_, BTreeMap<PathBuf, Folder>> {
        self.folders
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes `target`'s folder the first time something is staged there, and remembers it: a
    /// hidden folder beside it when it is not there and its parent is.
    fn folder_of(&self, target: &Path) -> std::io::Result<()> {
        let folder = target.parent().unwrap_or(&self.dir);
        let mut folders = self.folders();
        if folders.contains_key(folder) {
            return Ok(());
        }
        let missing = folder != self.dir
            && std::fs::symlink_metadata(folder)
                .is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound);
        let beside = folder
            .parent()
            .zip(folder.file_name())
            .filter(|(parent, _)| missing && parent.is_dir());
        let place = match beside {
            Some((parent, base)) => {
                let hidden = parent.join(format!(".{}.{}.tmp", base.to_string_lossy(), self.token));
                // One left by a dead run with the same token (the run lock says it is dead).
                if std::fs::symlink_metadata(&hidden).is_ok() {
                    std::fs::remove_dir_all(&hidden)?;
                }
                std::fs::create_dir(&hidden)?;
                Folder::Whole(hidden)
            }
            None => {
                std::fs::create_dir_all(folder)?;
                Folder::There
            }
        };
        folders.insert(folder.to_path_buf(), place);
        Ok(())
    }

    /// Writes a temp file of ours, world-readable whatever the umask. One left by an earlier
    /// run with the same token (which the run lock says is dead) is replaced.
    fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let create = || {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path)
        };
        let mut f = match create() {
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                std::fs::remove_file(path)?;
                create()?
            }
            other => other?,
        };
        f.write_all(bytes)?;
        super::staging::set_readable(&f)
    }
}

impl Drop for Stage {
    /// A run that stopped before its publication leaves nothing staged behind.
    fn drop(&mut self) {
        if self.published.load(Ordering::Relaxed) {
            return;
        }
        let suffix = format!(".{}.tmp", self.token);
        let folders = std::mem::take(
            self.folders
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for (folder, place) in folders {
            match place {
                Folder::Whole(hidden) => {
                    let _ = std::fs::remove_dir_all(hidden);
                    continue;
                }
                Folder::Moved => continue,
                Folder::There => {}
            }
            let Ok(entries) = std::fs::read_dir(&folder) else {
                continue;
            };
            for e in entries.flatten() {
                let name = e.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') && name.ends_with(&suffix) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

/// Renames the hidden folder `hidden` to `folder`; where something made `folder` meanwhile,
/// moves what `hidden` holds into it one file at a time, and removes `hidden`.
fn move_folder(hidden: &Path, folder: &Path) -> Result<(), (PathBuf, std::io::Error)> {
    let fail = |path: &Path| {
        let path = path.to_path_buf();
        move |e| (path, e)
    };
    match std::fs::rename(hidden, folder) {
        Ok(()) => return Ok(()),
        Err(_) if folder.is_dir() => {}
        Err(e) => return Err((folder.to_path_buf(), e)),
    }
    for e in std::fs::read_dir(hidden).map_err(fail(hidden))? {
        let e = e.map_err(fail(hidden))?;
        let target = folder.join(e.file_name());
        std::fs::rename(e.path(), &target).map_err(fail(&target))?;
    }
    std::fs::remove_dir(hidden).map_err(fail(hidden))
}

impl PartialEq for Stage {
    /// The same stage: outputs compare by where their bytes are.
    fn eq(&self, other: &Stage) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Stage {}
