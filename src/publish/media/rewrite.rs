//! Rewriting published HTML so that it loads nothing from a third party: each `<img>` points at
//! its mirrored copy, or becomes a plain link ("Image: alt (at partner.example.org)") that a
//! reader may choose to follow; each `<iframe>` (a video) becomes a link ("Watch on
//! youtube-nocookie.com"). Links people click (`href`) are left alone. An inline (`data:`)
//! image that is not mirrored becomes its alt text ("Image: alt"), never a link to its bytes.
//!
//! The input is always our sanitiser's output (html5ever's serialiser: double-quoted attributes,
//! `&amp;` and `&quot;` escaped), so matching tags with patterns is sound here; it would not be on
//! arbitrary HTML. The patterns' word boundaries are ASCII ones (`(?-u:\b)`): the same on tag and
//! attribute names, which are ASCII, and decided by the regex crate's fast engine, where a Unicode
//! boundary makes it give up at the first non-ASCII byte (a Chinese or Thai `alt`) for a slower
//! one: 4–6× the time per search on a Chinese and Thai body (`docs/performance.md`, issue 25,
//! round thirteen).

use std::sync::LazyLock;

use regex::Regex;

use crate::text::escape::escape;

static IMG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<img(?-u:\b)[^>]*>").expect("regex"));
/// An image, or the start or end of a link (to know whether an image sits inside one).
static IMG_OR_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)<img(?-u:\b)[^>]*>|<a(?-u:\b)[^>]*>|</a\s*>").expect("regex")
});
static IFRAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<iframe(?-u:\b)[^>]*>.*?</iframe>").expect("regex"));
static SRC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?-u:\b)src="([^"]*)""#).expect("regex"));
static ALT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?-u:\b)alt="([^"]*)""#).expect("regex"));
static TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?-u:\b)title="([^"]*)""#).expect("regex"));

fn unescape(v: &str) -> String {
    crate::text::entities::decode(v).into_owned()
}

fn host(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default()
}

/// Is this `src` an inline image (a `data:` URL)?
pub fn is_inline(src: &str) -> bool {
    src.trim_start()
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("data:"))
}

/// What an image that is not shown becomes when it has nowhere to link to: its alt text.
fn alt_text(tag: &str) -> String {
    ALT.captures(tag)
        .map(|a| unescape(&a[1]))
        .filter(|a| !a.trim().is_empty())
        .map(|a| escape(&format!("Image: {a}")))
        .unwrap_or_default()
}

/// `html` with every inline (`data:`) image, and every image the sanitiser left without a
/// `src` (an AVIF or SVG `data:` URL, a `javascript:` one), replaced by its alt text;
/// everything else, other images included, left byte for byte (mirroring off).
pub fn drop_inline(html: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |tag: &str| {
        SRC.captures(tag)
            .is_none_or(|s| is_inline(&unescape(&s[1])))
    };
    if !IMG.find_iter(html).any(|m| hidden(m.as_str())) {
        return std::borrow::Cow::Borrowed(html);
    }
    IMG.replace_all(html, |c: &regex::Captures<'_>| {
        let tag = &c[0];
        if hidden(tag) {
            alt_text(tag)
        } else {
            tag.to_string()
        }
    })
}

/// The `src` of every `<img>` (unescaped), in order.
pub fn image_urls(html: &str) -> Vec<String> {
    IMG.find_iter(html)
        .filter_map(|m| SRC.captures(m.as_str()).map(|c| unescape(&c[1])))
        .collect()
}

/// What one `<img>` becomes: its mirrored copy, or a link to it ("Image: alt (at host)"), or,
/// inside a link, that text alone; an inline image not mirrored, its alt text.
fn image(tag: &str, mirrored: &dyn Fn(&str) -> Option<String>, in_link: bool) -> String {
    let Some(src) = SRC.captures(tag).map(|s| unescape(&s[1])) else {
        return alt_text(tag);
    };
    match mirrored(&src) {
        Some(local) => SRC
            .replace(tag, format!("src=\"{}\"", escape(&local)).as_str())
            .into_owned(),
        None if is_inline(&src) => alt_text(tag),
        None => {
            let alt = ALT
                .captures(tag)
                .map(|a| unescape(&a[1]))
                .filter(|a| !a.trim().is_empty());
            let label = match alt {
                Some(a) => format!("Image: {a} (at {})", host(&src)),
                None => format!("Image (at {})", host(&src)),
            };
            if in_link {
                escape(&label)
            } else {
                format!(
                    "<a href=\"{}\" rel=\"noopener noreferrer nofollow\">{}</a>",
                    escape(&src),
                    escape(&label)
                )
            }
        }
    }
}

