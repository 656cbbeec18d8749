//! The browser's privacy signals, read once at start.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::consent::Signals;

/// `navigator.globalPrivacyControl === true` and `navigator.doNotTrack === "1"`. Read with
/// `Reflect` (not every browser has them, and web-sys has no binding for GPC); anything missing
/// or strange reads as "no signal".
pub fn read() -> Signals {
    let navigator = JsValue::from(super::global::window().navigator());
    let get = |key: &str| Reflect::get(&navigator, &JsValue::from_str(key)).ok();
    Signals {
        gpc: get("globalPrivacyControl").and_then(|v| v.as_bool()) == Some(true),
        dnt: get("doNotTrack").and_then(|v| v.as_string()).as_deref() == Some("1"),
    }
}
