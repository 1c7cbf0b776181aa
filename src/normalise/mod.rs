//! The one place where a partner's quirks become our [`Entry`] model: ids, titles, links, dates,
//! authors, categories, language, attachments and attribution. HTML sanitising is the last step.
//!
//! Pure: takes a parsed feed, the source's settings and the run's clock; returns entries and the
//! reasons any item was rejected.

mod hash;
pub mod html;
pub mod ids;
pub mod links;
pub mod text;

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry as FeedEntry, Feed, Link, Text};
use url::Url;

use crate::config::Source;
use crate::model::{Enclosure, Entry, Person, SourceInfo};
use crate::parse::ItemScope;
pub use hash::item_hash;
use html::Sanitizer;
use ids::IdInputs;

/// Everything needed to normalise the items of one fetched feed.
#[derive(Debug)]
pub struct FeedContext<'a> {
    pub source: &'a Source,
    /// Attribution written as `<source>` on every entry.
    pub info: SourceInfo,
    /// Base for relative links: the feed's alternate link, else the URL it was fetched from.
    pub base: Option<Url>,
    /// The feed's own authors, used when an item has none.
    pub authors: Vec<Person>,
    /// The feed's language, used when an item declares none.
    pub language: Option<String>,
    /// The feed's own date, the fallback for undated items.
    pub feed_date: Option<DateTime<Utc>>,
    /// When the feed was fetched: the clamp for dates in the future.
    pub fetched_at: DateTime<Utc>,
    /// Everything feed-level that changes how an item normalises (part of [`item_hash`]).
    pub(crate) fingerprint: String,
    sanitizer: Sanitizer,
    /// Sanitisers for entries whose xml:base differs from the feed's.
    other_bases: std::cell::RefCell<Vec<(Option<Url>, Sanitizer)>>,
}

fn alternate(links: &[Link]) -> Option<&Link> {
    links
        .iter()
        .find(|l| {
            matches!(l.rel.as_deref(), None | Some("alternate"))
                && l.media_type.as_deref().is_none_or(|t| t.contains("html"))
        })
        .or_else(|| {
            links
                .iter()
                .find(|l| matches!(l.rel.as_deref(), None | Some("alternate")))
        })
}

fn person(p: &feed_rs::model::Person) -> Option<Person> {
    let name = text::plain(&p.name.clone().unwrap_or_default());
    let email = p
        .email
        .as_deref()
        .map(text::plain)
        .filter(|e| e.contains('@') && !e.contains(' '));
    // RSS `author` is often "email (Name)".
    let name = if name.is_empty() {
        email.clone().unwrap_or_default()
    } else {
        name
    };
    (!name.is_empty()).then(|| Person {
        name,
        email,
        uri: p
            .uri
            .as_deref()
            .and_then(|u| links::resolve(u, None))
            .map(String::from),
    })
}

fn lang(tag: Option<&str>) -> Option<String> {
    let t = tag?.trim().replace('_', "-").to_ascii_lowercase();
    let ok = !t.is_empty()
        && t.len() <= 35
        && t.split('-')
            .all(|p| !p.is_empty() && p.len() <= 8 && p.chars().all(|c| c.is_ascii_alphanumeric()));
    ok.then_some(t)
}

