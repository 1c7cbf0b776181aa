//! Where a run's library pages (and its topics' feeds) wait for the publication: staged in the
//! output folder as they are rendered, by the thread that rendered them. Each page is compared
//! with the file it replaces, written to a hidden temp file beside it (`.NAME.TOKEN.tmp`, the
//! naming of [`staging`](super::staging), with one token for the whole run) and its gzip copy
//! to another;
//! the publication only flushes and renames them, all or nothing with the rest of the run's
//! files. Should the run stop before that, the stage removes what it staged when it is dropped,
//! and a killed run's temp files are swept by the next (`staging::remove_stale_temps`).
//!
//! Why it exists: a cold run of a large network renders thousands of pages. Held in the run's
//! spool, each was compressed there, read back, decompressed and written on one thread at the
//! publication (0.7 s at 5,000 × 20, a core idle); staged there on every core instead, the
//! workers' allocator arenas kept the buffers they touched (issue 25, round ten). Here the
//! worker that allocated a page writes it and frees it, and nothing per page outlives it but a
//! few flags in its [`Output`](super::sink::Output).

use std::collections::BTreeSet;
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
    /// The folders (inside `dir`) where something was staged: made once each, and swept if the
    /// run stops before its publication.
    folders: Mutex<BTreeSet<PathBuf>>,
    /// Set once the publication has renamed what was staged.
    published: AtomicBool,
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
            folders: Mutex::new(BTreeSet::new()),
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

    /// Renames what was staged for `name` into place: the file, then its copy.
    pub fn rename(&self, name: &str, placed: Placed) -> Result<(), (PathBuf, std::io::Error)> {
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

    /// `name`'s temp file: `.FILE.TOKEN.tmp` in its folder.
    fn temp(&self, name: &str) -> PathBuf {
        let (folder, file) = name.rsplit_once('/').unwrap_or(("", name));
        self.dir
            .join(folder)
            .join(format!(".{file}.{}.tmp", self.token))
    }

    /// Makes `target`'s folder the first time something is staged there, and remembers it.
    fn folder_of(&self, target: &Path) -> std::io::Result<()> {
        let folder = target.parent().unwrap_or(&self.dir);
        let mut folders = self
            .folders
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !folders.contains(folder) {
            std::fs::create_dir_all(folder)?;
            folders.insert(folder.to_path_buf());
        }
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
        for folder in folders {
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

impl PartialEq for Stage {
    /// The same stage: outputs compare by where their bytes are.
    fn eq(&self, other: &Stage) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Stage {}
