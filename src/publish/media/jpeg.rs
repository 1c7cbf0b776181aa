//! JPEG, marker by marker, keeping only what decoding needs (an allowlist):
//!
//! - SOI; the frame headers (SOF0-3, 5-7, 9-11, 13-15, and DHP), each checked for size; the
//!   tables (DQT, DHT, DAC, DRI, EXP); the scans (SOS and their entropy-coded data, restart
//!   markers included); DNL; EOI, after which nothing is kept (phones append a second, full
//!   image there, with its own EXIF; vendors append trailers).
//! - A JFIF APP0 is rewritten without its thumbnail; an Adobe APP14 (it says how CMYK and YCCK
//!   pixels are coded) is rewritten with only its colour transform.
//! - The orientation, read from the EXIF APP1, comes back as a new, minimal EXIF block holding
//!   only that tag, or a phone photo shows sideways. Reading that one tag and writing that block
//!   is done here by hand (a TIFF header and one IFD entry): a general EXIF crate would be a
//!   large dependency for one number.
//!
//! Everything else goes: EXIF (GPS, time, serial), XMP, ICC profiles and multi-picture data
//! (APP2), APP3-13 and APP15 (IPTC, JUMBF content credentials, vendor blocks), comments, and
//! bytes between segments.

use super::sniff::{Frames, Refusal, be16};

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
const APP0: u8 = 0xE0;
const APP1: u8 = 0xE1;
const APP14: u8 = 0xEE;

fn truncated() -> Refusal {
    Refusal::Corrupt("truncated JPEG")
}

/// Markers kept as they are: frame headers, tables, DNL.
fn decoding(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF if marker != 0xC8) || matches!(marker, 0xDB..=0xDF)
}

/// Frame headers (they carry the image's size): SOFn and DHP.
fn frame_header(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC)) || marker == 0xDE
}

