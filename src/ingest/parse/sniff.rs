//! Is a "text" field really HTML? RSS says text where partners put HTML, so the RSS adapter
//! classifies each field by its content ([`text_of`]), as feedparser does. Kept apart from the
//! adapter because the test is a small parser of its own (and is public: callers classify other
//! strings the same way).

use super::model::RawText;
use super::xml::Element;

/// feedparser's test, slightly widened: a closing tag, a tag that is only ever opened (`<br>`,
/// `<img ...>`, `<p>`), or an entity reference.
pub fn looks_like_html(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(at) = s[i..].find(['<', '&']).map(|a| a + i) {
        let rest = &s[at + 1..];
        if b[at] == b'<' {
            let name: String = rest
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let after = rest.trim_start_matches('/')[name.len()..].chars().next();
            let is_tag = !name.is_empty() && matches!(after, Some('>' | ' ' | '/' | '\n' | '\t'));
            if is_tag && (rest.starts_with('/') || HTML_OPENERS.contains(&name.as_str())) {
                return true;
            }
        } else {
            let n: &str = rest
                .split(';')
                .next()
                .filter(|n| n.len() <= 32 && rest.len() > n.len())
                .unwrap_or("");
            if !n.is_empty() && (n.starts_with('#') || n.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                return true;
            }
        }
        i = at + 1;
    }
    false
}

/// A text field whose format says "text": HTML when its content shows it is (inline elements,
/// escaped tags or entity references), text otherwise.
pub(super) fn text_of(el: &Element) -> RawText {
    if el.has_markup() {
        return RawText::html(el.inner_html());
    }
    let t = el.text();
    if looks_like_html(&t) {
        RawText::html(t)
    } else {
        RawText::text(t)
    }
}

const HTML_OPENERS: &[&str] = &[
    "a",
    "b",
    "i",
    "p",
    "br",
    "hr",
    "img",
    "div",
    "span",
    "em",
    "strong",
    "ul",
    "ol",
    "li",
    "blockquote",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "code",
    "iframe",
    "figure",
];

#[cfg(test)]
mod tests {
    use super::looks_like_html;

    #[test]
    fn tags_and_entities_are_html() {
        for s in [
            "a <b>bold</b> claim",
            "line<br>break",
            "<img src=x.png>",
            "ends</p>",
            "fish &amp; chips",
            "&#8217;quoted",
        ] {
            assert!(looks_like_html(s), "{s}");
        }
    }

    #[test]
    fn prose_with_angle_brackets_or_ampersands_stays_text() {
        for s in [
            "if a < b then",
            "x<y",
            "<unknown> tag",
            "fish & chips",
            "Q&A",
            "",
        ] {
            assert!(!looks_like_html(s), "{s}");
        }
    }
}
