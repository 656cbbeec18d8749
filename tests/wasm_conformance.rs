//! GrowthBook's SDK conformance suite (`tests/fixtures/growthbook/cases.json`, MIT, see the
//! LICENSE beside it), run inside the wasm module in headless Chromium: the same cases as
//! `conformance_conditions.rs` and `conformance_bucketing.rs`, which run natively, so a
//! difference between the native and the browser build (number conversion, the JS-facing
//! `evalCondition` path through `web::convert`, float arithmetic) shows up here.
//!
//! The fixture is compiled into the test module and parsed with the browser's own `JSON.parse`,
//! so every case arrives as a JavaScript value, exactly as a page would pass it.
//!
//! Each section prints its tally, e.g. `evalCondition: 248/248 passed (wasm)`, and must pass in
//! full.
// The JS-facing `evalCondition` lives in the tools chunk: this file builds with `--features tools`.
#![cfg(all(target_arch = "wasm32", feature = "tools"))]

#[path = "wasm_support/mod.rs"]
mod wasm_support;

use js_sys::{Array, Reflect};
use trailmark::history::Scope;
use trailmark::rules::bucket::{
    choose_variation, get_bucket_ranges, get_equal_weights, hash, in_namespace,
};
use trailmark::rules::{ConditionId, Conditions};
use trailmark::web::convert::{to_value, Limits};
use trailmark::web::eval_condition;
use trailmark::{Diagnostics, Map, Path, Value};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const CASES: &str = include_str!("fixtures/growthbook/cases.json");

/// The parsed suite, as the browser's `JSON.parse` sees it.
fn suite() -> JsValue {
    js_sys::JSON::parse(CASES).unwrap_or_else(|e| panic!("cases.json is not JSON: {e:?}"))
}

/// `v[key]`.
fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).expect("Reflect.get on an object")
}

/// `v` as an array; panics when it is not one.
fn array(v: &JsValue) -> &Array {
    assert!(Array::is_array(v), "not an array: {v:?}");
    v.unchecked_ref()
}

/// `v[i]` of an array (`undefined` past its end).
fn at(v: &JsValue, i: u32) -> JsValue {
    array(v).get(i)
}

fn num(v: &JsValue) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v:?}"))
}

fn text(v: &JsValue) -> String {
    v.as_string()
        .unwrap_or_else(|| panic!("not a string: {v:?}"))
}

/// GrowthBook's own tests compare ranges and weights after this rounding.
fn floor8(x: f64) -> f64 {
    (x * 1e8).floor() / 1e8
}

fn ranges(v: &JsValue) -> Vec<(f64, f64)> {
    array(v)
        .iter()
        .map(|r| (num(&at(&r, 0)), num(&at(&r, 1))))
        .collect()
}

/// Runs `check` on every case of `section` (it returns a description when the case fails),
/// reports the tally and asserts that every case passed.
fn run(section: &str, count: u32, check: impl Fn(&JsValue) -> Option<String>) {
    let cases = get(&suite(), section);
    let cases = array(&cases);
    assert_eq!(
        cases.length(),
        count,
        "{section}: the 0.8.0 suite has {count} cases"
    );
    let failed: Vec<String> = cases
        .iter()
        .enumerate()
        .filter_map(|(i, case)| check(&case).map(|why| format!("  #{i} {why}")))
        .collect();
    let tally = format!(
        "{section}: {}/{} passed (wasm)",
        count as usize - failed.len(),
        count
    );
    wasm_support::report(&tally);
    assert!(
        failed.is_empty(),
        "{tally}; failing:\n{}",
        failed.join("\n")
    );
}

#[wasm_bindgen_test]
fn eval_condition_cases() {
    // [name, condition, attributes, expected, savedGroups?], through the exported
    // `evalCondition(attributes, condition, savedGroups)`, as a page calls it.
    run("evalCondition", 248, |c| {
        let expected = at(c, 3).as_bool().expect("an expected boolean");
        let got = eval_condition(at(c, 2), at(c, 1), at(c, 4));
        (got != expected).then(|| format!("{:?}: expected {expected}, got {got}", text(&at(c, 0))))
    });
}

#[wasm_bindgen_test]
fn eval_condition_cases_in_shared_sets() {
    // Every case compiled into one set per distinct saved groups, as a config compiles its
    // rules (identical tests of an attribute share one leaf); each evaluated in a pass that
    // first asked every other condition of its set, so it reads remembered answers.
    let cases = get(&suite(), "evalCondition");
    let value = |v: JsValue| to_value(&v, Limits::CONFIG).value;
    let groups_of = |c: &JsValue| match value(at(c, 4)) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let mut sets: Vec<(Map, Conditions, Vec<ConditionId>)> = Vec::new();
    let mut ids = Vec::new();
    for (i, case) in array(&cases).iter().enumerate() {
        let groups = groups_of(&case);
        let at_set = match sets.iter().position(|(g, _, _)| *g == groups) {
            Some(s) => s,
            None => {
                sets.push((groups.clone(), Conditions::new(&groups), Vec::new()));
                sets.len() - 1
            }
        };
        let (_, set, members) = &mut sets[at_set];
        let mut diags = Diagnostics::default();
        let id = set.compile(&value(at(&case, 1)), &Path::root().index(i), &mut diags);
        members.push(id);
        ids.push((at_set, id));
    }
    let mut failed = Vec::new();
    for (i, c) in array(&cases).iter().enumerate() {
        let (at_set, id) = ids[i];
        let (_, set, members) = &sets[at_set];
        let attributes = value(at(&c, 2));
        let scope = Scope::empty();
        let mut pass = set.pass(&attributes, &scope);
        for &other in members.iter().rev() {
            pass.holds(other);
        }
        let expected = at(&c, 3).as_bool().expect("an expected boolean");
        if pass.holds(id) != expected {
            failed.push(format!(
                "  #{i} {:?}: expected {expected}",
                text(&at(&c, 0))
            ));
        }
    }
    let tally = format!(
        "evalCondition in {} shared sets: {}/{} passed (wasm)",
        sets.len(),
        ids.len() - failed.len(),
        ids.len()
    );
    wasm_support::report(&tally);
    assert!(
        failed.is_empty(),
        "{tally}; failing:\n{}",
        failed.join("\n")
    );
}

