//! Browser tests for the guarded storage module (`trailmark::web::storage`).
//!
//! Storage is hostile input: another script (or an older Trailmark) may have written anything
//! under our keys, the quota may be exhausted, and storage may be disabled outright (sandboxed
//! iframes, privacy modes make the `localStorage` getter throw). Each of these must degrade to
//! "nothing stored" without an exception reaching the page. Only a real browser shows how
//! `Storage` actually fails, so these run in headless Chromium.
//!
//! All keys written here start with [`PREFIX`] and are removed before and after each test.
#![cfg(all(target_arch = "wasm32", not(feature = "tools")))]

#[path = "wasm_support/mod.rs"]
mod support;

use js_sys::{Function, Reflect};
use support::ConsoleSpy;
use trailmark::web::storage::{self, Area};
use trailmark::Value;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Storage;

wasm_bindgen_test_configure!(run_in_browser);

/// Prefix of every key these tests write.
const PREFIX: &str = "trailmark-test:";

fn raw_area(area: Area) -> Storage {
    let window = web_sys::window().expect("window");
    match area {
        Area::Local => window.local_storage(),
        Area::Session => window.session_storage(),
    }
    .expect("storage is enabled in the test browser")
    .expect("storage exists")
}

/// What the browser holds under `key` in `area`, read directly (not through the module).
fn stored(area: Area, key: &str) -> Option<String> {
    raw_area(area).get_item(key).expect("readable")
}

/// Removes every key starting with [`PREFIX`] from `area`, bypassing the module under test.
fn clear_test_keys(area: Area) {
    let s = raw_area(area);
    let len = s.length().expect("length");
    let keys: Vec<String> = (0..len)
        .filter_map(|i| s.key(i).ok().flatten())
        .filter(|k| k.starts_with(PREFIX))
        .collect();
    for k in keys {
        s.remove_item(&k).expect("removeItem");
    }
}

fn key(name: &str) -> String {
    format!("{PREFIX}{name}")
}

fn sample() -> Value {
    Value::object(vec![
        ("id", Value::from("3f1c-ü-€")),
        ("n", Value::from(42.5)),
        ("ok", Value::from(true)),
        ("none", Value::Null),
        (
            "list",
            Value::Array(vec![Value::from(1.0), Value::from("two")]),
        ),
    ])
}

#[wasm_bindgen_test]
fn versioned_value_round_trips_in_both_areas() {
    for area in [Area::Local, Area::Session] {
        clear_test_keys(area);
        let k = key("round-trip");
        assert!(storage::write(area, &k, 3, &sample()), "{area:?}");
        assert_eq!(
            stored(area, &k).as_deref(),
            Some(
                r#"{"v":3,"d":{"id":"3f1c-ü-€","n":42.5,"ok":true,"none":null,"list":[1,"two"]}}"#
            ),
            "{area:?}: the envelope on disk"
        );
        assert_eq!(storage::read(area, &k, 3), Some(sample()), "{area:?}");
        // Reading is not destructive.
        assert_eq!(storage::read(area, &k, 3), Some(sample()), "{area:?}");
        storage::remove(area, &k);
        assert_eq!(stored(area, &k), None, "{area:?}");
        assert_eq!(storage::read(area, &k, 3), None, "{area:?}: missing key");
        clear_test_keys(area);
    }
}

#[wasm_bindgen_test]
fn raw_strings_round_trip_and_missing_keys_are_none() {
    clear_test_keys(Area::Local);
    let k = key("raw");
    assert_eq!(stored(Area::Local, &k), None);
    assert!(storage::set(Area::Local, &k, "plain \u{0} text ✓"));
    assert_eq!(
        stored(Area::Local, &k).as_deref(),
        Some("plain \u{0} text ✓")
    );
    storage::remove(Area::Local, &k);
    // Removing a missing key is fine too.
    storage::remove(Area::Local, &k);
    assert_eq!(stored(Area::Local, &k), None);
}

