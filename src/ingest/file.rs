//! A `path` source's document, read the way `fetch` reads a URL's: one [`Outcome`], with the
//! same byte cap and failure kinds, so the rest of a source's processing cannot tell them apart.
//! Kept apart from `collect` because reading a file safely (no device, no FIFO, no file that
//! grows past the cap) is its own small problem.

use std::path::Path;

use crate::ingest::fetch::{Failure, FailureKind, Outcome};

/// Reads a `path` source. Only a regular file is read (`/dev/zero` would never end, a FIFO would
/// hang the run with the lock held), and never more than `cap` bytes, even if it grows while read.
/// The type is checked on the opened handle, after opening without blocking, so the file cannot be
/// swapped between the check and the read.
pub fn read(p: &Path, cap: u64) -> Outcome {
    use std::io::Read;
    let fail = |kind, reason: String| Outcome::Failed(Failure::new(kind, None, reason));
    let cannot = |e: std::io::Error| {
        fail(
            FailureKind::Network,
            format!("cannot read {}: {e}", p.display()),
        )
    };
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting.
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = match opts.open(p) {
        Ok(f) => f,
        Err(e) => return cannot(e),
    };
    let meta = match file.metadata() {
        Ok(m) => m,
        Err(e) => return cannot(e),
    };
    if !meta.is_file() {
        return fail(
            FailureKind::NotAFile,
            format!("{} is not a regular file", p.display()),
        );
    }
    let too_large = || {
        fail(
            FailureKind::TooLarge,
            format!("file larger than the {cap}-byte cap"),
        )
    };
    if meta.len() > cap {
        return too_large();
    }
    let mut body = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    match file.take(cap.saturating_add(1)).read_to_end(&mut body) {
        Ok(n) if n as u64 > cap => too_large(),
        Ok(_) => Outcome::Body {
            body,
            final_url: None,
            content_type: None,
            validators: Default::default(),
            max_age: None,
            moved_to: None,
        },
        Err(e) => cannot(e),
    }
}

#[cfg(test)]
mod tests {
    use super::read;
    use crate::ingest::fetch::{FailureKind, Outcome};

    #[test]
    fn read_file_reads_regular_files_up_to_the_cap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = dir.path().join("feed.xml");
        std::fs::write(&f, b"0123456789").expect("test setup");
        match read(&f, 10) {
            Outcome::Body { body, .. } => assert_eq!(body, b"0123456789"),
            other => panic!("{other:?}"),
        }
        match read(&f, 9) {
            Outcome::Failed(fl) => assert_eq!(fl.kind, FailureKind::TooLarge),
            other => panic!("{other:?}"),
        }
        match read(dir.path(), 10) {
            Outcome::Failed(fl) => assert_eq!(fl.kind, FailureKind::NotAFile),
            other => panic!("{other:?}"),
        }
        match read(&dir.path().join("missing.xml"), 10) {
            Outcome::Failed(fl) => assert_eq!(fl.kind, FailureKind::Network),
            other => panic!("{other:?}"),
        }
    }

    /// A regular file whose size the metadata understates (procfs says 0 bytes; a file that
    /// grows while it is read looks the same) is capped by what is read, not by what was stated.
    #[cfg(target_os = "linux")]
    #[test]
    fn read_file_caps_what_is_read_not_what_the_metadata_says() {
        let status = std::path::Path::new("/proc/self/status");
        let meta = std::fs::metadata(status).expect("procfs");
        assert!(meta.is_file() && meta.len() == 0, "{meta:?}");
        match read(status, 10) {
            Outcome::Failed(fl) => assert_eq!(fl.kind, FailureKind::TooLarge),
            other => panic!("{other:?}"),
        }
        match read(status, 1 << 20) {
            Outcome::Body { body, .. } => assert!(body.starts_with(b"Name:"), "{body:?}"),
            other => panic!("{other:?}"),
        }
    }
}
