//! One source's candidates, selected (the filter stage of the pipeline, run inside each source's
//! task so that it is spread over the cores): the candidate of each entry, de-duplicated by id,
//! sorted, and filtered by the source's and the global include/exclude patterns and age limit.
//! Not capped: each view caps on its own (see `pool::views`). Pure.

use chrono::{DateTime, Utc};

use crate::config::Filter;
use crate::ingest::normalise::ids;
use crate::model::{Candidate, Entry, Ids, Interner, Tags, feed_order};
use crate::text::{links, plain as text};

/// What include/exclude patterns look at: the title, the categories and the first 300 characters
/// of the summary (or content), one per line.
pub fn filter_text(e: &Entry) -> String {
    // About 300 characters of text; 4 KB of markup is always enough to find them.
    let html = e.summary.as_deref().or(e.content.as_deref()).unwrap_or("");
    let text = text::rough_text(&html[..html.floor_char_boundary(4096)]);
    format!(
        "{}\n{}\n{}",
        e.title,
        e.categories
            .iter()
            .map(|c| c.term.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        &text[..text.floor_char_boundary(1200)]
    )
}

/// The candidate for an entry; `handle` says where the full entry can be found again. Its source's
/// name, its language and its topics are shared through `shared` with the other candidates made
/// with it (a source's: one copy of each, not 100,000 at 5,000 × 20).
pub fn candidate(e: &Entry, handle: &str, shared: &mut Interner) -> Candidate {
    let link = (!e.link_is_site)
        .then(|| links::canonical(&e.link))
        .flatten();
    let original_is_iri = e.original_id.as_deref().is_some_and(ids::is_absolute_iri);
    candidate_with(e, handle, shared, (link, original_is_iri))
}

/// [`candidate`], with the canonical form of the entry's own link and whether its partner's id
/// is an absolute IRI already known (normalising found both for the id: see
/// `normalise::Normalised`).
pub fn candidate_with(
    e: &Entry,
    handle: &str,
    shared: &mut Interner,
    (link, original_is_iri): (Option<String>, bool),
) -> Candidate {
    let original = e.original_id.as_deref().filter(|_| original_is_iri);
    Candidate {
        ids: Ids::new(handle, &e.id, link.as_deref(), original),
        updated: e.updated,
        published: e.published,
        origin: e.source.as_ref().map(|s| shared.get(&s.name)),
        text: Some(filter_text(e)),
        tags: Tags::of(&e.categories, Some(shared)),
        language: e
            .language
            .as_ref()
            .map(|l| shared.get(&l.to_ascii_lowercase())),
        via: Vec::new(),
    }
}

/// Whether the text of a candidate passes the include/exclude patterns of `f`.
pub fn passes_patterns(f: &Filter, text: &str) -> bool {
    (f.include.is_empty() || f.include.iter().any(|r| r.is_match(text)))
        && !f.exclude.iter().any(|r| r.is_match(text))
}

pub(crate) fn passes_age(f: &Filter, c: &Candidate, newest: DateTime<Utc>) -> bool {
    f.max_age.is_none_or(|age| {
        c.updated >= newest - chrono::Duration::from_std(age).unwrap_or(chrono::Duration::MAX)
    })
}

/// One source's contribution to the pool: de-duplicated by id, sorted, filtered by the source's
/// rules and by the global patterns. Not capped: each view caps on its own (see `views`), so a
/// quiet language or topic keeps its history. `max_age` is measured from the source's newest
/// entry, so a rebuild gives the same result whatever the clock says. The filter text is dropped
/// unless `keep_text` (a view still has patterns to apply).
pub fn select_source(
    own: &Filter,
    global: &Filter,
    keep_text: bool,
    mut cs: Vec<Candidate>,
) -> Vec<Candidate> {
    cs.sort_by(feed_order);
    // The first of each id (ids borrowed, not copied).
    let keep: Vec<bool> = {
        let mut seen = std::collections::HashSet::with_capacity(cs.len());
        cs.iter().map(|c| seen.insert(c.id())).collect()
    };
    let mut keep = keep.into_iter();
    cs.retain(|_| keep.next().unwrap_or(true));
    let newest = cs.first().map_or(DateTime::<Utc>::MIN_UTC, |c| c.updated);
    let mut cs = cs
        .into_iter()
        .filter(|c| passes_age(own, c, newest))
        .filter(|c| {
            let t = c.text.as_deref().unwrap_or("");
            passes_patterns(own, t) && passes_patterns(global, t)
        })
        .map(|mut c| {
            if !keep_text {
                c.text = None;
            }
            c
        })
        .collect::<Vec<_>>();
    // Held until the run ends: no spare capacity (rows read from the state arrive in a vector
    // grown by doubling, a third of it unused, times 5,000 sources).
    cs.shrink_to_fit();
    cs
}

#[cfg(test)]
pub(crate) mod tests {
    use std::time::Duration;

    use chrono::{DateTime, TimeZone, Utc};
    use regex::Regex;

    use super::*;

    /// Also the merge's tests' (`pool::merge`).
    pub(crate) fn day(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, d, 12, 0, 0)
            .single()
            .expect("valid date")
    }

    /// Also the merge's tests' (`pool::merge`).
    pub(crate) fn cand(id: &str, origin: Option<&str>, updated: u32) -> Candidate {
        Candidate {
            ids: crate::model::Ids::new(id, id, None, None),
            updated: day(updated),
            published: None,
            origin: origin.map(Into::into),
            text: Some(format!("text of {id}")),
            tags: Tags::default(),
            language: None,
            via: Vec::new(),
        }
    }

    /// Also the merge's tests' (`pool::merge`).
    pub(crate) fn filter(include: &[&str], exclude: &[&str], max_age_days: Option<u64>) -> Filter {
        Filter {
            include: include
                .iter()
                .map(|r| Regex::new(r).expect("test setup"))
                .collect(),
            exclude: exclude
                .iter()
                .map(|r| Regex::new(r).expect("test setup"))
                .collect(),
            max_age: max_age_days.map(|d| Duration::from_secs(d * 86_400)),
        }
    }

    fn ids(cs: &[Candidate]) -> Vec<&str> {
        cs.iter().map(|c| c.id()).collect()
    }

    fn entry(json: serde_json::Value) -> Entry {
        let mut base = serde_json::json!({
            "id": "tag:x,2026:1", "title": "Title", "link": "https://ex.org/p?utm_source=x",
            "updated": "2026-01-05T00:00:00Z", "published": null, "summary": null,
            "content": null, "authors": [], "categories": [], "language": null,
            "enclosures": [], "via": [], "source": null,
        });
        for (k, v) in json.as_object().expect("test setup") {
            base[k] = v.clone();
        }
        serde_json::from_value(base).expect("entry")
    }

    #[test]
    fn filter_text_candidate_and_tags() {
        let e = entry(serde_json::json!({
            "summary": "<p>Hello <b>world</b></p>",
            "content": "<p>Not this</p>",
            "categories": ["Rice", {"term": "econ", "label": "Economy"}, {"term": "RICE"}],
            "language": "TH",
            "original_id": "not an iri",
        }));
        let t = filter_text(&e);
        assert!(t.starts_with("Title\nRice\necon\nRICE\n"), "{t}");
        assert!(t.contains("Hello world"), "{t}");
        assert!(!t.contains("Not this"), "{t}");
        let c = candidate(&e, "h", &mut Interner::default());
        assert_eq!(c.canonical_link(), Some("ex.org/p"), "tracking gone");
        assert_eq!(c.original_id(), None, "not an absolute IRI");
        assert_eq!(c.language.as_deref(), Some("th"));
        assert_eq!(
            c.tags.iter().collect::<Vec<_>>(),
            ["rice", "econ", "economy"]
        );
        assert_eq!(c.handle(), "h");
        assert_eq!(c.text.as_deref(), Some(t.as_str()));
        let site = entry(serde_json::json!({
            "link_is_site": true, "original_id": "https://ex.org/?p=1"
        }));
        let c = candidate(&site, "h", &mut Interner::default());
        assert_eq!(c.canonical_link(), None, "a site link identifies nothing");
        assert_eq!(c.original_id(), Some("https://ex.org/?p=1"));
        assert!(Tags::of(&[], None).is_empty());
    }

    #[test]
    fn patterns_include_and_exclude() {
        assert!(passes_patterns(&filter(&[], &[], None), "anything"));
        assert!(passes_patterns(
            &filter(&["rice"], &[], None),
            "a rice story"
        ));
        assert!(!passes_patterns(&filter(&["rice"], &[], None), "a story"));
        assert!(!passes_patterns(&filter(&[], &["ads"], None), "ads here"));
        assert!(!passes_patterns(
            &filter(&["rice"], &["ads"], None),
            "rice ads"
        ));
        assert!(passes_patterns(
            &filter(&["x", "rice"], &["ads"], None),
            "rice"
        ));
    }

    #[test]
    fn select_source_dedups_filters_by_age_from_the_newest_and_drops_text() {
        let cs = vec![
            cand("old", Some("s"), 1),
            cand("edge", Some("s"), 7),
            cand("new", Some("s"), 10),
            cand("new", Some("s"), 2),
            cand("ads", Some("s"), 9),
            cand("mid", Some("s"), 8),
        ];
        let own = filter(&[], &["ads"], Some(3));
        let global = filter(&[], &["mid"], None);
        let got = select_source(&own, &global, false, cs.clone());
        assert_eq!(
            ids(&got),
            vec!["new", "edge"],
            "3 days from day 10, inclusive"
        );
        assert_eq!(got[0].updated, day(10), "the newer copy of a repeated id");
        assert!(got.iter().all(|c| c.text.is_none()));
        let kept = select_source(&Filter::default(), &Filter::default(), true, cs);
        assert_eq!(ids(&kept), vec!["new", "ads", "mid", "edge", "old"]);
        assert!(kept.iter().all(|c| c.text.is_some()));
    }
}
