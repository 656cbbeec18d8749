//! Browser tests for the one conversion module (`trailmark::web::convert`).
//!
//! Event properties come from the page's own scripts and are hostile by assumption: deeply
//! nested, cyclic, huge, full of values JSON has no word for, or with getters that throw.
//! `to_value` must see them as `JSON.stringify` would, within `Limits::PROPERTIES`, terminate on
//! every input, and say (through `clamped`) when it cut something. The inputs are built in
//! JavaScript because most of them cannot be expressed through the Rust API.
#![cfg(all(target_arch = "wasm32", not(feature = "tools")))]

#[path = "wasm_support/mod.rs"]
mod support;

use js_sys::{Array, Function};
use support::{js, stringify, ConsoleSpy};
use trailmark::web::convert::{to_js, to_value, Converted, Limits};
use trailmark::web::Trailmark;
use trailmark::{Map, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Converts the value the JS expression `expr` evaluates to, with the property limits.
fn convert(expr: &str) -> Converted {
    to_value(&js(&format!("return ({expr});")), Limits::PROPERTIES)
}

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::object(pairs.iter().map(|(k, v)| (*k, v.clone())).collect())
}

/// Follows `key` through nested objects: how many objects deep the chain goes, and what ends it.
fn chain(mut v: &Value, key: &str) -> (usize, Value) {
    let mut objects = 0;
    while let Value::Object(m) = v {
        objects += 1;
        match m.get(key) {
            Some(next) => v = next,
            None => return (objects, Value::Object(Map::new())),
        }
    }
    (objects, v.clone())
}

/// `{a:{a:…{a:"leaf"}}}` with `levels` objects.
fn nested_js(levels: usize) -> String {
    format!("{}\"leaf\"{}", "{a:".repeat(levels), "}".repeat(levels))
}

#[wasm_bindgen_test]
fn nesting_up_to_the_depth_limit_is_kept() {
    // 16 objects put the leaf string at depth 16: exactly the limit.
    let c = convert(&nested_js(16));
    assert!(!c.clamped);
    assert_eq!(chain(&c.value, "a"), (16, Value::from("leaf")));
}

#[wasm_bindgen_test]
fn nesting_beyond_depth_16_becomes_null_and_clamps() {
    let c = convert(&nested_js(40));
    assert!(c.clamped);
    // Depths 0..=16 stay objects; the value at depth 17 is null.
    assert_eq!(chain(&c.value, "a"), (17, Value::Null));
}

#[wasm_bindgen_test]
fn a_cycle_terminates_and_clamps() {
    let c = convert("(() => { const a = { name: 'x' }; a.self = a; return a; })()");
    assert!(c.clamped);
    assert_eq!(chain(&c.value, "self"), (17, Value::Null));
    assert_eq!(c.value.get("name"), Some(&Value::from("x")));

    let c = convert("(() => { const a = [1]; a.push(a); return a; })()");
    assert!(c.clamped);
    assert_eq!(c.value.as_array().map(<[Value]>::len), Some(2));
}

#[wasm_bindgen_test]
fn a_wide_cycle_stops_at_the_node_budget() {
    // 200 keys that all point back at the root: 200^17 paths without a node budget.
    let c = convert(
        "(() => { const o = {}; for (let i = 0; i < 200; i++) o['k' + i] = o; return o; })()",
    );
    assert!(c.clamped);
    let limits = Limits::PROPERTIES;
    let (all, non_null) = count_nodes(&c.value);
    assert!(non_null <= limits.nodes, "{non_null} values converted");
    // Once the budget is spent, the objects still open stop at once: no trailing nulls, so the
    // output holds exactly the values the budget paid for (the nulls at the depth limit
    // included).
    assert_eq!(all, limits.nodes, "values in the output");
}

/// Wraps `expr` (an array or object) in a `Proxy` that counts reads of its items or values, and
/// returns `[proxy, reads]` where `reads()` is the count so far.
fn counted(expr: &str) -> (JsValue, Function) {
    let pair = js(&format!(
        "const target = ({expr}); let n = 0; \
         const proxy = new Proxy(target, {{ get(t, k, r) {{ \
             if (typeof k === 'string' && k !== 'length') n++; \
             return Reflect.get(t, k, r); }} }}); \
         return [proxy, () => n];"
    ));
    let pair: &Array = pair.unchecked_ref();
    (pair.get(0), pair.get(1).unchecked_into())
}

fn reads(counter: &Function) -> usize {
    counter
        .call0(&JsValue::UNDEFINED)
        .ok()
        .and_then(|n| n.as_f64())
        .expect("a read count") as usize
}

