//! An entry's stored head (everything but its summary and content) in its binary form: a
//! four-byte mark, then postcard of [`Head`], a mirror of the model with every field in order.
//!
//! Why not the JSON it was (LZ4-compressed): a cold run at 5,000 partners × 20 writes 100,000
//! heads and the library reads every one back; writing, compressing, decompressing and parsing
//! the JSON were 5 % of that run's CPU, and LZ4 made a head only a fifth smaller (457 → 364 bytes
//! on average). Postcard of the mirror is smaller than both, uncompressed: 226 bytes on average
//! (issue 25, round sixteen, `docs/performance.md`).
//!
//! The mark is what no head written before can start with: those start with their JSON's length
//! (LZ4's size prefix, little-endian), and `0x7FFFFFFF` bytes is more than SQLite stores in a
//! value. Heads written before read as they did (`entries::unpack_head`).
//!
//! Postcard has no field names: a head reads back only into the fields it was written with. So
//! the mirror is built by taking every model struct apart with no `..`: a field added to the
//! model does not compile until it is added here, and then [`MARK`] must change, with a reader
//! kept for heads under the old one (or the new field read as its default from them).

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{Category, Credit, Enclosure, Entry, Person, SourceInfo};

/// What starts a head in this form (see the module header).
pub const MARK: [u8; 4] = [0xFF, 0xFF, 0xFF, 0x7F];

type S<'a> = Cow<'a, str>;
/// A time as seconds and nanoseconds since the epoch.
type Time = (i64, u32);
/// A person: name, email, URI.
type PersonH<'a> = (S<'a>, Option<S<'a>>, Option<S<'a>>);
/// A category: term, label.
type CategoryH<'a> = (S<'a>, Option<S<'a>>);
/// A credit: name, URI, feed.
type CreditH<'a> = (S<'a>, Option<S<'a>>, Option<S<'a>>);

/// [`Entry`] without its text, field by field (see the module header).
#[derive(Serialize, Deserialize)]
struct Head<'a> {
    id: S<'a>,
    original_id: Option<S<'a>>,
    title: S<'a>,
    link: S<'a>,
    link_is_site: bool,
    link_lang: Option<S<'a>>,
    published: Option<Time>,
    updated: Time,
    authors: Vec<PersonH<'a>>,
    categories: Vec<CategoryH<'a>>,
    language: Option<S<'a>>,
    enclosures: Vec<EnclosureH<'a>>,
    image: Option<S<'a>>,
    via: Vec<S<'a>>,
    source: Option<SourceH<'a>>,
    rights: Option<S<'a>>,
    license: Option<S<'a>>,
    credit: Option<CreditH<'a>>,
}

/// [`Enclosure`], field by field.
#[derive(Serialize, Deserialize)]
struct EnclosureH<'a> {
    url: S<'a>,
    mime_type: S<'a>,
    length: Option<u64>,
    title: Option<S<'a>>,
    language: Option<S<'a>>,
    pages: Option<u32>,
    sha256: Option<S<'a>>,
}

/// [`SourceInfo`], field by field.
#[derive(Serialize, Deserialize)]
struct SourceH<'a> {
    name: S<'a>,
    id: S<'a>,
    title: S<'a>,
    homepage: Option<S<'a>>,
    feed_url: Option<S<'a>>,
    updated: Time,
    rights: Option<S<'a>>,
    license: Option<S<'a>>,
}

/// Why a head could not be read.
#[derive(Debug, thiserror::Error)]
pub enum HeadError {
    #[error("{0}")]
    Postcard(#[from] postcard::Error),
    #[error("a time out of range: {0} s")]
    Time(i64),
}

/// `entry`'s head in this form, after [`MARK`]; its summary and content are not written.
pub fn write(entry: &Entry, out: Vec<u8>) -> Result<Vec<u8>, postcard::Error> {
    postcard::to_extend(&Head::of(entry), out)
}

/// Reads a head written by [`write`] (`bytes` after [`MARK`]): the entry without its text.
pub fn read(bytes: &[u8]) -> Result<Entry, HeadError> {
    postcard::from_bytes::<Head<'_>>(bytes)?.entry()
}

fn b(s: &str) -> S<'_> {
    Cow::Borrowed(s)
}

fn ob(s: &Option<String>) -> Option<S<'_>> {
    s.as_deref().map(Cow::Borrowed)
}

fn o(s: Option<S<'_>>) -> Option<String> {
    s.map(Cow::into_owned)
}

fn time(d: &DateTime<Utc>) -> Time {
    (d.timestamp(), d.timestamp_subsec_nanos())
}

