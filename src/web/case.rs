//! The rule engine's `toLowerCase` for text that is not ASCII (`crate::rules::case`), answered
//! by JavaScript: `String.prototype.toLowerCase` is the definition GrowthBook's `$ini`, `$nini`
//! and `$alli` follow, so asking the browser is exact and ships no Unicode case table.

/// JavaScript `s.toLowerCase()`.
pub(crate) fn to_lower_case(s: &str) -> String {
    js_sys::JsString::from(s).to_lower_case().into()
}
