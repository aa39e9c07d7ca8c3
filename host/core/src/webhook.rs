//! Webhooks: how a delivery is signed, and which addresses a host refuses to call.
//!
//! A receiver checks a delivery with the secret it shares with the operator: the
//! `Siteward-Signature` header is `t=<unix seconds>,v1=<hex>`, where `<hex>` is HMAC-SHA256
//! over `<t>.<body>` — the timestamp and the body exactly as received, joined by a dot. The
//! timestamp is signed so an old delivery cannot be replayed later; receivers refuse one whose
//! `t` is more than a few minutes from their clock.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use data_encoding::HEXLOWER;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header that carries the signature.
pub const SIGNATURE_HEADER: &str = "siteward-signature";

/// The signature header's value for `body` sent at `timestamp` (unix seconds).
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        HEXLOWER.encode(&mac.finalize().into_bytes())
    )
}

/// Why an address is not called unless the operator allows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This machine (`127.0.0.0/8`, `::1`).
    Loopback,
    /// The local link (`169.254.0.0/16`, `fe80::/10`).
    LinkLocal,
    /// A cloud provider's instance metadata service.
    Metadata,
    /// No address at all (`0.0.0.0`, `::`), which reaches this machine.
    Unspecified,
    /// Many receivers at once.
    Multicast,
}

impl Refusal {
    /// Why, for the delivery log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Loopback => "loopback",
            Self::LinkLocal => "link-local",
            Self::Metadata => "metadata service",
            Self::Unspecified => "unspecified",
            Self::Multicast => "multicast",
        }
    }
}

/// Instance metadata services outside the link-local range (Alibaba Cloud; AWS over IPv6).
const METADATA_V4: [Ipv4Addr; 1] = [Ipv4Addr::new(100, 100, 100, 200)];
const METADATA_V6: [Ipv6Addr; 1] = [Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)];

/// Whether calling `address` is refused by default, and why. IPv4 addresses written as IPv6
/// (`::ffff:127.0.0.1`) are judged as the IPv4 address they are.
pub fn refusal(address: IpAddr) -> Option<Refusal> {
    match address {
        IpAddr::V4(v4) => refusal_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => refusal_v4(v4),
            None if v6.is_loopback() => Some(Refusal::Loopback),
            None if v6.is_unspecified() => Some(Refusal::Unspecified),
            None if v6.is_multicast() => Some(Refusal::Multicast),
            None if METADATA_V6.contains(&v6) => Some(Refusal::Metadata),
            None if v6.segments()[0] & 0xffc0 == 0xfe80 => Some(Refusal::LinkLocal),
            None => None,
        },
    }
}

fn refusal_v4(v4: Ipv4Addr) -> Option<Refusal> {
    if v4 == Ipv4Addr::new(169, 254, 169, 254) || METADATA_V4.contains(&v4) {
        Some(Refusal::Metadata)
    } else if v4.is_loopback() {
        Some(Refusal::Loopback)
    } else if v4.is_link_local() {
        Some(Refusal::LinkLocal)
    } else if v4.is_unspecified() {
        Some(Refusal::Unspecified)
    } else if v4.is_multicast() || v4.is_broadcast() {
        Some(Refusal::Multicast)
    } else {
        None
    }
}

/// A block of addresses, `address/prefix` (`127.0.0.0/8`, `fd00::/8`); a bare address is a
/// block of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    /// Parses `address/prefix` or `address`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address: IpAddr = address
            .trim()
            .parse()
            .map_err(|_| format!("{text:?} is not an address or a block like 127.0.0.0/8"))?;
        let width = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= width)
                .ok_or_else(|| format!("{text:?}: the prefix must be 0 to {width}"))?,
            None => width,
        };
        Ok(Self { address, prefix })
    }

    /// Whether `address` is in the block (IPv4 written as IPv6 counts as IPv4).
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = match address {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
            v4 => v4,
        };
        match (self.address, address) {
            (IpAddr::V4(block), IpAddr::V4(a)) => prefix_matches(
                u128::from(block.to_bits()),
                u128::from(a.to_bits()),
                32,
                self.prefix,
            ),
            (IpAddr::V6(block), IpAddr::V6(a)) => {
                prefix_matches(block.to_bits(), a.to_bits(), 128, self.prefix)
            }
            _ => false,
        }
    }
}

