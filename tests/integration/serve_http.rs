//! `feedbraid serve` and HTTP's finer points. Issue 27, defect 17: conditional and range requests
//! as RFC 9110 sections 13.1 and 14 have them (`If-Match`, `If-Unmodified-Since`, `If-Range` with
//! a tag or a date, 416 and 412 with the current tag, a 304 with the file's own tag), and HEAD
//! answering as GET does. Issue 21: gzip is written at publish time beside each text output, in
//! the same publication, rewritten only with its source, and served from disk.

use std::time::{Duration, SystemTime};

use crate::served::{Resp, Served, gunzip, published, request};

/// Sets a published file's modification time an hour back (an `If-Range` date must be at least
/// a second older than the answer to be a strong validator).
fn age(path: &std::path::Path) {
    let f = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    f.set_modified(SystemTime::now() - Duration::from_secs(3600))
        .expect("set mtime");
}

fn range(srv: &Served, extra: &[(&str, &str)]) -> Resp {
    let mut h = vec![("Range", "bytes=0-9")];
    h.extend_from_slice(extra);
    srv.get("/feed.atom", &h)
}

#[test]
fn conditional_and_range_requests_follow_rfc_9110() {
    let s = published();
    age(&s.out().join("feed.atom"));
    let file = std::fs::read(s.out().join("feed.atom")).expect("feed.atom");
    let srv = Served::start(&s, &[]);
    let full = srv.get("/feed.atom", &[]);
    assert_eq!(full.status, 200);
    assert_eq!(full.header("accept-ranges"), "bytes");
    let (tag, modified) = (
        full.header("etag").to_string(),
        full.header("last-modified"),
    );
    let modified = modified.to_string();

    // If-Match: the current tag (and `*`) passes, another fails with the current tag.
    for good in [tag.as_str(), "*", &format!("\"nope\", {tag}")] {
        let r = srv.get("/feed.atom", &[("If-Match", good)]);
        assert_eq!(
            (r.status, r.body.len()),
            (200, file.len()),
            "If-Match: {good}"
        );
    }
    let weak = format!("W/{tag}");
    for bad in ["\"nope\"", weak.as_str()] {
        let r = srv.get("/feed.atom", &[("If-Match", bad)]);
        assert_eq!(r.status, 412, "If-Match: {bad} (strong comparison)");
        assert_eq!(r.header("etag"), tag, "412 carries the current tag");
    }
    let r = srv.get(
        "/feed.atom",
        &[("If-Unmodified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")],
    );
    assert_eq!((r.status, r.header("etag")), (412, tag.as_str()));
    assert_eq!(
        srv.get("/feed.atom", &[("If-Unmodified-Since", &modified)])
            .status,
        200
    );

    // A range, alone and with an If-Range that holds (the tag, the exact date).
    for extra in [
        vec![],
        vec![("If-Range", tag.as_str())],
        vec![("If-Range", &modified)],
    ] {
        let r = range(&srv, &extra);
        assert_eq!(r.status, 206, "{extra:?}");
        assert_eq!(r.body, file[..10], "{extra:?}");
        assert_eq!(
            r.header("content-range"),
            format!("bytes 0-9/{}", file.len())
        );
        assert_eq!(r.header("etag"), tag);
    }
    // If-Range that does not hold: the whole file, 200, never a piece of another version.
    for stale in [
        "\"stale\"",
        weak.as_str(),
        "Mon, 01 Jan 2001 00:00:00 GMT",
        "Thu, 01 Jan 2099 00:00:00 GMT",
    ] {
        let r = range(&srv, &[("If-Range", stale)]);
        assert_eq!(
            (r.status, r.body.len()),
            (200, file.len()),
            "If-Range: {stale}"
        );
        assert!(r.header("content-range").is_empty(), "If-Range: {stale}");
    }
    // Unsatisfiable: 416 with the size and the current tag.
    let r = srv.get(
        "/feed.atom",
        &[("Range", &format!("bytes={}-", file.len()))],
    );
    assert_eq!(r.status, 416);
    assert_eq!(r.header("content-range"), format!("bytes */{}", file.len()));
    assert_eq!(r.header("etag"), tag);
    // A suffix range, and a range past the end (trimmed).
    let r = srv.get("/feed.atom", &[("Range", "bytes=-5")]);
    assert_eq!(
        (r.status, r.body.as_slice()),
        (206, &file[file.len() - 5..])
    );
    let r = srv.get("/feed.atom", &[("Range", "bytes=5-999999999")]);
    assert_eq!((r.status, r.body.as_slice()), (206, &file[5..]));

    // A 304 carries the file's current tag, not the one the client sent.
    for held in [weak.as_str(), &format!("\"x\", {tag}"), "*"] {
        let r = srv.get("/feed.atom", &[("If-None-Match", held)]);
        assert_eq!((r.status, r.header("etag")), (304, tag.as_str()), "{held}");
    }
    let r = srv.get(
        "/feed.atom",
        &[(
            "If-None-Match",
            &format!("{}-gzip\"", tag.trim_end_matches('"')),
        )],
    );
    assert_eq!(r.status, 200, "the gzip tag is not the identity's");
}

