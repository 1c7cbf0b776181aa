//! Every file a run publishes, rendered in memory before anything is written: for each view (the
//! main feed is view zero) its selection from the pool, its entries loaded once for all views,
//! and each of its renderers; then `feed.xsl` and `partners.opml`. Like Zola's one `render_feeds`
//! for every language and taxonomy, one function renders every feed, so a view cannot differ
//! from the main feed in anything but its metadata and its selection.
//!
//! A view whose inputs have not changed since its files were published (same fingerprint: the
//! config, the templates, the version, and each selected entry's stored version, credits and
//! attribution) is not rendered again: a warm run with many views costs little more than one
//! without.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::model::Entry;
use crate::model::{Carried, Tombstone, ViewHistory};
use crate::pool::Gathered;
use crate::pool::editorial::tombstones::{Context, decide};
use crate::pool::merge::Winner;
use crate::pool::views::{self, FeedView, Renderer};
use crate::publish::PublishError;
use crate::publish::materialise::{CleanCount, key, materialise};
use crate::publish::render::html::Templates;
use crate::publish::render::{self as render, RenderError, json as json_feed, rss as rss_feed};
use crate::publish::sink::Output;

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
    pub media: Option<crate::publish::media::MediaReport>,
    /// Archive months written for good by this run, to record once published.
    pub archive_closed: Vec<(String, String)>,
    /// Entries sanitised for this run's outputs, and entries whose sanitised HTML was cached.
    pub cleaned: CleanCount,
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
                id: w.candidate.id.clone(),
                canonical_link: w.candidate.canonical_link.clone(),
                source: w.candidate.origin.clone(),
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

/// Everything a view's files are rendered from, hashed.
fn fingerprint(
    base: &Sha256,
    view: &FeedView,
    sel: &[&Winner],
    g: &Gathered,
    tombstones: &[Tombstone],
) -> Result<String, PublishError> {
    let mut h = base.clone();
    h.update(view.name.as_deref().unwrap_or("").as_bytes());
    for t in tombstones {
        h.update(format!("\0t{}\0{}\0{:?}", t.id, t.when, t.comment).as_bytes());
    }
    for w in sel {
        let c = &w.candidate;
        h.update(b"\0");
        h.update(c.origin.as_deref().unwrap_or("").as_bytes());
        h.update(b"\0");
        h.update(c.handle.as_bytes());
        for v in &w.via {
            h.update(v.as_bytes());
        }
        match &c.origin {
            // Local entries are found by position: their content goes in.
            None => {
                if let Some(e) = c.handle.parse::<usize>().ok().and_then(|i| g.locals.get(i)) {
                    h.update(json(e)?);
                }
            }
            // A stored item's hash covers its content; its attribution is per source.
            Some(s) => {
                if let Some(info) = g.infos.get(s) {
                    h.update(json(info)?);
                }
            }
        }
    }
    Ok(format!("{:x}", h.finalize()))
}

fn json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, PublishError> {
    Ok(serde_json::to_vec(v).map_err(RenderError::from)?)
}

/// One view's files and its number of entries.
type ViewFiles = Result<(Vec<Output>, usize), PublishError>;

