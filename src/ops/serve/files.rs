//! What `feedbraid serve` may answer with, decided before any file is opened: a request path is
//! resolved to a file inside the output folder or refused (404). Refused: `..` and `.` segments,
//! encoded slashes and backslashes, NUL, hidden names (the Disk sink stages its temporary files
//! as `.NAME.XXXXXX.tmp`, and the state lives in `.feedbraid/`), `*.tmp`, anything whose real
//! path (symlinks followed) leaves the folder, and the state database, its journals and its lock
//! should they sit inside it. Also the media types, CORS, validators and gzip negotiation each
//! file gets.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

pub use crate::publish::media_type::content_type;

/// The folder served and the state files never to serve.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The output folder (it may not exist yet: the first run creates it).
    pub root: PathBuf,
    /// The state database (`.feedbraid/state.db` by default); its `-wal`, `-shm`, `-journal` and
    /// its lock (`state.lock`) are refused too.
    pub state: PathBuf,
}

impl Policy {
    /// The real path of the file a request path names (a folder's `index.html`), or `None` for a
    /// 404. Touches the file system (it follows symlinks), so call it off the async workers.
    pub fn resolve(&self, raw_path: &str) -> Option<PathBuf> {
        let lower = raw_path.to_ascii_lowercase();
        if ["%2f", "%5c", "%00", "\\"]
            .iter()
            .any(|b| lower.contains(b))
        {
            return None;
        }
        let decoded = percent_decode(raw_path)?;
        let mut rel = PathBuf::new();
        for seg in decoded.split('/').filter(|s| !s.is_empty()) {
            if seg.starts_with('.') || seg.contains('\0') || seg.ends_with(".tmp") {
                return None;
            }
            rel.push(seg);
        }
        let root = std::fs::canonicalize(&self.root).ok()?;
        let mut real = std::fs::canonicalize(root.join(&rel)).ok()?;
        if real.is_dir() {
            real = std::fs::canonicalize(real.join("index.html")).ok()?;
        }
        if !real.starts_with(&root) || !real.is_file() || self.is_state(&real) {
            return None;
        }
        // The real name (after symlinks) must pass the same checks as the requested one.
        let name = real.file_name()?.to_str()?;
        if name.starts_with('.') || name.ends_with(".tmp") {
            return None;
        }
        Some(real)
    }

    fn is_state(&self, real: &Path) -> bool {
        let (Some(dir), Some(name)) = (self.state.parent(), self.state.file_name()) else {
            return false;
        };
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let Ok(dir) = std::fs::canonicalize(dir) else {
            return false;
        };
        let lock = self.state.with_extension("lock");
        let lock = lock.file_name();
        real.parent() == Some(dir.as_path())
            && real.file_name().is_some_and(|n| {
                n.to_string_lossy().starts_with(&*name.to_string_lossy()) || Some(n) == lock
            })
    }
}

/// `%XX`-decodes a path as UTF-8; `None` when it is not.
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Whether an `Accept-Encoding` value accepts gzip: `gzip` (or `x-gzip`, or `*` when gzip is
/// not named) with a q-value above 0.
pub fn accepts_gzip(header: &str) -> bool {
    let mut star = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        match coding.as_str() {
            "gzip" | "x-gzip" => return q > 0.0,
            "*" => star = Some(q > 0.0),
            _ => {}
        }
    }
    star.unwrap_or(false)
}

/// Feed files other sites' scripts may read: `Access-Control-Allow-Origin: *` (they are public
/// and no cookie is involved).
pub fn is_feed(name: &str) -> bool {
    [".atom", ".json", ".opml"]
        .iter()
        .any(|e| name.ends_with(e))
}

/// A strong validator from the file's size and modification time, and `suffix` (`-gz` for a
/// gzip copy). The Disk sink replaces a changed file (a new mtime) and never touches an unchanged
/// one, so equal tags mean equal bytes.
pub fn etag(meta: &std::fs::Metadata, suffix: &str) -> String {
    let nanos = meta
        .modified()
        .ok()
        .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    format!("\"{:x}-{:x}{suffix}\"", meta.len(), nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_cors_follow_the_extension() {
        assert_eq!(
            content_type("zh.atom"),
            "application/atom+xml; charset=utf-8"
        );
        assert_eq!(content_type("feed.json"), "application/feed+json");
        assert_eq!(content_type("status.json"), "application/json");
        assert_eq!(content_type("files/a.pdf"), "application/pdf");
        assert_eq!(content_type("media/ab/x.JPG"), "image/jpeg");
        assert_eq!(content_type("noext"), "application/octet-stream");
        assert!(is_feed("partners.opml") && is_feed("th.json") && !is_feed("index.html"));
    }

    #[test]
    fn gzip_is_accepted_unless_refused() {
        for yes in [
            "gzip",
            "deflate, gzip;q=0.5",
            "br, *",
            "GZIP",
            "x-gzip",
            "gzip; q=1.0",
        ] {
            assert!(accepts_gzip(yes), "{yes}");
        }
        for no in ["", "br", "identity", "gzip;q=0", "gzip; q=0.0, *", "*;q=0"] {
            assert!(!accepts_gzip(no), "{no}");
        }
    }

    #[test]
    fn percent_decoding_refuses_broken_escapes() {
        assert_eq!(percent_decode("/a%20b").as_deref(), Some("/a b"));
        assert_eq!(percent_decode("/a%2"), None);
        assert_eq!(percent_decode("/%ff"), None);
    }
}
