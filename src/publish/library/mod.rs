//! The library (issue 22): pages that make every published entry reachable by people, by links
//! alone, from `index.html`: the months (`archive/index.html`, `archive/YYYY-MM.html`), the
//! topics (`tags/index.html`, `tags/SLUG.html` with `tags/SLUG.atom` and `.json`) and the
//! partners (`partners/index.html`, `partners/SLUG.html`). Written on every run, whether or not
//! the RFC 5005 archives are on, in the same all-or-nothing publication as the feeds.
//!
//! [`plan`] groups the published entries and gives each page a fingerprint; a page whose
//! fingerprint was recorded when its file was last published is not rendered again (a closed
//! month is written once, and again only when one of its entries is withdrawn). Only the pages
//! rendered load their entries: from the state as stored (titles, links, dates, downloads: no
//! summary is shown, so nothing is sanitised), except a topic's feeds, which carry the newest
//! entries in full through `materialise` like every feed.

mod feeds;
mod load;
#[cfg(test)]
mod load_tests;
mod pages;
pub mod plan;
mod stale;

pub use stale::remove_stale;

use std::collections::HashMap;
use std::sync::Arc;

use sha2::Sha256;

use crate::config::{Config, Location, Source};
use crate::par::Panicked;
use crate::pool::Gathered;
use crate::pool::merge::{Winner, Winners};
use crate::pool::views::FeedView;
use crate::publish::PublishError;
use crate::publish::materialise::CleanCount;
use crate::publish::precompress::Effort;
use crate::publish::render::library::{Part, PartnerFacts, Shelf};
use crate::publish::sink::Output;
use crate::publish::spool::Spool;
use crate::publish::stage::Stage;
use crate::state::State;

use pages::{Kind, Page, pages};
pub use plan::{partner_slug, tag_slug};

/// Prefix of the library's keys among the recorded output fingerprints.
pub const KEY: &str = "library:";

/// What the library renders in a run.
#[derive(Debug, Default)]
pub struct Shelved {
    pub outputs: Vec<Output>,
    /// Pages whose fingerprint matched: left as they are.
    pub kept: Vec<String>,
    /// Every page, rendered or kept, in the library's order (the sitemap's: it must not depend
    /// on which pages a run happened to render).
    pub pages: Vec<String>,
    /// Every page's fingerprint (`library:FILE`), to record once published.
    pub fingerprints: Vec<(String, String)>,
    pub cleaned: CleanCount,
}

/// What the library is rendered from.
#[derive(Debug, Clone, Copy)]
pub struct Stock<'a> {
    pub shelf: Shelf<'a>,
    pub gathered: &'a Gathered,
    /// Every published entry, newest first.
    pub published: &'a [&'a Winner],
    /// The version, config and templates.
    pub base: &'a Sha256,
    /// Fingerprints recorded when the pages still in the output were published.
    pub previous: &'a HashMap<String, String>,
    /// With the RFC 5005 archives on, their first and current months: every month between has
    /// a document, and so a page (its human twin), even when it has no entries.
    pub archive_months: Option<((i32, u32), (i32, u32))>,
    /// Where the rows wait for the pages.
    pub spool: &'a Arc<Spool>,
    /// Where the rendered pages wait for the publication.
    pub stage: &'a Arc<Stage>,
}

