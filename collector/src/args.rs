//! Command-line parsing. Hand-written (no clap) to keep the collector's dependencies minimal; the
//! flags are a fixed contract used by tests and scripts.

use std::net::IpAddr;
use std::path::PathBuf;

use crate::Config;

/// Usage text for `--help` and flag errors.
pub const USAGE: &str = "\
usage: trailmark-collector [--host 127.0.0.1] [--site-port 8080] [--collect-port 8099]
                           [--www www] [--pkg pkg] [--db target/collector/events.sqlite]
                           [--write-key KEY] [--token TOKEN] [--max-body 524288]
                           [--allow-host NAME]... [--cors-header NAME]...

Serves the demo store (--www at /, --pkg at /pkg/) on the site port and collects
Segment-compatible batches (POST /v1/batch) into SQLite on the collect port.
Port 0 picks a free port. Only loopback hosts are accepted.

  --host H          loopback address to bind (127.0.0.1, ::1 or localhost)
  --site-port P     port of the store (default 8080)
  --collect-port P  port of the collector (default 8099)
  --www DIR         directory served at / (default www)
  --pkg DIR         directory served at /pkg/ (default pkg)
  --db FILE         SQLite file (default target/collector/events.sqlite)
  --write-key KEY   require this write key on /v1/batch; also guards the viewer,
                    /events.json and /_control/* unless --token is given
  --token TOKEN     guard the viewer, /events.json and /_control/* with this instead
                    (HTTP Basic user or Bearer; in a browser open /?token=TOKEN)
  --max-body BYTES  largest body, as sent and decompressed (default 524288)
  --allow-host NAME also answer to this Host name (*.NAME: every name under NAME);
                    loopback names always work (repeatable)
  --cors-header H   let browser senders use this request header on /v1/batch, besides
                    Content-Type, Content-Encoding, Authorization (repeatable)
  -h, --help        print this help
";

/// What the command line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Run the collector (boxed: a config is large next to `Help`).
    Run(Box<Config>),
    /// Print usage and exit.
    Help,
}

/// Parses the arguments after the program name. Accepts `--flag value` and `--flag=value`.
pub fn parse<I, S>(args: I) -> Result<Command, String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut config = Config::default();
    let mut args = args.into_iter().map(Into::into);
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(Command::Help);
        }
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if !flag.starts_with("--") {
            return Err(format!("unexpected argument: {arg}"));
        }
        let known = [
            "--host",
            "--site-port",
            "--collect-port",
            "--www",
            "--pkg",
            "--db",
            "--write-key",
            "--token",
            "--max-body",
            "--allow-host",
            "--cors-header",
        ];
        if !known.contains(&flag.as_str()) {
            return Err(format!("unknown flag: {flag}"));
        }
        let value = match inline.or_else(|| args.next()) {
            Some(v) => v,
            None => return Err(format!("{flag} needs a value")),
        };
        match flag.as_str() {
            "--host" => config.host = parse_host(&value)?,
            "--site-port" => config.site_port = parse_port(&flag, &value)?,
            "--collect-port" => config.collect_port = parse_port(&flag, &value)?,
            "--www" => config.www = PathBuf::from(value),
            "--pkg" => config.pkg = PathBuf::from(value),
            "--db" => config.db = PathBuf::from(value),
            "--write-key" if value.is_empty() => return Err("--write-key must not be empty".into()),
            "--write-key" => config.write_key = Some(value),
            "--token" => config.token = Some(non_empty_token(&value)?),
            "--allow-host" => config
                .allow_hosts
                .push(crate::host::valid_allow_host(&value)?),
            "--cors-header" => config.cors_headers.push(header_name(&value)?),
            "--max-body" => {
                config.max_body = match value.parse::<usize>() {
                    Ok(n) if n > 0 => n,
                    _ => return Err(format!("--max-body: not a positive integer: {value}")),
                }
            }
            _ => unreachable!("flag checked against the known list above"),
        }
    }
    Ok(Command::Run(Box::new(config)))
}

/// A loopback address; `localhost` means 127.0.0.1. Anything else is refused: the collector is a
/// development tool and must never be reachable from other machines.
fn parse_host(value: &str) -> Result<IpAddr, String> {
    let ip = if value.eq_ignore_ascii_case("localhost") {
        IpAddr::from([127, 0, 0, 1])
    } else {
        let bare = value.trim_start_matches('[').trim_end_matches(']');
        bare.parse::<IpAddr>()
            .map_err(|_| format!("--host: not an IP address: {value}"))?
    };
    if !ip.is_loopback() {
        return Err(format!(
            "--host: {value} is not a loopback address; only 127.0.0.0/8 and ::1 are allowed"
        ));
    }
    Ok(ip)
}

/// A token is sent in URLs and headers: printable ASCII without spaces, so it survives both.
fn non_empty_token(value: &str) -> Result<String, String> {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(value.to_string())
    } else {
        Err("--token: must be non-empty printable ASCII without spaces".into())
    }
}

/// An HTTP header name (RFC 9110 token characters), lower-cased.
fn header_name(value: &str) -> Result<String, String> {
    let ok = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if ok {
        Ok(value.to_ascii_lowercase())
    } else {
        Err(format!(
            "--cors-header: not a header name: {}",
            crate::http::printable(value)
        ))
    }
}

fn parse_port(flag: &str, value: &str) -> Result<u16, String> {
    value
        .parse::<u16>()
        .map_err(|_| format!("{flag}: not a port number (0-65535): {value}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, String> {
        match parse(args.iter().copied())? {
            Command::Run(c) => Ok(*c),
            Command::Help => Err("help".into()),
        }
    }

    #[test]
    fn defaults() {
        assert_eq!(run(&[]).unwrap(), Config::default());
    }

    #[test]
    fn all_flags_both_forms() {
        let c = run(&[
            "--host=::1",
            "--site-port",
            "0",
            "--collect-port=0",
            "--www",
            "w",
            "--pkg",
            "p",
            "--db",
            "d.sqlite",
            "--write-key",
            "k",
            "--max-body",
            "10",
            "--token=t0k",
            "--allow-host",
            "Shop.Test",
            "--allow-host=*.cdn.test",
            "--cors-header",
            "X-Api-Key",
        ])
        .unwrap();
        assert_eq!(c.token.as_deref(), Some("t0k"));
        assert_eq!(c.allow_hosts, ["shop.test", "*.cdn.test"]);
        assert_eq!(c.cors_headers, ["x-api-key"]);
        assert_eq!(c.host.to_string(), "::1");
        assert_eq!((c.site_port, c.collect_port, c.max_body), (0, 0, 10));
        assert_eq!(c.www, PathBuf::from("w"));
        assert_eq!(c.pkg, PathBuf::from("p"));
        assert_eq!(c.db, PathBuf::from("d.sqlite"));
        assert_eq!(c.write_key.as_deref(), Some("k"));
        assert_eq!(
            run(&["--host", "localhost"]).unwrap().host.to_string(),
            "127.0.0.1"
        );
        assert_eq!(
            run(&["--host", "127.0.0.2"]).unwrap().host.to_string(),
            "127.0.0.2"
        );
    }

    #[test]
    fn errors() {
        assert!(run(&["--host", "0.0.0.0"])
            .unwrap_err()
            .contains("loopback"));
        assert!(run(&["--host", "10.0.0.1"]).is_err());
        assert!(run(&["--host", "example.com"]).is_err());
        assert_eq!(run(&["--nope"]).unwrap_err(), "unknown flag: --nope");
        assert_eq!(run(&["--db"]).unwrap_err(), "--db needs a value");
        assert!(run(&["--site-port", "70000"]).is_err());
        assert!(run(&["--max-body", "0"]).is_err());
        assert!(run(&["--write-key", ""]).is_err());
        assert!(run(&["--token", ""]).is_err());
        assert!(run(&["--token", "a b"]).is_err());
        assert!(run(&["--allow-host", "evil.example:80"]).is_err());
        assert!(run(&["--cors-header", "x y"]).is_err());
        assert!(run(&["stray"]).is_err());
        assert_eq!(parse(["--help"]).unwrap(), Command::Help);
    }
}
