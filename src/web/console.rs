//! Console output: one clear line per problem, prefixed so a developer can filter it.

use wasm_bindgen::JsValue;

/// `console.warn("[trailmark] " + msg)`.
pub fn warn(msg: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&prefixed(msg)));
}

/// `console.error("[trailmark] " + msg)`.
pub fn error(msg: &str) {
    web_sys::console::error_1(&JsValue::from_str(&prefixed(msg)));
}

fn prefixed(msg: &str) -> String {
    let mut s = String::from("[trailmark] ");
    s.push_str(msg);
    s
}