#[wasm_bindgen_test]
fn a_huge_array_stops_reading_at_the_node_budget() {
    // No item or key limit here, only the node budget: before it broke out of the loops, the
    // walk read all 200 000 items (and kept 195 001 trailing nulls).
    let budget = Limits::PROPERTIES.nodes;
    let limits = Limits {
        items: usize::MAX,
        keys: usize::MAX,
        ..Limits::PROPERTIES
    };

    let (array, array_reads) = counted("Array.from({ length: 200000 }, (_, i) => i)");
    let start = js_sys::Date::now();
    let c = to_value(&array, limits);
    let elapsed = js_sys::Date::now() - start;
    assert!(c.clamped);
    let items = c.value.as_array().expect("an array");
    // The root is one node: 4 999 items are left, in order, and no item after them was read.
    assert_eq!(items.len(), budget - 1);
    assert!(items
        .iter()
        .enumerate()
        .all(|(i, v)| *v == Value::from(i as f64)));
    assert_eq!(reads(&array_reads), budget - 1, "items read");
    assert!(elapsed < 1_000.0, "took {elapsed} ms");

    // The same for an object's keys.
    let (object, object_reads) =
        counted("Object.fromEntries(Array.from({ length: 200000 }, (_, i) => ['k' + i, i]))");
    let c = to_value(&object, limits);
    assert!(c.clamped);
    let m = c.value.as_object().expect("an object");
    assert_eq!(m.len(), budget - 1);
    assert_eq!(m.iter().last().map(|(k, _)| k), Some("k4998"));
    assert_eq!(reads(&object_reads), budget - 1, "values read");
}

#[wasm_bindgen_test]
fn huge_event_properties_are_cut_with_one_warning() {
    // 200 000 line items of five fields: six nodes each. The item limit keeps 1 000 of them, but
    // the node budget runs out first: the root and `items` take 2 of the 5 000 nodes, and
    // 4 998 / 6 = 833 whole items fit.
    let props = js("return { items: Array.from({ length: 200000 }, (_, i) => \
        ({ sku: 'sku-' + i, name: 'Item ' + i, quantity: 1, price: 1850, currency: 'USD' })) };");
    let start = js_sys::Date::now();
    let c = to_value(&props, Limits::PROPERTIES);
    let elapsed = js_sys::Date::now() - start;
    assert!(c.clamped);
    let items = c
        .value
        .get("items")
        .and_then(Value::as_array)
        .expect("items kept");
    assert_eq!(items.len(), 833);
    assert_eq!(
        items[832].get("sku").and_then(Value::as_str),
        Some("sku-832")
    );
    assert!(items
        .iter()
        .all(|item| item.as_object().map(Map::len) == Some(5)));
    assert_eq!(count_nodes(&c.value), (5_000, 5_000));
    assert!(elapsed < 1_000.0, "took {elapsed} ms");

    // Through `track`, the page gets one console warning, and only one.
    let mut warnings = ConsoleSpy::new("warn");
    let tm = Trailmark::new(JsValue::UNDEFINED);
    tm.track(JsValue::from_str("Order Completed"), props.clone());
    tm.track(JsValue::from_str("Order Completed"), props);
    warnings.restore();
    let cut = warnings.count_containing("were cut to fit the limits");
    assert_eq!(cut, 1, "warnings: {:?}", warnings.messages());
    assert_eq!(tm.queued(), 2);
}

/// (all values, values other than `null`) in `v`, `v` included.
fn count_nodes(v: &Value) -> (usize, usize) {
    let own = (1, usize::from(*v != Value::Null));
    let add = |(a, b): (usize, usize), (c, d): (usize, usize)| (a + c, b + d);
    match v {
        Value::Array(items) => items.iter().map(count_nodes).fold(own, add),
        Value::Object(m) => m.iter().map(|(_, v)| count_nodes(v)).fold(own, add),
        _ => own,
    }
}

#[wasm_bindgen_test]
fn long_strings_are_cut_to_8_kib_at_a_char_boundary() {
    // "€" is 3 bytes: 7000 of them are 21,000 bytes; 8192 is not a multiple of 3.
    let c = convert("({ s: '€'.repeat(7000), short: 'ok' })");
    assert!(c.clamped);
    let s = c.value.get("s").and_then(Value::as_str).expect("s kept");
    assert_eq!(s.len(), 8190);
    assert_eq!(s, "€".repeat(2730));
    assert_eq!(c.value.get("short"), Some(&Value::from("ok")));

    // Four-byte chars (surrogate pairs in JS) after one ASCII byte: the cut is at 8189.
    let c = convert("'a' + '😀'.repeat(5000)");
    assert!(c.clamped);
    assert_eq!(c.value, Value::from(format!("a{}", "😀".repeat(2047))));

    // Exactly 8 KiB is kept whole.
    let c = convert("'é'.repeat(4096)");
    assert!(!c.clamped);
    assert_eq!(c.value, Value::from("é".repeat(4096)));
}

