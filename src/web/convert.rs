//! The one conversion module: JavaScript values ⇄ the core's [`Value`].
//!
//! Walking the object the browser's own `JSON.parse` (or the caller) produced costs far fewer
//! bytes than shipping a JSON parser, and lets us bound the walk: depth, string length, keys
//! and items are clamped, and a total node budget stops cyclic or enormous objects.

use js_sys::{Array, JsString, Object, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::value::{Map, Value};

// What the walk asks of a value, each able to throw: a revoked Proxy throws on every question,
// and a live one runs the page's traps (issue 11, finding 5). An exception that crossed the
// module would leave the tracker borrowed and the instance dead, so each is caught here.
//
// `dateTime` is the Date brand check (`Date.prototype.getTime`, which runs no Proxy trap and no
// getter, unlike `instanceof`), asked only of objects that do not say they are plain: the brand
// check throws a TypeError for anything that is not a Date, and a thrown error captures a stack
// trace, which cost more than the rest of a `track()` call when every object of the properties
// was asked (profile-track.mjs). `undefined` means "not a Date".
#[wasm_bindgen(module = "/js/wasm_imports.js")]
extern "C" {
    #[wasm_bindgen(js_name = dateTime)]
    fn date_time(v: &JsValue) -> Option<f64>;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(v: &JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn keys(v: &JsValue) -> Result<Array, JsValue>;
}

/// Bounds for one conversion.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Deepest nesting kept; deeper values become `null`.
    pub depth: usize,
    /// Longest string kept, in bytes (cut at a char boundary).
    pub string_bytes: usize,
    /// Most keys kept per object.
    pub keys: usize,
    /// Most items kept per array.
    pub items: usize,
    /// Most values converted in total (cycles and huge graphs stop here).
    pub nodes: usize,
}

impl Limits {
    /// For event properties and traits (see [`crate::limits`]).
    pub const PROPERTIES: Limits = Limits {
        depth: crate::limits::MAX_PROPERTY_DEPTH,
        string_bytes: crate::limits::MAX_PROPERTY_STRING_BYTES,
        keys: crate::limits::MAX_PROPERTY_KEYS,
        items: crate::limits::MAX_PROPERTY_ITEMS,
        nodes: 5_000,
    };
    /// For configs, conditions and attributes: larger, still bounded.
    pub const CONFIG: Limits = Limits {
        depth: crate::limits::MAX_CONFIG_DEPTH,
        string_bytes: 64 * 1024,
        keys: 10_000,
        items: 10_000,
        nodes: 200_000,
    };
    /// For the stored visitor record: its objects have at most a few dozen keys and its
    /// strings at most a kilobyte, so a planted record with huge objects is refused (as
    /// clamped) before the core walks it.
    pub const RECORD: Limits = Limits {
        depth: 8,
        string_bytes: 1024,
        keys: 32,
        items: 1_000,
        nodes: 60_000,
    };
    /// For the stored delivery queue: an outbox snapshot is a list of event strings, each up
    /// to the queue's byte cap. A snapshot that needs cutting is refused, not truncated.
    pub const QUEUE: Limits = Limits {
        depth: 4,
        string_bytes: 1024 * 1024,
        keys: 16,
        items: 10_000,
        nodes: 50_000,
    };
}

/// The result of a conversion: the value, and whether anything was clamped or dropped.
pub struct Converted {
    /// The converted value.
    pub value: Value,
    /// True when a limit cut something off (callers warn once).
    pub clamped: bool,
}

/// Converts `v` as `JSON.stringify` would see it, within `limits`.
pub fn to_value(v: &JsValue, limits: Limits) -> Converted {
    let mut walk = Walk {
        limits,
        nodes: 0,
        clamped: false,
    };
    let value = walk.value(v, 0);
    Converted {
        value,
        clamped: walk.clamped,
    }
}

struct Walk {
    limits: Limits,
    nodes: usize,
    clamped: bool,
}

impl Walk {
    fn value(&mut self, v: &JsValue, depth: usize) -> Value {
        self.nodes += 1;
        if self.nodes > self.limits.nodes || depth > self.limits.depth {
            self.clamped = true;
            return Value::Null;
        }
        if let Some(b) = v.as_bool() {
            return Value::Bool(b);
        }
        if let Some(n) = v.as_f64() {
            return if n.is_finite() {
                Value::Number(n)
            } else {
                Value::Null
            };
        }
        if let Some(s) = v.as_string() {
            return Value::String(self.clamp(s));
        }
        if !v.is_object() {
            // undefined, symbols, bigints: JSON has no such thing.
            return Value::Null;
        }
        if v.is_function() {
            return Value::Null;
        }
        // A value that throws when asked what it is (a revoked Proxy) is skipped, and said.
        let Ok(array) = is_array(v) else {
            return self.unreadable();
        };
        if array {
            // Read through Reflect: a Proxy of an array runs its `get` trap for each of these.
            let Some(len) = Reflect::get(v, &JsValue::from_str("length"))
                .ok()
                .and_then(|n| n.as_f64())
            else {
                return self.unreadable();
            };
            let len = len as usize;
            if len > self.limits.items {
                self.clamped = true;
            }
            let mut items = Vec::new();
            for i in 0..len.min(self.limits.items) {
                if self.spent() {
                    break; // the budget is gone: the rest is not even read
                }
                // A throwing element (a getter, a trap) becomes null, as a hole would.
                let item = match Reflect::get_u32(v, i as u32) {
                    Ok(item) => self.value(&item, depth + 1),
                    Err(_) => self.unreadable(),
                };
                items.push(item);
            }
            return Value::Array(items);
        }
        if let Some(time) = date_time(v) {
            // A Date serializes as its ISO string (what its toJSON does); an invalid one as null.
            return if time.is_finite() {
                Value::String(crate::time::iso8601(time as crate::time::Millis))
            } else {
                Value::Null
            };
        }
        let obj: &Object = v.unchecked_ref();
        let Ok(keys) = keys(obj) else {
            return self.unreadable();
        };
        let mut map = Map::new();
        for (i, key) in keys.iter().enumerate() {
            if i >= self.limits.keys || self.spent() {
                self.clamped = true;
                break;
            }
            // A throwing getter drops that key only.
            let Ok(item) = Reflect::get(obj, &key) else {
                self.unreadable();
                continue;
            };
            if item.is_undefined() || item.is_function() {
                continue; // JSON.stringify leaves these keys out
            }
            let name = key.as_string().unwrap_or_default();
            let value = self.value(&item, depth + 1);
            map.insert(self.clamp(name), value);
        }
        Value::Object(map)
    }

    /// A value that threw when read: `null` in its place (or its key left out), and the
    /// conversion counts as clamped so that the caller warns once.
    fn unreadable(&mut self) -> Value {
        self.clamped = true;
        Value::Null
    }

    /// True once the node budget is used up (and marks the result clamped): an open array or
    /// object stops there instead of reading its remaining items or keys.
    fn spent(&mut self) -> bool {
        let spent = self.nodes >= self.limits.nodes;
        self.clamped |= spent;
        spent
    }

    fn clamp(&mut self, mut s: String) -> String {
        self.clamped |= crate::text::truncate_at_boundary(&mut s, self.limits.string_bytes);
        s
    }
}

/// An array of `items`, grown by index: `Array::push` (and collecting into an `Array`) calls
/// the page's `Array.prototype.push`, which a page may have broken.
pub fn array(items: impl Iterator<Item = JsValue>) -> Array {
    let out = Array::new();
    for (i, v) in items.enumerate() {
        out.set(i as u32, v);
    }
    out
}

/// Converts a core value to a plain JavaScript value (objects, arrays, primitives).
pub fn to_js(v: &Value) -> JsValue {
    match v {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => JsValue::from_f64(*n),
        Value::String(s) => JsString::from(s.as_str()).into(),
        Value::Array(items) => array(items.iter().map(to_js)).into(),
        Value::Object(map) => {
            let obj = Object::new();
            for (k, v) in map.iter() {
                let _ = Reflect::set(&obj, &JsValue::from_str(k), &to_js(v));
            }
            obj.into()
        }
    }
}

/// JavaScript's own shortest round-trip number text (`String(n)`), for the JSON writer.
pub fn js_float(n: f64, out: &mut String) {
    if let Ok(s) = js_sys::Number::from(n).to_string_with_radix(10) {
        out.push_str(&String::from(s));
    }
}
