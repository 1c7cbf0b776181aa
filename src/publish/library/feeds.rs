//! A topic's Atom and JSON Feed (`tags/SLUG.atom`, `tags/SLUG.json`): its newest entries (as
//! many as the main feed carries), in full, loaded through `materialise` like every feed.
//!
//! A network's partners tag their items freely, and every topic gets its feeds: at 500 partners
//! × 50 items with 300 topics (`bench_gen --topics 300`), 602 feeds. Made a topic at a time,
//! each loaded and sanitised its entries in a pass of its own (a core idle between short
//! passes) and committed them, and every feed was held in memory until the publication and
//! compressed there: a cold run took 3.8–4.7 s instead of 0.65 s, in 259 MB (of 1,024 KB); now
//! 3.0–3.2 s in 68–74 MB. So the topics are taken a chunk at a time ([`CHUNK`] entries): the
//! chunk's entries are loaded and sanitised together, once each however many of its topics
//! list them (one pass on every core, one transaction), then its feeds are rendered on every
//! core and staged at once, with their gzip copies, by the thread that rendered each (see
//! `Stage`). At most a chunk's entries and a feed a core are held.

use std::collections::HashMap;

use crate::config::{Config, FeedMeta};
use crate::model::Entry;
use crate::pool::merge::Winner;
use crate::pool::views::{sibling, view_id};
use crate::publish::PublishError;
use crate::publish::materialise::{CleanCount, Key, key, materialise};
use crate::publish::precompress::Effort;
use crate::publish::render::{self as render, json as json_feed};
use crate::publish::sink::Output;
use crate::state::State;

use super::{Stock, plan};

/// About how many entries the topics of a chunk list (a topic is never split).
const CHUNK: usize = 1024;

/// The feeds of `tags`, in their order (each topic's Atom, then its JSON Feed), staged; and how
/// many of their entries were sanitised (an entry already sanitised in this run is cached, and
/// not counted again).
pub(super) fn tag_feeds(
    state: &mut State,
    stock: &Stock<'_>,
    tags: &[&plan::Tag<'_>],
) -> Result<(Vec<Output>, CleanCount), PublishError> {
    let cap = stock.shelf.cfg.feed.max_entries;
    let mut outputs = Vec::with_capacity(tags.len() * 2);
    let mut cleaned = CleanCount::default();
    for chunk in chunks(tags, |t| t.winners.len().min(cap), CHUNK) {
        let newest: Vec<&Winner> = chunk
            .iter()
            .flat_map(|t| t.winners.iter().take(cap).copied())
            .collect();
        let (entries, c) = materialise(state, stock.shelf.cfg, stock.gathered, &newest)?;
        cleaned.sanitised += c.sanitised;
        let made = crate::par::par_map(chunk, |t| topic_feeds(stock, t, &entries))
            .map_err(|crate::par::Panicked| PublishError::Panicked("rendering a topic's feeds"))?;
        for files in made {
            outputs.extend(files?);
        }
    }
    Ok((outputs, cleaned))
}

/// `items` cut in order where the sizes so far reach `at` (an item is never split, and no chunk
/// is empty).
fn chunks<T>(items: &[T], size: impl Fn(&T) -> usize, at: usize) -> Vec<&[T]> {
    let mut out = Vec::new();
    let (mut start, mut sum) = (0, 0);
    for (i, item) in items.iter().enumerate() {
        sum += size(item);
        if sum >= at {
            out.extend(items.get(start..=i));
            (start, sum) = (i + 1, 0);
        }
    }
    out.extend(items.get(start..).filter(|rest| !rest.is_empty()));
    out
}

/// One topic's two feeds, from `entries` (its newest among them), staged.
fn topic_feeds(
    stock: &Stock<'_>,
    t: &plan::Tag<'_>,
    entries: &HashMap<Key, Entry>,
) -> Result<Vec<Output>, PublishError> {
    let cfg = stock.shelf.cfg;
    let list: Vec<Entry> = t
        .winners
        .iter()
        .take(cfg.feed.max_entries)
        .filter_map(|w| entries.get(&key(w)))
        .map(|e| crate::pool::editorial::credit::apply(cfg, e).into_owned())
        .collect();
    let meta = tag_meta(cfg, &t.slug, &t.label);
    let json_url = sibling(&cfg.feed.self_url, &format!("tags/{}.json", t.slug)).to_string();
    let atom = render::atom_document(
        &meta,
        &list,
        Some("../feed.xsl"),
        &[],
        &render::History::default(),
    )?;
    let json = json_feed::json_feed(&meta, &list, &json_url)?;
    [("atom", atom), ("json", json)]
        .into_iter()
        .map(|(ext, bytes)| {
            let name = format!("tags/{}.{ext}", t.slug);
            Output::staged(&name, &bytes, stock.stage, Effort::Medium)
                .map_err(|err| PublishError::Stage { name, err })
        })
        .collect()
}

/// A topic feed's metadata: the main feed's, with its own title, id and links.
fn tag_meta(cfg: &Config, slug: &str, label: &str) -> FeedMeta {
    let mut meta = cfg.feed.clone();
    meta.title = format!("{}: {label}", cfg.feed.title);
    meta.subtitle = None;
    meta.id = view_id(&cfg.feed.id, &format!("tags/{slug}"));
    meta.self_url = sibling(&cfg.feed.self_url, &format!("tags/{slug}.atom"));
    meta.link = sibling(&cfg.feed.self_url, &format!("tags/{slug}.html"));
    meta
}

#[cfg(test)]
mod tests {
    use super::chunks;

    #[test]
    fn topics_are_cut_in_order_where_their_entries_reach_the_chunk() {
        // Description: topics of some sizes, cut at 10 entries.
        // Expect: each chunk ends at the topic that reaches 10 (a larger one alone), the
        // rest last; every topic once, in order; no empty chunk.
        let cut = |sizes: &[usize]| -> Vec<Vec<usize>> {
            chunks(sizes, |&n| n, 10)
                .into_iter()
                .map(<[usize]>::to_vec)
                .collect()
        };
        assert_eq!(cut(&[]), Vec::<Vec<usize>>::new());
        assert_eq!(cut(&[3]), [vec![3]]);
        assert_eq!(cut(&[4, 6, 1]), [vec![4, 6], vec![1]]);
        assert_eq!(cut(&[25, 2, 9, 3]), [vec![25], vec![2, 9], vec![3]]);
        assert_eq!(cut(&[5, 5]), [vec![5, 5]]);
        assert_eq!(cut(&[0, 0, 10, 0]), [vec![0, 0, 10], vec![0]]);
    }
}
