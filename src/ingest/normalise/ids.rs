//! Entry ids that stay the same forever: the partner's id when it is an absolute IRI, otherwise a
//! `tag:` id derived from the source and the guid, the canonical link, or a hash of title and date.
//! Never random, never dependent on fetch time or order.

use sha2::{Digest, Sha256};

use crate::config::IdStrategy;
use crate::text::hex;

/// The parts of an item ids can be derived from.
#[derive(Debug, Clone, Copy)]
pub struct IdInputs<'a> {
    /// The partner's guid / Atom id / JSON Feed id, if any.
    pub guid: Option<&'a str>,
    /// Whether `guid` is an absolute IRI ([`is_absolute_iri`]), when the caller knows already
    /// (normalising checks it once, for the id and for the candidate); `None`: checked here.
    pub guid_is_iri: Option<bool>,
    /// The canonical link (see `links::canonical`), if any.
    pub canonical_link: Option<&'a str>,
    /// Plain-text title.
    pub title: &'a str,
    /// The item's own date (published, else updated) as RFC 3339, if any.
    pub date: Option<&'a str>,
}

/// First 16 bytes of SHA-256, in hex.
pub fn short_hash(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex(&h.finalize()[..16])
}

/// True for ids that are absolute IRIs we can keep as they are.
pub fn is_absolute_iri(s: &str) -> bool {
    if s.is_empty()
        || s.len() > 2048
        || s.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`')
        })
    {
        return false;
    }
    // A `tag:` URI without an authority part (`tag://`) parses as an opaque path, which the URL
    // parser never rejects: only its grammar is checked (a URL parse was 1.4 % of a cold run's
    // instructions where partners' ids are tag URIs).
    if s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("tag:")) && !s[4..].starts_with('/') {
        return is_tag_uri(s);
    }
    match url::Url::parse(s) {
        Ok(u) => match u.scheme() {
            "http" | "https" => {
                u.host().is_some()
                    && s.get(u.scheme().len()..)
                        .is_some_and(|r| r.starts_with("://"))
            }
            "tag" => is_tag_uri(s),
            "urn" => {
                s.matches(':').count() >= 2
                    && s.get(..9)
                        .is_none_or(|p| !p.eq_ignore_ascii_case("urn:uuid:") || is_uuid(&s[9..]))
            }
            _ => false,
        },
        Err(_) => false,
    }
}

