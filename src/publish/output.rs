//! One rendered file, as the renderers hand it to a [`Sink`](super::sink::Sink): its name and its
//! bytes, kept in memory, or (the library's pages and topic feeds) already staged in the output
//! folder by the thread that rendered it (see [`Stage`]): thousands of pages wait for the
//! all-or-nothing publication on a cold run, and so they wait outside the process's memory,
//! written once.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use super::precompress::Effort;
use super::stage::{Placed, Stage};

/// One rendered file: its name inside the output folder and its bytes, kept in memory or
/// ([`Output::staged`]) staged in the output folder until they are published. Two outputs are
/// equal when their names and bodies are: the same bytes kept in memory, or the same place in
/// the same stage (not the same bytes in two places: compare [`Output::bytes`] for that).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub name: String,
    body: Body,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Body {
    Plain(Vec<u8>),
    /// Staged (or found unchanged) at render time.
    Staged(Arc<Stage>, Placed),
}

impl Output {
    pub fn new(name: impl Into<String>, bytes: Vec<u8>) -> Output {
        Output {
            name: name.into(),
            body: Body::Plain(bytes),
        }
    }

    /// An output staged in `stage` now, with its gzip copy made at `effort` (see
    /// [`Stage::put`]): its bytes are freed by the caller.
    pub fn staged(
        name: impl Into<String>,
        bytes: &[u8],
        stage: &Arc<Stage>,
        effort: Effort,
    ) -> std::io::Result<Output> {
        let name = name.into();
        let placed = stage.put(&name, bytes, effort)?;
        let body = Body::Staged(Arc::clone(stage), placed);
        Ok(Output { name, body })
    }

