//! The library's load from a real state: each winner's row rendered from its stored head, found
//! by its partner and its hash (`load.rs`'s own tests cover the rows' spooling alone).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::Stock;
use super::load::load;
use crate::config::Config;
use crate::model::{Candidate, Ids};
use crate::pool::Gathered;
use crate::pool::merge::{Winner, Winners};
use crate::pool::views::feed_views;
use crate::publish::render::html::Templates;
use crate::publish::render::library::Shelf;
use crate::publish::spool::Spool;
use crate::publish::stage::Stage;
use crate::state::{NewItem, SourceState, SourceWrite, State, test_entry};

/// The candidate of item `n` of `source`, stored under the hash `h{n}`.
fn candidate(source: &str, n: u32) -> Candidate {
    Candidate {
        ids: Ids::new(&format!("h{n}"), &format!("tag:x,2026:{n}"), None, None),
        updated: chrono::DateTime::UNIX_EPOCH,
        published: None,
        origin: Some(source.into()),
        text: None,
        tags: Default::default(),
        language: None,
        via: Vec::new(),
    }
}

/// Stores items `ns` of `source`, each titled `Title {n}` with the text `Text {n}`.
fn store(st: &mut State, source: &str, ns: &[u32]) {
    let mut w = SourceWrite::new(source, SourceState::default());
    for &n in ns {
        let mut e = test_entry();
        e.id = format!("tag:x,2026:{n}");
        e.title = format!("Title {n}");
        e.content = Some(format!("<p>Text {n}</p>"));
        w.new_items
            .push(NewItem::new(candidate(source, n), e, None).expect("pack"));
    }
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tx.try_send(w).expect("queued");
    drop(tx);
    st.write_run(rx, chrono::Utc::now()).expect("written");
}

#[test]
fn each_winners_row_is_rendered_from_its_own_stored_head() {
    // Description: two partners' entries stored (A's 1 and 2, B's 3), and the pool's winners of
    // both, A's side by side. Expect: each winner's row names its own title and none of its
    // text; a winner asked for twice gets the same row.
    let dir = tempfile::tempdir().expect("dir");
    let mut st = State::open(&dir.path().join("state.db")).expect("open");
    store(&mut st, "A", &[1, 2]);
    store(&mut st, "B", &[3]);
    let cfg = Config::parse(
        "[feed]\ntitle = \"T\"\nid = \"tag:t.example.org,2026:f\"\nlink = \"https://t.example.org/\"\n\
         self_url = \"https://t.example.org/f.atom\"\nauthor = { name = \"T\" }\n",
        std::path::Path::new("feeds.toml"),
    )
    .expect("config");
    let views = feed_views(&cfg);
    let templates = Templates::load(None).expect("templates");
    let gathered = Gathered {
        reports: Vec::new(),
        pool: Winners::from_vec(vec![
            candidate("A", 1),
            candidate("B", 3),
            candidate("A", 2),
        ]),
        locals: Vec::new(),
        infos: BTreeMap::new(),
        timings: Vec::new(),
        checkpoint: None,
    };
    let ws: Vec<&Winner> = gathered.pool.iter().collect();
    let (spool, stage) = (
        Arc::new(Spool::in_dir(dir.path()).expect("spool")),
        Arc::new(Stage::in_dir(dir.path()).expect("stage")),
    );
    let stock = Stock {
        shelf: Shelf {
            cfg: &cfg,
            views: &views,
            templates: &templates,
        },
        gathered: &gathered,
        published: &ws,
        base: &Sha256::new().chain_update(b"t"),
        previous: &HashMap::new(),
        archive_months: None,
        spool: &spool,
        stage: &stage,
    };
    let loaded = load(&st, &stock, ws.iter().copied()).expect("loaded");
    for w in &ws {
        let rows = loaded.rows(&[w, w]).expect("rows");
        let [once, twice] = rows.list()[..] else {
            panic!("two rows for {}", w.id());
        };
        let n = w.id().trim_start_matches("tag:x,2026:");
        assert!(once.contains(&format!("Title {n}")), "{once}");
        assert!(!once.contains("Text"), "no text in a row: {once}");
        assert_eq!(once, twice);
    }
}
