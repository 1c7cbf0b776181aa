//! One rendered file, as the renderers hand it to a [`Sink`](super::sink::Sink): its name and its
//! bytes, kept as they are or gzip-compressed in the run's [`Spool`] until they are published
//! (thousands of library pages wait for the all-or-nothing publication: compressed, a fifth of
//! the bytes, and their gzip is the copy the disk sink writes beside them anyway; spooled, out of
//! the process's memory).

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use super::precompress::{compressible, gzip_fast};
use super::spool::{Spool, Spooled};

/// One rendered file: its name inside the output folder and its bytes, kept as they are or
/// ([`Output::spooled`]) gzip-compressed in the run's spool until they are published: a cold run
/// of a large network renders thousands of library pages (150 MB at 5,000 partners), all held
/// until the all-or-nothing publication. Two outputs are equal when their names and bodies are:
/// the same bytes kept in memory, or the same place in the same spool (not the same bytes in two
/// places: compare [`Output::bytes`] for that).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub name: String,
    body: Body,
}

/// An output as it is kept (see [`Output::kept`]).
#[derive(Debug)]
pub(super) enum Kept<'a> {
    Plain(&'a [u8]),
    Gzip(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    Plain(Vec<u8>),
    /// Where the file's gzip copy (see [`gzip_fast`]) is, and the length of the file.
    Spooled(Arc<Spool>, Spooled, usize),
}

impl Output {
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Output {
        Output {
            name: name.into(),
            body: Body::Plain(bytes),
        }
    }

    /// An output kept gzip-compressed in `spool` (in memory as it is, when its name gets no
    /// gzip copy).
    pub fn spooled(
        name: impl Into<String>,
        bytes: Vec<u8>,
        spool: &Arc<Spool>,
    ) -> std::io::Result<Output> {
        let name = name.into();
        if !compressible(&name) {
            return Ok(Output::new(name, bytes));
        }
        let at = spool.put(&gzip_fast(&bytes)?)?;
        let body = Body::Spooled(Arc::clone(spool), at, bytes.len());
        Ok(Output { name, body })
    }

    /// The file's bytes (decompressed, for an output kept compressed).
    pub fn bytes(&self) -> std::io::Result<Cow<'_, [u8]>> {
        match &self.body {
            Body::Plain(b) => Ok(Cow::Borrowed(b)),
            Body::Spooled(spool, at, len) => {
                let gz = spool.get(*at)?;
                let mut out = Vec::with_capacity(*len);
                flate2::read::GzDecoder::new(&gz[..]).read_to_end(&mut out)?;
                Ok(Cow::Owned(out))
            }
        }
    }

    /// The file's length in bytes.
    pub fn len(&self) -> usize {
        match &self.body {
            Body::Plain(b) => b.len(),
            Body::Spooled(_, _, len) => *len,
        }
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The file's bytes when they are kept as they are (not spooled): no I/O.
    pub(super) fn plain(&self) -> Option<&[u8]> {
        match &self.body {
            Body::Plain(b) => Some(b),
            Body::Spooled(..) => None,
        }
    }

    /// The file as it is kept: its bytes, or (spooled) its gzip copy, read from the spool once
    /// for both the file and the copy the disk sink stages.
    pub(super) fn kept(&self) -> std::io::Result<Kept<'_>> {
        match &self.body {
            Body::Plain(b) => Ok(Kept::Plain(b)),
            Body::Spooled(spool, at, _) => Ok(Kept::Gzip(spool.get(*at)?)),
        }
    }

    /// Whether `path` holds exactly this file's bytes.
    pub(super) fn same_as(&self, path: &Path) -> bool {
        std::fs::read(path)
            .is_ok_and(|old| old.len() == self.len() && self.bytes().is_ok_and(|b| *b == old[..]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spool(dir: &tempfile::TempDir) -> Arc<Spool> {
        Arc::new(Spool::in_dir(dir.path()).expect("spool"))
    }

    #[test]
    fn a_page_waits_in_the_spool_as_its_gzip_copy() {
        let dir = tempfile::tempdir().expect("dir");
        let spool = spool(&dir);
        let page = "<li><a href=\"https://example.org/p\">A title</a></li>\n".repeat(2_000);
        let out =
            Output::spooled("partners/p.html", page.clone().into_bytes(), &spool).expect("spooled");
        let Body::Spooled(_, at, len) = &out.body else {
            panic!("an HTML page is kept in the spool");
        };
        assert_eq!(*len, page.len());
        assert!(at.len() < page.len() / 10, "compressed: {}", at.len());
        assert_eq!(out.bytes().expect("decompressed").as_ref(), page.as_bytes());
        assert_eq!(out.plain(), None, "no bytes without reading the spool");
        let Kept::Gzip(copy) = out.kept().expect("read") else {
            panic!("kept as its gzip copy");
        };
        assert_eq!(
            copy,
            spool.get(*at).expect("read"),
            "the copy the sink writes"
        );
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&copy[..])
            .read_to_end(&mut plain)
            .expect("gzip");
        assert_eq!(plain, page.as_bytes());
        assert!(!out.is_empty());
        let empty = Output::spooled("e.html", Vec::new(), &spool).expect("empty");
        assert!(empty.is_empty());
        assert_eq!(empty.bytes().expect("read").as_ref(), b"");
    }

    #[test]
    fn a_file_without_a_gzip_copy_is_kept_as_it_is() {
        let dir = tempfile::tempdir().expect("dir");
        let out = Output::spooled("logo.png", vec![1, 2, 3], &spool(&dir)).expect("kept");
        assert_eq!(out.body, Body::Plain(vec![1, 2, 3]));
        assert!(matches!(out.kept(), Ok(Kept::Plain([1, 2, 3]))));
        assert_eq!(out.plain(), Some(&[1, 2, 3][..]));
    }
}
