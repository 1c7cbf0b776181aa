//! One rendered file, as the renderers hand it to a [`Sink`](super::sink::Sink): its name and its
//! bytes, kept as they are or gzip-compressed until they are published (thousands of library
//! pages are held until the all-or-nothing publication: compressed, a fifth of the memory, and
//! their gzip is the copy the disk sink writes beside them anyway).

use std::borrow::Cow;
use std::io::Read;
use std::path::Path;

use super::precompress::{compressible, gzip_fast};

/// One rendered file: its name inside the output folder and its bytes, kept as they are or
/// ([`Output::compressed`]) gzip-compressed until they are published: a cold run of a large
/// network renders thousands of library pages (150 MB at 5,000 partners), held until the
/// all-or-nothing publication; compressed they are a fifth of that, and their compressed form
/// is the gzip copy the sink writes beside them anyway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub name: String,
    body: Body,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    Plain(Vec<u8>),
    /// The file's gzip copy (see [`gzip_fast`]) and the length of the file.
    Gzipped(Vec<u8>, usize),
}

impl Output {
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Output {
        Output {
            name: name.into(),
            body: Body::Plain(bytes),
        }
    }

    /// An output kept gzip-compressed in memory (as it is, when its name gets no gzip copy).
    pub fn compressed(name: impl Into<String>, bytes: Vec<u8>) -> std::io::Result<Output> {
        let name = name.into();
        if !compressible(&name) {
            return Ok(Output::new(name, bytes));
        }
        // Held until the publication: no more than its bytes (the encoder's buffer is sized for
        // a third of the input; pages compress to a sixth or less, so two thirds of a cold
        // run's 48 MB of held pages was spare capacity).
        let mut gz = gzip_fast(&bytes)?;
        gz.shrink_to_fit();
        let body = Body::Gzipped(gz, bytes.len());
        Ok(Output { name, body })
    }

    /// The file's bytes (decompressed, for an output kept compressed).
    pub fn bytes(&self) -> std::io::Result<Cow<'_, [u8]>> {
        match &self.body {
            Body::Plain(b) => Ok(Cow::Borrowed(b)),
            Body::Gzipped(gz, len) => {
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
            Body::Gzipped(_, len) => *len,
        }
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Its gzip copy, when it is kept compressed.
    pub(super) fn gzip_copy(&self) -> Option<&[u8]> {
        match &self.body {
            Body::Plain(_) => None,
            Body::Gzipped(gz, _) => Some(gz),
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

    #[test]
    fn a_page_kept_compressed_holds_no_more_than_its_gzip_bytes() {
        let page = "<li><a href=\"https://example.org/p\">A title</a></li>\n".repeat(2_000);
        let out =
            Output::compressed("partners/p.html", page.clone().into_bytes()).expect("compressed");
        let Body::Gzipped(gz, len) = &out.body else {
            panic!("an HTML page is kept compressed");
        };
        assert_eq!(*len, page.len());
        assert!(gz.len() < page.len() / 10, "compressed: {}", gz.len());
        assert_eq!(gz.capacity(), gz.len(), "spare capacity held");
        assert_eq!(out.bytes().expect("decompressed").as_ref(), page.as_bytes());
        assert_eq!(out.gzip_copy(), Some(&gz[..]), "the copy the sink writes");
        assert!(!out.is_empty());
        assert!(
            Output::compressed("e.html", Vec::new())
                .expect("empty")
                .is_empty()
        );
    }

    #[test]
    fn a_file_without_a_gzip_copy_is_kept_as_it_is() {
        let out = Output::compressed("logo.png", vec![1, 2, 3]).expect("kept");
        assert_eq!(out.body, Body::Plain(vec![1, 2, 3]));
        assert_eq!(out.gzip_copy(), None);
    }
}
