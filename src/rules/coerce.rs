//! JavaScript's coercions, as GrowthBook's conditions use them on JSON values.
//!
//! `value + ""`, `value * 1`, `!!value`, `a < b`, `===` and `JSON.stringify(a) ===
//! JSON.stringify(b)` each have exact ECMAScript rules; this module implements them for
//! [`Value`]s. Attribute values are walked without recursion (an attribute may nest deeper
//! than any limit); recursion only follows the condition side, whose depth is capped.

use super::attr_path::array_index;
use super::jsnum::{number_to_string, string_to_number, NumText};
use crate::value::{Map, Value};
use core::cmp::Ordering;

/// The result of JS `String(value)`, allocated only for arrays.
pub(super) enum JsText<'a> {
    /// Text that already exists (a string attribute, `"null"`, `"[object Object]"`, ...).
    Borrowed(&'a str),
    /// A number's text, on the stack.
    Number(NumText),
    /// An array's `join(",")`.
    Owned(String),
}

impl JsText<'_> {
    /// The text.
    pub(super) fn as_str(&self) -> &str {
        match self {
            JsText::Borrowed(s) => s,
            JsText::Number(n) => n.as_str(),
            JsText::Owned(s) => s,
        }
    }
}

/// JS `String(v)`: `"null"`, `"true"`, the number's shortest text, the string, arrays joined
/// with `,` (`null` elements empty, nested arrays flattened), `"[object Object]"`.
pub(super) fn to_text(v: &Value) -> JsText<'_> {
    match v {
        Value::Null => JsText::Borrowed("null"),
        Value::Bool(true) => JsText::Borrowed("true"),
        Value::Bool(false) => JsText::Borrowed("false"),
        Value::Number(n) => JsText::Number(number_to_string(*n)),
        Value::String(s) => JsText::Borrowed(s),
        Value::Array(items) => {
            let mut out = String::new();
            push_join(&mut out, items);
            JsText::Owned(out)
        }
        Value::Object(_) => JsText::Borrowed("[object Object]"),
    }
}

/// `Array.prototype.join` on nested arrays, with an explicit stack instead of recursion.
fn push_join(out: &mut String, items: &[Value]) {
    let mut stack = vec![items.iter()];
    // Whether the array on top of the stack has written an element yet.
    let mut started = vec![false];
    while let Some(top) = stack.last_mut() {
        let Some(item) = top.next() else {
            stack.pop();
            started.pop();
            continue;
        };
        if let Some(s) = started.last_mut() {
            if *s {
                out.push(',');
            }
            *s = true;
        }
        match item {
            Value::Null => {}
            Value::Array(inner) => {
                stack.push(inner.iter());
                started.push(false);
            }
            v => out.push_str(to_text(v).as_str()),
        }
    }
}

/// JS `Number(v)` (`v * 1`): `null` 0, booleans 0/1, strings parsed, arrays through their
/// text (`[]` 0, `[" 7"]` 7, two or more elements NaN), objects NaN.
#[cfg_attr(trailmark_speed, optimize(speed))]
pub(super) fn to_number(v: &Value) -> f64 {
    let mut v = v;
    loop {
        return match v {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::String(s) => string_to_number(s),
            Value::Object(_) => f64::NAN,
            Value::Array(items) => match items.as_slice() {
                [] | [Value::Null] => 0.0,
                // "true", "false", "[object Object]" are not numbers.
                [Value::Bool(_) | Value::Object(_)] => f64::NAN,
                [only] => {
                    v = only;
                    continue;
                }
                // The text contains a comma.
                _ => f64::NAN,
            },
        };
    }
}

/// JS truthiness (`!!v`).
#[cfg_attr(trailmark_speed, optimize(speed))]
pub(super) fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => *n != 0.0 && !n.is_nan(),
        Value::String(s) => !s.is_empty(),
        Value::Array(_) | Value::Object(_) => true,
    }
}

/// JS `a === b` where `b` is a scalar from the condition (arrays and objects are never `===`
/// to a different JSON value).
#[cfg_attr(trailmark_speed, optimize(speed))]
pub(super) fn strict_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        _ => false,
    }
}

/// JS string comparison: by UTF-16 code units, which differs from `str`'s UTF-8 order for
/// characters above U+FFFF against U+E000..U+FFFF.
pub(super) fn cmp_utf16(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

/// A comparison operand from the condition, with its number precomputed.
#[derive(Clone, Debug)]
pub(super) enum Operand {
    /// A number.
    Number(f64),
    /// A string and `Number(string)`.
    Text(String, f64),
}

/// `<`, `<=`, `>`, `>=`, or (for versions) `==`, `!=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rel {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `>`
    Gt,
    /// `>=`
    Gte,
}

