//! The library's pages for people (issue 22): the months index (`archive/index.html`), one page
//! per month (`archive/YYYY-MM.html`, with the previous and next months), the topics index and
//! one page per topic (`tags/`), the partners index and one page per partner (`partners/`). One
//! template, `library.html`, with the same chrome as every page (`chrome`); entries are listed
//! compactly (title, partner, date, downloads, topics: no summaries, so nothing is sanitised for
//! them). The interface is the main feed's language.

use serde::Serialize;

use super::chrome::{Chrome, EntryCtx, Place, chrome, entry_ctx, labels};
use super::html::Templates;
use super::i18n::Catalogue;
use super::row::RowLabels;
use crate::config::{Config, ConfigError};
use crate::model::{Entry, SourceInfo};
use crate::pool::views::FeedView;

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub title: String,
    pub href: String,
    /// "12 entries".
    pub note: Option<String>,
    /// The media type of a feed (`<link rel="alternate">`).
    pub kind: Option<&'static str>,
}

/// A page's place among the pages of its list (see `publish::library::plan::chunks`): `index` 0
/// is the newest page (`STEM.html`), `1..=count` the older ones from the oldest
/// (`STEM-pN.html`).
#[derive(Debug, Clone, Default)]
pub struct Part {
    pub stem: String,
    pub index: usize,
    pub count: usize,
}

#[derive(Debug, Serialize)]
struct PageLink {
    title: String,
    href: String,
    current: bool,
}

#[derive(Debug, Serialize)]
struct Group {
    heading: String,
    links: Vec<Link>,
}

#[derive(Debug, Serialize)]
struct LibraryCtx<'a> {
    #[serde(flatten)]
    chrome: Chrome,
    title: String,
    subtitle: Option<String>,
    intro: Option<String>,
    /// Feeds of this page's entries (a topic's Atom and JSON, a partner's own feed).
    feeds_label: Option<String>,
    feeds: Vec<Link>,
    /// A partner's facts: website, rights.
    facts: Vec<Link>,
    prev: Option<Link>,
    next: Option<Link>,
    groups: Vec<Group>,
    /// Each entry's `entry.html`, rendered once per run (see [`Shelf::row`]).
    rows: Vec<&'a str>,
    /// `rows` as one piece of HTML, each row followed by a newline: what the built-in template
    /// prints. A loop over `rows` in the template was 127,000 of the 296,000 instructions
    /// minijinja ran a page (a filter and a copy per row; issue 25, round twenty); `rows`
    /// stays for templates that loop.
    rows_html: minijinja::Value,
    /// The other pages of a long list; empty when it has one.
    pager: Vec<PageLink>,
}

impl<'a> LibraryCtx<'a> {
    fn set_rows(&mut self, rows: &[&'a str]) {
        let mut html = String::with_capacity(rows.iter().map(|r| r.len() + 1).sum());
        for r in rows {
            html.push_str(r);
            html.push('\n');
        }
        self.rows = rows.to_vec();
        self.rows_html = minijinja::Value::from_safe_string(html);
    }
}

/// The interface's messages for the rows (see [`Shelf::messages`]).
#[derive(Debug, Clone)]
pub struct Messages {
    /// Every label, as `entry.html`'s `t`.
    pub(super) value: minijinja::Value,
    row: RowLabels,
}

/// What every library page is rendered with.
#[derive(Debug, Clone, Copy)]
pub struct Shelf<'a> {
    pub cfg: &'a Config,
    pub views: &'a [FeedView],
    pub templates: &'a Templates,
}