#[wasm_bindgen_test]
fn hash_cases() {
    // [seed, value, version, expected or null]
    run("hash", 15, |c| {
        let (seed, value) = (text(&at(c, 0)), text(&at(c, 1)));
        let version = num(&at(c, 2));
        let got = hash(&seed, &value, version as u32);
        (got != at(c, 3).as_f64())
            .then(|| format!("hash({seed:?}, {value:?}, {version}) = {got:?}"))
    });
}

#[wasm_bindgen_test]
fn get_bucket_range_cases() {
    // [name, [numVariations, coverage, weights or null], expected ranges]
    run("getBucketRange", 13, |c| {
        let args = at(c, 1);
        let weights = at(&args, 2);
        let weights: Option<Vec<f64>> =
            Array::is_array(&weights).then(|| array(&weights).iter().map(|w| num(&w)).collect());
        let got: Vec<(f64, f64)> = get_bucket_ranges(
            num(&at(&args, 0)) as i32,
            num(&at(&args, 1)),
            weights.as_deref(),
        )
        .into_iter()
        .map(|(a, b)| (floor8(a), floor8(b)))
        .collect();
        (got != ranges(&at(c, 2))).then(|| format!("{} -> {got:?}", text(&at(c, 0))))
    });
}

#[wasm_bindgen_test]
fn choose_variation_cases() {
    // [name, n, ranges, expectedIndex]
    run("chooseVariation", 13, |c| {
        let got = choose_variation(num(&at(c, 1)), &ranges(&at(c, 2)));
        (got as f64 != num(&at(c, 3))).then(|| format!("{} -> {got}", text(&at(c, 0))))
    });
}

#[wasm_bindgen_test]
fn get_equal_weights_cases() {
    // [numVariations, expected]
    run("getEqualWeights", 6, |c| {
        let n = num(&at(c, 0));
        let got: Vec<f64> = get_equal_weights(n as i32)
            .into_iter()
            .map(floor8)
            .collect();
        let expected: Vec<f64> = array(&at(c, 1)).iter().map(|w| num(&w)).collect();
        (got != expected).then(|| format!("{n} -> {got:?}"))
    });
}

#[wasm_bindgen_test]
fn in_namespace_cases() {
    // [name, id, [namespace, start, end], expected]
    run("inNamespace", 16, |c| {
        let ns = at(c, 2);
        let got = in_namespace(
            &text(&at(c, 1)),
            (&text(&at(&ns, 0)), num(&at(&ns, 1)), num(&at(&ns, 2))),
        );
        (Some(got) != at(c, 3).as_bool()).then(|| format!("{} -> {got}", text(&at(c, 0))))
    });
}

/// `$ini`, `$nini` and `$alli` lowercase text that is not ASCII with the browser's own
/// `toLowerCase` (no case table in the module): the mappings that are not one-to-one, and
/// scripts beyond Latin, as JavaScript defines them.
#[wasm_bindgen_test]
fn case_insensitive_operators_lowercase_as_javascript_does() {
    let js = |s: &str| js_sys::JSON::parse(s).expect("test JSON");
    for (attributes, condition, want) in [
        (
            r#"{"city":"İstanbul"}"#,
            r#"{"city":{"$ini":["i̇stanbul"]}}"#,
            true,
        ),
        (
            r#"{"street":"ΟΔΟΣ"}"#,
            r#"{"street":{"$ini":["οδος"]}}"#,
            true,
        ),
        (
            r#"{"street":"ΟΔΟΣ"}"#,
            r#"{"street":{"$ini":["οδοσ"]}}"#,
            false,
        ),
        (
            r#"{"city":"МОСКВА"}"#,
            r#"{"city":{"$nini":["москва"]}}"#,
            false,
        ),
        (
            r#"{"tags":["ÉTÉ","Soldes"]}"#,
            r#"{"tags":{"$alli":["été","soldes"]}}"#,
            true,
        ),
        (r#"{"name":"𐐀"}"#, r#"{"name":{"$ini":["𐐨"]}}"#, true),
    ] {
        let got = eval_condition(js(attributes), js(condition), JsValue::UNDEFINED);
        assert_eq!(got, want, "{attributes} {condition}");
    }
}
