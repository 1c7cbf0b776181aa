//! Loading the full entries that a run publishes, sanitised (issue 13).
//!
//! Merging and selecting work on small candidates; only the winners some output publishes (the
//! main feed, a view, an archive month) are loaded here: partner entries from the state, the
//! network's own from memory. Each comes out sanitised: from the cache when its print matches
//! (see `clean`), else sanitised now, on every core, and cached in one transaction. This is the
//! only place that calls the sanitiser on feed content.

use std::collections::{HashMap, HashSet};

use url::Url;

use crate::config::Config;
use crate::ingest::normalise::html::Sanitizer;
use crate::model::Cleaned;
use crate::model::Entry;
use crate::par::{Panicked, par_map};
use crate::pool::Gathered;
use crate::pool::merge::Winner;
use crate::publish::PublishError;
use crate::publish::clean::{Settings, apply, clean, local_key};
use crate::state::{CleanRow, State};

/// Where a winner's full entry is: its origin (`None` for local entries) and handle.
pub(crate) type Key = (Option<std::sync::Arc<str>>, String);

pub(crate) fn key(w: &Winner) -> Key {
    (w.origin.clone(), w.handle().to_string())
}

/// How many published entries were sanitised by a run, and how many came from the cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct CleanCount {
    pub sanitised: usize,
    pub cached: usize,
}

impl std::ops::AddAssign for CleanCount {
    fn add_assign(&mut self, o: CleanCount) {
        self.sanitised += o.sanitised;
        self.cached += o.cached;
    }
}

/// The sanitiser settings of the network's own entries and of every source, with their prints.
struct Rules<'c> {
    local: Settings,
    local_print: String,
    local_base: Option<Url>,
    partner: HashMap<&'c str, (Settings, String)>,
    /// A source no longer configured has no settings of its own: nothing optional survives.
    unknown: (Settings, String),
}

impl<'c> Rules<'c> {
    fn of(cfg: &'c Config) -> Rules<'c> {
        let local = Settings::local(cfg);
        let local_print = local.print();
        let partner = cfg
            .sources
            .iter()
            .map(|s| {
                let st = Settings::of_source(s);
                let print = st.print();
                (s.name.as_str(), (st, print))
            })
            .collect();
        Rules {
            local,
            local_print,
            local_base: Some(cfg.feed.link.clone()),
            partner,
            unknown: (Settings::default(), Settings::default().print()),
        }
    }

    /// The cache key of a local entry's sanitised HTML.
    fn local_key(&self, e: &Entry) -> String {
        local_key(&self.local_print, self.local_base.as_ref(), e)
    }
}

/// An entry still to sanitise.
struct Todo<'a> {
    key: Key,
    settings: &'a Settings,
    print: &'a str,
    base: Option<Url>,
    cache_key: String,
    entry: Entry,
}

/// A winner's full entry as loaded: ready to publish (sanitised when stored, or its cached
/// sanitised HTML applied), or still to sanitise.
enum Loaded<'a> {
    Ready(Entry),
    Todo(Todo<'a>),
}

/// Loads the full entries of every selected winner once, with their attribution and `via`
/// credits, sanitised, from `state` (where newly sanitised HTML is cached, in one transaction).
pub(crate) fn materialise(
    state: &mut State,
    cfg: &Config,
    g: &Gathered,
    wanted: &[&Winner],
) -> Result<(HashMap<Key, Entry>, CleanCount), PublishError> {
    let rules = Rules::of(cfg);
    let mut out = HashMap::with_capacity(wanted.len());
    let mut todo: Vec<Todo<'_>> = Vec::new();
    let mut count = CleanCount::default();
    let mut seen = HashSet::with_capacity(wanted.len());
    for w in wanted.iter().filter(|w| seen.insert(key(w))) {
        match load(state, &rules, g, w)? {
            Loaded::Ready(entry) => {
                count.cached += 1;
                out.insert(key(w), entry);
            }
            Loaded::Todo(t) => todo.push(t),
        }
    }
    count.sanitised = todo.len();
    let rows = sanitise_all(todo, &mut out)?;
    // Nothing new: no write at all (a warm run whose views are rendered again writes nothing).
    if !rows.is_empty() {
        let locals: Vec<String> = g.locals.iter().map(|e| rules.local_key(e)).collect();
        state.save_cleaned(&rows, &locals)?;
    }
    // Without mirroring, no inline image is published (it would be published as received).
    if !cfg.output.mirror_media {
        for e in out.values_mut() {
            for html in [&mut e.summary, &mut e.content].into_iter().flatten() {
                if let std::borrow::Cow::Owned(clean) = crate::publish::media::drop_inline(html) {
                    *html = clean;
                }
            }
        }
    }
    Ok((out, count))
}

