//! The private-network guard (issue 14): a partner feed that redirects to a loopback, private,
//! link-local or cloud-metadata address is refused, unless the configured URL itself is on such a
//! network (an operator may aggregate an intranet feed on purpose). Without it a hostile partner
//! could redirect us to `http://169.254.169.254/…` or an intranet page and have it parsed and
//! published. Media mirrored from a public partner's entries is held to the same rule.
//!
//! The check is on the addresses a name resolves to, at connect time: the guarded client's
//! resolver drops blocked addresses and fails when none remain, so a name cannot be checked
//! with one answer and connected with another. Hosts that are IP literals never reach a
//! resolver; the fetcher checks those itself on every hop ([`Guard::literal`]).
//!
//! The seam: the resolver and the blocked ranges are values ([`Guard::new`]), so a test can make
//! `partner.example` resolve to 127.0.0.1 (allowed) and `intranet.example` to 127.0.0.2
//! (blocked) and run the real fetcher against loopback servers.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use super::ranges::Blocked;

/// A connection refused because every address of its host is blocked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{host} is on a private network ({}): refused, because the configured URL is public",
    list(addrs)
)]
pub struct PrivateAddress {
    pub host: String,
    pub addrs: Vec<IpAddr>,
}

fn list(addrs: &[IpAddr]) -> String {
    addrs
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A name that has no addresses in a [`StaticResolver`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}: no such host")]
pub struct UnknownHost(pub String);

/// Resolves with the system resolver (`getaddrinfo`, through tokio).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Resolves from a fixed map of host names to addresses; any other name fails. For tests and
/// for pinning names (`/etc/hosts` in a value).
#[derive(Debug, Clone, Default)]
pub struct StaticResolver {
    hosts: HashMap<String, Vec<IpAddr>>,
}

impl StaticResolver {
    /// An empty map.
    pub fn new() -> StaticResolver {
        StaticResolver::default()
    }

    /// `host` (any case) resolves to `addrs`.
    pub fn with(mut self, host: &str, addrs: &[IpAddr]) -> StaticResolver {
        self.hosts.insert(host.to_ascii_lowercase(), addrs.to_vec());
        self
    }
}

impl Resolve for StaticResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let found = self.hosts.get(&name.as_str().to_ascii_lowercase()).cloned();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let addrs = found.ok_or(UnknownHost(host))?;
            let socks: Vec<SocketAddr> = addrs.into_iter().map(|ip| (ip, 0).into()).collect();
            Ok(Box::new(socks.into_iter()) as Addrs)
        })
    }
}

/// The blocked ranges and the resolver every fetch of a run uses.
#[derive(Clone)]
pub struct Guard {
    blocked: Arc<Blocked>,
    resolver: Arc<dyn Resolve>,
    /// Names resolved without judging them: the configured proxies (see `proxy`).
    trusted: Arc<Vec<String>>,
}

impl std::fmt::Debug for Guard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guard")
            .field("blocked", &self.blocked)
            .finish_non_exhaustive()
    }
}

impl Default for Guard {
    fn default() -> Guard {
        Guard::system()
    }
}

impl Guard {
    /// What a run uses: [`Blocked::private_networks`] and the system resolver.
    pub fn system() -> Guard {
        Guard::new(Blocked::private_networks(), Arc::new(SystemResolver))
    }

    /// `blocked` ranges, names resolved by `resolver` (guarded or not).
    pub fn new(blocked: Blocked, resolver: Arc<dyn Resolve>) -> Guard {
        Guard {
            blocked: Arc::new(blocked),
            resolver,
            trusted: Arc::new(Vec::new()),
        }
    }

    /// This guard, with `names` (the proxies the operator configured) resolved unjudged.
    pub(crate) fn trusting(mut self, names: Vec<String>) -> Guard {
        self.trusted = Arc::new(names);
        self
    }

    /// A target reached through a proxy, which resolves it itself: refused when any address of
    /// its name is blocked (the proxy may connect to any of them). A name we cannot resolve is
    /// left to the proxy (it may see a DNS we do not).
    pub async fn proxied_target(&self, url: &Url) -> Result<(), PrivateAddress> {
        self.literal(url)?;
        let Some(Host::Domain(host)) = url.host() else {
            return Ok(());
        };
        let Ok(name) = host.parse::<Name>() else {
            return Ok(());
        };
        let Ok(addrs) = self.resolver.resolve(name).await else {
            return Ok(());
        };
        let blocked: Vec<IpAddr> = addrs
            .map(|a| a.ip())
            .filter(|ip| self.blocks(*ip))
            .collect();
        if blocked.is_empty() {
            Ok(())
        } else {
            Err(PrivateAddress {
                host: host.to_string(),
                addrs: blocked,
            })
        }
    }

    /// The resolver of the unguarded client (sources whose configured URL is private).
    pub(crate) fn resolver(&self) -> Arc<dyn Resolve> {
        Arc::clone(&self.resolver)
    }

    /// The resolver of the guarded client: blocked addresses dropped, an error when none remain.
    pub(crate) fn filtering(&self) -> Arc<dyn Resolve> {
        Arc::new(Filtering(self.clone()))
    }

    /// Whether `ip` is blocked.
    pub fn blocks(&self, ip: IpAddr) -> bool {
        self.blocked.contains(ip)
    }

