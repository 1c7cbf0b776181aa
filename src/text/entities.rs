//! The one entity decoder: XML's five, numeric references, and HTML's named entities (`&nbsp;`,
//! `&eacute;`, `&mdash;`...), which partners' feeds use without declaring them.
//!
//! The table is WHATWG's, as html5ever ships it (`markup5ever::data::NAMED_ENTITIES`), so the XML
//! front end and plain-text titles decode exactly the same set. Nothing here ever reads a DTD or
//! expands an entity a document declares: an unknown name stays literal text.

use markup5ever::data::NAMED_ENTITIES;

/// What one `&name;` reference stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// One of XML's five predefined entities, or a valid character reference.
    Xml(char),
    /// A valid character reference to a character XML 1.0 forbids (`&#0;`, `&#xD800;`): replaced
    /// by U+FFFD.
    BadChar,
    /// An HTML named entity that XML does not predefine: one or two characters.
    Html(char, Option<char>),
    /// No such entity: the reference stays as literal text.
    Unknown,
}

/// Resolves the name between `&` and `;` (`amp`, `#233`, `#xE9`, `nbsp`).
pub fn resolve(name: &str) -> Resolved {
    match name {
        "amp" => return Resolved::Xml('&'),
        "lt" => return Resolved::Xml('<'),
        "gt" => return Resolved::Xml('>'),
        "quot" => return Resolved::Xml('"'),
        "apos" => return Resolved::Xml('\''),
        _ => {}
    }
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse::<u32>().ok(),
        };
        return match code {
            None if num.is_empty() => Resolved::Unknown,
            Some(c) => match char::from_u32(c).filter(|&c| super::xml::xml_char_ok(c)) {
                Some(c) => Resolved::Xml(c),
                None => Resolved::BadChar,
            },
            None => Resolved::BadChar,
        };
    }
    if name.len() > 40 {
        return Resolved::Unknown;
    }
    // The table's keys end in `;`: the key is built on the stack (this runs for every
    // reference of every document).
    let mut buf = [0u8; 42];
    buf[..name.len()].copy_from_slice(name.as_bytes());
    buf[name.len()] = b';';
    let key = std::str::from_utf8(&buf[..=name.len()]).unwrap_or_default();
    match NAMED_ENTITIES.get(key) {
        Some(&(a, b)) => match char::from_u32(a) {
            Some(a) => Resolved::Html(a, char::from_u32(b).filter(|_| b != 0)),
            None => Resolved::Unknown,
        },
        None => Resolved::Unknown,
    }
}

/// Decodes every reference in `s` (as [`resolve`] reads them); a `&` that starts no reference
/// stays literal. Borrows when there is nothing to decode.
pub fn decode(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
            .map(|e| e + 1);
        match end.filter(|&e| rest[e..].starts_with(';') && e > 1) {
            Some(e) => {
                push(&mut out, resolve(&rest[1..e]), &rest[..=e]);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// Appends what a reference resolved to; `literal` is the reference as written.
pub fn push(out: &mut String, r: Resolved, literal: &str) {
    match r {
        Resolved::Xml(c) => out.push(c),
        Resolved::BadChar => out.push('\u{FFFD}'),
        Resolved::Html(a, b) => {
            out.push(a);
            out.extend(b);
        }
        Resolved::Unknown => out.push_str(literal),
    }
}

#[cfg(test)]
mod tests {
    use super::{Resolved, decode, resolve};

    #[test]
    fn one_table_for_every_kind() {
        assert_eq!(resolve("amp"), Resolved::Xml('&'));
        assert_eq!(resolve("#xE9"), Resolved::Xml('é'));
        assert_eq!(resolve("#233"), Resolved::Xml('é'));
        assert_eq!(resolve("#0"), Resolved::BadChar);
        assert_eq!(resolve("#xD800"), Resolved::BadChar);
        assert_eq!(resolve("nbsp"), Resolved::Html('\u{a0}', None));
        assert_eq!(resolve("mdash"), Resolved::Html('—', None));
        assert_eq!(resolve("nosuchthing"), Resolved::Unknown);
        assert_eq!(
            decode("AT&T &eacute;t&eacute; &bogus; &#xD800; &amp;"),
            "AT&T été &bogus; \u{FFFD} &"
        );
    }
}
