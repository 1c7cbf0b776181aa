//! `feedbraid deploy` against a real Garage node over loopback (issue 24): every file arrives
//! with its type and bytes and is what readers get from the web endpoint; unchanged files are not
//! uploaded again (Garage's own PUT counter); a file gone from the output is deleted only after
//! the grace time; a second runner is refused while the bucket-state lease is held.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::garage::Garage;

/// The shipped example copied into a temp folder, with `[deploy]` (and any extra TOML) after it.
pub struct Site {
    pub tmp: tempfile::TempDir,
    pub extra: String,
    pub deploy: String,
}

impl Site {
    pub fn new(deploy: String) -> Site {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let tmp = tempfile::tempdir().expect("tmp");
        std::fs::create_dir_all(tmp.path().join("examples")).expect("mkdir");
        let cp = Command::new("cp")
            .arg("-r")
            .arg(root.join("examples/partners"))
            .arg(tmp.path().join("examples/"))
            .status()
            .expect("cp");
        assert!(cp.success());
        let s = Site {
            tmp,
            extra: String::new(),
            deploy,
        };
        s.write();
        s
    }

    pub fn write(&self) {
        let shipped =
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("feeds.toml"))
                .expect("feeds.toml");
        std::fs::write(
            self.config(),
            format!("{shipped}\n{}\n{}", self.extra, self.deploy),
        )
        .expect("config");
    }

    pub fn config(&self) -> PathBuf {
        self.tmp.path().join("feeds.toml")
    }

    pub fn out(&self) -> PathBuf {
        self.tmp.path().join("output")
    }

    /// `feedbraid COMMAND --config feeds.toml ARGS` with the store's credentials.
    pub fn cmd(&self, g: &Garage, command: &str, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_feedbraid"));
        c.arg(command).arg("--config").arg(self.config()).args(args);
        c.envs(g.env());
        c
    }

    pub fn run(&self, g: &Garage) {
        let o = self.cmd(g, "run", &["--quiet"]).output().expect("run");
        assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    }

    pub fn deploy(&self, g: &Garage) -> Output {
        self.cmd(g, "deploy", &[]).output().expect("deploy")
    }

    /// Every published file (no gzip copies, no hidden names) and its bytes.
    pub fn files(&self) -> BTreeMap<String, Vec<u8>> {
        let mut out = BTreeMap::new();
        collect(&self.out(), "", &mut out);
        out.retain(|name, _| !(name.ends_with(".gz") && out_has_base(name)));
        out
    }
}

fn out_has_base(name: &str) -> bool {
    [
        ".atom.gz", ".rss.gz", ".json.gz", ".html.gz", ".opml.gz", ".xsl.gz", ".xml.gz",
    ]
    .iter()
    .any(|e| name.ends_with(e))
}

