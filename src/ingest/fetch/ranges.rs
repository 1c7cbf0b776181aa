//! The address ranges a public partner may not make us connect to (issue 14, the private-network
//! guard): loopback, private, shared (CGNAT), link-local (which holds the cloud metadata service,
//! 169.254.169.254), "this network" and unspecified, in IPv4 and IPv6, IPv4-mapped IPv6 included.
//! A value, not a rule baked into the fetcher, so that a test can mark 127.0.0.2 blocked and
//! 127.0.0.1 allowed and exercise the whole guard over loopback.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One CIDR block, such as `10.0.0.0/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    net: IpAddr,
    prefix: u8,
}

/// A prefix longer than the address (`/33` for IPv4, `/129` for IPv6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("/{0} is longer than the address")]
pub struct BadPrefix(pub u8);

impl Cidr {
    /// The block of `prefix` leading bits of `net`.
    pub fn new(net: IpAddr, prefix: u8) -> Result<Cidr, BadPrefix> {
        let bits = if net.is_ipv4() { 32 } else { 128 };
        if prefix > bits {
            return Err(BadPrefix(prefix));
        }
        Ok(Cidr { net, prefix })
    }

    const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Cidr {
        Cidr {
            net: IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
            prefix,
        }
    }

    const fn v6(first: u16, prefix: u8) -> Cidr {
        Cidr {
            net: IpAddr::V6(Ipv6Addr::new(first, 0, 0, 0, 0, 0, 0, 0)),
            prefix,
        }
    }

    /// Whether `ip` is in the block (an IPv4 address is never in an IPv6 block, nor the reverse;
    /// [`Blocked::contains`] unwraps IPv4-mapped addresses first).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => same_prefix(
                u128::from(n.to_bits()),
                u128::from(a.to_bits()),
                32,
                self.prefix,
            ),
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                same_prefix(n.to_bits(), a.to_bits(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn same_prefix(net: u128, addr: u128, bits: u8, prefix: u8) -> bool {
    let host_bits = u32::from(bits - prefix);
    net.checked_shr(host_bits).unwrap_or(0) == addr.checked_shr(host_bits).unwrap_or(0)
}

/// A set of blocked ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    ranges: Vec<Cidr>,
}

/// The ranges a public partner may not reach, with why each is there.
const PRIVATE_NETWORKS: [Cidr; 12] = [
    Cidr::v4(0, 0, 0, 0, 8), // "this network"; 0.0.0.0 reaches the local host on Linux
    Cidr::v4(10, 0, 0, 0, 8), // private (RFC 1918)
    Cidr::v4(100, 64, 0, 0, 10), // shared address space, carrier-grade NAT (RFC 6598)
    Cidr::v4(127, 0, 0, 0, 8), // loopback
    Cidr::v4(169, 254, 0, 0, 16), // link-local, and the cloud metadata service 169.254.169.254
    Cidr::v4(172, 16, 0, 0, 12), // private (RFC 1918)
    Cidr::v4(192, 168, 0, 0, 16), // private (RFC 1918)
    Cidr::v6(0, 128),        // ::, unspecified
    Cidr {
        net: IpAddr::V6(Ipv6Addr::LOCALHOST),
        prefix: 128,
    }, // ::1, loopback
    Cidr::v6(0xfc00, 7),     // unique local addresses (fc00::/7)
    Cidr::v6(0xfe80, 10),    // link-local
    Cidr::v6(0xfec0, 10),    // deprecated site-local, still routed by some stacks
];

impl Default for Blocked {
    fn default() -> Blocked {
        Blocked::private_networks()
    }
}

impl Blocked {
    /// Loopback, private, CGNAT, link-local (cloud metadata), "this network" and unspecified, in
    /// IPv4 and IPv6 (see the module documentation).
    pub fn private_networks() -> Blocked {
        Blocked {
            ranges: PRIVATE_NETWORKS.to_vec(),
        }
    }

    /// Exactly `ranges` (a test marks single loopback addresses).
    pub fn new(ranges: Vec<Cidr>) -> Blocked {
        Blocked { ranges }
    }

    /// Whether `ip` is blocked. An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is judged as the
    /// IPv4 address it carries, which is where the kernel connects it.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        self.ranges.iter().any(|r| r.contains(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocked(s: &str) -> bool {
        Blocked::private_networks().contains(s.parse().expect("an address"))
    }

    #[test]
    fn every_default_range_is_blocked_from_its_first_to_its_last_address() {
        for ip in [
            "0.0.0.0",
            "0.255.255.255",
            "10.0.0.0",
            "10.255.255.255",
            "100.64.0.0",
            "100.127.255.255",
            "127.0.0.0",
            "127.0.0.1",
            "127.255.255.255",
            "169.254.0.0",
            "169.254.169.254",
            "169.254.255.255",
            "172.16.0.0",
            "172.31.255.255",
            "192.168.0.0",
            "192.168.255.255",
            "::",
            "::1",
            "fc00::",
            "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "fe80::",
            "fe80::1",
            "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "fec0::1",
        ] {
            assert!(blocked(ip), "{ip} should be blocked");
        }
    }

    #[test]
    fn addresses_just_outside_each_range_are_allowed() {
        for ip in [
            "1.0.0.0",
            "9.255.255.255",
            "11.0.0.0",
            "100.63.255.255",
            "100.128.0.0",
            "126.255.255.255",
            "128.0.0.0",
            "169.253.255.255",
            "169.255.0.0",
            "172.15.255.255",
            "172.32.0.0",
            "192.167.255.255",
            "192.169.0.0",
            "8.8.8.8",
            "192.0.2.1",
            "::2",
            "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
            "fe00::",
            "ff02::1",
            "2001:db8::1",
            "2606:4700::1111",
        ] {
            assert!(!blocked(ip), "{ip} should be allowed");
        }
    }

    #[test]
    fn ipv4_mapped_addresses_are_judged_as_their_ipv4_address() {
        for ip in [
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::ffff:100.64.0.1",
            "::ffff:0.0.0.0",
            "::ffff:192.168.1.1",
            "::ffff:172.16.0.1",
        ] {
            assert!(blocked(ip), "{ip} should be blocked");
        }
        assert!(!blocked("::ffff:8.8.8.8"));
        assert!(!blocked("::ffff:172.32.0.1"));
    }

    #[test]
    fn a_chosen_set_blocks_only_what_it_lists() {
        let set = Blocked::new(vec![
            Cidr::new("127.0.0.2".parse().expect("ip"), 32).expect("prefix"),
        ]);
        assert!(set.contains("127.0.0.2".parse().expect("ip")));
        assert!(set.contains("::ffff:127.0.0.2".parse().expect("ip")));
        assert!(!set.contains("127.0.0.1".parse().expect("ip")));
        assert!(!set.contains("10.0.0.1".parse().expect("ip")));
    }

    #[test]
    fn prefixes_are_checked_and_zero_matches_everything_of_its_family() {
        let any4 = Cidr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0).expect("prefix");
        assert!(any4.contains("203.0.113.9".parse().expect("ip")));
        assert!(!any4.contains("::1".parse().expect("ip")));
        assert_eq!(
            Cidr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 33),
            Err(BadPrefix(33))
        );
        assert!(Cidr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 128).is_ok());
        assert_eq!(
            Cidr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), 129),
            Err(BadPrefix(129))
        );
    }
}
