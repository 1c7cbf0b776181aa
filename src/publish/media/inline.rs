//! Inline images (`data:` URLs in an `<img src>`). One is never published as received: it can
//! carry a photo's GPS position like any file. With mirroring on, its bytes are decoded and go
//! through the same checks and stripping as a fetched image (their kind from the bytes, never
//! from the URL's media type; `media_max_bytes` applies), and it is published as a mirrored
//! copy; otherwise (mirroring off, or refused) it becomes its alt text (`rewrite`).
//!
//! Only base64 payloads are decoded: a percent-encoded image is refused.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::sniff::Refusal;

/// Standard base64, padded or not.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The bytes of a `data:` URL's base64 payload, at most `max_bytes` of them.
pub fn decode(url: &str, max_bytes: u64) -> Result<Vec<u8>, Refusal> {
    let (meta, payload) = url.trim().split_once(',').ok_or(Refusal::NotBase64)?;
    if !meta.to_ascii_lowercase().ends_with(";base64") {
        return Err(Refusal::NotBase64);
    }
    let payload: Vec<u8> = payload
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if payload.len() as u64 / 4 * 3 > max_bytes.saturating_add(3) {
        return Err(Refusal::TooLarge);
    }
    let bytes = LENIENT.decode(&payload).map_err(|_| Refusal::NotBase64)?;
    if bytes.len() as u64 > max_bytes {
        return Err(Refusal::TooLarge);
    }
    Ok(bytes)
}

/// How an inline image is named in reports (never its bytes): its declared media type and its
/// length.
pub fn label(url: &str) -> String {
    let meta = url.trim().split([',', ';']).next().unwrap_or_default();
    let meta: String = meta.chars().take(40).collect();
    let kind = meta.get(5..).unwrap_or_default();
    format!("an inline {kind} ({} characters)", url.len())
}

#[cfg(test)]
mod tests {
    use super::{decode, label};
    use crate::publish::media::sniff::Refusal;

    #[test]
    fn base64_only_within_the_cap_and_reported_without_bytes() {
        assert_eq!(
            decode("data:image/png;base64,iVBO Rw0K\nGgo", 100),
            Ok(b"\x89PNG\r\n\x1a\n".to_vec())
        );
        assert_eq!(
            decode(" data:image/gif;BASE64,R0lGODlh ", 100),
            Ok(b"GIF89a".to_vec())
        );
        assert_eq!(
            decode("data:image/png,%89PNG", 100),
            Err(Refusal::NotBase64)
        );
        assert_eq!(
            decode("data:image/png;base64", 100),
            Err(Refusal::NotBase64)
        );
        assert_eq!(
            decode("data:image/png;base64,@@@@", 100),
            Err(Refusal::NotBase64)
        );
        assert_eq!(
            decode("data:image/png;base64,iVBORw0KGgo=", 7),
            Err(Refusal::TooLarge)
        );
        assert_eq!(
            decode(&format!("data:x;base64,{}", "A".repeat(4000)), 100),
            Err(Refusal::TooLarge)
        );
        let l = label("data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ");
        assert_eq!(l, "an inline image/jpeg (41 characters)");
    }
}