/// `html` with every image mirrored (`mirrored(url)` gives the copy's URL) or turned into a link,
/// and every iframe turned into a link.
pub fn rewrite(html: &str, mirrored: &dyn Fn(&str) -> Option<String>) -> String {
    // Inside a link, an image that is not mirrored becomes its text: a link of its own there
    // would nest `<a>` in `<a>`, which HTML does not allow (the validator's `NotHtml`).
    let mut out = String::with_capacity(html.len());
    let (mut last, mut in_link) = (0, 0usize);
    for m in IMG_OR_LINK.find_iter(html) {
        out.push_str(&html[last..m.start()]);
        last = m.end();
        let tag = m.as_str();
        if tag.starts_with("</") {
            in_link = in_link.saturating_sub(1);
            out.push_str(tag);
        } else if tag
            .as_bytes()
            .get(1)
            .is_some_and(|b| b.eq_ignore_ascii_case(&b'a'))
        {
            in_link += 1;
            out.push_str(tag);
        } else {
            out.push_str(&image(tag, mirrored, in_link > 0));
        }
    }
    out.push_str(&html[last..]);
    IFRAME
        .replace_all(&out, |c: &regex::Captures<'_>| {
            let tag = &c[0];
            let Some(src) = SRC.captures(tag).map(|s| unescape(&s[1])) else {
                return String::new();
            };
            let title = TITLE
                .captures(tag)
                .map(|t| format!("{}: ", unescape(&t[1])))
                .unwrap_or_default();
            format!(
                "<p><a href=\"{}\" rel=\"noopener noreferrer nofollow\">{}Watch on {}</a></p>",
                escape(&src),
                escape(&title),
                escape(&host(&src))
            )
        })
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::{drop_inline, image_urls, rewrite};

    #[test]
    fn inline_images_become_their_alt_text_and_never_a_link() {
        let html = r#"<p>a<img src="DATA:image/png;base64,AAAA" alt="A &lt;dot&gt;"><img src="data:image/gif;base64,R0"><img src="https://a.example.org/x.jpg?a=1&amp;b=2" alt="x"></p><iframe src="https://v.example.org/e"></iframe>"#;
        let kept = r#"<img src="https://a.example.org/x.jpg?a=1&amp;b=2" alt="x"></p><iframe src="https://v.example.org/e"></iframe>"#;
        assert_eq!(drop_inline(html), format!("<p>aImage: A &lt;dot&gt;{kept}"));
        let plain = "<p>no inline <img src=\"https://a.example.org/y.png\"></p>";
        assert!(matches!(drop_inline(plain), std::borrow::Cow::Borrowed(_)));
        assert_eq!(
            drop_inline(r#"<img alt="avif">x"#),
            "Image: avifx",
            "no src left"
        );
        assert_eq!(
            rewrite(r#"<img alt="avif"><img>x"#, &|_| None),
            "Image: avifx"
        );
        let out = rewrite(html, &|_| None);
        assert!(
            out.starts_with("<p>aImage: A &lt;dot&gt;<a href=\"https://a.example.org/x.jpg"),
            "{out}"
        );
        assert!(!out.to_ascii_lowercase().contains("data:"), "{out}");
    }

    #[test]
    fn images_are_mirrored_or_linked_and_iframes_linked() {
        let html = r#"<p><img loading="lazy" src="https://a.example.org/x.jpg?a=1&amp;b=2" alt="A &quot;cat&quot;"><img src="https://b.example.org/y.png" alt="Outreach"></p><iframe src="https://www.youtube-nocookie.com/embed/ID" title="Film" sandbox="x"></iframe><a href="https://a.example.org/page">read</a>"#;
        assert_eq!(
            image_urls(html),
            [
                "https://a.example.org/x.jpg?a=1&b=2",
                "https://b.example.org/y.png"
            ]
        );
        let out = rewrite(html, &|u| {
            u.starts_with("https://a.")
                .then(|| "https://us.example.org/media/ab/abc.jpg".into())
        });
        assert!(
            out.contains(r#"src="https://us.example.org/media/ab/abc.jpg""#),
            "{out}"
        );
        assert!(out.contains(r#"<a href="https://b.example.org/y.png" rel="noopener noreferrer nofollow">Image: Outreach (at b.example.org)</a>"#), "{out}");
        assert!(
            out.contains("Film: Watch on www.youtube-nocookie.com</a>"),
            "{out}"
        );
        assert!(
            !out.contains("<iframe") && !out.contains("b.example.org/y.png\" alt"),
            "{out}"
        );
        assert!(
            out.contains(r#"<a href="https://a.example.org/page">read</a>"#),
            "links people click stay"
        );
    }

    /// Issue 21: an image inside a link that cannot be mirrored gave `<a><a>Image…</a></a>`.
    #[test]
    fn an_image_inside_a_link_becomes_text_in_that_link() {
        let html = r#"<p><a href="https://p.example.org/r"><img src="https://c.example.org/z.png" alt="Cover"></a> and <A HREF="x">t</A><img src="https://c.example.org/w.png"></p>"#;
        let out = rewrite(html, &|_| None);
        assert_eq!(
            out,
            r#"<p><a href="https://p.example.org/r">Image: Cover (at c.example.org)</a> and <A HREF="x">t</A><a href="https://c.example.org/w.png" rel="noopener noreferrer nofollow">Image (at c.example.org)</a></p>"#
        );
    }

    /// Tags among Chinese and Thai text, with such text in their attributes, are found as among
    /// ASCII (the patterns' word boundaries are ASCII ones; see the module header); a name that
    /// only starts like a tag's is not one.
    #[test]
    fn tags_among_and_holding_non_ascii_text_are_found_alike() {
        let html = r#"<p>รายงาน 报告<img alt="封面 ภาพ" src="data:image/png;base64,AAAA"> ต่อ<img title="ภาพ" src="https://a.example.org/ก.png" alt="图"><imgx src="https://a.example.org/not.png"></p><iframe title="影片" src="https://v.example.org/e"></iframe>"#;
        assert_eq!(
            image_urls(html),
            ["data:image/png;base64,AAAA", "https://a.example.org/ก.png"]
        );
        let dropped = drop_inline(html);
        assert!(
            dropped.starts_with("<p>รายงาน 报告Image: 封面 ภาพ ต่อ<img title="),
            "{dropped}"
        );
        let out = rewrite(html, &|_| None);
        assert!(
            out.contains(">Image: 图 (at a.example.org)</a><imgx src="),
            "{out}"
        );
        assert!(
            out.ends_with(">影片: Watch on v.example.org</a></p>"),
            "{out}"
        );
    }
}
