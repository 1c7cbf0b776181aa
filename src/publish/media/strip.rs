//! Removing what a photo reveals (GPS position, camera serial, time, captions) without
//! re-encoding it: EXIF, XMP, IPTC and comments are dropped segment by segment (img-parts for
//! JPEG, PNG and WebP; a small block walker for GIF, which img-parts does not read).
//!
//! Orientation must survive, or a phone photo shows sideways: a JPEG keeps a new, minimal EXIF
//! block holding only the orientation tag. Reading that one tag and writing that block is done
//! here by hand (a TIFF header and one IFD entry): a general EXIF crate would be a large
//! dependency for one number.

use bytes::Bytes;
use img_parts::{ImageEXIF, jpeg::Jpeg, png::Png, webp::WebP};

use super::sniff::{Kind, Refusal};

const APP1: u8 = 0xE1;
const APP12: u8 = 0xEC;
const APP13: u8 = 0xED;
const COM: u8 = 0xFE;

fn corrupt(e: impl std::fmt::Display) -> Refusal {
    Refusal::Corrupt(e.to_string())
}

/// The image without its metadata (the pixels untouched).
pub fn strip(kind: Kind, bytes: Vec<u8>) -> Result<Vec<u8>, Refusal> {
    match kind {
        Kind::Jpeg => jpeg(bytes),
        Kind::Png => {
            let mut png = Png::from_bytes(Bytes::from(bytes)).map_err(corrupt)?;
            for ty in [b"eXIf", b"tEXt", b"zTXt", b"iTXt", b"tIME"] {
                png.remove_chunks_by_type(*ty);
            }
            Ok(png.encoder().bytes().to_vec())
        }
        Kind::WebP => {
            let mut webp = WebP::from_bytes(Bytes::from(bytes)).map_err(corrupt)?;
            webp.set_exif(None);
            webp.remove_chunks_by_id(*b"XMP ");
            Ok(webp.encoder().bytes().to_vec())
        }
        Kind::Gif => gif(&bytes),
    }
}

fn jpeg(bytes: Vec<u8>) -> Result<Vec<u8>, Refusal> {
    let mut jpeg = Jpeg::from_bytes(Bytes::from(bytes)).map_err(corrupt)?;
    let orientation = jpeg
        .segments_by_marker(APP1)
        .find_map(|s| orientation(s.contents()));
    for marker in [APP1, APP12, APP13, COM] {
        jpeg.remove_segments_by_marker(marker);
    }
    if let Some(o) = orientation.filter(|o| *o != 1) {
        jpeg.set_exif(Some(Bytes::from(orientation_only(o))));
    }
    Ok(jpeg.encoder().bytes().to_vec())
}

/// The orientation tag (0x0112) of IFD0 in an APP1 `Exif\0\0` block.
pub fn orientation(app1: &[u8]) -> Option<u16> {
    let tiff = app1.strip_prefix(b"Exif\0\0")?;
    let le = match tiff.get(..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    let ifd = usize::try_from(u32_at(4)?).ok()?;
    let count = usize::from(u16_at(ifd)?);
    (0..count.min(512)).find_map(|i| {
        let e = ifd + 2 + i * 12;
        (u16_at(e)? == 0x0112).then(|| u16_at(e + 8)).flatten()
    })
}

/// A TIFF block (without the `Exif\0\0` prefix) holding only the orientation tag.
fn orientation_only(o: u16) -> Vec<u8> {
    let mut t = Vec::with_capacity(26);
    t.extend_from_slice(b"MM\0\x2a\0\0\0\x08"); // big-endian TIFF, IFD0 at offset 8
    t.extend_from_slice(&1u16.to_be_bytes()); // one entry
    t.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
    t.extend_from_slice(&3u16.to_be_bytes()); // SHORT
    t.extend_from_slice(&1u32.to_be_bytes()); // count 1
    t.extend_from_slice(&o.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
    t
}

/// GIF without comment extensions and without application extensions other than animation
/// loops (XMP rides in one).
fn gif(b: &[u8]) -> Result<Vec<u8>, Refusal> {
    let bad = || Refusal::Corrupt("truncated GIF".into());
    let mut out = Vec::with_capacity(b.len());
    let flags = *b.get(10).ok_or_else(bad)?;
    let mut i = 13
        + if flags & 0x80 != 0 {
            3 << ((flags & 7) + 1)
        } else {
            0
        };
    out.extend_from_slice(b.get(..i).ok_or_else(bad)?);
    // Sub-blocks from `at`: returns the offset after the terminator.
    let blocks = |mut at: usize| -> Result<usize, Refusal> {
        loop {
            let n = usize::from(*b.get(at).ok_or_else(bad)?);
            at += 1 + n;
            if n == 0 {
                return Ok(at);
            }
        }
    };
    loop {
        match *b.get(i).ok_or_else(bad)? {
            0x3B => {
                out.push(0x3B);
                return Ok(out);
            }
            0x21 => {
                let label = *b.get(i + 1).ok_or_else(bad)?;
                let end = blocks(i + 2)?;
                let netscape = label == 0xFF && b.get(i + 3..i + 14) == Some(b"NETSCAPE2.0");
                if label != 0xFE && (label != 0xFF || netscape) {
                    out.extend_from_slice(b.get(i..end).ok_or_else(bad)?);
                }
                i = end;
            }
            0x2C => {
                let f = *b.get(i + 9).ok_or_else(bad)?;
                let table = if f & 0x80 != 0 { 3 << ((f & 7) + 1) } else { 0 };
                let end = blocks(i + 10 + table + 1)?;
                out.extend_from_slice(b.get(i..end).ok_or_else(bad)?);
                i = end;
            }
            _ => return Err(bad()),
        }
    }
}
