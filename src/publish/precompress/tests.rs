//! The gzip copies' tests: each effort's bytes, the buffers kept per thread, and which copies are
//! current or missing.

use super::*;

/// A copy at [`Effort::Fast`], returned.
pub(in crate::publish) fn gzip_fast(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    gzip_then(Effort::Fast, bytes, <[u8]>::to_vec)
}

#[test]
fn each_effort_makes_a_copy_of_the_same_bytes_smaller_the_harder_it_works() {
    // Description: a large page of varied text (above the size the best level is kept
    // for) and a small one, copied at each effort.
    // Expect: every copy unzips to its source; the large one's copies shrink from Fast to
    // Medium to Full (levels 1, 6, 7); the small one's Medium and Full copies are alike
    // (the best level).
    let large: String = (0..4000)
        .map(|i| format!("<p>entry {i}: {} of {}</p>\n", i * 7919 % 1000, i % 37))
        .collect();
    let small = &large[..4000];
    let copy = |effort, bytes: &[u8]| gzip_then(effort, bytes, <[u8]>::to_vec).expect("gzip");
    let [fast, medium, full] =
        [Effort::Fast, Effort::Medium, Effort::Full].map(|e| copy(e, large.as_bytes()));
    for gz in [&fast, &medium, &full] {
        assert_eq!(gunzip(gz), large.as_bytes());
    }
    assert!(
        fast.len() > medium.len() && medium.len() > full.len(),
        "{} {} {}",
        fast.len(),
        medium.len(),
        full.len()
    );
    assert_eq!(
        copy(Effort::Medium, small.as_bytes()),
        copy(Effort::Full, small.as_bytes())
    );
    assert_eq!(
        gunzip(&copy(Effort::Medium, small.as_bytes())),
        small.as_bytes()
    );
}

#[test]
fn text_outputs_get_copies_and_nothing_else() {
    for n in [
        "feed.atom",
        "zh.json",
        "index.html",
        "feed.rss",
        "archive/2026-03.atom",
    ] {
        assert!(compressible(n), "{n}");
    }
    for n in [
        "feed.atom.gz",
        "a.pdf",
        "media/ab/cd.jpg",
        ".atom",
        "state.db",
        "atom",
    ] {
        assert!(!compressible(n), "{n}");
    }
    assert_eq!(copy_name("archive/2026-03.atom"), "archive/2026-03.atom.gz");
}

#[test]
fn gzip_is_deterministic_and_decodes() {
    let text = "<feed>".repeat(1000);
    let (a, b) = (gzip(text.as_bytes()), gzip(text.as_bytes()));
    let a = a.expect("gzip");
    assert_eq!(a, b.expect("gzip"));
    assert!(a.len() < text.len() / 10);
    let mut back = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&a[..]), &mut back)
        .expect("gunzip");
    assert_eq!(back, text);
}

fn gunzip(gz: &[u8]) -> Vec<u8> {
    let mut back = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(gz), &mut back).expect("gunzip");
    back
}

#[test]
fn each_size_and_the_fast_copies_decode_to_their_source() {
    // Both sides of the best level's limit, empty, and text that does not compress.
    let noise: Vec<u8> = (0u32..40_000)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let inputs = [
        Vec::new(),
        b"<p>".repeat(BEST_UP_TO / 3),
        b"<p>".repeat(BEST_UP_TO / 3 + 1),
        noise,
    ];
    for bytes in &inputs {
        assert_eq!(gunzip(&gzip(bytes).expect("gzip")), *bytes);
        assert_eq!(gunzip(&gzip_fast(bytes).expect("gzip")), *bytes);
    }
}

#[test]
fn a_copy_is_its_own_bytes_after_a_larger_one_and_past_the_kept_buffer() {
    // Description: one thread compresses a large input, a small one (into the buffer the
    // large one's copy filled), one whose bound is past `KEPT_UP_TO`, then the small one
    // again, at both qualities. Expect: each copy is what a new thread makes of its input,
    // byte for byte, and decodes to it.
    let large: Vec<u8> = (0u32..300_000)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let small = b"<p>small</p>".repeat(10);
    let past = b"<entry>".repeat(KEPT_UP_TO / 7 + 1);
    let inputs = [large, small.clone(), past, small];
    type Gz = fn(&[u8]) -> std::io::Result<Vec<u8>>;
    for gz in [gzip_fast as Gz, gzip as Gz] {
        let here: Vec<Vec<u8>> = inputs.iter().map(|b| gz(b).expect("gzip")).collect();
        for (bytes, copy) in inputs.iter().zip(&here) {
            let theirs = bytes.clone();
            let fresh = std::thread::spawn(move || gz(&theirs).expect("gzip"))
                .join()
                .expect("thread");
            assert_eq!(*copy, fresh);
            assert_eq!(gunzip(copy), *bytes);
        }
    }
}

