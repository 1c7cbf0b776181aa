//! Bogus `<!` declarations, read as a browser reads them (the HTML parsing spec's "bogus
//! comment"): from `<!` to the next `>`, skipped. quick-xml stops at `<!` followed by anything
//! but a comment, CDATA or DOCTYPE ("unknown or missed symbol in markup") and does not move on,
//! so the rest of the document was lost (issue 21). The same for the empty comments `<!-->` and
//! `<!--->`, which would otherwise open a comment that swallows everything up to the next
//! `-->`.
//!
//! A pass before tokenising, which blanks each one out with spaces of the same byte length, so
//! that every other offset (and so every reported line) stays where it was. Comments, CDATA
//! sections and the DOCTYPE (with its internal subset) are stepped over whole.

use std::borrow::Cow;

use memchr::memmem;

/// Where `needle` first occurs in `hay` (SIMD, through `memchr`: `str::find` with a string pattern
/// was 2 % of a cold run, for a pass that rarely finds anything). Every needle here is ASCII and
/// starts with a character that begins no UTF-8 continuation, so a match is a char boundary.
fn find(hay: &str, needle: &str) -> Option<usize> {
    memmem::find(hay.as_bytes(), needle.as_bytes())
}

/// `text` with every bogus declaration blanked out, and the offset of each.
pub(super) fn blank(text: &str) -> (Cow<'_, str>, Vec<usize>) {
    let mut found: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while let Some(off) = find(&text[i..], "<!") {
        let at = i + off;
        let rest = &text[at..];
        let skip_to = |end: &str, from: usize| {
            find(&text[at + from..], end).map(|e| at + from + e + end.len())
        };
        let next = if rest.starts_with("<!-->") {
            found.push((at, at + 5));
            Some(at + 5)
        } else if rest.starts_with("<!--->") {
            found.push((at, at + 6));
            Some(at + 6)
        } else if rest.starts_with("<!--") {
            skip_to("-->", 4)
        } else if rest.starts_with("<![CDATA[") {
            skip_to("]]>", 9)
        } else if rest
            .get(..9)
            .is_some_and(|d| d.eq_ignore_ascii_case("<!DOCTYPE"))
        {
            let close = rest.find('>');
            match rest.find('[') {
                Some(b) if close.is_none_or(|c| b < c) => text[at + b..]
                    .find(']')
                    .map(|x| at + b + x)
                    .and_then(|after| text[after..].find('>').map(|g| after + g + 1)),
                _ => close.map(|c| at + c + 1),
            }
        } else {
            let end = rest.find('>').map_or(text.len(), |g| at + g + 1);
            found.push((at, end));
            Some(end)
        };
        match next {
            Some(n) => i = n,
            None => break,
        }
    }
    if found.is_empty() {
        return (Cow::Borrowed(text), Vec::new());
    }
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for &(start, end) in &found {
        out.push_str(&text[last..start]);
        out.extend(std::iter::repeat_n(' ', end - start));
        last = end;
    }
    out.push_str(&text[last..]);
    (Cow::Owned(out), found.into_iter().map(|(s, _)| s).collect())
}

#[cfg(test)]
mod tests {
    use super::blank;

    #[test]
    fn bogus_declarations_are_blanked_and_the_rest_kept() {
        let doc = "<a><!-- <!x> --><![CDATA[<!y>]]><!bogus thing><b/><!--><c/></a>";
        let (out, at) = blank(doc);
        assert_eq!(out.len(), doc.len());
        assert_eq!(at.len(), 2);
        assert!(out.contains("<!-- <!x> -->") && out.contains("<![CDATA[<!y>]]>"));
        assert!(!out.contains("bogus") && !out.contains("<!-->"));
        assert!(out.contains("<b/>") && out.contains("<c/>"));
        let dtd = "<!DOCTYPE rss [<!ENTITY a \"b\">]><rss/>";
        assert_eq!(
            blank(dtd).0,
            dtd,
            "the DOCTYPE and its subset are not bogus"
        );
        assert!(matches!(blank("<rss/>").0, std::borrow::Cow::Borrowed(_)));
    }
}
