//! Where rendered outputs go: a [`Sink`]. [`Disk`] is the output folder, written so that nothing
//! half-written is ever seen and a run publishes all of its files or none: every changed file is
//! first staged as a temporary file in the same folder (written, flushed to disk, made
//! world-readable); only when all are staged are they renamed into place. A target that is not a
//! regular file fails the publish before anything is staged. A file whose bytes are unchanged is
//! not touched at all (its mtime stays, so readers' conditional GETs keep hitting 304). Temp files
//! a killed publish left (`.NAME.XXXXXX.tmp`) are removed by the next one; `import` and
//! `withdraw` use the same naming and sweeping for the files they edit ([`temp_file`],
//! [`remove_stale_temps`]).
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
    /// a run that publishes in two steps checks the second step's names before the first.
    pub fn check<'a>(&self, names: impl IntoIterator<Item = &'a str>) -> Result<(), SinkError> {
        for name in names {
            let path = self.dir.join(name);
            if let Ok(m) = std::fs::symlink_metadata(&path)
                && !m.is_file()
            {
                return Err(SinkError {
                    path,
                    err: std::io::Error::other("exists and is not a regular file"),
                });
            }
        }
        Ok(())
    }
}

impl Sink for Disk {
    fn publish(&mut self, outputs: &[Output]) -> Result<Vec<(String, Written)>, SinkError> {
        // Runs under the run lock, so no other run's temp file can be in flight.
        let dir = &self.dir;
        remove_stale_temps(dir, |name| {
            outputs.iter().any(|o| o.name == name)
                || std::fs::symlink_metadata(dir.join(name)).is_ok_and(|m| m.is_file())
        });
        self.check(outputs.iter().map(|o| o.name.as_str()))?;
        let mut staged = Vec::new();
        let mut report = Vec::with_capacity(outputs.len());
        for o in outputs {
            let path = self.dir.join(&o.name);
            let fail = |err| SinkError {
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
            tmp.persist(&path).map_err(|e| SinkError {
                path: path.clone(),
                err: e.error,
            })?;
        }
        Ok(report)
    }
}

/// Whether `file` is a temp file [`temp_file`] names for a file `is_ours` accepts:
/// `.NAME.XXXXXX.tmp`.
fn is_our_temp(file: &str, is_ours: impl Fn(&str) -> bool) -> bool {
    let Some(inner) = file.strip_prefix('.').and_then(|f| f.strip_suffix(".tmp")) else {
        return false;
    };
    let Some((name, rand)) = inner.rsplit_once('.') else {
        return false;
    };
    rand.len() == 6 && rand.bytes().all(|b| b.is_ascii_alphanumeric()) && is_ours(name)
}

/// Removes the temp files a killed writer left behind in `dir` (issue 14, defect 6; issue 27,
/// defect 7): only [`temp_file`]'s naming, for a file `is_ours` accepts (the run: a file it
/// publishes or one already in the folder; `import` and `withdraw`: the file they edit). The
/// caller must hold the lock that keeps every other writer of those files out, so that no temp
/// file in flight is removed. Best effort: a file that cannot be removed is left for next time.
pub fn remove_stale_temps(dir: &Path, is_ours: impl Fn(&str) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        if is_our_temp(&file, &is_ours) && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// A new, empty temp file for `name` in `dir`, named `.NAME.XXXXXX.tmp` (mode 0600 until the
/// caller says otherwise), deleted when dropped unless persisted: the one naming every atomic
/// replacement of ours uses, and [`remove_stale_temps`] recognises.
pub fn temp_file(dir: &Path, name: &str) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .rand_bytes(6)
        .tempfile_in(dir)
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
    let mut tmp = temp_file(dir, &name)?;
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
    fn publish(&mut self, outputs: &[Output]) -> Result<Vec<(String, Written)>, SinkError> {
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

#[cfg(test)]
mod tests {
    use super::{Disk, Memory, Output, Sink, Written, is_our_temp};

    fn out(name: &str, bytes: &[u8]) -> Output {
        Output {
            name: name.into(),
            bytes: bytes.to_vec(),
        }
    }

    fn names(dir: &std::path::Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn disk_writes_reports_and_skips_unchanged_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut d = Disk {
            dir: dir.path().to_path_buf(),
        };
        let first = d
            .publish(&[out("a.atom", b"A1"), out("archive/2026-03.atom", b"R")])
            .expect("publish");
        assert_eq!(
            first,
            vec![
                ("a.atom".to_string(), Written::Changed),
                ("archive/2026-03.atom".to_string(), Written::Changed)
            ]
        );
        assert_eq!(
            std::fs::read(dir.path().join("a.atom")).expect("test setup"),
            b"A1"
        );
        assert_eq!(
            std::fs::read(dir.path().join("archive/2026-03.atom")).expect("test setup"),
            b"R"
        );
        // Existing regular files are replaced; identical ones are left alone.
        let second = d
            .publish(&[out("a.atom", b"A2"), out("archive/2026-03.atom", b"R")])
            .expect("republish");
        assert_eq!(
            second,
            vec![
                ("a.atom".to_string(), Written::Changed),
                ("archive/2026-03.atom".to_string(), Written::Unchanged)
            ]
        );
        assert_eq!(
            std::fs::read(dir.path().join("a.atom")).expect("test setup"),
            b"A2"
        );
        assert_eq!(names(dir.path()), vec!["a.atom", "archive"], "no temp left");
    }

    #[cfg(unix)]
    #[test]
    fn published_files_are_world_readable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let mut d = Disk {
            dir: dir.path().to_path_buf(),
        };
        d.publish(&[out("feed.atom", b"x")]).expect("publish");
        let mode = std::fs::metadata(dir.path().join("feed.atom"))
            .expect("test setup")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn a_folder_in_the_way_fails_before_anything_is_written() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join("b.json")).expect("test setup");
        let mut d = Disk {
            dir: dir.path().to_path_buf(),
        };
        let err = d
            .publish(&[out("a.atom", b"A"), out("b.json", b"B")])
            .expect_err("a folder cannot be replaced");
        assert_eq!(err.path, dir.path().join("b.json"));
        assert_eq!(names(dir.path()), vec!["b.json"], "a.atom not published");
        assert!(d.check(["a.atom"]).is_ok());
        assert!(d.check(["a.atom", "b.json"]).is_err());
    }

    #[test]
    fn stale_temps_of_ours_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path();
        std::fs::write(p.join("old.html"), b"kept").expect("test setup");
        for f in [
            ".a.atom.Ab12Z9.tmp",   // for a file this run publishes (not on disk yet)
            ".old.html.xY3456.tmp", // for a file already in the folder
            ".gone.css.abcdef.tmp", // for a file that is neither
            ".a.atom.abc.tmp",      // not our naming
            ".notes.txt",
            "old.html.bak",
        ] {
            std::fs::write(p.join(f), b"t").expect("test setup");
        }
        std::fs::create_dir(p.join(".old.html.dir999.tmp")).expect("test setup");
        let mut d = Disk {
            dir: p.to_path_buf(),
        };
        d.publish(&[out("a.atom", b"A")]).expect("publish");
        assert_eq!(
            names(p),
            vec![
                ".a.atom.abc.tmp",
                ".gone.css.abcdef.tmp",
                ".notes.txt",
                ".old.html.dir999.tmp",
                "a.atom",
                "old.html",
                "old.html.bak"
            ]
        );
    }