impl<'a> FeedContext<'a> {
    /// Reads the feed-level facts (attribution, base, authors, language) of a parsed feed.
    pub fn new(
        source: &'a Source,
        feed: &Feed,
        fetched_from: Option<&Url>,
        fetched_at: DateTime<Utc>,
    ) -> Self {
        let site = alternate(&feed.links).and_then(|l| links::resolve(&l.href, fetched_from));
        let self_link = feed
            .links
            .iter()
            .find(|l| l.rel.as_deref() == Some("self"))
            .and_then(|l| links::resolve(&l.href, fetched_from));
        let base = site
            .clone()
            .or_else(|| fetched_from.cloned())
            .or_else(|| source.homepage.clone());
        let feed_url = fetched_from.cloned().or(self_link);
        let homepage = site.or_else(|| source.homepage.clone());
        let feed_date = feed.updated.or(feed.published).map(|d| d.min(fetched_at));
        let id = Some(feed.id.trim())
            .filter(|i| ids::is_absolute_iri(i))
            .map(str::to_string)
            .or_else(|| feed_url.as_ref().map(|u| u.to_string()))
            .or_else(|| homepage.as_ref().map(|u| u.to_string()))
            .unwrap_or_else(|| format!("tag:feedbraid,2026:{}", source.slug()));
        let title = feed
            .title
            .as_ref()
            .map(|t| text::plain(&t.content))
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| source.name.clone());
        let info = SourceInfo {
            name: source.name.clone(),
            id,
            title,
            homepage: homepage.map(String::from),
            feed_url: feed_url.map(String::from),
            updated: feed_date.unwrap_or(fetched_at),
        };
        let authors: Vec<Person> = feed.authors.iter().filter_map(person).collect();
        let language = lang(feed.language.as_deref()).or_else(|| source.language.clone());
        // Not the feed's date: it changes on every new item of many feeds, and only dates undated
        // items, whose first date is kept anyway.
        let fingerprint = format!(
            "{}|{:?}|{:?}|{:?}|{:?}",
            source.normalise_fingerprint(),
            base.as_ref().map(Url::as_str),
            authors,
            language,
            info.homepage
        );
        FeedContext {
            sanitizer: Sanitizer::new(base.clone(), &source.iframe_hosts),
            source,
            info,
            base,
            authors,
            language,
            feed_date,
            fetched_at,
            fingerprint,
            other_bases: std::cell::RefCell::new(Vec::new()),
        }
    }

    fn html(&self, base: &Option<Url>, t: &Text) -> Option<String> {
        let raw = t.content.trim();
        if raw.is_empty() {
            return None;
        }
        let is_html = t.content_type.to_string().contains("html");
        let html = if is_html {
            raw.to_string()
        } else {
            format!("<p>{}</p>", escape(raw))
        };
        let cleaned = if base == &self.base {
            self.sanitizer.clean(&html)
        } else {
            // Entries with their own xml:base: one sanitiser per distinct base, built once.
            let mut others = self.other_bases.borrow_mut();
            let at = match others.iter().position(|(b, _)| b == base) {
                Some(at) => at,
                None => {
                    others.push((
                        base.clone(),
                        Sanitizer::new(base.clone(), &self.source.iframe_hosts),
                    ));
                    others.len() - 1
                }
            };
            others[at].1.clean(&html)
        };
        Some(cleaned).filter(|c| !c.is_empty())
    }

    /// Normalises one item (`scope`: the `xml:lang` and `xml:base` in force on it), or says why
    /// it cannot be used.
    pub fn entry(
        &self,
        item: &FeedEntry,
        scope: &ItemScope,
        first_seen: &dyn Fn(&str) -> Option<DateTime<Utc>>,
    ) -> Result<Entry, String> {
        let xml_lang = scope.lang.as_deref();
        // xml:base (the content element's, then the nested ones down to the item), then the
        // feed's link, then the URL it was fetched from.
        let outer = scope.base.clone().or_else(|| self.base.clone());
        let base = item
            .base
            .as_deref()
            .and_then(|b| links::resolve(b, outer.as_ref()))
            .or(outer);
        let guid = Some(item.id.trim()).filter(|g| !g.is_empty());
        let link = alternate(&item.links)
            .and_then(|l| links::resolve(&l.href, base.as_ref()))
            .or_else(|| {
                guid.filter(|g| g.starts_with("http"))
                    .and_then(|g| links::resolve(g, None))
            });
        let summary = item.summary.as_ref().and_then(|t| self.html(&base, t));
        let content = item.content.as_ref().and_then(|c| {
            let body = c.body.as_deref()?;
            self.html(
                &base,
                &Text {
                    content_type: c.content_type.clone(),
                    src: None,
                    content: body.to_string(),
                },
            )
        });
        let mut title = item
            .title
            .as_ref()
            .map(|t| text::plain(&t.content))
            .unwrap_or_default();
        if title.is_empty() {
            let from = summary
                .as_deref()
                .or(content.as_deref())
                .map(text::plain)
                .unwrap_or_default();
            title = text::excerpt(&from, 80);
        }
        if title.is_empty() && link.is_none() && guid.is_none() {
            return Err("item has no title, no link, no id and no text".into());
        }
        title = text::excerpt(&title, 300);
        if title.is_empty() {
            title = "(untitled)".into();
        }
        let clamp = |d: DateTime<Utc>| d.min(self.fetched_at);
        let own_date = item.published.or(item.updated);
        let canonical = link.as_ref().and_then(|l| links::canonical(l.as_str()));
        let date_text = own_date.map(|d| d.to_rfc3339());
        let id = ids::derive(
            self.source.id_strategy,
            &self.source.slug(),
            IdInputs {
                guid,
                canonical_link: canonical.as_deref(),
                title: &title,
                date: date_text.as_deref(),
            },
        );
        let published = item.published.map(clamp);
        let updated = item
            .updated
            .map(clamp)
            .or(published)
            .map(|u| published.map_or(u, |p| u.max(p)))
            .or(self.feed_date)
            .or_else(|| first_seen(&id))
            .unwrap_or(self.fetched_at);
        let mut authors: Vec<Person> = item.authors.iter().filter_map(person).collect();
        if authors.is_empty() {
            authors = self.authors.clone();
        }
        if authors.is_empty() {
            authors.push(Person {
                name: self.source.name.clone(),
                email: None,
                uri: self.source.homepage.as_ref().map(|u| u.to_string()),
            });
        }
        let mut categories: Vec<String> = Vec::new();
        let terms = item
            .categories
            .iter()
            .map(|c| c.label.as_deref().unwrap_or(&c.term))
            .map(text::plain);
        for c in terms.chain(self.source.tags.iter().cloned()) {
            if !c.is_empty() && !categories.iter().any(|k| k.eq_ignore_ascii_case(&c)) {
                categories.push(c);
            }
        }
        let link = link
            .or_else(|| {
                self.info
                    .homepage
                    .as_deref()
                    .and_then(|h| links::resolve(h, None))
            })
            .ok_or("item has no link and its source no homepage")?;
        Ok(Entry {
            id,
            original_id: guid.map(str::to_string),
            title,
            link: link.into(),
            published,
            updated,
            summary,
            content,
            authors,
            categories,
            language: lang(xml_lang)
                .or_else(|| lang(item.language.as_deref()))
                .or_else(|| self.language.clone()),
            enclosures: enclosures(item, base.as_ref()),
            via: Vec::new(),
            source: Some(self.info.clone()),
        })
    }
}

