//! Attribute paths in templates: dot paths read exactly as rules read them
//! (`crate::rules`' `attr_path`): objects by key, arrays by canonical index (`0`, `12`, not
//! `01`) and `length`; anything else is missing.

use crate::value::Value;

/// What a path finds that a template can show: a string or a number. Everything else
/// (missing, `null`, booleans, arrays, objects) is `None`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Leaf<'a> {
    Str(&'a str),
    Num(f64),
}

/// A dot path, split once.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct ValuePath {
    /// The path as written (`cart.items.0.name`).
    text: String,
    /// Its names, as byte ranges of `text`, with the array index each one denotes.
    names: Vec<(usize, usize, Option<usize>)>,
}

impl ValuePath {
    /// Splits `text` at its dots (the compiler never makes a name that is empty or holds a
    /// dot; what a hostile program carries is split the same way, harmlessly).
    pub(super) fn new(text: String) -> ValuePath {
        let mut names = Vec::new();
        let mut start = 0;
        let bytes = text.as_bytes();
        for end in 0..=bytes.len() {
            if end == bytes.len() || bytes[end] == b'.' {
                names.push((start, end, index(&bytes[start..end])));
                start = end + 1;
            }
        }
        ValuePath { text, names }
    }

    /// The path as written.
    pub(super) fn as_str(&self) -> &str {
        &self.text
    }

    /// How many names it has.
    pub(super) fn len(&self) -> usize {
        self.names.len()
    }

    /// The string or number at this path in `root`.
    pub(super) fn find<'a>(&self, root: &'a Value) -> Option<Leaf<'a>> {
        let mut current = root;
        let mut names = self.names.iter();
        while let Some(&(start, end, index)) = names.next() {
            let key = self.text.get(start..end).unwrap_or("");
            current = match current {
                Value::Object(map) => map.get(key)?,
                Value::Array(items) => match index {
                    Some(i) => items.get(i)?,
                    // A number has no properties: only a final `length` finds something.
                    None if key == "length" && names.next().is_none() => {
                        return Some(Leaf::Num(items.len() as f64));
                    }
                    None => return None,
                },
                _ => return None,
            };
        }
        match current {
            Value::String(s) => Some(Leaf::Str(s)),
            Value::Number(n) => Some(Leaf::Num(*n)),
            _ => None,
        }
    }
}

/// `Some(i)` when `key` is a JavaScript array index: `0` or digits without a leading zero,
/// below `2^32 - 1`.
fn index(key: &[u8]) -> Option<usize> {
    if key.is_empty() || key.len() > 10 || (key.len() > 1 && key[0] == b'0') {
        return None;
    }
    let mut n: u64 = 0;
    for &d in key {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u64::from(d - b'0');
    }
    if n < u64::from(u32::MAX) {
        usize::try_from(n).ok()
    } else {
        None
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn at(path: &str, root: &Value) -> Option<Leaf<'static>> {
        // Leak the root: these are tiny test values.
        let root: &'static Value = Box::leak(Box::new(root.clone()));
        ValuePath::new(path.into()).find(root)
    }

    #[test]
    fn walks_like_the_rules() {
        let root = Value::parse_json(
            r#"{"a": {"b": [10, {"c": "x"}], "t": true, "o": {}}, "": {"": 1}, "s": "str"}"#,
        )
        .unwrap();
        assert_eq!(at("a.b.0", &root), Some(Leaf::Num(10.0)));
        assert_eq!(at("a.b.1.c", &root), Some(Leaf::Str("x")));
        assert_eq!(at("a.b.length", &root), Some(Leaf::Num(2.0)));
        assert_eq!(at("a.b.length.x", &root), None);
        assert_eq!(at("a.b.01", &root), None);
        assert_eq!(at("a.b.2", &root), None);
        assert_eq!(at("a.b", &root), None, "arrays are not shown");
        assert_eq!(at("a.t", &root), None, "booleans are not shown");
        assert_eq!(at("a.o", &root), None, "objects are not shown");
        assert_eq!(at(".", &root), Some(Leaf::Num(1.0)));
        assert_eq!(at("s.length", &root), None, "strings are not objects");
        assert_eq!(at("s", &root), Some(Leaf::Str("str")));
        assert_eq!(at("missing.deep.path", &root), None);
    }

    #[test]
    fn array_indices_are_canonical() {
        assert_eq!(index(b"0"), Some(0));
        assert_eq!(index(b"4294967294"), Some(4_294_967_294));
        assert_eq!(index(b"4294967295"), None);
        assert_eq!(index(b"99999999999"), None);
        assert_eq!(index(b"00"), None);
        assert_eq!(index(b"+1"), None);
        assert_eq!(index(b""), None);
    }
}
