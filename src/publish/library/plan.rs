//! The library's pages as data, without I/O: every published entry grouped by month (of its
//! publication date), by tag and by partner, newest first, and each page's fingerprint, so that a
//! page whose entries, neighbours and settings are unchanged is not rendered again (a closed
//! month changes only when one of its entries is withdrawn).
//!
//! Tags are grouped case- and accent-insensitively by their slug: `Anti-trafficking`,
//! `anti trafficking` and `Anti-Trafficking` are one topic; slugs are ASCII (`deunicode`
//! transliterates Thai and Chinese) and stable.

use std::collections::{BTreeMap, HashMap};

use chrono::Datelike;
use sha2::{Digest, Sha256};

use crate::pool::merge::Winner;

use crate::text::hex;
pub use crate::text::slug::{partner_slug, tag_slug};

/// Entries per page of a long list (a month, a topic, a partner).
pub const CHUNK: usize = 100;

/// A list's pages, newest first: the first holds the newest entries (all of them up to
/// 2 × [`CHUNK`] − 1, else between `CHUNK` and 2 × `CHUNK` − 1), the others exactly `CHUNK`
/// each, numbered from the oldest, so that an older page changes only when one of its entries is
/// withdrawn, never when new ones arrive. `(0, newest)`, then `(k, ...)` down to `(1, oldest)`.
pub fn chunks<T>(list: &[T]) -> Vec<(usize, &[T])> {
    let n = list.len();
    let k = n.saturating_sub(CHUNK) / CHUNK;
    let head = n - CHUNK * k;
    let mut out = vec![(0, &list[..head])];
    for i in (1..=k).rev() {
        let end = n - CHUNK * (i - 1);
        out.push((i, &list[end - CHUNK..end]));
    }
    out
}

/// One month of entries.
#[derive(Debug)]
pub struct Month<'a> {
    pub year: i32,
    pub month: u32,
    pub winners: Vec<&'a Winner>,
}

impl Month<'_> {
    /// `2026-03`.
    pub fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// One topic.
#[derive(Debug)]
pub struct Tag<'a> {
    pub slug: String,
    /// The form most entries use (lower-cased, as candidates keep tags).
    pub label: String,
    pub winners: Vec<&'a Winner>,
}

/// One partner's entries.
#[derive(Debug)]
pub struct Partner<'a> {
    /// The configured source name.
    pub name: String,
    pub slug: String,
    pub winners: Vec<&'a Winner>,
}

/// Every published entry, grouped.
#[derive(Debug, Default)]
pub struct Library<'a> {
    /// Newest month first.
    pub months: Vec<Month<'a>>,
    /// By slug.
    pub tags: Vec<Tag<'a>>,
    /// In config order.
    pub partners: Vec<Partner<'a>>,
}

/// Groups `published` (newest first) into months, tags and partners (`sources`: the configured
/// names, in order).
///
/// On a changed run's critical path: the topics on one core, the months and partners on the
/// other (from [`APART_FROM`] entries; one thread, all three took 25 ms of a changed run at
/// 5,000 × 20). Each distinct tag form is slugged once (its topic remembered by the form,
/// through foldhash), not once per entry, and partners are found by a foldhash map (SipHash over
/// 100,000 names, a slug and a set per entry were 0.075 s of a changed run's 0.43 s render).
pub fn group<'a>(published: &[&'a Winner], sources: &[&str]) -> Library<'a> {
    let by_topic = || topics(published);
    let by_date_and_partner = || months_and_partners(published, sources);
    let apart = published.len() >= APART_FROM;
    let (tags, (months, partners)) = crate::par::join(apart, by_topic, by_date_and_partner)
        .unwrap_or_else(|_| (by_topic(), by_date_and_partner()));
    Library {
        months,
        tags,
        partners,
    }
}

/// From how many entries [`group`] works on two threads.
const APART_FROM: usize = 4096;

type Fast<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// `published` grouped by tag, by slug.
fn topics<'a>(published: &[&'a Winner]) -> Vec<Tag<'a>> {
    // Topics as they are found: slug, each form's count, entries; reached by form, then slug.
    let mut topics: Vec<(String, Fast<&str, usize>, Vec<&Winner>)> = Vec::new();
    let mut by_slug: Fast<String, usize> = Fast::default();
    let mut by_form: Fast<&str, usize> = Fast::default();
    let mut seen: Vec<usize> = Vec::new();
    for w in published {
        let c: &'a Winner = w;
        seen.clear();
        for t in c.tags.iter() {
            let topic = *by_form.entry(t).or_insert_with(|| {
                let slug = tag_slug(t);
                *by_slug.entry(slug.clone()).or_insert_with(|| {
                    topics.push((slug, Fast::default(), Vec::new()));
                    topics.len() - 1
                })
            });
            let (_, forms, list) = &mut topics[topic];
            *forms.entry(t).or_default() += 1;
            if !seen.contains(&topic) {
                seen.push(topic);
                list.push(c);
            }
        }
    }
    topics.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    topics
        .into_iter()
        .map(|(slug, forms, winners)| Tag {
            label: forms
                .iter()
                .max_by_key(|(f, n)| (**n, std::cmp::Reverse(**f)))
                .map(|(f, _)| (*f).to_string())
                .unwrap_or_default(),
            slug,
            winners,
        })
        .collect()
}

