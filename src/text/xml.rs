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

/// `doc` as pretty-printed JSON with a final newline, every string cleaned as
/// [`clean_json_strings`] cleans it. Written straight from `doc`, and through a
/// `serde_json::Value` only when the text holds what could be an unwanted character's escape or
/// bytes ([`may_need_cleaning`]): built for every document, the value was most of the time
/// `status.json` took at 5,000 sources (issue 25), and almost no document needs it. The same
/// bytes either way (the value keeps the fields' order: `preserve_order`).
pub fn clean_json_pretty<T: serde::Serialize + ?Sized>(doc: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = serde_json::to_vec_pretty(doc)?;
    if may_need_cleaning(&out) {
        let mut value = serde_json::to_value(doc)?;
        clean_json_strings(&mut value);
        out = serde_json::to_vec_pretty(&value)?;
    }
    out.push(b'\n');
    Ok(out)
}

/// Whether serde_json's text `json` may hold a character [`xml_safe_cow`] removes: a C0 control
/// is escaped (`\u00XX`, `\b`, `\f`; the tab and the line ends are wanted), a C1 control is
/// written as itself (`C2 80`–`C2 9F`), and so are U+FFFE and U+FFFF (`EF BF BE`, `EF BF BF`).
/// An escaped backslash before such letters (`\\b`) reads as one too: a false alarm costs only
/// the slower path.
fn may_need_cleaning(json: &[u8]) -> bool {
    json.windows(2).enumerate().any(|(i, w)| match w {
        [b'\\', b'b' | b'f'] => true,
        [b'\\', b'u'] => json.get(i + 2..i + 4) == Some(b"00"),
        [0xC2, c] => (0x80..=0x9F).contains(c),
        [0xEF, 0xBF] => matches!(json.get(i + 2), Some(0xBE | 0xBF)),
        _ => false,
    })
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

    #[test]
    fn json_written_straight_is_cleaned_as_through_a_value() {
        // Description: documents (a struct's fields in their order, nested) whose strings hold
        // each unwanted character, characters that look like them (NBSP, U+FFFD, a literal
        // backslash before b, f or u00), and none. Expect: the same bytes as the value's path
        // (fields in order, every string cleaned), with a final newline; a clean document's
        // are serde_json's own.
        #[derive(serde::Serialize)]
        struct Doc<'a> {
            zeta: &'a str,
            alpha: Vec<&'a str>,
            n: u32,
        }
        let reference = |d: &Doc<'_>| {
            let mut v = serde_json::to_value(d).expect("value");
            super::clean_json_strings(&mut v);
            let mut out = serde_json::to_vec_pretty(&v).expect("json");
            out.push(b'\n');
            out
        };
        let texts = [
            "plain",
            "a\u{1}b",
            "tab\tnl\n",
            "\u{8}",
            "\u{c}",
            "\u{1f}",
            "x\u{85}y",
            "\u{9f}",
            "\u{FFFE}",
            "\u{FFFF}",
            "nb\u{a0}sp é ¢",
            "\u{FFFD}\u{FEFF}",
            "\\b \\f",
            "\\u0041",
            "中文 ไทย",
        ];
        for text in texts {
            let doc = Doc {
                zeta: text,
                alpha: vec!["ok", text],
                n: 7,
            };
            let got = super::clean_json_pretty(&doc).expect("json");
            assert_eq!(got, reference(&doc), "{text:?}");
            let clean = super::xml_safe(text) == text;
            assert_eq!(
                clean,
                got.strip_suffix(b"\n")
                    == Some(&serde_json::to_vec_pretty(&doc).expect("json")[..]),
                "{text:?}"
            );
        }
        let first = String::from_utf8(
            super::clean_json_pretty(&Doc {
                zeta: "z",
                alpha: vec![],
                n: 1,
            })
            .expect("json"),
        )
        .expect("utf-8");
        assert!(
            first.find("zeta") < first.find("alpha"),
            "fields in order: {first}"
        );
    }

    #[test]
    fn only_text_that_may_hold_an_unwanted_character_takes_the_slower_path() {
        // Description: serde_json's text of strings with and without unwanted characters.
        // Expect: each unwanted character's form found (an escaped C0 control, a C1 control,
        // U+FFFE or U+FFFF as themselves); text without one (tab, NBSP, U+FFFD, CJK, a `\u00`
        // cut short at the end) not, so that it is written straight.
        let json = |s: &str| serde_json::to_vec(s).expect("json");
        for unwanted in [
            "\u{1}", "\u{8}", "\u{c}", "\u{1f}", "\u{85}", "\u{9f}", "\u{FFFE}", "\u{FFFF}",
        ] {
            assert!(
                super::may_need_cleaning(&json(&format!("a{unwanted}b"))),
                "{unwanted:?}"
            );
        }
        for fine in [
            "plain",
            "tab\tnl\n\r",
            "nb\u{a0}sp é",
            "\u{FFFD}\u{FEFF}",
            "中文 ไทย",
            "\u{7f}",
        ] {
            assert!(!super::may_need_cleaning(&json(fine)), "{fine:?}");
        }
        assert!(!super::may_need_cleaning(br"\u0"), "a cut escape");
        assert!(!super::may_need_cleaning(b"\xEF\xBF"), "a cut U+FFFF");
    }
}
