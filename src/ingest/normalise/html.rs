//! HTML sanitising with an explicit allowlist (ammonia). It is the last step of normalising an
//! entry: what leaves here is what readers and embedding sites get.
//!
//! Every `href`/`src` is made absolute against the entry's base and stripped of tracking
//! parameters in the same pass; `srcset` is dropped (its candidates cannot be checked one by one
//! by ammonia). Scripts, styles, forms, objects, embeds, SVG, event handlers, `style`/`class`
//! attributes and URLs other than http(s), mailto and `data:` images of the formats mirroring
//! can strip (JPEG, PNG, GIF, WebP) never survive; those inline images are never published as
//! they are (`publish::media` mirrors them or drops them for their alt text). `<iframe>`
//! survives only for hosts the source allows (videos), sandboxed. Images are lazy-loaded without
//! a referrer, and 1×1 tracking pixels are removed. Output is deterministic (same input, same
//! bytes).

use std::collections::HashSet;
use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use crate::text::links::resolve;

const TAGS: &[&str] = &[
    "a",
    "abbr",
    "acronym",
    "address",
    "article",
    "aside",
    "b",
    "bdi",
    "bdo",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hgroup",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "rp",
    "rt",
    "ruby",
    "s",
    "samp",
    "section",
    "small",
    "span",
    "strike",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "tt",
    "u",
    "ul",
    "var",
    "wbr",
];

/// Bumped whenever the allowlist or the post-pass changes anything but `TAGS`: every cached
/// sanitised entry is then cleaned again (see `clean`).
const ALLOWLIST_VERSION: &str = "2";

/// The fingerprint of the allowlist: its version and its tags.
pub fn allowlist_print() -> String {
    format!("{ALLOWLIST_VERSION}:{}", TAGS.join(","))
}

/// A sanitiser for one source and one base URL (build once per source, reuse for every entry).
pub struct Sanitizer {
    builder: ammonia::Builder<'static>,
}

impl std::fmt::Debug for Sanitizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sanitizer")
    }
}

/// `<img>` tags whose width and height are both 0 or 1 (after ammonia, attributes are quoted).
/// An ASCII word boundary: a Unicode one sends every text with non-ASCII in it to the regex
/// crate's slowest engine (see `publish::media::rewrite`).
static PIXEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<img(?-u:\b)[^<>]*>"#).unwrap_or_else(|e| panic!("static regex: {e}"))
});
static PIXEL_W: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\swidth="[01](px)?""#).unwrap_or_else(|e| panic!("static regex: {e}"))
});
static PIXEL_H: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\sheight="[01](px)?""#).unwrap_or_else(|e| panic!("static regex: {e}"))
});

fn is_raster_data_url(v: &str) -> bool {
    let v = v.trim().to_ascii_lowercase();
    [
        "data:image/png;",
        "data:image/gif;",
        "data:image/jpeg;",
        "data:image/jpg;",
        "data:image/webp;",
    ]
    .iter()
    .any(|p| v.starts_with(p))
}

