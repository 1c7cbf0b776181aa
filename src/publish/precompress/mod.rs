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
use std::path::Path;

use libdeflater::{CompressionLvl, Compressor};

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

/// Above this size a copy is made at level 7, not the best: libdeflate's best (12) took 15 to
/// 30 times as long for copies up to 6 % smaller on a 5,000-partner run's large outputs
/// (`feed.atom`, 555 KB: 155 ms against 6 ms), and they are rewritten on every change. Level 7
/// took about zlib-rs's level-6 time (what this wrote before) for copies as small or smaller
/// (`feed.atom` 66.8 against 67.0 KB, `sitemap.xml` 14.5 against 19.1 KB); libdeflate's level 6
/// was faster but made `feed.atom`'s copy 7 % bigger. Up to this size the best takes a few
/// milliseconds (`embed.html`, 24 KB: 3.7 ms).
const BEST_UP_TO: usize = 16 * 1024;

/// libdeflate's levels (1 to 12) used here: see [`gzip`], [`Effort`] and [`gzip_fast_then`].
const BEST: i32 = 12;
const HIGH: i32 = 7;
const MEDIUM: i32 = 6;
const FAST: i32 = 1;

/// How hard a copy is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effort {
    /// Level 1 (see [`gzip_fast_then`]): a library page, one of thousands, each read by few.
    Fast,
    /// Level 6 above [`BEST_UP_TO`] (the best below): a topic's feed, one of as many as the
    /// network has topics (602 at 300 topics), each read by fewer than the main feed. On 222 of
    /// them (67.4 MB, one thread): level 7 took 0.80 s for copies 13.0 % of their size, level 6
    /// 0.43 s for 13.8 %, level 1 0.13 s for 17.4 %.
    Medium,
    /// [`gzip`]'s levels: a feed, read many times.
    Full,
}

/// The gzip bytes of `bytes`, at the best compression for small files (done once per change,
/// read many times), level 7 above [`BEST_UP_TO`]. Deterministic: no file name and no time in
/// the header.
pub fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    gzip_then(Effort::Full, bytes, <[u8]>::to_vec)
}

/// The gzip copy of `bytes` at `effort`, handed to `then` (to write it) rather than returned.
pub fn gzip_then<T>(
    effort: Effort,
    bytes: &[u8],
    then: impl FnOnce(&[u8]) -> T,
) -> std::io::Result<T> {
    if effort == Effort::Fast {
        return gzip_fast_then(bytes, then);
    }
    let level = match effort {
        _ if bytes.len() <= BEST_UP_TO => BEST,
        Effort::Medium => MEDIUM,
        _ => HIGH,
    };
    compress_then(&mut Compressor::new(level_of(level)?), bytes, then)
}

/// The gzip copy of `bytes` at level 1 whatever their size: the library's pages, thousands of
/// them on a cold run and each read by few, compressed as they are rendered, by a compressor
/// kept by each thread (making one per page cost a tenth more). Measured on the 6,825 pages of
/// a cold run at 5,000 partners (141 MB), one thread: zlib-rs at level 3 (what this wrote
/// before) 0.44 s for 25.7 MB; libdeflate at level 1 0.20 s for 26.1 MB, at level 3 0.30 s for
/// 25.1 MB, at level 6 0.40 s for 24.7 MB. The copy is handed to `then` (to write it).
fn gzip_fast_then<T>(bytes: &[u8], then: impl FnOnce(&[u8]) -> T) -> std::io::Result<T> {
    thread_local! {
        static FAST_COMPRESSOR: std::cell::RefCell<Option<Compressor>> =
            const { std::cell::RefCell::new(None) };
    }
    FAST_COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        let c = match slot.as_mut() {
            Some(c) => c,
            None => slot.insert(Compressor::new(level_of(FAST)?)),
        };
        compress_then(c, bytes, then)
    })
}

fn level_of(level: i32) -> std::io::Result<CompressionLvl> {
    CompressionLvl::new(level)
        .map_err(|e| std::io::Error::other(format!("gzip level {level}: {e:?}")))
}

/// Up to this bound, a copy is compressed into a buffer its thread keeps (see [`compress_then`]).
const KEPT_UP_TO: usize = 1 << 20;

/// Whether a copy whose compressed size is at most `bound` is compressed into the buffer its
/// thread keeps: larger ones get a buffer of their own, given back at once, so that a thread
/// never holds more than [`KEPT_UP_TO`] after a large feed.
fn kept(bound: usize) -> bool {
    bound <= KEPT_UP_TO
}

thread_local! {
    /// The buffer each thread keeps for its copies (see [`compress_then`]).
    static OUT: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Compresses `bytes` with `c` and hands the copy to `then`. Into a buffer the thread keeps
/// (zeroed once, grown as needed, up to [`KEPT_UP_TO`]): a buffer of the bound's size made
/// for each copy had to be zeroed each time, then shrunk to the copy, and was given back at
/// once; at 500 × 50 the allocator's share of compressing the library's pages (fresh zeroed
/// pages, purged again) was 2 % of a cold run's CPU (issue 25).
fn compress_then<T>(
    c: &mut Compressor,
    bytes: &[u8],
    then: impl FnOnce(&[u8]) -> T,
) -> std::io::Result<T> {
    let bound = c.gzip_compress_bound(bytes.len());
    let run = |out: &mut Vec<u8>| {
        if out.len() < bound {
            out.resize(bound, 0);
        }
        let n = c
            .gzip_compress(bytes, out)
            .map_err(|e| std::io::Error::other(format!("gzip: {e:?}")))?;
        Ok(then(out.get(..n).unwrap_or_default()))
    };
    if !kept(bound) {
        return run(&mut Vec::new());
    }
    OUT.with(|cell| run(&mut cell.borrow_mut()))
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
pub(super) mod tests;
