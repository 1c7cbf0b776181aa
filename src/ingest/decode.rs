//! Charset detection and transcoding: raw feed bytes in, UTF-8 text out.
//!
//! feed-rs decodes some legacy charsets itself but fails hard on unknown labels, on a charset given
//! only in the HTTP header and on one bad byte, and turns UTF-8 under a wrong declaration into
//! mojibake. So every feed passes through here first. The order of evidence:
//! byte-order mark, then the HTTP `charset`, then the XML prolog's `encoding` (with an alias table for
//! labels seen in the wild), then "valid UTF-8 wins over a wrong legacy declaration", then, when
//! nothing usable is declared and the bytes are not UTF-8, Firefox's detector (chardetng), reported
//! as a warning. The XML front end reads the result as UTF-8 and ignores the prolog's label.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// Guesses the legacy encoding of bytes that declare none (Big5, GBK, Shift_JIS, EUC-KR, KOI8-R,
/// TIS-620...), as Firefox does.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut d = chardetng::EncodingDetector::new();
    d.feed(bytes, true);
    d.guess(None, true)
}

/// The decoded document and how its charset was decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<'a> {
    /// The document as UTF-8 text (the prolog still says what the bytes declared): the bytes
    /// themselves when they are valid UTF-8 (checking them a second time while copying them was
    /// a tenth of parsing a document).
    pub text: Cow<'a, str>,
    /// Name of the encoding that was used.
    pub encoding: &'static str,
    /// Set when the declared charset was wrong or the bytes were invalid: worth a warning.
    pub warning: Option<String>,
}

/// Maps charset labels seen in feeds (including ones WHATWG does not know) to an encoding.
pub fn lookup(label: &str) -> Option<&'static Encoding> {
    let l = label.trim().trim_matches(['"', '\'']).to_ascii_lowercase();
    let alias = match l.as_str() {
        "x-cp874" | "cp874" | "tis620" | "tis-620" | "ms874" | "iso-8859-11" | "iso8859-11" => {
            "windows-874"
        }
        "big5-hkscs" | "x-big5" | "cp950" => "big5",
        "gb2312-80" | "x-gbk" | "cp936" | "euc-cn" => "gbk",
        "utf8" | "unicode-1-1-utf-8" => "utf-8",
        "latin1" | "latin-1" | "iso8859-1" | "iso_8859-1" | "cp1252" => "windows-1252",
        other => other,
    };
    Encoding::for_label(alias.as_bytes())
}

/// The `charset` parameter of a `Content-Type` header value.
pub fn charset_from_content_type(ct: &str) -> Option<&str> {
    ct.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']))
    })
}

/// Byte range of the `encoding="..."` value inside the XML declaration, if there is one.
fn prolog_encoding(bytes: &[u8]) -> Option<(usize, usize)> {
    let head = &bytes[..bytes.len().min(512)];
    let start = find(head, b"<?xml")?;
    let end = start + find(&head[start..], b"?>")?;
    let decl = &head[start..end];
    let at = find(decl, b"encoding")?;
    let mut i = at + "encoding".len();
    while i < decl.len() && (decl[i] == b' ' || decl[i] == b'=' || decl[i] == b'\t') {
        i += 1;
    }
    let quote = *decl.get(i)?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let vstart = i + 1;
    let vlen = find(&decl[vstart..], &[quote])?;
    Some((start + vstart, start + vstart + vlen))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// UTF-16 without a BOM shows itself by the NULs around `<?`.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes {
        [b'<', 0, b'?', 0, ..] | [b'<', 0, b'r', 0, ..] | [b'<', 0, b'f', 0, ..] => Some(UTF_16LE),
        [0, b'<', 0, b'?', ..] | [0, b'<', 0, b'r', ..] | [0, b'<', 0, b'f', ..] => Some(UTF_16BE),
        _ => None,
    }
}

