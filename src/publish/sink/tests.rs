//! The sinks' tests: all or nothing, unchanged files left alone, the gzip copies.

use super::{Disk, Memory, Output, Sink, Written};
use crate::publish::staging::tests::names;

pub(super) fn out(name: &str, bytes: &[u8]) -> Output {
    Output::new(name, bytes.to_vec())
}

/// The disk sink publishing into `dir`.
pub(super) fn disk(dir: &std::path::Path) -> Disk {
    Disk {
        dir: dir.to_path_buf(),
    }
}

/// A folder where a killed run left `files` (paths in it, their folders made), after a
/// publication of `outs` into it.
pub(super) fn published_after_a_kill(files: &[&str], outs: &[Output]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    for f in files {
        std::fs::create_dir_all(p.join(f).parent().expect("folder")).expect("setup");
        std::fs::write(p.join(f), b"t").expect("setup");
    }
    disk(p).publish(outs).expect("publish");
    dir
}

/// A publication's report, as the sinks give it.
fn report(files: &[(&str, Written)]) -> Vec<(String, Written)> {
    files.iter().map(|(n, w)| (n.to_string(), *w)).collect()
}

#[test]
fn disk_writes_reports_and_skips_unchanged_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut d = disk(dir.path());
    // Publishes `files`, expecting `want` as the report and every file's bytes on disk after.
    let mut step = |files: &[(&str, &[u8])], want: &[(&str, Written)]| {
        let outputs: Vec<Output> = files.iter().map(|(n, b)| out(n, b)).collect();
        assert_eq!(d.publish(&outputs).expect("publish"), report(want));
        for (name, bytes) in files {
            assert_eq!(
                std::fs::read(dir.path().join(name)).expect("published"),
                *bytes
            );
        }
    };
    step(
        &[("a.atom", b"A1"), ("archive/2026-03.atom", b"R")],
        &[
            ("a.atom", Written::Changed),
            ("archive/2026-03.atom", Written::Changed),
        ],
    );
    // Existing regular files are replaced; identical ones are left alone.
    step(
        &[("a.atom", b"A2"), ("archive/2026-03.atom", b"R")],
        &[
            ("a.atom", Written::Changed),
            ("archive/2026-03.atom", Written::Unchanged),
        ],
    );
    assert_eq!(
        names(dir.path()),
        vec!["a.atom", "a.atom.gz", "archive"],
        "no temp left"
    );
    assert_eq!(
        names(&dir.path().join("archive")),
        ["2026-03.atom", "2026-03.atom.gz"]
    );
}

fn mtime(p: &std::path::Path) -> std::time::SystemTime {
    std::fs::metadata(p)
        .and_then(|m| m.modified())
        .expect("mtime")
}

pub(super) fn gunzip(p: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    let gz = std::fs::read(p).expect("copy");
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut out)
        .expect("gunzip");
    out
}

