//! Mirroring over loopback: a partner's photo with GPS EXIF, XMP and a comment is mirrored
//! stripped (orientation kept, still decodable), every output points at the copy, nothing is
//! fetched twice, and hostile images (SVG served as PNG, over the size cap, a decompression-bomb
//! PNG) are refused, reported, never stored and never hot-linked.

use crate::{Reply, Server, Setup};

const GPS_MARK: &[u8] = b"GPS-59.3293N-18.0686E";
const XMP_MARK: &[u8] = b"SECRET-XMP-CAPTION";
const SERIAL: &[u8] = b"CAMERA-SERIAL-12345";

fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&u16::try_from(body.len() + 2).expect("len").to_be_bytes());
    s.extend_from_slice(body);
    s
}

/// A real 16×8 JPEG with an EXIF block (orientation 6 and a GPS marker), an XMP packet and a
/// comment, inserted after SOI.
fn phone_photo() -> Vec<u8> {
    let img = image::RgbImage::from_fn(16, 8, |x, _| image::Rgb([(x * 15) as u8, 80, 160]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode_image(&img)
        .expect("encode");
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation = 6
    tiff.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]); // GPS IFD pointer
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(GPS_MARK);
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&tiff);
    let mut xmp = b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>".to_vec();
    xmp.extend_from_slice(XMP_MARK);
    xmp.extend_from_slice(b"</x:xmpmeta>");
    let mut out = jpeg[..2].to_vec();
    out.extend(segment(0xE1, &exif));
    out.extend(segment(0xE1, &xmp));
    out.extend(segment(0xFE, SERIAL));
    out.extend_from_slice(&jpeg[2..]);
    out
}

fn bomb_png() -> Vec<u8> {
    let mut p = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    p.extend_from_slice(&100_000u32.to_be_bytes());
    p.extend_from_slice(&100_000u32.to_be_bytes());
    p.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    p
}

fn feed(server: &Server) -> Vec<u8> {
    let img =
        |path: &str, alt: &str| format!("&lt;img src=\"{}\" alt=\"{alt}\"&gt;", server.url(path));
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>P</title><link>https://p.example.org/</link>\
         <item><title>Outreach night</title><link>https://p.example.org/1</link>\
         <description>&lt;p&gt;Photos&lt;/p&gt;{}{}{}{}</description></item></channel></rss>",
        img("/photo.jpg", "Outreach van"),
        img("/fake.png", "Fake"),
        img("/huge.png", "Huge"),
        img("/bomb.png", "Bomb"),
    )
    .into_bytes()
}

