//! Where the library's rows wait for its pages outside the process's memory: one
//! unnamed file in the output folder (`O_TMPFILE` where the system has it, else created and
//! unlinked at once), so it is never seen there, needs no cleaning after a crash, and goes when
//! the run drops it. Its pages live in the page cache, which the kernel can write out and
//! reclaim; in the heap they could not be.
//!
//! Why it exists: a cold run of a large network lists 100,000 entries on thousands of library
//! pages, each entry's row rendered once and read by every page that lists it. Held in memory,
//! the rows took 38 MB of a cold run's heap at 5,000 partners (`docs/performance.md`).
//! (The pages themselves waited here too until issue 25, round eleven; they are staged in the
//! output folder as they are rendered now: `publish::stage`.)
//!
//! Written and read at offsets (`pwrite`, `pread`) by any number of threads at once: a write
//! reserves its range first, so writers never share a byte and need no lock. Hand-written
//! because it is forty lines over `std`'s positional I/O; `tempfile` makes the file.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The spool: one unnamed file, appended to by every rendering thread.
#[derive(Debug)]
pub struct Spool {
    file: File,
    /// Where the next write goes: the sum of the lengths reserved so far.
    end: AtomicU64,
}

/// Where some bytes are in the spool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spooled {
    at: u64,
    len: u64,
}

impl Spooled {
    /// How many bytes.
    pub fn len(self) -> usize {
        usize::try_from(self.len).unwrap_or(usize::MAX)
    }

    /// Whether there are none.
    pub fn is_empty(self) -> bool {
        self.len == 0
    }

    /// These bytes and `next` as one span, when `next` follows them in the spool.
    pub fn join(self, next: Spooled) -> Option<Spooled> {
        (self.at + self.len == next.at).then_some(Spooled {
            at: self.at,
            len: self.len + next.len,
        })
    }

    /// The bytes from `start` to `end` of these (clamped to them).
    pub fn part(self, start: usize, end: usize) -> Spooled {
        let [start, end] = [start, end].map(|x| (x as u64).min(self.len));
        Spooled {
            at: self.at + start,
            len: end.saturating_sub(start),
        }
    }
}

impl Spool {
    /// A new, empty spool in `dir` (the output folder: the same disk as the files it becomes).
    pub fn in_dir(dir: &Path) -> std::io::Result<Spool> {
        Ok(Spool {
            file: tempfile::tempfile_in(dir)?,
            end: AtomicU64::new(0),
        })
    }

    /// Writes `bytes` at the end of the spool.
    pub fn put(&self, bytes: &[u8]) -> std::io::Result<Spooled> {
        let len = bytes.len() as u64;
        let at = self.end.fetch_add(len, Ordering::Relaxed);
        self.file.write_all_at(bytes, at)?;
        Ok(Spooled { at, len })
    }

    /// Appends the bytes at `s` to `out`.
    pub fn read_into(&self, s: Spooled, out: &mut Vec<u8>) -> std::io::Result<()> {
        let start = out.len();
        out.resize(start + s.len(), 0);
        let read = out
            .get_mut(start..)
            .map_or(Ok(()), |buf| self.file.read_exact_at(buf, s.at));
        if read.is_err() {
            out.truncate(start);
        }
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_come_back_where_they_were_put_from_many_threads() {
        let dir = tempfile::tempdir().expect("dir");
        let spool = Spool::in_dir(dir.path()).expect("spool");
        let put: Vec<(Spooled, Vec<u8>)> = std::thread::scope(|sc| {
            let handles: Vec<_> = (0..8u8)
                .map(|t| {
                    let spool = &spool;
                    sc.spawn(move || {
                        (0..200usize)
                            .map(|i| {
                                let bytes = vec![t.wrapping_mul(31).wrapping_add(i as u8); i % 37];
                                (spool.put(&bytes).expect("put"), bytes)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("thread"))
                .collect()
        });
        for (s, bytes) in &put {
            let mut read = Vec::new();
            spool.read_into(*s, &mut read).expect("read");
            assert_eq!(&read, bytes);
            assert_eq!(s.len(), bytes.len());
            assert_eq!(s.is_empty(), bytes.is_empty());
        }
        let total: usize = put.iter().map(|(_, b)| b.len()).sum();
        assert_eq!(spool.end.load(Ordering::Relaxed), total as u64);
        assert_eq!(spool.file.metadata().expect("meta").len(), total as u64);
        // Appended after what is there; nothing of it is kept when a read fails.
        let mut out = b"row:".to_vec();
        spool.read_into(put[5].0, &mut out).expect("read");
        assert_eq!(&out[4..], &put[5].1[..]);
        let beyond = Spooled {
            at: total as u64,
            len: 3,
        };
        assert!(spool.read_into(beyond, &mut out).is_err());
        assert_eq!(&out[4..], &put[5].1[..]);
    }

    #[test]
    fn spans_join_only_when_the_second_follows_the_first() {
        let s = |at, len| Spooled { at, len };
        assert_eq!(s(10, 5).join(s(15, 3)), Some(s(10, 8)));
        assert_eq!(s(10, 5).join(s(15, 0)), Some(s(10, 5)));
        assert_eq!(s(10, 0).join(s(10, 4)), Some(s(10, 4)));
        assert_eq!(s(10, 5).join(s(16, 3)), None, "a gap");
        assert_eq!(s(15, 3).join(s(10, 5)), None, "before it");
        assert_eq!(s(10, 5).join(s(14, 3)), None, "overlapping");
    }

    #[test]
    fn the_spool_is_never_seen_in_its_folder() {
        let dir = tempfile::tempdir().expect("dir");
        let spool = Spool::in_dir(dir.path()).expect("spool");
        spool.put(b"a row").expect("put");
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
        assert!(Spool::in_dir(&dir.path().join("missing")).is_err());
    }
}
