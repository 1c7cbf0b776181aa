//! The one language-tag rule (BCP 47, as feeds use it), shared by config validation and
//! normalisation so that a tag accepted in `feeds.toml` and one read from a feed come out alike.
//!
//! Tags are written in their conventional case: `zh-Hant`, `pt-BR`, `th`. Matching is by primary
//! subtag and case-insensitive (see [`primary`]).

/// The tag in conventional case, or `None` when it is not a plausible language tag. `_` is read
/// as `-` (`zh_TW`); the primary subtag has 2 or 3 letters, the others 1 to 8 letters or digits.
pub fn normalise(tag: &str) -> Option<String> {
    let t = tag.trim();
    if t.is_empty() || t.len() > 35 {
        return None;
    }
    let plausible = t.split(['-', '_']).enumerate().all(|(i, part)| {
        let n = part.len();
        part.chars().all(|c| c.is_ascii_alphanumeric())
            && if i == 0 {
                (2..=3).contains(&n) && part.chars().all(|c| c.is_ascii_alphabetic())
            } else {
                (1..=8).contains(&n)
            }
    });
    plausible.then(|| conventional_case(t))
}

/// The tag in its conventional case, unchecked: primary subtag lower case, a script title case,
/// a region upper case (`zh-hant-hk` → `zh-Hant-HK`); `_` becomes `-`.
pub fn conventional_case(tag: &str) -> String {
    let mut out = String::with_capacity(tag.len());
    for (i, part) in tag.split(['-', '_']).enumerate() {
        if i > 0 {
            out.push('-');
        }
        match (i, part.len()) {
            (0, _) => out.push_str(&part.to_ascii_lowercase()),
            // Script: title case; region: upper case.
            (_, 4) if part.chars().all(|c| c.is_ascii_alphabetic()) => {
                out.push_str(&part[..1].to_ascii_uppercase());
                out.push_str(&part[1..].to_ascii_lowercase());
            }
            (_, 2) => out.push_str(&part.to_ascii_uppercase()),
            _ => out.push_str(&part.to_ascii_lowercase()),
        }
    }
    out
}

/// The primary subtag as written: `zh` for `zh-Hant` and `zh_HK` (no copy, no case change).
pub fn primary_subtag(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or(tag)
}

/// The primary subtag, lower case: `zh` for `zh-Hant` and `zh-HK`.
pub fn primary(tag: &str) -> String {
    primary_subtag(tag).to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::{normalise, primary};

    #[test]
    fn conventional_case_and_validity() {
        assert_eq!(normalise("zh-hant").as_deref(), Some("zh-Hant"));
        assert_eq!(normalise("ZH_tw").as_deref(), Some("zh-TW"));
        assert_eq!(normalise("pt-BR").as_deref(), Some("pt-BR"));
        assert_eq!(normalise(" th ").as_deref(), Some("th"));
        assert_eq!(normalise("es-419").as_deref(), Some("es-419"));
        assert_eq!(normalise("english"), None);
        assert_eq!(normalise("e"), None);
        assert_eq!(normalise("en--us"), None);
        assert_eq!(normalise("12"), None);
        assert_eq!(primary("zh-Hant"), "zh");
    }
}