#[test]
fn head_and_get_agree_and_gzip_comes_from_disk() {
    let s = published();
    let out = s.out();
    // Every text output has its gzip copy, equal to it once decompressed; media types do not.
    for name in [
        "feed.atom",
        "feed.json",
        "index.html",
        "embed.html",
        "partners.opml",
        "feed.xsl",
        "status.json",
    ] {
        let gz = std::fs::read(out.join(format!("{name}.gz")))
            .unwrap_or_else(|e| panic!("{name}.gz: {e}"));
        let plain = std::fs::read(out.join(name)).expect("published");
        assert_eq!(gunzip(&gz), plain, "{name}.gz");
    }
    let srv = Served::start(&s, &[]);
    let gzip = [("Accept-Encoding", "gzip, deflate, br")];
    for path in ["/feed.atom", "/", "/feed.json", "/status.json"] {
        for accept in [&gzip[..], &[]] {
            let get = srv.get(path, accept);
            let head = request(&srv.addr, "HEAD", path, accept);
            assert_eq!(get.status, 200, "{path}");
            assert_eq!(head.status, 200, "{path}");
            for h in [
                "content-encoding",
                "etag",
                "content-type",
                "vary",
                "last-modified",
            ] {
                assert_eq!(get.header(h), head.header(h), "{path} {h} {accept:?}");
            }
            assert_eq!(head.header("content-length"), get.body.len().to_string());
            assert!(head.body.is_empty());
        }
    }
    // The gzip body is the file on disk, byte for byte: compressed once, at publish time.
    let gz = srv.get("/feed.atom", &gzip);
    assert_eq!(gz.header("content-encoding"), "gzip");
    assert_eq!(
        gz.body,
        std::fs::read(out.join("feed.atom.gz")).expect("feed.atom.gz")
    );
    assert!(
        gz.header("vary")
            .to_ascii_lowercase()
            .contains("accept-encoding")
    );
    // No gzip for a client that refuses it.
    let r = srv.get("/feed.atom", &[("Accept-Encoding", "gzip;q=0, br")]);
    assert!(r.header("content-encoding").is_empty());

    // A second run leaves unchanged files and their copies alone, and counts no copy.
    let before = std::fs::metadata(out.join("feed.atom.gz"))
        .and_then(|m| m.modified())
        .expect("mtime");
    let again = s.run_offline().expect("second run");
    assert!(
        again.written.iter().all(|(n, _)| !n.ends_with(".gz")),
        "{:?}",
        again.written
    );
    let after = std::fs::metadata(out.join("feed.atom.gz"))
        .and_then(|m| m.modified())
        .expect("mtime");
    assert_eq!(before, after, "not rewritten");

    // A file changed by hand is newer than its copy: the copy is not served.
    std::thread::sleep(Duration::from_millis(20));
    std::fs::write(out.join("feed.atom"), b"<feed/>").expect("rewrite");
    let r = srv.get("/feed.atom", &gzip);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"<feed/>"[..]));
    assert!(r.header("content-encoding").is_empty());
    // The next run publishes again, and rewrites the copy with it.
    s.run_offline().expect("third run");
    let r = srv.get("/feed.atom", &gzip);
    assert_eq!(r.header("content-encoding"), "gzip");
    assert_eq!(
        gunzip(&r.body),
        std::fs::read(out.join("feed.atom")).expect("feed.atom")
    );
}
