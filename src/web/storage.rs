//! Guarded storage: every read and write survives disabled storage, quota errors and corrupt or
//! foreign data. Failures degrade to "nothing stored" plus one console warning; nothing throws.
//!
//! Values are kept in a versioned envelope `{"v": VERSION, "d": DATA}` under keys prefixed
//! `trailmark:`, so a value written by another script (or another Trailmark version) under the
//! same key is recognized as foreign and replaced by fresh state instead of being misread.

use std::cell::Cell;

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;
use web_sys::Storage;

use super::console;
use super::convert::{to_value, Limits};
use crate::json::write_value;
use crate::value::Value;

/// Which browser storage area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// `localStorage`: per origin, survives restarts.
    Local,
    /// `sessionStorage`: per tab.
    Session,
}

thread_local! {
    static WARNED_UNAVAILABLE: Cell<bool> = const { Cell::new(false) };
    static WARNED_QUOTA: Cell<bool> = const { Cell::new(false) };
    /// Whether the page's `JSON.parse` works: 0 not asked yet, 1 yes, 2 no.
    static PARSER: Cell<u8> = const { Cell::new(0) };
}

/// Whether the page's `JSON.parse` reads `[1]` as it should. Every stored value is read with
/// it: where a page replaced it with something broken, what is stored would all look
/// unreadable and be removed, so storage is left alone for the page instead.
fn parser_works() -> bool {
    PARSER.with(|p| {
        if p.get() == 0 {
            let read = js_sys::JSON::parse("[1]").map(|v| to_value(&v, Limits::CONFIG).value);
            p.set(
                if read.ok() == Some(Value::Array(vec![Value::Number(1.0)])) {
                    1
                } else {
                    2
                },
            );
        }
        p.get() == 1
    })
}

fn warn_once(flag: &'static std::thread::LocalKey<Cell<bool>>, msg: &str) {
    flag.with(|f| {
        if !f.replace(true) {
            console::warn(msg);
        }
    });
}

fn area(which: Area) -> Option<Storage> {
    let window = super::global::window();
    // Both getters throw a SecurityError when storage is disabled (sandboxed iframes, some
    // privacy modes); that is a Result here, never an exception in the page.
    let storage = match which {
        Area::Local => window.local_storage(),
        Area::Session => window.session_storage(),
    };
    match storage {
        Ok(Some(s)) if parser_works() => Some(s),
        _ => {
            warn_once(
                &WARNED_UNAVAILABLE,
                "storage is unavailable; Trailmark keeps its state for this page only",
            );
            None
        }
    }
}

#[wasm_bindgen(module = "/js/wasm_imports.js")]
extern "C" {
    /// `JSON.parse(area.getItem(key))`: `undefined` when there is no such key (or reading it
    /// threw), `null` when its text is not JSON.
    #[wasm_bindgen(js_name = storedJson)]
    fn stored_json(area: &Storage, key: &str) -> JsValue;
}

/// The value stored under `key`, parsed from its JSON text in JavaScript (the text, up to a
/// visitor record's tens of KB, is never copied into the module and back): `None` when there
/// is none or storage is unavailable, `null` when the text is not JSON.
pub fn get_json(which: Area, key: &str) -> Option<JsValue> {
    let value = stored_json(&area(which)?, key);
    (!value.is_undefined()).then_some(value)
}

/// Stores `value` under `key`; false (and one warning) when storage refused it.
pub fn set(which: Area, key: &str, value: &str) -> bool {
    let Some(s) = area(which) else {
        return false;
    };
    if s.set_item(key, value).is_ok() {
        return true;
    }
    warn_once(
        &WARNED_QUOTA,
        "storage is full or refused a write; Trailmark keeps that state for this page only",
    );
    false
}

/// Removes `key` (ignoring failures).
pub fn remove(which: Area, key: &str) {
    if let Some(s) = area(which) {
        let _ = s.remove_item(key);
    }
}

/// Reads a versioned value. A missing key is `None`; a corrupt or foreign one is `None`, is
/// removed, and is reported once on the console.
pub fn read(which: Area, key: &str, version: u32) -> Option<Value> {
    let parsed = to_value(&get_json(which, key)?, Limits::CONFIG).value;
    let data = parsed.as_object().and_then(|envelope| {
        (envelope.get("v")?.as_f64()? == f64::from(version))
            .then(|| envelope.get("d").cloned())
            .flatten()
    });
    if data.is_none() {
        let mut msg = String::from("ignored unreadable or foreign data in storage key ");
        msg.push_str(key);
        msg.push_str("; starting fresh");
        console::warn(&msg);
        remove(which, key);
    }
    data
}

/// Writes a versioned value; false when storage refused it.
pub fn write(which: Area, key: &str, version: u32, data: &Value) -> bool {
    let mut text = String::from("{\"v\":");
    crate::text::push_u64(&mut text, u64::from(version));
    text.push_str(",\"d\":");
    write_value(&mut text, data, super::convert::js_float);
    text.push('}');
    set(which, key, &text)
}
