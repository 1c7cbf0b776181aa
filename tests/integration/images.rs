//! Hostile images for the media tests, built here from real encoder output (the `image` crate's
//! JPEG, PNG, GIF and WebP encoders) with every kind of metadata carrier planted in them: each
//! carrier holds a `SECRET-…` string, and EXIF blocks hold a GPS marker. Also the decompression
//! bombs of issue 27 (huge WebP and GIF frames behind small canvases), and a partner feed that
//! references a list of images.

use image::{ImageEncoder, RgbImage, RgbaImage};

use crate::Server;

pub const GPS_MARK: &[u8] = b"GPS-59.3293N-18.0686E";

/// A 16×8 gradient, the pixels of every fixture.
pub fn pixels() -> RgbImage {
    RgbImage::from_fn(16, 8, |x, y| {
        image::Rgb([(x * 15) as u8, (y * 30) as u8, 160])
    })
}

/// A JPEG segment: marker, length, body.
pub fn segment(marker: u8, body: &[u8]) -> Vec<u8> {
    let mut s = vec![0xFF, marker];
    s.extend_from_slice(&u16::try_from(body.len() + 2).expect("len").to_be_bytes());
    s.extend_from_slice(body);
    s
}

/// A big-endian TIFF block with orientation 6 and a GPS IFD pointer, followed by the GPS marker.
pub fn tiff_with_gps() -> Vec<u8> {
    let mut tiff = b"MM\0\x2a\0\0\0\x08".to_vec();
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&[0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0]); // Orientation = 6
    tiff.extend_from_slice(&[0x88, 0x25, 0, 4, 0, 0, 0, 1, 0, 0, 0, 38]); // GPS IFD pointer
    tiff.extend_from_slice(&0u32.to_be_bytes());
    tiff.extend_from_slice(GPS_MARK);
    tiff
}

pub fn exif_app1() -> Vec<u8> {
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&tiff_with_gps());
    segment(0xE1, &exif)
}

fn plain_jpeg() -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode_image(&pixels())
        .expect("encode");
    jpeg
}

