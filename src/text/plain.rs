//! Plain-text fields (titles, names, categories): entities decoded (HTML-only ones such as `&nbsp;`
//! included), tags stripped, whitespace collapsed, characters XML 1.0 forbids removed; and excerpts
//! that never split a grapheme.

use std::sync::LazyLock;

use unicode_segmentation::UnicodeSegmentation;

use super::xml::xml_safe_cow;

/// An HTML parser that keeps no tags at all: used to turn markup into its text with html5ever's
/// complete entity table.
static TEXT_ONLY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::empty();
    b.clean_content_tags(
        ["script", "style", "head", "title", "template", "noscript"]
            .into_iter()
            .collect(),
    );
    b
});

/// Markup to rough plain text for matching include/exclude patterns (not for output: tags are
/// cut, the common entities decoded, white space collapsed). Much cheaper than [`plain`]. It reads
/// the partner's HTML before it is sanitised (see `clean`), so what the sanitiser would drop as
/// a whole (scripts, styles, comments) is dropped here too: a pattern never matches a script.
pub fn rough_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len().min(4096));
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map(|e| e + 3)
        } else if let Some(name) = ["script", "style"].into_iter().find(|n| {
            rest.get(1..=n.len())
                .is_some_and(|t| t.eq_ignore_ascii_case(n))
        }) {
            closing(rest, name)
        } else {
            rest.find('>').map(|e| e + 1)
        };
        out.push(' ');
        rest = &rest[end.unwrap_or(rest.len())..];
    }
    out.push_str(rest);
    collapse_ws(&unescape_basic(&out))
}

/// Where the end tag `</name ...>` in `s` ends, if it is there (ASCII case ignored).
fn closing(s: &str, name: &str) -> Option<usize> {
    s.match_indices("</").find_map(|(at, _)| {
        let after = &s[at + 2..];
        after
            .get(..name.len())
            .filter(|t| t.eq_ignore_ascii_case(name))
            .and_then(|_| after.find('>'))
            .map(|gt| at + 2 + gt + 1)
    })
}

/// Turns a title-like field (which partners fill with anything from plain text to a whole HTML
/// document) into one line of plain text.
pub fn plain(s: &str) -> String {
    let s = xml_safe_cow(s);
    if !s.contains(['<', '&']) {
        return collapse_ws(&s);
    }
    if !s.contains('<') {
        return collapse_ws(&xml_safe_cow(&super::entities::decode(&s)));
    }
    // Markup: html5ever's parser. A whole document as a title: its <title> is dropped by the
    // parser, so the body's text is taken.
    // Nesting bounded first: html5ever is quadratic in depth (see `depth`).
    let s = super::depth::flatten(&s, super::depth::MAX_DEPTH);
    let cleaned = TEXT_ONLY.clean(&space_blocks(&s)).to_string();
    collapse_ws(&xml_safe_cow(&unescape_basic(&cleaned)))
}

/// Elements whose start or end separates words: their text never runs into the next block's.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "td",
    "th",
    "tr",
    "ul",
];

/// `s` with a space before every block-level tag (start or end), so that stripping the tags
/// leaves "Centre Tier" where the markup had `Centre</p><p>Tier`; inline tags (`<b>`, `<a>`)
/// are left alone, so "wo<b>rd</b>" stays one word.
fn space_blocks(s: &str) -> std::borrow::Cow<'_, str> {
    let is_block = |tag: &str| {
        let name = tag.trim_start_matches('/');
        let end = name
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(name.len());
        BLOCKS.contains(&name[..end].to_ascii_lowercase().as_str())
    };
    if !s.match_indices('<').any(|(i, _)| is_block(&s[i + 1..])) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut last = 0;
    for (i, _) in s.match_indices('<') {
        if is_block(&s[i + 1..]) {
            out.push_str(&s[last..i]);
            out.push(' ');
            last = i;
        }
    }
    out.push_str(&s[last..]);
    std::borrow::Cow::Owned(out)
}

/// The escapes html5ever's serialiser writes in text, and what they stand for (`&nbsp;` as a
/// plain space: white space is collapsed next).
const BASIC: [(&str, char); 6] = [
    ("&lt;", '<'),
    ("&gt;", '>'),
    ("&quot;", '"'),
    ("&nbsp;", ' '),
    ("&#39;", '\''),
    ("&amp;", '&'),
];