/// The stored JSON is parsed in JavaScript: a missing key is `None`, text that is not JSON is
/// `null`, anything else is the parsed value (the module walks it as it walks any value).
#[wasm_bindgen_test]
fn stored_json_is_parsed_where_it_lies() {
    clear_test_keys(Area::Local);
    let k = key("json");
    assert!(storage::get_json(Area::Local, &k).is_none(), "missing key");
    for (text, want) in [
        ("{not json", JsValue::NULL),
        ("", JsValue::NULL),
        ("null", JsValue::NULL),
        ("42.5", JsValue::from(42.5)),
        (r#""ü€""#, JsValue::from_str("ü€")),
    ] {
        raw_area(Area::Local).set_item(&k, text).expect("setItem");
        let got = storage::get_json(Area::Local, &k).expect("present");
        assert!(js_sys::Object::is(&got, &want), "{text:?}: {got:?}");
    }
    raw_area(Area::Local)
        .set_item(&k, r#"{"a":[1,"two"]}"#)
        .expect("setItem");
    let got = storage::get_json(Area::Local, &k).expect("present");
    let a = Reflect::get(&got, &JsValue::from_str("a")).expect("a");
    assert_eq!(
        js_sys::JSON::stringify(&a)
            .ok()
            .and_then(|s| s.as_string())
            .as_deref(),
        Some(r#"[1,"two"]"#)
    );
    clear_test_keys(Area::Local);
}

#[wasm_bindgen_test]
fn corrupt_or_foreign_data_reads_as_none_and_is_removed() {
    clear_test_keys(Area::Local);
    let cases = [
        "not json",
        r#"{"v":2,"d":1}"#,   // another version
        r#"{"x":1}"#,         // foreign object
        "\u{0}garbage",       // binary junk
        r#""\u0000garbage""#, // valid JSON, but a string
        r#"{"v":1}"#,         // envelope without data
        r#"{"v":"1","d":1}"#, // version of the wrong type
        "[1,2]",
        "null",
        "",
    ];
    let mut spy = ConsoleSpy::new("warn");
    for (i, text) in cases.iter().enumerate() {
        let k = key(&format!("corrupt-{i}"));
        raw_area(Area::Local).set_item(&k, text).expect("setItem");
        assert_eq!(storage::read(Area::Local, &k, 1), None, "{text:?}");
        assert_eq!(stored(Area::Local, &k), None, "{text:?} was not removed");
    }
    spy.restore();
    assert_eq!(
        spy.count_containing(
            "ignored unreadable or foreign data in storage key trailmark-test:corrupt-"
        ),
        cases.len(),
        "one warning per corrupt key: {:?}",
        spy.messages()
    );
    clear_test_keys(Area::Local);
}

#[wasm_bindgen_test]
fn quota_error_returns_false_and_keeps_earlier_keys() {
    clear_test_keys(Area::Local);
    let earlier = key("earlier");
    assert!(storage::write(Area::Local, &earlier, 1, &sample()));

    // Fill the origin's quota (Chromium: a few MB) with 1 Mi-character chunks.
    let chunk = "x".repeat(1 << 20);
    let local = raw_area(Area::Local);
    let mut filled = 0;
    let mut refused = false;
    while filled < 64 {
        if local
            .set_item(&key(&format!("fill-{filled}")), &chunk)
            .is_err()
        {
            refused = true;
            break;
        }
        filled += 1;
    }

    let mut spy = ConsoleSpy::new("warn");
    let first = storage::set(Area::Local, &key("too-much"), &chunk);
    let second = storage::write(
        Area::Local,
        &key("too-much-2"),
        1,
        &Value::from(chunk.as_str()),
    );
    let earlier_after = storage::read(Area::Local, &earlier, 1);
    spy.restore();
    clear_test_keys(Area::Local);

    assert!(
        refused,
        "setItem never threw after {filled} MiB-sized chunks"
    );
    assert!(filled > 0, "the quota refused the very first chunk");
    assert!(!first, "storage::set reported success on a full storage");
    assert!(!second, "storage::write reported success on a full storage");
    assert_eq!(earlier_after, Some(sample()), "earlier key lost");
    assert_eq!(
        spy.count_containing("storage is full or refused a write"),
        1,
        "warned once for two refusals: {:?}",
        spy.messages()
    );
    // With space back, writes work again.
    assert!(storage::set(Area::Local, &key("after"), "ok"));
    clear_test_keys(Area::Local);
}

/// Makes `window.localStorage` throw a `SecurityError`, as disabled storage does; returns the
/// original own property descriptor (or `undefined`) for [`enable_local_storage`].
fn disable_local_storage() -> JsValue {
    Function::new_no_args(
        "const original = Object.getOwnPropertyDescriptor(window, 'localStorage'); \
         Object.defineProperty(window, 'localStorage', { \
           get() { throw new DOMException('denied', 'SecurityError'); }, \
           configurable: true, \
         }); \
         return original;",
    )
    .call0(&JsValue::UNDEFINED)
    .expect("redefining window.localStorage")
}

fn enable_local_storage(original: &JsValue) {
    Function::new_with_args(
        "original",
        "if (original) { Object.defineProperty(window, 'localStorage', original); } \
         else { delete window.localStorage; }",
    )
    .call1(&JsValue::UNDEFINED, original)
    .expect("restoring window.localStorage");
}

#[wasm_bindgen_test]
fn disabled_storage_degrades_to_nothing_stored() {
    clear_test_keys(Area::Local);
    clear_test_keys(Area::Session);
    let k = key("disabled");
    assert!(storage::set(Area::Local, &k, "before"));

    let original = disable_local_storage();
    let window = web_sys::window().expect("window");
    let getter_throws = window.local_storage().is_err();
    let mut spy = ConsoleSpy::new("warn");
    // Everything is recorded first and asserted after the page is restored: a failed assertion
    // aborts the instance and would leave storage disabled for the other tests.
    let got = storage::get_json(Area::Local, &k);
    let set = storage::set(Area::Local, &k, "during");
    let read = storage::read(Area::Local, &k, 1);
    let wrote = storage::write(Area::Local, &k, 1, &Value::from("during"));
    storage::remove(Area::Local, &k);
    let session_ok = storage::write(Area::Session, &k, 1, &Value::from(true));
    let session_read = storage::read(Area::Session, &k, 1);
    spy.restore();
    enable_local_storage(&original);
    let restored = Reflect::get(&window, &JsValue::from_str("localStorage"))
        .map(|s| !s.is_undefined())
        .unwrap_or(false);
    let after = stored(Area::Local, &k);
    clear_test_keys(Area::Local);
    clear_test_keys(Area::Session);

    assert!(
        getter_throws,
        "the simulation did not make localStorage throw"
    );
    assert!(got.is_none());
    assert!(!set);
    assert_eq!(read, None);
    assert!(!wrote);
    assert!(session_ok, "sessionStorage still works");
    assert_eq!(session_read, Some(Value::from(true)));
    assert_eq!(
        spy.count_containing("storage is unavailable"),
        1,
        "warned exactly once for five refused calls: {:?}",
        spy.messages()
    );
    assert!(restored, "window.localStorage was not restored");
    assert_eq!(
        after.as_deref(),
        Some("before"),
        "data written before storage was disabled is still there"
    );
}
