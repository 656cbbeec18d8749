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

/// Percent-decoded (see [`crate::privacy::decode`]), trimmed and cut to [`MAX_VALUE_BYTES`] at
/// a char boundary.
fn decode(raw: &str) -> String {
    let mut text = crate::privacy::decode(raw).trim().to_owned();
    truncate_at_boundary(&mut text, MAX_VALUE_BYTES);
    text
}
