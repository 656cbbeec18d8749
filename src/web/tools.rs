//! The tools chunk (`trailmark_tools_bg.wasm`): what pages rarely need, kept out of the module
//! every shopper downloads. The loader imports it only when a page hands Trailmark a JSON config
//! (it compiles it) or calls `validateConfig`, `evalCondition` or a bucketing function.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use super::convert::{to_js, to_value, Limits};
use super::guard::Entry;
use crate::config;
use crate::diag::{Diagnostic, Severity};
use crate::rules::bucket;
use crate::value::{Map, Value};

fn set(obj: &Object, key: &str, value: &str) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &JsValue::from_str(value));
}

fn diagnostics_to_js(diags: &[Diagnostic]) -> Array {
    diags
        .iter()
        .map(|d| {
            let o = Object::new();
            set(
                &o,
                "severity",
                if d.severity == Severity::Error {
                    "error"
                } else {
                    "warning"
                },
            );
            set(&o, "code", d.code);
            set(&o, "path", &d.path);
            set(&o, "message", &d.message);
            JsValue::from(o)
        })
        .collect()
}

/// GrowthBook's `evalCondition(attributes, condition, savedGroups)`, on the same engine rules
/// use. Malformed conditions evaluate to `false`; never throws.
#[wasm_bindgen(js_name = evalCondition)]
pub fn eval_condition(attributes: JsValue, condition: JsValue, saved_groups: JsValue) -> bool {
    let Some(_entry) = Entry::enter() else {
        return false;
    };
    let attributes = to_value(&attributes, Limits::CONFIG).value;
    let condition = to_value(&condition, Limits::CONFIG).value;
    let groups = match to_value(&saved_groups, Limits::CONFIG).value {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    crate::rules::eval_condition(&attributes, &condition, &groups)
}

/// Compiles a config without applying it: every diagnostic as `{severity, code, path, message}`.
#[wasm_bindgen(js_name = validateConfig)]
pub fn validate_config(config: JsValue) -> Array {
    let Some(_entry) = Entry::enter() else {
        return Array::new();
    };
    let raw = to_value(&config, Limits::CONFIG).value;
    diagnostics_to_js(&config::compile(&raw).diagnostics.0)
}

/// Compiles a config (the parsed JSON of `trailmark.json`) into a compiled config for the core
/// module: `{program, blocks, diagnostics}`, `program` being the bytes of the valid part (rules
/// or blocks with errors are left out, as `trailmark build` leaves them), `blocks` the content
/// blocks by id as the renderer builds them, and `diagnostics` every problem as `{severity,
/// code, path, message}`.
#[wasm_bindgen(js_name = compileConfig)]
pub fn compile_config(config: JsValue) -> Object {
    let out = Object::new();
    let Some(_entry) = Entry::enter() else {
        return out;
    };
    let raw = to_value(&config, Limits::CONFIG).value;
    let compiled = config::compile(&raw);
    let program = crate::program::encode(&compiled.config);
    let _ = Reflect::set(
        &out,
        &JsValue::from_str("program"),
        &js_sys::Uint8Array::from(program.as_slice()),
    );
    let _ = Reflect::set(
        &out,
        &JsValue::from_str("blocks"),
        &to_js(&crate::program::blocks_json(&compiled)),
    );
    let _ = Reflect::set(
        &out,
        &JsValue::from_str("diagnostics"),
        &diagnostics_to_js(&compiled.diagnostics.0),
    );
    out
}

/// GrowthBook's `hash(seed, value, version)`: a number in `[0, 1)`, or `null` for an unknown
/// version.
#[wasm_bindgen]
pub fn hash(seed: &str, value: &str, version: u32) -> Option<f64> {
    bucket::hash(seed, value, version)
}

/// The numbers of a JS array (non-numbers read as NaN), or `None` when `v` is not an array.
fn numbers(v: &JsValue) -> Option<Vec<f64>> {
    let a = v.dyn_ref::<Array>()?;
    Some(a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect())
}

/// GrowthBook's `getEqualWeights(n)`.
#[wasm_bindgen(js_name = getEqualWeights)]
pub fn get_equal_weights(n: i32) -> Array {
    // A variation count is small; anything larger is no real experiment.
    let n = n.min(10_000);
    bucket::get_equal_weights(n)
        .into_iter()
        .map(JsValue::from)
        .collect()
}

/// GrowthBook's `getBucketRanges(numVariations, coverage, weights)`: `[[start, end], ...]`.
#[wasm_bindgen(js_name = getBucketRanges)]
pub fn get_bucket_ranges(num_variations: i32, coverage: f64, weights: JsValue) -> Array {
    let weights = numbers(&weights);
    bucket::get_bucket_ranges(num_variations.min(10_000), coverage, weights.as_deref())
        .into_iter()
        .map(|(start, end)| Array::of2(&start.into(), &end.into()))
        .collect()
}

/// GrowthBook's `chooseVariation(n, ranges)`: the index of the range holding `n`, or -1.
#[wasm_bindgen(js_name = chooseVariation)]
pub fn choose_variation(n: f64, ranges: JsValue) -> i32 {
    let ranges: Vec<(f64, f64)> = ranges
        .dyn_ref::<Array>()
        .map(|a| {
            a.iter()
                .map(|r| {
                    let r = numbers(&r).unwrap_or_default();
                    (
                        r.first().copied().unwrap_or(f64::NAN),
                        r.get(1).copied().unwrap_or(f64::NAN),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    bucket::choose_variation(n, &ranges)
}

/// GrowthBook's `inNamespace(hashValue, [id, start, end])`.
#[wasm_bindgen(js_name = inNamespace)]
pub fn in_namespace(user_id: &str, namespace: JsValue) -> bool {
    let Some(ns) = namespace.dyn_ref::<Array>() else {
        return false;
    };
    let id = ns.get(0).as_string().unwrap_or_default();
    let at = |i| ns.get(i).as_f64().unwrap_or(f64::NAN);
    bucket::in_namespace(user_id, (&id, at(1), at(2)))
}

/// Which variant of a rule's experiment a visitor gets, as GrowthBook's `run()` reports it:
/// `rule` is a rule object (`{id, variants, experiment}`; a variant's `show` is not checked
/// against any blocks), `attributes` `{id, userId}` (`id` is the assignment key: the anonymous
/// id). Answers `{inExperiment, variationId, key, hashAttribute, hashValue, hashUsed, bucket,
/// diagnostics}` with GrowthBook's meanings (`key` is the variant id; `variationId` is 0 and
/// `bucket` absent when not in the experiment); sticky assignments are not consulted. Never
/// throws: an invalid rule answers `inExperiment: false` with its diagnostics.
#[wasm_bindgen(js_name = assignVariation)]
pub fn assign_variation(rule: JsValue, attributes: JsValue) -> Object {
    let Some(_entry) = Entry::enter() else {
        return Object::new();
    };
    let (experiment, diagnostics) = compile_experiment(&rule);
    let out = assignment_to_js(experiment.as_ref(), &attributes);
    let _ = Reflect::set(&out, &JsValue::from_str("diagnostics"), &diagnostics);
    out
}

/// [`assign_variation`] for many visitors of one rule, compiled once:
/// `{results: [{inExperiment, ...}, ...], diagnostics}`, one result per element of
/// `attributes` (an array of `{id, userId}`).
#[wasm_bindgen(js_name = assignVariations)]
pub fn assign_variations(rule: JsValue, attributes: JsValue) -> Object {
    let out = Object::new();
    let Some(_entry) = Entry::enter() else {
        return out;
    };
    let (experiment, diagnostics) = compile_experiment(&rule);
    let results: Array = attributes
        .dyn_ref::<Array>()
        .map(|a| {
            a.iter()
                .map(|attrs| JsValue::from(assignment_to_js(experiment.as_ref(), &attrs)))
                .collect()
        })
        .unwrap_or_default();
    let _ = Reflect::set(&out, &JsValue::from_str("results"), &results);
    let _ = Reflect::set(&out, &JsValue::from_str("diagnostics"), &diagnostics);
    out
}

/// The experiment of a rule object, and its diagnostics for JavaScript.
fn compile_experiment(rule: &JsValue) -> (Option<crate::experiments::Experiment>, Array) {
    let rule = to_value(rule, Limits::CONFIG).value;
    let mut diags = crate::diag::Diagnostics::default();
    let empty = Map::new();
    let experiment = crate::experiments::compile_rule(
        rule.as_object().unwrap_or(&empty),
        &crate::diag::Path::root(),
        rule.get("id").and_then(Value::as_str),
        |_| Some(0),
        &mut crate::experiments::Keys::default(),
        &mut diags,
    );
    (experiment, diagnostics_to_js(&diags.0))
}

/// GrowthBook's `run()` result fields for a visitor with `attributes` (`{id, userId}`).
fn assignment_to_js(
    experiment: Option<&crate::experiments::Experiment>,
    attributes: &JsValue,
) -> Object {
    use crate::experiments::{Assignments, HashAttribute};
    let text = |key: &str| {
        Reflect::get(attributes, &JsValue::from_str(key))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    let (key, user) = (text("id"), text("userId"));
    let assigned = experiment.and_then(|e| e.assign(Some(&user), &Assignments::with_key(&key)));
    let by_user = match experiment.map(|e| e.hash_attribute) {
        Some(HashAttribute::UserId) => true,
        Some(HashAttribute::UserIdElseId) => !user.is_empty(),
        _ => false,
    };
    let out = Object::new();
    let put = |k: &str, v: JsValue| {
        let _ = Reflect::set(&out, &JsValue::from_str(k), &v);
    };
    put("inExperiment", assigned.is_some().into());
    put("hashUsed", assigned.is_some().into());
    let variant = assigned.map_or(0, |a| a.variant);
    put("variationId", (variant as u32).into());
    if let Some(v) = experiment.and_then(|e| e.variants.get(variant)) {
        put("key", JsValue::from_str(&v.id));
    }
    put(
        "hashAttribute",
        JsValue::from_str(if by_user { "userId" } else { "id" }),
    );
    put(
        "hashValue",
        JsValue::from_str(if by_user { &user } else { &key }),
    );
    if let Some(a) = assigned {
        put("bucket", a.bucket.into());
    }
    out
}

/// `trailmark.explain()`'s work: every slot's and overlay placement's candidate rules in order
/// and why each showed or not (see `Tracker::explain`), for the compiled `program` the page's
/// module runs and the `state` it handed over (`explainState()`, its `record` parsed).
#[wasm_bindgen]
pub fn explain(program: &[u8], state: JsValue) -> JsValue {
    let Some(_entry) = Entry::enter() else {
        return JsValue::NULL;
    };
    let Ok(config) = crate::program::decode(program) else {
        return JsValue::NULL;
    };
    let state = to_value(&state, Limits::RECORD).value;
    let text = |k: &str| {
        state
            .get("page")
            .and_then(|p| p.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let page = crate::tracker::Page {
        url: text("url"),
        path: text("path"),
        search: text("search"),
        title: text("title"),
        referrer: text("referrer"),
    };
    let now = state.get("now").and_then(Value::as_f64).unwrap_or(0.0) as i64;
    let t = crate::tracker::Tracker::from_explain_state(config, &state, super::convert::js_float);
    to_js(&t.explain(&page, now))
}