#[test]
fn photos_are_mirrored_stripped_and_hostile_images_refused() {
    let server = Server::start();
    server.route(
        "/feed",
        vec![Reply::ok(feed(&server), "application/rss+xml")],
    );
    server.route("/photo.jpg", vec![Reply::ok(phone_photo(), "image/jpeg")]);
    server.route(
        "/fake.png",
        vec![Reply::ok(
            b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".to_vec(),
            "image/png",
        )],
    );
    let mut huge = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x10\0\0\0\x10".to_vec();
    huge.resize(300 * 1024, 0);
    server.route("/huge.png", vec![Reply::ok(huge, "image/png")]);
    server.route("/bomb.png", vec![Reply::ok(bomb_png(), "image/png")]);
    let s = Setup::new(&[("Partner", server.url("/feed"))], "");
    let cfg = std::fs::read_to_string(s.config()).expect("cfg");
    let cfg = cfg.replacen(
        "[fetch]",
        "[output]\nmirror_media = true\nmedia_max_bytes = 102400\n\n[fetch]",
        1,
    );
    std::fs::write(s.config(), cfg).expect("write");
    s.run().expect("run");

    let media: Vec<std::path::PathBuf> = crate::files_under(&s.out().join("media"));
    assert_eq!(media.len(), 1, "only the photo is stored: {media:?}");
    let stored = std::fs::read(&media[0]).expect("read");
    for secret in [
        GPS_MARK,
        XMP_MARK,
        SERIAL,
        b"http://ns.adobe.com/xap".as_slice(),
    ] {
        assert!(
            !stored.windows(secret.len()).any(|w| w == secret),
            "{} survived",
            String::from_utf8_lossy(secret)
        );
    }
    let app1 = find_app1(&stored).expect("a minimal EXIF block keeps the orientation");
    assert_eq!(feedbraid::publish::media::orientation(&app1), Some(6));
    let decoded = image::load_from_memory(&stored).expect("still an image");
    assert_eq!((decoded.width(), decoded.height()), (16, 8));

    let name = media[0]
        .strip_prefix(s.out())
        .expect("under output")
        .to_string_lossy()
        .into_owned();
    let local = format!("https://test.example.org/{name}");
    let atom = s.feed();
    assert!(
        atom.contains(&format!("src=&quot;{local}&quot;")),
        "feed.atom points at the copy"
    );
    // No output loads anything from the partner's server; refused images are plain links.
    for (file, text) in s.outputs() {
        let origin = server.url("/");
        let origin = origin.trim_end_matches('/');
        for attr in ["src=\"", "src=&quot;", "poster=", "srcset="] {
            for part in text.split(attr).skip(1) {
                assert!(!part.starts_with(origin), "{file} loads {part:.60}");
            }
        }
        if file.ends_with(".atom") || file == "index.html" {
            assert!(
                text.contains("Image: Fake (at 127.0.0.1)"),
                "{file}: refused image is a link"
            );
        }
    }
    let status: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(s.out().join("status.json")).expect("status"),
    )
    .expect("json");
    assert_eq!(status["media"]["mirrored"], 1);
    let refused = status["media"]["refused"].to_string();
    for why in ["SVG", "larger than media_max_bytes", "decompression bomb"] {
        assert!(refused.contains(why), "{why} not in {refused}");
    }

    // Across runs an unchanged image is not fetched again.
    let before = server.requests_to("/photo.jpg").len();
    s.run().expect("run 2");
    assert_eq!(
        server.requests_to("/photo.jpg").len(),
        before,
        "fetched twice"
    );
    assert_eq!(crate::files_under(&s.out().join("media")).len(), 1);
}

fn find_app1(jpeg: &[u8]) -> Option<Vec<u8>> {
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let marker = jpeg[i + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        if marker == 0xE1 {
            return Some(jpeg[i + 4..i + 2 + len].to_vec());
        }
        if marker == 0xDA {
            return None;
        }
        i += 2 + len;
    }
    None
}

#[test]
fn closed_archives_never_hot_link_either() {
    let server = Server::start();
    server.route(
        "/feed",
        vec![Reply::ok(feed(&server), "application/rss+xml")],
    );
    server.route("/photo.jpg", vec![Reply::ok(phone_photo(), "image/jpeg")]);
    let s = Setup::new(&[("Partner", server.url("/feed"))], "");
    let cfg = std::fs::read_to_string(s.config()).expect("cfg");
    let cfg = cfg.replacen(
        "[fetch]",
        "[output]\nmirror_media = true\n\n[archive]\nenabled = true\n\n[fetch]",
        1,
    );
    std::fs::write(s.config(), cfg).expect("write");
    let at = |y, m, d| chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, y, m, d, 12, 0, 0).single();
    for now in [at(2026, 1, 10), at(2026, 3, 1)] {
        feedbraid::ops::run::run(&feedbraid::ops::run::RunOptions {
            config: s.config(),
            now,
            ..Default::default()
        })
        .expect("run");
    }
    let archive =
        std::fs::read_to_string(s.out().join("archive/2026-01.atom")).expect("January, closed");
    assert!(archive.contains("Outreach night"), "the entry is archived");
    assert!(
        archive.contains("Image: Outreach van (at 127.0.0.1)"),
        "{archive}"
    );
    let origin = server.url("/");
    assert!(
        !archive.contains(&format!("src=&quot;{}", origin.trim_end_matches('/'))),
        "hot-link in the archive"
    );
    assert!(
        !archive.contains("src=&quot;https://test.example.org/media/"),
        "archives cannot rely on copies that get deleted"
    );
}
