//! Every file a run publishes, rendered before anything is written (the library's pages into the
//! run's spool, the rest in memory): for each view (the main feed is view zero) its selection from the pool, its entries loaded once for all views,
//! and each of its renderers; then `feed.xsl`, `partners.opml`, `sitemap.xml` and `robots.txt`. Like Zola's one `render_feeds`
//! for every language and taxonomy, one function renders every feed, so a view cannot differ
//! from the main feed in anything but its metadata and its selection.
//!
//! A view whose inputs have not changed since its files were published (same fingerprint: the
//! config, the templates, the version, and each selected entry's stored version, credits and
//! attribution; see `fingerprint`) is not rendered again: a warm run with many views costs
//! little more than one without. The views rendered are rendered on every core
//! ([`crate::par::par_map`]), and kept in view order.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::config::Config;
use crate::model::Entry;
use crate::model::{Carried, Tombstone, ViewHistory};
use crate::par::{Panicked, par_map};
use crate::pool::Gathered;
use crate::pool::editorial::tombstones::{Context, decide};
use crate::pool::merge::Winner;
use crate::pool::views::{self, FeedView, Renderer};
use crate::publish::PublishError;
use crate::publish::archive;
use crate::publish::fingerprint::{base_print, fingerprint};
use crate::publish::library;
use crate::publish::materialise::{CleanCount, Key, key, materialise};
use crate::publish::media::{MediaReport, Mirror};
use crate::publish::render::html::Templates;
use crate::publish::render::library::Shelf;
use crate::publish::render::{self as render, json as json_feed, rss as rss_feed};
use crate::publish::sink::Output;
use crate::publish::spool::Spool;
use crate::publish::stage::Stage;
use crate::state::State;

/// What a run renders.
#[derive(Debug)]
pub struct Rendered {
    pub outputs: Vec<Output>,
    /// Files of views whose fingerprint matched: not rendered, left as they are.
    pub kept: Vec<String>,
    /// Entries in each view, in view order (the main feed first).
    pub counts: Vec<(String, usize)>,
    /// Each view's fingerprint (by view name, `feed` for the main feed), to record once published.
    pub fingerprints: Vec<(String, String)>,
    /// Each view's editorial memory (what it carries, its tombstones), to record once published.
    pub histories: Vec<(String, ViewHistory)>,
    /// What mirroring did, when it is on.
    pub media: Option<MediaReport>,
    /// Archive months written for good by this run, to record once published.
    pub archive_closed: Vec<(String, String)>,
    /// Entries sanitised for this run's outputs, and entries whose sanitised HTML was cached.
    pub cleaned: CleanCount,
    /// Every file of the library (`publish::library`) this run published or kept.
    pub library: Vec<String>,
}

/// Withdrawals and tombstones for this run: the context, and each view's memory from the last.
#[derive(Debug)]
pub struct Editorial<'a> {
    pub cx: Context<'a>,
    pub histories: &'a HashMap<String, ViewHistory>,
}

impl Editorial<'_> {
    /// A view's history for the next run, and the tombstones it carries now.
    fn history(&self, name: &str, sel: &[&Winner]) -> ViewHistory {
        let before = self.histories.get(name).cloned().unwrap_or_default();
        let carried: Vec<Carried> = sel
            .iter()
            .map(|w| Carried {
                id: w.id().to_string(),
                canonical_link: w.canonical_link().map(String::from),
                source: w.origin.as_deref().map(str::to_string),
            })
            .collect();
        let now_ids: HashSet<&str> = carried.iter().map(|c| c.id.as_str()).collect();
        let tombstones = decide(&self.cx, &before.carried, &now_ids, &before.tombstones);
        ViewHistory {
            carried,
            tombstones,
        }
    }
}

/// What every view is rendered from, besides the state its entries are loaded from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub cfg: &'a Config,
    /// The text `cfg` was parsed from: part of every view's fingerprint.
    pub config_text: &'a str,
    /// Every feed the run writes: the main one first, then each `[[view]]`
    /// ([`views::feed_views`], built once per run).
    pub views: &'a [FeedView],
    pub gathered: &'a Gathered,
    pub templates: &'a Templates,
    /// Each view's fingerprint when its files were last published, by view name: a view whose
    /// fingerprint is unchanged is not rendered (its files are reported in `kept`). An empty map
    /// renders everything.
    pub previous: &'a HashMap<String, String>,
    pub editorial: &'a Editorial<'a>,
    /// The media mirror, when `[output] mirror_media` is on.
    pub mirror: Option<&'a Mirror>,
    /// The archives, when `[archive]` is on (their entries already filed: see `archive::prepare`).
    pub archive: Option<&'a archive::Plan>,
    /// Where the library's rows wait for its pages (`Spool::in_dir` of the output folder).
    pub spool: &'a Arc<Spool>,
    /// Where the library's pages wait for the publication (`Stage::in_dir` of the output
    /// folder: they are compared with the files there).
    pub stage: &'a Arc<Stage>,
}

