//! Campaign (UTM) parameters of a page's query string, in Segment's `context.campaign` names.

use crate::text::truncate_at_boundary;
use crate::value::{Map, Value};

/// Longest campaign value kept, in bytes (URLs are visitor-controlled).
const MAX_VALUE_BYTES: usize = 200;

/// `utm_*` parameter -> Segment `context.campaign` field.
const FIELDS: [(&str, &str); 5] = [
    ("utm_source", "source"),
    ("utm_medium", "medium"),
    ("utm_campaign", "name"),
    ("utm_term", "term"),
    ("utm_content", "content"),
];

/// The campaign in `search` (`location.search`, with or without its `?`), or `None` when it
/// carries no non-empty `utm_*` parameter. The first occurrence of a parameter wins.
pub fn from_search(search: &str) -> Option<Map> {
    let mut out = Map::new();
    for pair in search.trim_start_matches('?').split('&') {
        let (name, raw) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(&(_, field)) = FIELDS.iter().find(|(p, _)| *p == name) else {
            continue;
        };
        let value = decode(raw);
        if value.is_empty() || out.contains_key(field) {
            continue;
        }
        out.insert(field, Value::String(value));
    }
    (!out.is_empty()).then_some(out)
}

/// Form-style percent-decoding (`+` is a space); malformed escapes stay as written, a value
/// that decodes to invalid UTF-8 is dropped (no lossy decoder in the module), and the result is
/// cut to [`MAX_VALUE_BYTES`] at a char boundary.
fn decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let hex = |at: usize| bytes.get(at).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
            (b'+', ..) => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
    let mut text = String::from_utf8(out).unwrap_or_default().trim().to_owned();
    truncate_at_boundary(&mut text, MAX_VALUE_BYTES);
    text
}
