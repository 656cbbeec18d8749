//! Attribute paths in templates: dot paths read exactly as rules read them
//! (`crate::rules`' `attr_path`): objects by key, arrays by canonical index (`0`, `12`, not
//! `01`) and `length`; anything else is missing. A path stays the text it was written as and is
//! walked name by name when filled (a few names, a few times per page).

use crate::value::Value;

/// What a path finds that a template can show: a string or a number. Everything else
/// (missing, `null`, booleans, arrays, objects) is `None`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Leaf<'a> {
    Str(&'a str),
    Num(f64),
}

/// The string or number at the path of `names` in `root`.
pub(super) fn find<'a>(names: &[String], root: &'a Value) -> Option<Leaf<'a>> {
    let (last, parent) = names.split_last()?;
    let parent = walk(parent, root)?;
    match (step(parent, last), parent) {
        (Some(Value::String(s)), _) => Some(Leaf::Str(s)),
        (Some(Value::Number(n)), _) => Some(Leaf::Num(*n)),
        // A number has no properties: only a final `length` finds something.
        (None, Value::Array(items)) if last == "length" => Some(Leaf::Num(items.len() as f64)),
        _ => None,
    }
}

/// The currency beside the amount at the path of `names`: the string under `currency` in the
/// same object (`cart.currency` for `cart.value`).
pub(super) fn currency<'a>(names: &[String], root: &'a Value) -> Option<&'a str> {
    let (_, parent) = names.split_last()?;
    step(walk(parent, root)?, "currency")?.as_str()
}

/// The value at the path of `names` in `root`.
fn walk<'a>(names: &[String], root: &'a Value) -> Option<&'a Value> {
    let mut current = root;
    for key in names {
        current = step(current, key)?;
    }
    Some(current)
}

/// `value[key]`: an object's member, an array's item at a canonical index.
fn step<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => map.get(key),
        Value::Array(items) => items.get(index(key)?),
        _ => None,
    }
}

/// The names of dot path `path` (`"cart.items.0.name"`: `cart`, `items`, `0`, `name`).
#[cfg(feature = "compiler")]
pub(super) fn split(path: &str) -> Vec<String> {
    path.split('.').map(str::to_owned).collect()
}

/// How many names `path` has.
#[cfg(feature = "compiler")]
pub(super) fn names(path: &str) -> usize {
    path.bytes().filter(|&b| b == b'.').count() + 1
}

/// `Some(i)` when `key` is a canonical array index (`0`, or digits without a leading zero)
/// of at most 9 digits. JavaScript's indices go up to `2^32 - 2`, but no attribute array has
/// a billion items (event properties keep 1 000), so a longer key finds nothing either way.
fn index(key: &str) -> Option<usize> {
    let b = key.as_bytes();
    if b.is_empty() || b.len() > 9 || (b.len() > 1 && b.first() == Some(&b'0')) {
        return None;
    }
    let mut n = 0;
    for &d in b {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + usize::from(d - b'0');
    }
    Some(n)
}

#[cfg(all(test, feature = "compiler", not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn walks_like_the_rules() {
        let root = Value::parse_json(
            r#"{"a": {"b": [10, {"c": "x"}], "t": true, "o": {}}, "": {"": 1}, "s": "str"}"#,
        )
        .unwrap();
        let at = |path: &str| find(&split(path), &root);
        assert_eq!(at("a.b.0"), Some(Leaf::Num(10.0)));
        assert_eq!(at("a.b.1.c"), Some(Leaf::Str("x")));
        assert_eq!(at("a.b.length"), Some(Leaf::Num(2.0)));
        assert_eq!(at("a.b.length.x"), None);
        assert_eq!(at("a.b.01"), None);
        assert_eq!(at("a.b.2"), None);
        assert_eq!(at("a.b"), None, "arrays are not shown");
        assert_eq!(at("a.t"), None, "booleans are not shown");
        assert_eq!(at("a.o"), None, "objects are not shown");
        assert_eq!(at("."), Some(Leaf::Num(1.0)));
        assert_eq!(at("s.length"), None, "strings are not objects");
        assert_eq!(at("s"), Some(Leaf::Str("str")));
        assert_eq!(at("missing.deep.path"), None);
        assert_eq!(at(""), None);
        assert_eq!(find(&[], &root), None);
        let money =
            Value::parse_json(r#"{"cart": {"value": 5, "currency": "EUR"}, "currency": "USD"}"#)
                .unwrap();
        assert_eq!(currency(&split("cart.value"), &money), Some("EUR"));
        assert_eq!(currency(&split("cart.items.0.price"), &money), None);
        assert_eq!(currency(&split("cart"), &money), Some("USD"));
        assert_eq!(currency(&[], &money), None);
    }

    #[test]
    fn array_indices_are_canonical() {
        assert_eq!(index("0"), Some(0));
        assert_eq!(index("999999999"), Some(999_999_999));
        assert_eq!(index("1000000000"), None);
        assert_eq!(index("00"), None);
        assert_eq!(index("+1"), None);
        assert_eq!(index(""), None);
    }

    #[test]
    #[cfg(feature = "compiler")]
    fn names_are_counted_at_the_dots() {
        assert_eq!(names("cart.items.0.name"), 4);
        assert_eq!(names("cart"), 1);
        assert_eq!(names(""), 1);
        assert_eq!(names("a..b."), 4);
    }
}
