//! The hijack guard (issue 23), without I/O: whether a fetched document suddenly looks like
//! another site's feed. When it does, the source's new items are held for an editor (the review
//! queue, `pool::review`) with the reason, before anything is published: a partner whose domain
//! expired or whose site was taken over must not publish under the network's name for even one
//! cron interval.
//!
//! Four signs, each comparing what the source gave before (its stored items and attribution)
//! with what it gives now:
//! - a burst: more than `[review] burst` new items in one run, or (at least [`RATE_FLOOR`])
//!   more than five times the source's usual rate over the time since its last success;
//! - most new items link to a registrable domain (the public suffix list, `psl`) that none of its
//!   earlier items, its homepage or its feed used. Skipped for a source whose earlier items
//!   already link to more than [`LINK_BLOG`] domains: a link blog's next link is to a new site
//!   by nature;
//! - the feed's title and its homepage's registrable domain both changed;
//! - a permanent redirect of the feed to another registrable domain.
//!
//! A source seen for the first time is never judged: there is nothing to compare with
//! (`review = "new"` is the queue for new partners). Reasons name domains and counts, never an
//! item's title or link: they reach `status.json`, which is public.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use url::Url;

use crate::config::{Location, Source};
use crate::model::{Candidate, SourceInfo};
use crate::state::SourceState;

/// Fewer new items than this never trip the rate sign (one post more than usual is news, not
/// a takeover).
pub const RATE_FLOOR: usize = 5;
/// A source whose earlier items link to more registrable domains than this is a link blog.
pub const LINK_BLOG: usize = 3;

/// The guard's settings (`[review] guard` and `burst`).
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub burst: usize,
}

/// A document's items against the source's stored ones, gathered while ingesting.
#[derive(Debug, Default, Clone)]
pub struct Novelty {
    /// How many items were stored before this document.
    pub earlier: usize,
    /// The registrable domains the earlier items linked to.
    pub earlier_domains: HashSet<String>,
    /// The earliest and the latest date of the earlier items.
    pub earlier_span: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// The items never stored before: id, and the registrable domain of the link.
    pub fresh: Vec<(String, Option<String>)>,
}

impl Novelty {
    /// Compares `now` (a document's candidates) with `stored` (the source's items before it).
    pub fn new<'a>(stored: impl Iterator<Item = &'a Candidate>, now: &[Candidate]) -> Novelty {
        let mut n = Novelty::default();
        let mut ids = HashSet::new();
        for c in stored {
            n.earlier += 1;
            ids.insert(c.id.as_str());
            if let Some(d) = c.canonical_link.as_deref().and_then(domain) {
                n.earlier_domains.insert(d);
            }
            let date = c.published.unwrap_or(c.updated);
            n.earlier_span = Some(match n.earlier_span {
                Some((a, b)) => (a.min(date), b.max(date)),
                None => (date, date),
            });
        }
        n.fresh = now
            .iter()
            .filter(|c| !ids.contains(c.id.as_str()))
            .map(|c| (c.id.clone(), c.canonical_link.as_deref().and_then(domain)))
            .collect();
        n
    }
}

/// What the guard looks at for one fetched document.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub novelty: &'a Novelty,
    /// The source's attribution from its last good document, if it had one.
    pub before: Option<&'a SourceInfo>,
    /// The attribution this document gives.
    pub after: &'a SourceInfo,
    /// The configured feed URL (files have none).
    pub feed: Option<&'a Url>,
    /// The configured homepage.
    pub homepage: Option<&'a Url>,
    /// Where every redirect permanently led, if anywhere.
    pub moved_to: Option<&'a Url>,
    pub last_success: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// The guard tripped: why, and the new items to hold.
pub type Verdict = crate::model::GuardHold;

/// The registrable domain of a URL's host (the host itself for an IP address or a name with no
/// registrable part, such as `localhost`).
pub fn domain(url: &str) -> Option<String> {
    let u = Url::parse(url).ok()?;
    Some(match u.host()? {
        url::Host::Domain(h) => {
            let h = h.trim_end_matches('.');
            psl::domain_str(h).unwrap_or(h).to_string()
        }
        other => other.to_string(),
    })
}

/// [`judge`] for a document of `source` (its items' `novelty` and the attribution `after` it
/// gives), whose state before it was `st`.
pub fn check(
    s: &Settings,
    source: &Source,
    st: &SourceState,
    (novelty, after): (&Novelty, &SourceInfo),
    moved_to: Option<&Url>,
    now: DateTime<Utc>,
) -> Option<Verdict> {
    let feed = match &source.location {
        Location::Url(u) => Some(u),
        Location::Path(_) => None,
    };
    judge(
        s,
        &Evidence {
            novelty,
            before: st.info.as_ref(),
            after,
            feed,
            homepage: source.homepage.as_ref(),
            moved_to,
            last_success: st.last_success,
            now,
        },
    )
}

