//! Typed field readers that record a diagnostic (with the exact path) instead of failing.

use crate::diag::expected;
use crate::diag::{Diagnostic, Diagnostics, Path};
use crate::value::{Map, Value};

/// Reads `obj[key]` as a string. Missing is `None` without a diagnostic unless `required`.
pub fn string(
    obj: &Map,
    key: &str,
    path: &Path,
    required: bool,
    diags: &mut Diagnostics,
) -> Option<String> {
    match obj.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(Value::String(_)) => {
            diags.push(Diagnostic::error(
                "config/empty",
                &path.key(key),
                "must not be empty",
            ));
            None
        }
        Some(other) => {
            diags.push(Diagnostic::error(
                "config/wrong-type",
                &path.key(key),
                expected("a string", other),
            ));
            None
        }
        None => {
            if required {
                missing(key, path, diags);
            }
            None
        }
    }
}

/// Reads `obj[key]` as a boolean, `default` when missing.
pub fn boolean(obj: &Map, key: &str, path: &Path, default: bool, diags: &mut Diagnostics) -> bool {
    match obj.get(key) {
        None => default,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            diags.push(Diagnostic::error(
                "config/wrong-type",
                &path.key(key),
                expected("true or false", other),
            ));
            default
        }
    }
}

/// Reads `obj[key]` as a whole number in `min..=max`, `default` when missing or invalid.
pub fn integer(
    obj: &Map,
    key: &str,
    path: &Path,
    (min, max, default): (i64, i64, i64),
    diags: &mut Diagnostics,
) -> i64 {
    match obj.get(key) {
        None => default,
        Some(Value::Number(n)) if n.fract() == 0.0 && *n >= min as f64 && *n <= max as f64 => {
            *n as i64
        }
        Some(other) => {
            let mut msg = String::from("expected a whole number from ");
            crate::text::push_i64(&mut msg, min);
            msg.push_str(" to ");
            crate::text::push_i64(&mut msg, max);
            if !matches!(other, Value::Number(_)) {
                msg.push_str(", found ");
                msg.push_str(other.type_name());
            }
            diags.push(Diagnostic::error(
                "config/out-of-range",
                &path.key(key),
                msg,
            ));
            default
        }
    }
}

/// Reads `obj[key]` as an object; records a diagnostic when present with another type.
pub fn object<'a>(
    obj: &'a Map,
    key: &str,
    path: &Path,
    diags: &mut Diagnostics,
) -> Option<&'a Map> {
    match obj.get(key) {
        None => None,
        Some(Value::Object(m)) => Some(m),
        Some(other) => {
            diags.push(Diagnostic::error(
                "config/wrong-type",
                &path.key(key),
                expected("an object", other),
            ));
            None
        }
    }
}

/// Records `config/missing` for `key` under `path`.
pub fn missing(key: &str, path: &Path, diags: &mut Diagnostics) {
    let mut msg = String::from("required field \"");
    msg.push_str(key);
    msg.push_str("\" is missing");
    diags.push(Diagnostic::error("config/missing", &path.key(key), msg));
}

/// Warns about fields not in `known` (likely typos; newer configs stay loadable).
pub fn unknown_fields(obj: &Map, known: &[&str], path: &Path, diags: &mut Diagnostics) {
    for (key, _) in obj.iter() {
        if !known.contains(&key) {
            let mut msg = String::from("unknown field is ignored; known fields: ");
            crate::text::push_list(&mut msg, known);
            diags.push(Diagnostic::warning(
                "config/unknown-field",
                &path.key(key),
                msg,
            ));
        }
    }
}
