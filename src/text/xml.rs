//! The characters XML 1.0 allows, and removing the others: one rule for every text we write
//! (and for the entity decoder, which must not produce a forbidden character either).

/// True for characters XML 1.0 allows (`#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]`).
pub fn xml_char_ok(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Removes characters XML 1.0 forbids (and C1 controls, which are legal but never wanted).
pub fn xml_safe(s: &str) -> String {
    xml_safe_cow(s).into_owned()
}

fn wanted(c: char) -> bool {
    xml_char_ok(c) && !('\u{80}'..='\u{9F}').contains(&c)
}

/// [`xml_safe`] without a copy when nothing needs removing (the common case).
pub fn xml_safe_cow(s: &str) -> std::borrow::Cow<'_, str> {
    // Bytes that can start an unwanted character: C0 controls, and the lead bytes of C1 controls
    // (U+0080..U+009F) and of U+FFFE/U+FFFF. Anything else is plainly fine.
    let suspicious = s
        .bytes()
        .any(|b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0xC2 || b == 0xEF);
    if !suspicious || s.chars().all(wanted) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.chars().filter(|&c| wanted(c)).collect())
    }
}

/// The one text-cleaning rule of every output (issue 14, defect 8), for the JSON ones: every string
/// in `v` goes through [`xml_safe_cow`], as every string of `feed.atom` and of the pages does.
/// Characters XML forbids (U+0001) and non-characters (U+FFFF) never reach a reader in one format
/// and not in another.
pub fn clean_json_strings(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            if let std::borrow::Cow::Owned(clean) = xml_safe_cow(s) {
                *s = clean;
            }
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(clean_json_strings),
        serde_json::Value::Object(o) => o.values_mut().for_each(clean_json_strings),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::xml_safe;

    #[test]
    fn xml_safe_keeps_allowed_characters() {
        assert_eq!(xml_safe("tab\tnl\n 中文 😀"), "tab\tnl\n 中文 😀");
        assert_eq!(xml_safe("\u{0}\u{8}\u{b}\u{c}\u{1f}\u{85}"), "");
        assert_eq!(xml_safe("a\u{FFFE}b\u{FFFF}c\u{FFFD}"), "abc\u{FFFD}");
        assert_eq!(
            xml_safe("Ünïcödé ¢"),
            "Ünïcödé ¢",
            "C2-led characters other than C1 controls stay"
        );
    }

    #[test]
    fn xml_safe_removes_each_kind_of_unwanted_character_alone() {
        use super::xml_safe_cow;
        use std::borrow::Cow;
        assert_eq!(xml_safe("a\u{1}b"), "ab", "C0 control");
        assert_eq!(xml_safe("\u{1}\u{2} "), " ", "only low bytes");
        assert_eq!(xml_safe("a\u{85}b"), "ab", "C1 control");
        assert_eq!(xml_safe("a\u{FFFF}b"), "ab", "non-character");
        assert!(super::xml_char_ok('a') && super::xml_char_ok('\t'));
        assert!(!super::xml_char_ok('\u{1}') && !super::xml_char_ok('\u{FFFE}'));
        // Nothing to remove: no copy, whether or not a byte looked suspicious.
        assert!(matches!(xml_safe_cow("plain text"), Cow::Borrowed(_)));
        assert!(matches!(xml_safe_cow("Ünï ¢ \u{FFFD}"), Cow::Borrowed(_)));
        assert!(matches!(xml_safe_cow("a\u{1}"), Cow::Owned(_)));
    }

    #[test]
    fn json_strings_are_cleaned_at_every_depth() {
        let mut v = serde_json::json!({
            "title": "a\u{1}b",
            "items": [{"summary": "c\u{FFFF}d", "n": 3}, "e\u{85}f", null, true],
            "ok": "fine",
        });
        super::clean_json_strings(&mut v);
        assert_eq!(
            v,
            serde_json::json!({
                "title": "ab",
                "items": [{"summary": "cd", "n": 3}, "ef", null, true],
                "ok": "fine",
            })
        );
    }
}