    /// The file's bytes (read back, for a staged output).
    pub fn bytes(&self) -> std::io::Result<Cow<'_, [u8]>> {
        match &self.body {
            Body::Plain(b) => Ok(Cow::Borrowed(b)),
            Body::Staged(stage, placed) => Ok(Cow::Owned(stage.read(&self.name, *placed)?)),
        }
    }

    /// The file's length in bytes.
    pub fn len(&self) -> usize {
        match &self.body {
            Body::Plain(b) => b.len(),
            Body::Staged(_, placed) => placed.len,
        }
    }

    /// Whether the file is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The file's bytes when they are kept in memory (not staged): no I/O.
    pub(super) fn plain(&self) -> Option<&[u8]> {
        match &self.body {
            Body::Plain(b) => Some(b),
            Body::Staged(..) => None,
        }
    }

    /// Where the output was staged, and what: `None` for one kept in memory.
    pub(super) fn placed(&self) -> Option<(&Stage, Placed)> {
        match &self.body {
            Body::Plain(_) => None,
            Body::Staged(stage, placed) => Some((stage, *placed)),
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

    fn stage(dir: &tempfile::TempDir) -> Arc<Stage> {
        Arc::new(Stage::in_dir(dir.path()).expect("stage"))
    }

    /// The names in `dir`, hidden ones too, sorted.
    fn listing(dir: &Path) -> Vec<String> {
        crate::publish::staging::tests::names(dir)
    }

    #[test]
    fn a_page_is_staged_with_its_gzip_copy_beside_the_file_it_replaces() {
        // Description: a page staged into an empty folder, then the same bytes where they are
        // published, then other bytes. Expect: the file and its copy staged under hidden names
        // with the stage's token; nothing staged for bytes already there with a current copy;
        // the bytes read back either way.
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir(dir.path().join("partners")).expect("setup");
        let stage = stage(&dir);
        let page = "<li><a href=\"https://example.org/p\">A title</a></li>\n".repeat(2_000);
        let out = Output::staged("partners/p.html", page.as_bytes(), &stage, Effort::Fast)
            .expect("staged");
        let t = stage.token().to_string();
        // Sorted as `listing` sorts them (the token decides which comes first).
        let mut staged = vec![format!(".p.html.{t}.tmp"), format!(".p.html.gz.{t}.tmp")];
        staged.sort();
        assert_eq!(listing(&dir.path().join("partners")), staged);
        assert_eq!(out.len(), page.len());
        assert_eq!(out.plain(), None, "not in memory");
        assert_eq!(out.bytes().expect("read").as_ref(), page.as_bytes());
        let (_, placed) = out.placed().expect("staged");
        assert!(placed.file && placed.copy);
        let copy =
            std::fs::read(dir.path().join(format!("partners/.p.html.gz.{t}.tmp"))).expect("copy");
        assert!(copy.len() < page.len() / 10, "compressed: {}", copy.len());
        let mut plain = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&copy[..]), &mut plain)
            .expect("gzip");
        assert_eq!(plain, page.as_bytes());
        stage.rename("partners/p.html", placed).expect("renamed");
        assert_eq!(
            listing(&dir.path().join("partners")),
            ["p.html", "p.html.gz"]
        );

        let again = Output::staged("partners/p.html", page.as_bytes(), &stage, Effort::Fast)
            .expect("staged");
        let (_, placed) = again.placed().expect("staged");
        assert!(!placed.file && !placed.copy, "unchanged: {placed:?}");
        assert_eq!(again.bytes().expect("read").as_ref(), page.as_bytes());
        std::fs::remove_file(dir.path().join("partners/p.html.gz")).expect("copy gone");
        let copy_only = Output::staged("partners/p.html", page.as_bytes(), &stage, Effort::Fast)
            .expect("staged");
        let (_, placed) = copy_only.placed().expect("staged");
        assert!(!placed.file && placed.copy, "the copy alone: {placed:?}");

        let empty = Output::staged("e.html", b"", &stage, Effort::Fast).expect("empty");
        assert!(empty.is_empty());
        assert_eq!(empty.bytes().expect("read").as_ref(), b"");
    }

    #[test]
    fn a_file_without_a_gzip_copy_is_staged_alone() {
        let dir = tempfile::tempdir().expect("dir");
        let stage = stage(&dir);
        // In a folder that does not exist yet: staged whole, in a hidden folder beside it.
        let out =
            Output::staged("media/logo.png", &[1, 2, 3], &stage, Effort::Fast).expect("staged");
        assert!(!out.is_empty());
        let (_, placed) = out.placed().expect("staged");
        assert_eq!(
            placed,
            Placed {
                len: 3,
                file: true,
                copy: false
            }
        );
        assert_eq!(out.bytes().expect("read").as_ref(), [1, 2, 3]);
        let hidden = format!(".media.{}.tmp", stage.token());
        assert_eq!(listing(dir.path()), std::slice::from_ref(&hidden));
        assert_eq!(listing(&dir.path().join(hidden)), ["logo.png"]);
        let plain = Output::new("logo.png", vec![1, 2, 3]);
        assert_eq!(plain.plain(), Some(&[1, 2, 3][..]));
        assert_eq!(plain.placed().map(|p| p.1), None);
    }

    #[test]
    fn a_stage_dropped_before_its_publication_leaves_nothing_behind() {
        // Description: pages staged in two folders, a file there already; the stage dropped
        // without publishing, and another published. Expect: the first leaves only the file
        // that was there; the second's renamed files stay.
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("kept.html"), b"old").expect("setup");
        std::fs::write(dir.path().join(".notes"), b"mine").expect("setup");
        {
            let stage = stage(&dir);
            for name in ["a.html", "partners/b.html", "kept.html"] {
                Output::staged(name, b"new", &stage, Effort::Fast).expect("staged");
            }
        }
        assert_eq!(listing(dir.path()), [".notes", "kept.html"]);
        assert_eq!(
            std::fs::read(dir.path().join("kept.html")).expect("kept"),
            b"old"
        );
        let stage = stage(&dir);
        let out = Output::staged("a.html", b"new", &stage, Effort::Fast).expect("staged");
        let (_, placed) = out.placed().expect("staged");
        stage.rename("a.html", placed).expect("renamed");
        stage.published();
        drop(out);
        drop(stage);
        assert_eq!(
            listing(dir.path()),
            [".notes", "a.html", "a.html.gz", "kept.html"]
        );
    }

    #[test]
    fn a_temp_file_in_the_way_is_replaced_and_a_staged_file_can_be_flushed() {
        // Description: a file already bearing a temp name of this stage (a dead run's with the
        // same token), then the same page staged twice. Expect: replaced by the new bytes; the
        // two outputs equal (same stage, same place) and unequal to one from another stage;
        // flushing needs the staged file.
        let dir = tempfile::tempdir().expect("dir");
        let (one, two) = (stage(&dir), stage(&dir));
        let temp = dir.path().join(format!(".x.html.{}.tmp", one.token()));
        std::fs::write(&temp, b"stale").expect("setup");
        let a = Output::staged("x.html", b"new", &one, Effort::Fast).expect("replaced");
        assert_eq!(std::fs::read(&temp).expect("temp"), b"new");
        let b = Output::staged("x.html", b"new", &one, Effort::Fast).expect("again");
        assert_eq!(a, b);
        assert_ne!(
            a,
            Output::staged("x.html", b"new", &two, Effort::Fast).expect("other")
        );
        let (_, placed) = a.placed().expect("staged");
        one.sync("x.html", placed).expect("flushed");
        std::fs::remove_file(&temp).expect("gone");
        assert!(one.sync("x.html", placed).is_err(), "nothing to flush");
    }
}