fn at((secs, nanos): Time) -> Result<DateTime<Utc>, HeadError> {
    DateTime::from_timestamp(secs, nanos).ok_or(HeadError::Time(secs))
}

impl<'a> Head<'a> {
    fn of(e: &'a Entry) -> Head<'a> {
        let Entry {
            id,
            original_id,
            title,
            link,
            link_is_site,
            link_lang,
            published,
            updated,
            summary: _,
            content: _,
            authors,
            categories,
            language,
            enclosures,
            image,
            via,
            source,
            rights,
            license,
            credit,
        } = e;
        Head {
            id: b(id),
            original_id: ob(original_id),
            title: b(title),
            link: b(link),
            link_is_site: *link_is_site,
            link_lang: ob(link_lang),
            published: published.as_ref().map(time),
            updated: time(updated),
            authors: authors
                .iter()
                .map(|Person { name, email, uri }| (b(name), ob(email), ob(uri)))
                .collect(),
            categories: categories
                .iter()
                .map(|Category { term, label }| (b(term), ob(label)))
                .collect(),
            language: ob(language),
            enclosures: enclosures.iter().map(EnclosureH::of).collect(),
            image: ob(image),
            via: via.iter().map(|v| b(v)).collect(),
            source: source.as_ref().map(SourceH::of),
            rights: ob(rights),
            license: ob(license),
            credit: credit
                .as_ref()
                .map(|Credit { name, uri, feed }| (b(name), ob(uri), ob(feed))),
        }
    }

    fn entry(self) -> Result<Entry, HeadError> {
        Ok(Entry {
            id: self.id.into_owned(),
            original_id: o(self.original_id),
            title: self.title.into_owned(),
            link: self.link.into_owned(),
            link_is_site: self.link_is_site,
            link_lang: o(self.link_lang),
            published: self.published.map(at).transpose()?,
            updated: at(self.updated)?,
            summary: None,
            content: None,
            authors: (self.authors.into_iter())
                .map(|(name, email, uri)| Person {
                    name: name.into_owned(),
                    email: o(email),
                    uri: o(uri),
                })
                .collect(),
            categories: (self.categories.into_iter())
                .map(|(term, label)| Category {
                    term: term.into_owned(),
                    label: o(label),
                })
                .collect(),
            language: o(self.language),
            enclosures: (self.enclosures.into_iter())
                .map(EnclosureH::enclosure)
                .collect(),
            image: o(self.image),
            via: self.via.into_iter().map(Cow::into_owned).collect(),
            source: self.source.map(SourceH::info).transpose()?,
            rights: o(self.rights),
            license: o(self.license),
            credit: self.credit.map(|(name, uri, feed)| Credit {
                name: name.into_owned(),
                uri: o(uri),
                feed: o(feed),
            }),
        })
    }
}

impl<'a> EnclosureH<'a> {
    fn of(e: &'a Enclosure) -> EnclosureH<'a> {
        let Enclosure {
            url,
            mime_type,
            length,
            title,
            language,
            pages,
            sha256,
        } = e;
        EnclosureH {
            url: b(url),
            mime_type: b(mime_type),
            length: *length,
            title: ob(title),
            language: ob(language),
            pages: *pages,
            sha256: ob(sha256),
        }
    }

    fn enclosure(self) -> Enclosure {
        Enclosure {
            url: self.url.into_owned(),
            mime_type: self.mime_type.into_owned(),
            length: self.length,
            title: o(self.title),
            language: o(self.language),
            pages: self.pages,
            sha256: o(self.sha256),
        }
    }
}

impl<'a> SourceH<'a> {
    fn of(s: &'a SourceInfo) -> SourceH<'a> {
        let SourceInfo {
            name,
            id,
            title,
            homepage,
            feed_url,
            updated,
            rights,
            license,
        } = s;
        SourceH {
            name: b(name),
            id: b(id),
            title: b(title),
            homepage: ob(homepage),
            feed_url: ob(feed_url),
            updated: time(updated),
            rights: ob(rights),
            license: ob(license),
        }
    }

    fn info(self) -> Result<SourceInfo, HeadError> {
        Ok(SourceInfo {
            name: self.name.into_owned(),
            id: self.id.into_owned(),
            title: self.title.into_owned(),
            homepage: o(self.homepage),
            feed_url: o(self.feed_url),
            updated: at(self.updated)?,
            rights: o(self.rights),
            license: o(self.license),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "[a-z ]{1,12}",
            Just("ข่าว 新闻 \"q\" <b>&amp;</b>".to_string()),
            Just("\u{0}\u{FFFD}\r\n".to_string()),
        ]
    }

    fn time() -> impl Strategy<Value = DateTime<Utc>> {
        // Before 1970 too, and with nanoseconds: both must come back exactly.
        (-2_000_000_000i64..4_000_000_000, 0u32..1_000_000_000)
            .prop_map(|(s, n)| DateTime::from_timestamp(s, n).expect("in range"))
    }

    fn entry() -> impl Strategy<Value = Entry> {
        let o = || proptest::option::of(text());
        let person = (text(), o(), o()).prop_map(|(name, email, uri)| Person { name, email, uri });
        let category = (text(), o()).prop_map(|(term, label)| Category { term, label });
        let enclosure = (
            (text(), text(), proptest::option::of(any::<u64>())),
            (o(), o(), proptest::option::of(any::<u32>()), o()),
        )
            .prop_map(
                |((url, mime_type, length), (title, language, pages, sha256))| Enclosure {
                    url,
                    mime_type,
                    length,
                    title,
                    language,
                    pages,
                    sha256,
                },
            );
        let source = ((text(), text(), text()), (o(), o(), time(), o(), o())).prop_map(
            |((name, id, title), (homepage, feed_url, updated, rights, license))| SourceInfo {
                name,
                id,
                title,
                homepage,
                feed_url,
                updated,
                rights,
                license,
            },
        );
        let credit = (text(), o(), o()).prop_map(|(name, uri, feed)| Credit { name, uri, feed });
        fn v<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Vec<T>> {
            proptest::collection::vec(s, 0..3)
        }
        (
            (text(), o(), text(), text(), any::<bool>(), o()),
            (proptest::option::of(time()), time(), o(), o()),
            (v(person), v(category), o(), v(enclosure)),
            (o(), v(text()), proptest::option::of(source)),
            (o(), o(), proptest::option::of(credit)),
        )
            .prop_map(|(a, b, c, d, e)| Entry {
                id: a.0,
                original_id: a.1,
                title: a.2,
                link: a.3,
                link_is_site: a.4,
                link_lang: a.5,
                published: b.0,
                updated: b.1,
                summary: b.2,
                content: b.3,
                authors: c.0,
                categories: c.1,
                language: c.2,
                enclosures: c.3,
                image: d.0,
                via: d.1,
                source: d.2,
                rights: e.0,
                license: e.1,
                credit: e.2,
            })
    }

    proptest! {
        #[test]
        fn every_field_but_the_text_comes_back(e in entry()) {
            // Description: any entry, every optional field present or not, times before 1970
            // and with nanoseconds, strings empty or with quotes, controls, Thai and Chinese.
            // Expect: its head reads back as the entry without its summary and content.
            let bytes = write(&e, Vec::new()).expect("written");
            let back = read(&bytes).expect("read");
            let want = Entry { summary: None, content: None, ..e };
            prop_assert_eq!(back, want);
        }
    }

    #[test]
    fn no_head_written_before_starts_with_the_mark() {
        // Description: a head written before started with its JSON's length, little-endian.
        // Expect: the mark read as such a length is more than SQLite keeps in one value (its
        // hard limit, SQLITE_MAX_LENGTH, is 2^31 - 1 at most and 10^9 by default).
        assert!(u32::from_le_bytes(MARK) as u64 >= (1u64 << 31) - 1);
        assert!(u32::from_le_bytes(MARK) > 1_000_000_000);
    }

    #[test]
    fn a_damaged_head_is_an_error_not_a_panic() {
        // Description: a head cut short at every length, and one whose time is out of range.
        // Expect: each is an error saying why.
        let e = Entry {
            source: Some(SourceInfo {
                name: "p".into(),
                id: "i".into(),
                title: "t".into(),
                homepage: None,
                feed_url: None,
                updated: DateTime::from_timestamp(0, 0).expect("epoch"),
                rights: None,
                license: None,
            }),
            ..serde_json::from_str(
                r#"{"id":"i","original_id":null,"title":"T","link":"l","published":null,
                "updated":"2026-01-01T00:00:00Z","summary":null,"content":null,"authors":[],
                "categories":[],"language":null,"enclosures":[],"via":[],"source":null}"#,
            )
            .expect("entry")
        };
        let bytes = write(&e, Vec::new()).expect("written");
        for cut in 0..bytes.len() {
            assert!(read(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let far = Head {
            updated: (i64::MAX, 0),
            ..Head::of(&e)
        };
        let bytes = postcard::to_allocvec(&far).expect("written");
        assert_eq!(
            read(&bytes).map(|_| ()).map_err(|e| e.to_string()),
            Err(format!("a time out of range: {} s", i64::MAX))
        );
    }
}
