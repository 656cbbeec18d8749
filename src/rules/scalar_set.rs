//! The precomputed lists of `$in`, `$nin`, `$ini`, `$nini` and saved groups.
//!
//! JS `list.includes(x)` is `SameValueZero`: scalars by value (`0` equals `-0`), arrays and
//! objects only by identity, so a list's arrays and objects never match an attribute. The set
//! keeps the scalars only, strings sorted for binary search, so a 1 000-item list costs ~10
//! comparisons per lookup.

use super::case::{lower_eq, push_lower};
use super::sort::sort_by;
use crate::value::Value;
use core::cmp::Ordering;

/// A set of JSON scalars.
#[derive(Clone, Debug, Default)]
pub(super) struct ScalarSet {
    null: bool,
    yes: bool,
    no: bool,
    /// Sorted by `total_cmp`, `-0` stored as `0`.
    numbers: Vec<f64>,
    /// Sorted by length, then bytes (`by_length`), deduplicated; lowercased when the set is
    /// case-folded.
    strings: Vec<String>,
    /// Strings are lowercased (`$ini`, `$nini`).
    folded: bool,
}

impl ScalarSet {
    /// An empty set; `folded` lowercases strings on insert and lookup.
    #[cfg(feature = "compiler")]
    pub(super) fn new(folded: bool) -> Self {
        ScalarSet {
            folded,
            ..ScalarSet::default()
        }
    }

    /// Adds `v`; `false` for an array or object, which can never match.
    #[cfg(feature = "compiler")]
    pub(super) fn insert(&mut self, v: &Value) -> bool {
        match v {
            Value::Null => self.null = true,
            Value::Bool(true) => self.yes = true,
            Value::Bool(false) => self.no = true,
            Value::Number(n) => self.numbers.push(n + 0.0),
            Value::String(s) if self.folded => {
                let mut lower = String::with_capacity(s.len());
                push_lower(&mut lower, s);
                self.strings.push(lower);
            }
            Value::String(s) => self.strings.push(s.clone()),
            Value::Array(_) | Value::Object(_) => return false,
        }
        true
    }

    /// Sorts for lookup; call once after the last insert.
    pub(super) fn finish(mut self) -> Self {
        sort_by(&mut self.numbers, |a, b| a.total_cmp(b).is_lt());
        self.numbers.dedup();
        sort_by(&mut self.strings, |a, b| by_length(a, b).is_lt());
        self.strings.dedup();
        self
    }

    /// `list.includes(v)` (or, folded, `list.some(x => fold(x) === fold(v))`).
    fn contains(&self, v: &Value) -> bool {
        match v {
            Value::Null => self.null,
            Value::Bool(b) => {
                if *b {
                    self.yes
                } else {
                    self.no
                }
            }
            Value::Number(n) => self
                .numbers
                .binary_search_by(|p| p.total_cmp(&(n + 0.0)))
                .is_ok(),
            Value::String(s) if self.folded => self.contains_folded(s),
            Value::String(s) => self.strings.binary_search_by(|p| by_length(p, s)).is_ok(),
            Value::Array(_) | Value::Object(_) => false,
        }
    }

    fn contains_folded(&self, s: &str) -> bool {
        if s.is_ascii() {
            // Compare against the lowercase of `s` lazily: no allocation.
            let key = s.bytes().map(|b| b.to_ascii_lowercase());
            return self
                .strings
                .binary_search_by(|p| {
                    p.len()
                        .cmp(&s.len())
                        .then_with(|| p.bytes().cmp(key.clone()))
                })
                .is_ok();
        }
        self.strings
            .binary_search_by(|p| {
                if lower_eq(s, p) {
                    Ordering::Equal
                } else {
                    let mut lower = String::new();
                    push_lower(&mut lower, s);
                    by_length(p, &lower)
                }
            })
            .is_ok()
    }

    /// GrowthBook's `isIn`: an array attribute matches when any element is in the set.
    pub(super) fn matches(&self, actual: &Value) -> bool {
        match actual {
            Value::Array(items) => items.iter().any(|el| self.contains(el)),
            v => self.contains(v),
        }
    }
}

/// The set's order for strings: by length, then by bytes. A lookup then compares bytes only
/// with strings of its own length (`"DE"` against a list of event names costs no `memcmp`).
/// Lowercasing ASCII keeps lengths, so folded sets are in the same order.
fn by_length(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

// `Value::parse_json` is native-only (serde_json is not in the browser build).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn set(folded: bool, json: &str) -> ScalarSet {
        let mut s = ScalarSet::new(folded);
        for v in Value::parse_json(json).unwrap().as_array().unwrap() {
            s.insert(v);
        }
        s.finish()
    }

    #[test]
    fn strict_and_folded_membership() {
        let s = set(false, r#"[1, "2", null, false, -0, [1], {"a": 1}]"#);
        assert!(s.matches(&Value::Number(1.0)));
        assert!(s.matches(&Value::Number(0.0)), "SameValueZero: 0 equals -0");
        assert!(!s.matches(&Value::Number(2.0)), "strict: no coercion");
        assert!(s.matches(&Value::from("2")));
        assert!(s.matches(&Value::Null));
        assert!(s.matches(&Value::Bool(false)));
        assert!(!s.matches(&Value::Bool(true)));
        assert!(
            !s.matches(&Value::parse_json("[[1]]").unwrap()),
            "arrays never match"
        );
        assert!(s.matches(&Value::parse_json(r#"["x", "2"]"#).unwrap()));
        let f = set(true, r#"["US", "Ünïcode", "b"]"#);
        assert!(f.matches(&Value::from("us")));
        assert!(f.matches(&Value::from("üNÏCODE")));
        assert!(f.matches(&Value::from("B")));
        assert!(!f.matches(&Value::from("u")));
    }
}

impl crate::wire::Wire for ScalarSet {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut crate::wire::Writer) {
        w.tag(
            u8::from(self.null)
                | u8::from(self.yes) << 1
                | u8::from(self.no) << 2
                | u8::from(self.folded) << 3,
        );
        self.numbers.put(w);
        self.strings.put(w);
    }
    /// Lookups binary-search, so the lists are sorted again: a program's set is only trusted
    /// to be a set.
    #[inline(never)]
    fn get(r: &mut crate::wire::Reader<'_>) -> Self {
        let flags = r.tag();
        let numbers = Vec::get(r);
        ScalarSet {
            null: flags & 1 != 0,
            yes: flags & 2 != 0,
            no: flags & 4 != 0,
            folded: flags & 8 != 0,
            numbers,
            strings: Vec::get(r),
        }
        .finish()
    }
}
