//! Outputs as data: the list of feeds a run publishes. The main feed is view zero; each
//! `[[view]]` adds one more. A view holds its metadata, its selector, its cap and the renderers it
//! writes with, so adding an output means adding data here, not editing every stage.
//!
//! Selection is pure and works on the run's pool (every stored entry, deduplicated once, see
//! `merge::pool`): a view picks the entries its selector matches, a source contributes at most
//! its `max_items` to each view, then the global age limit and the view's cap apply.

use std::collections::HashMap;

use url::Url;

use crate::config::{Config, FeedMeta, Filter, Formats, LOCAL, View};
use crate::ingest::select::passes_patterns;
use crate::model::Candidate;
use crate::pool::merge::{Winner, age_and_cap};
use crate::text::lang::primary_subtag;

/// What a view is written as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renderer {
    /// Atom 1.0, the product.
    Atom,
    /// JSON Feed 1.1.
    Json,
    /// An HTML page for people.
    Page,
    /// A compact HTML list for an `<iframe>` on a partner's site.
    Embed,
    /// RSS 2.0, for tools that take nothing else (`[output] formats` has `"rss"`).
    Rss,
}

impl Renderer {
    /// The renderers `[output] formats` asks for, in a fixed order (Atom always).
    pub fn for_formats(f: &Formats) -> Vec<Renderer> {
        let mut out = vec![Renderer::Atom];
        if f.json {
            out.push(Renderer::Json);
        }
        if f.html {
            out.extend([Renderer::Page, Renderer::Embed]);
        }
        if f.rss {
            out.push(Renderer::Rss);
        }
        out
    }

    /// Whether this renderer writes a feed document (which advertises the WebSub hubs and is
    /// pinged for when it changes).
    pub fn is_feed(self) -> bool {
        matches!(self, Renderer::Atom | Renderer::Json | Renderer::Rss)
    }
}

/// Which entries a view shows. Every selector given must match (AND); an empty one matches all.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    /// Source names; `local` is the network's own entries.
    pub sources: Vec<String>,
    /// Lower-cased; any of the entry's categories.
    pub tags: Vec<String>,
    /// Lower-cased; matched on the primary subtag.
    pub languages: Vec<String>,
    /// `include` / `exclude` patterns.
    pub patterns: Filter,
}

impl Selector {
    /// Whether a candidate belongs in the view.
    pub fn matches(&self, c: &Candidate) -> bool {
        let origin = c.origin.as_deref().unwrap_or(LOCAL);
        (self.sources.is_empty() || self.sources.iter().any(|s| s == origin))
            && (self.tags.is_empty() || c.tags.iter().any(|t| self.tags.iter().any(|v| v == t)))
            && (self.languages.is_empty()
                || c.language.as_deref().is_some_and(|l| {
                    self.languages.iter().any(|want| {
                        // `zh` matches `zh-hant`; `zh-hk` matches only `zh-hk...`.
                        if want.contains('-') {
                            l == want || l.starts_with(&format!("{want}-"))
                        } else {
                            primary_subtag(l) == want
                        }
                    })
                }))
            && (self.patterns.include.is_empty() && self.patterns.exclude.is_empty()
                || passes_patterns(&self.patterns, c.text.as_deref().unwrap_or("")))
    }

    fn has_patterns(&self) -> bool {
        !self.patterns.include.is_empty() || !self.patterns.exclude.is_empty()
    }
}

/// The main feed's name where a view name is expected (its files are `feed.atom`, `feed.json`;
/// its rows in the state's `outputs` table are keyed by it). `feed` is reserved for `[[view]]`.
pub const MAIN_VIEW: &str = "feed";

/// One feed the run publishes.
#[derive(Debug, Clone)]
pub struct FeedView {
    /// `None` for the main feed (view zero).
    pub name: Option<String>,
    /// Title, subtitle, id, self and alternate links and language of this feed; the rest is the
    /// main feed's.
    pub meta: FeedMeta,
    pub selector: Selector,
    /// At most this many entries.
    pub cap: usize,
    pub renderers: Vec<Renderer>,
    /// The language of its pages' interface (`[[view]] ui_language`, else its language).
    pub ui_language: Option<String>,
}

/// A view's permanent id: the feed id, `/view/` and the view name. Local entry ids are the feed
/// id, `/` and a slug (which has no `/`), so the two never meet. Never changes while the feed id
/// and the view name do not.
pub fn view_id(feed_id: &str, name: &str) -> String {
    format!("{}/view/{name}", feed_id.trim_end_matches('/'))
}

impl FeedView {
    /// The view's name, [`MAIN_VIEW`] for the main feed.
    pub fn key(&self) -> &str {
        self.name.as_deref().unwrap_or(MAIN_VIEW)
    }

    /// View zero: the main feed, as `[feed]` and `[filter]` describe it.
    pub fn main(cfg: &Config) -> FeedView {
        FeedView {
            name: None,
            meta: cfg.feed.clone(),
            selector: Selector::default(),
            cap: cfg.feed.max_entries,
            renderers: Renderer::for_formats(&cfg.output.formats),
            ui_language: cfg.feed.language.clone(),
        }
    }

