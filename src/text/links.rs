//! Links: resolution against the right base, the schemes that may survive, tracking parameters
//! removed, and the canonical form used to spot the same item in two feeds.

use url::Url;

/// Query parameters that only track readers.
fn is_tracking(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.starts_with("utm_")
        || matches!(
            k.as_str(),
            "fbclid"
                | "gclid"
                | "dclid"
                | "gbraid"
                | "wbraid"
                | "msclkid"
                | "mc_cid"
                | "mc_eid"
                | "yclid"
                | "_hsenc"
                | "_hsmi"
                | "mkt_tok"
                | "igshid"
                | "ref_src"
                | "oly_enc_id"
                | "oly_anon_id"
                | "vero_id"
                | "wt.mc_id"
                | "__s"
                | "_ga"
                | "_gl"
                | "si"
        )
}

/// Removes tracking parameters, keeping every other parameter exactly as written (its encoding
/// and separators included); a query without tracking parameters is left untouched.
pub fn strip_tracking(url: &mut Url) {
    let Some(query) = url.query() else {
        return;
    };
    let tracked = |seg: &str| {
        let key = seg.split('=').next().unwrap_or_default();
        let key = url::form_urlencoded::parse(key.as_bytes())
            .next()
            .map(|(k, _)| k.into_owned())
            .unwrap_or_default();
        is_tracking(&key)
    };
    if !query.split('&').any(tracked) {
        return;
    }
    let kept: Vec<&str> = query.split('&').filter(|s| !tracked(s)).collect();
    let kept = kept.join("&");
    url.set_query(Some(&kept).filter(|q| !q.is_empty()).map(|q| q.as_str()));
}

/// Resolves `href` against `base` (or takes it as absolute), keeps only http, https and mailto,
/// and strips tracking parameters.
pub fn resolve(href: &str, base: Option<&Url>) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let mut url = match Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    match url.scheme() {
        "http" | "https" => {
            url.host()?;
            strip_tracking(&mut url);
            // Credentials in a partner's link (or a base) are never republished.
            let _ = url.set_username("");
            let _ = url.set_password(None);
            Some(url)
        }
        "mailto" => Some(url),
        _ => None,
    }
}

/// The form two links to the same item share: no fragment, no tracking, lower-case host without
/// `www.`, `http` and `https` alike, no trailing slash.
pub fn canonical(url: &str) -> Option<String> {
    let mut u = resolve(url, None)?;
    u.set_fragment(None);
    let host = u
        .host_str()?
        .trim_start_matches("www.")
        .to_ascii_lowercase();
    let path = u.path().trim_end_matches('/');
    let query = u.query().map(|q| format!("?{q}")).unwrap_or_default();
    Some(format!("{host}{path}{query}"))
}

#[cfg(test)]
mod tests {
    use super::{canonical, resolve};

    #[test]
    fn resolves_and_filters_schemes() {
        let base = url::Url::parse("https://ex.org/a/b/").ok();
        let r = |h: &str| resolve(h, base.as_ref()).map(String::from);
        assert_eq!(
            r("../c?utm_source=x&id=1&fbclid=y").as_deref(),
            Some("https://ex.org/a/c?id=1")
        );
        assert_eq!(
            r("//cdn.ex.org/i.png").as_deref(),
            Some("https://cdn.ex.org/i.png")
        );
        assert_eq!(r("mailto:a@ex.org").as_deref(), Some("mailto:a@ex.org"));
        assert_eq!(r("javascript:alert(1)"), None);
        assert_eq!(r(" JAVASCRIPT:alert(1)"), None);
        assert_eq!(r("data:text/html,x"), None);
        assert_eq!(r("ftp://ex.org/f"), None);
        assert_eq!(resolve("rel", None), None);
    }

    #[test]
    fn canonical_links_match_across_partners() {
        assert_eq!(
            canonical("https://www.Ex.org/p/?utm_medium=rss#top"),
            canonical("http://ex.org/p")
        );
        assert_ne!(
            canonical("https://ex.org/p?id=1"),
            canonical("https://ex.org/p?id=2")
        );
    }
}
