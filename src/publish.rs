//! Writing outputs so that nothing half-written is ever seen: each file is written to a temporary
//! file in the same folder, flushed to disk, made world-readable and renamed into place. A file whose
//! bytes are unchanged is not touched at all (its mtime stays, so conditional GETs of readers keep
//! hitting 304).

use std::io::Write;
use std::path::Path;

/// What happened to one output file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    /// The file was (re)written.
    Changed,
    /// The bytes on disk were already these; nothing was written.
    Unchanged,
}

/// Writes `bytes` to `path` atomically, unless the file already holds exactly these bytes.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<Written> {
    if let Ok(existing) = std::fs::read(path)
        && existing == bytes
    {
        return Ok(Written::Unchanged);
    }
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
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(Written::Changed)
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
