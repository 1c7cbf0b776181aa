//! The feed address of an outline: whether it can be a source at all (an absolute http(s) URL of
//! a feed type), whether it is on a private network (issue 27, defect 10), and the normalised
//! form two addresses of one feed share. Pure.
//!
//! Private means what the private-network guard blocks (`ingest::fetch::Blocked`: loopback,
//! private, CGNAT, link-local and the cloud metadata service, "this network", unspecified; IPv4
//! also spelt `0`, `0x7f.1` or IPv4-mapped), plus the names reserved for local use: `localhost`
//! and `*.localhost` (RFC 6761), `*.local` (mDNS, RFC 6762), `*.home.arpa` (RFC 8375) and
//! `*.internal`. A source configured on such an address is fetched without the guard (an
//! intranet feed on purpose), so an OPML file from elsewhere must not make one silently. Other
//! names are not resolved here: whether they lead somewhere private is decided per fetch.

use std::net::IpAddr;

use url::{Host, Url};

use super::outcome::{NotHttpUrl, SkipReason};
use crate::ingest::fetch::Blocked;
use crate::text::controls;

/// The outline's feed URL, or why it cannot be a source. Private addresses are refused unless
/// `allow_intranet`.
pub(super) fn feed_url(
    xml_url: Option<&str>,
    kind: Option<&str>,
    allow_intranet: bool,
) -> Result<Url, SkipReason> {
    let Some(raw) = xml_url else {
        return Err(SkipReason::NoXmlUrl);
    };
    if let Some(kind) = kind {
        let k = kind.to_ascii_lowercase();
        if !matches!(k.as_str(), "rss" | "atom" | "jsonfeed" | "json" | "feed") {
            return Err(SkipReason::NotAFeed {
                kind: controls::strip(kind),
            });
        }
    }
    let url = http_url(raw).map_err(|why| SkipReason::InvalidUrl {
        url: controls::strip(raw),
        why,
    })?;
    match private_host(&url) {
        Some(host) if !allow_intranet => Err(SkipReason::Intranet { host }),
        _ => Ok(url),
    }
}

/// The rule `feedbraid check` applies to `url` and `homepage`: absolute, http(s), with a host.
pub(super) fn http_url(s: &str) -> Result<Url, NotHttpUrl> {
    let u = Url::parse(s.trim())?;
    if matches!(u.scheme(), "http" | "https") && u.host().is_some() {
        Ok(u)
    } else {
        Err(NotHttpUrl::Scheme(controls::strip(u.scheme())))
    }
}

/// The host of `url` when it is on a private network (see the module documentation).
pub(super) fn private_host(url: &Url) -> Option<String> {
    let ip = match url.host()? {
        Host::Ipv4(v4) => IpAddr::V4(v4),
        Host::Ipv6(v6) => IpAddr::V6(v6),
        Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            let local = d == "localhost"
                || [".localhost", ".local", ".home.arpa", ".internal"]
                    .iter()
                    .any(|s| d.ends_with(s));
            return local.then_some(d);
        }
    };
    Blocked::private_networks()
        .contains(ip)
        .then(|| url.host_str().unwrap_or_default().to_string())
}

/// The normalised form two URLs of the same feed share (the canonical link, plus any explicit
/// port).
pub(super) fn url_key(url: &str) -> Option<String> {
    let canonical = crate::text::links::canonical(url)?;
    let port = Url::parse(url).ok().and_then(|u| u.port());
    Some(match port {
        Some(p) => format!("{canonical} :{p}"),
        None => canonical,
    })
}

#[cfg(test)]
mod tests {
    use super::{SkipReason, feed_url, private_host};

    fn private(u: &str) -> Option<String> {
        private_host(&url::Url::parse(u).expect("a URL"))
    }

    #[test]
    fn private_addresses_and_local_names() {
        for (u, host) in [
            ("http://169.254.169.254/latest/", "169.254.169.254"),
            ("http://127.0.0.1:8080/", "127.0.0.1"),
            ("http://0/", "0.0.0.0"),
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://[::1]/", "[::1]"),
            ("http://[::ffff:a00:1]/", "[::ffff:a00:1]"),
            ("http://[fd00::1]/", "[fd00::1]"),
            ("http://100.64.1.1/", "100.64.1.1"),
            ("http://LOCALHOST./", "localhost"),
            ("http://a.localhost/", "a.localhost"),
            ("http://nas.local/", "nas.local"),
            ("http://router.home.arpa/", "router.home.arpa"),
            (
                "http://metadata.google.internal/",
                "metadata.google.internal",
            ),
        ] {
            assert_eq!(private(u).as_deref(), Some(host), "{u}");
        }
        for u in [
            "https://example.org/",
            "http://8.8.8.8/",
            "http://[2001:db8::1]/",
            "http://localhost.example.org/",
            "http://internal.example.org/",
            "http://192.0.2.1/",
        ] {
            assert_eq!(private(u), None, "{u}");
        }
    }

    #[test]
    fn intranet_is_a_skip_unless_allowed() {
        let u = Some("http://10.0.0.1/feed");
        assert_eq!(
            feed_url(u, Some("rss"), false),
            Err(SkipReason::Intranet {
                host: "10.0.0.1".into()
            })
        );
        assert!(feed_url(u, Some("rss"), true).is_ok());
    }
}
