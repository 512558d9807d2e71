//! The client's address behind the admin's reverse proxies (`--trusted-proxies`).
//!
//! Behind a load balancer every request comes from the balancer, so the per-client sign-in
//! limit would count the whole organisation as one client. `X-Forwarded-For` names the real
//! client, but any client can send one: it is read only when the TCP peer is a proxy the admin
//! named, and then from the right, where each trusted proxy appended what it saw, up to the
//! first address that is not a trusted proxy.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

use crate::Error;

/// The client behind `peer`: `peer` itself unless it is trusted, else the right-most address
/// of `forwarded_for` (the header's values, in order) that is not a trusted proxy. An entry
/// that is not an address ends the walk: what stands left of it cannot be vouched for.
pub fn client_address<'a>(
    peer: IpAddr,
    forwarded_for: impl Iterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let is_trusted = |ip: IpAddr| {
        let ip = ip.to_canonical();
        trusted.iter().any(|range| range.contains(&ip))
    };
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    let hops: Vec<&str> = forwarded_for
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    for hop in hops.into_iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        client = ip.to_canonical();
        if !is_trusted(client) {
            break;
        }
    }
    client
}

/// `192.0.2.1`, `2001:db8::1`, and the forms with a port some proxies write:
/// `192.0.2.1:4711`, `[2001:db8::1]:4711`, `[2001:db8::1]`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|addr| addr.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|inner| inner.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })
}

/// One `--trusted-proxies` entry: an address or a CIDR range.
pub fn parse_proxy_range(raw: &str) -> Result<IpNet, Error> {
    let raw = raw.trim();
    raw.parse::<IpNet>()
        .or_else(|_| raw.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| Error::InvalidConfig {
            key: "trusted_proxies",
            problem: "must be IP addresses or CIDR ranges, comma-separated (10.0.0.0/8,192.0.2.7)"
                .into(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an IP address")
    }

    fn ranges(list: &[&str]) -> Vec<IpNet> {
        list.iter()
            .map(|raw| parse_proxy_range(raw).expect("a range"))
            .collect()
    }

    fn client(peer: &str, headers: &[&str], trusted: &[&str]) -> IpAddr {
        client_address(ip(peer), headers.iter().copied(), &ranges(trusted))
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        assert_eq!(client("192.0.2.1", &[], &[]), ip("192.0.2.1"));
        assert_eq!(
            client("192.0.2.1", &["198.51.100.9"], &[]),
            ip("192.0.2.1"),
            "anyone can write X-Forwarded-For"
        );
        assert_eq!(
            client("192.0.2.1", &["198.51.100.9"], &["10.0.0.0/8"]),
            ip("192.0.2.1"),
            "a peer that is not a trusted proxy"
        );
    }

    #[test]
    fn behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client() {
        let trusted = ["10.0.0.0/8", "192.0.2.7"];
        assert_eq!(
            client("10.1.2.3", &["198.51.100.9"], &trusted),
            ip("198.51.100.9")
        );
        assert_eq!(
            client(
                "10.1.2.3",
                &["203.0.113.66, 198.51.100.9, 192.0.2.7"],
                &trusted
            ),
            ip("198.51.100.9"),
            "the left-most entry was written by the client itself"
        );
        assert_eq!(
            client("10.1.2.3", &["203.0.113.66", "198.51.100.9"], &trusted),
            ip("198.51.100.9"),
            "several header lines are one list"
        );
        assert_eq!(
            client("10.1.2.3", &["10.9.9.9, 10.8.8.8"], &trusted),
            ip("10.9.9.9"),
            "all proxies: the left-most"
        );
        assert_eq!(
            client("10.1.2.3", &[], &trusted),
            ip("10.1.2.3"),
            "no header: the proxy"
        );
    }

    #[test]
    fn a_malformed_hop_ends_the_walk() {
        let trusted = ["10.0.0.0/8"];
        assert_eq!(
            client("10.1.2.3", &["198.51.100.9, unknown, 10.2.2.2"], &trusted),
            ip("10.2.2.2")
        );
        assert_eq!(
            client("10.1.2.3", &["198.51.100.9, "], &trusted),
            ip("10.1.2.3")
        );
    }

    #[test]
    fn ports_brackets_and_mapped_addresses_are_understood() {
        let trusted = ["10.0.0.0/8", "2001:db8:ffff::/48"];
        assert_eq!(
            client("10.1.2.3", &["198.51.100.9:4711"], &trusted),
            ip("198.51.100.9")
        );
        assert_eq!(
            client("2001:db8:ffff::1", &["[2001:db8:1::5]:4711"], &trusted),
            ip("2001:db8:1::5")
        );
        assert_eq!(
            client("::ffff:10.1.2.3", &["[2001:db8:1::5]"], &trusted),
            ip("2001:db8:1::5"),
            "an IPv4-mapped peer is its IPv4 address"
        );
    }

    #[test]
    fn proxy_ranges_are_addresses_or_cidr() {
        assert_eq!(ranges(&["192.0.2.7"]), ranges(&["192.0.2.7/32"]));
        assert!(parse_proxy_range(" 10.0.0.0/8 ").is_ok());
        assert!(parse_proxy_range("2001:db8::/32").is_ok());
        for bad in ["", "proxy.example.nl", "10.0.0.0/33"] {
            assert!(
                matches!(
                    parse_proxy_range(bad),
                    Err(Error::InvalidConfig {
                        key: "trusted_proxies",
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
    }
}