impl Rel {
    /// Whether `a <rel> b` given `a.cmp(b)`.
    pub(super) fn holds(self, ord: Ordering) -> bool {
        match self {
            Rel::Eq => ord == Ordering::Equal,
            Rel::Ne => ord != Ordering::Equal,
            Rel::Lt => ord == Ordering::Less,
            Rel::Lte => ord != Ordering::Greater,
            Rel::Gt => ord == Ordering::Greater,
            Rel::Gte => ord != Ordering::Less,
        }
    }
}

/// JS `actual <rel> operand` (ECMAScript `IsLessThan`): both sides become primitives (arrays
/// their text, objects `"[object Object]"`); two strings compare as strings, anything else
/// as numbers, and NaN makes every comparison false.
#[cfg_attr(trailmark_speed, optimize(speed))]
pub(super) fn relate(actual: &Value, rel: Rel, operand: &Operand) -> bool {
    let rhs_number = match operand {
        Operand::Number(n) => *n,
        Operand::Text(t, n) => {
            let text = match actual {
                Value::String(s) => Some(JsText::Borrowed(s)),
                Value::Array(_) | Value::Object(_) => Some(to_text(actual)),
                _ => None,
            };
            if let Some(a) = text {
                return rel.holds(cmp_utf16(a.as_str(), t));
            }
            *n
        }
    };
    let lhs_number = match actual {
        Value::Array(_) => string_to_number(to_text(actual).as_str()),
        v => to_number(v),
    };
    lhs_number
        .partial_cmp(&rhs_number)
        .is_some_and(|ord| rel.holds(ord))
}

/// `JSON.stringify(actual) === JSON.stringify(literal)`: structural equality where object
/// keys must come in the same order (JS order: array-index keys ascending, then the others as
/// inserted). Recursion follows `literal`, whose depth the compiler capped.
pub(super) fn json_eq(actual: &Value, literal: &Value) -> bool {
    match (actual, literal) {
        (Value::Number(x), Value::Number(y)) => x == y,
        // Non-finite numbers stringify as `null`.
        (Value::Number(x), Value::Null) | (Value::Null, Value::Number(x)) => !x.is_finite(),
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| json_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => objects_eq(x, y),
        _ => false,
    }
}

/// JS enumerates array-index keys first (ascending), then the others in insertion order. So
/// two objects stringify alike exactly when their other keys come in the same order with equal
/// values and they hold the same index keys with equal values (whose order is then fixed).
fn objects_eq(x: &Map, y: &Map) -> bool {
    if x.len() != y.len() {
        return false;
    }
    // The named keys (not array indices) in order, pairwise (plain loops: filtered iterators
    // are code of their own).
    let mut ny = y.iter();
    for (ka, a) in x.iter() {
        if array_index(ka).is_some() {
            continue;
        }
        let mut next = None;
        for (kb, b) in ny.by_ref() {
            if array_index(kb).is_none() {
                next = Some((kb, b));
                break;
            }
        }
        match next {
            Some((kb, b)) if ka == kb && json_eq(a, b) => {}
            _ => return false,
        }
    }
    for (kb, _) in ny {
        if array_index(kb).is_none() {
            return false;
        }
    }
    // Same length and the same named keys: the index keys are equally many.
    for (k, a) in x.iter() {
        if array_index(k).is_some() && !y.get(k).is_some_and(|b| json_eq(a, b)) {
            return false;
        }
    }
    true
}

/// JS type names GrowthBook's `$type` knows (`getType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum JsType {
    /// `null` (and a missing attribute).
    Null,
    /// An array.
    Array,
    /// A string.
    String,
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// An object that is not an array.
    Object,
}

impl JsType {
    /// The type named by `$type`'s operand.
    #[cfg(feature = "compiler")]
    pub(super) fn from_name(name: &str) -> Option<JsType> {
        Some(match name {
            "null" => JsType::Null,
            "array" => JsType::Array,
            "string" => JsType::String,
            "number" => JsType::Number,
            "boolean" => JsType::Boolean,
            "object" => JsType::Object,
            _ => return None,
        })
    }

    /// The type of `v`.
    pub(super) fn of(v: &Value) -> JsType {
        match v {
            Value::Null => JsType::Null,
            Value::Bool(_) => JsType::Boolean,
            Value::Number(_) => JsType::Number,
            Value::String(_) => JsType::String,
            Value::Array(_) => JsType::Array,
            Value::Object(_) => JsType::Object,
        }
    }
}