impl<'a> Shelf<'a> {
    fn t(&self) -> &'static Catalogue {
        super::page::interface(&self.views[0])
    }

    fn ctx(&self, file: &str, place: Place, title: String) -> LibraryCtx<'a> {
        LibraryCtx {
            chrome: chrome(self.cfg, self.views, self.t(), file, place, &title),
            title,
            subtitle: None,
            intro: None,
            feeds_label: None,
            feeds: Vec::new(),
            facts: Vec::new(),
            prev: None,
            next: None,
            groups: Vec::new(),
            rows: Vec::new(),
            rows_html: minijinja::Value::from_safe_string(String::new()),
            pager: Vec::new(),
        }
    }

    /// The links between the pages of a list cut in parts (a window: `plan::pager`); a gap has
    /// no link.
    fn pager(&self, part: &Part) -> Vec<PageLink> {
        let t = self.t();
        let stem = &part.stem;
        super::pager::window(part.index, part.count)
            .into_iter()
            .map(|i| match i {
                Some(0) => PageLink {
                    title: t.get("page-newest"),
                    href: format!("{stem}.html"),
                    current: part.index == 0,
                },
                Some(i) => PageLink {
                    title: t.msg("page-n", &[("n", fluent_bundle::FluentValue::from(i))]),
                    href: format!("{stem}-p{i}.html"),
                    current: part.index == i,
                },
                None => PageLink {
                    title: "…".into(),
                    href: String::new(),
                    current: false,
                },
            })
            .collect()
    }

    /// A page's file: the newest of its list, or one of the older ones.
    fn file(folder: &str, part: &Part, stem: &str) -> String {
        match part.index {
            0 => format!("{folder}/{stem}.html"),
            i => format!("{folder}/{stem}-p{i}.html"),
        }
    }

    fn render(&self, ctx: &LibraryCtx<'_>) -> Result<Vec<u8>, ConfigError> {
        self.templates.render_with("library.html", ctx)
    }

    /// The interface's messages, made once for every [`Shelf::row`]: as a template value, and
    /// the two a row shows.
    pub fn messages(&self) -> Messages {
        let t = self.t();
        Messages {
            value: minijinja::Value::from_serialize(labels(t)),
            row: RowLabels {
                from: t.get("from"),
                tags: t.get("tags"),
            },
        }
    }

    /// An entry as every library page lists it (`entry.html`, without its text): the same HTML
    /// on its month's, its topics' and its partner's pages (all one folder deep), so rendered
    /// once per run and reused, not once per page. `t`: [`Shelf::messages`]. Written without
    /// minijinja when `entry.html` is the built-in template (`render::row`).
    pub fn row(&self, t: &Messages, l: &Listed<'_>) -> Result<String, ConfigError> {
        let e = entry_ctx(self.cfg, self.t(), "../", l.entry, l.source);
        if self.templates.entry_built_in() {
            return Ok(super::row::compact(&e, &t.row));
        }
        self.templated_row(&t.value, e)
    }

    /// The row by minijinja, whatever `entry.html` is.
    pub(super) fn templated_row(
        &self,
        t: &minijinja::Value,
        e: EntryCtx<'_>,
    ) -> Result<String, ConfigError> {
        #[derive(Serialize)]
        struct RowCtx<'a> {
            e: EntryCtx<'a>,
            t: &'a minijinja::Value,
            full: bool,
        }
        self.templates
            .render_string("entry.html", &RowCtx { e, t, full: false })
    }

    /// `archive/index.html`: every month with entries, by year, newest first.
    pub fn months_index(&self, months: &[(i32, u32, usize)]) -> Result<Vec<u8>, ConfigError> {
        let t = self.t();
        let mut ctx = self.ctx("archive/index.html", Place::Months, t.get("months-title"));
        ctx.intro = Some(t.get("months-intro"));
        for &(y, m, n) in months {
            let link = Link {
                title: t.month_year(y, m),
                href: format!("{y:04}-{m:02}.html"),
                note: Some(t.count("entries", n)),
                kind: None,
            };
            let heading = t.year(y);
            match ctx.groups.last_mut() {
                Some(g) if g.heading == heading => g.links.push(link),
                _ => ctx.groups.push(Group {
                    heading,
                    links: vec![link],
                }),
            }
        }
        self.render(&ctx)
    }

    /// `archive/YYYY-MM.html`, linking to the next older (`prev`) and newer (`next`) months.
    pub fn month(
        &self,
        (y, m): (i32, u32),
        prev: Option<(i32, u32)>,
        next: Option<(i32, u32)>,
        part: &Part,
        rows: &[&'a str],
    ) -> Result<Vec<u8>, ConfigError> {
        let t = self.t();
        let file = Self::file("archive", part, &format!("{y:04}-{m:02}"));
        let mut ctx = self.ctx(
            &file,
            Place::Other,
            t.with("month-title", "month", &t.month_year(y, m)),
        );
        let link = |id: &str, (y, m): (i32, u32)| Link {
            title: format!("{}: {}", t.get(id), t.month_year(y, m)),
            href: format!("{y:04}-{m:02}.html"),
            note: None,
            kind: None,
        };
        ctx.prev = prev.map(|p| link("prev-month", p));
        ctx.next = next.map(|n| link("next-month", n));
        ctx.subtitle = Some(t.count("entries", rows.len()));
        if self.cfg.archive.enabled {
            ctx.feeds = vec![Link {
                title: format!("{y:04}-{m:02}.atom"),
                href: format!("{y:04}-{m:02}.atom"),
                note: None,
                kind: Some("application/atom+xml"),
            }];
        }
        ctx.set_rows(rows);
        ctx.pager = self.pager(part);
        self.render(&ctx)
    }

    /// `tags/index.html`: every topic with its count.
    pub fn tags_index(&self, tags: &[(String, String, usize)]) -> Result<Vec<u8>, ConfigError> {
        let t = self.t();
        let mut ctx = self.ctx("tags/index.html", Place::Tags, t.get("tags-title"));
        ctx.groups.push(Group {
            heading: t.get("tags"),
            links: tags
                .iter()
                .map(|(slug, label, n)| Link {
                    title: label.clone(),
                    href: format!("{slug}.html"),
                    note: Some(t.count("entries", *n)),
                    kind: None,
                })
                .collect(),
        });
        self.render(&ctx)
    }

    /// `tags/SLUG.html`, with its feeds.
    pub fn tag(
        &self,
        slug: &str,
        label: &str,
        part: &Part,
        rows: &[&'a str],
    ) -> Result<Vec<u8>, ConfigError> {
        let t = self.t();
        let file = Self::file("tags", part, slug);
        let mut ctx = self.ctx(&file, Place::Other, t.with("tag-title", "tag", label));
        ctx.subtitle = Some(t.count("entries", rows.len()));
        ctx.feeds_label = Some(t.get("tag-follow"));
        ctx.feeds = vec![
            Link {
                title: t.with("atom-of", "title", label),
                href: format!("{slug}.atom"),
                note: None,
                kind: Some("application/atom+xml"),
            },
            Link {
                title: t.with("json-of", "title", label),
                href: format!("{slug}.json"),
                note: None,
                kind: Some("application/feed+json"),
            },
        ];
        ctx.set_rows(rows);
        ctx.pager = self.pager(part);
        self.render(&ctx)
    }

    /// `partners/index.html`: every partner with entries.
    pub fn partners_index(
        &self,
        partners: &[(String, String, usize)],
    ) -> Result<Vec<u8>, ConfigError> {
        let t = self.t();
        let mut ctx = self.ctx(
            "partners/index.html",
            Place::Partners,
            t.get("partners-title"),
        );
        ctx.groups.push(Group {
            heading: t.get("partners-title"),
            links: partners
                .iter()
                .map(|(slug, name, n)| Link {
                    title: name.clone(),
                    href: format!("{slug}.html"),
                    note: Some(t.count("entries", *n)),
                    kind: None,
                })
                .collect(),
        });
        self.render(&ctx)
    }

    /// `partners/SLUG.html`: the partner's name, description, website, rights, own feed and
    /// entries.
    pub fn partner(
        &self,
        slug: &str,
        name: &str,
        about: &PartnerFacts<'_>,
        part: &Part,
        rows: &[&'a str],
    ) -> Result<Vec<u8>, ConfigError> {
        let t = self.t();
        let mut ctx = self.ctx(
            &Self::file("partners", part, slug),
            Place::Other,
            name.to_string(),
        );
        let info = about.info;
        ctx.intro = about.description.map(str::to_string);
        ctx.subtitle = Some(t.count("entries", rows.len()));
        if let Some(home) = about.homepage {
            ctx.facts.push(Link {
                title: t.get("partner-site"),
                href: home.to_string(),
                note: None,
                kind: None,
            });
        }
        if let Some(r) = about.rights.or(info.and_then(|i| i.rights.as_deref())) {
            ctx.facts.push(Link {
                title: t.get("partner-rights"),
                href: String::new(),
                note: Some(r.to_string()),
                kind: None,
            });
        }
        if let Some(feed) = about.feed {
            ctx.feeds_label = Some(t.get("partner-follow"));
            ctx.feeds.push(Link {
                title: feed.to_string(),
                href: feed.to_string(),
                note: None,
                kind: None,
            });
        }
        ctx.set_rows(rows);
        ctx.pager = self.pager(part);
        self.render(&ctx)
    }
}

/// An entry as the library lists it, with its partner (kept apart from the entry: one partner's
/// description serves all of its entries).
#[derive(Debug, Clone, Copy)]
pub struct Listed<'e> {
    pub entry: &'e Entry,
    pub source: Option<&'e SourceInfo>,
}

/// What a partner page says about the partner, besides its entries.
#[derive(Debug, Clone, Copy, Default)]
pub struct PartnerFacts<'a> {
    pub info: Option<&'a SourceInfo>,
    pub description: Option<&'a str>,
    pub homepage: Option<&'a str>,
    pub rights: Option<&'a str>,
    pub feed: Option<&'a str>,
}
