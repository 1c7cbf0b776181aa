//! What a downloaded file really is, from its bytes (never from the `Content-Type` a server
//! sends, nor from a `data:` URL's media type): JPEG, PNG, GIF and WebP may be mirrored; SVG (it
//! can carry script), AVIF (its metadata cannot be removed without re-encoding here) and
//! anything else may not.
//!
//! Also what the format walkers (`jpeg`, `png`, `gif`, `webp`) share: the refusals, the pixel
//! limit every frame is held to (a decompression bomb is a small file claiming huge
//! dimensions), and what a walk yields.

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
    Corrupt(&'static str),
    #[error("an inline image that is not base64")]
    NotBase64,
    #[error("could not be fetched: {0}")]
    Fetch(String),
    #[error("could not be stored: {0}")]
    Store(String),
}

/// At most this many pixels in any frame (a 50-megapixel photo), and this many on a side.
pub const MAX_PIXELS: u64 = 50_000_000;
pub const MAX_SIDE: u32 = 20_000;

/// Is a `w`×`h` frame within the limits?
pub fn within(w: u32, h: u32) -> bool {
    w > 0 && h > 0 && w <= MAX_SIDE && h <= MAX_SIDE && u64::from(w) * u64::from(h) <= MAX_PIXELS
}

/// A frame's width and height.
pub type Size = (u32, u32);

/// The size of every frame a walk meets (the canvas or screen first, where the format has one),
/// held to the limits as it is met when `enforce` is set: a bomb is refused at its header,
/// before anything behind it is read.
#[derive(Debug, Default)]
pub struct Frames {
    pub sizes: Vec<Size>,
    pub enforce: bool,
}

impl Frames {
    pub fn enforcing() -> Frames {
        Frames {
            sizes: Vec::new(),
            enforce: true,
        }
    }

    pub fn add(&mut self, (w, h): Size) -> Result<(), Refusal> {
        if self.enforce && !within(w, h) {
            return Err(Refusal::Bomb(w, h));
        }
        self.sizes.push((w, h));
        Ok(())
    }
}

pub fn be16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

pub fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

pub fn le16(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

pub fn le24(b: &[u8], at: usize) -> Option<u32> {
    let x = b.get(at..at + 3)?;
    Some(u32::from(x[0]) | u32::from(x[1]) << 8 | u32::from(x[2]) << 16)
}

pub fn le32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The image's kind, by its signature. Its dimensions are checked, frame by frame, when it is
/// stripped (`strip`).
pub fn sniff(b: &[u8]) -> Result<Kind, Refusal> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Ok(Kind::Jpeg);
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Ok(Kind::Png);
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
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

#[cfg(test)]
mod tests {
    use super::{Frames, Kind, Refusal, sniff, within};

    #[test]
    fn kinds_by_signature_and_limits_per_frame() {
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0"), Ok(Kind::Jpeg));
        assert_eq!(sniff(b"GIF87a"), Ok(Kind::Gif));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 "), Ok(Kind::WebP));
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBP"), Err(Refusal::NotAnImage));
        assert_eq!(sniff(b"\0\0\0\x1cftypavis"), Err(Refusal::Avif));
        assert_eq!(sniff(b"<?xml?><SVG>"), Err(Refusal::Svg));
        assert!(within(20_000, 2_500) && within(1, 1));
        assert!(!within(20_001, 1) && !within(1, 20_001) && !within(0, 5));
        assert!(!within(7072, 7071) && within(7071, 7071));
        let mut f = Frames::enforcing();
        assert_eq!(f.add((1, 1)), Ok(()));
        assert_eq!(f.add((60_000, 60_000)), Err(Refusal::Bomb(60_000, 60_000)));
        assert_eq!(f.sizes, [(1, 1)]);
        let mut counting = Frames::default();
        assert_eq!(counting.add((0, 0)), Ok(()));
    }
}
