//! The cache key of a raw item: which items are unchanged since they were last normalised (and so
//! need no parsing into HTML or sanitising again).
//!
//! Stable across Rust releases and platforms: SHA-256 over a canonical byte encoding (every field
//! tagged and length-prefixed, so no two different items encode alike), never `DefaultHasher`,
//! whose output may change with the toolchain and would re-normalise every stored item.

use sha2::{Digest, Sha256};

use super::FeedContext;
use crate::ingest::parse::{RawItem, RawText, TextKind};

/// Feeds tagged, length-prefixed fields into SHA-256.
struct Canonical(Sha256);

impl Canonical {
    fn s(&mut self, tag: u8, v: &str) {
        self.0.update([tag]);
        self.0.update((v.len() as u64).to_le_bytes());
        self.0.update(v.as_bytes());
    }
    fn o(&mut self, tag: u8, v: Option<&str>) {
        match v {
            Some(v) => self.s(tag, v),
            None => self.0.update([tag, 0xFF]),
        }
    }
    fn n(&mut self, tag: u8, v: Option<i64>) {
        self.0.update([tag]);
        match v {
            Some(v) => self.0.update(v.to_le_bytes()),
            None => self.0.update([0xFF]),
        }
    }
    fn text(&mut self, tag: u8, t: Option<&RawText>) {
        match t {
            Some(t) => {
                self.0.update([
                    tag,
                    match t.kind {
                        TextKind::Text => 1,
                        TextKind::Html => 2,
                    },
                ]);
                self.s(tag, &t.value);
            }
            None => self.0.update([tag, 0xFF]),
        }
    }
}

/// A cache key for a raw item: equal keys mean normalising would give the same entry. Covers every
/// field normalising reads, the source's settings and the feed-level context, plus a version that
/// is bumped whenever normalising changes.
pub fn item_hash(ctx: &FeedContext<'_>, item: &RawItem) -> String {
    // 3: HTML kept raw, sanitised at publish time (issue 13).
    const VERSION: &str = "3";
    let mut h = Canonical(Sha256::new());
    h.s(0, VERSION);
    h.s(1, &ctx.fingerprint);
    h.o(2, item.id.as_deref());
    h.text(3, item.title.as_ref());
    h.text(4, item.summary.as_ref());
    h.text(5, item.content.as_ref());
    h.o(6, item.content_src.as_deref());
    h.n(7, item.published.map(|d| d.timestamp()));
    h.n(8, item.updated.map(|d| d.timestamp()));
    for l in &item.links {
        h.s(9, &l.href);
        h.o(10, l.rel.as_deref());
        h.o(11, l.mime_type.as_deref());
        h.o(12, l.hreflang.as_deref());
        h.o(13, l.title.as_deref());
        h.n(14, l.length.map(|n| n as i64));
    }
    for p in &item.authors {
        h.o(15, p.name.as_deref());
        h.o(16, p.email.as_deref());
        h.o(17, p.uri.as_deref());
    }
    for c in &item.categories {
        h.s(18, &c.term);
        h.o(19, c.label.as_deref());
    }
    h.o(20, item.language.as_deref());
    h.o(21, item.base.as_ref().map(url::Url::as_str));
    h.o(22, item.image.as_deref());
    h.o(23, item.rights.as_deref());
    h.o(24, item.license.as_deref());
    crate::text::hex(&h.0.finalize()[..16])
}