/// Decodes feed bytes using the evidence described in the module docs.
pub fn decode<'a>(bytes: &'a [u8], http_charset: Option<&str>) -> Decoded<'a> {
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        return finish(enc, &bytes[bom_len..], None);
    }
    if let Some(enc) = sniff_utf16(bytes) {
        return finish(enc, bytes, None);
    }
    let prolog_label =
        prolog_encoding(bytes).map(|(s, e)| String::from_utf8_lossy(&bytes[s..e]).into_owned());
    let declared = http_charset
        .map(|c| (c.to_string(), "HTTP header"))
        .or(prolog_label.map(|c| (c, "XML prolog")));
    let valid = simdutf8::basic::from_utf8(bytes).ok();
    match declared {
        Some((label, from)) => match lookup(&label) {
            // UTF-16 declared in a document that is clearly 8-bit: the declaration is wrong.
            Some(enc) if enc == UTF_16LE || enc == UTF_16BE => fallback(bytes, valid, &label, from),
            Some(enc) if enc == UTF_8 => {
                if let Some(text) = valid {
                    as_utf8(text, None)
                } else {
                    let enc = detect(bytes);
                    let w = format!(
                        "declared UTF-8 in the {from} but is not valid UTF-8; detected {}",
                        enc.name()
                    );
                    finish(enc, bytes, Some(w))
                }
            }
            Some(enc) => {
                if let Some(text) = valid.filter(|_| !bytes.is_ascii()) {
                    let w = format!(
                        "declared `{label}` in the {from} but is valid UTF-8; decoded as UTF-8"
                    );
                    as_utf8(text, Some(w))
                } else {
                    finish(enc, bytes, None)
                }
            }
            None => fallback(bytes, valid, &label, from),
        },
        None if let Some(text) = valid => as_utf8(text, None),
        None => {
            let enc = detect(bytes);
            let w = format!("no charset declared; detected {}", enc.name());
            finish(enc, bytes, Some(w))
        }
    }
}

fn fallback<'a>(bytes: &'a [u8], valid: Option<&'a str>, label: &str, from: &str) -> Decoded<'a> {
    let warning = |enc: &'static Encoding| {
        format!(
            "unusable charset `{label}` in the {from}; decoded as {}",
            enc.name()
        )
    };
    match valid {
        Some(text) => as_utf8(text, Some(warning(UTF_8))),
        None => {
            let enc = detect(bytes);
            finish(enc, bytes, Some(warning(enc)))
        }
    }
}

/// Bytes already known to be valid UTF-8, borrowed as they are.
fn as_utf8(text: &str, warning: Option<String>) -> Decoded<'_> {
    Decoded {
        text: Cow::Borrowed(text),
        encoding: UTF_8.name(),
        warning,
    }
}

fn finish<'a>(enc: &'static Encoding, bytes: &'a [u8], mut warning: Option<String>) -> Decoded<'a> {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    if had_errors && warning.is_none() {
        warning = Some(format!("invalid {} byte sequences replaced", enc.name()));
    }
    Decoded {
        text,
        encoding: enc.name(),
        warning,
    }
}

#[cfg(test)]
mod tests {
    use super::{charset_from_content_type, decode};

