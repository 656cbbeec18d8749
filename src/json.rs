//! A small JSON writer for events and batches.
//!
//! Integers are written with integer arithmetic. Non-integer numbers go through a
//! [`FloatFormatter`] supplied by the host: in the browser that is JavaScript's own
//! `Number.prototype.toString` (exact, and it keeps Rust's float formatting, about 9 KB, out of
//! the module); natively it is Rust's `Display`.

use crate::text::push_i64;
use crate::value::{Map, Value};

/// Appends the shortest round-trip decimal text of a finite, non-integer `f64`.
pub type FloatFormatter = fn(f64, &mut String);

/// Rust's float formatting, for native builds (CLI, tests, the collector's tools).
#[cfg(not(target_arch = "wasm32"))]
pub fn native_float(n: f64, out: &mut String) {
    use std::fmt::Write;
    // Debug, unlike Display, switches to exponent form for huge and tiny values, as JS does.
    let _ = write!(out, "{n:?}");
}

/// Largest magnitude at which every integer is exactly representable (2^53).
const MAX_SAFE: f64 = 9_007_199_254_740_992.0;

/// Appends `n` as a JSON number (`null` for NaN and infinities, as `JSON.stringify` does).
pub fn write_number(out: &mut String, n: f64, float: FloatFormatter) {
    if !n.is_finite() {
        out.push_str("null");
    } else if n.fract() == 0.0 && n.abs() < MAX_SAFE {
        push_i64(out, n as i64);
    } else {
        float(n, out);
    }
}

/// Appends `s` as a JSON string literal.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // U+2028/2029 are valid JSON but break older JS parsers; escape them too.
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let v = c as u32;
                out.push_str("\\u");
                for shift in [12, 8, 4, 0] {
                    out.push(HEX[((v >> shift) & 0xF) as usize] as char);
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `v` as JSON.
pub fn write_value(out: &mut String, v: &Value, float: FloatFormatter) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, *n, float),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item, float);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(out, map, float),
    }
}

/// Appends `map` as a JSON object.
pub fn write_object(out: &mut String, map: &Map, float: FloatFormatter) {
    out.push('{');
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_str(out, k);
        out.push(':');
        write_value(out, v, float);
    }
    out.push('}');
}

/// `v` as a JSON string.
pub fn to_string(v: &Value, float: FloatFormatter) -> String {
    let mut out = String::new();
    write_value(&mut out, v, float);
    out
}

// Native only: these tests use `native_float` (and serde_json), which the wasm build leaves out.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn writes_json_that_serde_reads_back() {
        let v = Value::object(vec![
            ("s", Value::from("a\"b\\c\n\u{1}\u{2028}é")),
            ("i", Value::Number(-42.0)),
            ("f", Value::Number(18.5)),
            ("big", Value::Number(1e300)),
            ("nan", Value::Number(f64::NAN)),
            ("a", Value::Array(vec![Value::Null, Value::Bool(true)])),
        ]);
        let text = to_string(&v, native_float);
        assert_eq!(
            text,
            r#"{"s":"a\"b\\c\n\u0001\u2028é","i":-42,"f":18.5,"big":1e300,"nan":null,"a":[null,true]}"#
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["f"], 18.5);
    }
}
