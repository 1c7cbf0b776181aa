//! Proxies from the environment (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, `NO_PROXY`, either
//! case), read once into a [`Proxies`] value that both the HTTP client and the private-network
//! guard use, so that they agree on which requests go through a proxy.
//!
//! Why our own reading and not reqwest's: through a proxy, the connection goes to the proxy and
//! the proxy resolves the target, so the guard must judge the *target* itself (issue 21), before
//! the request, and must not judge the proxy, which the operator chose (an intranet proxy is
//! common). Both need to know, per URL, whether a proxy applies; reqwest's environment reading
//! does not say.

use url::Url;

/// The environment's proxies.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Proxies {
    http: Option<Url>,
    https: Option<Url>,
    /// `NO_PROXY`: host names (a leading dot or not: the name and its subdomains), or `*`.
    no_proxy: Vec<String>,
}

impl Proxies {
    /// What the process's environment says.
    pub fn from_env() -> Proxies {
        let var = |names: &[&str]| {
            names
                .iter()
                .find_map(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
        };
        let url = |v: Option<String>| {
            v.and_then(|v| {
                let v = v.trim().to_string();
                let with_scheme = if v.contains("://") {
                    v
                } else {
                    format!("http://{v}")
                };
                Url::parse(&with_scheme).ok()
            })
        };
        let all = url(var(&["ALL_PROXY", "all_proxy"]));
        Proxies {
            http: url(var(&["HTTP_PROXY", "http_proxy"])).or_else(|| all.clone()),
            https: url(var(&["HTTPS_PROXY", "https_proxy"])).or(all),
            no_proxy: var(&["NO_PROXY", "no_proxy"])
                .map(|v| {
                    v.split(',')
                        .map(|h| h.trim().trim_start_matches('.').to_ascii_lowercase())
                        .filter(|h| !h.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The proxy a request for `url` goes through, if any.
    pub fn for_url(&self, url: &Url) -> Option<&Url> {
        let proxy = match url.scheme() {
            "https" => self.https.as_ref(),
            "http" => self.http.as_ref(),
            _ => None,
        }?;
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let exempt = self.no_proxy.iter().any(|n| {
            n == "*"
                || host == n
                || host
                    .strip_suffix(n.as_str())
                    .is_some_and(|p| p.ends_with('.'))
        });
        (!exempt).then_some(proxy)
    }

    /// The proxies' host names: the guard does not judge them (the operator chose them).
    pub fn hosts(&self) -> Vec<String> {
        [&self.http, &self.https]
            .into_iter()
            .flatten()
            .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
            .collect()
    }

    /// These proxies for reqwest (none at all when there are none, so that reqwest does not
    /// read the environment on its own).
    pub fn reqwest(&self) -> Option<reqwest::Proxy> {
        if self.http.is_none() && self.https.is_none() {
            return None;
        }
        let me = self.clone();
        Some(reqwest::Proxy::custom(move |u| me.for_url(u).cloned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(no_proxy: &[&str]) -> Proxies {
        Proxies {
            http: Url::parse("http://10.0.0.1:3128").ok(),
            https: None,
            no_proxy: no_proxy.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn no_proxy_exempts_names_and_their_subdomains() {
        let u = |s: &str| Url::parse(s).expect("url");
        let proxies = p(&["example.org"]);
        assert!(proxies.for_url(&u("http://a.example.org/f")).is_none());
        assert!(proxies.for_url(&u("http://example.org/f")).is_none());
        assert!(proxies.for_url(&u("http://badexample.org/f")).is_some());
        assert!(
            proxies.for_url(&u("https://x.example.com/f")).is_none(),
            "no https proxy"
        );
        assert!(p(&["*"]).for_url(&u("http://x.example.com/")).is_none());
        assert_eq!(proxies.hosts(), ["10.0.0.1"]);
    }
}
