//! Every file a run publishes, rendered in memory before anything is written: for each view (the
//! main feed is view zero) its selection from the pool, its entries loaded once for all views,
//! and each of its renderers; then `feed.xsl` and `status.json`. Like Zola's one `render_feeds`
//! for every language and taxonomy, one function renders every feed, so a view cannot differ
//! from the main feed in anything but its metadata and its selection.

use std::collections::HashMap;

use crate::config::Config;
use crate::gather::Gathered;
use crate::html::Templates;
use crate::merge::Winner;
use crate::model::Entry;
use crate::publish::Output;
use crate::run::Fatal;
use crate::state::State;
use crate::views::{self, FeedView, Renderer};
use crate::{json_feed, render};

/// What a run renders.
#[derive(Debug)]
pub struct Rendered {
    pub outputs: Vec<Output>,
    /// Entries in each view, in view order (the main feed first).
    pub counts: Vec<(String, usize)>,
}

type Key = (Option<String>, String);

fn key(w: &Winner) -> Key {
    (w.candidate.origin.clone(), w.candidate.handle.clone())
}

/// Loads the full entries of every selected winner once (local ones from memory, partner ones
/// from state), with their attribution and `via` credits.
fn materialise(
    cfg: &Config,
    g: &Gathered,
    wanted: &[&Winner],
) -> Result<HashMap<Key, Entry>, Fatal> {
    let state = State::open(&cfg.state_path)?;
    let mut out = HashMap::with_capacity(wanted.len());
    for w in wanted {
        let k = key(w);
        if out.contains_key(&k) {
            continue;
        }
        let c = &w.candidate;
        let mut entry = match &c.origin {
            None => c
                .handle
                .parse::<usize>()
                .ok()
                .and_then(|i| g.locals.get(i).cloned()),
            Some(source) => state.entry(source, &c.handle)?.map(|mut e| {
                e.source = g.infos.get(source).cloned();
                e
            }),
        }
        .ok_or_else(|| Fatal::Vanished(c.id.clone()))?;
        entry.via.clone_from(&w.via);
        out.insert(k, entry);
    }
    Ok(out)
}

/// Renders every view with every renderer, plus `feed.xsl` and `status.json`.
pub fn render_all(cfg: &Config, g: &Gathered, templates: &Templates) -> Result<Rendered, Fatal> {
    let views = views::feed_views(cfg);
    let max_items: HashMap<&str, usize> = cfg
        .sources
        .iter()
        .filter_map(|s| Some((s.name.as_str(), s.max_items?)))
        .collect();
    let selections: Vec<Vec<&Winner>> = views
        .iter()
        .map(|v| views::select(v, &g.pool, &max_items, &cfg.filter))
        .collect();
    let all: Vec<&Winner> = selections.iter().flatten().copied().collect();
    let entries = materialise(cfg, g, &all)?;
    let mut outputs = vec![Output {
        name: "feed.xsl".into(),
        bytes: crate::report::FEED_XSL.as_bytes().to_vec(),
    }];
    let mut counts = Vec::with_capacity(views.len());
    for (at, (view, sel)) in views.iter().zip(&selections).enumerate() {
        let list: Vec<Entry> = sel
            .iter()
            .filter_map(|w| entries.get(&key(w)).cloned())
            .collect();
        for &r in &view.renderers {
            let bytes = render_one(cfg, &views, at, &list, r, templates)?;
            outputs.push(Output {
                name: view.file(r),
                bytes,
            });
        }
        counts.push((
            view.name.clone().unwrap_or_else(|| "feed".into()),
            list.len(),
        ));
    }
    let main = counts.first().map_or(0, |c| c.1);
    outputs.push(Output {
        name: "status.json".into(),
        bytes: crate::report::status_json(&g.reports, main)
            .map_err(|e| Fatal::Render(render::RenderError::new(e.to_string())))?,
    });
    Ok(Rendered { outputs, counts })
}

fn render_one(
    cfg: &Config,
    views: &[FeedView],
    at: usize,
    entries: &[Entry],
    r: Renderer,
    templates: &Templates,
) -> Result<Vec<u8>, Fatal> {
    let view = &views[at];
    Ok(match r {
        Renderer::Atom => render::atom(&view.meta, entries, Some("feed.xsl"))?,
        Renderer::Json => {
            json_feed::json_feed(&view.meta, entries, &view.url(&cfg.feed.self_url, r))?
        }
        Renderer::Page | Renderer::Embed => templates.view(cfg, views, at, entries, r)?,
    })
}
