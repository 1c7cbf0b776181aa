//! The headers each file is stored with, decided without I/O: its media type (with the charset,
//! as `serve` sends it), its `Cache-Control` by kind, and `Content-Encoding` when the gzip copy
//! is what is uploaded. And the digest a file is recorded under, which covers its headers too: a
//! changed rule uploads the files it applies to again.
//!
//! By kind: mirrored media (named by their content) and the archive months that can no longer
//! change except by a withdrawal are cached a year and `immutable`; `status.json` is never cached;
//! every other feed and page for five minutes, as `serve` does. `[deploy] cache_control` globs
//! override the rule (the longest matching glob wins). A withdrawal inside a closed month changes
//! that month's files: the `after` hook is given their paths to purge them from the CDN.

use chrono::{DateTime, Datelike, Utc};
use sha2::{Digest, Sha256};

use super::store::Headers;
use crate::config::DeploySettings;
use crate::publish::media_type::content_type;
use crate::publish::precompress::compressible;

const LONG: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=300";
const NEVER: &str = "no-cache";

/// The headers `name` is uploaded with at `now`.
pub fn headers(name: &str, d: &DeploySettings, now: DateTime<Utc>) -> Headers {
    let cache_control = d
        .cache_control
        .iter()
        .find(|(glob, _)| glob_match(glob, name))
        .map_or_else(|| by_kind(name, now).to_string(), |(_, v)| v.clone());
    Headers {
        content_type: content_type(name).to_string(),
        cache_control,
        content_encoding: (d.gzip && compressible(name)).then_some("gzip"),
    }
}

fn by_kind(name: &str, now: DateTime<Utc>) -> &'static str {
    if name.starts_with("media/") {
        return LONG;
    }
    if name == "status.json" {
        return NEVER;
    }
    match closed_month(name, now) {
        true => LONG,
        false => SHORT,
    }
}

/// `archive/YYYY-MM.*` of a month before last: closed whatever the grace (at most 28 days).
fn closed_month(name: &str, now: DateTime<Utc>) -> bool {
    let Some(rest) = name.strip_prefix("archive/") else {
        return false;
    };
    let (Some(y), Some(m)) = (
        rest.get(..4).and_then(|y| y.parse::<i32>().ok()),
        rest.get(5..7).and_then(|m| m.parse::<i32>().ok()),
    ) else {
        return false;
    };
    if rest.as_bytes().get(4) != Some(&b'-') {
        return false;
    }
    let this = now.year() * 12 + now.month0() as i32;
    this - (y * 12 + m - 1) >= 2
}

/// A glob with `*` (any run of characters but `/`), `**` (any run) and `?` (one character).
pub fn glob_match(glob: &str, name: &str) -> bool {
    let (g, n): (Vec<char>, Vec<char>) = (glob.chars().collect(), name.chars().collect());
    matches(&g, &n)
}

fn matches(g: &[char], n: &[char]) -> bool {
    match g.first() {
        None => n.is_empty(),
        Some('*') if g.get(1) == Some(&'*') => (0..=n.len()).any(|i| matches(&g[2..], &n[i..])),
        Some('*') => (0..=n.len())
            .take_while(|&i| i == 0 || n[i - 1] != '/')
            .any(|i| matches(&g[1..], &n[i..])),
        Some('?') => !n.is_empty() && n[0] != '/' && matches(&g[1..], &n[1..]),
        Some(c) => n.first() == Some(c) && matches(&g[1..], &n[1..]),
    }
}

/// The digest a file is recorded under: the bytes `r` reads (streamed: an archive month can be
/// 100 MB) and the headers it is stored with.
pub fn digest_reader(mut r: impl std::io::Read, h: &Headers) -> std::io::Result<String> {
    let mut d = Sha256::new();
    std::io::copy(&mut r, &mut d)?;
    Ok(finish(d, h))
}

fn finish(mut d: Sha256, h: &Headers) -> String {
    for part in [
        h.content_type.as_str(),
        h.cache_control.as_str(),
        h.content_encoding.unwrap_or(""),
    ] {
        d.update([0]);
        d.update(part.as_bytes());
    }
    let out = d.finalize();
    out.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> DeploySettings {
        DeploySettings {
            target: url::Url::parse("s3://b/p").expect("url"),
            endpoint: None,
            region: None,
            path_style: false,
            delete_after: std::time::Duration::ZERO,
            cache_control: vec![("tags/**".into(), "public, max-age=60".into())],
            gzip: true,
            after: Vec::new(),
            after_timeout: std::time::Duration::ZERO,
            state: None,
            lease: std::time::Duration::ZERO,
        }
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).expect("date").to_utc()
    }

    #[test]
    fn kinds_get_their_cache_rules() {
        let d = settings();
        let now = at("2026-03-10T00:00:00Z");
        assert_eq!(headers("media/ab.jpg", &d, now).cache_control, LONG);
        assert_eq!(headers("archive/2026-01.atom", &d, now).cache_control, LONG);
        assert_eq!(headers("archive/2025-12.html", &d, now).cache_control, LONG);
        // Last month may still take late entries.
        assert_eq!(
            headers("archive/2026-02.atom", &d, now).cache_control,
            SHORT
        );
        assert_eq!(headers("archive/index.html", &d, now).cache_control, SHORT);
        assert_eq!(headers("status.json", &d, now).cache_control, NEVER);
        assert_eq!(headers("feed.atom", &d, now).cache_control, SHORT);
        assert_eq!(
            headers("tags/a/b.html", &d, now).cache_control,
            "public, max-age=60"
        );
    }

    #[test]
    fn text_is_gzipped_and_typed_media_is_not() {
        let d = settings();
        let now = at("2026-03-10T00:00:00Z");
        let h = headers("feed.atom", &d, now);
        assert_eq!(h.content_type, "application/atom+xml; charset=utf-8");
        assert_eq!(h.content_encoding, Some("gzip"));
        assert_eq!(headers("media/a.png", &d, now).content_encoding, None);
    }

    #[test]
    fn globs() {
        assert!(glob_match("*.html", "index.html"));
        assert!(!glob_match("*.html", "tags/a.html"));
        assert!(glob_match("**.html", "tags/a.html"));
        assert!(glob_match("tags/*", "tags/a.html"));
        assert!(glob_match("archive/20??-*.atom", "archive/2024-01.atom"));
        assert!(!glob_match("archive/20??-*.atom", "archive/2024-01.html"));
    }

    fn digest(bytes: &[u8], h: &Headers) -> String {
        digest_reader(bytes, h).expect("read")
    }

    #[test]
    fn the_digest_covers_the_headers() {
        let d = settings();
        let now = at("2026-03-10T00:00:00Z");
        let a = headers("feed.atom", &d, now);
        let mut b = a.clone();
        b.cache_control = "no-store".into();
        assert_ne!(digest(b"x", &a), digest(b"x", &b));
        assert_ne!(digest(b"x", &a), digest(b"y", &a));
        assert_eq!(digest(b"x", &a), digest(b"x", &a.clone()));
    }
}