// `Value::parse_json` is native-only (serde_json is not in the browser build).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        Value::parse_json(json).unwrap()
    }

    #[test]
    fn string_conversion() {
        for (json, want) in [
            ("null", "null"),
            ("true", "true"),
            ("1.5", "1.5"),
            ("1e21", "1e+21"),
            ("\"x\"", "x"),
            ("[]", ""),
            ("[1, [2, [3, null]], null, \"a\"]", "1,2,3,,,a"),
            ("[[], []]", ","),
            ("[{}]", "[object Object]"),
            ("{}", "[object Object]"),
        ] {
            assert_eq!(to_text(&v(json)).as_str(), want, "{json}");
        }
        let mut deep = Value::Number(7.0);
        for _ in 0..100_000 {
            deep = Value::Array(vec![deep]);
        }
        assert_eq!(
            to_text(&deep).as_str(),
            "7",
            "no recursion on attribute values"
        );
        assert_eq!(to_number(&deep), 7.0);
        // Dropping `deep` recursively would overflow the stack; unwrap it level by level.
        while let Value::Array(mut items) = deep {
            deep = items.pop().unwrap_or(Value::Null);
        }
    }

    #[test]
    fn number_conversion() {
        for (json, want) in [
            ("null", 0.0),
            ("true", 1.0),
            ("\" 8 \"", 8.0),
            ("\"\"", 0.0),
            ("[]", 0.0),
            ("[\"5\"]", 5.0),
            ("[[null]]", 0.0),
        ] {
            assert_eq!(to_number(&v(json)), want, "{json}");
        }
        for json in ["\"8px\"", "[1, 2]", "{}", "[true]", "[{}]"] {
            assert!(to_number(&v(json)).is_nan(), "{json}");
        }
    }

    #[test]
    fn relational_operators_coerce_like_javascript() {
        let num = Operand::Number(5.0);
        let text = |s: &str| Operand::Text(s.to_owned(), string_to_number(s));
        assert!(relate(&v("\"8\""), Rel::Gt, &num), "\"8\" > 5");
        assert!(relate(&v("8"), Rel::Lt, &text("10")), "8 < \"10\"");
        assert!(
            !relate(&v("\"8\""), Rel::Lt, &text("10")),
            "\"8\" < \"10\" is a string compare"
        );
        assert!(
            relate(&v("null"), Rel::Gt, &Operand::Number(-1.0)),
            "null is 0"
        );
        assert!(!relate(&v("\"abc\""), Rel::Gte, &num), "NaN compares false");
        assert!(!relate(&v("\"abc\""), Rel::Lte, &num), "NaN compares false");
        assert!(relate(&v("[6]"), Rel::Gt, &num), "[6] is \"6\"");
        assert!(
            relate(&v("[\"b\"]"), Rel::Gt, &text("a")),
            "arrays compare as text"
        );
        assert!(relate(&v("true"), Rel::Gte, &Operand::Number(1.0)));
        // U+FF61 < U+1F600 by code point, but not by UTF-16 code unit (0xD83D < 0xFF61).
        assert!(relate(&v("\"\u{FF61}\""), Rel::Gt, &text("\u{1F600}")));
    }

    #[test]
    fn json_equality_is_order_sensitive() {
        assert!(json_eq(
            &v(r#"{"a": [1, {"b": null}]}"#),
            &v(r#"{"a": [1, {"b": null}]}"#)
        ));
        assert!(!json_eq(&v(r#"[1, 2]"#), &v(r#"[2, 1]"#)));
        assert!(json_eq(&v("-0"), &v("0")));
        assert!(!json_eq(&v("1"), &v("\"1\"")));
        let mut a = Map::new();
        a.insert("b", Value::Null);
        a.insert("1", Value::Null);
        let mut b = Map::new();
        b.insert("1", Value::Null);
        b.insert("b", Value::Null);
        assert!(
            json_eq(&Value::Object(a.clone()), &Value::Object(b)),
            "JS puts index keys first"
        );
        let mut c = Map::new();
        c.insert("c", Value::Null);
        c.insert("b", Value::Null);
        let mut d = Map::new();
        d.insert("b", Value::Null);
        d.insert("c", Value::Null);
        assert!(
            !json_eq(&Value::Object(c), &Value::Object(d)),
            "other keys keep their order"
        );
    }

    #[test]
    fn truthiness_and_strict_equality() {
        for (json, want) in [
            ("0", false),
            ("\"\"", false),
            ("\"0\"", true),
            ("[]", true),
            ("{}", true),
        ] {
            assert_eq!(truthy(&v(json)), want, "{json}");
        }
        assert!(strict_eq(&v("0"), &v("-0")));
        assert!(!strict_eq(&v("\"1\""), &v("1")));
        assert!(!strict_eq(&v("[]"), &v("[]")));
    }
}
