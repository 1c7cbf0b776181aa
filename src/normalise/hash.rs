//! The cache key of a raw item: which items are unchanged since they were last normalised (and so
//! need no parsing into HTML or sanitising again).

use feed_rs::model::{Entry as FeedEntry, Text};
use url::Url;

use super::FeedContext;
use crate::parse::ItemScope;

/// Feeds values into a hasher without the cost of `Debug` formatting.
struct ItemHasher(std::hash::DefaultHasher);

impl ItemHasher {
    fn s(&mut self, v: &str) {
        use std::hash::Hash;
        v.hash(&mut self.0);
    }
    fn o(&mut self, v: Option<&str>) {
        self.s(v.unwrap_or("\u{0}"));
    }
    fn n(&mut self, v: Option<i64>) {
        use std::hash::Hash;
        v.hash(&mut self.0);
    }
    fn text(&mut self, t: Option<&Text>) {
        if let Some(t) = t {
            self.s(t.content_type.as_str());
            self.s(&t.content);
        } else {
            self.s("\u{0}");
        }
    }
}

/// A cache key for a raw item: equal keys mean normalising would give the same entry. Covers every
/// field normalising reads, the source's settings and the feed-level context, plus a version that
/// is bumped whenever normalising changes. `DefaultHasher` is only stable for one Rust release:
/// after an upgrade every item is simply normalised once more.
pub fn item_hash(ctx: &FeedContext<'_>, item: &FeedEntry, scope: &ItemScope) -> String {
    use std::hash::Hasher;
    const VERSION: &str = "1";
    let mut h = ItemHasher(std::hash::DefaultHasher::new());
    h.s(VERSION);
    h.s(&ctx.fingerprint);
    h.o(scope.lang.as_deref());
    h.o(scope.base.as_ref().map(Url::as_str));
    h.s(&item.id);
    h.text(item.title.as_ref());
    h.n(item.updated.map(|d| d.timestamp()));
    h.n(item.published.map(|d| d.timestamp()));
    for p in &item.authors {
        h.o(p.name.as_deref());
        h.o(p.email.as_deref());
        h.o(p.uri.as_deref());
    }
    h.s("|content");
    if let Some(c) = &item.content {
        h.o(c.body.as_deref());
        h.s(c.content_type.as_str());
    }
    h.s("|links");
    for l in &item.links {
        h.s(&l.href);
        h.o(l.rel.as_deref());
        h.o(l.media_type.as_deref());
        h.n(l.length.map(|n| n as i64));
        h.o(l.title.as_deref());
    }
    h.text(item.summary.as_ref());
    h.s("|categories");
    for c in &item.categories {
        h.s(&c.term);
        h.o(c.label.as_deref());
    }
    h.o(item.language.as_deref());
    h.o(item.base.as_deref());
    h.s("|media");
    for m in &item.media {
        for c in &m.content {
            h.o(c.url.as_ref().map(url::Url::as_str));
            h.o(c.content_type.as_ref().map(|t| t.as_str()));
            h.n(c.size.map(|n| n as i64));
        }
    }
    format!("{:016x}", h.0.finish())
}
