//! Slugs: the ASCII, lower-case, hyphenated forms of names used in ids and file names. Tags and
//! partner names in any script get one through `deunicode` (Thai and Chinese transliterated), so
//! that `tags/SLUG.html` is stable, ASCII, and the same for `Anti-trafficking` and
//! `anti trafficking` (the library groups tags by it).

use sha2::{Digest, Sha256};

/// Lower-case ASCII letters, digits and dashes; other characters become dashes.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let t = out.trim_matches('-');
    if t.is_empty() { "x".into() } else { t.into() }
}

/// A tag's slug: case and accents aside; a tag with nothing to transliterate (symbols) gets a
/// short hash of its text.
pub fn tag_slug(label: &str) -> String {
    let slug = slugify(&deunicode::deunicode(label));
    if slug == "x" && !label.trim().eq_ignore_ascii_case("x") {
        let h = Sha256::digest(label.trim().to_lowercase().as_bytes());
        let hex: String = h[..5].iter().map(|b| format!("{b:02x}")).collect();
        return format!("t-{hex}");
    }
    slug
}

/// A partner's slug (its page is `partners/SLUG.html`).
pub fn partner_slug(name: &str) -> String {
    slugify(&deunicode::deunicode(name))
}