#[wasm_bindgen_test]
fn undefined_and_functions_are_left_out_like_json_stringify() {
    let c = convert(
        "({ u: undefined, f() {}, g: () => 1, n: null, k: 1, list: [undefined, function () {}, 2] })",
    );
    assert!(!c.clamped);
    assert_eq!(
        c.value,
        obj(&[
            ("n", Value::Null),
            ("k", Value::from(1.0)),
            (
                "list",
                Value::Array(vec![Value::Null, Value::Null, Value::from(2.0)])
            ),
        ])
    );
}

#[wasm_bindgen_test]
fn non_finite_numbers_and_non_json_values_become_null() {
    let c =
        convert("({ a: NaN, b: Infinity, c: -Infinity, d: -1.5, e: 0, s: Symbol('x'), i: 10n })");
    assert!(!c.clamped);
    assert_eq!(
        c.value,
        obj(&[
            ("a", Value::Null),
            ("b", Value::Null),
            ("c", Value::Null),
            ("d", Value::from(-1.5)),
            ("e", Value::from(0.0)),
            ("s", Value::Null),
            ("i", Value::Null),
        ])
    );
    assert_eq!(convert("NaN").value, Value::Null);
    assert_eq!(convert("undefined").value, Value::Null);
}

#[wasm_bindgen_test]
fn dates_become_iso_strings() {
    let c = convert("({ at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)), bad: new Date(NaN) })");
    assert_eq!(
        c.value,
        obj(&[
            ("at", Value::from("2024-01-02T03:04:05.006Z")),
            ("bad", Value::Null),
        ])
    );
}

#[wasm_bindgen_test]
fn objects_that_are_not_dates_are_read_by_their_keys() {
    // The Date check skips objects that say they are plain, and asks the others (a class with a
    // tag of its own, a tag getter that throws, a Map) without letting anything escape.
    let c = convert(
        "({ bare: Object.assign(Object.create(null), { x: 1 }), \
            tagged: new (class { constructor() { this.n = 2; } get [Symbol.toStringTag]() { return 'Cart'; } })(), \
            throwing: Object.defineProperty({ y: 3 }, Symbol.toStringTag, { get() { throw new Error('nope'); } }), \
            map: new Map([['k', 1]]), \
            when: [new Date(0)] })",
    );
    assert!(!c.clamped);
    assert_eq!(
        c.value,
        obj(&[
            ("bare", obj(&[("x", Value::from(1.0))])),
            ("tagged", obj(&[("n", Value::from(2.0))])),
            ("throwing", obj(&[("y", Value::from(3.0))])),
            ("map", obj(&[])),
            (
                "when",
                Value::Array(vec![Value::from("1970-01-01T00:00:00.000Z")])
            ),
        ])
    );
}

#[wasm_bindgen_test]
fn a_throwing_getter_drops_only_its_key() {
    let c = convert("({ a: 1, get bad() { throw new Error('nope'); }, c: { d: 2 } })");
    assert!(c.clamped);
    assert_eq!(
        c.value,
        obj(&[
            ("a", Value::from(1.0)),
            ("c", obj(&[("d", Value::from(2.0))])),
        ])
    );
}

#[wasm_bindgen_test]
fn arrays_are_cut_at_1000_items() {
    let c = convert("Array.from({ length: 1500 }, (_, i) => i)");
    assert!(c.clamped);
    let items = c.value.as_array().expect("array");
    assert_eq!(items.len(), 1000);
    assert_eq!(items[0], Value::from(0.0));
    assert_eq!(items[999], Value::from(999.0));

    let c = convert("Array.from({ length: 1000 }, (_, i) => i)");
    assert!(!c.clamped);
    assert_eq!(c.value.as_array().map(<[Value]>::len), Some(1000));
}

#[wasm_bindgen_test]
fn objects_are_cut_at_256_keys_in_order() {
    let c = convert("Object.fromEntries(Array.from({ length: 300 }, (_, i) => ['k' + i, i]))");
    assert!(c.clamped);
    let m = c.value.as_object().expect("object");
    assert_eq!(m.len(), 256);
    assert_eq!(m.iter().next().map(|(k, _)| k), Some("k0"));
    assert_eq!(m.iter().last().map(|(k, _)| k), Some("k255"));
}