impl Sanitizer {
    /// `base`: what relative URLs resolve against; `iframe_hosts`: hosts whose iframes survive.
    pub fn new(base: Option<Url>, iframe_hosts: &[String]) -> Sanitizer {
        let mut b = ammonia::Builder::default();
        let mut tags: HashSet<&'static str> = TAGS.iter().copied().collect();
        b.add_tag_attributes("a", ["href", "title", "hreflang"])
            .add_tag_attributes("img", ["src", "alt", "title", "width", "height"])
            .add_tag_attributes("time", ["datetime"])
            .add_tag_attributes("td", ["colspan", "rowspan"])
            .add_tag_attributes("th", ["colspan", "rowspan", "scope"])
            .add_tag_attributes("blockquote", ["cite"])
            .add_tag_attributes("q", ["cite"])
            .add_generic_attributes(["lang", "dir"])
            .url_schemes(["http", "https", "mailto", "data"].into_iter().collect())
            // Relative URLs pass the scheme check here; the attribute filter below resolves them or drops them.
            .url_relative(ammonia::UrlRelative::PassThrough)
            .link_rel(Some("noopener noreferrer nofollow"));
        let hosts: Vec<String> = iframe_hosts.to_vec();
        if !hosts.is_empty() {
            tags.insert("iframe");
            // ammonia keeps forced attributes in a HashMap (random order), so only one is forced here.
            b.add_tag_attributes(
                "iframe",
                ["src", "width", "height", "title", "allowfullscreen"],
            )
            .set_tag_attribute_value(
                "iframe",
                "sandbox",
                "allow-scripts allow-same-origin allow-popups",
            );
        }
        b.tags(tags);
        b.attribute_filter(move |element, attribute, value| {
            if !matches!(attribute, "href" | "src" | "cite") {
                return Some(value.into());
            }
            if value
                .trim_start()
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case("data:"))
            {
                // Inline images only, and only raster formats (an SVG can carry script).
                return (element == "img" && attribute == "src" && is_raster_data_url(value))
                    .then(|| value.trim().to_string().into());
            }
            let url = resolve(value, base.as_ref())?;
            if element == "iframe" {
                let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
                if url.scheme() != "https" || !hosts.contains(&host) {
                    return None;
                }
            }
            if element == "img" && url.scheme() == "mailto" {
                return None;
            }
            Some(String::from(url).into())
        });
        Sanitizer { builder: b }
    }

    /// Cleans one HTML fragment. Call once per fragment: cleaning is not idempotent in edge cases.
    pub fn clean(&self, html: &str) -> String {
        let html = crate::text::xml::xml_safe_cow(html);
        // html5ever is quadratic in nesting depth: bounded first (see `depth`).
        let html = crate::text::depth::flatten(&html, crate::text::depth::MAX_DEPTH);
        let cleaned = self.builder.clean(&html).to_string();
        let out = if cleaned.contains("<img") {
            PIXEL
                .replace_all(&cleaned, |c: &regex::Captures<'_>| {
                    let tag = &c[0];
                    if PIXEL_W.is_match(tag) && PIXEL_H.is_match(tag) {
                        String::new()
                    } else {
                        // Inserted right after the tag name, so the position is right even if the
                        // match ended early inside an attribute value. (Not through ammonia's
                        // forced attributes: those come out in random order.)
                        format!(
                            "<img loading=\"lazy\" referrerpolicy=\"no-referrer\"{}",
                            &tag[4..]
                        )
                    }
                })
                .into_owned()
        } else {
            cleaned
        };
        // Trim in place rather than copy.
        let mut out = out;
        out.truncate(out.trim_end().len());
        let lead = out.len() - out.trim_start().len();
        out.drain(..lead);
        out
    }
}

#[cfg(test)]
mod tests {
    use url::Url;

    use super::{Sanitizer, allowlist_print};

    fn s() -> Sanitizer {
        Sanitizer::new(Url::parse("https://ex.org/news/").ok(), &[])
    }

    #[test]
    fn allowlist_print_names_the_version_and_the_tags() {
        let p = allowlist_print();
        let (version, tags) = p.split_once(':').expect("version:tags");
        assert_eq!(version, "2");
        let tags: Vec<&str> = tags.split(',').collect();
        assert!(tags.contains(&"blockquote") && tags.contains(&"img"), "{p}");
        assert!(!tags.contains(&"script"), "{p}");
        assert_eq!(format!("{:?}", s()), "Sanitizer");
    }

    #[test]
    fn inline_images_only_raster_and_tracking_pixels_dropped() {
        let c = s().clean(r#"<p>a<img src="data:image/png;base64,AAAA" alt="x"></p>"#);
        assert_eq!(
            c,
            r#"<p>a<img loading="lazy" referrerpolicy="no-referrer" src="data:image/png;base64,AAAA" alt="x"></p>"#
        );
        for other in ["svg+xml", "avif", "heic"] {
            let c = s().clean(&format!(r#"<img src="data:image/{other};base64,AAAA">"#));
            assert!(!c.contains("data:"), "{c}");
        }
        let c = s().clean(r#"<p>b<img src="p.gif" width="1" height="0px"></p>"#);
        assert_eq!(c, "<p>b</p>", "tracking pixel");
        let c = s().clean(r#"<img src="p.gif" width="1" height="300">"#);
        assert_eq!(
            c,
            r#"<img loading="lazy" referrerpolicy="no-referrer" src="https://ex.org/news/p.gif" width="1" height="300">"#
        );
    }

    #[test]
    fn clean_trims_the_fragment() {
        assert_eq!(s().clean("  \n<p>x</p>\n "), "<p>x</p>");
        assert_eq!(s().clean("<p>x</p>"), "<p>x</p>");
        assert_eq!(s().clean("<script>x</script>"), "");
    }
}