fn segment(out: &mut Vec<u8>, marker: u8, body: &[u8]) {
    out.extend_from_slice(&[0xFF, marker]);
    let len = u16::try_from(body.len() + 2).unwrap_or(u16::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(body);
}

/// The end of the entropy-coded data starting at `from`: the next marker that is neither a
/// stuffed `FF 00` nor a restart marker (or the end of the file).
fn scan_end(b: &[u8], from: usize) -> usize {
    let mut j = from;
    while j + 1 < b.len() {
        if b[j] != 0xFF {
            j += 1;
            continue;
        }
        match b[j + 1] {
            0x00 | 0xD0..=0xD7 => j += 2,
            0xFF => j += 1,
            _ => return j,
        }
    }
    b.len()
}

/// What goes before the kept segments: JFIF and the orientation.
#[derive(Default)]
struct Head {
    jfif: Option<Vec<u8>>,
    orientation: Option<u16>,
    adobe: bool,
}

/// Walks a JPEG, keeping the allowlist.
pub fn walk(b: &[u8], frames: &mut Frames) -> Result<Vec<u8>, Refusal> {
    if !b.starts_with(&[0xFF, SOI]) {
        return Err(Refusal::Corrupt("no JPEG start"));
    }
    let mut head = Head::default();
    let mut body = Vec::with_capacity(b.len());
    let mut scans = 0;
    let mut i = 2;
    loop {
        // Fill bytes and anything between segments are skipped.
        while i < b.len() && (b[i] != 0xFF || b.get(i + 1) == Some(&0xFF)) {
            i += 1;
        }
        let Some(&marker) = b.get(i + 1) else {
            break;
        };
        if marker == EOI {
            break;
        }
        if matches!(marker, 0x00 | 0x01 | 0xD0..=0xD7) {
            i += 2;
            continue;
        }
        if marker == SOI {
            return Err(Refusal::Corrupt("a second JPEG start"));
        }
        let len = usize::from(be16(b, i + 2).ok_or_else(truncated)?);
        if len < 2 {
            return Err(Refusal::Corrupt("a JPEG segment shorter than its length"));
        }
        let seg = b.get(i + 4..i + 2 + len).ok_or_else(truncated)?;
        i += 2 + len;
        if frame_header(marker) {
            let h = be16(seg, 1).ok_or_else(truncated)?;
            let w = be16(seg, 3).ok_or_else(truncated)?;
            frames.add((u32::from(w), u32::from(h)))?;
        }
        if decoding(marker) {
            segment(&mut body, marker, seg);
        } else if marker == SOS {
            if frames.sizes.is_empty() {
                return Err(Refusal::Corrupt("no JPEG frame header"));
            }
            scans += 1;
            segment(&mut body, marker, seg);
            let end = scan_end(b, i);
            body.extend_from_slice(&b[i..end]);
            i = end;
        } else {
            metadata(&mut head, &mut body, marker, seg);
        }
    }
    if scans == 0 {
        return Err(Refusal::Corrupt("no JPEG scan"));
    }
    let mut kept = Vec::with_capacity(body.len() + 64);
    kept.extend_from_slice(&[0xFF, SOI]);
    if let Some(jfif) = head.jfif {
        segment(&mut kept, APP0, &jfif);
    }
    if let Some(o) = head.orientation.filter(|o| (2..=8).contains(o)) {
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(orientation_only(o));
        segment(&mut kept, APP1, &exif);
    }
    kept.extend(body);
    kept.extend_from_slice(&[0xFF, EOI]);
    Ok(kept)
}

/// An APPn or COM segment: what of it is kept, rewritten (JFIF, orientation, Adobe).
fn metadata(head: &mut Head, body: &mut Vec<u8>, marker: u8, seg: &[u8]) {
    match marker {
        APP0 if head.jfif.is_none() && seg.len() >= 12 && seg.starts_with(b"JFIF\0") => {
            // Version, density unit and density; no thumbnail.
            let mut jfif = seg[..12].to_vec();
            jfif.extend_from_slice(&[0, 0]);
            head.jfif = Some(jfif);
        }
        APP1 if head.orientation.is_none() => head.orientation = orientation(seg),
        APP14 if !head.adobe && seg.len() >= 12 && seg.starts_with(b"Adobe") => {
            head.adobe = true;
            let mut adobe = b"Adobe\0\x64\0\0\0\0".to_vec();
            adobe.push(seg[11]);
            segment(body, APP14, &adobe);
        }
        _ => {}
    }
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

#[cfg(test)]
mod tests {
    use super::{segment, walk};
    use crate::publish::media::sniff::{Refusal, Size};

    fn walked(b: &[u8]) -> Result<(Vec<u8>, Vec<Size>), Refusal> {
        let mut f = crate::publish::media::sniff::Frames::default();
        let kept = walk(b, &mut f)?;
        Ok((kept, f.sizes))
    }

    fn seg(marker: u8, body: &[u8]) -> Vec<u8> {
        let mut s = Vec::new();
        segment(&mut s, marker, body);
        s
    }

    /// A progressive-style stream: two scans with a table between them, stuffed bytes, restart
    /// markers and fill bytes in the entropy-coded data.
    #[test]
    fn scans_tables_and_restarts_are_kept_byte_for_byte() {
        let sof2 = seg(0xC2, &[8, 0, 8, 0, 16, 1, 1, 0x11, 0]);
        let mut core = seg(0xDB, &[0; 65]);
        core.extend(&sof2);
        core.extend(seg(0xDD, &[0, 4]));
        core.extend(seg(0xC4, &[0; 17]));
        core.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
        core.extend([1, 2, 0xFF, 0, 3, 0xFF, 0xD0, 4, 0xFF, 0xFF]);
        core.extend(seg(0xC4, &[0x10; 17]));
        core.extend(seg(0xDA, &[1, 1, 0, 1, 63, 0]));
        core.extend([5, 0xFF, 0xD7, 6]);
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(seg(0xFE, b"note"));
        jpeg.extend(seg(0xE3, b"vendor"));
        jpeg.extend(&core);
        jpeg.extend(seg(0xE2, b"ICC_PROFILE\0\x01\x01desc"));
        jpeg.extend([0xFF, 0xD9]);
        jpeg.extend(b"after");
        let w = walked(&jpeg).expect("walks");
        let mut want = vec![0xFF, 0xD8];
        want.extend(&core);
        want.extend([0xFF, 0xD9]);
        assert_eq!(w.0, want);
        assert_eq!(w.1, [(16, 8)]);
        assert_eq!(walked(&w.0).expect("again").0, w.0, "idempotent");
    }

    #[test]
    fn jfif_loses_its_thumbnail_adobe_keeps_its_transform_and_orientation_comes_first() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend(seg(0xEE, b"Adobe\0\x65\x12\x34\x56\x78\x02extra"));
        jpeg.extend(seg(
            0xE0,
            b"JFIF\0\x01\x02\x01\0\x48\0\x48\x02\x01thumbnail",
        ));
        jpeg.extend(seg(
            0xE1,
            b"Exif\0\0II\x2a\0\x08\0\0\0\x01\0\x12\x01\x03\0\x01\0\0\0\x08\0\0\0",
        ));
        jpeg.extend(seg(0xC0, &[8, 0, 2, 0, 3, 1, 1, 0x11, 0]));
        jpeg.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
        jpeg.extend([7, 7]);
        let kept = walked(&jpeg).expect("walks").0;
        let mut want = vec![0xFF, 0xD8];
        want.extend(seg(0xE0, b"JFIF\0\x01\x02\x01\0\x48\0\x48\0\0"));
        let mut exif = b"Exif\0\0".to_vec();
        exif.extend(super::orientation_only(8));
        want.extend(seg(0xE1, &exif));
        want.extend(seg(0xEE, b"Adobe\0\x64\0\0\0\0\x02"));
        want.extend(seg(0xC0, &[8, 0, 2, 0, 3, 1, 1, 0x11, 0]));
        want.extend(seg(0xDA, &[1, 1, 0, 0, 63, 0]));
        want.extend([7, 7, 0xFF, 0xD9]);
        assert_eq!(kept, want, "truncated scan closed with EOI");
        assert_eq!(walked(&kept).expect("again").0, kept);
    }

    #[test]
    fn broken_streams_are_refused() {
        let corrupt = |b: &[u8]| matches!(walked(b), Err(Refusal::Corrupt(_)));
        assert!(corrupt(b"\xFF\xD8\xFF\xDA\0\x02"), "scan before frame");
        assert!(
            corrupt(b"\xFF\xD8\xFF\xC0\0\x11\x08"),
            "segment past the end"
        );
        assert!(corrupt(
            b"\xFF\xD8\xFF\xC0\0\x0b\x08\0\x01\0\x01\x01\x01\x11\0\xFF\xD9"
        ));
        assert!(corrupt(b"\xFF\xD8\xFF\xD8"), "a second start");
        assert!(
            corrupt(b"\xFF\xD8\xFF\xC0\0\x04\x08\0"),
            "short frame header"
        );
    }
}