/// A 16×8 JPEG carrying every metadata segment a camera, a phone or an editor writes, one
/// between the tables, and a second JPEG (with GPS EXIF) and a vendor trailer after its end.
pub fn planted_jpeg() -> Vec<u8> {
    let jpeg = plain_jpeg();
    let mut head = jpeg[..2].to_vec();
    head.extend(segment(0xE0, b"JFXX\0\x10SECRET-JFXX-THUMBNAIL"));
    head.extend(exif_app1());
    head.extend(segment(
        0xE1,
        b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta>SECRET-XMP</x:xmpmeta>",
    ));
    head.extend(segment(0xE2, b"ICC_PROFILE\0\x01\x01SECRET-ICC-DESC"));
    head.extend(segment(0xE2, b"MPF\0MM\0\x2a\0\0\0\x08SECRET-MPF"));
    head.extend(segment(0xE4, b"SECRET-APP4"));
    head.extend(segment(
        0xEB,
        b"JP\0\x01\0\0\0\x01\0\0\0\x20jumbc2paSECRET-C2PA",
    ));
    head.extend(segment(0xEC, b"Ducky\0SECRET-APP12"));
    head.extend(segment(0xED, b"Photoshop 3.0\08BIM\x04\x04SECRET-IPTC"));
    head.extend(segment(0xEE, b"Adobe\0\x64\0\0\0\0\x01"));
    head.extend(segment(0xEF, b"SECRET-APP15"));
    head.extend(segment(0xFE, b"SECRET-COMMENT"));
    let rest = &jpeg[2..];
    let sos = rest
        .windows(2)
        .position(|w| w == [0xFF, 0xDA])
        .expect("a scan");
    let mut out = head;
    out.extend_from_slice(&rest[..sos]);
    out.extend(segment(0xFE, b"SECRET-BEFORE-SCAN"));
    out.extend_from_slice(&rest[sos..]);
    // After the end-of-image marker: a second JPEG with its own EXIF, and a vendor trailer.
    let second = plain_jpeg();
    out.extend_from_slice(&second[..2]);
    out.extend(exif_app1());
    out.extend_from_slice(&second[2..]);
    out.extend_from_slice(b"SECRET-TRAILER");
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG chunk with its CRC.
pub fn chunk(ty: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = u32::try_from(data.len())
        .expect("len")
        .to_be_bytes()
        .to_vec();
    c.extend_from_slice(ty);
    c.extend_from_slice(data);
    let crc = crc32(&c[4..]);
    c.extend_from_slice(&crc.to_be_bytes());
    c
}

fn plain_png() -> Vec<u8> {
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(pixels().as_raw(), 16, 8, image::ExtendedColorType::Rgb8)
        .expect("encode");
    png
}

/// A 16×8 PNG with every textual, EXIF, colour-profile, time, density, private and provenance
/// chunk, one more text chunk after the pixels and bytes after the end chunk.
pub fn planted_png() -> Vec<u8> {
    let png = plain_png();
    let ihdr_end = 8 + 25;
    let iend = png.len() - 12;
    let mut out = png[..ihdr_end].to_vec();
    out.extend(chunk(b"iCCP", b"SECRET-ICC\0\0x\x9c\x03\0\0\0\0\x01"));
    out.extend(chunk(b"tEXt", b"Comment\0SECRET-TEXT"));
    out.extend(chunk(b"zTXt", b"Title\0\0x\x9cSECRET-ZTXT"));
    out.extend(chunk(b"iTXt", b"Author\0\0\0\0\0SECRET-ITXT"));
    out.extend(chunk(b"eXIf", &tiff_with_gps()));
    out.extend(chunk(b"tIME", &[7, 234, 1, 2, 3, 4, 5]));
    out.extend(chunk(b"pHYs", &[0, 0, 0x2e, 0x23, 0, 0, 0x2e, 0x23, 1]));
    out.extend(chunk(b"prVt", b"SECRET-PRIVATE"));
    out.extend(chunk(b"caBX", b"jumbc2paSECRET-C2PA"));
    out.extend_from_slice(&png[ihdr_end..iend]);
    out.extend(chunk(b"tEXt", b"Comment\0SECRET-LATE-TEXT"));
    out.extend_from_slice(&png[iend..]);
    out.extend_from_slice(b"SECRET-AFTER-IEND");
    out
}

/// A two-frame 8×8 GIF with comment, XMP, ICC and plain-text extensions, a secret sub-block in
/// its loop extension, and bytes after the end.
pub fn planted_gif() -> Vec<u8> {
    let mut gif = Vec::new();
    {
        let mut enc = image::codecs::gif::GifEncoder::new(&mut gif);
        enc.set_repeat(image::codecs::gif::Repeat::Infinite)
            .expect("repeat");
        for shade in [40u8, 200] {
            let frame = RgbaImage::from_pixel(8, 8, image::Rgba([shade, 90, 10, 255]));
            enc.encode_frame(image::Frame::from_parts(
                frame,
                0,
                0,
                image::Delay::from_numer_denom_ms(100, 1),
            ))
            .expect("frame");
        }
    }
    let flags = gif[10];
    let head = 13
        + if flags & 0x80 != 0 {
            3 << ((flags & 7) + 1)
        } else {
            0
        };
    let mut out = gif[..head].to_vec();
    let ext = |label: u8, first: &[u8], data: &[u8]| {
        let mut e = vec![0x21, label, u8::try_from(first.len()).expect("len")];
        e.extend_from_slice(first);
        e.push(u8::try_from(data.len()).expect("len"));
        e.extend_from_slice(data);
        e.push(0);
        e
    };
    out.extend(ext(0xFE, b"SECRET-COMMENT", b"SECRET-COMMENT-2"));
    out.extend(ext(
        0xFF,
        b"XMP DataXMP",
        b"<x:xmpmeta>SECRET-XMP</x:xmpmeta>",
    ));
    out.extend(ext(0xFF, b"ICCRGBG1012", b"SECRET-ICC"));
    out.extend(ext(0x01, &[0; 12], b"SECRET-PLAIN-TEXT"));
    let mut rest = gif[head..].to_vec();
    let loop_at = find(&rest, b"NETSCAPE2.0").expect("loop extension") + 11;
    // The loop sub-block (03 01 lo hi), then one more sub-block before the terminator.
    rest.splice(loop_at + 4..loop_at + 4, sub_block(b"SECRET-NETSCAPE"));
    out.extend(rest);
    out.extend_from_slice(b"SECRET-TRAILER");
    out
}

fn sub_block(data: &[u8]) -> Vec<u8> {
    let mut b = vec![u8::try_from(data.len()).expect("len")];
    b.extend_from_slice(data);
    b
}

pub fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A RIFF chunk (padded to an even length).
pub fn riff_chunk(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
    let mut c = id.to_vec();
    c.extend_from_slice(&u32::try_from(data.len()).expect("len").to_le_bytes());
    c.extend_from_slice(data);
    if data.len() % 2 == 1 {
        c.push(0);
    }
    c
}

/// `RIFF size WEBP` around `chunks`.
pub fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = chunks.concat();
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(body.len() + 4).expect("len").to_le_bytes());
    out.extend_from_slice(b"WEBP");
    out.extend(body);
    out
}

