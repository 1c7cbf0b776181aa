//! The bottom layer: small, pure text rules that every stage shares. The characters XML allows
//! ([`xml`]), the one entity decoder ([`entities`]), plain-text fields ([`plain`]), the one
//! escaper ([`escape`]), language tags ([`lang`]), links and their cleaning ([`links`]), e-mail
//! addresses ([`email`]), HTML nesting bounds ([`depth`]), the characters a name may not hold
//! ([`controls`]) and the one hex encoding of digests ([`hex`]).
//!
//! What belongs here: functions over strings and URLs with no knowledge of feeds, entries or
//! configuration. What may not: any `crate::` import outside `text` itself (this layer imports
//! nothing of ours, so that every other layer may import it).

pub mod controls;
pub mod depth;
pub mod email;
pub(crate) mod entities;
pub mod escape;
pub mod lang;
pub(crate) mod links;
pub(crate) mod plain;
pub mod slug;
pub(crate) mod xml;

/// Bytes in lower-case hex: the one spelling of every digest feedbraid writes (ids,
/// fingerprints, file names).
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_is_two_lower_case_digits_a_byte() {
        assert_eq!(super::hex(&[0x00, 0x0f, 0xa5, 0xff, 0x10]), "000fa5ff10");
        assert_eq!(super::hex(&[]), "");
    }
}
