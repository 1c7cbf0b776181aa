//! The output folder as a deploy sees it: every published file (not the staging temp files, not
//! hidden names, not the gzip copies, which are a way of uploading a file rather than files of
//! their own) with the digest it would be recorded under, and the bytes it would be uploaded as.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::headers::{digest_reader, headers};
use super::plan::LocalFile;
use super::store::Headers;
use crate::config::DeploySettings;
use crate::publish::precompress::{compressible, copy_name, gzip, has_current_copy};

/// The output folder could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {}: {source}", path.display())]
pub struct ScanError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Every published file under `dir`, by its `/`-separated name.
pub fn scan(
    dir: &Path,
    d: &DeploySettings,
    now: DateTime<Utc>,
) -> Result<BTreeMap<String, LocalFile>, ScanError> {
    let mut names = Vec::new();
    walk(dir, "", &mut names)?;
    let present: std::collections::HashSet<&str> = names.iter().map(String::as_str).collect();
    let mut out = BTreeMap::new();
    for name in &names {
        // `feed.atom.gz` beside `feed.atom` is the copy, not a file of its own.
        if let Some(base) = name.strip_suffix(".gz")
            && present.contains(base)
            && compressible(base)
            && copy_name(base) == *name
        {
            continue;
        }
        let path = dir.join(name);
        let err = |source| ScanError {
            path: path.clone(),
            source,
        };
        let file = std::fs::File::open(&path).map_err(err)?;
        let size = file.metadata().map_err(err)?.len();
        let h = headers(name, d, now);
        out.insert(
            name.clone(),
            LocalFile {
                digest: digest_reader(std::io::BufReader::new(file), &h).map_err(err)?,
                size,
            },
        );
    }
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) -> Result<(), ScanError> {
    let err = |source| ScanError {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(err)?
        .collect::<Result<_, _>>()
        .map_err(err)?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let Some(name) = e.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if name.starts_with('.') || name.ends_with(".tmp") {
            continue;
        }
        let ty = e.file_type().map_err(err)?;
        let rel = format!("{prefix}{name}");
        if ty.is_dir() {
            walk(&e.path(), &format!("{rel}/"), out)?;
        } else if ty.is_file() {
            out.push(rel);
        }
    }
    Ok(())
}

/// The bytes `name` is uploaded as, and its headers: the file itself, or its gzip copy when the
/// headers say so (the copy the publication wrote, if current; else compressed now).
pub fn upload_bytes(
    dir: &Path,
    name: &str,
    d: &DeploySettings,
    now: DateTime<Utc>,
) -> Result<(Vec<u8>, Headers), ScanError> {
    let h = headers(name, d, now);
    let path = dir.join(name);
    let read = |p: &Path| {
        std::fs::read(p).map_err(|source| ScanError {
            path: p.to_path_buf(),
            source,
        })
    };
    if h.content_encoding.is_none() {
        return Ok((read(&path)?, h));
    }
    let copy = dir.join(copy_name(name));
    let bytes = if has_current_copy(&path) {
        read(&copy)?
    } else {
        gzip(&read(&path)?).map_err(|source| ScanError { path, source })?
    };
    Ok((bytes, h))
}
