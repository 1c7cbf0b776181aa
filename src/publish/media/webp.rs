//! WebP, RIFF chunk by chunk, keeping only what decoding and animating need (an allowlist):
//!
//! - VP8X (first), with its canvas checked for size and its flags rewritten: only "alpha" and
//!   "animation" stay set, the ICC, EXIF and XMP flags and the reserved bits are cleared;
//! - ANIM (background and loop count);
//! - ANMF frames (each checked for size), their own chunks filtered the same way;
//! - ALPH, and the bitstreams VP8 and VP8L, each checked for the size it claims.
//!
//! Everything else goes: ICCP (free text; a calibrated profile identifies a device), EXIF, XMP,
//! unknown chunks (at the top and inside frames), and bytes after the RIFF's declared end. The
//! RIFF and ANMF sizes are written anew.

use super::sniff::{Frames, Refusal, le16, le24, le32};

fn truncated() -> Refusal {
    Refusal::Corrupt("truncated WebP")
}

/// The chunk at `at` (not past `end`): its id, data, and the offset of the next chunk.
fn chunk(b: &[u8], at: usize, end: usize) -> Result<([u8; 4], &[u8], usize), Refusal> {
    let id: [u8; 4] = b
        .get(at..at + 4)
        .and_then(|x| x.try_into().ok())
        .ok_or_else(truncated)?;
    let len = le32(b, at + 4).ok_or_else(truncated)? as usize;
    let data_end = (at + 8).checked_add(len).filter(|e| *e <= end);
    let data = b
        .get(at + 8..data_end.ok_or_else(truncated)?)
        .ok_or_else(truncated)?;
    Ok((id, data, (at + 8 + len + len % 2).min(end)))
}

fn emit(out: &mut Vec<u8>, id: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(id);
    out.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(data);
    if data.len() % 2 == 1 {
        out.push(0);
    }
}