#[wasm_bindgen_test]
fn to_js_round_trips_and_keeps_key_order() {
    let v = obj(&[
        ("zeta", Value::from("ü€😀 <b>")),
        ("alpha", Value::from(-0.25)),
        ("flag", Value::from(false)),
        ("none", Value::Null),
        (
            "nested",
            obj(&[(
                "list",
                Value::Array(vec![Value::from(1.0), obj(&[]), Value::Array(vec![])]),
            )]),
        ),
    ]);
    let js_value = to_js(&v);
    assert_eq!(
        stringify(&js_value),
        r#"{"zeta":"ü€😀 <b>","alpha":-0.25,"flag":false,"none":null,"nested":{"list":[1,{},[]]}}"#
    );
    let back = to_value(&js_value, Limits::PROPERTIES);
    assert!(!back.clamped);
    assert_eq!(back.value, v);
}

/// Issue 11, finding 5: values that throw when the walk asks about them. Each is skipped
/// (`null` in its place, or its key left out), the conversion says it cut something, and
/// nothing is thrown into the module.
const THROWING: &[(&str, &str)] = &[
    (
        "a throwing getter in an array element",
        "(() => { const a = [1, 2, 3]; \
          Object.defineProperty(a, 1, { get() { throw new Error('nope'); } }); \
          return { items: a }; })()",
    ),
    (
        "a revoked Proxy as a nested value",
        "(() => { const r = Proxy.revocable({}, {}); r.revoke(); \
          return { a: 1, p: r.proxy }; })()",
    ),
    (
        "a revoked Proxy of an array inside an array",
        "(() => { const r = Proxy.revocable([], {}); r.revoke(); \
          return { items: [1, r.proxy, 3] }; })()",
    ),
    (
        "a Proxy of an array whose get trap throws",
        "({ items: new Proxy([1, 2], { get() { throw new Error('nope'); } }) })",
    ),
    (
        "a Proxy whose ownKeys trap throws",
        "({ a: 1, p: new Proxy({}, { ownKeys() { throw new Error('nope'); } }) })",
    ),
];

#[wasm_bindgen_test]
fn values_that_throw_when_read_are_skipped() {
    let expected = [
        obj(&[(
            "items",
            Value::Array(vec![Value::from(1.0), Value::Null, Value::from(3.0)]),
        )]),
        obj(&[("a", Value::from(1.0)), ("p", Value::Null)]),
        obj(&[(
            "items",
            Value::Array(vec![Value::from(1.0), Value::Null, Value::from(3.0)]),
        )]),
        obj(&[("items", Value::Null)]),
        obj(&[("a", Value::from(1.0)), ("p", Value::Null)]),
    ];
    for ((what, expr), want) in THROWING.iter().zip(expected) {
        let c = convert(expr);
        assert!(c.clamped, "{what}");
        assert_eq!(c.value, want, "{what}");
    }
    // The revoked Proxy as the whole value, and as an array.
    for expr in [
        "(() => { const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy; })()",
        "(() => { const r = Proxy.revocable([], {}); r.revoke(); return r.proxy; })()",
    ] {
        let c = convert(expr);
        assert!(c.clamped, "{expr}");
        assert_eq!(c.value, Value::Null, "{expr}");
    }
}

#[wasm_bindgen_test]
fn a_proxy_whose_prototype_trap_throws_is_read_by_its_keys() {
    // `instanceof` would run the trap; the Date brand check does not.
    let c = convert("new Proxy({ a: 1 }, { getPrototypeOf() { throw new Error('nope'); } })");
    assert!(!c.clamped);
    assert_eq!(c.value, obj(&[("a", Value::from(1.0))]));
}

#[wasm_bindgen_test]
fn track_survives_values_that_throw_with_one_warning() {
    let mut warnings = ConsoleSpy::new("warn");
    let tm = Trailmark::new(JsValue::UNDEFINED);
    for (_, expr) in THROWING {
        tm.track(
            JsValue::from_str("Hostile"),
            js(&format!("return ({expr});")),
        );
    }
    // The revoked Proxy as the properties: the event is recorded without them.
    tm.track(
        JsValue::from_str("Revoked"),
        js("const r = Proxy.revocable({}, {}); r.revoke(); return r.proxy;"),
    );
    tm.identify(
        JsValue::from_str("customer-1"),
        js("const r = Proxy.revocable({}, {}); r.revoke(); return { plan: 'club', p: r.proxy };"),
    );
    tm.track(JsValue::from_str("After"), JsValue::UNDEFINED);
    warnings.restore();
    assert!(!trailmark::web::is_dead());
    assert_eq!(
        warnings.messages(),
        vec!["[trailmark] event properties were too large, too deep, cyclic or unreadable and were cut to fit the limits"]
    );
    // Every event is recorded: the hostile ones, the identify, and the one after them.
    assert_eq!(tm.queued() as usize, THROWING.len() + 3);
}
