//! Attribute paths: GrowthBook's `getPath(obj, "a.b.0")`, split once at compile time.
//!
//! JS walks `current = current[part]` while `current` is an object and `part in current`, and
//! gives `null` otherwise. On arrays, `in` accepts canonical indices (`"0"`, `"12"`, not
//! `"01"`) and `length`. Own properties only: members inherited from `Object.prototype`
//! (`constructor`, `toString`, ...) read as missing here, where JS would return a function that
//! no JSON condition can match anyway.

use crate::value::{Map, Value};
use std::borrow::Cow;

/// What a missing attribute reads as.
static NULL: Value = Value::Null;

/// One dot-separated part.
#[derive(Clone, Debug)]
struct Segment {
    key: String,
    /// The array index this key denotes, if it is a canonical one.
    index: Option<usize>,
}

/// A compiled dot path.
#[derive(Clone, Debug)]
pub(super) struct AttrPath {
    segments: Vec<Segment>,
}

/// `Some(i)` when `key` is a JS array index: `0` or digits without a leading zero, below
/// `2^32 - 1`.
pub(super) fn array_index(key: &str) -> Option<usize> {
    let b = key.as_bytes();
    if b.is_empty() || b.len() > 10 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if b.len() > 1 && b.first() == Some(&b'0') {
        return None;
    }
    let v = b
        .iter()
        .fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0'));
    if v < u64::from(u32::MAX) {
        usize::try_from(v).ok()
    } else {
        None
    }
}

impl AttrPath {
    /// Splits `path` on `.` (an empty part is a key `""`, as in JS).
    pub(super) fn parse(path: &str) -> AttrPath {
        // Byte-wise: `.` is ASCII, so every split point is a char boundary (and this avoids
        // linking `str::split`'s pattern searcher).
        let mut segments = Vec::new();
        let mut start = 0;
        for end in path
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'.')
            .map(|(i, _)| i)
            .chain([path.len()])
        {
            let key = path.get(start..end).unwrap_or("");
            segments.push(Segment {
                key: key.to_owned(),
                index: array_index(key),
            });
            start = end + 1;
        }
        AttrPath { segments }
    }

    /// The value at this path, `null` when any step is missing. Borrowed except for an array's
    /// `length`, which is a fresh number (no allocation either way).
    pub(super) fn resolve<'a>(&self, root: &'a Value) -> Cow<'a, Value> {
        walk(root, &self.segments)
    }

    /// [`resolve`](Self::resolve) with `map` as the root object.
    pub(super) fn resolve_in<'a>(&self, map: &'a Map) -> Cow<'a, Value> {
        match self.segments.split_first() {
            Some((first, rest)) => match map.get(&first.key) {
                Some(v) => walk(v, rest),
                None => Cow::Borrowed(&NULL),
            },
            // `parse` always makes at least one segment.
            None => Cow::Borrowed(&NULL),
        }
    }
}

/// Follows `segments` down from `current`.
#[cfg_attr(trailmark_speed, optimize(speed))]
fn walk<'a>(mut current: &'a Value, segments: &[Segment]) -> Cow<'a, Value> {
    let mut rest = segments.iter();
    while let Some(seg) = rest.next() {
        let next = match current {
            Value::Object(map) => map.get(&seg.key),
            Value::Array(items) => match seg.index {
                Some(i) => items.get(i),
                None if seg.key == "length" => {
                    // A number has no properties: only a final `length` finds something.
                    return if rest.next().is_none() {
                        Cow::Owned(Value::Number(items.len() as f64))
                    } else {
                        Cow::Borrowed(&NULL)
                    };
                }
                None => None,
            },
            _ => None,
        };
        match next {
            Some(v) => current = v,
            None => return Cow::Borrowed(&NULL),
        }
    }
    Cow::Borrowed(current)
}

// `Value::parse_json` is native-only (serde_json is not in the browser build).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn at(path: &str, root: &Value) -> Value {
        AttrPath::parse(path).resolve(root).into_owned()
    }

    #[test]
    fn walks_objects_and_arrays_like_javascript() {
        let root = Value::parse_json(
            r#"{"a": {"b": [10, {"c": "x"}]}, "": {"": 1}, "n": null, "s": "str"}"#,
        )
        .unwrap();
        assert_eq!(at("a.b.0", &root), Value::Number(10.0));
        assert_eq!(at("a.b.1.c", &root), Value::from("x"));
        assert_eq!(at("a.b.length", &root), Value::Number(2.0));
        assert_eq!(at("a.b.length.x", &root), Value::Null);
        assert_eq!(at("a.b.01", &root), Value::Null);
        assert_eq!(at("a.b.2", &root), Value::Null);
        assert_eq!(at("a.b.-1", &root), Value::Null);
        assert_eq!(at(".", &root), Value::Number(1.0));
        assert_eq!(at("n.x", &root), Value::Null);
        assert_eq!(
            at("s.length", &root),
            Value::Null,
            "strings are not objects"
        );
        assert_eq!(at("missing.deep.path", &root), Value::Null);
    }

    #[test]
    fn array_indices_are_canonical() {
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("4294967294"), Some(4_294_967_294));
        assert_eq!(array_index("4294967295"), None);
        assert_eq!(array_index("00"), None);
        assert_eq!(array_index("+1"), None);
        assert_eq!(array_index(""), None);
    }
}

impl crate::wire::Wire for AttrPath {
    /// As the dot path it was split from (no key contains a dot, so splitting it again gives
    /// the same segments).
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut crate::wire::Writer) {
        let mut text = String::new();
        for (i, s) in self.segments.iter().enumerate() {
            if i > 0 {
                text.push('.');
            }
            text.push_str(&s.key);
        }
        text.put(w);
    }
    fn get(r: &mut crate::wire::Reader<'_>) -> Self {
        AttrPath::parse(&String::get(r))
    }
}
