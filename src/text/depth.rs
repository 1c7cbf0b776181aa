//! Bounding the nesting depth of an HTML fragment before it is sanitised (issue 14, defect 3).
//!
//! html5ever's tree builder walks the stack of open elements for many start tags (the spec's
//! "has a `p` element in button scope" check for `<div>`, `<p>`, `<ul>`..., and the scope checks
//! of end tags), so a fragment nested N deep costs O(N²): 100,000 `<div>`s took 27.7 s in the
//! probe, every run, because a failed item is normalised again. ammonia's own walk and our
//! post-pass are linear. This pass runs first, in one linear scan: past [`MAX_DEPTH`] open
//! elements, further start tags are dropped together with as many end tags, so their text
//! stays, flattened into the element at the limit. No real article nests 256 deep.

/// The deepest nesting kept; deeper elements are flattened into their ancestor at this depth.
pub const MAX_DEPTH: usize = 256;

/// Elements that never have an end tag (they do not nest).
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr",
];

/// Elements whose content is raw text: a `<` inside them opens no tag.
const RAW: &[&str] = &[
    "script",
    "style",
    "textarea",
    "title",
    "xmp",
    "iframe",
    "noembed",
    "noframes",
    "noscript",
    "plaintext",
];

/// The end (exclusive) of the tag that starts at `at` (`s[at] == '<'`), honouring quotes.
fn tag_end(b: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    let mut quote = None;
    while i < b.len() {
        match (quote, b[i]) {
            (None, b'"' | b'\'') => quote = Some(b[i]),
            (Some(q), c) if c == q => quote = None,
            (None, b'>') => return i + 1,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

fn name_at(b: &[u8], from: usize) -> String {
    b[from..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase() as char)
        .collect()
}

/// `html` with every element deeper than `max` removed (its text kept). Borrowed when nothing
/// is that deep (the common case costs one scan and no copy).
pub fn flatten(html: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let b = html.as_bytes();
    let (mut depth, mut dropped) = (0usize, 0usize);
    let mut out: Option<String> = None;
    let mut kept_to = 0; // bytes of `html` before this are already in `out` (when it exists)
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let at = i + off;
        let next = b.get(at + 1).copied().unwrap_or(b' ');
        if html[at..].starts_with("<!--") {
            i = html[at..].find("-->").map_or(b.len(), |e| at + e + 3);
            continue;
        }
        let end_tag = next == b'/';
        let name = name_at(b, at + 1 + usize::from(end_tag));
        if name.is_empty() || !(next.is_ascii_alphabetic() || end_tag) {
            i = at + 1;
            continue;
        }
        let end = tag_end(b, at);
        let self_closing = b[..end].ends_with(b"/>");
        let mut drop = false;
        if end_tag {
            if VOID.contains(&name.as_str()) {
            } else if dropped > 0 {
                dropped -= 1;
                drop = true;
            } else {
                depth = depth.saturating_sub(1);
            }
        } else if !VOID.contains(&name.as_str()) && !self_closing {
            if depth >= max {
                dropped += 1;
                drop = true;
            } else {
                depth += 1;
            }
        }
        if drop {
            let o = out.get_or_insert_with(|| String::with_capacity(html.len()));
            o.push_str(&html[kept_to..at]);
            kept_to = end;
        }
        i = end;
        if !end_tag && RAW.contains(&name.as_str()) {
            // Skip the raw text up to its end tag (left for the parser to see).
            let close = format!("</{name}");
            i = html[i..]
                .to_ascii_lowercase()
                .find(&close)
                .map_or(b.len(), |e| i + e);
        }
    }
    match out {
        None => std::borrow::Cow::Borrowed(html),
        Some(mut o) => {
            o.push_str(&html[kept_to..]);
            std::borrow::Cow::Owned(o)
        }
    }
}

/// The deepest element nesting in `html`, by the same reading as [`flatten`] (for tests).
pub fn max_depth(html: &str) -> usize {
    let b = html.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0);
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        let at = i + off;
        let end_tag = b.get(at + 1) == Some(&b'/');
        let name = name_at(b, at + 1 + usize::from(end_tag));
        let end = tag_end(b, at);
        if !name.is_empty() && !VOID.contains(&name.as_str()) && !b[..end].ends_with(b"/>") {
            if end_tag {
                depth = depth.saturating_sub(1);
            } else {
                depth += 1;
                deepest = deepest.max(depth);
            }
        }
        i = end.max(at + 1);
    }
    deepest
}

#[cfg(test)]
mod tests {
    use super::{flatten, max_depth};

    #[test]
    fn shallow_html_is_borrowed_untouched() {
        let h = "<p>a <b>b</b><br><img src=x /></p><!-- <div><div> -->";
        assert!(matches!(flatten(h, 2), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn deep_html_is_flattened_at_the_limit_keeping_its_text() {
        let h = format!("{}text{}", "<div>".repeat(10), "</div>".repeat(10));
        let f = flatten(&h, 3);
        assert_eq!(f, "<div><div><div>text</div></div></div>");
        assert_eq!(max_depth(&f), 3);
        let s = "<div><div><script>if (a<b) {}</script><div>x</div></div></div>";
        assert_eq!(flatten(s, 3), s, "a `<` in raw text opens nothing");
        assert_eq!(flatten(s, 2), "<div><div>if (a<b) {}x</div></div>");
    }
}
