//! A candidate's four strings in one allocation: where its full entry is (the handle), its id,
//! the canonical form of its link and the partner's own id.
//!
//! A run holds a candidate for every stored item of every source (100,000 at 5,000 × 20), and
//! each of these was its own `String`: 96 bytes of fields and four heap blocks (~210 bytes with
//! the allocator's headers) per candidate, 30 MB in all, most of a warm or changed run's heap
//! (issue 25, measured with heaptrack). Here they are one `Box<str>` and three ends. The partner's
//! own id is most often the id itself (an absolute IRI taken as it is), and is then not stored
//! twice. Written here rather than taken from a crate: the small-string crates keep one string
//! inline, not several in one block.
//!
//! An empty canonical link or original id reads as `None`: neither is ever empty (a canonical
//! link has a host, an original id is an absolute IRI), and an empty key must not match another.

use std::fmt;

/// The bit of `ends[2]` saying that the original id is the id itself.
const ORIGINAL_IS_ID: u32 = 1 << 31;

/// A candidate's handle, id, canonical link and original id (see the module header).
#[derive(Clone, PartialEq, Eq)]
pub struct Ids {
    /// handle ++ id ++ canonical link ++ original id (absent when it is the id).
    all: Box<str>,
    /// Where the handle, the id and the link end in `all`; the last with [`ORIGINAL_IS_ID`].
    ends: [u32; 3],
}

impl Ids {
    /// The four strings, `None` or empty where the entry has no such key.
    pub fn new(
        handle: &str,
        id: &str,
        canonical_link: Option<&str>,
        original_id: Option<&str>,
    ) -> Ids {
        let link = canonical_link.unwrap_or_default();
        let original = original_id.unwrap_or_default();
        let same = !original.is_empty() && original == id;
        let stored = if same { "" } else { original };
        let mut all = String::with_capacity(handle.len() + id.len() + link.len() + stored.len());
        for part in [handle, id, link, stored] {
            all.push_str(part);
        }
        // A key of 2 GiB cannot come from a capped document; the ends saturate rather than wrap.
        let end = |n: usize| {
            u32::try_from(n)
                .unwrap_or(ORIGINAL_IS_ID - 1)
                .min(ORIGINAL_IS_ID - 1)
        };
        let (h, i) = (handle.len(), handle.len() + id.len());
        let l = end(i + link.len()) | if same { ORIGINAL_IS_ID } else { 0 };
        Ids {
            all: all.into_boxed_str(),
            ends: [end(h), end(i), l],
        }
    }

    /// The `k`th string of `all`: 0 the handle, 1 the id, 2 the link, 3 the original id as
    /// stored (empty when it is the id).
    fn range(&self, k: usize) -> &str {
        let at = |k: usize| match k {
            0 => 0,
            4 => self.all.len(),
            k => (self.ends[k - 1] & !ORIGINAL_IS_ID) as usize,
        };
        self.all.get(at(k)..at(k + 1)).unwrap_or_default()
    }

    /// Where the full entry is: the item hash in state, or the index of a local entry.
    pub fn handle(&self) -> &str {
        self.range(0)
    }

    /// The entry's id in the merged feed.
    pub fn id(&self) -> &str {
        self.range(1)
    }

    /// `links::canonical` of the entry's link.
    pub fn canonical_link(&self) -> Option<&str> {
        Some(self.range(2)).filter(|s| !s.is_empty())
    }

    /// The partner's own id when it is an absolute IRI.
    pub fn original_id(&self) -> Option<&str> {
        if self.ends[2] & ORIGINAL_IS_ID != 0 {
            return Some(self.id());
        }
        Some(self.range(3)).filter(|s| !s.is_empty())
    }
}

impl fmt::Debug for Ids {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ids")
            .field("handle", &self.handle())
            .field("id", &self.id())
            .field("canonical_link", &self.canonical_link())
            .field("original_id", &self.original_id())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Ids;

    #[test]
    fn every_key_reads_back_as_it_was_given() {
        // Description: each combination of a link and an original id (absent, equal to the id,
        // different), with non-ASCII text at the joins.
        // Expect: each string read back whole, `None` where none was given.
        let links = [None, Some("ex.org/ข่าว"), Some("ex.org/p?q=1")];
        let originals = [None, Some("tag:性,2026:1"), Some("tag:other,2026:2")];
        for link in links {
            for original in originals {
                let ids = Ids::new("9f3a", "tag:性,2026:1", link, original);
                assert_eq!(ids.handle(), "9f3a");
                assert_eq!(ids.id(), "tag:性,2026:1");
                assert_eq!(ids.canonical_link(), link, "{link:?} {original:?}");
                assert_eq!(ids.original_id(), original, "{link:?} {original:?}");
            }
        }
    }

    #[test]
    fn an_original_id_equal_to_the_id_is_stored_once() {
        let same = Ids::new("h", "tag:a,2026:1", Some("a.org/1"), Some("tag:a,2026:1"));
        let none = Ids::new("h", "tag:a,2026:1", Some("a.org/1"), None);
        assert_eq!(same.all.len(), none.all.len());
        assert_ne!(same, none, "the flag tells them apart");
        assert_eq!(same.original_id(), Some("tag:a,2026:1"));
    }

    #[test]
    fn empty_keys_read_as_none_and_an_empty_handle_or_id_stays_empty() {
        let ids = Ids::new("", "", Some(""), Some(""));
        assert_eq!((ids.handle(), ids.id()), ("", ""));
        assert_eq!((ids.canonical_link(), ids.original_id()), (None, None));
        let h = Ids::new("7", "x", None, Some("tag:x,2026:1"));
        assert_eq!((h.handle(), h.id()), ("7", "x"));
        assert_eq!(h.original_id(), Some("tag:x,2026:1"));
    }

    #[test]
    fn debug_shows_the_strings() {
        let d = format!("{:?}", Ids::new("h", "i", Some("l"), None));
        assert!(
            d.contains("handle: \"h\"") && d.contains("canonical_link: Some(\"l\")"),
            "{d}"
        );
    }
}
