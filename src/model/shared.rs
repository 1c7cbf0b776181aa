//! Small values that 100,000 merge candidates share instead of each holding its own copy: a
//! source's name, a language, a list of tags. Read from the state at the start of a run, they
//! take a few hundred distinct values; as a `String` each they were the candidates' largest heap
//! allocations (issue 25: a warm run of 5,000 sources, peak RSS 138 → 116 MB).

use std::sync::Arc;

use super::Category;

/// A candidate's tags as one string, joined by U+001F (which no tag contains), as the state
/// stores them: one allocation per candidate instead of one per tag and one for the list, and
/// none where [`Interner`] shares a list that other entries have too (at 100,000 candidates,
/// tags were the largest of their heap allocations).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(Option<Arc<str>>);

impl Tags {
    /// The separator, a unit separator.
    pub const SEP: char = '\u{1f}';

    /// Tags from their list.
    pub fn new<S: AsRef<str>>(tags: &[S]) -> Tags {
        let mut joined = String::new();
        for (i, t) in tags.iter().enumerate() {
            if i > 0 {
                joined.push(Tags::SEP);
            }
            joined.push_str(t.as_ref());
        }
        Tags::joined(&joined, None)
    }

    /// What a view's `tags` match: each category's term and label, lower-cased, without repeats;
    /// shared through `interner` if any.
    pub fn of(categories: &[Category], interner: Option<&mut Interner>) -> Tags {
        let mut out: Vec<String> = Vec::with_capacity(categories.len());
        for c in categories {
            for t in std::iter::once(&c.term).chain(c.label.as_ref()) {
                let t = t.to_lowercase();
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
        Tags::joined(&out.join(&Tags::SEP.to_string()), interner)
    }

    /// Tags from their stored form (see [`Tags::as_joined`]), shared through `interner` if any.
    pub fn joined(joined: &str, interner: Option<&mut Interner>) -> Tags {
        if joined.is_empty() {
            return Tags(None);
        }
        Tags(Some(match interner {
            Some(i) => i.get(joined),
            None => joined.into(),
        }))
    }

    /// Each tag, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0
            .as_deref()
            .into_iter()
            .flat_map(|s| s.split(Tags::SEP))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The stored form: the tags joined by [`Tags::SEP`], empty for none.
    pub fn as_joined(&self) -> &str {
        self.0.as_deref().unwrap_or_default()
    }
}

/// Shares equal strings (a source's name, a language, a list of tags) between candidates: read
/// from the state, 100,000 of them hold a few hundred distinct values.
#[derive(Debug, Default)]
pub struct Interner(std::collections::HashSet<Arc<str>>);

impl Interner {
    /// The shared copy of `s`.
    pub fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.0.get(s) {
            return Arc::clone(a);
        }
        let a: Arc<str> = s.into();
        self.0.insert(Arc::clone(&a));
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_keep_their_order_and_round_trip_through_their_stored_form() {
        let t = Tags::new(&["sex work", "ประเทศไทย", "性工作"]);
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            ["sex work", "ประเทศไทย", "性工作"]
        );
        assert!(!t.is_empty());
        assert_eq!(t.as_joined(), "sex work\u{1f}ประเทศไทย\u{1f}性工作");
        assert_eq!(Tags::joined(t.as_joined(), None), t);
    }

    #[test]
    fn no_tags_is_empty_and_stored_as_nothing() {
        let none = Tags::new::<&str>(&[]);
        assert!(none.is_empty());
        assert_eq!(none.iter().count(), 0);
        assert_eq!(none.as_joined(), "");
        assert_eq!(Tags::joined("", None), Tags::default());
        let one = Tags::new(&["a"]);
        assert_eq!(one.iter().collect::<Vec<_>>(), ["a"]);
    }

    #[test]
    fn the_interner_shares_equal_strings_and_keeps_distinct_ones_apart() {
        let mut i = Interner::default();
        let (a, b, c) = (i.get("en"), i.get("en"), i.get("th"));
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!((&*a, &*c), ("en", "th"));
        let (x, y) = (
            Tags::joined("a\u{1f}b", Some(&mut i)),
            Tags::joined("a\u{1f}b", Some(&mut i)),
        );
        assert_eq!(x, y);
        assert!(matches!((&x.0, &y.0), (Some(p), Some(q)) if Arc::ptr_eq(p, q)));
    }
}
