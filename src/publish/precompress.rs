//! The gzip copies of the text outputs (issue 21): `feed.atom.gz` beside `feed.atom`, compressed
//! once, at publish time, and then served as they are (`feedbraid serve`, nginx's `gzip_static`)
//! instead of compressing every response.
//!
//! The [`Disk`](super::sink::Disk) sink writes a copy in the same publication as its source,
//! all or nothing with the rest, and only when the source changes (or when the copy is missing
//! or older than its source: files published before copies existed, a file edited by hand).
//! One rule ties a copy to its source: **a copy is current when it is at least as new as its
//! source** ([`is_current`]). The sink stages a copy after its source and renames it after it,
//! so a copy is never newer than a source it does not match, even if the publish is cut short
//! between the two renames; `serve` sends a copy only when it is current, else the file itself.
//!
//! Brotli copies were measured and left out (`docs/performance.md`): at its best level a fifth
//! smaller than gzip's best on the shipped example, for ten times the CPU to write, a new
//! dependency and a second copy of every file; and most feed readers do not ask for it.

use std::collections::HashMap;
use std::fs::Metadata;
use std::io::Write;
use std::path::Path;

/// The extensions of the files that get a copy: the text formats feedbraid writes.
pub const EXTENSIONS: &[&str] = &["atom", "rss", "json", "html", "opml", "xsl", "xml"];

/// Whether a published file gets a gzip copy (by its extension).
pub fn compressible(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && EXTENSIONS.contains(&ext))
}

/// The copy's name: `feed.atom` → `feed.atom.gz`.
pub fn copy_name(name: &str) -> String {
    format!("{name}.gz")
}

/// Above this size a copy is made at gzip's default level, not its best: the library's pages
/// are many (45 MB for 25,000 entries), and compressing them at level 9 took 14 % of a cold
/// run. Measured on 200 of them (10.8 MB): level 6 took 0.44 of level 9's time for copies 2.5 %
/// bigger (level 1: 0.20 of the time, 13 % bigger).
const BEST_UP_TO: usize = 16 * 1024;

/// The gzip bytes of `bytes`, at the best compression for small files (done once per change,
/// read many times), the default level above [`BEST_UP_TO`]. Deterministic: no file name and no
/// time in the header.
pub fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let level = if bytes.len() <= BEST_UP_TO {
        flate2::Compression::best()
    } else {
        flate2::Compression::default()
    };
    gzip_at(bytes, level)
}

/// The gzip bytes of `bytes` at level 3 whatever their size: the library's pages, thousands of
/// them on a cold run and each read by few, compressed as they are rendered. Measured on the
/// 6,827 pages of a cold run at 5,000 partners (141 MB): level 6 took 0.95 s, level 3 0.61 s
/// for copies 2.4 % bigger, level 1 0.28 s for copies 26 % bigger (and on 3,843 pages, level 9
/// half again as long as level 6 for copies 1.5 % smaller).
pub fn gzip_fast(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    gzip_at(bytes, flate2::Compression::new(3))
}

fn gzip_at(bytes: &[u8], level: flate2::Compression) -> std::io::Result<Vec<u8>> {
    let mut enc = flate2::GzBuilder::new().write(Vec::with_capacity(bytes.len() / 3 + 64), level);
    enc.write_all(bytes)?;
    enc.finish()
}

/// Whether `copy` may stand for `source`: both regular files, the copy at least as new.
pub fn is_current(source: &Metadata, copy: &Metadata) -> bool {
    match (source.modified(), copy.modified()) {
        (Ok(s), Ok(c)) => source.is_file() && copy.is_file() && c >= s,
        _ => false,
    }
}

/// Whether the file at `source` has a current copy beside it.
pub fn has_current_copy(source: &Path) -> bool {
    let copy = source.with_file_name(copy_name(
        &source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    ));
    match (std::fs::metadata(source), std::fs::metadata(copy)) {
        (Ok(s), Ok(c)) => is_current(&s, &c),
        _ => false,
    }
}