/// One winner's full entry: a local one from memory, a partner's from the state, with its
/// sanitised HTML when it is cached for the settings it is published with.
fn load<'r>(
    state: &State,
    rules: &'r Rules<'_>,
    g: &Gathered,
    w: &Winner,
) -> Result<Loaded<'r>, PublishError> {
    let c = w;
    let vanished = || PublishError::Vanished {
        id: c.id().to_string(),
    };
    let (mut todo, cached) = match &c.origin {
        None => {
            let i = c.local_index().ok_or_else(vanished)?;
            let entry = g.locals.get(i).cloned().ok_or_else(vanished)?;
            let cache_key = rules.local_key(&entry);
            let cached = state.local_cleaned(&cache_key)?;
            let todo = Todo {
                key: key(w),
                settings: &rules.local,
                print: rules.local_print.as_str(),
                base: rules.local_base.clone(),
                cache_key,
                entry,
            };
            (todo, cached)
        }
        Some(source) => {
            let stored = state.stored(source, c.handle())?.ok_or_else(vanished)?;
            let (settings, print) = rules.partner.get(&**source).unwrap_or(&rules.unknown);
            let mut entry = stored.entry;
            entry.source = g.infos.get(&**source).cloned();
            let cached = match stored.clean {
                // Sanitised when it was stored: published as it is.
                Some((p, _)) if p == crate::state::LEGACY => {
                    entry.via.clone_from(&w.via);
                    return Ok(Loaded::Ready(entry));
                }
                Some((p, cleaned)) if p == *print => Some(cleaned),
                _ => None,
            };
            let todo = Todo {
                key: key(w),
                settings,
                print: print.as_str(),
                base: stored.base.and_then(|b| Url::parse(&b).ok()),
                cache_key: c.handle().to_string(),
                entry,
            };
            (todo, cached)
        }
    };
    todo.entry.via.clone_from(&w.via);
    Ok(match cached {
        Some(cleaned) => {
            apply(&mut todo.entry, todo.settings, cleaned);
            Loaded::Ready(todo.entry)
        }
        None => Loaded::Todo(todo),
    })
}

/// Sanitises the entries on every core, puts them in `out`, and returns the cache rows to save.
/// Each thread takes a run of at least 16 entries and builds the sanitisers it needs, one per
/// settings and base.
fn sanitise_all(
    todo: Vec<Todo<'_>>,
    out: &mut HashMap<Key, Entry>,
) -> Result<Vec<CleanRow>, PublishError> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, todo.len().div_ceil(16).max(1));
    let runs: Vec<&[Todo<'_>]> = todo.chunks(todo.len().div_ceil(threads).max(1)).collect();
    let cleaned = par_map(&runs, |run| sanitise_run(run))
        .map_err(|Panicked| PublishError::Panicked("sanitising"))?;
    let mut rows = Vec::with_capacity(todo.len());
    for (t, cleaned) in todo.into_iter().zip(cleaned.into_iter().flatten()) {
        let mut entry = t.entry;
        apply(&mut entry, t.settings, cleaned.clone());
        rows.push(CleanRow {
            source: t.key.0.as_deref().map(str::to_string),
            key: t.cache_key,
            print: t.print.to_string(),
            cleaned,
        });
        out.insert(t.key, entry);
    }
    Ok(rows)
}

/// Sanitises one run of entries on one thread, building each sanitiser once.
fn sanitise_run(run: &[Todo<'_>]) -> Vec<Cleaned> {
    let mut made: Vec<(&str, Option<Url>, Sanitizer)> = Vec::new();
    run.iter()
        .map(|t| {
            let at = match made
                .iter()
                .position(|(p, b, _)| *p == t.print && *b == t.base)
            {
                Some(at) => at,
                None => {
                    made.push((
                        t.print,
                        t.base.clone(),
                        t.settings.sanitizer(t.base.clone()),
                    ));
                    made.len() - 1
                }
            };
            clean(
                t.settings,
                &made[at].2,
                t.entry.summary.as_deref(),
                t.entry.content.as_deref(),
            )
        })
        .collect()
}