/// What the run decided about each view before loading any entry, in view order.
struct Decided<'a> {
    selections: Vec<Vec<&'a Winner>>,
    /// Each view's place among the RFC 5005 archives (only the main feed has one).
    nav: Vec<render::History>,
    fingerprints: Vec<(String, String)>,
    histories: Vec<(String, ViewHistory)>,
    /// Whether each view is rendered: its fingerprint changed (or its files are gone).
    todo: Vec<bool>,
}

/// Renders every view with every renderer, plus `feed.xsl` and `partners.opml` (`status.json` is
/// written by `run`, last, once the hubs have been pinged), and the archive documents. The
/// entries are loaded (and newly sanitised HTML cached) through `state`, which also knows the
/// mirrored media.
pub fn render_all(state: &mut State, inp: &Inputs<'_>) -> Result<Rendered, PublishError> {
    let decided = decide_views(inp)?;
    let (mut entries, mut cleaned) =
        materialise(state, inp.cfg, inp.gathered, &decided.to_render())?;
    let media = match inp.mirror {
        Some(m) => Some(m.apply(state, &mut entries)?),
        None => None,
    };
    let mut outputs = vec![
        Output::new("feed.xsl", render::FEED_XSL.as_bytes().to_vec()),
        Output::new("partners.opml", render::opml::partners_opml(inp.cfg)?),
        Output::new("robots.txt", render::sitemap::robots(inp.cfg)),
    ];
    outputs.extend(render_views(inp, &decided, &entries)?);
    let mut kept = decided.kept(inp.views);
    let mut fingerprints = decided.fingerprints.clone();
    let shelved = shelve(state, inp)?;
    let library: Vec<String> = shelved
        .outputs
        .iter()
        .map(|o| o.name.clone())
        .chain(shelved.kept.iter().cloned())
        .collect();
    outputs.extend(shelved.outputs);
    outputs.push(Output::new(
        "sitemap.xml",
        render::sitemap::sitemap(inp.cfg, inp.views, &shelved.pages),
    ));
    kept.extend(shelved.kept);
    fingerprints.extend(shelved.fingerprints);
    cleaned += shelved.cleaned;
    let mut archive_closed = Vec::new();
    if let Some(plan) = inp.archive {
        let files = render_archive(state, inp, plan)?;
        outputs.extend(files.outputs);
        kept.extend(files.kept);
        archive_closed = files.closed;
        cleaned += plan.cleaned;
    }
    Ok(Rendered {
        outputs,
        kept,
        counts: decided.counts(inp.views),
        fingerprints,
        histories: decided.histories,
        media,
        archive_closed,
        cleaned,
        library,
    })
}

/// The library's pages (months, topics, partners) from every published entry.
fn shelve(state: &mut State, inp: &Inputs<'_>) -> Result<library::Shelved, PublishError> {
    let published = library::published(inp.cfg, &inp.gathered.pool);
    let base = base_print(inp.config_text, inp.templates);
    library::render(
        state,
        &library::Stock {
            shelf: Shelf {
                cfg: inp.cfg,
                views: inp.views,
                templates: inp.templates,
            },
            gathered: inp.gathered,
            published: &published,
            base: &base,
            previous: inp.previous,
            archive_months: inp.archive.map(|p| {
                (
                    (p.first.year, p.first.month),
                    (p.current.year, p.current.month),
                )
            }),
            spool: inp.spool,
            stage: inp.stage,
        },
    )
}

/// Each view's selection, its editorial memory and its fingerprint, and so whether it is
/// rendered again.
fn decide_views<'a>(inp: &Inputs<'a>) -> Result<Decided<'a>, PublishError> {
    let selections = select_all(inp);
    let nav: Vec<render::History> = (0..inp.views.len())
        .map(|at| match inp.archive {
            Some(plan) if at == 0 => plan.feed_history(inp.cfg),
            _ => render::History::default(),
        })
        .collect();
    let base = base_print(inp.config_text, inp.templates);
    let n = inp.views.len();
    let (mut fingerprints, mut histories, mut todo) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for ((v, sel), nav) in inp.views.iter().zip(&selections).zip(&nav) {
        let name = v.key().to_string();
        let history = inp.editorial.history(&name, sel);
        let mut print = fingerprint(&base, v, sel, inp.gathered, &history.tombstones)?;
        if let Some(prev) = &nav.prev {
            print.push_str(prev);
        }
        histories.push((name.clone(), history));
        todo.push(inp.previous.get(&name) != Some(&print));
        fingerprints.push((name, print));
    }
    Ok(Decided {
        selections,
        nav,
        fingerprints,
        histories,
        todo,
    })
}

