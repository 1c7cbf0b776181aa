//! The one escaper for markup we assemble ourselves (HTML pages, credit lines, rewritten image
//! tags, the XML front end's re-serialised fragments). The XML writers (quick-xml,
//! atom_syndication) escape on their own; everything else calls here.

/// Which quote characters an escape must also cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quotes {
    /// Element content: `&`, `<` and `>` only.
    None,
    /// Double-quoted attribute values (and content): `"` too.
    Double,
    /// Either kind of attribute quoting: `"` and `'` too.
    Both,
}

/// Appends `s` to `out`, escaped for HTML or XML with the given quotes.
pub fn escape_into(s: &str, quotes: Quotes, out: &mut String) {
    out.reserve(s.len());
    // Writing to a `String` cannot fail.
    let _ = escape_to(s, quotes, out);
}

/// Writes `s` to `out`, escaped for HTML or XML with the given quotes: the runs between the
/// characters to escape are copied whole (every one of those characters is ASCII, so a byte
/// search finds them and never splits a character), not pushed one character at a time.
pub fn escape_to<W: std::fmt::Write + ?Sized>(
    s: &str,
    quotes: Quotes,
    out: &mut W,
) -> std::fmt::Result {
    let mut run = 0;
    for (i, b) in s.bytes().enumerate() {
        let with = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if quotes != Quotes::None => "&quot;",
            b'\'' if quotes == Quotes::Both => "&#39;",
            _ => continue,
        };
        out.write_str(&s[run..i])?;
        out.write_str(with)?;
        run = i + 1;
    }
    out.write_str(&s[run..])
}

/// `s` escaped for element content and double-quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    escape_into(s, Quotes::Double, &mut o);
    o
}

/// `s` for an HTML page, in content or in attributes quoted either way, after the one
/// text-cleaning rule every output shares (`text::xml::xml_safe_cow`).
pub fn escape_html(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    // Writing to a `String` cannot fail.
    let _ = escape_html_to(s, &mut o);
    o
}

/// [`escape_html`], written to `out` (a template's output) without a `String` between.
pub fn escape_html_to<W: std::fmt::Write + ?Sized>(s: &str, out: &mut W) -> std::fmt::Result {
    escape_to(&super::xml::xml_safe_cow(s), Quotes::Both, out)
}

#[cfg(test)]
mod tests {
    use super::{Quotes, escape, escape_html, escape_html_to, escape_into};
    use proptest::prelude::*;

    /// One character at a time, as the escaper did before it copied runs.
    fn by_char(s: &str, quotes: Quotes) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' if quotes != Quotes::None => out.push_str("&quot;"),
                '\'' if quotes == Quotes::Both => out.push_str("&#39;"),
                _ => out.push(c),
            }
        }
        out
    }

    #[test]
    fn runs_copied_whole_escape_as_one_character_at_a_time_does() {
        let part = prop::sample::select(vec![
            "&",
            "<",
            ">",
            "\"",
            "'",
            "a",
            " ",
            "é",
            "ไทย",
            "性工作",
            "\u{1}",
            "&amp;",
            "",
        ]);
        proptest!(|(parts in prop::collection::vec(part, 0..24))| {
            let s = parts.concat();
            for quotes in [Quotes::None, Quotes::Double, Quotes::Both] {
                let mut out = String::from("kept:");
                escape_into(&s, quotes, &mut out);
                prop_assert_eq!(&out[5..], by_char(&s, quotes), "{:?} {:?}", s, quotes);
            }
            let mut page = String::new();
            escape_html_to(&s, &mut page).expect("a String takes every write");
            prop_assert_eq!(&page, &escape_html(&s));
            prop_assert_eq!(page, by_char(&crate::text::xml::xml_safe_cow(&s), Quotes::Both));
        });
    }

    #[test]
    fn each_mode_escapes_what_it_names() {
        let s = "a&b<c>d\"e'f";
        let mut content = String::new();
        escape_into(s, Quotes::None, &mut content);
        assert_eq!(content, "a&amp;b&lt;c&gt;d\"e'f");
        assert_eq!(escape(s), "a&amp;b&lt;c&gt;d&quot;e'f");
        assert_eq!(escape_html(s), "a&amp;b&lt;c&gt;d&quot;e&#39;f");
        assert_eq!(
            escape_html("x\u{1}y"),
            "xy",
            "forbidden characters removed first"
        );
    }
}
