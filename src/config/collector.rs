//! Where and how events are delivered.

#[cfg(feature = "compiler")]
use super::read;
#[cfg(feature = "compiler")]
use crate::diag::{Diagnostic, Diagnostics, Path};
#[cfg(feature = "compiler")]
use crate::value::Map;

/// The body format of a delivery request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WireFormat {
    /// Segment-compatible `{"batch":[...],"sentAt":"..."}` (the default).
    Segment,
    /// A plain JSON array of events.
    Array,
}

/// The collector a site owner names.
#[derive(Clone, Debug, PartialEq)]
pub struct Collector {
    /// Absolute `http(s)` URL, or a path on the page's own origin.
    pub url: String,
    /// Body format.
    pub format: WireFormat,
    /// Sent in the body as `writeKey` (beacons cannot carry headers).
    pub write_key: Option<String>,
    /// Send when this many events are queued.
    pub flush_at: usize,
    /// Send queued events at most this long after the first was queued.
    pub flush_interval_ms: i64,
    /// Largest body of a normal request, in bytes.
    pub max_batch_bytes: usize,
    /// Gzip normal requests (`Content-Encoding: gzip`) where the browser has
    /// `CompressionStream`; beacons always go uncompressed.
    pub gzip: bool,
    /// Extra request headers for normal requests (`Authorization`, ...), in config order.
    /// Beacons cannot carry headers: the write key travels in the body for that reason.
    pub headers: Vec<(String, String)>,
}

#[cfg(feature = "compiler")]
const FIELDS: &[&str] = &[
    "url",
    "format",
    "writeKey",
    "flushAt",
    "flushIntervalMs",
    "maxBatchBytes",
    "gzip",
    "headers",
];

/// Headers Trailmark sets itself, or that browsers refuse to let a page set (lowercase;
/// `proxy-*` and `sec-*` are refused too).
#[cfg(feature = "compiler")]
const RESERVED_HEADERS: &[&str] = &[
    "content-type",
    "content-encoding",
    "content-length",
    "accept-charset",
    "accept-encoding",
    "connection",
    "cookie",
    "date",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// An HTTP token char (RFC 9110 `tchar`).
#[cfg(feature = "compiler")]
fn token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Compiles `/collector/headers`: names must be HTTP tokens and not reserved, values strings
/// without line breaks or other control chars. A bad header is reported and left out.
#[cfg(feature = "compiler")]
fn headers(obj: &Map, path: &Path, diags: &mut Diagnostics) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(map) = read::object(obj, "headers", path, diags) else {
        return out;
    };
    let base = path.key("headers");
    for (name, value) in map.iter() {
        let at = base.key(name);
        let lower = name.to_ascii_lowercase();
        let why = if name.is_empty() || !name.bytes().all(token_char) {
            Some("a header name is letters, digits and !#$%&'*+-.^_`|~ only")
        } else if RESERVED_HEADERS.contains(&lower.as_str())
            || lower.starts_with("proxy-")
            || lower.starts_with("sec-")
        {
            Some("Trailmark or the browser sets this header; it cannot be configured")
        } else {
            None
        };
        if let Some(why) = why {
            diags.push(Diagnostic::error("config/bad-header", &at, why));
            continue;
        }
        match value {
            // Browsers take header values in ISO-8859-1 only, and throw on anything else.
            crate::value::Value::String(v)
                if !v
                    .chars()
                    .any(|c| (c.is_control() && c != '\t') || u32::from(c) > 0xFF) =>
            {
                out.push((name.to_owned(), v.clone()));
            }
            crate::value::Value::String(_) => diags.push(Diagnostic::error(
                "config/bad-header",
                &at,
                "a header value holds only Latin-1 characters, without line breaks or other control characters",
            )),
            other => diags.push(Diagnostic::error(
                "config/wrong-type",
                &at,
                crate::render::expected("a string", other),
            )),
        }
    }
    out
}

