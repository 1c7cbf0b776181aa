//! One raw item → one [`Entry`], as a list of steps: its link, text, title, id, dates, people and
//! categories, each with the feed-level fallback [`FeedContext`] holds. Split from the context so
//! the per-item path (run for every new item of every feed) reads in one screen; everything here
//! borrows from the item and allocates only what the entry keeps.

use chrono::{DateTime, Utc};
use url::Url;

use super::FeedContext;
use super::fields::{alternate, enclosures, looks_like_iri, person, plain_text};
use super::ids::{self, IdInputs};
use crate::ingest::parse::{RawItem, RawLink, RawText, TextKind};
use crate::model::{Category, Entry, Person};
use crate::text::escape::escape;
use crate::text::plain as text;
use crate::text::{lang, links};

/// Why an item cannot become an entry: the reason the run report gives for dropping it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    /// No title, no summary, no content and no link: nothing to show.
    #[error("item has neither a title nor any text")]
    NoText,
    /// Neither the item nor its feed says where it points.
    #[error("item has no link, and neither has its feed")]
    NoLink,
}

/// A normalised item: its entry, and what its id and its candidate are both made of, made once
/// (issue 25, cold at 500 × 50: the URL parsed and resolved again for the candidate was 1.4 % of
/// the CPU, and the partner's id, checked as an IRI up to three times, 1.9 %).
#[derive(Debug)]
pub struct Normalised {
    pub entry: Entry,
    /// The canonical form of the entry's own link (`links::canonical`); `None` when it has
    /// none, only the site's.
    pub canonical_link: Option<String>,
    /// Whether the partner's id (`entry.original_id`) is an absolute IRI.
    pub original_is_iri: bool,
}

impl FeedContext<'_> {
    /// Normalises one item, or says why it cannot be used. `first_seen` dates an undated item
    /// by when its id was first stored (asked only when neither the item nor its feed has a date).
    pub fn entry(
        &self,
        item: &RawItem,
        first_seen: &dyn Fn(&str) -> Option<DateTime<Utc>>,
    ) -> Result<Normalised, EntryError> {
        let base = self.base_of(item);
        let guid = item.id.as_deref().map(str::trim).filter(|g| !g.is_empty());
        let alt = alternate(&item.links);
        let link = own_link(item, alt, guid, base.as_ref());
        let summary = item.summary.as_ref().and_then(html);
        let content = item.content.as_ref().and_then(html);
        let title = title(item, summary.as_deref(), content.as_deref(), link.is_some())?;
        // An id that claims to be an IRI but is not one (`urn:uuid:` that is no UUID, spaces in a
        // `tag:`) is derived as for a missing id.
        // Checked once, for the id and the candidate: only an id that looks like an IRI can be
        // an absolute one (http, https, tag and urn alone are taken).
        let guid_is_iri = guid.is_some_and(|g| looks_like_iri(g) && ids::is_absolute_iri(g));
        let guid = guid.filter(|g| !looks_like_iri(g) || guid_is_iri);
        let canonical_link = link.as_ref().and_then(links::canonical_of);
        let id = self.id(item, (guid, guid_is_iri), canonical_link.as_deref(), &title);
        let published = item.published.map(|d| self.clamp(d));
        let updated = self.updated(item, published, &id, first_seen);
        let link_lang = alt
            .filter(|_| link.is_some())
            .and_then(|l| l.hreflang.as_deref())
            .and_then(lang::normalise);
        let link_is_site = link.is_none();
        let link = link
            .or_else(|| self.fallback_link.clone())
            .ok_or(EntryError::NoLink)?;
        let entry = Entry {
            id,
            original_id: guid.map(str::to_string),
            title,
            link: link.into(),
            link_is_site,
            link_lang,
            published,
            updated,
            summary,
            content,
            authors: self.authors_of(item),
            categories: self.categories_of(item),
            language: self.language_of(item),
            enclosures: enclosures(&item.links, base.as_ref()),
            image: image(item, base.as_ref()),
            via: Vec::new(),
            source: Some(self.info.clone()),
            rights: rights(item),
            license: license(item),
            credit: None,
        };
        Ok(Normalised {
            entry,
            canonical_link,
            original_is_iri: guid_is_iri,
        })
    }

    /// A date no later than the fetch (a partner's clock, or time zone, may be ahead).
    fn clamp(&self, d: DateTime<Utc>) -> DateTime<Utc> {
        d.min(self.fetched_at)
    }

    /// The entry's id, from the strategy the source chose (see [`ids::derive`]).
    fn id(
        &self,
        item: &RawItem,
        (guid, guid_is_iri): (Option<&str>, bool),
        canonical: Option<&str>,
        title: &str,
    ) -> String {
        let date = item.published.or(item.updated).map(|d| d.to_rfc3339());
        ids::derive(
            self.source.id_strategy,
            &self.source.slug(),
            IdInputs {
                guid,
                guid_is_iri: Some(guid_is_iri),
                canonical_link: canonical,
                title,
                date: date.as_deref(),
            },
        )
    }

    /// The item's last change: its own updated date (never before it was published), else its
    /// publication, else the feed's date, else when its id was first seen, else the fetch.
    fn updated(
        &self,
        item: &RawItem,
        published: Option<DateTime<Utc>>,
        id: &str,
        first_seen: &dyn Fn(&str) -> Option<DateTime<Utc>>,
    ) -> DateTime<Utc> {
        item.updated
            .map(|d| self.clamp(d))
            .or(published)
            .map(|u| published.map_or(u, |p| u.max(p)))
            .or(self.feed_date)
            .or_else(|| first_seen(id))
            .unwrap_or(self.fetched_at)
    }

    /// The item's authors, else the feed's, else the source itself.
    fn authors_of(&self, item: &RawItem) -> Vec<Person> {
        let own: Vec<Person> = item.authors.iter().filter_map(person).collect();
        if !own.is_empty() {
            return own;
        }
        if !self.authors.is_empty() {
            return self.authors.clone();
        }
        vec![Person {
            name: self.source.name.clone(),
            email: None,
            uri: self.source.homepage.as_ref().map(|u| u.to_string()),
        }]
    }

    /// The item's categories, then the source's tags; the first of each term (ignoring case)
    /// wins, and a label that only repeats its term is dropped.
    fn categories_of(&self, item: &RawItem) -> Vec<Category> {
        let mut categories: Vec<Category> = Vec::new();
        let terms = item.categories.iter().map(|c| {
            let term = text::plain(&c.term);
            let label = c
                .label
                .as_deref()
                .map(text::plain)
                .filter(|l| !l.is_empty() && *l != term);
            Category { term, label }
        });
        for c in terms.chain(self.source.tags.iter().map(Category::term)) {
            if !c.term.is_empty()
                && !categories
                    .iter()
                    .any(|k| k.term.eq_ignore_ascii_case(&c.term))
            {
                categories.push(c);
            }
        }
        categories
    }

    /// The item's language, else the feed's (or the source's).
    fn language_of(&self, item: &RawItem) -> Option<String> {
        item.language
            .as_deref()
            .and_then(lang::normalise)
            .or_else(|| self.language.clone())
    }
}

