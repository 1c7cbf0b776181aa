//! GIF, block by block, keeping only what decoding and animating need (an allowlist):
//!
//! - the header, the logical screen (checked for size) and its colour table;
//! - each image: its descriptor (checked for size), colour table and compressed pixels;
//! - graphic control extensions (delay, disposal, transparency), rewritten as their one
//!   four-byte block;
//! - the NETSCAPE2.0 application extension, rewritten as its loop count alone;
//! - the trailer, after which nothing is kept (added when the file ends between blocks without
//!   one, as some encoders write them).
//!
//! Everything else goes: comments, plain-text extensions, every other application extension
//! (XMP and ICC profiles ride in them), unknown extensions, and extra sub-blocks.

use super::sniff::{Frames, Refusal, le16};

fn truncated() -> Refusal {
    Refusal::Corrupt("truncated GIF")
}

/// The offset after the sub-blocks starting at `at` (after their zero terminator).
fn blocks_end(b: &[u8], mut at: usize) -> Result<usize, Refusal> {
    loop {
        let n = usize::from(*b.get(at).ok_or_else(truncated)?);
        at += 1 + n;
        if n == 0 {
            return Ok(at);
        }
    }
}

/// The sub-block starting at `at`: its data and the offset after it.
fn block(b: &[u8], at: usize) -> Result<(&[u8], usize), Refusal> {
    let n = usize::from(*b.get(at).ok_or_else(truncated)?);
    let data = b.get(at + 1..at + 1 + n).ok_or_else(truncated)?;
    Ok((data, at + 1 + n))
}

/// Walks a GIF, keeping the allowlist.
pub fn walk(b: &[u8], frames: &mut Frames) -> Result<Vec<u8>, Refusal> {
    if !(b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a")) {
        return Err(Refusal::Corrupt("no GIF signature"));
    }
    let size = |at: usize| -> Result<(u32, u32), Refusal> {
        let w = le16(b, at).ok_or_else(truncated)?;
        let h = le16(b, at + 2).ok_or_else(truncated)?;
        Ok((u32::from(w), u32::from(h)))
    };
    let table = |flags: u8| {
        if flags & 0x80 != 0 {
            3 << ((flags & 7) + 1)
        } else {
            0
        }
    };
    frames.add(size(6)?)?;
    let mut i = 13 + table(*b.get(10).ok_or_else(truncated)?);
    let mut kept = Vec::with_capacity(b.len());
    kept.extend_from_slice(b.get(..i).ok_or_else(truncated)?);
    loop {
        // A file that ends between blocks lacks only its trailer: browsers show it, so it is kept.
        match b.get(i).copied().unwrap_or(0x3B) {
            0x3B => {
                kept.push(0x3B);
                return Ok(kept);
            }
            0x21 => {
                let label = *b.get(i + 1).ok_or_else(truncated)?;
                let end = blocks_end(b, i + 2)?;
                extension(&mut kept, label, b, i + 2)?;
                i = end;
            }
            0x2C => {
                frames.add(size(i + 5)?)?;
                let flags = *b.get(i + 9).ok_or_else(truncated)?;
                let end = blocks_end(b, i + 10 + table(flags) + 1)?;
                kept.extend_from_slice(b.get(i..end).ok_or_else(truncated)?);
                i = end;
            }
            _ => return Err(Refusal::Corrupt("not a GIF block")),
        }
    }
}

/// Keeps an extension (label, sub-blocks from `at`) if animation needs it, rewritten.
fn extension(kept: &mut Vec<u8>, label: u8, b: &[u8], at: usize) -> Result<(), Refusal> {
    let (first, mut next) = block(b, at)?;
    match label {
        0xF9 if first.len() == 4 => {
            kept.extend_from_slice(&[0x21, 0xF9, 4]);
            kept.extend_from_slice(first);
            kept.push(0);
        }
        0xFF if first == b"NETSCAPE2.0" => loop {
            let (data, after) = block(b, next)?;
            if data.is_empty() {
                return Ok(());
            }
            if data.len() == 3 && data[0] == 1 {
                kept.extend_from_slice(b"\x21\xFF\x0bNETSCAPE2.0\x03");
                kept.extend_from_slice(data);
                kept.push(0);
                return Ok(());
            }
            next = after;
        },
        _ => {}
    }
    Ok(())
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

    const HEAD: &[u8] = b"GIF89a\x02\0\x02\0\x80\0\0\0\0\0\xff\xff\xff";
    const IMAGE: &[u8] = b"\x2c\0\0\0\0\x02\0\x02\0\0\x02\x02\x44\x01\0";
    const GCE: &[u8] = b"\x21\xf9\x04\x04\x0a\0\0\0";
    const LOOP: &[u8] = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\0\0\0";

    #[test]
    fn only_timing_and_loops_survive_rewritten() {
        let mut gif = HEAD.to_vec();
        gif.extend(b"\x21\xff\x0bNETSCAPE2.0\x05\x02SECR\x03\x01\0\0\x06SECRET\0");
        gif.extend(b"\x21\xfe\x06SECRET\0");
        gif.extend(b"\x21\x01\x0c\0\0\0\0\0\0\0\0\0\0\0\0\x06SECRET\0");
        gif.extend(b"\x21\xff\x0bXMP DataXMP\x06SECRET\0");
        gif.extend(b"\x21\x99\x06SECRET\0");
        gif.extend(b"\x21\xf9\x04\x04\x0a\0\0\x06SECRET\0");
        gif.extend(b"\x21\xf9\x03\x04\x0a\0\0");
        gif.extend(IMAGE);
        gif.extend(b"\x3bSECRET");
        let w = walked(&gif).expect("walks");
        let want = [HEAD, LOOP, GCE, IMAGE, b"\x3b"].concat();
        assert_eq!(w.0, want);
        assert_eq!(w.1, [(2, 2), (2, 2)]);
        assert_eq!(walked(&w.0).expect("again").0, w.0, "idempotent");
        let mut no_loop = HEAD.to_vec();
        no_loop.extend(b"\x21\xff\x0bNETSCAPE2.0\x02\x05\x05\0");
        no_loop.extend(IMAGE);
        no_loop.push(0x3b);
        let kept = walked(&no_loop).expect("walks").0;
        assert_eq!(kept, [HEAD, IMAGE, b"\x3b"].concat());
    }

    #[test]
    fn every_frame_is_measured_and_broken_files_refused() {
        let mut gif = b"GIF87a\x01\0\x01\0\0\0\0".to_vec();
        gif.extend(b"\x2c\0\0\0\0\x60\xea\x60\xea\x80\0\0\0\0\0\0\x02\x02\x44\x01\0\x3b");
        assert_eq!(walked(&gif).expect("walks").1, [(1, 1), (60_000, 60_000)]);
        let corrupt = |b: &[u8]| matches!(walked(b), Err(Refusal::Corrupt(_)));
        assert_eq!(
            walked(HEAD).expect("trailer added").0,
            [HEAD, b"\x3b"].concat()
        );
        assert!(corrupt(&[HEAD, b"\x00"].concat()), "not a block");
        assert!(corrupt(&[HEAD, &IMAGE[..12]].concat()), "cut in the pixels");
        assert!(corrupt(b"GIF89a\x01\0"), "short screen");
    }
}