/// Whether the document looks like another site's feed; `None` when it does not (or when there
/// is nothing to compare it with).
pub fn judge(s: &Settings, e: &Evidence<'_>) -> Option<Verdict> {
    let n = e.novelty;
    if n.fresh.is_empty() || (n.earlier == 0 && e.last_success.is_none()) {
        return None;
    }
    let reasons: Vec<String> = [burst(s, e), foreign_links(e), new_identity(e), moved(e)]
        .into_iter()
        .flatten()
        .collect();
    (!reasons.is_empty()).then(|| Verdict {
        reason: format!("hijack guard: {}", reasons.join("; ")),
        ids: n.fresh.iter().map(|(id, _)| id.clone()).collect(),
    })
}

/// More new items than the burst limit, or than five times the usual rate.
fn burst(s: &Settings, e: &Evidence<'_>) -> Option<String> {
    let fresh = e.novelty.fresh.len();
    if fresh > s.burst {
        return Some(format!(
            "{fresh} new items in one run (more than [review] burst = {})",
            s.burst
        ));
    }
    let (first, last) = e.novelty.earlier_span?;
    let days = |d: chrono::Duration| (d.num_seconds() as f64 / 86_400.0).max(1.0);
    let per_day = e.novelty.earlier as f64 / days(last - first);
    let elapsed = days(e.now - e.last_success.unwrap_or(e.now));
    let usual = per_day * elapsed;
    (fresh >= RATE_FLOOR && fresh as f64 > 5.0 * usual)
        .then(|| format!("{fresh} new items in one run, more than five times the usual {usual:.1}"))
}

/// Most new items link to a domain the source never used.
fn foreign_links(e: &Evidence<'_>) -> Option<String> {
    let n = e.novelty;
    if n.earlier_domains.len() > LINK_BLOG {
        return None;
    }
    let mut known = n.earlier_domains.clone();
    let homepages = [e.before.and_then(|b| b.homepage.as_deref())];
    known.extend(homepages.into_iter().flatten().filter_map(domain));
    known.extend(
        [e.feed, e.homepage]
            .into_iter()
            .flatten()
            .filter_map(|u| domain(u.as_str())),
    );
    let linked: Vec<&String> = n.fresh.iter().filter_map(|(_, d)| d.as_ref()).collect();
    let mut foreign: BTreeMap<&str, usize> = BTreeMap::new();
    for d in linked.iter().filter(|d| !known.contains(d.as_str())) {
        *foreign.entry(d.as_str()).or_default() += 1;
    }
    let count: usize = foreign.values().sum();
    if linked.is_empty() || count * 2 <= linked.len() {
        return None;
    }
    let (top, _) = foreign
        .iter()
        .max_by_key(|(d, k)| (**k, std::cmp::Reverse(**d)))?;
    Some(format!(
        "{count} of {} new items link to {top}{}, never linked by this partner before",
        linked.len(),
        if foreign.len() > 1 { " and others" } else { "" }
    ))
}

/// The feed's title and its homepage's domain both changed.
fn new_identity(e: &Evidence<'_>) -> Option<String> {
    let before = e.before?;
    let norm = |t: &str| crate::text::plain::collapse_ws(t).to_lowercase();
    let home = |i: &SourceInfo| i.homepage.as_deref().and_then(domain);
    let (was, now) = (home(before)?, home(e.after)?);
    (norm(&before.title) != norm(&e.after.title) && was != now)
        .then(|| format!("the feed's title and homepage both changed (homepage {was} → {now})"))
}