    #[test]
    fn temp_naming() {
        let ours = |n: &str| n == "feed.atom";
        assert!(is_our_temp(".feed.atom.aB3xY9.tmp", ours));
        assert!(!is_our_temp("feed.atom.aB3xY9.tmp", ours), "no dot");
        assert!(!is_our_temp(".feed.atom.aB3xY9.tmq", ours), "suffix");
        assert!(!is_our_temp(".feed.atom.aB3xY.tmp", ours), "five");
        assert!(!is_our_temp(".feed.atom.aB3xY99.tmp", ours), "seven");
        assert!(
            !is_our_temp(".feed.atom.aB3-Y9.tmp", ours),
            "not alphanumeric"
        );
        assert!(!is_our_temp(".other.atom.aB3xY9.tmp", ours), "not ours");
        assert!(!is_our_temp(".aB3xY9.tmp", |_| true), "no name part");
    }

    #[test]
    fn memory_reports_like_disk() {
        let mut m = Memory::default();
        let r = m
            .publish(&[out("a", b"1"), out("b", b"2")])
            .expect("publish");
        assert_eq!(
            r,
            vec![
                ("a".to_string(), Written::Changed),
                ("b".to_string(), Written::Changed)
            ]
        );
        let r = m
            .publish(&[out("a", b"1"), out("b", b"3")])
            .expect("publish");
        assert_eq!(
            r,
            vec![
                ("a".to_string(), Written::Unchanged),
                ("b".to_string(), Written::Changed)
            ]
        );
        assert_eq!(m.files["b"], b"3");
    }
}
