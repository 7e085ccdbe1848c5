//! Which URLs and addresses a webhook may target: `https://` to public addresses only, unless the service is
//! configured for on-premise networks.

use crate::foundation::config::TargetPolicy;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::foundation::error::FieldError;

/// The longest URL accepted.
pub const MAX_URL_LEN: usize = 2000;

fn url_error(code: &'static str, detail: impl Into<String>) -> FieldError {
    FieldError::new("url", code, detail)
}

/// Checks a webhook URL and returns it normalised. Hostnames are checked again, resolved, at every delivery (see
/// [`address_allowed`]), so a name that later resolves to a private address is refused then.
pub fn check_url(raw: &str, targets: TargetPolicy) -> Result<String, FieldError> {
    if raw.len() > MAX_URL_LEN {
        return Err(url_error(
            "too_long",
            format!("at most {MAX_URL_LEN} characters"),
        ));
    }
    let url = reqwest::Url::parse(raw)
        .map_err(|e| url_error("invalid_url", format!("not an absolute URL: {e}")))?;
    match (url.scheme(), targets) {
        ("https", _) | ("http", TargetPolicy::AllowPrivate) => {}
        ("http", TargetPolicy::PublicOnly) => {
            return Err(url_error(
                "insecure_scheme",
                "deliveries carry signed case notices: use https://",
            ));
        }
        _ => return Err(url_error("invalid_scheme", "use an https:// URL")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(url_error(
            "credentials_in_url",
            "put no credentials in the URL: verify the webhook-signature instead",
        ));
    }
    if url.fragment().is_some() {
        return Err(url_error("fragment_in_url", "a URL with a #fragment"));
    }
    let host = url
        .host()
        .ok_or_else(|| url_error("invalid_url", "the URL has no host"))?;
    if let url::Host::Domain(d) = host {
        let d = d.trim_end_matches('.').to_ascii_lowercase();
        if targets == TargetPolicy::PublicOnly
            && (d == "localhost"
                || d.ends_with(".localhost")
                || d.ends_with(".local")
                || d.ends_with(".internal")
                || !d.contains('.'))
        {
            return Err(url_error("private_target", "the host is not a public name"));
        }
    }
    if let Some(ip) = host_ip(&url)
        && !address_allowed(ip, targets)
    {
        return Err(url_error(
            "private_target",
            format!("{ip} is a private, loopback, link-local or reserved address"),
        ));
    }
    Ok(url.to_string())
}

/// The address a URL names literally (`https://10.0.0.1/`), if it names one rather than a host name. Such URLs
/// never reach a resolver, so they are judged by this address.
pub fn host_ip(url: &url::Url) -> Option<IpAddr> {
    match url.host()? {
        url::Host::Ipv4(a) => Some(IpAddr::V4(a)),
        url::Host::Ipv6(a) => Some(IpAddr::V6(a)),
        url::Host::Domain(_) => None,
    }
}

/// Whether a delivery may connect to this address: any under [`TargetPolicy::AllowPrivate`], only globally
/// routable unicast addresses otherwise (IPv4 embedded in IPv6 is judged as IPv4).
pub fn address_allowed(ip: IpAddr, targets: TargetPolicy) -> bool {
    targets == TargetPolicy::AllowPrivate || is_public(ip)
}

fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => is_public_v4(a),
        IpAddr::V6(a) => {
            if let Some(v4) = a.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = a.segments();
            // NAT64 (64:ff9b::/96) carries an IPv4 target.
            if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0, 0, 0, 0] {
                return is_public_v4(Ipv4Addr::new(
                    (s[6] >> 8) as u8,
                    s[6] as u8,
                    (s[7] >> 8) as u8,
                    s[7] as u8,
                ));
            }
            !(a.is_unspecified()
                || a.is_loopback()
                || a.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || s[0..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible (deprecated)
                && a != Ipv6Addr::UNSPECIFIED
        }
    }
}

fn is_public_v4(a: Ipv4Addr) -> bool {
    let o = a.octets();
    !(
        a.is_unspecified()
        || o[0] == 0
        || a.is_private()
        || a.is_loopback()
        || a.is_link_local()
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // shared address space (CGNAT)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || a.is_documentation()
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking
        || a.is_multicast()
        || o[0] >= 240
        // reserved and broadcast
    )
}