/// Every library page, rendered where its inputs changed.
pub fn render(state: &mut State, stock: &Stock<'_>) -> Result<Shelved, PublishError> {
    let cfg = stock.shelf.cfg;
    let names: Vec<&str> = cfg.sources.iter().map(|s| s.name.as_str()).collect();
    let lib = plan::group(stock.published, &names);
    let pages = pages(&lib, stock).map_err(|Panicked| PublishError::Panicked("fingerprinting"))?;
    let mut out = Shelved::default();
    let mut todo = Vec::new();
    let mut topics = Vec::new();
    for p in &pages {
        let file_key = format!("{KEY}{}", p.file);
        let kept = stock.previous.get(&file_key) == Some(&p.print);
        out.fingerprints.push((file_key, p.print.clone()));
        out.pages.push(p.file.clone());
        let main_tag = match p.kind {
            Kind::Tag(t) if p.part.index == 0 => Some(t),
            _ => None,
        };
        if kept {
            out.kept.push(p.file.clone());
            if let Some(t) = main_tag {
                out.kept
                    .extend(["atom", "json"].map(|x| format!("tags/{}.{x}", t.slug)));
            }
            continue;
        }
        topics.extend(main_tag);
        todo.push(p);
    }
    let (feeds, cleaned) = feeds::tag_feeds(state, stock, &topics)?;
    out.outputs.extend(feeds);
    // Entries the views already sanitised in this run are not counted again.
    out.cleaned.sanitised += cleaned.sanitised;
    let listed = todo.iter().flat_map(|p| p.winners.iter().copied());
    let loaded = load::load(state, stock, listed)?;
    let sources: HashMap<&str, &Source> =
        cfg.sources.iter().map(|s| (s.name.as_str(), s)).collect();
    // Rendered on every core (a cold run of a large network renders thousands of pages), and
    // staged in the output folder by the thread that rendered each (see `Stage`).
    let rendered = crate::par::par_map(&todo, |p| {
        let bytes = render_page(stock, &sources, p, &loaded)?;
        Output::staged(p.file.clone(), &bytes, stock.stage, Effort::Fast).map_err(|err| {
            PublishError::Stage {
                name: p.file.clone(),
                err,
            }
        })
    })
    .map_err(|crate::par::Panicked| PublishError::Panicked("rendering the library"))?;
    for page in rendered {
        out.outputs.push(page?);
    }
    Ok(out)
}

/// One page's HTML.
fn render_page(
    stock: &Stock<'_>,
    sources: &HashMap<&str, &Source>,
    p: &Page<'_>,
    loaded: &load::Loaded,
) -> Result<Vec<u8>, PublishError> {
    let part = &p.part;
    let rows = loaded.rows(p.winners).map_err(|err| spool_err(p, err))?;
    let rows = rows.list();
    Ok(match &p.kind {
        Kind::Months(list) => stock.shelf.months_index(list)?,
        Kind::Month { at, prev, next } => stock.shelf.month(*at, *prev, *next, part, &rows)?,
        Kind::Tags(list) => stock.shelf.tags_index(list)?,
        Kind::Tag(t) => {
            // The label as the entries write it ("Anti-trafficking"), not lower-cased.
            let label = loaded
                .topics(p.winners)
                .find(|c| tag_slug(c) == t.slug)
                .unwrap_or(&t.label);
            stock.shelf.tag(&t.slug, label, part, &rows)?
        }
        Kind::Partners(list) => stock.shelf.partners_index(list)?,
        Kind::Partner(pp) => {
            let source = sources.get(pp.name.as_str()).copied();
            partner_page(stock, source, pp, part, &rows)?
        }
    })
}

/// The rows a page lists could not be written to or read from the spool.
fn spool_err(p: &Page<'_>, err: std::io::Error) -> PublishError {
    PublishError::Spool {
        name: p.file.clone(),
        err,
    }
}

/// `partners/SLUG.html`, with what the config and the partner's feed say about it.
fn partner_page(
    stock: &Stock<'_>,
    source: Option<&Source>,
    p: &plan::Partner<'_>,
    part: &Part,
    rows: &[&str],
) -> Result<Vec<u8>, PublishError> {
    let info = stock.gathered.infos.get(&p.name);
    let homepage = source
        .and_then(|s| s.homepage.as_ref().map(url::Url::as_str))
        .or(info.and_then(|i| i.homepage.as_deref()));
    // Without the user name and password a source URL may carry.
    let feed = source.and_then(|s| match &s.location {
        Location::Url(u) => {
            let mut u = u.clone();
            let _ = u.set_username("");
            let _ = u.set_password(None);
            Some(u.to_string())
        }
        Location::Path(_) => None,
    });
    let facts = PartnerFacts {
        info,
        description: source.and_then(|s| s.description.as_deref()),
        homepage,
        rights: source.and_then(|s| s.rights.as_deref()),
        feed: feed.as_deref(),
    };
    Ok(stock.shelf.partner(&p.slug, &p.name, &facts, part, rows)?)
}

/// Every published entry: the main feed's selection without its cap.
pub fn published<'a>(cfg: &Config, pool: &'a Winners) -> Vec<&'a Winner> {
    let mut all = FeedView::main(cfg);
    all.cap = usize::MAX;
    let max_items: HashMap<&str, usize> = cfg
        .sources
        .iter()
        .filter_map(|s| Some((s.name.as_str(), s.max_items?)))
        .collect();
    crate::pool::views::select(&all, pool, &max_items, &cfg.filter)
}