#[test]
fn gzip_copies_follow_their_files_and_only_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let mut d = disk(p);
    let r = d
        .publish(&[out("a.atom", b"A1"), out("m.pdf", b"%PDF")])
        .expect("publish");
    assert_eq!(r.len(), 2, "the copies are not reported: {r:?}");
    assert_eq!(
        names(p),
        ["a.atom", "a.atom.gz", "m.pdf"],
        "no copy of a PDF"
    );
    assert_eq!(gunzip(&p.join("a.atom.gz")), b"A1");

    // Unchanged: the copy is left alone. Changed: rewritten with its file.
    let before = mtime(&p.join("a.atom.gz"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    d.publish(&[out("a.atom", b"A1")]).expect("republish");
    assert_eq!(mtime(&p.join("a.atom.gz")), before);
    d.publish(&[out("a.atom", b"A2")]).expect("change");
    assert_eq!(gunzip(&p.join("a.atom.gz")), b"A2");
    assert!(mtime(&p.join("a.atom.gz")) >= mtime(&p.join("a.atom")));

    // A missing copy, and a file edited by hand (newer than its copy), get theirs again,
    // also for a file this publication does not write.
    std::fs::remove_file(p.join("a.atom.gz")).expect("remove");
    std::fs::write(p.join("kept.html"), b"K1").expect("write");
    d.publish(&[out("a.atom", b"A2")]).expect("republish");
    assert_eq!(gunzip(&p.join("a.atom.gz")), b"A2");
    assert_eq!(gunzip(&p.join("kept.html.gz")), b"K1");
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(p.join("kept.html"), b"K2").expect("edit");
    d.publish(&[out("a.atom", b"A2")]).expect("republish");
    assert_eq!(gunzip(&p.join("kept.html.gz")), b"K2");
}

/// A stage for the output folder `dir`.
pub(super) fn stage(dir: &std::path::Path) -> std::sync::Arc<crate::publish::stage::Stage> {
    std::sync::Arc::new(crate::publish::stage::Stage::in_dir(dir).expect("stage"))
}

#[test]
fn many_outputs_are_reported_in_their_order_each_with_its_copy() {
    // Description: 300 outputs, every other one staged as it is rendered, published twice, the
    // second time with every third one changed. Expect: the report lists them in the order
    // given, changed or not as they are; every file and its gzip copy hold its bytes.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let stage = stage(p);
    let outputs = |round: usize| -> Vec<Output> {
        (0..300)
            .map(|i| {
                let text = format!("<p>{i} {}</p>", if i % 3 == 0 { round } else { 0 });
                let name = format!("d{}/f{i}.html", i % 7);
                if i % 2 == 0 {
                    Output::staged(
                        name,
                        text.as_bytes(),
                        &stage,
                        crate::publish::precompress::Effort::Fast,
                    )
                    .expect("staged")
                } else {
                    out(&name, text.as_bytes())
                }
            })
            .collect()
    };
    let mut d = disk(p);
    for round in [1, 2] {
        let outs = outputs(round);
        let r = d.publish(&outs).expect("publish");
        let expected: Vec<(String, Written)> = (0..300)
            .map(|i| {
                let changed = round == 1 || i % 3 == 0;
                let w = if changed {
                    Written::Changed
                } else {
                    Written::Unchanged
                };
                (outs[i].name.clone(), w)
            })
            .collect();
        assert_eq!(r, expected, "round {round}");
        for o in &outs {
            let bytes = o.bytes().expect("bytes");
            assert_eq!(std::fs::read(p.join(&o.name)).expect("file"), &bytes[..]);
            assert_eq!(gunzip(&p.join(format!("{}.gz", o.name))), &bytes[..]);
        }
        for k in 0..7 {
            let listed = names(&p.join(format!("d{k}")));
            assert!(
                listed.iter().all(|n| !n.starts_with('.')),
                "no temp left: {listed:?}"
            );
        }
    }
}

#[test]
fn a_page_staged_when_rendered_is_published_with_its_copy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let stage = stage(p);
    let page = |text: &str| {
        Output::staged(
            "tags/t.html",
            text.as_bytes(),
            &stage,
            crate::publish::precompress::Effort::Fast,
        )
        .expect("staged")
    };
    let mut d = disk(p);
    let r = d
        .publish(&[page("P1"), out("a.atom", b"A1")])
        .expect("publish");
    assert_eq!(r[0], ("tags/t.html".to_string(), Written::Changed));
    assert_eq!(std::fs::read(p.join("tags/t.html")).expect("page"), b"P1");
    assert_eq!(gunzip(&p.join("tags/t.html.gz")), b"P1");
    assert_eq!(
        std::fs::read(p.join("tags/t.html.gz")).expect("copy"),
        crate::publish::precompress::tests::gzip_fast(b"P1").expect("gzip"),
        "the copy staged with the page (level 3), not compressed again"
    );
    assert_eq!(names(p), ["a.atom", "a.atom.gz", "tags"], "no temp seen");
    assert_eq!(names(&p.join("tags")), ["t.html", "t.html.gz"]);

    // Unchanged with its copy gone: the copy alone is staged again.
    std::fs::remove_file(p.join("tags/t.html.gz")).expect("remove");
    let r = d.publish(&[page("P1")]).expect("republish");
    assert_eq!(r[0].1, Written::Unchanged);
    assert_eq!(gunzip(&p.join("tags/t.html.gz")), b"P1");
    d.publish(&[page("P2")]).expect("change");
    assert_eq!(std::fs::read(p.join("tags/t.html")).expect("page"), b"P2");
    assert_eq!(gunzip(&p.join("tags/t.html.gz")), b"P2");
}

