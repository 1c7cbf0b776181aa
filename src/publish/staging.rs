//! How the Disk sink stages a file: a temp file in the same folder (`.NAME.XXXXXX.tmp`: hidden,
//! so `serve` never sends it), written, flushed to disk and made world-readable, then renamed
//! into place by the sink. And the sweep of the temp files a killed publish left behind.

use std::io::Write;
use std::path::Path;

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

/// Removes the temp files a killed writer left behind in `dir` (issue 14, defect 6; issue 27,
/// defect 7): only [`temp_file`]'s naming, for a file `is_ours` accepts (the run: a file it
/// publishes or one already in the folder; `import` and `withdraw`: the file they edit), but
/// those whose random part is one of `live` (the caller's own, staged earlier: see
/// [`Stage`](super::stage::Stage)). The caller must hold the lock that keeps every other writer
/// of those files out, so that no temp file in flight is removed. Best effort: a file that
/// cannot be removed is left for next time.
pub fn remove_stale_temps(dir: &Path, live: &[&str], is_ours: impl Fn(&str) -> bool) {
    remove_stale(dir, live, is_ours, false);
}

/// Removes the hidden folders a killed run staged whole in `dir` for a folder `is_ours` accepts
/// (`.NAME.XXXXXX.tmp/`, see [`Stage`](super::stage::Stage)), but those whose random part is one
/// of `live`. Same caller's lock as [`remove_stale_temps`]; best effort too.
pub fn remove_stale_folders(dir: &Path, live: &[&str], is_ours: impl Fn(&str) -> bool) {
    remove_stale(dir, live, is_ours, true);
}

/// The sweep of [`remove_stale_temps`] (regular files) or of [`remove_stale_folders`] (folders,
/// with what they hold): the same naming either way.
fn remove_stale(dir: &Path, live: &[&str], is_ours: impl Fn(&str) -> bool, folders: bool) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let spared = live.iter().any(|t| file.ends_with(&format!(".{t}.tmp")));
        let kind = e
            .file_type()
            .is_ok_and(|t| if folders { t.is_dir() } else { t.is_file() });
        if !spared && kind && is_our_temp(&file, &is_ours) {
            let _ = if folders {
                std::fs::remove_dir_all(e.path())
            } else {
                std::fs::remove_file(e.path())
            };
        }
    }
}

/// Writes `bytes` to a temp file beside `path` (`.NAME.XXXXXX.tmp`), flushed to disk and
/// world-readable, for the caller to rename into place.
pub fn stage(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let tmp = stage_unflushed(path, bytes)?;
    tmp.as_file().sync_all()?;
    Ok(tmp)
}

/// [`stage`] without the flush: for a caller that stages many files and then calls [`flush`]
/// once, before renaming any of them (a publication of a thousand pages made a thousand
/// `fsync`s, most of its time).
pub fn stage_unflushed(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
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
    tmp.as_file_mut().write_all(bytes)?;
    set_readable(tmp.as_file())?;
    Ok(tmp)
}

/// Flushes the files staged with [`stage_unflushed`] to disk: one `syncfs` of the file system
/// that holds `dir` (then `true`: every file there is flushed), else (where the system has
/// none) each of `staged`'s own `fsync` (then `false`: the caller flushes what else it staged).
pub fn flush(dir: &Path, staged: &[&std::fs::File]) -> std::io::Result<bool> {
    let whole = std::fs::File::open(dir).and_then(|d| Ok(rustix::fs::syncfs(&d)?));
    if whole.is_err() {
        for f in staged {
            f.sync_all()?;
        }
    }
    Ok(whole.is_ok())
}

/// An empty temp file for `name` in `dir`, named `.NAME.XXXXXX.tmp`: the naming every atomic
/// replacement of ours uses, and [`remove_stale_temps`] recognises.
pub fn temp_file(dir: &Path, name: &str) -> std::io::Result<tempfile::NamedTempFile> {
    tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .rand_bytes(6)
        .tempfile_in(dir)
}

/// World-readable whatever the umask, through the open file (no second lookup of its path).
#[cfg(unix)]
pub(super) fn set_readable(f: &std::fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(std::fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
pub(super) fn set_readable(_: &std::fs::File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
pub(super) mod tests {
    use super::{is_our_temp, remove_stale_temps};

    /// The names in `dir`, sorted (the sink's tests use it too).
    pub(in crate::publish) fn names(dir: &std::path::Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
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
            ".a.atom.Qq12Zz.tmp",   // staged by this run (its token is live)
            ".notes.txt",
            "old.html.bak",
        ] {
            std::fs::write(p.join(f), b"t").expect("test setup");
        }
        std::fs::create_dir(p.join(".old.html.dir999.tmp")).expect("test setup");
        // The sink's rule: a file this run publishes, or one already in the folder.
        remove_stale_temps(p, &["Qq12Zz"], |n| {
            n == "a.atom" || std::fs::symlink_metadata(p.join(n)).is_ok_and(|m| m.is_file())
        });
        assert_eq!(
            names(p),
            vec![
                ".a.atom.Qq12Zz.tmp",
                ".a.atom.abc.tmp",
                ".gone.css.abcdef.tmp",
                ".notes.txt",
                ".old.html.dir999.tmp",
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
}
