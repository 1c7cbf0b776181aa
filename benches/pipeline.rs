//! Micro-benchmarks of the pure stages on fixed inputs (the shipped sample partner feeds):
//! parse, normalise + sanitise, and render. `cargo bench`; the end-to-end benchmark is
//! `bench/run.sh` (see docs/performance.md).

use std::path::Path;

use divan::Bencher;
use feedbraid::config::Config;
use feedbraid::ingest::normalise::FeedContext;
use feedbraid::ingest::parse::parse_feed;
use feedbraid::model::Entry;

const FEEDS: &[&str] = &[
    "empower-wordpress.xml",
    "nswp-atom.xml",
    "research-rdf.xml",
    "zi-teng-big5.xml",
    "swing-thai-874.xml",
];

fn main() {
    divan::main();
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples/partners")
            .join(name),
    )
    .expect("sample feed")
}

fn config() -> Config {
    Config::from_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds.toml"))
        .expect("shipped feeds.toml")
}

static PARTNER: std::sync::LazyLock<url::Url> =
    std::sync::LazyLock::new(|| url::Url::parse("https://partner.example/feed").expect("url"));

#[divan::bench(args = FEEDS)]
fn parse(b: Bencher<'_, '_>, name: &str) {
    let body = bytes(name);
    b.counter(divan::counter::BytesCount::new(body.len()))
        .bench(|| parse_feed(divan::black_box(&body), None, Some(&*PARTNER)));
}

/// Parses and normalises every item of `body`, and sanitises each entry as publishing does
/// when `sanitise` (see `clean`).
fn normalise_all(cfg: &Config, name: &str, body: &[u8], sanitise: bool) -> Vec<Entry> {
    let parsed = parse_feed(body, None, Some(&*PARTNER)).expect("parses");
    let ctx = FeedContext::new(
        &cfg.sources[0],
        &parsed.feed,
        Some(&*PARTNER),
        chrono::Utc::now(),
    );
    let none = |_: &str| None;
    let settings = feedbraid::publish::clean::Settings::of_source(&cfg.sources[0]);
    parsed
        .feed
        .items
        .iter()
        .filter_map(|item| Some((item, ctx.entry(item, &none).ok()?.entry)))
        .map(|(item, mut e)| {
            e.id = format!("{}#{name}", e.id);
            if sanitise {
                let s = settings.sanitizer(ctx.base_of(item));
                let c = feedbraid::publish::clean::clean(
                    &settings,
                    &s,
                    e.summary.as_deref(),
                    e.content.as_deref(),
                );
                feedbraid::publish::clean::apply(&mut e, &settings, c);
            }
            e
        })
        .collect()
}

/// What ingest does to every item.
#[divan::bench(args = FEEDS)]
fn parse_and_normalise(b: Bencher<'_, '_>, name: &str) {
    let cfg = config();
    let body = bytes(name);
    b.counter(divan::counter::BytesCount::new(body.len()))
        .bench(|| normalise_all(&cfg, name, divan::black_box(&body), false));
}

/// What ingest did to every item before issue 13, and publishing now does to published ones.
#[divan::bench(args = FEEDS)]
fn parse_normalise_and_sanitise(b: Bencher<'_, '_>, name: &str) {
    let cfg = config();
    let body = bytes(name);
    b.counter(divan::counter::BytesCount::new(body.len()))
        .bench(|| normalise_all(&cfg, name, divan::black_box(&body), true));
}

#[divan::bench]
fn render_100_entries(b: Bencher<'_, '_>) {
    let cfg = config();
    let mut entries: Vec<Entry> = FEEDS
        .iter()
        .flat_map(|n| normalise_all(&cfg, n, &bytes(n), true))
        .collect();
    let base = entries.clone();
    let mut i = 0;
    while entries.len() < 100 {
        let mut e = base[i % base.len()].clone();
        e.id = format!("{}-{i}", e.id);
        entries.push(e);
        i += 1;
    }
    entries.truncate(100);
    b.bench(|| {
        feedbraid::publish::render::atom(&cfg.feed, divan::black_box(&entries), Some("feed.xsl"))
    });
}

/// The library's row of each of 100 entries (`entry.html` as every library page lists it): a
/// cold run at 5,000 partners renders 100,000 of them.
#[divan::bench]
fn library_rows(b: Bencher<'_, '_>) {
    use feedbraid::publish::render::library::{Listed, Shelf};
    let cfg = config();
    let views = feedbraid::pool::views::feed_views(&cfg);
    let templates = feedbraid::publish::render::html::Templates::load(None).expect("templates");
    let shelf = Shelf {
        cfg: &cfg,
        views: &views,
        templates: &templates,
    };
    let t = shelf.messages();
    let entries: Vec<Entry> = FEEDS
        .iter()
        .flat_map(|n| normalise_all(&cfg, n, &bytes(n), false))
        .cycle()
        .take(100)
        .collect();
    b.counter(divan::counter::ItemsCount::new(entries.len()))
        .bench(|| {
            entries
                .iter()
                .map(|e| {
                    let l = Listed {
                        entry: e,
                        source: None,
                    };
                    shelf.row(&t, divan::black_box(&l)).map(|r| r.len())
                })
                .sum::<Result<usize, _>>()
        });
}
