//! The integration tests: one binary, real HTTP over loopback, real files, a real SQLite state.

mod serve;
mod served;
mod server;
mod validity;

mod accessible;
mod archive;
mod attachments;
mod behaviours;
mod browser;
mod charsets;
mod cleaning;
mod config_errors;
mod corrupt_state;
mod crash;
mod deploy;
mod deploy_faults;
mod digest;
mod doctor;
mod editing;
mod editorial;
mod faults;
mod features;
mod front_end;
mod garage;
mod guard;
mod hijack;
mod images;
mod import_hostile;
mod layers;
mod liberal;
mod mangled;
mod media;
mod media_bombs;
mod media_inline;
mod media_strip;
mod nesting;
mod operate;
mod opml;
mod pages;
mod pipeline;
mod polite;
mod props;
mod proxied;
mod reasons;
mod review;
mod rights;
mod rss_output;
mod sanitise_once;
mod secrets;
mod serve_http;
mod serve_limits;
mod smoke;
mod state_upgrade;
mod templates;
mod topics;
mod views;
mod websub;

use std::path::{Path, PathBuf};

use feedbraid::ops::Fatal;
use feedbraid::ops::report::RunReport;
use feedbraid::ops::run::{self, RunOptions};

pub use server::{Reply, Server};

/// One run inside this test process. The run lock is an `flock` on a file the run opens and
/// closes; while another test thread spawns a child (python, xmllint, chromium, the binary), the
/// child holds a copy of every descriptor of this process until its `exec`, so a lock just
/// released by the previous run of the same test can look held for a moment. Separate processes
/// (cron, `serve`) never see this; here a refused lock is retried for up to two seconds.
fn in_process(opts: &RunOptions) -> Result<RunReport, Fatal> {
    for _ in 0..40 {
        match run::run(opts) {
            Err(Fatal::Locked(_)) => std::thread::sleep(std::time::Duration::from_millis(50)),
            other => return other,
        }
    }
    run::run(opts)
}

pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
    )
    .expect("fixture")
}

/// A temp folder with a feeds.toml listing `sources` as `(name, url)`, plus `extra` TOML.
#[derive(Debug)]
pub struct Setup {
    pub dir: tempfile::TempDir,
}

impl Setup {
    pub fn new<N: AsRef<str>>(sources: &[(N, String)], extra_fetch: &str) -> Setup {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut t = String::from(
            "[feed]\ntitle = \"Test network\"\nid = \"tag:test.example.org,2026:feed\"\nlink = \"https://test.example.org/\"\n\
             self_url = \"https://test.example.org/feed.atom\"\nauthor = { name = \"Test Network\" }\nlanguage = \"en\"\n\n",
        );
        t.push_str(&format!(
            "[fetch]\ntimeout = \"3s\"\nconnect_timeout = \"2s\"\n{extra_fetch}\n\n"
        ));
        t.push_str("[[entry]]\ntitle = \"Our own report\"\nslug = \"own-report\"\npublished = \"2025-12-01\"\n\
                    summary = \"<p>Local</p>\"\nattachments = [{ url = \"files/own.pdf\", type = \"application/pdf\", length = 1000 }]\n\n");
        for (name, url) in sources {
            let name = name.as_ref();
            t.push_str(&format!(
                "[[source]]\nname = \"{name}\"\nurl = \"{url}\"\n\n"
            ));
        }
        std::fs::write(dir.path().join("feeds.toml"), t).expect("write config");
        Setup { dir }
    }

    /// Appends TOML to the config (keys land in the last table: the last source).
    pub fn append(&self, toml: &str) {
        let cfg = std::fs::read_to_string(self.config()).expect("read config");
        std::fs::write(self.config(), format!("{cfg}{toml}\n")).expect("write config");
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("feeds.toml")
    }

    pub fn out(&self) -> PathBuf {
        self.dir.path().join("output")
    }

    pub fn feed(&self) -> String {
        std::fs::read_to_string(self.out().join("feed.atom")).expect("feed.atom")
    }

    pub fn run(&self) -> Result<RunReport, Fatal> {
        in_process(&RunOptions {
            config: self.config(),
            ..RunOptions::default()
        })
    }

    /// A run on the clock `now` (`RunOptions::now`), offline or not.
    pub fn run_at(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        offline: bool,
    ) -> Result<RunReport, Fatal> {
        in_process(&RunOptions {
            config: self.config(),
            now: Some(now),
            offline,
            ..RunOptions::default()
        })
    }