    /// A `[[view]]`.
    pub fn from_view(cfg: &Config, v: &View) -> FeedView {
        let mut meta = cfg.feed.clone();
        meta.title.clone_from(&v.title);
        meta.subtitle.clone_from(&v.subtitle);
        meta.id = view_id(&cfg.feed.id, &v.name);
        meta.self_url = sibling(&cfg.feed.self_url, &format!("{}.atom", v.name));
        // The page this feed is the feed of: its own HTML page (`rel="alternate"`).
        meta.link = sibling(&cfg.feed.self_url, &format!("{}.html", v.name));
        meta.max_entries = v.max_entries;
        if let [only] = v.languages.as_slice() {
            meta.language = Some(only.clone());
        }
        let ui_language = v.ui_language.clone().or_else(|| meta.language.clone());
        FeedView {
            name: Some(v.name.clone()),
            meta,
            selector: Selector {
                sources: v.sources.clone(),
                tags: v.tags.clone(),
                languages: v.languages.iter().map(|l| l.to_ascii_lowercase()).collect(),
                patterns: v.filter.clone(),
            },
            cap: v.max_entries,
            renderers: Renderer::for_formats(&cfg.output.formats),
            ui_language,
        }
    }

    /// The file one renderer writes, inside the output folder.
    pub fn file(&self, r: Renderer) -> String {
        match (&self.name, r) {
            (None, Renderer::Atom) => "feed.atom".into(),
            (None, Renderer::Json) => "feed.json".into(),
            (None, Renderer::Page) => "index.html".into(),
            (None, Renderer::Embed) => "embed.html".into(),
            (None, Renderer::Rss) => "feed.rss".into(),
            (Some(n), Renderer::Atom) => format!("{n}.atom"),
            (Some(n), Renderer::Json) => format!("{n}.json"),
            (Some(n), Renderer::Page) => format!("{n}.html"),
            (Some(n), Renderer::Embed) => format!("{n}.embed.html"),
            (Some(n), Renderer::Rss) => format!("{n}.rss"),
        }
    }

    /// Where that file is served: beside `self_url`.
    pub fn url(&self, main_self: &Url, r: Renderer) -> String {
        sibling(main_self, &self.file(r)).to_string()
    }
}

/// `file` in the folder of `self_url`.
pub fn sibling(self_url: &Url, file: &str) -> Url {
    self_url.join(file).unwrap_or_else(|_| self_url.clone())
}

/// Every feed of the run: the main feed first, then the `[[view]]`s in file order.
pub fn feed_views(cfg: &Config) -> Vec<FeedView> {
    std::iter::once(FeedView::main(cfg))
        .chain(cfg.views.iter().map(|v| FeedView::from_view(cfg, v)))
        .collect()
}

/// Whether some view applies patterns, so candidates must keep their filter text.
pub fn need_text(views: &[FeedView]) -> bool {
    views.iter().any(|v| v.selector.has_patterns())
}

/// The entries of one view, newest first: matched by its selector, at most `max_items` per
/// source (`max_items` maps source names to their cap), then the global age limit and the cap.
pub fn select<'a>(
    view: &FeedView,
    pool: impl IntoIterator<Item = &'a Winner>,
    max_items: &HashMap<&str, usize>,
    global: &Filter,
) -> Vec<&'a Winner> {
    select_where(view, pool, max_items, global, |_| true)
}

/// [`select`] among the winners `keep` accepts (the main feed leaves out entries whose archive
/// month is closed).
pub fn select_where<'a>(
    view: &FeedView,
    pool: impl IntoIterator<Item = &'a Winner>,
    max_items: &HashMap<&str, usize>,
    global: &Filter,
    keep: impl Fn(&Winner) -> bool,
) -> Vec<&'a Winner> {
    let mut taken: HashMap<&str, usize> = HashMap::new();
    let matching = pool.into_iter().filter(|w| {
        if !keep(w) || !view.selector.matches(w) {
            return false;
        }
        let origin = w.origin();
        match max_items.get(origin) {
            Some(&cap) => {
                let n = taken.entry(origin).or_insert(0);
                *n += 1;
                *n <= cap
            }
            None => true,
        }
    });
    age_and_cap(global, matching, view.cap)
}

#[cfg(test)]
mod tests {
    use super::Selector;
    use crate::model::Candidate;

    fn in_language(language: &str) -> Candidate {
        Candidate {
            ids: crate::model::Ids::new("h", language, None, None),
            updated: chrono::DateTime::UNIX_EPOCH,
            published: None,
            origin: Some("P".into()),
            text: None,
            tags: crate::model::Tags::default(),
            language: Some(language.into()),
            via: Vec::new(),
        }
    }

    /// A language with a region matches itself and its own subtags only; a bare language matches
    /// every region of it.
    #[test]
    fn languages_match_by_primary_subtag_or_by_the_whole_region() {
        let view = |want: &str| Selector {
            languages: vec![want.into()],
            ..Selector::default()
        };
        let hk = view("zh-hk");
        let got = |s: &Selector| {
            ["zh-hk", "zh-hk-x-yue", "zh-hant", "zh", "zh-hkx", "en"]
                .into_iter()
                .filter(|l| s.matches(&in_language(l)))
                .collect::<Vec<_>>()
        };
        assert_eq!(got(&hk), ["zh-hk", "zh-hk-x-yue"]);
        assert_eq!(
            got(&view("zh")),
            ["zh-hk", "zh-hk-x-yue", "zh-hant", "zh", "zh-hkx"]
        );
        assert_eq!(got(&view("en")), ["en"]);
    }
}
