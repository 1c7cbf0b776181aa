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
use crate::pool::Gathered;
use crate::pool::merge::Winner;
use crate::publish::PublishError;
use crate::publish::clean::{Settings, apply, clean, local_key};
use crate::state::{CleanRow, State};

/// Where a winner's full entry is: its origin (`None` for local entries) and handle.
pub(crate) type Key = (Option<String>, String);

pub(crate) fn key(w: &Winner) -> Key {
    (w.candidate.origin.clone(), w.candidate.handle.clone())
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

/// An entry still to sanitise.
struct Todo<'a> {
    key: Key,
    settings: &'a Settings,
    print: &'a str,
    base: Option<Url>,
    cache_key: String,
    entry: Entry,
}

/// Loads the full entries of every selected winner once, with their attribution and `via`
/// credits, sanitised.
pub(crate) fn materialise(
    cfg: &Config,
    g: &Gathered,
    wanted: &[&Winner],
) -> Result<(HashMap<Key, Entry>, CleanCount), PublishError> {
    let mut state = State::open(&cfg.state_path)?;
    let local = Settings::local(cfg);
    let local_print = local.print();
    let local_base = Some(cfg.feed.link.clone());
    let partner: HashMap<&str, (Settings, String)> = cfg
        .sources
        .iter()
        .map(|s| {
            let st = Settings::of_source(s);
            let print = st.print();
            (s.name.as_str(), (st, print))
        })
        .collect();
    // A source no longer configured has no settings of its own: nothing optional survives.
    let unknown = (Settings::default(), Settings::default().print());
    let mut out = HashMap::with_capacity(wanted.len());
    let mut todo: Vec<Todo<'_>> = Vec::new();
    let mut count = CleanCount::default();
    let mut seen = HashSet::with_capacity(wanted.len());
    for w in wanted {
        let k = key(w);
        if !seen.insert(k.clone()) {
            continue;
        }
        let c = &w.candidate;
        let vanished = || PublishError::Vanished { id: c.id.clone() };
        let (mut entry, settings, print, base, cached, cache_key) = match &c.origin {
            None => {
                let i: usize = c.handle.parse().map_err(|_| vanished())?;
                let entry = g.locals.get(i).cloned().ok_or_else(vanished)?;
                let ck = local_key(&local_print, local_base.as_ref(), &entry);
                let cached = state.local_cleaned(&ck)?;
                (
                    entry,
                    &local,
                    local_print.as_str(),
                    local_base.clone(),
                    cached,
                    ck,
                )
            }
            Some(source) => {
                let stored = state.stored(source, &c.handle)?.ok_or_else(vanished)?;
                let (settings, print) = partner.get(source.as_str()).unwrap_or(&unknown);
                let mut entry = stored.entry;
                entry.source = g.infos.get(source).cloned();
                let cached = match stored.clean {
                    // Sanitised when it was stored: published as it is.
                    Some((p, _)) if p == crate::state::LEGACY => {
                        count.cached += 1;
                        entry.via.clone_from(&w.via);
                        out.insert(k, entry);
                        continue;
                    }
                    Some((p, cleaned)) if p == *print => Some(cleaned),
                    _ => None,
                };
                let base = stored.base.and_then(|b| Url::parse(&b).ok());
                (
                    entry,
                    settings,
                    print.as_str(),
                    base,
                    cached,
                    c.handle.clone(),
                )
            }
        };
        entry.via.clone_from(&w.via);
        match cached {
            Some(cleaned) => {
                count.cached += 1;
                apply(&mut entry, settings, cleaned);
                out.insert(k, entry);
            }
            None => todo.push(Todo {
                key: k,
                settings,
                print,
                base,
                cache_key,
                entry,
            }),
        }
    }
    let cleaned = sanitise_all(&todo)?;
    count.sanitised = todo.len();
    let mut rows = Vec::with_capacity(todo.len());
    for (t, cleaned) in todo.into_iter().zip(cleaned) {
        let mut entry = t.entry;
        apply(&mut entry, t.settings, cleaned.clone());
        rows.push(CleanRow {
            source: t.key.0.clone(),
            key: t.cache_key,
            print: t.print.to_string(),
            cleaned,
        });
        out.insert(t.key, entry);
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
    // Nothing new: no write at all (a warm run whose views are rendered again writes nothing).
    if !rows.is_empty() {
        let locals: Vec<String> = g
            .locals
            .iter()
            .map(|e| local_key(&local_print, local_base.as_ref(), e))
            .collect();
        state.save_cleaned(&rows, &locals)?;
    }
    Ok((out, count))
}

/// Sanitises the entries on every core (scoped threads; each builds the sanitisers it needs,
/// one per settings and base).
fn sanitise_all(todo: &[Todo<'_>]) -> Result<Vec<Cleaned>, PublishError> {
    if todo.is_empty() {
        return Ok(Vec::new());
    }
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, todo.len().div_ceil(16));
    let per = todo.len().div_ceil(threads);
    let parts: Vec<Option<Vec<Cleaned>>> = std::thread::scope(|sc| {
        let workers: Vec<_> = todo
            .chunks(per)
            .map(|chunk| {
                sc.spawn(move || {
                    let mut made: Vec<(&str, Option<Url>, Sanitizer)> = Vec::new();
                    chunk
                        .iter()
                        .map(|t| {
                            let at = match made
                                .iter()
                                .position(|(p, b, _)| *p == t.print && *b == t.base)
                            {
                                Some(at) => at,
                                None => {
                                    let s = t.settings.sanitizer(t.base.clone());
                                    made.push((t.print, t.base.clone(), s));
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
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().ok()).collect()
    });
    let mut out = Vec::with_capacity(todo.len());
    for p in parts {
        out.extend(p.ok_or(PublishError::Panicked("sanitising"))?);
    }
    Ok(out)
}
