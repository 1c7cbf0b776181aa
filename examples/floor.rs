//! The floor of a cold run: how fast one core can do the work no aggregator can skip, parsing every
//! feed with feed-rs and sanitising every body with ammonia's defaults, next to feedbraid's own
//! `ingest` (decode, parse, normalise, sanitise, hash, pack for state) on the same files.
//!
//!     cargo run --release --example floor -- DIR/feeds [MAX_FILES] [all|floor|floor2|tokenise|ingest]
//!
//! Single-threaded on purpose: the numbers are per core, except `floor2`, the floor over every
//! core (the files split between one thread per core), which is what issue 13 compares a cold
//! run with, and `tokenise`, quick-xml's events alone over every core, the limit issue 25 states
//! every figure as a multiple of. Prints MB/s for each. With a file limit
//! and one part it is small enough for `valgrind --tool=callgrind`, whose instruction counts do
//! not depend on what else the machine is doing (see docs/performance.md).

use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(args.get(1).map_or("feeds", String::as_str));
    let max: usize = args
        .get(2)
        .and_then(|n| n.parse().ok())
        .unwrap_or(usize::MAX);
    let part = args.get(3).map_or("all", String::as_str);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    files.truncate(max);
    let bodies: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).unwrap_or_default())
        .collect();
    let total: usize = bodies.iter().map(Vec::len).sum();
    let mb = total as f64 / 1e6;
    println!("{} files, {:.1} MB", bodies.len(), mb);

    if part == "all" {
        parse_only(&bodies, mb);
    }
    let floor = if part == "all" || part == "floor" {
        floor(&bodies, mb)
    } else {
        f64::NAN
    };
    if part == "floor2" {
        floor_all_cores(&bodies, mb);
    }
    if part == "tokenise" {
        tokenise_all_cores(&bodies, mb);
    }
    if part == "all" || part == "ingest" {
        let ours = ingest(&bodies, mb);
        println!("ingest / floor: {:.2}x", ours / floor);
    }
}

fn parse_only(bodies: &[Vec<u8>], mb: f64) {
    let t = Instant::now();
    let mut items = 0;
    for b in bodies {
        if let Ok(f) = feed_rs::parser::Builder::new()
            .sanitize_content(false)
            .build()
            .parse(b.as_slice())
        {
            items += f.entries.len();
        }
    }
    let parse = t.elapsed().as_secs_f64();
    println!(
        "feed-rs parse only:              {parse:6.2} s  {:6.1} MB/s  ({items} items)",
        mb / parse
    );
}

/// The floor on every core: the files dealt round-robin to one thread per core.
fn floor_all_cores(bodies: &[Vec<u8>], mb: f64) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let t = Instant::now();
    let out: usize = std::thread::scope(|sc| {
        let workers: Vec<_> = (0..cores)
            .map(|k| {
                sc.spawn(move || {
                    let mine: Vec<&Vec<u8>> = bodies.iter().skip(k).step_by(cores).collect();
                    clean_all(&mine)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    let floor = t.elapsed().as_secs_f64();
    println!(
        "floor on {cores} cores:                {floor:6.2} s  {:6.1} MB/s  ({out} bytes out)",
        mb / floor
    );
}

/// The limit issue 25 measures against: merely tokenising every byte with quick-xml over every
/// core (no tree, no model), the files dealt round-robin to one thread per core.
fn tokenise_all_cores(bodies: &[Vec<u8>], mb: f64) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let t = Instant::now();
    let events: usize = std::thread::scope(|sc| {
        let workers: Vec<_> = (0..cores)
            .map(|k| {
                sc.spawn(move || {
                    bodies
                        .iter()
                        .skip(k)
                        .step_by(cores)
                        .map(|b| tokenise(b))
                        .sum::<usize>()
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    let secs = t.elapsed().as_secs_f64();
    println!(
        "tokenise on {cores} cores:             {secs:6.3} s  {:6.1} MB/s  ({events} events)",
        mb / secs
    );
}

/// quick-xml's events for one document, counted; stops at the first error.
fn tokenise(body: &[u8]) -> usize {
    let mut r = quick_xml::Reader::from_reader(body);
    r.config_mut().check_end_names = false;
    let mut n = 0;
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) | Err(_) => return n,
            Ok(_) => n += 1,
        }
    }
}

/// feed-rs and `ammonia::clean` of every summary and content; the bytes of clean HTML.
fn clean_all(bodies: &[&Vec<u8>]) -> usize {
    let mut out_bytes = 0;
    for b in bodies {
        if let Ok(f) = feed_rs::parser::Builder::new()
            .sanitize_content(false)
            .build()
            .parse(b.as_slice())
        {
            for e in &f.entries {
                for html in e
                    .summary
                    .iter()
                    .map(|s| &s.content)
                    .chain(e.content.iter().filter_map(|c| c.body.as_ref()))
                {
                    out_bytes += ammonia::clean(html).len();
                }
            }
        }
    }
    out_bytes
}

fn floor(bodies: &[Vec<u8>], mb: f64) -> f64 {
    let t = Instant::now();
    let out_bytes = clean_all(&bodies.iter().collect::<Vec<_>>());
    let floor = t.elapsed().as_secs_f64();
    println!(
        "feed-rs + ammonia::clean (floor): {floor:6.2} s  {:6.1} MB/s  ({out_bytes} bytes out)",
        mb / floor
    );
    floor
}

fn ingest(bodies: &[Vec<u8>], mb: f64) -> f64 {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let cfg = feedbraid::config::Config::parse(
        "[feed]\ntitle = \"t\"\nid = \"tag:x.example,2026:f\"\nlink = \"https://x.example/\"\nself_url = \"https://x.example/f\"\nauthor = { name = \"x\" }\n[[source]]\nname = \"s\"\nurl = \"https://s.example/feed\"\n",
        &tmp.path().join("feeds.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let source = &cfg.sources[0];
    let url = url::Url::parse("https://s.example/feed").ok();
    let now = chrono::Utc::now();
    let pool = feedbraid::state::Pool::new(&tmp.path().join("state.db"));
    let t = Instant::now();
    let mut n = 0;
    for b in bodies {
        let doc = feedbraid::ingest::document::Fetched {
            body: b,
            charset: None,
            url: url.as_ref(),
        };
        if let Ok(i) = feedbraid::ingest::document::ingest(source, &pool, (None, true), doc, now) {
            n += i.candidates.len();
        }
    }
    let ours = t.elapsed().as_secs_f64();
    println!(
        "feedbraid ingest (cold cache):    {ours:6.2} s  {:6.1} MB/s  ({n} entries)",
        mb / ours
    );
    ours
}