    #[test]
    fn evidence_order() {
        let thai = encoding_rs::WINDOWS_874
            .encode("<?xml version=\"1.0\"?><t>ไทย</t>")
            .0
            .into_owned();
        assert!(
            decode(&thai, Some("tis-620")).text.contains("ไทย"),
            "HTTP charset"
        );
        assert!(
            decode(&thai, None).warning.is_some(),
            "undeclared and invalid UTF-8 is reported"
        );
        let utf8_under_latin1 =
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>Café</t>".as_bytes();
        let d = decode(utf8_under_latin1, None);
        assert!(d.text.contains("Café"), "{}", d.text);
        let bom16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("<t>é</t>".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(
            decode(&bom16, Some("iso-8859-1")).text,
            "<t>é</t>",
            "the BOM beats the header"
        );
        assert_eq!(
            charset_from_content_type("text/xml; Charset=\"Big5\""),
            Some("Big5")
        );
    }

    #[test]
    fn prolog_encoding_finds_the_label_wherever_it_is() {
        use super::prolog_encoding;
        let label = |b: &[u8]| {
            prolog_encoding(b).map(|(s, e)| String::from_utf8_lossy(&b[s..e]).into_owned())
        };
        assert_eq!(
            label(b"\n  <?xml version=\"1.0\" encoding=\"big5\"?><rss/>").as_deref(),
            Some("big5")
        );
        assert_eq!(
            label(b"<?xml version='1.0' encoding \t= 'koi8-r' ?><rss/>").as_deref(),
            Some("koi8-r")
        );
        assert_eq!(
            label(b"<?xml version=\"1.0\" encoding=big5?>"),
            None,
            "unquoted"
        );
        assert_eq!(label(b"<?xml version=\"1.0\" encoding?><rss/>"), None);
        assert_eq!(label(b"<?xml version=\"1.0\" encoding=?><rss/>"), None);
        assert_eq!(
            label(b"<?xml version=\"1.0\"?><rss encoding=\"big5\"/>"),
            None
        );
        assert_eq!(label(b"<rss/>"), None);
    }

    #[test]
    fn declared_charsets_and_their_warnings() {
        let d = decode(
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>caf\xe9</t>",
            None,
        );
        assert_eq!(
            (d.text.contains("caf\u{e9}"), d.encoding),
            (true, "windows-1252")
        );
        assert_eq!(d.warning, None);
        let d = decode(b"<t>plain</t>", Some("latin1"));
        assert_eq!(
            (d.encoding, d.warning),
            ("windows-1252", None),
            "ASCII is no evidence"
        );
        let d = decode("<t>caf\u{e9}</t>".as_bytes(), Some("utf8"));
        assert_eq!((d.encoding, d.warning), ("UTF-8", None));
        let d = decode("<t>caf\u{e9}</t>".as_bytes(), None);
        assert_eq!((d.encoding, d.warning), ("UTF-8", None), "undeclared UTF-8");
        let d = decode(b"<?xml version=\"1.0\" encoding=\"UTF-16\"?><t>a</t>", None);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.ends_with("<t>a</t>"), "{}", d.text);
        assert!(
            d.warning
                .is_some_and(|w| w.contains("unusable charset `UTF-16`"))
        );
        let d = decode(b"<t>a</t>", Some("no-such-charset"));
        assert!(d.warning.is_some_and(|w| w.contains("HTTP header")));
        let d = decode(b"<t>caf\xe9</t>", Some("utf-8"));
        assert!(d.text.contains("caf\u{e9}"), "{}", d.text);
        assert!(d.warning.is_some_and(|w| w.starts_with("declared UTF-8")));
    }

    #[test]
    fn undeclared_bytes_are_detected_and_utf16_sniffed() {
        let thai = encoding_rs::WINDOWS_874
            .encode("<t>ภาษาไทยเป็นภาษาราชการของประเทศไทย</t>")
            .0
            .into_owned();
        let d = decode(&thai, None);
        assert!(d.text.contains("ภาษาไทย"), "{}", d.text);
        assert_eq!(d.encoding, "windows-874");
        let le: Vec<u8> = "<?xml version=\"1.0\"?><t>é</t>"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let be: Vec<u8> = "<rss><t>é</t></rss>"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(decode(&le, None).text, "<?xml version=\"1.0\"?><t>é</t>");
        assert_eq!(decode(&le, None).encoding, "UTF-16LE");
        assert_eq!(decode(&be, None).text, "<rss><t>é</t></rss>");
        assert_eq!(
            super::lookup("x-cp874").map(|e| e.name()),
            Some("windows-874")
        );
        assert_eq!(super::lookup(" 'cp936' ").map(|e| e.name()), Some("GBK"));
        assert_eq!(super::lookup("nonsense"), None);
    }
}