/// `published` grouped by month, newest first, and by partner, in `sources`' order.
fn months_and_partners<'a>(
    published: &[&'a Winner],
    sources: &[&str],
) -> (Vec<Month<'a>>, Vec<Partner<'a>>) {
    let mut months: BTreeMap<(i32, u32), Vec<&Winner>> = BTreeMap::new();
    let mut partners: Fast<&str, Vec<&Winner>> = Fast::default();
    for w in published {
        let c: &'a Winner = w;
        let d = c.published.unwrap_or(c.updated);
        months.entry((d.year(), d.month())).or_default().push(c);
        if let Some(o) = c.origin.as_deref() {
            partners.entry(o).or_default().push(c);
        }
    }
    let months = months
        .into_iter()
        .rev()
        .map(|((year, month), winners)| Month {
            year,
            month,
            winners,
        })
        .collect();
    let partners = sources
        .iter()
        .filter_map(|s| {
            partners.remove(s).map(|winners| Partner {
                name: (*s).to_string(),
                slug: partner_slug(s),
                winners,
            })
        })
        .collect();
    (months, partners)
}

/// A page's fingerprint: `base` (the version, config and templates), what the page is, and each
/// entry's stored version and credits.
pub fn print<'w>(
    base: &Sha256,
    what: &str,
    winners: impl IntoIterator<Item = &'w &'w Winner>,
) -> String {
    let mut h = base.clone();
    h.update(what.as_bytes());
    // The same bytes as one `update` per part, gathered first: hashing a page's hundred entries
    // in a dozen small updates each spent more time in the hasher's buffering than in SHA-256
    // itself (a changed run at 5,000 × 20).
    let mut buf = Vec::with_capacity(16 * 1024);
    for w in winners {
        for part in [w.id(), w.handle(), w.origin()] {
            buf.extend_from_slice(part.as_bytes());
            buf.push(0);
        }
        for v in &w.via {
            buf.extend_from_slice(v.as_bytes());
        }
        buf.push(1);
        if buf.len() >= 15 * 1024 {
            h.update(&buf);
            buf.clear();
        }
    }
    h.update(&buf);
    hex(&h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Candidate;
    use chrono::{DateTime, Utc};

    fn w(id: &str, date: &str, origin: &str, tags: &[&str]) -> Winner {
        Candidate {
            ids: crate::model::Ids::new(id, id, None, None),
            updated: DateTime::parse_from_rfc3339(date).expect("date").to_utc(),
            published: None::<DateTime<Utc>>,
            origin: Some(origin.into()),
            text: None,
            tags: crate::model::Tags::new(tags),
            language: None,
            via: Vec::new(),
        }
    }

    #[test]
    fn long_lists_are_cut_from_the_oldest_so_older_pages_never_shift() {
        let sizes = |n: usize| -> Vec<(usize, usize)> {
            let list: Vec<usize> = (0..n).collect();
            chunks(&list).iter().map(|(i, s)| (*i, s.len())).collect()
        };
        assert_eq!(sizes(0), [(0, 0)]);
        assert_eq!(sizes(199), [(0, 199)]);
        assert_eq!(sizes(200), [(0, 100), (1, 100)]);
        assert_eq!(sizes(350), [(0, 150), (2, 100), (1, 100)]);
        // One more entry: the older pages hold exactly what they held.
        let list: Vec<usize> = (0..351).rev().collect();
        let before: Vec<usize> = (0..350).rev().collect();
        assert_eq!(chunks(&list)[2].1, chunks(&before)[2].1);
        assert_eq!(chunks(&list)[1].1, chunks(&before)[1].1);
        assert_eq!(chunks(&list)[0].1.len(), 151);
        // Newest first, every entry on exactly one page.
        for n in [0, 1, 199, 200, 350, 351, 1000] {
            let list: Vec<usize> = (0..n).collect();
            let joined: Vec<usize> = chunks(&list)
                .iter()
                .flat_map(|(_, s)| s.iter().copied())
                .collect();
            assert_eq!(joined, list, "{n} entries");
        }
    }

    #[test]
    fn tags_group_by_case_and_accent_insensitive_ascii_slugs() {
        assert_eq!(tag_slug("Anti-trafficking"), "anti-trafficking");
        assert_eq!(tag_slug("anti trafficking"), "anti-trafficking");
        assert_eq!(tag_slug("Éducation"), "education");
        assert!(tag_slug("การค้ามนุษย์").is_ascii());
        assert!(tag_slug("性工作").is_ascii());
        assert_eq!(tag_slug("✊"), tag_slug("✊"));
        assert_ne!(tag_slug("✊"), tag_slug("☂"));
    }

    #[test]
    fn entries_are_grouped_newest_month_first_and_once_per_tag() {
        let all = [
            w("a", "2026-03-02T00:00:00Z", "p", &["sex work", "Sex-Work"]),
            w("b", "2026-03-01T00:00:00Z", "q", &["sex work"]),
            w("c", "2025-12-31T23:00:00Z", "p", &["health"]),
        ];
        let refs: Vec<&Winner> = all.iter().collect();
        let lib = group(&refs, &["q", "p"]);
        let months: Vec<String> = lib.months.iter().map(Month::key).collect();
        assert_eq!(months, ["2026-03", "2025-12"]);
        assert_eq!(lib.months[0].winners.len(), 2);
        let sw = lib.tags.iter().find(|t| t.slug == "sex-work").expect("tag");
        assert_eq!(sw.winners.len(), 2, "one entry counted once");
        assert_eq!(sw.label, "sex work");
        let names: Vec<&str> = lib.partners.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["q", "p"]);
        let base = Sha256::new();
        let p1 = print(&base, "m", &lib.months[0].winners);
        assert_eq!(p1, print(&base, "m", &lib.months[0].winners));
        assert_ne!(p1, print(&base, "m", &lib.months[1].winners));
    }

    /// Enough entries for the topics to be grouped on a thread of their own: the same groups, in
    /// the same orders, as the entries counted one by one.
    #[test]
    fn many_entries_are_grouped_as_a_count_of_each_says() {
        let n = APART_FROM * 3 / 2;
        let all: Vec<Winner> = (0..n)
            .map(|i| {
                let date = format!("2026-{:02}-01T00:00:00Z", 12 - i * 12 / n);
                let tags = [["Health", "health", "rights"][i % 3], "all"];
                w(&format!("e{i}"), &date, ["p", "q", "r"][i % 3], &tags)
            })
            .collect();
        let refs: Vec<&Winner> = all.iter().collect();
        let lib = group(&refs, &["r", "p", "q"]);
        let months: Vec<(String, usize)> = lib
            .months
            .iter()
            .map(|m| (m.key(), m.winners.len()))
            .collect();
        assert_eq!(months.len(), 12);
        assert_eq!(months[0].0, "2026-12");
        assert_eq!(months.iter().map(|m| m.1).sum::<usize>(), n);
        let tags: Vec<(&str, &str, usize)> = lib
            .tags
            .iter()
            .map(|t| (t.slug.as_str(), t.label.as_str(), t.winners.len()))
            .collect();
        assert_eq!(
            tags,
            [
                ("all", "all", n),
                ("health", "Health", n * 2 / 3),
                ("rights", "rights", n / 3)
            ]
        );
        let partners: Vec<(&str, usize)> = lib
            .partners
            .iter()
            .map(|p| (p.name.as_str(), p.winners.len()))
            .collect();
        assert_eq!(partners, [("r", n / 3), ("p", n / 3), ("q", n / 3)]);
        assert_eq!(
            lib.partners[0].winners[0].id(),
            "e2",
            "in the entries' order"
        );
        assert_eq!(lib.tags[2].winners[1].id(), "e5");
    }

    #[test]
    fn a_pages_print_is_the_hash_of_its_entries_parts_in_order() {
        // Description: 300 entries with long ids (40 KB of parts, more than one gathered
        // update), one with credits. Expect: the SHA-256 of the base, the page's key and each
        // entry's id, handle and origin (each ended by a 0), its credits and a 1: the spelling
        // every earlier version recorded, so that no page is rendered again for an upgrade.
        let mut all: Vec<Winner> = (0..300)
            .map(|i| {
                w(
                    &format!("tag:{}:{i}", "x".repeat(100)),
                    "2026-03-02T00:00:00Z",
                    "p",
                    &[],
                )
            })
            .collect();
        all[7].via = vec!["https://a.example/".into(), "https://b.example/".into()];
        let refs: Vec<&Winner> = all.iter().collect();
        let mut base = Sha256::new();
        base.update(b"v1");
        let mut want = base.clone();
        want.update(b"m/2026-03");
        for w in &all {
            for part in [w.id(), w.handle(), w.origin()] {
                want.update(part.as_bytes());
                want.update([0]);
            }
            for v in &w.via {
                want.update(v.as_bytes());
            }
            want.update([1]);
        }
        assert_eq!(print(&base, "m/2026-03", &refs), hex(&want.finalize()));
    }
}