/// The feed permanently redirects to another registrable domain.
fn moved(e: &Evidence<'_>) -> Option<String> {
    let (from, to) = (domain(e.feed?.as_str())?, domain(e.moved_to?.as_str())?);
    (from != to).then(|| format!("the feed permanently redirects from {from} to {to}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + chrono::Duration::days(20_000 + days)
    }

    /// A link blog's earlier posts, one per host, and those posts with a new one to e.com.
    fn link_blog(hosts: &[&str]) -> (Vec<Candidate>, Vec<Candidate>) {
        let before: Vec<Candidate> = hosts
            .iter()
            .enumerate()
            .map(|(i, h)| cand(&format!("o{i}"), &format!("https://{h}/"), i as i64))
            .collect();
        let mut all = before.clone();
        all.push(cand("x", "https://e.com/", 5));
        (before, all)
    }

    fn cand(id: &str, link: &str, day: i64) -> Candidate {
        Candidate {
            id: id.into(),
            canonical_link: Some(link.into()),
            original_id: None,
            updated: at(day),
            published: None,
            origin: Some("p".into()),
            handle: String::new(),
            text: None,
            tags: crate::model::Tags::default(),
            language: None,
        }
    }

    /// An ordinary fetch's evidence: the source named as before (`info`), no feed or homepage
    /// configured, no redirect; last fetched at `last`.
    fn evidence<'a>(
        novelty: &'a Novelty,
        info: &'a SourceInfo,
        last: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Evidence<'a> {
        Evidence {
            novelty,
            before: Some(info),
            after: info,
            feed: None,
            homepage: None,
            moved_to: None,
            last_success: Some(last),
            now,
        }
    }

    fn info(title: &str, home: &str) -> SourceInfo {
        SourceInfo {
            name: "p".into(),
            id: "p".into(),
            title: title.into(),
            homepage: Some(home.into()),
            feed_url: None,
            updated: at(0),
            rights: None,
            license: None,
        }
    }

    /// A partner at partner.org with ten posts over twenty days, last fetched a day ago.
    fn earlier() -> Vec<Candidate> {
        (0..10)
            .map(|i| {
                cand(
                    &format!("old{i}"),
                    &format!("https://www.partner.org/{i}"),
                    i * 2,
                )
            })
            .collect()
    }

    fn verdict(now: &[Candidate], after: &SourceInfo, moved: Option<&str>) -> Option<Verdict> {
        let old = earlier();
        let mut all = old.clone();
        all.extend_from_slice(now);
        let n = Novelty::new(old.iter(), &all);
        let feed = Url::parse("https://partner.org/feed").expect("url");
        let moved = moved.map(|m| Url::parse(m).expect("url"));
        let before = info("Partner", "https://partner.org/");
        judge(
            &Settings { burst: 20 },
            &Evidence {
                novelty: &n,
                before: Some(&before),
                after,
                feed: Some(&feed),
                homepage: None,
                moved_to: moved.as_ref(),
                last_success: Some(at(20)),
                now: at(21),
            },
        )
    }

    fn posts(n: usize, host: &str) -> Vec<Candidate> {
        (0..n)
            .map(|i| cand(&format!("new{i}"), &format!("https://{host}/p{i}"), 21))
            .collect()
    }

    #[test]
    fn an_ordinary_new_post_passes() {
        let same = info("Partner", "https://partner.org/");
        assert_eq!(verdict(&posts(1, "partner.org"), &same, None), None);
        assert_eq!(verdict(&posts(2, "blog.partner.org"), &same, None), None);
    }

    #[test]
    fn forty_posts_of_another_domain_are_held_with_every_reason() {
        let v = verdict(
            &posts(40, "casino.example"),
            &info("Win Big", "https://casino.example/"),
            None,
        )
        .expect("held");
        assert_eq!(v.ids.len(), 40);
        assert!(v.reason.contains("40 new items"), "{}", v.reason);
        assert!(
            v.reason
                .contains("40 of 40 new items link to casino.example"),
            "{}",
            v.reason
        );
        assert!(v.reason.contains("title and homepage"), "{}", v.reason);
        assert!(
            !v.reason.contains("https://"),
            "no link in a public reason: {}",
            v.reason
        );
    }

    #[test]
    fn a_burst_alone_trips_above_the_limit_only() {
        let same = info("Partner", "https://partner.org/");
        assert_eq!(verdict(&posts(3, "partner.org"), &same, None), None);
        // Ten posts over twenty days is one every two days: six at once is more than 5×.
        let v = verdict(&posts(6, "partner.org"), &same, None).expect("held");
        assert!(v.reason.contains("five times"), "{}", v.reason);
        let v = verdict(&posts(21, "partner.org"), &same, None).expect("held");
        assert!(v.reason.contains("burst = 20"), "{}", v.reason);
    }

    #[test]
    fn one_post_to_a_new_domain_is_held() {
        let same = info("Partner", "https://partner.org/");
        let v = verdict(&posts(1, "scam.example.co.uk"), &same, None).expect("held");
        assert!(v.reason.contains("link to example.co.uk"), "{}", v.reason);
    }

    #[test]
    fn a_title_change_alone_or_a_new_www_is_not_a_new_identity() {
        let renamed = info("Partner Network", "https://www.partner.org/");
        assert_eq!(verdict(&posts(1, "partner.org"), &renamed, None), None);
        let v = verdict(
            &posts(1, "partner.org"),
            &info("Other", "https://other.net/"),
            None,
        );
        assert!(v.expect("held").reason.contains("partner.org → other.net"));
    }

    #[test]
    fn a_permanent_redirect_to_another_domain_is_held() {
        let same = info("Partner", "https://partner.org/");
        let home = Some("https://feeds.partner.org/rss");
        assert_eq!(verdict(&posts(1, "partner.org"), &same, home), None);
        let v = verdict(
            &posts(1, "partner.org"),
            &same,
            Some("https://evil.example/rss"),
        );
        assert!(
            v.expect("held")
                .reason
                .contains("from partner.org to evil.example")
        );
    }

    #[test]
    fn a_first_fetch_and_a_link_blog_are_never_judged() {
        let n = Novelty::new(std::iter::empty(), &posts(50, "anywhere.example"));
        let e = Evidence {
            novelty: &n,
            before: None,
            after: &info("New", "https://new.example/"),
            feed: None,
            homepage: None,
            moved_to: None,
            last_success: None,
            now: at(1),
        };
        assert_eq!(judge(&Settings { burst: 20 }, &e), None);
        let (blog, all) = link_blog(&["a.com", "b.com", "c.com", "d.com"]);
        let n = Novelty::new(blog.iter(), &all);
        assert_eq!(
            foreign_links(&Evidence {
                novelty: &n,
                last_success: Some(at(5)),
                ..e
            }),
            None
        );
    }

    /// `earlier` items at `days` (relative to day 0), fetched last at `last`, now day `now`;
    /// `fresh` new posts of the partner's own domain.
    fn rate_case(days: &[f64], last: f64, now: f64, fresh: usize, burst: usize) -> Option<Verdict> {
        let at_f = |d: f64| at(0) + chrono::Duration::seconds((d * 86_400.0) as i64);
        let old: Vec<Candidate> = days
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let mut c = cand(&format!("old{i}"), "https://partner.org/x", 0);
                c.updated = at_f(*d);
                c
            })
            .collect();
        let mut all = old.clone();
        all.extend(posts(fresh, "partner.org"));
        let n = Novelty::new(old.iter(), &all);
        let same = info("Partner", "https://partner.org/");
        judge(
            &Settings { burst },
            &evidence(&n, &same, at_f(last), at_f(now)),
        )
    }

    #[test]
    fn the_burst_limit_is_exclusive_and_the_rate_counts_days() {
        // A hundred posts a day is usual: twenty at once is the limit, not over it.
        let busy: Vec<f64> = (0..100).map(|i| f64::from(i) / 100.0).collect();
        assert_eq!(rate_case(&busy, 1.0, 2.0, 20, 20), None);
        assert!(rate_case(&busy, 1.0, 2.0, 21, 20).is_some());
        // Ten posts within half a day, last fetched ten days ago: about 100 are usual since
        // (a span under a day counts as one day), so 600 is more than five times that, 400 not.
        let tight: Vec<f64> = (0..10).map(|i| f64::from(i) / 20.0).collect();
        assert!(rate_case(&tight, 1.0, 11.0, 600, 10_000).is_some());
        assert_eq!(rate_case(&tight, 1.0, 11.0, 400, 10_000), None);
        // One post a day is usual, fetched a day ago: five is five times that, six is more.
        assert_eq!(rate_case(&[0.0, 2.0], 3.0, 4.0, 5, 20), None);
        assert!(rate_case(&[0.0, 2.0], 3.0, 4.0, 6, 20).is_some());
    }

    #[test]
    fn half_the_new_posts_elsewhere_is_not_most_and_three_domains_are_not_a_link_blog() {
        let same = info("Partner", "https://partner.org/");
        let mut two = posts(1, "partner.org");
        two.push(cand("elsewhere", "https://elsewhere.example/1", 21));
        assert_eq!(verdict(&two, &same, None), None);
        let (three, all) = link_blog(&["a.com", "b.com", "c.com"]);
        let n = Novelty::new(three.iter(), &all);
        let e = Evidence {
            before: None,
            ..evidence(&n, &same, at(5), at(6))
        };
        assert!(foreign_links(&e).is_some(), "three domains: still judged");
    }

    #[test]
    fn a_feed_that_was_empty_is_judged_too() {
        // No earlier items, but fetched before: 40 posts at once are a burst.
        let n = Novelty::new(std::iter::empty(), &posts(40, "partner.org"));
        let same = info("Partner", "https://partner.org/");
        let e = evidence(&n, &same, at(1), at(2));
        assert!(judge(&Settings { burst: 20 }, &e).is_some());
    }

    #[test]
    fn domains_are_registrable_parts() {
        assert_eq!(
            domain("https://a.b.example.co.uk/x").as_deref(),
            Some("example.co.uk")
        );
        assert_eq!(
            domain("http://127.0.0.1:8080/").as_deref(),
            Some("127.0.0.1")
        );
        assert_eq!(domain("http://localhost/").as_deref(), Some("localhost"));
    }
}
