//! PNG, chunk by chunk, keeping only what decoding and showing the pixels right need (an
//! allowlist), each chunk copied as it is (its CRC with it):
//!
//! - the critical chunks: IHDR (checked for size), PLTE, IDAT, IEND, after which nothing is kept;
//! - transparency and colour, whose contents are a few fixed-size numbers: tRNS, gAMA, cHRM,
//!   sRGB, cICP (a chunk of the wrong size is dropped);
//! - animation (APNG): acTL, fcTL (each frame checked for size), fdAT.
//!
//! Everything else goes: text (tEXt, zTXt, iTXt), EXIF (eXIf), time (tIME), the ICC profile
//! (iCCP: free text, and a calibrated profile identifies a device), density (pHYs), the other
//! ancillary chunks, private chunks, content credentials (caBX), and bytes after IEND.

use super::sniff::{Frames, Refusal, be32};

const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
const IEND: &[u8] = b"\0\0\0\0IEND\xAE\x42\x60\x82";

/// May a chunk of this type and data length stay?
fn keep(ty: &[u8], len: usize) -> bool {
    match ty {
        b"PLTE" | b"IDAT" | b"fdAT" => true,
        b"tRNS" => len <= 256,
        b"gAMA" | b"cICP" => len == 4,
        b"cHRM" => len == 32,
        b"sRGB" => len == 1,
        b"acTL" => len == 8,
        b"fcTL" => len == 26,
        _ => false,
    }
}

/// Walks a PNG, keeping the allowlist.
pub fn walk(b: &[u8], frames: &mut Frames) -> Result<Vec<u8>, Refusal> {
    if !b.starts_with(SIGNATURE) {
        return Err(Refusal::Corrupt("no PNG signature"));
    }
    if b.get(8..16) != Some(b"\0\0\0\x0dIHDR") {
        return Err(Refusal::Corrupt("no PNG header chunk"));
    }
    let size = |at: usize| -> Result<(u32, u32), Refusal> {
        let w = be32(b, at).ok_or(Refusal::Corrupt("truncated PNG"))?;
        let h = be32(b, at + 4).ok_or(Refusal::Corrupt("truncated PNG"))?;
        Ok((w, h))
    };
    frames.add(size(16)?)?;
    let mut kept = Vec::with_capacity(b.len());
    kept.extend_from_slice(b.get(..33).ok_or(Refusal::Corrupt("truncated PNG"))?);
    let mut images = 0;
    let mut i = 33;
    while i < b.len() {
        let len = be32(b, i).ok_or(Refusal::Corrupt("truncated PNG"))? as usize;
        let end = i
            .checked_add(12)
            .and_then(|x| x.checked_add(len))
            .filter(|end| *end <= b.len())
            .ok_or(Refusal::Corrupt("truncated PNG"))?;
        let ty = &b[i + 4..i + 8];
        if ty == b"IEND" {
            break;
        }
        if keep(ty, len) {
            if ty == b"fcTL" {
                frames.add(size(i + 12)?)?;
            }
            images += usize::from(ty == b"IDAT");
            kept.extend_from_slice(&b[i..end]);
        }
        i = end;
    }
    if images == 0 {
        return Err(Refusal::Corrupt("no PNG image data"));
    }
    kept.extend_from_slice(IEND);
    Ok(kept)
}

#[cfg(test)]
mod tests {
    use super::walk;
    use crate::publish::media::sniff::{Refusal, Size};

    fn walked(b: &[u8]) -> Result<(Vec<u8>, Vec<Size>), Refusal> {
        let mut f = crate::publish::media::sniff::Frames::default();
        let kept = walk(b, &mut f)?;
        Ok((kept, f.sizes))
    }

    fn chunk(ty: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = u32::try_from(data.len())
            .unwrap_or(0)
            .to_be_bytes()
            .to_vec();
        c.extend_from_slice(ty);
        c.extend_from_slice(data);
        c.extend_from_slice(b"CRC!");
        c
    }

    fn png(chunks: &[Vec<u8>]) -> Vec<u8> {
        let mut p = b"\x89PNG\r\n\x1a\n".to_vec();
        p.extend(chunk(b"IHDR", &[0, 0, 0, 16, 0, 0, 0, 8, 8, 2, 0, 0, 0]));
        p.extend(chunks.concat());
        p
    }

    #[test]
    fn the_allowlist_and_fixed_sizes_decide() {
        let kept = [
            chunk(b"sRGB", &[0]),
            chunk(b"gAMA", &[0, 0, 0xB1, 0x8F]),
            chunk(b"acTL", &[0, 0, 0, 1, 0, 0, 0, 0]),
            chunk(
                b"fcTL",
                &[[0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 2].as_slice(), &[0; 14]].concat(),
            ),
            chunk(b"IDAT", b"pixels"),
            chunk(b"fdAT", b"more"),
        ];
        let dropped = [
            chunk(b"sRGB", b"SECRET"),
            chunk(b"iCCP", b"profile"),
            chunk(b"tEXt", b"k\0v"),
            chunk(b"pHYs", &[0; 9]),
            chunk(b"sPLT", b"x"),
            chunk(b"prVt", b"x"),
        ];
        let mut all = vec![dropped[0].clone(), kept[0].clone(), dropped[1].clone()];
        all.extend(kept[1..].iter().cloned());
        all.extend(dropped[2..].iter().cloned());
        all.push(chunk(b"IEND", b""));
        let mut input = png(&all);
        input.extend(b"after the end");
        let w = walked(&input).expect("walks");
        let mut want = png(&kept);
        want.extend(b"\0\0\0\0IEND\xAE\x42\x60\x82");
        assert_eq!(w.0, want);
        assert_eq!(w.1, [(16, 8), (4, 2)]);
        assert_eq!(walked(&w.0).expect("again").0, w.0, "idempotent");
    }

    #[test]
    fn broken_files_are_refused() {
        let corrupt = |b: &[u8]| matches!(walked(b), Err(Refusal::Corrupt(_)));
        assert!(corrupt(&png(&[chunk(b"IEND", b"")])), "no image data");
        let mut cut = png(&[chunk(b"IDAT", b"pixels")]);
        cut.truncate(cut.len() - 2);
        assert!(corrupt(&cut), "a chunk past the end");
        assert!(
            corrupt(b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0"),
            "short header"
        );
        assert!(
            corrupt(b"\x89PNG\r\n\x1a\n\0\0\0\x0dCgBI"),
            "no header chunk first"
        );
        let lenient = png(&[chunk(b"IDAT", b"pixels")]);
        assert!(
            walked(&lenient)
                .expect("no IEND")
                .0
                .ends_with(b"IEND\xAE\x42\x60\x82")
        );
    }
}
