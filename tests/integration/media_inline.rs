//! Issue 27, defect 2: an inline `data:` image is never published as received. With mirroring
//! on, it is decoded, checked and stripped like a fetched image and published as a mirrored
//! file; one that cannot be mirrored (AVIF, a bomb, not base64) becomes its alt text. With
//! mirroring off, every inline image becomes its alt text. The pages' Content-Security-Policy no
//! longer allows `data:` images.

use base64::Engine;

use crate::images::{self, GPS_MARK, find};
use crate::{Server, Setup};

fn avif() -> Vec<u8> {
    let mut a = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf".to_vec();
    a.extend_from_slice(GPS_MARK);
    a
}

fn data_url(mime: &str, bytes: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(bytes);
    format!("data:{mime};base64,{b64}")
}

/// A partner whose one entry shows a phone photo, an AVIF, an APNG bomb and a percent-encoded
/// PNG, all inline.
fn partner(mirror: bool) -> (Server, Setup, String) {
    let server = Server::start();
    let photo = data_url("image/jpeg", &images::planted_jpeg());
    let shown = vec![
        (photo.clone(), "Inline van"),
        (data_url("image/avif", &avif()), "Inline avif"),
        (
            data_url("image/png", &images::apng_bomb(30_000, 30_000)),
            "Inline bomb",
        ),
        (
            "data:image/png;charset=binary,%89PNG%0D%0A".to_string(),
            "Inline percent",
        ),
    ];
    server.route(
        "/feed",
        vec![crate::Reply::ok(
            images::feed_showing(&shown),
            "application/rss+xml",
        )],
    );
    let s = Setup::new(&[("Partner", server.url("/feed"))], "");
    if mirror {
        images::mirror_on(&s);
    }
    s.run().expect("run");
    // A run of the photo's base64 long enough to be unmistakable.
    let piece = photo[photo.len() / 2..photo.len() / 2 + 40].to_string();
    (server, s, piece)
}

fn nothing_inline_published(s: &Setup, piece: &str) {
    let outputs = s.outputs();
    assert!(outputs.iter().any(|(f, _)| f == "feed.json"), "{outputs:?}");
    for (file, text) in &outputs {
        assert!(
            !text.to_ascii_lowercase().contains("data:image"),
            "{file} publishes data:"
        );
        assert!(!text.contains(piece), "{file} publishes the photo's bytes");
    }
    for alt in ["Inline avif", "Inline bomb", "Inline percent"] {
        assert!(s.feed().contains(&format!("Image: {alt}")), "{alt}");
    }
    for (file, text) in &outputs {
        if file.ends_with(".html") {
            let csp = text
                .split("Content-Security-Policy\" content=\"")
                .nth(1)
                .map(|c| &c[..c.find('"').unwrap_or(c.len())]);
            if let Some(csp) = csp {
                assert!(!csp.contains("data:"), "{file}: {csp}");
                assert!(csp.contains("img-src 'self'"), "{file}: {csp}");
            }
        }
    }
}

#[test]
fn inline_images_are_mirrored_stripped_when_mirroring() {
    let (_server, s, piece) = partner(true);
    nothing_inline_published(&s, &piece);
    let media = crate::files_under(&s.out().join("media"));
    assert_eq!(media.len(), 1, "only the photo: {media:?}");
    let copy = std::fs::read(&media[0]).expect("copy");
    assert!(!String::from_utf8_lossy(&copy).contains("SECRET"));
    assert!(find(&copy, GPS_MARK).is_none());
    assert_eq!(image::load_from_memory(&copy).expect("decodes").width(), 16);
    let name = media[0].strip_prefix(s.out()).expect("under output");
    let local = format!(
        "src=&quot;https://test.example.org/{}&quot;",
        name.display()
    );
    assert!(s.feed().contains(&local), "the photo points at its copy");
    assert!(s.feed().contains("alt=&quot;Inline van&quot;"));
}

#[test]
fn inline_images_become_their_alt_text_without_mirroring() {
    let (_server, s, piece) = partner(false);
    nothing_inline_published(&s, &piece);
    assert!(s.feed().contains("Image: Inline van"));
    assert!(!s.out().join("media").exists(), "nothing mirrored");
}