/// The compressible regular files directly in `dir` (not hidden; `prefix` is prepended to each
/// name, such as `archive/`) whose copy is missing or stale, and whose copy's place is free or a
/// regular file. Sorted, for a deterministic publication. One listing of the folder says which
/// copies exist; only a file with a copy is looked at (its and its copy's times), through the
/// listing's entries (a folder of 5,000 partner pages and their copies took 20,000 lookups by
/// path on every publication, however few of its pages changed).
pub fn without_current_copy(dir: &Path, prefix: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let listed: HashMap<String, std::fs::DirEntry> = entries
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.to_string(), e)))
        .filter(|(name, _)| !name.starts_with('.'))
        .collect();
    let mut out: Vec<String> = listed
        .iter()
        .filter(|(name, e)| compressible(name) && e.file_type().is_ok_and(|t| t.is_file()))
        .filter(|(name, e)| match listed.get(&copy_name(name)) {
            None => true,
            // Both without following links: a copy that is a link is not ours to replace.
            Some(copy) => match (e.metadata(), copy.metadata()) {
                (Ok(s), Ok(c)) => c.is_file() && !is_current(&s, &c),
                _ => false,
            },
        })
        .map(|(name, _)| format!("{prefix}{name}"))
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_outputs_get_copies_and_nothing_else() {
        for n in [
            "feed.atom",
            "zh.json",
            "index.html",
            "feed.rss",
            "archive/2026-03.atom",
        ] {
            assert!(compressible(n), "{n}");
        }
        for n in [
            "feed.atom.gz",
            "a.pdf",
            "media/ab/cd.jpg",
            ".atom",
            "state.db",
            "atom",
        ] {
            assert!(!compressible(n), "{n}");
        }
        assert_eq!(copy_name("archive/2026-03.atom"), "archive/2026-03.atom.gz");
    }

    #[test]
    fn gzip_is_deterministic_and_decodes() {
        let text = "<feed>".repeat(1000);
        let (a, b) = (gzip(text.as_bytes()), gzip(text.as_bytes()));
        let a = a.expect("gzip");
        assert_eq!(a, b.expect("gzip"));
        assert!(a.len() < text.len() / 10);
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&a[..]), &mut back)
            .expect("gunzip");
        assert_eq!(back, text);
    }

    #[test]
    fn a_copy_older_than_its_source_is_not_current() {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = dir.path().join("feed.atom");
        std::fs::write(&src, "new").expect("write");
        assert!(!has_current_copy(&src), "no copy");
        std::fs::write(dir.path().join("feed.atom.gz"), "gz").expect("write");
        assert!(has_current_copy(&src));
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::File::options()
            .write(true)
            .open(dir.path().join("feed.atom.gz"))
            .and_then(|f| f.set_modified(old))
            .expect("age the copy");
        assert!(!has_current_copy(&src), "stale");
        assert_eq!(without_current_copy(dir.path(), "x/"), vec!["x/feed.atom"]);
    }

    #[cfg(unix)]
    #[test]
    fn the_listing_names_each_file_whose_copy_is_missing_or_stale_and_free_to_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path();
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        let write = |name: &str| std::fs::write(p.join(name), "x").expect("write");
        let age = |name: &str| {
            std::fs::File::options()
                .write(true)
                .open(p.join(name))
                .and_then(|f| f.set_modified(old))
                .expect("age");
        };
        write("current.html");
        write("current.html.gz");
        write("missing.json");
        write("stale.atom");
        write("stale.atom.gz");
        age("stale.atom.gz");
        write("linked.xml");
        std::os::unix::fs::symlink(p.join("current.html.gz"), p.join("linked.xml.gz"))
            .expect("symlink");
        write("foldered.opml");
        std::fs::create_dir(p.join("foldered.opml.gz")).expect("mkdir");
        write(".hidden.html");
        write("picture.png");
        write(".feed.atom.aB3xY9.tmp");
        std::os::unix::fs::symlink(p.join("current.html"), p.join("link.html")).expect("symlink");
        assert_eq!(
            without_current_copy(p, ""),
            vec!["missing.json", "stale.atom"],
            "a link or a folder where the copy goes is not replaced; hidden, temp, linked and \
             binary files get no copy"
        );
    }
}
