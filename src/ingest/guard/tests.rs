//! The guard's signs, each at its thresholds, on candidates built here: what makes a feed look
//! like another site's, and what must never be judged (a first fetch, a link blog).

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
        ids: crate::model::Ids::new("", id, Some(link), None),
        updated: at(day),
        published: None,
        origin: Some("p".into()),
        text: None,
        tags: crate::model::Tags::default(),
        language: None,
        via: Vec::new(),
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