/// The width and height a VP8 (lossy) or VP8L (lossless) bitstream claims.
fn bitstream_size(id: &[u8; 4], data: &[u8]) -> Result<(u32, u32), Refusal> {
    if id == b"VP8L" {
        if data.first() != Some(&0x2F) {
            return Err(Refusal::Corrupt("no VP8L signature"));
        }
        let bits = le32(data, 1).ok_or_else(truncated)?;
        return Ok(((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1));
    }
    if data.first().is_none_or(|tag| tag & 1 != 0) || data.get(3..6) != Some(&[0x9D, 0x01, 0x2A]) {
        return Err(Refusal::Corrupt("no VP8 key frame"));
    }
    let w = le16(data, 6).ok_or_else(truncated)? & 0x3FFF;
    let h = le16(data, 8).ok_or_else(truncated)? & 0x3FFF;
    Ok((u32::from(w), u32::from(h)))
}

/// Chunks of image data (at the top, or inside an ANMF frame) in `b[from..end]`, filtered to
/// ALPH, VP8 and VP8L (plus `top`: VP8X, ANIM and ANMF) into `out`. Returns how many
/// bitstreams it kept.
fn chunks(
    b: &[u8],
    from: usize,
    end: usize,
    top: bool,
    out: &mut Vec<u8>,
    frames: &mut Frames,
) -> Result<usize, Refusal> {
    let mut bitstreams = 0;
    let mut at = from;
    while at < end {
        let (id, data, next) = chunk(b, at, end)?;
        match &id {
            b"VP8X" if top && at == 12 && data.len() >= 10 => {
                let canvas = (
                    le24(data, 4).unwrap_or(0) + 1,
                    le24(data, 7).unwrap_or(0) + 1,
                );
                frames.add(canvas)?;
                let mut vp8x = vec![data[0] & (0x10 | 0x02), 0, 0, 0];
                vp8x.extend_from_slice(&data[4..10]);
                emit(out, b"VP8X", &vp8x);
            }
            b"ANIM" if top && data.len() == 6 => emit(out, b"ANIM", data),
            b"ANMF" if top && data.len() >= 16 => {
                frames.add((
                    le24(data, 6).unwrap_or(0) + 1,
                    le24(data, 9).unwrap_or(0) + 1,
                ))?;
                let mut frame = data[..15].to_vec();
                frame.push(data[15] & 0x03);
                let start = at + 8 + 16;
                bitstreams += chunks(b, start, at + 8 + data.len(), false, &mut frame, frames)?;
                emit(out, b"ANMF", &frame);
            }
            b"ALPH" => emit(out, b"ALPH", data),
            b"VP8 " | b"VP8L" => {
                frames.add(bitstream_size(&id, data)?)?;
                bitstreams += 1;
                emit(out, &id, data);
            }
            _ => {}
        }
        at = next;
    }
    Ok(bitstreams)
}

/// Walks a WebP, keeping the allowlist.
pub fn walk(b: &[u8], frames: &mut Frames) -> Result<Vec<u8>, Refusal> {
    if b.get(..4) != Some(b"RIFF") || b.get(8..12) != Some(b"WEBP") {
        return Err(Refusal::Corrupt("no WebP header"));
    }
    let declared = le32(b, 4).ok_or_else(truncated)? as usize;
    let end = declared.saturating_add(8).min(b.len());
    let mut body = Vec::with_capacity(end);
    if chunks(b, 12, end, true, &mut body, frames)? == 0 {
        return Err(Refusal::Corrupt("no WebP image data"));
    }
    let mut kept = b"RIFF".to_vec();
    kept.extend_from_slice(
        &u32::try_from(body.len() + 4)
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    kept.extend_from_slice(b"WEBP");
    kept.extend(body);
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::{emit, walk};
    use crate::publish::media::sniff::{Refusal, Size};

    fn walked(b: &[u8]) -> Result<(Vec<u8>, Vec<Size>), Refusal> {
        let mut f = crate::publish::media::sniff::Frames::default();
        let kept = walk(b, &mut f)?;
        Ok((kept, f.sizes))
    }

    fn c(id: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        emit(&mut out, id, data);
        out
    }

    fn riff(chunks: &[Vec<u8>]) -> Vec<u8> {
        let body = chunks.concat();
        let mut out = b"RIFF".to_vec();
        out.extend_from_slice(&u32::try_from(body.len() + 4).unwrap_or(0).to_le_bytes());
        out.extend_from_slice(b"WEBP");
        out.extend(body);
        out
    }

    const VP8L: &[u8] = &[0x2F, 0x0F, 0xC0, 0x01, 0x00, 1, 2, 3]; // 16×8
    const VP8: &[u8] = &[0x10, 0, 0, 0x9D, 0x01, 0x2A, 0x20, 0, 0x10, 0x40, 9]; // 32×16

    #[test]
    fn flags_are_cleared_and_unknown_chunks_dropped_at_every_level() {
        let frame = [c(b"ALPH", b"a"), c(b"VP8 ", VP8), c(b"XYZW", b"SECRET")].concat();
        let mut anmf = vec![0, 0, 0, 0, 0, 0, 31, 0, 0, 15, 0, 0, 100, 0, 0, 0xFF];
        anmf.extend(&frame);
        let input = riff(&[
            c(b"VP8X", &[0xFF, 1, 2, 3, 31, 0, 0, 15, 0, 0]),
            c(b"ICCP", b"SECRET"),
            c(b"ANIM", &[0; 6]),
            c(b"ANMF", &anmf),
            c(b"EXIF", b"SECRET"),
            c(b"XMP ", b"SECRET"),
        ]);
        let mut with_tail = input.clone();
        with_tail.extend(b"SECRET");
        let w = walked(&with_tail).expect("walks");
        let mut kept_anmf = anmf[..15].to_vec();
        kept_anmf.push(0x03);
        kept_anmf.extend([c(b"ALPH", b"a"), c(b"VP8 ", VP8)].concat());
        let want = riff(&[
            c(b"VP8X", &[0x12, 0, 0, 0, 31, 0, 0, 15, 0, 0]),
            c(b"ANIM", &[0; 6]),
            c(b"ANMF", &kept_anmf),
        ]);
        assert_eq!(w.0, want);
        assert_eq!(w.1, [(32, 16), (32, 16), (32, 16)]);
        assert_eq!(walked(&w.0).expect("again").0, w.0, "idempotent");
    }

    #[test]
    fn every_bitstream_is_measured_and_broken_files_refused() {
        let w = walked(&riff(&[c(b"VP8L", VP8L)])).expect("simple lossless");
        assert_eq!(w.1, [(16, 8)]);
        let huge = riff(&[
            c(b"VP8X", &[0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            c(b"VP8L", VP8L),
        ]);
        assert_eq!(
            walked(&huge).expect("walks").1,
            [(1 << 24, 1 << 24), (16, 8)]
        );
        let corrupt = |b: &[u8]| matches!(walked(b), Err(Refusal::Corrupt(_)));
        assert!(corrupt(&riff(&[c(b"ICCP", b"x")])), "no bitstream");
        assert!(
            corrupt(&riff(&[c(b"VP8L", &[0x2E, 0, 0, 0, 0])])),
            "bad signature"
        );
        assert!(corrupt(&riff(&[c(
            b"VP8 ",
            &[0x11, 0, 0, 0x9D, 1, 0x2A, 1, 0, 1, 0]
        )])));
        assert!(corrupt(&riff(&[c(b"VP8L", &[0x2F, 0])])), "short header");
        let mut cut = riff(&[c(b"VP8L", VP8L)]);
        cut.truncate(cut.len() - 3);
        assert!(corrupt(&cut), "a chunk past the end");
        assert!(corrupt(b"RIFF\0\0\0\0WEBP"), "empty");
    }
}