fn enclosures(item: &FeedEntry, base: Option<&Url>) -> Vec<Enclosure> {
    let mut out: Vec<Enclosure> = Vec::new();
    let from_links = item
        .links
        .iter()
        .filter(|l| l.rel.as_deref() == Some("enclosure"))
        .map(|l| {
            (
                l.href.as_str(),
                l.media_type.clone(),
                l.length,
                l.title.clone(),
            )
        });
    let from_media = item.media.iter().flat_map(|m| &m.content).filter_map(|c| {
        Some((
            c.url.as_ref()?.as_str(),
            c.content_type.as_ref().map(|t| t.to_string()),
            c.size,
            None,
        ))
    });
    for (href, mime, length, title) in from_links.chain(from_media) {
        let Some(url) = links::resolve(href, base).filter(|u| u.scheme() != "mailto") else {
            continue;
        };
        let url = String::from(url);
        if out.iter().any(|e| e.url == url) {
            continue;
        }
        out.push(Enclosure {
            url,
            mime_type: mime
                .filter(|m| m.contains('/'))
                .unwrap_or_else(|| "application/octet-stream".into()),
            length: length.filter(|n| *n > 0),
            title: title.map(|t| text::plain(&t)).filter(|t| !t.is_empty()),
            language: None,
        });
    }
    out.sort_by_key(|e| e.mime_type != "application/pdf");
    out
}

/// Escapes text for inclusion in HTML.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            _ => o.push(c),
        }
    }
    o
}
