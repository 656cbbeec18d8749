//! The core's number <-> text conversions (`crate::rules::jsnum`), answered by JavaScript:
//! `String(n)` and `Number(s)` are the definitions the rule engine follows, so asking the
//! browser is exact and costs far fewer bytes than the integer-arithmetic versions the native
//! build uses.

use js_sys::JsString;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::rules::jsnum::NumText;

/// 2^53: below it every integer-valued double prints as its plain digits.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

#[wasm_bindgen]
extern "C" {
    /// The global `String` function.
    #[wasm_bindgen(js_name = String)]
    fn js_string(v: f64) -> JsString;
    /// The global `Number` function.
    #[wasm_bindgen(js_name = Number)]
    fn js_number(s: &str) -> f64;
}

/// JavaScript `String(x)`.
pub(crate) fn number_to_string(x: f64) -> NumText {
    let magnitude = x.abs();
    if magnitude < EXACT_INTEGERS && (magnitude as u64) as f64 == magnitude {
        return NumText::integer(x < 0.0, magnitude as u64);
    }
    let mut out = NumText::new();
    // Number texts are ASCII and at most 25 chars.
    for unit in js_string(x).iter() {
        out.push(u8::try_from(unit).unwrap_or(b'?'));
    }
    out
}

/// JavaScript `Number(s)`.
pub(crate) fn string_to_number(s: &str) -> f64 {
    js_number(s)
}
