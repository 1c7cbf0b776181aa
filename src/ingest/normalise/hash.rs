//! The cache key of a raw item: which items are unchanged since they were last normalised (and so
//! need no parsing into HTML or sanitising again). The key is also the item's handle in the
//! state: a stored row is found by its source and its key.
//!
//! Stable across Rust releases and platforms: XXH3-128 (a specified algorithm, the same bytes
//! everywhere) over a canonical byte encoding (every field tagged and length-prefixed, so no two
//! different items encode alike), never `DefaultHasher`, whose output may change with the
//! toolchain and would re-normalise every stored item.
//!
//! Until key version 4 this was SHA-256 (its first 16 bytes), 3–5 % of a cold run's CPU
//! (`docs/performance.md`, issue 25, round seventeen). A key needs no resistance to an
//! adversary: keys are compared only within one source, so a partner who crafted two items with
//! one key could only hide one of its own items, or a change to it, which it can do by not
//! publishing it. A state written with the earlier keys is read as it is; the next time a feed
//! is parsed its items are normalised once more, as after a bump of [`VERSION`] (an undated item
//! keeps the date it was first seen: that goes by its id, not its key).

use xxhash_rust::xxh3::Xxh3Default;

use super::FeedContext;
use crate::ingest::parse::{RawItem, RawText, TextKind};

/// Bumped whenever normalising changes, or the key's encoding or algorithm does: every stored
/// item is then normalised again when its feed next changes. 3: HTML kept raw, sanitised at
/// publish time (issue 13). 4: XXH3-128, not SHA-256.
const VERSION: &str = "4";

/// Feeds tagged, length-prefixed fields into the hasher. An optional field says whether it is
/// there before its value, so no value reads as an absent one.
struct Canonical(Xxh3Default);

impl Canonical {
    fn s(&mut self, tag: u8, v: &str) {
        self.0.update(&[tag]);
        self.bytes(v);
    }
    fn bytes(&mut self, v: &str) {
        self.0.update(&(v.len() as u64).to_le_bytes());
        self.0.update(v.as_bytes());
    }
    fn o(&mut self, tag: u8, v: Option<&str>) {
        match v {
            Some(v) => {
                self.0.update(&[tag, 1]);
                self.bytes(v);
            }
            None => self.0.update(&[tag, 0]),
        }
    }
    fn n(&mut self, tag: u8, v: Option<i64>) {
        match v {
            Some(v) => {
                self.0.update(&[tag, 1]);
                self.0.update(&v.to_le_bytes());
            }
            None => self.0.update(&[tag, 0]),
        }
    }
    fn text(&mut self, tag: u8, t: Option<&RawText>) {
        match t {
            Some(t) => {
                let kind = match t.kind {
                    TextKind::Text => 1,
                    TextKind::Html => 2,
                };
                self.0.update(&[tag, kind]);
                self.bytes(&t.value);
            }
            None => self.0.update(&[tag, 0]),
        }
    }
}

/// A cache key for a raw item: equal keys mean normalising would give the same entry. Covers every
/// field normalising reads, the source's settings and the feed-level context, plus a version that
/// is bumped whenever normalising changes.
pub fn item_hash(ctx: &FeedContext<'_>, item: &RawItem) -> String {
    key(&ctx.fingerprint, item)
}