#[test]
fn a_thread_keeps_a_buffer_up_to_a_mebibyte_and_no_larger() {
    assert!(
        kept(0) && kept(64 * 1024),
        "small copies use the kept buffer"
    );
    assert!(kept(1 << 20), "up to 1 MiB");
    assert!(
        !kept((1 << 20) + 1),
        "a larger copy gets a buffer of its own"
    );
    // On a thread of its own (a fresh buffer): a page's copy is made in the kept buffer, a
    // copy larger than the bound is not, and the buffer stays as it was.
    let held = std::thread::spawn(|| {
        let held = || OUT.with(|b| b.borrow().capacity());
        gzip_fast(b"<p>a page</p>").expect("small");
        let small = held();
        let large: Vec<u8> = (0..3_000_000u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
            .collect();
        gzip_fast(&large).expect("large");
        (small, held())
    })
    .join()
    .expect("thread");
    assert!(held.0 > 0, "the page's copy was made in the kept buffer");
    assert_eq!(
        held.1, held.0,
        "the large copy left the kept buffer as it was"
    );
}

#[test]
fn a_thread_s_fast_compressor_carries_nothing_from_one_page_to_the_next() {
    let a = "<article>one</article>".repeat(300);
    let b = "<li>two</li>".repeat(500);
    let first = gzip_fast(a.as_bytes()).expect("gzip");
    let between = gzip_fast(b.as_bytes()).expect("gzip");
    assert_eq!(gzip_fast(a.as_bytes()).expect("gzip"), first);
    assert_eq!(gunzip(&between), b.as_bytes());
    let fresh = std::thread::spawn(move || gzip_fast(a.as_bytes()).expect("gzip"))
        .join()
        .expect("thread");
    assert_eq!(fresh, first, "the same bytes from a new compressor");
}

#[test]
fn a_copy_older_than_its_source_is_not_current() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("feed.atom");
    std::fs::write(&src, "new").expect("write");
    assert!(!has_current_copy(&src), "no copy");
    std::fs::write(dir.path().join("feed.atom.gz"), "gz").expect("write");
    assert!(has_current_copy(&src));
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    std::fs::File::options()
        .write(true)
        .open(dir.path().join("feed.atom.gz"))
        .and_then(|f| f.set_modified(old))
        .expect("age the copy");
    assert!(!has_current_copy(&src), "stale");
    assert_eq!(without_current_copy(dir.path(), "x/"), vec!["x/feed.atom"]);
}

#[cfg(unix)]
#[test]
fn the_listing_names_each_file_whose_copy_is_missing_or_stale_and_free_to_write() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
    let write = |name: &str| std::fs::write(p.join(name), "x").expect("write");
    let age = |name: &str| {
        std::fs::File::options()
            .write(true)
            .open(p.join(name))
            .and_then(|f| f.set_modified(old))
            .expect("age");
    };
    write("current.html");
    write("current.html.gz");
    write("missing.json");
    write("stale.atom");
    write("stale.atom.gz");
    age("stale.atom.gz");
    write("linked.xml");
    std::os::unix::fs::symlink(p.join("current.html.gz"), p.join("linked.xml.gz"))
        .expect("symlink");
    write("foldered.opml");
    std::fs::create_dir(p.join("foldered.opml.gz")).expect("mkdir");
    write(".hidden.html");
    write("picture.png");
    write(".feed.atom.aB3xY9.tmp");
    std::os::unix::fs::symlink(p.join("current.html"), p.join("link.html")).expect("symlink");
    assert_eq!(
        without_current_copy(p, ""),
        vec!["missing.json", "stale.atom"],
        "a link or a folder where the copy goes is not replaced; hidden, temp, linked and \
         binary files get no copy"
    );
}