/// Renders every view with every renderer, plus `feed.xsl` and `partners.opml` (`status.json` is
/// written by `run`, last, once the hubs have been pinged). A view whose
/// fingerprint equals its entry in `previous` is skipped (its files are reported in `kept`); pass
/// an empty map to render everything.
pub fn render_all(
    cfg: &Config,
    g: &Gathered,
    templates: &Templates,
    previous: &HashMap<String, String>,
    ed: &Editorial<'_>,
    mirror: Option<&crate::publish::media::Mirror>,
    archive: Option<&crate::publish::archive::Plan>,
) -> Result<Rendered, PublishError> {
    let views = views::feed_views(cfg);
    let max_items: HashMap<&str, usize> = cfg
        .sources
        .iter()
        .filter_map(|s| Some((s.name.as_str(), s.max_items?)))
        .collect();
    // With archives, the main feed carries only entries of months still open (see `archive`).
    let selections: Vec<Vec<&Winner>> = views
        .iter()
        .enumerate()
        .map(|(at, v)| match archive {
            Some(plan) if at == 0 => {
                views::select_where(v, &g.pool, &max_items, &cfg.filter, |w| {
                    plan.open_ids.contains(&w.candidate.id)
                })
            }
            _ => views::select(v, &g.pool, &max_items, &cfg.filter),
        })
        .collect();
    let histories_rfc5005: Vec<crate::publish::render::History> = views
        .iter()
        .enumerate()
        .map(|(at, _)| match archive {
            Some(plan) if at == 0 => plan.feed_history(cfg),
            _ => crate::publish::render::History::default(),
        })
        .collect();
    let mut base = Sha256::new();
    base.update(env!("CARGO_PKG_VERSION").as_bytes());
    // A new allowlist cleans every entry again: every view is rendered again.
    base.update(crate::ingest::normalise::html::allowlist_print().as_bytes());
    base.update(std::fs::read(&cfg.path).unwrap_or_default());
    for (name, text) in &templates.sources {
        base.update(name.as_bytes());
        base.update(text.as_bytes());
    }
    let mut fingerprints = Vec::with_capacity(views.len());
    let mut todo = Vec::with_capacity(views.len());
    let mut histories = Vec::with_capacity(views.len());
    for (v, sel) in views.iter().zip(&selections) {
        let name = v.name.clone().unwrap_or_else(|| "feed".into());
        let history = ed.history(&name, sel);
        let mut print = fingerprint(&base, v, sel, g, &history.tombstones)?;
        if let Some(prev) = &histories_rfc5005[fingerprints.len()].prev {
            print.push_str(prev);
        }
        histories.push((name.clone(), history));
        todo.push(previous.get(&name) != Some(&print));
        fingerprints.push((name, print));
    }
    let all: Vec<&Winner> = selections
        .iter()
        .zip(&todo)
        .filter(|(_, t)| **t)
        .flat_map(|(s, _)| s.iter().copied())
        .collect();
    let (mut entries, mut cleaned) = materialise(cfg, g, &all)?;
    let media = match mirror {
        Some(m) => Some(m.apply(&mut entries)?),
        None => None,
    };
    let mut outputs = vec![Output {
        name: "feed.xsl".into(),
        bytes: crate::publish::render::FEED_XSL.as_bytes().to_vec(),
    }];
    outputs.push(Output {
        name: "partners.opml".into(),
        bytes: crate::publish::render::opml::partners_opml(cfg)?,
    });
    // Views are independent: render them on every core (scoped threads; nothing is shared but
    // read-only data), then keep the view order.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, views.len().max(1));
    let rendered: Vec<(usize, ViewFiles)> = std::thread::scope(|sc| {
        let (views, selections, entries, todo, histories, nav) = (
            &views,
            &selections,
            &entries,
            &todo,
            &histories,
            &histories_rfc5005,
        );
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                sc.spawn(move || {
                    (t..views.len())
                        .step_by(threads)
                        .filter(|at| todo[*at])
                        .map(|at| {
                            let list: Vec<Entry> = selections[at]
                                .iter()
                                .filter_map(|w| entries.get(&key(w)).cloned())
                                .collect();
                            // Feeds name the partner where every reader shows it (once per
                            // view, for all its feed formats); the pages do so on every entry.
                            let credited: Vec<Entry> = list
                                .iter()
                                .map(|e| crate::pool::editorial::credit::apply(cfg, e).into_owned())
                                .collect();
                            let out = views[at]
                                .renderers
                                .iter()
                                .map(|&r| {
                                    Ok(Output {
                                        name: views[at].file(r),
                                        bytes: render_one(
                                            cfg,
                                            views,
                                            at,
                                            (&list, &credited),
                                            r,
                                            templates,
                                            (&histories[at].1.tombstones, &nav[at]),
                                        )?,
                                    })
                                })
                                .collect::<Result<Vec<_>, PublishError>>();
                            (at, out.map(|o| (o, list.len())))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let mut rendered = rendered;
    if rendered.len() != todo.iter().filter(|t| **t).count() {
        return Err(PublishError::Panicked("rendering"));
    }
    rendered.sort_by_key(|r| r.0);
    for (_, r) in rendered {
        outputs.extend(r?.0);
    }
    let mut kept = Vec::new();
    for (v, t) in views.iter().zip(&todo) {
        if !t {
            kept.extend(v.renderers.iter().map(|&r| v.file(r)));
        }
    }
    let mut archive_closed = Vec::new();
    if let Some(plan) = archive {
        let in_feed: HashSet<&str> = selections[0]
            .iter()
            .map(|w| w.candidate.id.as_str())
            .collect();
        let files = plan.render(cfg, &in_feed, ed.cx.withdrawals, &cfg.output_dir)?;
        outputs.extend(files.outputs);
        kept.extend(files.kept);
        archive_closed = files.closed;
        cleaned += plan.cleaned;
    }
    let counts = views
        .iter()
        .zip(&selections)
        .map(|(v, s)| (v.name.clone().unwrap_or_else(|| "feed".into()), s.len()))
        .collect::<Vec<_>>();
    Ok(Rendered {
        outputs,
        kept,
        counts,
        fingerprints,
        histories,
        media,
        archive_closed,
        cleaned,
    })
}

fn render_one(
    cfg: &Config,
    views: &[FeedView],
    at: usize,
    // The entries as the pages show them, and as the feeds do (with the credit line).
    (entries, credited): (&[Entry], &[Entry]),
    r: Renderer,
    templates: &Templates,
    // The Atom feed's tombstones and its place among the RFC 5005 archives.
    (tombstones, history): (&[Tombstone], &render::History),
) -> Result<Vec<u8>, PublishError> {
    let view = &views[at];
    Ok(match r {
        Renderer::Atom => {
            render::atom_document(&view.meta, credited, Some("feed.xsl"), tombstones, history)?
        }
        Renderer::Json => {
            json_feed::json_feed(&view.meta, credited, &view.url(&cfg.feed.self_url, r))?
        }
        Renderer::Rss => rss_feed::rss(&view.meta, credited, &view.url(&cfg.feed.self_url, r))?,
        Renderer::Page | Renderer::Embed => templates.view(cfg, views, at, entries, r)?,
    })
}