#[test]
fn stale_temps_are_removed_from_every_folder_written_to() {
    // Description: temp files of our naming left by a killed run in the output folder and in a
    // folder of pages, for files this publication writes and for one it does not, and another
    // folder's. Expect: those of files written or present are gone, the others stay.
    let dir = published_after_a_kill(
        &[
            ".a.atom.Ab12Z9.tmp",
            "partners/.x.html.Ab12Z9.tmp",
            "partners/.x.html.gz.Cd34Y8.tmp",
            "partners/.gone.html.Ab12Z9.tmp",
            "other/.y.html.Ab12Z9.tmp",
        ],
        &[out("a.atom", b"A"), out("partners/x.html", b"X")],
    );
    let p = dir.path();
    assert_eq!(names(p), ["a.atom", "a.atom.gz", "other", "partners"]);
    assert_eq!(
        names(&p.join("partners")),
        [".gone.html.Ab12Z9.tmp", "x.html", "x.html.gz"]
    );
    assert_eq!(names(&p.join("other")), [".y.html.Ab12Z9.tmp"]);
}

#[test]
fn a_failed_publication_leaves_what_was_staged_nowhere() {
    // Description: a page staged, then a publication that fails on a folder where one of its
    // files goes. Expect: nothing published, and once the run lets go of its outputs no temp
    // file of its stage is left in any folder.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::create_dir_all(p.join("b.atom")).expect("a folder in the way");
    {
        let stage = stage(p);
        let outs = [
            Output::staged(
                "tags/t.html",
                b"P1",
                &stage,
                crate::publish::precompress::Effort::Fast,
            )
            .expect("staged"),
            out("b.atom", b"B"),
        ];
        let mut d = disk(p);
        assert!(d.publish(&outs).is_err());
        let hidden = format!(".tags.{}.tmp", stage.token());
        assert_eq!(
            names(p),
            [hidden, "b.atom".to_string()],
            "nothing published"
        );
    }
    assert_eq!(names(p), ["b.atom"]);
}

#[cfg(unix)]
#[test]
fn published_files_are_world_readable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let mut d = disk(dir.path());
    d.publish(&[out("feed.atom", b"x")]).expect("publish");
    let mode = std::fs::metadata(dir.path().join("feed.atom"))
        .expect("test setup")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}

#[test]
fn a_folder_in_the_way_fails_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join("b.json")).expect("test setup");
    let mut d = disk(dir.path());
    let err = d
        .publish(&[out("a.atom", b"A"), out("b.json", b"B")])
        .expect_err("a folder cannot be replaced");
    assert_eq!(err.path, dir.path().join("b.json"));
    assert_eq!(names(dir.path()), vec!["b.json"], "a.atom not published");
    assert!(d.check(["a.atom"]).is_ok());
    assert!(d.check(["a.atom", "b.json"]).is_err());
}

#[test]
fn memory_reports_like_disk() {
    let mut m = Memory::default();
    let r = m
        .publish(&[out("a", b"1"), out("b", b"2")])
        .expect("publish");
    assert_eq!(
        r,
        report(&[("a", Written::Changed), ("b", Written::Changed)])
    );
    let r = m
        .publish(&[out("a", b"1"), out("b", b"3")])
        .expect("publish");
    assert_eq!(
        r,
        report(&[("a", Written::Unchanged), ("b", Written::Changed)])
    );
    assert_eq!(m.files["b"], b"3");
}

#[test]
fn check_finds_what_is_in_the_way_in_every_folder_and_nothing_where_there_is_no_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let sub = dir.path().join("partners");
    std::fs::create_dir(&sub).expect("test setup");
    std::fs::write(sub.join("a.html"), "a").expect("test setup");
    std::os::unix::fs::symlink("a.html", sub.join("link.html")).expect("test setup");
    let made = std::process::Command::new("mkfifo")
        .arg(sub.join("fifo.html"))
        .status()
        .expect("mkfifo");
    assert!(made.success(), "test setup");
    std::fs::create_dir(sub.join("dir.html")).expect("test setup");
    let d = disk(dir.path());
    assert!(
        d.check(["partners/a.html", "a.html", "months/x.html"])
            .is_ok()
    );
    for name in [
        "partners/link.html",
        "partners/fifo.html",
        "partners/dir.html",
    ] {
        let err = d
            .check(["partners/a.html", "tags/b.html", name, "partners/dir.html"])
            .expect_err(name);
        assert_eq!(err.path, dir.path().join(name), "the first in the way");
    }
    // A file where a folder would be: nothing in it is in the way (staging reports that one).
    std::fs::write(dir.path().join("tags"), "t").expect("test setup");
    assert!(d.check(["tags/b.html"]).is_ok());
}