/// Each view's entries from the pool. With archives too, the main feed carries its newest
/// `max_entries` (a subscription document is never empty while entries exist; see `archive`).
fn select_all<'a>(inp: &Inputs<'a>) -> Vec<Vec<&'a Winner>> {
    let (cfg, pool) = (inp.cfg, &inp.gathered.pool);
    let max_items: HashMap<&str, usize> = cfg
        .sources
        .iter()
        .filter_map(|s| Some((s.name.as_str(), s.max_items?)))
        .collect();
    inp.views
        .iter()
        .map(|v| views::select(v, pool, &max_items, &cfg.filter))
        .collect()
}

impl<'a> Decided<'a> {
    /// The winners of every view rendered again (their entries are loaded once for all).
    fn to_render(&self) -> Vec<&'a Winner> {
        self.selections
            .iter()
            .zip(&self.todo)
            .filter(|(_, t)| **t)
            .flat_map(|(s, _)| s.iter().copied())
            .collect()
    }

    /// The files of the views not rendered again: left as they are.
    fn kept(&self, views: &[FeedView]) -> Vec<String> {
        let mut kept = Vec::new();
        for (v, t) in views.iter().zip(&self.todo) {
            if !t {
                kept.extend(v.renderers.iter().map(|&r| v.file(r)));
            }
        }
        kept
    }

    /// Entries in each view, by name (`feed` for the main feed).
    fn counts(&self, views: &[FeedView]) -> Vec<(String, usize)> {
        views
            .iter()
            .zip(&self.selections)
            .map(|(v, s)| (v.key().to_string(), s.len()))
            .collect()
    }
}

/// Renders the views to render, on every core (views are independent; nothing is shared but
/// read-only data), in view order.
fn render_views(
    inp: &Inputs<'_>,
    decided: &Decided<'_>,
    entries: &HashMap<Key, Entry>,
) -> Result<Vec<Output>, PublishError> {
    let todo: Vec<usize> = (0..inp.views.len())
        .filter(|&at| decided.todo[at])
        .collect();
    let rendered = par_map(&todo, |&at| render_view(inp, decided, entries, at))
        .map_err(|Panicked| PublishError::Panicked("rendering"))?;
    let mut outputs = Vec::new();
    for files in rendered {
        outputs.extend(files?);
    }
    Ok(outputs)
}

/// One view's files, one per renderer.
fn render_view(
    inp: &Inputs<'_>,
    decided: &Decided<'_>,
    entries: &HashMap<Key, Entry>,
    at: usize,
) -> Result<Vec<Output>, PublishError> {
    let list: Vec<Entry> = decided.selections[at]
        .iter()
        .filter_map(|w| entries.get(&key(w)).cloned())
        .collect();
    // Feeds name the partner where every reader shows it (once per view, for all its feed
    // formats); the pages do so on every entry.
    let credited: Vec<Entry> = list
        .iter()
        .map(|e| crate::pool::editorial::credit::apply(inp.cfg, e).into_owned())
        .collect();
    let view = ViewDoc {
        cfg: inp.cfg,
        views: inp.views,
        at,
        templates: inp.templates,
        entries: &list,
        credited: &credited,
        tombstones: &decided.histories[at].1.tombstones,
        history: &decided.nav[at],
    };
    let view_def = &inp.views[at];
    view_def
        .renderers
        .iter()
        .map(|&r| Ok(Output::new(view_def.file(r), view.render(r)?)))
        .collect()
}

/// What one view's documents are rendered from.
struct ViewDoc<'a> {
    cfg: &'a Config,
    views: &'a [FeedView],
    at: usize,
    templates: &'a Templates,
    /// The entries as the pages show them.
    entries: &'a [Entry],
    /// The entries as the feeds show them (with the credit line).
    credited: &'a [Entry],
    /// The Atom feed's tombstones.
    tombstones: &'a [Tombstone],
    /// The Atom feed's place among the RFC 5005 archives.
    history: &'a render::History,
}

impl ViewDoc<'_> {
    fn render(&self, r: Renderer) -> Result<Vec<u8>, PublishError> {
        let view = &self.views[self.at];
        let url = || view.url(&self.cfg.feed.self_url, r);
        Ok(match r {
            Renderer::Atom => render::atom_document(
                &view.meta,
                self.credited,
                Some("feed.xsl"),
                self.tombstones,
                self.history,
            )?,
            Renderer::Json => json_feed::json_feed(&view.meta, self.credited, &url())?,
            Renderer::Rss => rss_feed::rss(&view.meta, self.credited, &url())?,
            Renderer::Page | Renderer::Embed => {
                self.templates
                    .view(self.cfg, self.views, self.at, self.entries, r)?
            }
        })
    }
}

/// The archive documents: every month with all of its entries (those the main feed carries too).
fn render_archive(
    state: &State,
    inp: &Inputs<'_>,
    plan: &archive::Plan,
) -> Result<archive::ArchiveFiles, PublishError> {
    let cfg = inp.cfg;
    plan.render(state, cfg, inp.editorial.cx.withdrawals, &cfg.output_dir)
}
