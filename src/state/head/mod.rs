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
mod tests;