/// A VP8X chunk: flags and the canvas (width and height, each at most 2^24).
pub fn vp8x(flags: u8, w: u32, h: u32) -> Vec<u8> {
    let mut d = vec![flags, 0, 0, 0];
    d.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
    d.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
    riff_chunk(b"VP8X", &d)
}

/// The `VP8L` chunk of a real lossless 16×8 WebP.
pub fn vp8l_16x8() -> Vec<u8> {
    let mut webp = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut webp)
        .write_image(pixels().as_raw(), 16, 8, image::ExtendedColorType::Rgb8)
        .expect("encode");
    let at = find(&webp, b"VP8L").expect("a lossless bitstream");
    webp[at..].to_vec()
}

/// An extended WebP with an ICC profile, EXIF (GPS), XMP, an unknown chunk, and bytes after
/// the RIFF end; its VP8X flags announce the profile, EXIF and XMP.
pub fn planted_webp() -> Vec<u8> {
    let mut out = riff(&[
        vp8x(0x20 | 0x08 | 0x04, 16, 8),
        riff_chunk(b"ICCP", b"SECRET-ICC-PROFILE"),
        vp8l_16x8(),
        riff_chunk(b"EXIF", &tiff_with_gps()),
        riff_chunk(b"XMP ", b"<x:xmpmeta>SECRET-XMP</x:xmpmeta>"),
        riff_chunk(b"SECR", b"SECRET-UNKNOWN-CHUNK"),
    ]);
    out.extend_from_slice(b"SECRET-AFTER-RIFF");
    out
}

/// An ANMF chunk: a `w`×`h` frame at the origin holding `frame` (sub-chunks).
pub fn anmf(w: u32, h: u32, frame: &[u8]) -> Vec<u8> {
    let mut d = vec![0; 6];
    d.extend_from_slice(&(w - 1).to_le_bytes()[..3]);
    d.extend_from_slice(&(h - 1).to_le_bytes()[..3]);
    d.extend_from_slice(&[100, 0, 0, 0]); // 100 ms, no blending flags
    d.extend_from_slice(frame);
    riff_chunk(b"ANMF", &d)
}

