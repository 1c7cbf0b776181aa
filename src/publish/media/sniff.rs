//! What a downloaded file really is, from its bytes (never from the `Content-Type` a server
//! sends), and whether it is safe to publish: JPEG, PNG, GIF and WebP are; SVG (it can carry
//! script), AVIF (its metadata cannot be removed without re-encoding here) and anything else are
//! not; nor is a decompression bomb (a tiny file that claims huge dimensions).

/// The image formats that can be mirrored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Jpeg,
    Png,
    Gif,
    WebP,
}

impl Kind {
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Gif => "gif",
            Kind::WebP => "webp",
        }
    }
}

/// Why an image is not mirrored (it then becomes a plain link, never a hot-link).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("an SVG image (it can carry script)")]
    Svg,
    #[error("an AVIF image (its metadata cannot be removed)")]
    Avif,
    #[error("not an image (JPEG, PNG, GIF or WebP)")]
    NotAnImage,
    #[error("claims {0}×{1} pixels (a decompression bomb?)")]
    Bomb(u32, u32),
    #[error("larger than media_max_bytes")]
    TooLarge,
    #[error("corrupt image: {0}")]
    Corrupt(String),
    #[error("could not be fetched: {0}")]
    Fetch(String),
}

/// At most this many pixels (a 50-megapixel photo), and this many on a side.
const MAX_PIXELS: u64 = 50_000_000;
const MAX_SIDE: u32 = 20_000;

fn check(w: u32, h: u32) -> Result<(), Refusal> {
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE || u64::from(w) * u64::from(h) > MAX_PIXELS
    {
        return Err(Refusal::Bomb(w, h));
    }
    Ok(())
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The image's kind, once its dimensions are checked.
pub fn sniff(b: &[u8]) -> Result<Kind, Refusal> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        let (w, h) = jpeg_size(b).ok_or_else(|| Refusal::Corrupt("no JPEG frame header".into()))?;
        check(w, h)?;
        return Ok(Kind::Jpeg);
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        if b.get(12..16) != Some(b"IHDR") {
            return Err(Refusal::Corrupt("no PNG header chunk".into()));
        }
        let (w, h) = (be32(b, 16).unwrap_or(0), be32(b, 20).unwrap_or(0));
        check(w, h)?;
        return Ok(Kind::Png);
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        let le = |at: usize| {
            b.get(at..at + 2)
                .map_or(0, |x| u32::from(u16::from_le_bytes([x[0], x[1]])))
        };
        check(le(6), le(8))?;
        return Ok(Kind::Gif);
    }
    if b.len() > 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return Ok(Kind::WebP);
    }
    if b.get(4..8) == Some(b"ftyp") && b.get(8..12).is_some_and(|brand| brand.starts_with(b"avi")) {
        return Err(Refusal::Avif);
    }
    let head = String::from_utf8_lossy(&b[..b.len().min(1024)]).to_ascii_lowercase();
    if head.contains("<svg") {
        return Err(Refusal::Svg);
    }
    Err(Refusal::NotAnImage)
}

/// Width and height from the first SOFn segment.
fn jpeg_size(b: &[u8]) -> Option<(u32, u32)> {
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            i += 1;
            continue;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        if matches!(marker, 0xD8 | 0x01 | 0xD0..=0xD7) {
            i += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([b[i + 2], *b.get(i + 3)?]));
        let is_sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if is_sof {
            let h = u16::from_be_bytes([*b.get(i + 5)?, *b.get(i + 6)?]);
            let w = u16::from_be_bytes([*b.get(i + 7)?, *b.get(i + 8)?]);
            return Some((u32::from(w), u32::from(h)));
        }
        if marker == 0xDA {
            return None;
        }
        i += 2 + len;
    }
    None
}
