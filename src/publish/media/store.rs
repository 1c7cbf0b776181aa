//! The mirrored copies on disk: each image, once cleaned (`strip::clean`), stored
//! content-addressed under `output/media/ab/abcdef....ext` (written atomically, readable by the
//! web server), and the copies no output has used for a while deleted.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::sniff::Refusal;
use super::strip::clean;

/// A stored copy: its path under the output folder, its size, and whether this call wrote it.
#[derive(Debug)]
pub struct Stored {
    pub file: String,
    pub bytes: u64,
    pub new: bool,
}

/// Checks, strips and stores one image under `out_dir`.
pub fn store(out_dir: &Path, bytes: &[u8]) -> Result<Stored, Refusal> {
    let (kind, clean) = clean(bytes)?;
    let hash = crate::text::hex(&Sha256::digest(&clean));
    let file = format!("media/{}/{}.{}", &hash[..2], &hash[..32], kind.extension());
    let path = out_dir.join(&file);
    // Content-addressed, so a file of this name holds these bytes, unless it was changed.
    let new = std::fs::read(&path).map_or(true, |old| old != clean);
    if new {
        write_atomic(&path, &clean).map_err(|e| Refusal::Store(e.to_string()))?;
    }
    Ok(Stored {
        file,
        bytes: clean.len() as u64,
        new,
    })
}

fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, bytes)?;
    tmp.as_file().sync_all()?;
    let perms = std::os::unix::fs::PermissionsExt::from_mode(0o644);
    std::fs::set_permissions(tmp.path(), perms)?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Deletes mirrored files that no output in `out_dir` has referenced for `keep`; returns how many
/// went. A referenced file's modification time is set to now, so it records when it was last
/// seen in use. An output that cannot be read stops the cleanup (nothing is deleted that it might
/// reference); the gzip copies are not read (they hold what their files hold).
pub fn cleanup(out_dir: &Path, keep: std::time::Duration) -> usize {
    let media = out_dir.join("media");
    let Ok(dirs) = std::fs::read_dir(&media) else {
        return 0;
    };
    let mut referenced = String::new();
    let mut outputs: Vec<PathBuf> = std::fs::read_dir(out_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    outputs.extend(
        std::fs::read_dir(out_dir.join("archive"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path()),
    );
    for p in outputs
        .iter()
        .filter(|p| p.is_file() && p.extension().is_none_or(|x| x != "gz"))
    {
        match std::fs::read(p) {
            Ok(bytes) => referenced.push_str(&String::from_utf8_lossy(&bytes)),
            // Gone since it was listed: it references nothing.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            // What it references is unknown: nothing is deleted this time.
            Err(_) => return 0,
        }
    }
    let mut removed = 0;
    for d in dirs.flatten() {
        for f in std::fs::read_dir(d.path()).into_iter().flatten().flatten() {
            let name = format!(
                "media/{}/{}",
                d.file_name().to_string_lossy(),
                f.file_name().to_string_lossy()
            );
            let old = f
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > keep);
            if referenced.contains(&name) {
                // The file's time is the last time an output was seen to use it.
                if let Ok(file) = std::fs::File::options().append(true).open(f.path()) {
                    let _ = file.set_modified(std::time::SystemTime::now());
                }
            } else if old && std::fs::remove_file(f.path()).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}