fn prefix_matches(block: u128, address: u128, width: u8, prefix: u8) -> bool {
    let shift = u32::from(width - prefix);
    shift >= u32::from(width) || (block >> shift) == (address >> shift)
}

/// Which addresses may be called: everything but the refused kinds, unless a block the
/// operator allowed contains the address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Blocks the operator allows even though they would be refused.
    pub allowed: Vec<Network>,
}

impl AddressPolicy {
    /// Why `address` may not be called, if it may not.
    pub fn check(&self, address: IpAddr) -> Result<(), Refusal> {
        match refusal(address) {
            Some(why) if !self.allowed.iter().any(|n| n.contains(address)) => Err(why),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_dot_body() {
        // RFC 4231 gives no vector for this framing; this one was computed with
        // `printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret`.
        assert_eq!(
            signature(b"secret", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686"
        );
    }

    #[test]
    fn loopback_link_local_and_metadata_are_refused_in_every_spelling() {
        for (address, why) in [
            ("127.0.0.1", Refusal::Loopback),
            ("127.255.0.9", Refusal::Loopback),
            ("::1", Refusal::Loopback),
            ("::ffff:127.0.0.1", Refusal::Loopback),
            ("169.254.169.254", Refusal::Metadata),
            ("::ffff:169.254.169.254", Refusal::Metadata),
            ("100.100.100.200", Refusal::Metadata),
            ("fd00:ec2::254", Refusal::Metadata),
            ("169.254.10.1", Refusal::LinkLocal),
            ("fe80::1", Refusal::LinkLocal),
            ("febf::1", Refusal::LinkLocal),
            ("0.0.0.0", Refusal::Unspecified),
            ("::", Refusal::Unspecified),
            ("224.0.0.1", Refusal::Multicast),
            ("255.255.255.255", Refusal::Multicast),
            ("ff02::1", Refusal::Multicast),
        ] {
            assert_eq!(refusal(ip(address)), Some(why), "{address}");
        }
        for address in [
            "93.184.216.34",
            "10.0.0.5",
            "192.168.1.1",
            "2606:4700::1",
            "fec0::1",
        ] {
            assert_eq!(refusal(ip(address)), None, "{address}");
        }
    }

    #[test]
    fn an_allowed_block_lets_refused_addresses_through_and_nothing_else() {
        let policy = AddressPolicy {
            allowed: vec![Network::parse("127.0.0.0/8").unwrap()],
        };
        assert_eq!(policy.check(ip("127.0.0.1")), Ok(()));
        assert_eq!(policy.check(ip("::ffff:127.1.2.3")), Ok(()));
        assert_eq!(policy.check(ip("::1")), Err(Refusal::Loopback));
        assert_eq!(policy.check(ip("169.254.169.254")), Err(Refusal::Metadata));
        assert_eq!(policy.check(ip("8.8.8.8")), Ok(()));
    }

    #[test]
    fn networks_parse_with_and_without_a_prefix() {
        let one = Network::parse("10.1.2.3").unwrap();
        assert!(one.contains(ip("10.1.2.3")) && !one.contains(ip("10.1.2.4")));
        let all = Network::parse("0.0.0.0/0").unwrap();
        assert!(all.contains(ip("1.2.3.4")) && !all.contains(ip("::1")));
        let v6 = Network::parse("fe80::/10").unwrap();
        assert!(v6.contains(ip("fe80::1")) && !v6.contains(ip("fec0::1")));
        for bad in ["10.0.0.0/33", "::/129", "example.com", "10.0.0.0/x", ""] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
    }
}
