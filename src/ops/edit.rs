//! Editing a file beside the config safely: `feeds.toml` by `import`, `withdrawn.toml` by
//! `withdraw` (issue 27, defects 4, 5 and 7). An [`Editing`] is one read-modify-write:
//!
//! - **One editor at a time.** An advisory lock on `.NAME.lock` beside the file, waited for up to
//!   [`LOCK_WAIT`] (then refused, writing nothing). The OS drops it if the process dies; the lock
//!   file is removed when the edit ends (a waiter that locked a removed file tries again).
//!   Runs do not take it: they only read these files, and every write is an atomic rename.
//! - **Nothing half-written, nothing left behind.** The new text is staged as `.NAME.XXXXXX.tmp`
//!   in the same folder (the sink's naming, `publish::staging::temp_file`), flushed to disk and
//!   renamed over the file; temp files a killed editor left are swept when the next edit begins
//!   (the sink's `remove_stale_temps`), which the lock makes safe.
//! - **The file stays the service's.** The new file keeps the old one's mode, and its owner and
//!   group where this process may set them (root may; anyone may keep a group they belong to).
//!   A file made for the first time takes those of a model file (`withdrawn.toml` those of
//!   `feeds.toml`, which the same service reads).
//!
//! A symlink is followed: the file it points at is the one locked and replaced.

use std::fs::{File, Metadata};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::publish::staging::{remove_stale_temps, temp_file};

/// How long an edit waits for another editor of the same file before it refuses.
pub const LOCK_WAIT: Duration = Duration::from_secs(30);

/// An edit could not begin or could not be written; the file is as it was.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error(
        "{} is being edited by another feedbraid command (it has held {} for {} s); nothing was \
         written: try again when it has finished",
        file.display(), lock.display(), waited.as_secs()
    )]
    Busy {
        file: PathBuf,
        lock: PathBuf,
        waited: Duration,
    },
    #[error("cannot {what} {}: {err}", path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        err: std::io::Error,
    },
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> EditError {
    let path = path.to_path_buf();
    move |err| EditError::Io { what, path, err }
}

/// One read-modify-write of a file, holding its edit lock for as long as it lives.
#[derive(Debug)]
pub struct Editing {
    /// The file (a symlink resolved).
    target: PathBuf,
    lock_path: PathBuf,
    _lock: File,
}

impl Editing {
    /// Takes `file`'s edit lock (waiting for another editor up to [`LOCK_WAIT`]), then removes
    /// the temp files a killed edit of it left.
    pub fn begin(file: &Path) -> Result<Editing, EditError> {
        let target = resolve(file);
        let (dir, name) = dir_and_name(&target);
        let lock_path = dir.join(format!(".{name}.lock"));
        let lock = acquire(&target, &lock_path)?;
        remove_stale_temps(&dir, &[], |n| n == name);
        Ok(Editing {
            target,
            lock_path,
            _lock: lock,
        })
    }

    /// The file's text now, or `None` when there is no such file yet.
    pub fn read(&self) -> Result<Option<String>, EditError> {
        match std::fs::read_to_string(&self.target) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io("read", &self.target)(e)),
        }
    }

    /// Replaces the file with `bytes` atomically, keeping its mode, owner and group; a new file
    /// takes those of `model` (mode 0644 without one).
    pub fn replace(&self, bytes: &[u8], model: Option<&Path>) -> Result<(), EditError> {
        let (dir, name) = dir_and_name(&self.target);
        let mut tmp = temp_file(&dir, &name).map_err(io("create a temp file in", &dir))?;
        let like = std::fs::metadata(&self.target)
            .ok()
            .or_else(|| model.and_then(|m| std::fs::metadata(m).ok()));
        let write = io("write", &self.target);
        keep_access(tmp.as_file(), like.as_ref()).map_err(io("set the mode of", tmp.path()))?;
        tmp.write_all(bytes)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(write)?;
        tmp.persist(&self.target)
            .map_err(|e| io("replace", &self.target)(e.error))?;
        // The rename itself made durable; best effort (not every file system lets a folder sync).
        let _ = File::open(&dir).and_then(|d| d.sync_all());
        Ok(())
    }
}

impl Drop for Editing {
    /// Removes the lock file while still holding the lock (the lock goes with the descriptor,
    /// just after): a waiter that then locks the removed file sees it is gone and starts again.
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.lock_path);
    }
}

/// `file` with a symlink resolved; a file that does not exist yet, in its resolved folder.
fn resolve(file: &Path) -> PathBuf {
    if let Ok(t) = std::fs::canonicalize(file) {
        return t;
    }
    let (dir, name) = dir_and_name(file);
    std::fs::canonicalize(&dir).unwrap_or(dir).join(name)
}

fn dir_and_name(file: &Path) -> (PathBuf, String) {
    let dir = file
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (dir.to_path_buf(), name)
}

/// Locks `lock_path` (created if missing), polling until [`LOCK_WAIT`] has passed.
fn acquire(target: &Path, lock_path: &Path) -> Result<File, EditError> {
    let start = Instant::now();
    loop {
        let f = open_lock(lock_path)?;
        match f.try_lock() {
            Ok(()) if still_there(&f, lock_path) => return Ok(f),
            // The holder removed it as it finished: lock the new one.
            Ok(()) => continue,
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < LOCK_WAIT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(EditError::Busy {
                    file: target.to_path_buf(),
                    lock: lock_path.to_path_buf(),
                    waited: start.elapsed(),
                });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(io("lock", lock_path)(e)),
        }
    }
}

/// The lock file, for writing, or for reading when another user made it (a lock needs neither).
fn open_lock(path: &Path) -> Result<File, EditError> {
    let rw = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path);
    match rw {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            File::open(path).map_err(io("open the lock file", path))
        }
        Err(e) => Err(io("create the lock file", path)(e)),
    }
}

/// Whether the locked descriptor `f` is still the file at `path`.
#[cfg(unix)]
fn still_there(f: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (f.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn still_there(_: &File, path: &Path) -> bool {
    path.exists()
}

/// Gives the new file `like`'s owner and group where this process may (the group alone
/// otherwise; neither is an error), then its mode.
#[cfg(unix)]
fn keep_access(f: &File, like: Option<&Metadata>) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt, fchown};
    let Some(m) = like else {
        return f.set_permissions(std::fs::Permissions::from_mode(0o644));
    };
    if fchown(f, Some(m.uid()), Some(m.gid())).is_err() {
        let _ = fchown(f, None, Some(m.gid()));
    }
    f.set_permissions(std::fs::Permissions::from_mode(m.mode() & 0o7777))
}

#[cfg(not(unix))]
fn keep_access(f: &File, like: Option<&Metadata>) -> std::io::Result<()> {
    match like {
        Some(m) => f.set_permissions(m.permissions()),
        None => Ok(()),
    }
}
