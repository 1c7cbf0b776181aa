//! Issue 27, defect 3: the decompression-bomb check covers every format and every frame. Small
//! files claiming huge WebP bitstreams, WebP canvases and animation frames, GIF frames behind a
//! 1×1 screen, and APNG frames behind a 16×8 image are refused, reported, never stored and never
//! hot-linked; a sound animated GIF and WebP beside them are still mirrored.

use crate::images::{self, anmf, riff, vp8l_header, vp8x};
use crate::{Server, Setup};

#[test]
fn huge_frames_in_any_format_are_refused_as_bombs() {
    let server = Server::start();
    let bombs: Vec<(&str, &str, Vec<u8>)> = vec![
        (
            "/lossless.webp",
            "VP8L 16383",
            riff(&[vp8l_header(16383, 16383)]),
        ),
        (
            "/canvas.webp",
            "VP8X canvas",
            riff(&[vp8x(0, 1 << 24, 1 << 24), vp8l_header(1, 1)]),
        ),
        (
            "/frame.webp",
            "ANMF frame",
            riff(&[
                vp8x(0x02, 16, 8),
                images::riff_chunk(b"ANIM", &[0; 6]),
                anmf(20_000, 20_000, &vp8l_header(16, 8)),
            ]),
        ),
        (
            "/inner.webp",
            "bitstream in a frame",
            riff(&[
                vp8x(0x02, 16, 8),
                images::riff_chunk(b"ANIM", &[0; 6]),
                anmf(16, 8, &vp8l_header(16384, 16384)),
            ]),
        ),
        ("/screen.gif", "GIF frame", images::gif_bomb(1, 60_000)),
        ("/apng.png", "APNG frame", images::apng_bomb(30_000, 30_000)),
    ];
    let sound: Vec<(&str, &str, Vec<u8>)> = vec![
        ("/ok.gif", "Sound GIF", images::planted_gif()),
        ("/ok.webp", "Sound WebP", images::planted_animated_webp()),
    ];
    let all: Vec<(&str, &str, Vec<u8>)> = bombs.iter().chain(&sound).cloned().collect();
    images::serve(&server, &all);
    let s = Setup::new(&[("Partner", server.url("/feed"))], "");
    images::mirror_on(&s);
    s.run().expect("run");

    let stored = crate::files_under(&s.out().join("media"));
    assert_eq!(
        stored.len(),
        sound.len(),
        "only the sound images: {stored:?}"
    );
    let status: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(s.out().join("status.json")).expect("status"),
    )
    .expect("json");
    let refused = status["media"]["refused"]
        .as_array()
        .expect("refused images")
        .clone();
    for (path, alt, _) in &bombs {
        let url = server.url(path);
        let why = refused
            .iter()
            .find(|r| r[0] == url.as_str())
            .unwrap_or_else(|| panic!("{alt} not refused: {refused:?}"));
        assert!(
            why[1]
                .as_str()
                .is_some_and(|w| w.contains("decompression bomb")),
            "{alt}: {why}"
        );
    }
    let origin = server.url("/");
    for (file, text) in s.outputs() {
        for part in text.split("src=").skip(1) {
            let part = part
                .trim_start_matches(['"', '\\'])
                .trim_start_matches("&quot;");
            assert!(
                !part.starts_with(origin.trim_end_matches('/')),
                "{file}: {part:.60}"
            );
        }
    }
    let atom = s.feed();
    for (_, alt, _) in &bombs {
        assert!(
            atom.contains(&format!("Image: {alt} (at 127.0.0.1)")),
            "{alt}"
        );
    }
}
