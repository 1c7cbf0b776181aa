//! Characters a name may not hold (issue 27, defect 11): control characters (C0, DEL and C1: a
//! line feed or a carriage return forges a line of the run report, a tab a column of `feedbraid
//! list`), the Unicode line and paragraph separators, and the bidirectional controls (U+202E and
//! its kin reorder the text around them on the pages). `feedbraid check` rejects them in the
//! config's names ([`first_forbidden`], [`describe`]); `import` strips them from what an OPML
//! file offers ([`strip`]).
//!
//! Right-to-left scripts need none of these: the pages mark each name's direction themselves.

/// The Unicode `Bidi_Control` characters: the marks (ALM, LRM, RLM), the embeddings and
/// overrides (LRE, RLE, PDF, LRO, RLO) and the isolates (LRI, RLI, FSI, PDI).
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// Whether a name may not hold `c`.
pub fn forbidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// The first character of `s` a name may not hold.
pub fn first_forbidden(s: &str) -> Option<char> {
    s.chars().find(|&c| forbidden(c))
}

/// `c` for a message: its code point and what it is, e.g. `U+000A (a line feed)`.
pub fn describe(c: char) -> String {
    let what = match c {
        '\n' => "a line feed",
        '\r' => "a carriage return",
        '\t' => "a tab",
        '\u{2028}' | '\u{2029}' => "a line or paragraph separator",
        c if is_bidi_control(c) => "a bidirectional control, which reorders the text around it",
        _ => "a control character",
    };
    format!("U+{:04X} ({what})", u32::from(c))
}

/// `s` without the characters a name may not hold: the ones that separate (line breaks, tabs)
/// become one space between the words they separated, the others are removed; trimmed.
pub fn strip(s: &str) -> String {
    if first_forbidden(s).is_none() {
        return s.trim().to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut gap = false;
    for c in s.chars() {
        if forbidden(c) {
            gap |= c.is_whitespace();
            continue;
        }
        if gap && !c.is_whitespace() && !out.is_empty() && !out.ends_with(char::is_whitespace) {
            out.push(' ');
        }
        gap = false;
        out.push(c);
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::{describe, first_forbidden, strip};

    #[test]
    fn what_is_forbidden_and_what_is_not() {
        for bad in [
            "a\nb",
            "a\rb",
            "a\tb",
            "a\u{0}",
            "a\u{7f}",
            "a\u{85}",
            "a\u{9b}",
            "\u{202e}x",
            "x\u{2066}",
            "\u{200f}",
            "\u{61c}",
            "a\u{2028}b",
        ] {
            assert!(first_forbidden(bad).is_some(), "{bad:?}");
        }
        for good in [
            "Empower",
            "มูลนิธิ",
            "午夜藍",
            "مؤسسة",
            "a\u{a0}b",
            "a\u{200b}b",
            "Ǆ",
        ] {
            assert_eq!(first_forbidden(good), None, "{good:?}");
        }
        assert_eq!(describe('\n'), "U+000A (a line feed)");
        assert!(describe('\u{202e}').starts_with("U+202E (a bidirectional control"));
        assert_eq!(describe('\u{1}'), "U+0001 (a control character)");
    }

    #[test]
    fn stripping_keeps_words_apart_and_nothing_else() {
        assert_eq!(strip("Fol\nder\u{202e}"), "Fol der");
        assert_eq!(strip("a\r\n\tb"), "a b");
        assert_eq!(strip("a \n b"), "a  b");
        assert_eq!(strip("\u{202e}lmth.exe\r\u{200f}\u{9b}\u{85}"), "lmth.exe");
        assert_eq!(strip("x\u{1}y"), "xy");
        assert_eq!(strip("  plain\u{a0}name "), "plain\u{a0}name");
    }
}