/// The item's own link: its alternate link, else a guid that is an http(s) URL, else the body's
/// `src`. `None` when it has none (the feed's then stands in).
fn own_link(
    item: &RawItem,
    alt: Option<&RawLink>,
    guid: Option<&str>,
    base: Option<&Url>,
) -> Option<Url> {
    alt.and_then(|l| links::resolve(&l.href, base))
        .or_else(|| {
            guid.filter(|g| g.starts_with("http"))
                .and_then(|g| links::resolve(g, None))
        })
        .or_else(|| {
            item.content_src
                .as_deref()
                .and_then(|s| links::resolve(s, base))
        })
}

/// An item's text field as an HTML fragment, not yet sanitised (see `clean`): HTML as the
/// partner wrote it, text escaped and wrapped in `<p>`.
fn html(t: &RawText) -> Option<String> {
    let raw = t.value.trim();
    if raw.is_empty() {
        return None;
    }
    Some(if t.kind == TextKind::Html {
        raw.to_string()
    } else {
        format!("<p>{}</p>", escape(raw))
    })
}

/// The plain-text title (at most 300 characters): the item's own, else the start of its text,
/// else `(untitled)` for a post that has a link or some text (an image-only post, a bare link).
fn title(
    item: &RawItem,
    summary: Option<&str>,
    content: Option<&str>,
    has_link: bool,
) -> Result<String, EntryError> {
    let mut title = item.title.as_ref().map(plain_text).unwrap_or_default();
    if title.is_empty() {
        let from = summary.or(content).map(text::plain).unwrap_or_default();
        title = text::excerpt(&from, 80);
    }
    if title.is_empty() {
        if summary.is_none() && content.is_none() && !has_link {
            return Err(EntryError::NoText);
        }
        title = "(untitled)".into();
    }
    Ok(text::excerpt(&title, 300))
}

/// The item's image, resolved, unless it is an address.
fn image(item: &RawItem, base: Option<&Url>) -> Option<String> {
    item.image
        .as_deref()
        .and_then(|i| links::resolve(i, base))
        .filter(|u| u.scheme() != "mailto")
        .map(String::from)
}

fn rights(item: &RawItem) -> Option<String> {
    item.rights
        .as_deref()
        .map(text::plain)
        .filter(|r| !r.is_empty())
}

fn license(item: &RawItem) -> Option<String> {
    item.license
        .as_deref()
        .and_then(|l| links::resolve(l, None))
        .map(String::from)
}
