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
    let s = super::xml::xml_safe_cow(s);
    let mut o = String::with_capacity(s.len() + 8);
    escape_into(&s, Quotes::Both, &mut o);
    o
}

#[cfg(test)]
mod tests {
    use super::{Quotes, escape, escape_html, escape_into};

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
