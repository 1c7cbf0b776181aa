//! Issue 27, defect 1: a mirrored image keeps only what decoding needs. A JPEG, a PNG, a GIF and
//! two WebPs, each carrying every kind of metadata (`images`), are mirrored over loopback; no
//! planted secret, GPS marker or carrier survives, each copy still decodes to the same pixels'
//! size (and frame count), and a JPEG keeps its orientation.

use crate::images::{self, GPS_MARK, find};
use crate::{Server, Setup};

/// Carriers whose name or signature must be gone, whatever they held.
const CARRIERS: &[&[u8]] = &[
    b"ICC_PROFILE",
    b"MPF\0",
    b"JFXX",
    b"http://ns.adobe.com/xap",
    b"Photoshop",
    b"Ducky",
    b"jumb",
    b"iCCP",
    b"tEXt",
    b"zTXt",
    b"iTXt",
    b"eXIf",
    b"tIME",
    b"pHYs",
    b"prVt",
    b"caBX",
    b"XMP Data",
    b"ICCRGBG1",
    b"ICCP",
    b"EXIF",
    b"XMP ",
    b"SECR",
];

fn mirrored_copies() -> (Setup, Vec<(&'static str, Vec<u8>)>) {
    let server = Server::start();
    let planted: Vec<(&str, &str, Vec<u8>)> = vec![
        ("/photo.jpg", "jpeg", images::planted_jpeg()),
        ("/chart.png", "png", images::planted_png()),
        ("/loop.gif", "gif", images::planted_gif()),
        ("/still.webp", "webp", images::planted_webp()),
        ("/moving.webp", "anim", images::planted_animated_webp()),
    ];
    for (path, _, bytes) in &planted {
        assert!(String::from_utf8_lossy(bytes).contains("SECRET"), "{path}");
        if let Err(e) = image::load_from_memory(bytes) {
            panic!("{path}: the fixture does not decode: {e}");
        }
    }
    images::serve(&server, &planted);
    let s = Setup::new(&[("Partner", server.url("/feed"))], "");
    images::mirror_on(&s);
    s.run().expect("run");
    let atom = s.feed();
    let copies = planted
        .iter()
        .map(|(path, alt, _)| {
            let at = atom.find(&format!("alt=&quot;{alt}&quot;")).expect("shown");
            let tag = &atom[atom[..at].rfind("&lt;img").expect("an img")..at];
            let src = tag
                .split("src=&quot;https://test.example.org/")
                .nth(1)
                .unwrap_or_else(|| panic!("{path} was not mirrored: {tag}"));
            let file = &src[..src.find("&quot;").expect("end")];
            (*alt, std::fs::read(s.out().join(file)).expect("the copy"))
        })
        .collect();
    drop(server);
    (s, copies)
}

#[test]
fn mirrored_images_keep_only_what_decoding_needs() {
    let (_s, copies) = mirrored_copies();
    for (kind, bytes) in &copies {
        if let Some(at) = find(bytes, b"SECRET") {
            let end = bytes.len().min(at + 30);
            let what = String::from_utf8_lossy(&bytes[at..end]);
            panic!("{kind}: a secret survived at {at}: {what:?}");
        }
        assert!(find(bytes, GPS_MARK).is_none(), "{kind}: GPS survived");
        for carrier in CARRIERS {
            assert!(
                find(bytes, carrier).is_none(),
                "{kind}: {} survived",
                String::from_utf8_lossy(carrier)
            );
        }
        let decoded = image::load_from_memory(bytes).unwrap_or_else(|e| panic!("{kind}: {e}"));
        let size = if *kind == "gif" { (8, 8) } else { (16, 8) };
        assert_eq!((decoded.width(), decoded.height()), size, "{kind}");
    }
    let get = |k: &str| &copies.iter().find(|(kind, _)| *kind == k).expect(k).1;

    let jpeg = get("jpeg");
    assert_eq!(find(jpeg, &[0xFF, 0xD8]), Some(0), "one image");
    assert!(
        jpeg.ends_with(&[0xFF, 0xD9]),
        "nothing after the end of image"
    );
    assert_eq!(jpeg.windows(2).filter(|w| *w == [0xFF, 0xD8]).count(), 1);
    let app1 = app1_of(jpeg).expect("a minimal EXIF block keeps the orientation");
    assert_eq!(feedbraid::publish::media::orientation(&app1), Some(6));
    assert!(app1.len() < 40, "orientation only: {app1:?}");

    let png = get("png");
    assert!(
        png.ends_with(&images::chunk(b"IEND", b"")),
        "nothing after IEND"
    );

    let gif = get("gif");
    assert!(gif.ends_with(b"\x3B"), "nothing after the trailer");
    let loops = find(gif, b"NETSCAPE2.0").expect("the loop is kept");
    assert_eq!(&gif[loops + 11..loops + 16], &[3, 1, 0, 0, 0], "loop only");
    let frames = image::AnimationDecoder::into_frames(
        image::codecs::gif::GifDecoder::new(std::io::Cursor::new(gif)).expect("gif"),
    );
    assert_eq!(frames.count(), 2, "both frames kept");

    for kind in ["webp", "anim"] {
        let webp = get(kind);
        let riff = u32::from_le_bytes(webp[4..8].try_into().expect("size"));
        assert_eq!(
            riff as usize,
            webp.len() - 8,
            "{kind}: nothing after the RIFF"
        );
        let flags = webp[find(webp, b"VP8X").expect("VP8X") + 8];
        assert_eq!(flags & (0x20 | 0x08 | 0x04), 0, "{kind}: flags {flags:#x}");
    }
    let anim = get("anim");
    assert_eq!(anim.windows(4).filter(|w| *w == b"ANMF").count(), 2);
    assert_ne!(
        get("anim")[find(anim, b"VP8X").expect("VP8X") + 8] & 0x02,
        0
    );
}

fn app1_of(jpeg: &[u8]) -> Option<Vec<u8>> {
    let mut i = 2;
    while i + 4 <= jpeg.len() && jpeg[i] == 0xFF {
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        match jpeg[i + 1] {
            0xE1 => return Some(jpeg[i + 4..i + 2 + len].to_vec()),
            0xDA => return None,
            _ => i += 2 + len,
        }
    }
    None
}

/// Copies an earlier version mirrored (with its narrower stripping and bomb check) are checked
/// again when reused: one that still carries metadata is stored stripped, one that is now a
/// bomb is refused; neither is fetched again.
#[test]
fn copies_mirrored_by_an_earlier_version_are_checked_again() {
    let server = Server::start();
    images::serve(
        &server,
        &[
            ("/photo.jpg", "jpeg", images::planted_jpeg()),
            ("/loop.gif", "gif", images::planted_gif()),
        ],
    );
    let s = Setup::new(&[("Partner", server.url("/feed"))], "");
    images::mirror_on(&s);
    s.run().expect("run 1");
    let copies = crate::files_under(&s.out().join("media"));
    assert_eq!(copies.len(), 2);
    for copy in &copies {
        let old = if copy.extension().is_some_and(|e| e == "jpg") {
            images::planted_jpeg()
        } else {
            images::gif_bomb(1, 60_000)
        };
        std::fs::write(copy, old).expect("an old copy");
    }
    let images = || server.requests_to("/photo.jpg").len() + server.requests_to("/loop.gif").len();
    let fetched = images();
    // A new version renders every view again (its allowlist print changes): so does a new config.
    s.append("# upgraded");
    s.run().expect("run 2");
    assert_eq!(images(), fetched, "nothing fetched again");
    let atom = s.feed();
    assert!(
        atom.contains("Image: gif (at 127.0.0.1)"),
        "the bomb is a link now"
    );
    let at = atom
        .find("alt=&quot;jpeg&quot;")
        .expect("the photo is shown");
    let tag = &atom[atom[..at].rfind("&lt;img").expect("img")..at];
    let file = tag
        .split("https://test.example.org/")
        .nth(1)
        .expect("mirrored");
    let file = &file[..file.find("&quot;").expect("end")];
    let shown = std::fs::read(s.out().join(file)).expect("the copy shown");
    assert!(find(&shown, b"SECRET").is_none() && find(&shown, GPS_MARK).is_none());
    assert!(image::load_from_memory(&shown).is_ok());
}