/// Compiles `/collector`.
#[cfg(feature = "compiler")]
pub fn compile(obj: &Map, path: &Path, diags: &mut Diagnostics) -> Option<Collector> {
    read::unknown_fields(obj, FIELDS, path, diags);
    let url = read::string(obj, "url", path, true, diags);
    if let Some(u) = &url {
        let lower = u.to_ascii_lowercase();
        let ok = lower.starts_with("https://")
            || lower.starts_with("http://")
            || (u.starts_with('/') && !u.starts_with("//"));
        if !ok {
            diags.push(Diagnostic::error(
                "config/bad-url",
                &path.key("url"),
                "collector url must start with https://, http:// or / (a path on this site)",
            ));
            return None;
        }
    }
    let format = match read::string(obj, "format", path, false, diags).as_deref() {
        None | Some("segment") => WireFormat::Segment,
        Some("array") => WireFormat::Array,
        Some(_) => {
            diags.push(Diagnostic::error(
                "config/unknown-value",
                &path.key("format"),
                "format must be \"segment\" or \"array\"",
            ));
            WireFormat::Segment
        }
    };
    Some(Collector {
        url: url?,
        format,
        write_key: read::string(obj, "writeKey", path, false, diags),
        flush_at: read::integer(obj, "flushAt", path, (1, 1000, 20), diags) as usize,
        flush_interval_ms: read::integer(obj, "flushIntervalMs", path, (0, 600_000, 2000), diags),
        max_batch_bytes: read::integer(obj, "maxBatchBytes", path, (1024, 460_800, 460_800), diags)
            as usize,
        gzip: read::boolean(obj, "gzip", path, false, diags),
        headers: headers(obj, path, diags),
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::Collector;
    use crate::config::compile;
    use crate::value::Value;

    fn run(text: &str) -> (Option<Collector>, Vec<String>) {
        let c = compile(&Value::parse_json(text).expect("test JSON"));
        let d = c.diagnostics.0.iter().map(|d| d.to_string()).collect();
        (c.config.collector, d)
    }

    fn gzip_of(text: &str) -> (bool, Vec<String>) {
        let (c, d) = run(text);
        (c.expect("a collector").gzip, d)
    }

    #[test]
    fn headers_are_kept_in_order_and_bad_ones_named() {
        let (c, d) = run(r#"{"version":1,"collector":{"url":"/collect","headers":{
                "Authorization":"Basic cGs6","X-Shop":"nw","Bad Name":"x","Cookie":"a=1",
                "Sec-Fetch-Mode":"cors","X-Multi":"a\nb","X-Euro":"5 €","X-Num":5}}}"#);
        assert_eq!(
            c.expect("a collector").headers,
            vec![
                ("Authorization".to_owned(), "Basic cGs6".to_owned()),
                ("X-Shop".to_owned(), "nw".to_owned())
            ]
        );
        assert_eq!(
            d,
            vec![
                "config/bad-header at /collector/headers/Bad Name: a header name is letters, digits and !#$%&'*+-.^_`|~ only",
                "config/bad-header at /collector/headers/Cookie: Trailmark or the browser sets this header; it cannot be configured",
                "config/bad-header at /collector/headers/Sec-Fetch-Mode: Trailmark or the browser sets this header; it cannot be configured",
                "config/bad-header at /collector/headers/X-Euro: a header value holds only Latin-1 characters, without line breaks or other control characters",
                "config/bad-header at /collector/headers/X-Multi: a header value holds only Latin-1 characters, without line breaks or other control characters",
                "config/wrong-type at /collector/headers/X-Num: expected a string, found number",
            ]
        );
    }

    #[test]
    fn headers_of_the_wrong_type() {
        let (c, d) = run(r#"{"version":1,"collector":{"url":"/collect","headers":["x"]}}"#);
        assert!(c.expect("a collector").headers.is_empty());
        assert_eq!(
            d,
            vec!["config/wrong-type at /collector/headers: expected an object, found array"]
        );
    }

    #[test]
    fn gzip_is_off_by_default() {
        assert_eq!(
            gzip_of(r#"{"version":1,"collector":{"url":"/collect"}}"#),
            (false, vec![])
        );
    }

    #[test]
    fn gzip_true_and_false() {
        assert_eq!(
            gzip_of(r#"{"version":1,"collector":{"url":"/collect","gzip":true}}"#),
            (true, vec![])
        );
        assert_eq!(
            gzip_of(r#"{"version":1,"collector":{"url":"/collect","gzip":false}}"#),
            (false, vec![])
        );
    }

    #[test]
    fn gzip_of_the_wrong_type_is_an_error_and_stays_off() {
        for (value, found) in [
            ("\"yes\"", "string"),
            ("1", "number"),
            ("null", "null"),
            ("{}", "object"),
            ("[true]", "array"),
        ] {
            let mut text = String::from(r#"{"version":1,"collector":{"url":"/collect","gzip":"#);
            text.push_str(value);
            text.push_str("}}");
            let (c, d) = run(&text);
            assert!(!c.expect("the collector still works").gzip, "{value}");
            assert_eq!(
                d,
                [format!(
                    "config/wrong-type at /collector/gzip: expected true or false, found {found}"
                )],
                "{value}"
            );
        }
    }

    #[test]
    fn gzip_is_a_known_field() {
        let (c, d) = run(r#"{"version":1,"collector":{"url":"/c","gzip":true,"gzp":true}}"#);
        assert!(c.expect("a collector").gzip);
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].starts_with("config/unknown-field at /collector/gzp: ")
                && d[0].ends_with(", gzip, headers"),
            "{d:?}"
        );
    }
}