/// Undoes the few escapes html5ever's serialiser writes in text, in one pass (`&amp;lt;` is
/// `&lt;`: what an escape stands for is never read again). Six `replace`s, one after the other,
/// were 1 % of a cold run at 5,000 × 20 (every item's text for its filters comes through here).
fn unescape_basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        match BASIC.iter().find(|(escape, _)| rest.starts_with(escape)) {
            Some((escape, c)) => {
                out.push(*c);
                rest = &rest[escape.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Collapses every run of white space (including no-break and ideographic spaces) to one space.
pub fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{200b}') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// At most `max` user-perceived characters of `s`, cut at a grapheme boundary (never inside a Thai
/// or Chinese cluster), preferring a word boundary, with an ellipsis when cut.
pub fn excerpt(s: &str, max: usize) -> String {
    // No more characters than `max`, so no more graphemes (each is one or more): most titles,
    // which were segmented whole to learn that (1 % of a cold run at 5,000 × 20).
    if s.len() <= max || s.chars().count() <= max {
        return s.to_string();
    }
    let mut graphemes = s.grapheme_indices(true);
    let Some((end, _)) = graphemes.nth(max) else {
        return s.to_string();
    };
    let head = &s[..end];
    // Prefer the last space in the second half of the excerpt.
    let cut = match head.rfind(' ') {
        Some(sp) if head[..sp].graphemes(true).count() > max / 2 => sp,
        _ => end,
    };
    let mut out = head[..cut].trim_end().to_string();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::{excerpt, plain, rough_text};

    #[test]
    fn titles_become_one_line_of_plain_text() {
        assert_eq!(
            plain("Non&nbsp;breaking &amp; <b>bold</b>\n  text"),
            "Non breaking & bold text"
        );
        assert_eq!(
            plain("&lt;not a tag&gt; &#8217;quoted&#x2019;"),
            "<not a tag> ’quoted’"
        );
        assert_eq!(plain("a\u{1}b\u{FFFE}c"), "abc");
        assert_eq!(
            plain(
                "<html><head><title>x</title><script>bad()</script></head><body><h1>Real</h1></body></html>"
            ),
            "Real"
        );
    }

    #[test]
    fn blocks_are_separated_and_inline_tags_are_not() {
        // Description: a credit line and the first paragraph, as a partner's summary has them.
        // Expect: a space between the blocks, none inside a word split by inline markup.
        assert_eq!(
            plain("<p>From Research Centre</p><p>Tier changes</p>"),
            "From Research Centre Tier changes"
        );
        assert_eq!(
            plain("one<br>two<BR/>three<li>four</li>"),
            "one two three four"
        );
        assert_eq!(plain("wo<b>rd</b> <a href='x'>link</a>ed"), "word linked");
        assert_eq!(plain("<h2>Title</h2>Text<hr>End"), "Title Text End");
    }

    #[test]
    fn excerpts_never_split_a_grapheme() {
        let thai = "สิทธิของพนักงานบริการ";
        for n in 1..12 {
            let e = excerpt(thai, n);
            let kept = e.trim_end_matches('…');
            assert!(thai.starts_with(kept), "{e}");
            // A Thai consonant is never separated from its vowel or tone mark.
            let next = thai[kept.len()..].chars().next();
            let combining =
                |c: char| matches!(c, '\u{e31}' | '\u{e33}'..='\u{e3a}' | '\u{e47}'..='\u{e4e}');
            assert!(
                next.is_none_or(|c| !combining(c)),
                "cut inside a cluster: {e}"
            );
        }
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("one two three four", 10), "one two…");
    }

    #[test]
    fn rough_text_is_for_matching() {
        assert_eq!(
            rough_text("<p>Cheap&nbsp;<b>pills</b> &amp; more</p>"),
            "Cheap pills & more"
        );
        // What sanitising drops whole is no text: scripts, styles, comments.
        assert_eq!(
            rough_text(
                "a<SCRIPT type=x>casino()</script >b<style>.x{}</STYLE>c<!-- casino > -->d 1 > 0"
            ),
            "a b c d 1 > 0"
        );
        // An unclosed tag or script hides the rest, as it would in a browser.
        assert_eq!(rough_text("ok <b unclosed"), "ok");
        assert_eq!(rough_text("ok <script>never"), "ok");
    }

    #[test]
    fn rough_text_keeps_a_greater_than_sign_outside_tags() {
        assert_eq!(rough_text("1 > 0 <i>x</i>y"), "1 > 0 x y");
        assert_eq!(rough_text("no markup"), "no markup");
    }

    #[test]
    fn white_space_of_every_kind_collapses() {
        assert_eq!(
            super::collapse_ws("  a\u{a0}b\u{200b}c \t\n d\u{3000}e "),
            "a b c d e"
        );
        assert_eq!(super::collapse_ws(""), "");
    }

    #[test]
    fn excerpt_prefers_a_space_only_in_the_second_half() {
        assert_eq!(
            excerpt("abcde fghijkl", 10),
            "abcde fghi…",
            "space at half: not used"
        );
        assert_eq!(
            excerpt("abcdef ghijkl", 10),
            "abcdef…",
            "space past half: used"
        );
        assert_eq!(excerpt("ab cdefghijkl", 10), "ab cdefghi…");
        assert_eq!(
            excerpt("abcdefghij", 10),
            "abcdefghij",
            "exactly max: not cut"
        );
    }

    /// The one pass against six `replace`s one after the other (what it was): the same text for
    /// any mix of escapes, their parts and ampersands.
    #[test]
    fn escapes_are_undone_in_one_pass_as_one_replace_after_another_would() {
        use proptest::prelude::*;
        let chained = |s: &str| {
            s.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&nbsp;", " ")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
        };
        let part = prop::sample::select(vec![
            "&",
            "&amp;",
            "&lt;",
            "&gt;",
            "&quot;",
            "&nbsp;",
            "&#39;",
            "amp;",
            "lt;",
            ";",
            "&am",
            "a",
            " ",
            "é",
            "ไทย",
            "<",
        ]);
        proptest!(|(parts in prop::collection::vec(part, 0..24))| {
            let s = parts.concat();
            prop_assert_eq!(super::unescape_basic(&s), chained(&s), "{}", s);
        });
    }
}