/// The key of `item` read in a feed whose context is `fingerprint`: 32 lower-case hex digits.
fn key(fingerprint: &str, item: &RawItem) -> String {
    let mut h = Canonical(Xxh3Default::new());
    h.s(0, VERSION);
    h.s(1, fingerprint);
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
    crate::text::hex(&h.0.digest128().to_be_bytes())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use chrono::{DateTime, Utc};

    use super::key;
    use crate::ingest::parse::model::RawCategory;
    use crate::ingest::parse::{RawItem, RawLink, RawPerson, RawText};

    fn at(secs: i64) -> Option<DateTime<Utc>> {
        DateTime::from_timestamp(secs, 0)
    }

    /// An item with every field given.
    fn full() -> RawItem {
        RawItem {
            position: 3,
            id: Some("urn:x:1".into()),
            title: Some(RawText::text("รายงาน".into())),
            links: vec![RawLink {
                href: "https://p.example/1".into(),
                rel: Some("enclosure".into()),
                mime_type: Some("application/pdf".into()),
                hreflang: Some("th".into()),
                title: Some("PDF".into()),
                length: Some(1200),
            }],
            summary: Some(RawText::html("<p>短</p>".into())),
            content: Some(RawText::html("<p>long</p>".into())),
            content_src: Some("https://p.example/1.html".into()),
            published: at(1_700_000_000),
            updated: at(1_700_000_600),
            authors: vec![RawPerson {
                name: Some("A".into()),
                email: Some("a@p.example".into()),
                uri: Some("https://p.example/a".into()),
            }],
            categories: vec![RawCategory {
                term: "health".into(),
                label: Some("Health".into()),
            }],
            language: Some("th".into()),
            base: url::Url::parse("https://p.example/").ok(),
            image: Some("https://p.example/i.png".into()),
            rights: Some("CC".into()),
            license: Some("https://creativecommons.org/licenses/by/4.0/".into()),
        }
    }

    /// Keys must not change between builds, platforms or releases: a changed key normalises
    /// every stored item again. Change this value only with [`super::VERSION`].
    #[test]
    fn a_key_is_32_hex_digits_and_the_same_on_every_build() {
        let k = key("fp", &full());
        assert_eq!(k.len(), 32);
        assert!(
            k.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(
            k, "3ed4fde23ba3903dba0a8599a2bde16d",
            "the key of the full item changed"
        );
        // Checked against xxHash's C library (Python's `xxhash`, `xxh3_128_hexdigest`) over
        // the encoding written out by hand: [0] len "4", [1] len "fp", then [tag, 0] for each
        // absent field (2 to 8, 20 to 24), lengths as 8 bytes little-endian.
        assert_eq!(
            key("fp", &RawItem::default()),
            "ac95915777a23b0d7586e332e5d39f64",
            "the empty item"
        );
    }

    #[test]
    fn the_position_is_not_part_of_the_key() {
        let moved = RawItem {
            position: 40,
            ..full()
        };
        assert_eq!(key("fp", &moved), key("fp", &full()));
    }

    /// Every field counts: each of these differs from the full item in one field (or the feed's
    /// context), and every key differs from every other.
    #[test]
    fn every_field_changes_the_key() {
        let mut variants: Vec<RawItem> = Vec::new();
        let mut one = |change: &dyn Fn(&mut RawItem)| {
            let mut i = full();
            change(&mut i);
            variants.push(i);
        };
        one(&|i| i.id = None);
        one(&|i| i.title = Some(RawText::html("รายงาน".into())));
        one(&|i| i.summary = None);
        one(&|i| i.content = Some(RawText::html("<p>longer</p>".into())));
        one(&|i| i.content_src = None);
        one(&|i| i.published = at(1_700_000_001));
        one(&|i| i.updated = None);
        one(&|i| i.links[0].href.push('x'));
        one(&|i| i.links[0].rel = None);
        one(&|i| i.links[0].mime_type = Some("text/html".into()));
        one(&|i| i.links[0].hreflang = None);
        one(&|i| i.links[0].title = Some("pdf".into()));
        one(&|i| i.links[0].length = Some(1201));
        one(&|i| i.links.clear());
        one(&|i| i.authors[0].name = None);
        one(&|i| i.authors[0].email = Some("b@p.example".into()));
        one(&|i| i.authors[0].uri = None);
        one(&|i| i.authors.push(RawPerson::default()));
        one(&|i| i.categories[0].term = "rights".into());
        one(&|i| i.categories[0].label = None);
        one(&|i| i.language = Some("en".into()));
        one(&|i| i.base = url::Url::parse("https://q.example/").ok());
        one(&|i| i.image = None);
        one(&|i| i.rights = Some("All rights reserved".into()));
        one(&|i| i.license = None);
        let mut keys: Vec<String> = variants.iter().map(|i| key("fp", i)).collect();
        keys.push(key("fp", &full()));
        keys.push(key("another context", &full()));
        let distinct: HashSet<&String> = keys.iter().collect();
        assert_eq!(distinct.len(), keys.len(), "{keys:?}");
    }

    /// The encoding has one reading: text moved from one field to the next, an empty value and
    /// an absent one, a field's value and the next field's, are different items.
    #[test]
    fn no_two_items_encode_alike() {
        let pairs: Vec<(RawItem, RawItem)> = vec![
            (
                RawItem {
                    rights: Some("ab".into()),
                    license: Some("c".into()),
                    ..RawItem::default()
                },
                RawItem {
                    rights: Some("a".into()),
                    license: Some("bc".into()),
                    ..RawItem::default()
                },
            ),
            (
                RawItem {
                    id: Some(String::new()),
                    ..RawItem::default()
                },
                RawItem::default(),
            ),
            (
                RawItem {
                    title: Some(RawText::text(String::new())),
                    ..RawItem::default()
                },
                RawItem {
                    summary: Some(RawText::text(String::new())),
                    ..RawItem::default()
                },
            ),
            (
                RawItem {
                    authors: vec![RawPerson {
                        name: Some("a".into()),
                        ..RawPerson::default()
                    }],
                    ..RawItem::default()
                },
                RawItem {
                    authors: vec![RawPerson {
                        email: Some("a".into()),
                        ..RawPerson::default()
                    }],
                    ..RawItem::default()
                },
            ),
            (
                RawItem {
                    categories: vec![RawCategory {
                        term: "a".into(),
                        label: None,
                    }],
                    language: Some("b".into()),
                    ..RawItem::default()
                },
                RawItem {
                    categories: vec![RawCategory {
                        term: "a".into(),
                        label: Some("b".into()),
                    }],
                    ..RawItem::default()
                },
            ),
            (
                RawItem {
                    published: at(0),
                    ..RawItem::default()
                },
                RawItem::default(),
            ),
        ];
        for (a, b) in &pairs {
            assert_ne!(key("fp", a), key("fp", b), "{a:?} and {b:?}");
        }
    }
}
