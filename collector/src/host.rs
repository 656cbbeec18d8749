//! Which `Host` names a server answers to. Binding to loopback keeps other machines out, but not
//! other *websites*: with DNS rebinding, a page on `evil.example` makes its own name resolve to
//! 127.0.0.1 and then reads our responses as same-origin. Such a request still carries
//! `Host: evil.example:<port>`, so refusing names we do not know closes that hole.
//!
//! Accepted: loopback IP literals (`127.x.x.x`, `[::1]`), `localhost` and `*.localhost` (browsers
//! resolve those to loopback themselves, never through DNS), and the names given with
//! `--allow-host` (exact, or `*.suffix` for every name under `suffix`), always with this server's
//! port. The port may be left out only when the server listens on 80, as browsers do.

use std::net::{IpAddr, Ipv6Addr};

/// The `Host` names one server accepts.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    /// Lower-cased `--allow-host` names, `*.suffix` patterns included.
    allowed: Vec<String>,
    port: u16,
}

impl HostPolicy {
    /// A policy for a server listening on `port`, accepting loopback names and `allowed`.
    pub fn new(allowed: &[String], port: u16) -> Self {
        HostPolicy {
            allowed: allowed.iter().map(|n| n.to_ascii_lowercase()).collect(),
            port,
        }
    }

    /// `Ok` when a request with this `Host` value (or absolute-form authority) may be served;
    /// otherwise the reason, for the response body.
    pub fn check(&self, host: Option<&str>) -> Result<(), String> {
        let Some(host) = host.map(str::trim).filter(|h| !h.is_empty()) else {
            return Err("missing Host header".into());
        };
        let refused = || {
            format!(
                "Host {} is not served here: use 127.0.0.1, localhost or [::1] with port {}, \
                 or start the collector with --allow-host NAME",
                crate::http::printable(host),
                self.port
            )
        };
        let (name, port) = split_host(host).ok_or_else(refused)?;
        let port_ok = match port {
            Some(p) => p == self.port,
            None => self.port == 80,
        };
        if port_ok && self.name_allowed(&name.to_ascii_lowercase()) {
            Ok(())
        } else {
            Err(refused())
        }
    }

    fn name_allowed(&self, name: &str) -> bool {
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        if let Some(v6) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
            return v6.parse::<Ipv6Addr>().is_ok_and(|ip| ip.is_loopback());
        }
        if let Ok(ip) = name.parse::<IpAddr>() {
            return ip.is_loopback();
        }
        self.allowed.iter().any(|a| match a.strip_prefix("*.") {
            Some(suffix) => name
                .strip_suffix(suffix)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
            None => a == name,
        })
    }
}

/// Splits `name[:port]` / `[v6][:port]`; `None` when the port is not a number.
fn split_host(host: &str) -> Option<(&str, Option<u16>)> {
    let (name, port) = if host.starts_with('[') {
        let end = host.find(']')?;
        let rest = &host[end + 1..];
        let port = match rest {
            "" => None,
            _ => Some(rest.strip_prefix(':')?),
        };
        (&host[..=end], port)
    } else {
        match host.rsplit_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (host, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse::<u16>().ok()?),
        None => None,
    };
    Some((name, port))
}

/// Checks an `--allow-host` value: a DNS name (letters, digits, `-`, `.`), optionally starting
/// with `*.` for every name under it; no port, no IP address (those are loopback or refused).
pub fn valid_allow_host(value: &str) -> Result<String, String> {
    let name = value.strip_prefix("*.").unwrap_or(value);
    let ok = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(format!(
            "--allow-host: not a host name (or *.name): {}",
            crate::http::printable(value)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allowed: &[&str], port: u16) -> HostPolicy {
        let allowed: Vec<String> = allowed.iter().map(|s| s.to_string()).collect();
        HostPolicy::new(&allowed, port)
    }

    #[test]
    fn loopback_names_with_the_port() {
        let p = policy(&[], 8099);
        for ok in [
            "127.0.0.1:8099",
            "127.5.6.7:8099",
            "localhost:8099",
            "LocalHost:8099",
            "app.localhost:8099",
            "[::1]:8099",
        ] {
            assert_eq!(p.check(Some(ok)), Ok(()), "{ok}");
        }
        for bad in [
            "127.0.0.1",
            "127.0.0.1:8080",
            "localhost:80",
            "evil.example:8099",
            "localhost.evil.example:8099",
            "evillocalhost:8099",
            "10.0.0.1:8099",
            "[::2]:8099",
            "[::1]8099",
            "127.0.0.1:x",
            "",
        ] {
            assert!(p.check(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(p.check(None), Err("missing Host header".into()));
        // On port 80 the port may be left out, as browsers do.
        assert_eq!(policy(&[], 80).check(Some("localhost")), Ok(()));
    }

    #[test]
    fn configured_names_and_wildcards() {
        let p = policy(&["shop.test", "*.cdn.test"], 1234);
        assert_eq!(p.check(Some("shop.test:1234")), Ok(()));
        assert_eq!(p.check(Some("SHOP.test:1234")), Ok(()));
        assert_eq!(p.check(Some("a.cdn.test:1234")), Ok(()));
        assert_eq!(p.check(Some("a.b.cdn.test:1234")), Ok(()));
        assert!(p.check(Some("www.shop.test:1234")).is_err());
        assert!(p.check(Some("cdn.test:1234")).is_err());
        assert!(p.check(Some("xcdn.test:1234")).is_err());
        assert!(p.check(Some("shop.test:1235")).is_err());
        assert!(p
            .check(Some("evil.example:1234"))
            .unwrap_err()
            .contains("--allow-host"));
    }

    #[test]
    fn allow_host_values() {
        assert_eq!(valid_allow_host("Shop.Test").unwrap(), "shop.test");
        assert_eq!(valid_allow_host("*.shop.test").unwrap(), "*.shop.test");
        for bad in [
            "",
            "*.",
            "shop.test:80",
            "a..b",
            "*",
            "sh op",
            "a/b",
            "[::1]",
        ] {
            assert!(valid_allow_host(bad).is_err(), "{bad}");
        }
    }
}