fn collect(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Vec<u8>>) {
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let rel = format!("{prefix}{name}");
        if e.path().is_dir() {
            collect(&e.path(), &format!("{rel}/"), out);
        } else {
            out.insert(rel, std::fs::read(e.path()).expect("read"));
        }
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Description: the shipped example deployed to a fresh bucket, then again unchanged, then
/// after one more entry.
/// Expect: every file is served by the bucket's web endpoint with its bytes, its media type and
/// a Cache-Control; Garage counts one PUT per file; the unchanged deploy PUTs nothing; the next
/// PUTs exactly the files whose bytes changed; the after hook gets the changed paths with the
/// three switch files last.
#[test]
fn deploy_uploads_every_file_once_and_then_only_what_changed() {
    let g = Garage::start();
    g.bucket("site");
    let hook = tempfile::NamedTempFile::new().expect("hook file");
    let mut site = Site::new(g.deploy_table(
        "site",
        "net",
        &format!(
            "after = [\"sh\", \"-c\", \"cat > {}\"]",
            hook.path().display()
        ),
    ));
    site.run(&g);
    let o = site.deploy(&g);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let files = site.files();
    assert!(files.len() > 15, "{}", files.len());
    assert_eq!(g.puts(), files.len() as u64, "one PUT per file");
    for (name, bytes) in &files {
        let r = g.web("GET", "site", &format!("/net/{name}"));
        assert_eq!(r.status, 200, "{name}");
        assert!(&r.body == bytes, "{name}: the bytes differ");
        assert!(!r.header("cache-control").is_empty(), "{name}");
    }
    let types = [
        ("feed.atom", "application/atom+xml; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("feed.json", "application/feed+json"),
        ("partners.opml", "text/x-opml; charset=utf-8"),
    ];
    for (name, ty) in types {
        assert_eq!(
            g.web("HEAD", "site", &format!("/net/{name}"))
                .header("content-type"),
            ty
        );
    }
    let changed = std::fs::read_to_string(hook.path()).expect("hook ran");
    let lines: Vec<&str> = changed.lines().collect();
    assert_eq!(lines.len(), files.len());
    assert_eq!(
        lines[lines.len() - 3..],
        ["feed.atom", "feed.json", "index.html"]
    );

    let o = site.deploy(&g);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(g.puts(), files.len() as u64, "nothing uploaded again");

    site.extra = "[[entry]]\ntitle = \"A new briefing\"\nslug = \"new-briefing\"\n\
                  published = \"2026-11-30\"\nsummary = \"<p>New</p>\"\n"
        .into();
    site.write();
    site.run(&g);
    let after = site.files();
    let differ = after
        .iter()
        .filter(|(n, b)| files.get(*n) != Some(*b))
        .count();
    assert!(differ > 0 && differ < after.len(), "{differ}");
    let before = g.puts();
    let o = site.deploy(&g);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(g.puts() - before, differ as u64, "only the changed files");
    let index = g.web("GET", "site", "/net/index.html");
    assert!(text(&index.body).contains("A new briefing"));
}

/// Description: a file leaves the output; `[deploy] delete_after = "2s"`.
/// Expect: the next deploy keeps it in the bucket (cached pages may still link it); a deploy
/// after the grace time deletes it; the other files stay.
#[test]
fn files_gone_from_the_output_are_deleted_after_the_grace_time() {
    let g = Garage::start();
    g.bucket("site");
    let site = Site::new(g.deploy_table("site", "", "delete_after = \"2s\""));
    site.run(&g);
    assert_eq!(site.deploy(&g).status.code(), Some(0));
    assert_eq!(g.web("HEAD", "site", "/zh.json").status, 200);
    std::fs::remove_file(site.out().join("zh.json")).expect("remove");
    let o = site.deploy(&g);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("1 waiting for deletion"),
        "{}",
        text(&o.stderr)
    );
    assert_eq!(
        g.web("HEAD", "site", "/zh.json").status,
        200,
        "kept in the grace time"
    );
    std::thread::sleep(Duration::from_millis(2500));
    let o = site.deploy(&g);
    assert!(text(&o.stderr).contains("1 deleted"), "{}", text(&o.stderr));
    assert_eq!(
        g.web("HEAD", "site", "/zh.json").status,
        404,
        "deleted after it"
    );
    assert_eq!(g.web("HEAD", "site", "/zh.html").status, 200);
}

/// Description: `[deploy] state = "s3://state/…"` (a private bucket); one deploy holds the lease
/// (its after hook runs for three seconds) when a second runner, on a disk of its own, starts.
/// Expect: the second is refused with exit 1 and says the lease is held; the first finishes
/// (exit 0) and leaves the state database in the state bucket; a third, later, is let in.
#[test]
fn a_second_runner_is_refused_while_the_bucket_state_lease_is_held() {
    let g = Garage::start();
    g.bucket("site");
    g.bucket("state");
    let mark = tempfile::tempdir().expect("tmp");
    let mark = mark.path().join("started");
    let table = g.deploy_table(
        "site",
        "",
        &format!(
            "state = \"s3://state/net\"\nafter = [\"sh\", \"-c\", \"touch {}; sleep 3\"]",
            mark.display()
        ),
    );
    let site = Site::new(table.clone());
    let other = Site::new(table);
    site.run(&g);
    other.run(&g);
    let first = site.cmd(&g, "deploy", &[]).spawn().expect("first deploy");
    let started = std::time::Instant::now();
    while !mark.exists() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the first deploy got going"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let second = other.deploy(&g);
    assert_eq!(second.status.code(), Some(1), "{}", text(&second.stderr));
    assert!(
        text(&second.stderr).contains("another runner holds the deploy lease"),
        "{}",
        text(&second.stderr)
    );
    let first = first.wait_with_output().expect("first ends");
    assert_eq!(first.status.code(), Some(0));
    let third = other.deploy(&g);
    assert_eq!(third.status.code(), Some(0), "{}", text(&third.stderr));
    let listing = g.cli(&["bucket", "info", "state"]);
    assert!(listing.contains("Objects:           1"), "{listing}");
    // The state is not in the bucket the web serves.
    assert_eq!(g.web("HEAD", "site", "/.feedbraid/state.db").status, 404);
}

/// Description: `[deploy]` tables with a wrong scheme, credentials in the target and an unknown
/// state mode.
/// Expect: `check` exits 2 and names the file, the line and the key; the secret is not echoed.
#[test]
fn a_bad_deploy_table_names_the_file_line_and_key() {
    for (table, key, line) in [
        ("[deploy]\ntarget = \"ftp://site/\"\n", "deploy.target", 2),
        (
            "[deploy]\ntarget = \"s3://AKIA:hunter2@site/\"\n",
            "deploy.target",
            2,
        ),
        (
            "[deploy]\ntarget = \"s3://site/\"\nstate = \"cloud\"\n",
            "deploy.state",
            3,
        ),
        (
            "[deploy]\ntarget = \"s3://site/\"\ndelete_after = \"soon\"\n",
            "deploy.delete_after",
            3,
        ),
    ] {
        let s = crate::Setup::new::<&str>(&[], "");
        let before = std::fs::read_to_string(s.config()).expect("config");
        let lines = before.lines().count();
        s.append(table);
        let o = s.command("check", &[]).output().expect("check");
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{err}");
        let want = format!("feeds.toml:{}:", lines + line);
        assert!(
            err.contains(&want) && err.contains(key),
            "{want} {key}: {err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }
}

/// Description: a deploy to another folder (`file://`), then a run that changes some files.
/// Expect: the folder holds every published file with the same bytes (no gzip copies, nothing
/// hidden); the second deploy copies only the changed files (the others keep their mtime).
#[test]
fn deploy_to_a_folder_copies_only_what_changed() {
    let dest = tempfile::tempdir().expect("dest");
    let s = crate::Setup::new::<&str>(&[], "");
    s.append(&format!(
        "[deploy]\ntarget = \"file://{}/site\"\n",
        dest.path().display()
    ));
    s.run_offline().expect("run");
    let o = s.command("deploy", &[]).output().expect("deploy");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let mut local = BTreeMap::new();
    collect(&s.out(), "", &mut local);
    local.retain(|n, _| !n.ends_with(".gz"));
    let mut copied = BTreeMap::new();
    collect(&dest.path().join("site"), "", &mut copied);
    assert_eq!(local, copied);
    let mtime = |n: &str| {
        std::fs::metadata(dest.path().join("site").join(n))
            .and_then(|m| m.modified())
            .expect("mtime")
    };
    let opml = mtime("partners.opml");
    std::thread::sleep(Duration::from_millis(20));
    let cfg = std::fs::read_to_string(s.config()).expect("config");
    std::fs::write(
        s.config(),
        cfg.replace(
            "title = \"Our own report\"",
            "title = \"Our own report, revised\"",
        ),
    )
    .expect("config");
    s.run_offline().expect("run");
    let o = s.command("deploy", &[]).output().expect("deploy");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let index = std::fs::read_to_string(dest.path().join("site/index.html")).expect("index");
    assert!(index.contains("Our own report, revised"));
    assert_eq!(
        mtime("partners.opml"),
        opml,
        "an unchanged file is not copied again"
    );
}

/// Description: `[deploy] gzip = true`.
/// Expect: the text files are stored gzipped under their own names with `Content-Encoding:
/// gzip` and their own type (what a browser or reader decodes to the file's bytes); images are
/// stored as they are; no `.gz` object is uploaded.
#[test]
fn gzip_uploads_text_files_encoded_under_their_own_names() {
    let g = Garage::start();
    g.bucket("site");
    let site = Site::new(g.deploy_table("site", "", "gzip = true"));
    site.run(&g);
    let o = site.deploy(&g);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let files = site.files();
    let r = g.web("GET", "site", "/feed.atom");
    assert_eq!(r.header("content-encoding"), "gzip");
    assert_eq!(
        r.header("content-type"),
        "application/atom+xml; charset=utf-8"
    );
    assert!(
        crate::served::gunzip(&r.body) == files["feed.atom"],
        "the stored bytes are the file, gzipped"
    );
    assert_eq!(g.web("HEAD", "site", "/feed.atom.gz").status, 404);
    if let Some(img) = files.keys().find(|n| n.starts_with("media/")) {
        let r = g.web("GET", "site", &format!("/{img}"));
        assert_eq!(r.header("content-encoding"), "");
        assert!(r.body == files[img]);
    }
}
