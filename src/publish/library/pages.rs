//! The library's pages as a plan, before anything is rendered: every page's file, what it
//! lists, how it is rendered and its fingerprint (what the page shows: its entries, its place in
//! its list and its pager window, the partner's description), so that `render` renders only the
//! pages whose fingerprint changed. The fingerprints hash every entry of every page (each entry
//! is on about three): they are computed last, on every core.

use super::Stock;
use super::plan;
use crate::par::{Panicked, par_map};
use crate::pool::merge::Winner;
use crate::publish::render::library::Part;
use crate::publish::render::pager::window;

/// One page to publish: its file, fingerprint, and how it is rendered from its entries.
pub(super) struct Page<'a> {
    pub file: String,
    pub print: String,
    /// What the page shows besides its entries, for its fingerprint.
    what: String,
    pub winners: &'a [&'a Winner],
    /// Entries the page is rendered from besides those it lists (a topic's feed), for its
    /// fingerprint.
    extra: &'a [&'a Winner],
    pub kind: Kind<'a>,
    /// Its place among its list's pages (see `plan::chunks`).
    pub part: Part,
}

pub(super) enum Kind<'a> {
    Months(Vec<(i32, u32, usize)>),
    Month {
        at: (i32, u32),
        prev: Option<(i32, u32)>,
        next: Option<(i32, u32)>,
    },
    Tags(Vec<(String, String, usize)>),
    Tag(&'a plan::Tag<'a>),
    Partners(Vec<(String, String, usize)>),
    Partner(&'a plan::Partner<'a>),
}

/// The pages of one list (a month, a topic, a partner) under `folder/stem`, cut by
/// `plan::chunks`; `what` says what the page is (for its fingerprint), `extra` what else its
/// newest page is rendered from.
fn parts<'a>(
    (folder, stem): (&str, &str),
    what: &str,
    list: &'a [&'a Winner],
    extra: &'a [&'a Winner],
    kind: impl Fn() -> Kind<'a>,
) -> Vec<Page<'a>> {
    let cut = plan::chunks(list);
    let count = cut.len() - 1;
    cut.into_iter()
        .map(|(index, winners)| Page {
            file: match index {
                0 => format!("{folder}/{stem}.html"),
                i => format!("{folder}/{stem}-p{i}.html"),
            },
            print: String::new(),
            // What the page shows of its list: its place and its pager, not the number of
            // pages (new pages far from an older one leave it as it was).
            what: format!("{what} {index} {:?}", window(index, count)),
            winners,
            extra: if index == 0 { extra } else { &[] },
            kind: kind(),
            part: Part {
                stem: stem.to_string(),
                index,
                count,
            },
        })
        .collect()
}

/// A page that is not part of a list.
fn single<'a>(file: &str, what: String, kind: Kind<'a>) -> Page<'a> {
    Page {
        file: file.into(),
        print: String::new(),
        what,
        winners: &[],
        extra: &[],
        kind,
        part: Part::default(),
    }
}

/// The pages, each with its fingerprint.
pub(super) fn pages<'a>(
    lib: &'a plan::Library<'a>,
    stock: &Stock<'_>,
) -> Result<Vec<Page<'a>>, Panicked> {
    let mut pages = listed(lib, stock);
    let prints = par_map(&pages, |p| {
        plan::print(stock.base, &p.what, p.winners.iter().chain(p.extra))
    })?;
    for (page, print) in pages.iter_mut().zip(prints) {
        page.print = print;
    }
    Ok(pages)
}

/// The pages, without their fingerprints.
fn listed<'a>(lib: &'a plan::Library<'a>, stock: &Stock<'_>) -> Vec<Page<'a>> {
    let mut pages = Vec::new();
    let months: Vec<(i32, u32, usize)> = lib
        .months
        .iter()
        .map(|m| (m.year, m.month, m.winners.len()))
        .collect();
    let what = format!("months {months:?}");
    pages.push(single("archive/index.html", what, Kind::Months(months)));
    for (i, m) in lib.months.iter().enumerate() {
        let ym = |m: &plan::Month<'_>| (m.year, m.month);
        let (next, prev) = (
            i.checked_sub(1).map(|j| ym(&lib.months[j])),
            lib.months.get(i + 1).map(ym),
        );
        let what = format!("month {prev:?} {next:?}");
        let at = ym(m);
        let kind = move || Kind::Month { at, prev, next };
        pages.extend(parts(("archive", &m.key()), &what, &m.winners, &[], kind));
    }
    if let Some(range) = stock.archive_months {
        pages.extend(empty_months(lib, range));
    }
    let mut tags: Vec<(String, String, usize)> = lib
        .tags
        .iter()
        .map(|t| (t.slug.clone(), t.label.clone(), t.winners.len()))
        .collect();
    tags.sort_by_key(|t| t.1.to_lowercase());
    let what = format!("tags {tags:?}");
    pages.push(single("tags/index.html", what, Kind::Tags(tags)));
    let in_feed = stock.shelf.cfg.feed.max_entries;
    for t in &lib.tags {
        let feed = &t.winners[..t.winners.len().min(in_feed)];
        let what = format!("tag {}", t.label);
        pages.extend(parts(("tags", &t.slug), &what, &t.winners, feed, || {
            Kind::Tag(t)
        }));
    }
    let partners: Vec<(String, String, usize)> = lib
        .partners
        .iter()
        .map(|p| (p.slug.clone(), p.name.clone(), p.winners.len()))
        .collect();
    let what = format!("partners {partners:?}");
    pages.push(single(
        "partners/index.html",
        what,
        Kind::Partners(partners),
    ));
    for p in &lib.partners {
        let info = stock.gathered.infos.get(&p.name);
        let what = format!(
            "partner {}",
            serde_json::to_string(&info).unwrap_or_default()
        );
        pages.extend(parts(("partners", &p.slug), &what, &p.winners, &[], || {
            Kind::Partner(p)
        }));
    }
    pages
}

/// A page for every month of the archives' chain that has no entries (linking to the nearest
/// months that have).
fn empty_months<'a>(
    lib: &plan::Library<'_>,
    (first, current): ((i32, u32), (i32, u32)),
) -> Vec<Page<'a>> {
    let full: Vec<(i32, u32)> = lib.months.iter().map(|m| (m.year, m.month)).collect();
    let mut out = Vec::new();
    let mut m = first;
    while m <= current {
        if !full.contains(&m) {
            let prev = full.iter().copied().filter(|x| *x < m).max();
            let next = full.iter().copied().filter(|x| *x > m).min();
            out.push(single(
                &format!("archive/{:04}-{:02}.html", m.0, m.1),
                format!("month {prev:?} {next:?}"),
                Kind::Month { at: m, prev, next },
            ));
        }
        m = if m.1 == 12 {
            (m.0 + 1, 1)
        } else {
            (m.0, m.1 + 1)
        };
    }
    out
}
