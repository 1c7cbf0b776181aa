//! Removing what a photo reveals (GPS position, camera serial, time, captions, content
//! credentials, a second picture) without re-encoding it. Each format is walked block by block
//! and only what decoding needs is kept, by an allowlist (`jpeg`, `png`, `gif`, `webp` list
//! theirs); every frame the walk meets is held to the pixel limit, so a decompression bomb is
//! refused whatever frame it hides in.

use super::sniff::{Frames, Kind, Refusal, Size, sniff};
use super::{gif, jpeg, png, webp};

fn walk(kind: Kind, bytes: &[u8], frames: &mut Frames) -> Result<Vec<u8>, Refusal> {
    match kind {
        Kind::Jpeg => jpeg::walk(bytes, frames),
        Kind::Png => png::walk(bytes, frames),
        Kind::Gif => gif::walk(bytes, frames),
        Kind::WebP => webp::walk(bytes, frames),
    }
}

/// The image with only what decoding needs (the pixels untouched), every frame checked.
pub fn strip(kind: Kind, bytes: &[u8]) -> Result<Vec<u8>, Refusal> {
    walk(kind, bytes, &mut Frames::enforcing())
}

/// The size of every frame the image declares (its canvas or screen first), unchecked.
pub fn frames(kind: Kind, bytes: &[u8]) -> Result<Vec<Size>, Refusal> {
    let mut frames = Frames::default();
    walk(kind, bytes, &mut frames)?;
    Ok(frames.sizes)
}

/// What any image goes through before it is published: its kind from its bytes, then
/// [`strip`].
pub fn clean(bytes: &[u8]) -> Result<(Kind, Vec<u8>), Refusal> {
    let kind = sniff(bytes)?;
    Ok((kind, strip(kind, bytes)?))
}