/// An animated WebP of two frames, each with an unknown chunk inside, and EXIF with GPS.
pub fn planted_animated_webp() -> Vec<u8> {
    let mut frame = vp8l_16x8();
    frame.extend(riff_chunk(b"SECR", b"SECRET-IN-FRAME"));
    riff(&[
        vp8x(0x02 | 0x08, 16, 8),
        riff_chunk(b"ANIM", &[255, 255, 255, 255, 0, 0]),
        anmf(16, 8, &frame),
        anmf(16, 8, &frame),
        riff_chunk(b"EXIF", &tiff_with_gps()),
    ])
}

/// A VP8L bitstream header claiming `w`×`h` (no pixels behind it).
pub fn vp8l_header(w: u32, h: u32) -> Vec<u8> {
    let bits = (w - 1) | ((h - 1) << 14);
    let mut d = vec![0x2F];
    d.extend_from_slice(&bits.to_le_bytes());
    d.extend_from_slice(&[0; 8]);
    riff_chunk(b"VP8L", &d)
}

/// A GIF with a `screen`×`screen` logical screen and one `frame`×`frame` image.
pub fn gif_bomb(screen: u16, frame: u16) -> Vec<u8> {
    let mut g = b"GIF89a".to_vec();
    g.extend_from_slice(&screen.to_le_bytes());
    g.extend_from_slice(&screen.to_le_bytes());
    g.extend_from_slice(&[0x80, 0, 0, 0, 0, 0, 255, 255, 255]);
    g.extend_from_slice(&[0x2C, 0, 0, 0, 0]);
    g.extend_from_slice(&frame.to_le_bytes());
    g.extend_from_slice(&frame.to_le_bytes());
    g.extend_from_slice(&[0, 2, 2, 0x44, 0x01, 0, 0x3B]);
    g
}

/// An APNG whose 16×8 image announces a `w`×`h` animation frame.
pub fn apng_bomb(w: u32, h: u32) -> Vec<u8> {
    let png = plain_png();
    let mut out = png[..33].to_vec();
    out.extend(chunk(b"acTL", &[0, 0, 0, 1, 0, 0, 0, 0]));
    let mut fctl = 0u32.to_be_bytes().to_vec();
    fctl.extend_from_slice(&w.to_be_bytes());
    fctl.extend_from_slice(&h.to_be_bytes());
    fctl.extend_from_slice(&[0; 8]);
    fctl.extend_from_slice(&[0, 1, 0, 10, 0, 0]);
    out.extend(chunk(b"fcTL", &fctl));
    out.extend_from_slice(&png[33..]);
    out
}

/// A partner's RSS feed with one item showing `images` (`src`, alt) in its description.
pub fn feed_showing(images: &[(String, &str)]) -> Vec<u8> {
    let tags: String = images
        .iter()
        .map(|(src, alt)| format!("&lt;img src=\"{src}\" alt=\"{alt}\"&gt;"))
        .collect();
    format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>P</title><link>https://p.example.org/</link>\
         <item><title>Outreach night</title><link>https://p.example.org/1</link>\
         <description>&lt;p&gt;Photos&lt;/p&gt;{tags}</description></item></channel></rss>"
    )
    .into_bytes()
}

/// The feed served at `/feed`, each image at its path.
pub fn serve(server: &Server, images: &[(&str, &str, Vec<u8>)]) {
    let shown: Vec<(String, &str)> = images
        .iter()
        .map(|(path, alt, _)| (server.url(path), *alt))
        .collect();
    server.route(
        "/feed",
        vec![crate::Reply::ok(
            feed_showing(&shown),
            "application/rss+xml",
        )],
    );
    for (path, _, bytes) in images {
        server.route(path, vec![crate::Reply::ok(bytes.clone(), "image/png")]);
    }
}

/// Turns `[output] mirror_media` on in the setup's config.
pub fn mirror_on(s: &crate::Setup) {
    let cfg = std::fs::read_to_string(s.config()).expect("cfg");
    let cfg = cfg.replacen("[fetch]", "[output]\nmirror_media = true\n\n[fetch]", 1);
    std::fs::write(s.config(), cfg).expect("write");
}