/// RFC 4151: `tag:` authority `,` date (`YYYY`, `YYYY-MM` or `YYYY-MM-DD`) `:` specific.
fn is_tag_uri(s: &str) -> bool {
    let Some((head, _specific)) = s[4..].split_once(':') else {
        return false;
    };
    let Some((authority, date)) = head.rsplit_once(',') else {
        return false;
    };
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    let mut parts = date.split('-');
    !authority.is_empty()
        && parts.next().is_some_and(|y| digits(y, 4))
        && parts.all(|p| digits(p, 2))
        && date.split('-').count() <= 3
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn scoped(source_slug: &str, kind: &str, parts: &[&str]) -> String {
    let mut all = vec![source_slug, kind];
    all.extend_from_slice(parts);
    format!(
        "tag:feedbraid,2026:{source_slug}/{kind}/{}",
        short_hash(&all)
    )
}

/// The id of an item of the source with slug `source_slug`.
pub fn derive(strategy: IdStrategy, source_slug: &str, i: IdInputs<'_>) -> String {
    let guid = i.guid.map(str::trim).filter(|g| !g.is_empty());
    let by_guid = |g: &str| {
        if i.guid_is_iri.unwrap_or_else(|| is_absolute_iri(g)) {
            crate::text::links::escape_iri(g).into_owned()
        } else {
            scoped(source_slug, "guid", &[g])
        }
    };
    let by_link = |l: &str| scoped(source_slug, "link", &[l]);
    let by_hash = || scoped(source_slug, "hash", &[i.title, i.date.unwrap_or("")]);
    match strategy {
        IdStrategy::Auto | IdStrategy::Guid => guid
            .map(by_guid)
            .or_else(|| i.canonical_link.map(by_link))
            .unwrap_or_else(by_hash),
        IdStrategy::Link => i.canonical_link.map(by_link).unwrap_or_else(by_hash),
        IdStrategy::Hash => by_hash(),
    }
}

#[cfg(test)]
mod tests {
    use super::{IdInputs, derive};
    use crate::config::IdStrategy;

    #[test]
    fn ids_are_scoped_stable_and_keep_absolute_iris() {
        let i = IdInputs {
            guid: Some("123"),
            guid_is_iri: None,
            canonical_link: Some("ex.org/p"),
            title: "T",
            date: None,
        };
        let a = derive(IdStrategy::Auto, "a", i);
        assert_eq!(a, derive(IdStrategy::Auto, "a", i), "stable");
        assert_ne!(a, derive(IdStrategy::Auto, "b", i), "scoped by source");
        let abs = IdInputs {
            guid: Some("https://ex.org/?p=1"),
            ..i
        };
        assert_eq!(derive(IdStrategy::Auto, "a", abs), "https://ex.org/?p=1");
        assert!(derive(IdStrategy::Link, "a", abs).contains("/link/"));
        assert!(derive(IdStrategy::Hash, "a", abs).contains("/hash/"));
        let none = IdInputs {
            guid: None,
            guid_is_iri: None,
            canonical_link: None,
            title: "T",
            date: Some("2026-01-01T00:00:00Z"),
        };
        assert!(derive(IdStrategy::Auto, "a", none).contains("/hash/"));
    }

    #[test]
    fn absolute_iris_are_checked_by_scheme() {
        use super::is_absolute_iri as abs;
        for ok in [
            "https://ex.org/p?x=1",
            "http://ex.org",
            "tag:ex.org,2026:a/1",
            "tag:me@ex.org,2026-01:x",
            "tag:ex.org,2026-01-05:x",
            "urn:isbn:0451450523",
            "urn:uuid:550e8400-e29b-41d4-a716-446655440000",
            "URN:UUID:550E8400-E29B-41D4-A716-446655440000",
        ] {
            assert!(abs(ok), "{ok}");
        }
        for bad in [
            "",
            "123",
            "not a url",
            "https://ex.org/a b",
            "https://ex.org/a\u{7}",
            "https://ex.org/<a>",
            "https://ex.org/a|b",
            "http:ex.org/p",
            "mailto:a@ex.org",
            "tag:ex.org:x",
            "tag:,2026:x",
            "tag:ex.org,26:x",
            "tag:ex.org,2O26:x",
            "tag:ex.org,2026-1:x",
            "tag:ex.org,2026-01-05-01:x",
            "tag:ex.org,2026",
            "urn:x",
            "urn:uuid:nope",
            "urn:uuid:550e8400-e29b-41d4-a716",
            "urn:uuid:550e8400-e29b-41d4-a716-44665544000g",
            "urn:uuid:550e8400-e29b-41d4-a716-4466554400001",
        ] {
            assert!(!abs(bad), "{bad}");
        }
        let long = |n: usize| format!("https://ex.org/{}", "a".repeat(n - 15));
        assert_eq!(long(2048).len(), 2048);
        assert!(abs(&long(2048)), "2048 characters is the limit");
        assert!(!abs(&long(2049)));
    }

    #[test]
    fn derived_ids_are_tag_uris_with_a_hash() {
        let i = IdInputs {
            guid: Some("  "),
            guid_is_iri: None,
            canonical_link: Some("ex.org/p"),
            title: "T",
            date: None,
        };
        let by_link = derive(IdStrategy::Auto, "a", i);
        assert!(
            by_link.starts_with("tag:feedbraid,2026:a/link/"),
            "{by_link}"
        );
        let hash = by_link.rsplit('/').next().expect("test setup");
        assert_eq!(hash.len(), 32);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(super::is_absolute_iri(&by_link));
        let by_guid = derive(
            IdStrategy::Guid,
            "a",
            IdInputs {
                guid: Some(" 7 "),
                ..i
            },
        );
        assert!(
            by_guid.starts_with("tag:feedbraid,2026:a/guid/"),
            "{by_guid}"
        );
        assert_eq!(
            by_guid,
            derive(
                IdStrategy::Guid,
                "a",
                IdInputs {
                    guid: Some("7"),
                    ..i
                }
            ),
            "guid trimmed"
        );
        assert_ne!(super::short_hash(&["a", "b"]), super::short_hash(&["ab"]));
    }

    /// Normalising checks whether a partner's id is an absolute IRI only when it looks like one
    /// (`fields::looks_like_iri`, its first letters): that must never leave an absolute IRI out.
    #[test]
    fn every_absolute_iri_looks_like_one() {
        use proptest::prelude::*;
        let looks = crate::ingest::normalise::fields::looks_like_iri;
        for yes in [
            "HTTPS://ex.org/a",
            "Tag:ex.org,2026:x",
            "URN:isbn:123",
            "http://ex.org",
        ] {
            assert!(super::is_absolute_iri(yes) && looks(yes), "{yes}");
        }
        let scheme = prop::sample::select(vec![
            "http://",
            "https://",
            "HTTP://",
            "hTtPs://",
            "tag:",
            "TAG:",
            "urn:",
            "uRn:",
            "urn:uuid:",
            "ftp://",
            "mailto:",
            "h",
            "ht",
            "htt:",
            "tag",
            "",
            " ",
            "x-http://",
        ]);
        let part = prop::sample::select(vec![
            "ex.org",
            "/",
            ":",
            ",",
            "2026",
            "-01",
            "a",
            "%20",
            "ข่าว",
            "中文",
            "?q=1",
            "#f",
            "@",
            "[::1]",
            "123e4567-e89b-12d3-a456-426614174000",
            " ",
            "..",
        ]);
        proptest!(|(head in scheme, rest in prop::collection::vec(part, 0..8))| {
            let s = format!("{head}{}", rest.concat());
            prop_assert!(!super::is_absolute_iri(&s) || looks(&s), "{}", s);
        });
    }

    /// `is_absolute_iri` checks a `tag:` URI without an authority by its grammar alone, without
    /// the URL parser: which must then accept every such id (as a `tag` URL), or the shortcut
    /// would keep an id the parser rejects.
    #[test]
    fn the_url_parser_accepts_every_tag_uri_the_shortcut_checks() {
        use proptest::prelude::*;
        let head = prop::sample::select(vec!["tag:", "TAG:", "Tag:"]);
        let part = prop::sample::select(vec![
            "ex.org",
            "a@b.org",
            ",",
            "2026",
            "-01",
            "-1",
            ":",
            "/",
            "//",
            "%",
            "%zz",
            "%20",
            "?",
            "#",
            "ข่าว",
            "中文",
            "[",
            "]",
            "[::1]",
            "\u{7f}",
            "~",
            "'",
            ";",
            "..",
            "@",
        ]);
        let authority =
            prop::sample::select(vec!["ex.org", "a@b.org", "中文.th", "[::1]", "", "/x"]);
        let date = prop::sample::select(vec!["2026", "2026-01", "2026-01-02", "26", "2026-1"]);
        proptest!(|(head in head, who in authority, when in date, rest in prop::collection::vec(part, 0..8))| {
            let s = format!("{head}{who},{when}:{}", rest.concat());
            prop_assume!(!s[4..].starts_with('/'));
            if super::is_absolute_iri(&s) {
                let parsed = url::Url::parse(&s);
                prop_assert!(parsed.is_ok_and(|u| u.scheme() == "tag"), "{}", s);
            }
        });
    }
}