    /// Sets `[feed] max_entries` (the generated config has none).
    pub fn cap_entries(&self, n: usize) {
        let cfg = std::fs::read_to_string(self.config()).expect("read config");
        let capped = cfg.replacen(
            "language = \"en\"\n",
            &format!("language = \"en\"\nmax_entries = {n}\n"),
            1,
        );
        assert_ne!(cfg, capped, "the [feed] table has its language line");
        std::fs::write(self.config(), capped).expect("write config");
    }

    /// A run with the private-network guard's ranges and resolver given.
    pub fn run_guarded(&self, guard: feedbraid::ingest::fetch::Guard) -> Result<RunReport, Fatal> {
        run::run(&RunOptions {
            config: self.config(),
            guard,
            ..RunOptions::default()
        })
    }

    /// Every published file but the mirrored media (name under the output folder, text), sorted.
    pub fn outputs(&self) -> Vec<(String, String)> {
        let media = self.out().join("media");
        let mut out: Vec<(String, String)> = files_under(&self.out())
            .into_iter()
            .filter(|p| !p.starts_with(&media))
            .map(|p| {
                let name = p
                    .strip_prefix(self.out())
                    .unwrap_or(&p)
                    .display()
                    .to_string();
                (name, std::fs::read_to_string(&p).unwrap_or_default())
            })
            .collect();
        out.sort();
        out
    }

    /// `feedbraid run --offline` on this config.
    pub fn run_offline(&self) -> Result<RunReport, Fatal> {
        in_process(&RunOptions {
            config: self.config(),
            offline: true,
            ..RunOptions::default()
        })
    }

    /// The binary: `feedbraid <command> --config <this config> <extra...>`.
    pub fn command(&self, command: &str, extra: &[&str]) -> std::process::Command {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_feedbraid"));
        c.arg(command)
            .arg("--config")
            .arg(self.config())
            .args(extra);
        c
    }

    /// Runs the binary and returns its exit code and stderr.
    pub fn cli(&self, command: &str, extra: &[&str]) -> (Option<i32>, String) {
        let out = self
            .command(command, extra)
            .output()
            .expect("the binary runs");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// A run with its own fresh state database (a cold run).
    pub fn run_cold(&self, tag: &str) -> Result<RunReport, Fatal> {
        let state = self.dir.path().join(format!("cold-{tag}.db"));
        run::run(&RunOptions {
            config: self.config(),
            state: Some(state),
            ..RunOptions::default()
        })
    }
}

/// Parses the written feed with feed-rs (an independent Rust consumer).
pub fn reparse(xml: &str) -> feed_rs::model::Feed {
    feed_rs::parser::parse(xml.as_bytes()).expect("output re-parses with feed-rs")
}

/// Every file under `dir`, recursively, but the gzip copies the Disk sink writes beside the text
/// outputs (`feed.atom.gz`: the same text, compressed; `serve_http` and the sink's own tests
/// check them).
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(files_under(&e.path()));
        } else if !e.file_name().to_string_lossy().ends_with(".gz") {
            out.push(e.path());
        }
    }
    out
}

/// Atom documents as independent readers see them: well-formed for libxml2 (`xmllint`), Atom 1.0
/// with bozo 0 for Python's feedparser (with at least one entry each when `need_entries`), and no
/// violation for our own checker (`validity::violations`).
pub fn atom_accepted_everywhere(paths: &[PathBuf], need_entries: bool) {
    let lint = std::process::Command::new("xmllint")
        .arg("--noout")
        .args(paths)
        .output()
        .expect("xmllint runs (apt-get install libxml2-utils; .ci/run does)");
    assert!(
        lint.status.success(),
        "{}",
        String::from_utf8_lossy(&lint.stderr)
    );
    let script = "import sys, feedparser\n\
                  need = sys.argv[1] == '1'\n\
                  for p in sys.argv[2:]:\n\
                  \x20   d = feedparser.parse(p)\n\
                  \x20   assert not d.bozo, (p, d.bozo_exception)\n\
                  \x20   assert d.version == 'atom10', (p, d.version)\n\
                  \x20   assert d.feed.id and (d.entries or not need), p\n";
    let py = std::process::Command::new("python3")
        .args(["-c", script, if need_entries { "1" } else { "0" }])
        .args(paths)
        .output()
        .expect("python3 runs");
    assert!(
        py.status.success(),
        "{}",
        String::from_utf8_lossy(&py.stderr)
    );
    for p in paths {
        let xml = std::fs::read_to_string(p).expect("read");
        let v = validity::violations(&xml);
        assert!(v.is_empty(), "{}: {v:?}", p.display());
    }
}