    /// `Err` when `url`'s host is an IP literal in a blocked range (literals never reach the
    /// resolver, so the fetcher asks this on every hop).
    pub fn literal(&self, url: &Url) -> Result<(), PrivateAddress> {
        let ip = match url.host() {
            Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
            Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
            _ => return Ok(()),
        };
        if self.blocks(ip) {
            return Err(PrivateAddress {
                host: ip.to_string(),
                addrs: vec![ip],
            });
        }
        Ok(())
    }

    /// Whether a configured URL is itself on a private network: its host is a blocked IP
    /// literal, or every address its name resolves to is blocked. Such a source is fetched
    /// without the guard. A name that resolves to nothing counts as public (its fetch then fails
    /// on its own); a name with any public address counts as public, so a partner cannot lift
    /// the guard by adding one private record to its name.
    pub async fn is_private(&self, url: &Url) -> bool {
        if self.literal(url).is_err() {
            return true;
        }
        let Some(Host::Domain(host)) = url.host() else {
            return false;
        };
        let Ok(name) = host.parse::<Name>() else {
            return false;
        };
        match self.resolver.resolve(name).await {
            Ok(addrs) => {
                let ips: Vec<IpAddr> = addrs.map(|a| a.ip()).collect();
                !ips.is_empty() && ips.iter().all(|ip| self.blocks(*ip))
            }
            Err(_) => false,
        }
    }
}

/// The guarded resolver.
struct Filtering(Guard);

impl Resolve for Filtering {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.0.clone();
        let host = name.as_str().to_string();
        Box::pin(async move {
            let all: Vec<SocketAddr> = guard.resolver.resolve(name).await?.collect();
            if guard.trusted.iter().any(|t| t.eq_ignore_ascii_case(&host)) {
                return Ok(Box::new(all.into_iter()) as Addrs);
            }
            let (blocked, allowed): (Vec<SocketAddr>, Vec<SocketAddr>) =
                all.into_iter().partition(|a| guard.blocks(a.ip()));
            if allowed.is_empty() && !blocked.is_empty() {
                return Err(PrivateAddress {
                    host,
                    addrs: blocked.iter().map(SocketAddr::ip).collect(),
                }
                .into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The [`PrivateAddress`] somewhere in `e`'s chain of causes, if the guard refused it.
pub(crate) fn refusal(e: &reqwest::Error) -> Option<PrivateAddress> {
    let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(s) = src {
        if let Some(p) = s.downcast_ref::<PrivateAddress>() {
            return Some(p.clone());
        }
        src = s.source();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::fetch::Cidr;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("an address")
    }

    fn guard() -> Guard {
        let names = StaticResolver::new()
            .with("public.example", &[ip("192.0.2.10")])
            .with("inside.example", &[ip("10.1.2.3"), ip("fd00::1")])
            .with("MIXED.example", &[ip("10.1.2.3"), ip("192.0.2.11")]);
        Guard::new(Blocked::private_networks(), Arc::new(names))
    }

    fn block_on<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f)
    }

    fn url(s: &str) -> Url {
        Url::parse(s).expect("a URL")
    }

    #[test]
    fn a_configured_url_is_private_only_if_every_address_is_blocked() {
        let g = guard();
        for (u, private) in [
            ("http://10.0.0.1/feed", true),
            ("http://[::1]:8080/feed", true),
            ("http://[::ffff:169.254.169.254]/", true),
            ("http://inside.example/feed", true),
            ("http://192.0.2.1/feed", false),
            ("http://public.example/feed", false),
            ("http://mixed.example/feed", false),
            ("http://unknown.example/feed", false),
        ] {
            assert_eq!(block_on(g.is_private(&url(u))), private, "{u}");
        }
    }

    #[test]
    fn the_guarded_resolver_keeps_public_addresses_and_refuses_names_with_none() {
        let g = guard();
        let resolve = |host: &str| block_on(g.filtering().resolve(host.parse().expect("name")));
        let mixed: Vec<IpAddr> = resolve("mixed.example")
            .expect("a public address remains")
            .map(|a| a.ip())
            .collect();
        assert_eq!(mixed, vec![ip("192.0.2.11")]);
        let Err(e) = resolve("inside.example") else {
            panic!("a private-only name resolved");
        };
        let refused = e.downcast_ref::<PrivateAddress>().expect("typed refusal");
        assert_eq!(refused.host, "inside.example");
        assert_eq!(refused.addrs, vec![ip("10.1.2.3"), ip("fd00::1")]);
        assert!(resolve("unknown.example").is_err());
        // The unguarded resolver answers everything.
        let all = block_on(
            g.resolver()
                .resolve("inside.example".parse().expect("name")),
        );
        assert_eq!(all.expect("resolves").count(), 2);
    }

    #[test]
    fn literals_are_checked_against_the_ranges_given() {
        let g = Guard::new(
            Blocked::new(vec![Cidr::new(ip("127.0.0.2"), 32).expect("prefix")]),
            Arc::new(StaticResolver::new()),
        );
        assert!(g.literal(&url("http://127.0.0.2:9/")).is_err());
        assert!(g.literal(&url("http://[::ffff:127.0.0.2]/")).is_err());
        assert!(g.literal(&url("http://127.0.0.1:9/")).is_ok());
        assert!(g.literal(&url("http://name.example/")).is_ok());
        assert!(
            Guard::system()
                .literal(&url("http://169.254.169.254/latest/"))
                .is_err()
        );
        assert!(
            Guard::system().literal(&url("http://0x7f.1/")).is_err(),
            "127.0.0.1 spelt in hex"
        );
    }
}
