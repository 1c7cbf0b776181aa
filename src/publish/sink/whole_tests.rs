//! The sink's tests of a folder staged whole (see [`Stage`](crate::publish::stage::Stage)): a
//! folder of pages that is not there yet waits hidden and is renamed into place once.

use super::tests::{disk, gunzip, out, published_after_a_kill, stage};
use super::{Output, Sink, Written};
use crate::publish::staging::tests::names;

#[cfg(unix)]
#[test]
fn a_folder_not_there_is_staged_whole_and_renamed_once() {
    // Description: pages staged for a folder that is not there yet (a cold run's `partners/`),
    // published with a file of the output folder. Expect: until the publication, no
    // `partners/`, only a hidden folder holding the pages and their copies under their own
    // names; then that very folder (the same inode) is `partners/`, and no hidden one is left.
    use std::os::unix::fs::MetadataExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let stage = stage(p);
    let outs: Vec<Output> = ["a", "b", "c"]
        .iter()
        .map(|n| {
            Output::staged(
                format!("partners/{n}.html"),
                n.as_bytes(),
                &stage,
                crate::publish::precompress::Effort::Fast,
            )
            .expect("staged")
        })
        .chain([out("index.html", b"I")])
        .collect();
    let hidden = p.join(format!(".partners.{}.tmp", stage.token()));
    assert!(!p.join("partners").exists());
    assert_eq!(
        names(&hidden),
        [
            "a.html",
            "a.html.gz",
            "b.html",
            "b.html.gz",
            "c.html",
            "c.html.gz"
        ]
    );
    let inode = std::fs::metadata(&hidden).expect("hidden").ino();
    let mut d = disk(p);
    let r = d.publish(&outs).expect("publish");
    assert!(r.iter().all(|(_, w)| *w == Written::Changed), "{r:?}");
    assert_eq!(names(p), ["index.html", "index.html.gz", "partners"]);
    assert_eq!(
        std::fs::metadata(p.join("partners")).expect("folder").ino(),
        inode
    );
    assert_eq!(
        std::fs::read(p.join("partners/b.html")).expect("page"),
        b"b"
    );
    assert_eq!(gunzip(&p.join("partners/c.html.gz")), b"c");
    assert_eq!(outs[0].bytes().expect("read back").as_ref(), b"a");
}

#[test]
fn a_folder_made_meanwhile_gets_the_staged_pages_one_by_one() {
    // Description: a page staged whole for a new folder, and the folder's index, kept in
    // memory, published with it (the publication makes the folder for the index). Expect:
    // both in the folder with their copies, no hidden folder left.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let stage = stage(p);
    let outs = [
        Output::staged(
            "tags/t.html",
            b"T",
            &stage,
            crate::publish::precompress::Effort::Fast,
        )
        .expect("staged"),
        out("tags/index.html", b"I"),
    ];
    let mut d = disk(p);
    d.publish(&outs).expect("publish");
    assert_eq!(names(p), ["tags"]);
    assert_eq!(
        names(&p.join("tags")),
        ["index.html", "index.html.gz", "t.html", "t.html.gz"]
    );
    assert_eq!(gunzip(&p.join("tags/t.html.gz")), b"T");
}

#[test]
fn a_killed_runs_hidden_folders_are_swept() {
    // Description: hidden folders a killed run staged whole: for a folder this publication
    // writes to (in the output folder, and in a folder of it), for one it does not, and one not
    // of our naming. Expect: the first two are gone, the others stay.
    let dir = published_after_a_kill(
        &[
            ".partners.Ab12Z9.tmp/x.html",
            ".other.Ab12Z9.tmp/y.html",
            ".partners.Ab12.tmp/z.html",
            "site/.pages.Cd34Y8.tmp/p.html",
        ],
        &[out("partners/x.html", b"X"), out("site/pages/y.html", b"Y")],
    );
    let p = dir.path();
    assert_eq!(
        names(p),
        [
            ".other.Ab12Z9.tmp",
            ".partners.Ab12.tmp",
            "partners",
            "site"
        ]
    );
    assert_eq!(names(&p.join("partners")), ["x.html", "x.html.gz"]);
    assert_eq!(
        names(&p.join("site")),
        ["pages"],
        "a folder's parent swept too"
    );
}

#[test]
fn a_file_where_a_folder_staged_whole_goes_fails_the_publication_naming_it() {
    // Description: pages staged whole for `partners/`, then a regular file named `partners`
    // made before the publication. Expect: the publication fails naming `partners` itself, and
    // the file is left as it was.
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let stage = stage(p);
    let page = Output::staged(
        "partners/a.html",
        b"A",
        &stage,
        crate::publish::precompress::Effort::Fast,
    )
    .expect("staged");
    std::fs::write(p.join("partners"), b"in the way").expect("setup");
    let mut d = disk(p);
    let err = d.publish(&[page]).expect_err("a file in the way");
    assert_eq!(err.path, p.join("partners"), "{err}");
    assert_eq!(
        std::fs::read(p.join("partners")).expect("file"),
        b"in the way"
    );
}
