//! GrowthBook's conformance suite (`tests/fixtures/growthbook/cases.json`, MIT, see the LICENSE
//! beside it), `run` section: every case a Trailmark rule can express (key, variations, weights,
//! coverage, namespace, seed, hash version, the `id` attribute; no forcing, conditions, filters,
//! explicit ranges or URL targeting, which a rule's `if` or nothing stands for) is compiled as a
//! rule's variants and assigned; variant and `inExperiment` must match. Prints
//! `experiments: growthbook run N/N (M cases not expressible)`.
//!
//! The 100,000-id comparison with the npm package is `tests/experiments.test.mjs`.
#![cfg(not(target_arch = "wasm32"))]

use serde_json::{json, Value as Json};
use trailmark::experiments::{compile_rule, Assignments, Keys};
use trailmark::{Diagnostics, Path, Value};

const EXPRESSIBLE: &[&str] = &[
    "key",
    "variations",
    "weights",
    "coverage",
    "namespace",
    "seed",
    "hashVersion",
    "hashAttribute",
    "active",
];

/// The case's experiment as a Trailmark rule, or `None` when a rule cannot express it.
fn as_rule(context: &Json, exp: &Json) -> Option<Value> {
    let context = context.as_object()?;
    if context.keys().any(|k| k != "attributes") {
        return None;
    }
    let exp = exp.as_object()?;
    if exp.keys().any(|k| !EXPRESSIBLE.contains(&k.as_str()))
        || exp.get("active").is_some_and(|a| a != true)
        || exp.get("hashAttribute").is_some_and(|h| h != "id")
    {
        return None;
    }
    let n = exp.get("variations")?.as_array()?.len();
    let weights = exp.get("weights").and_then(Json::as_array);
    let variants: Vec<Json> = (0..n)
        .map(|i| match weights {
            Some(w) => json!({"id": i.to_string(), "weight": w.get(i)}),
            None => json!({"id": i.to_string()}),
        })
        .collect();
    let mut experiment = json!({
        "key": exp.get("key")?,
        // GrowthBook's run() defaults to version 1; Trailmark's config to 2.
        "hashVersion": exp.get("hashVersion").cloned().unwrap_or(json!(1)),
    });
    for field in ["coverage", "namespace", "seed"] {
        if let Some(v) = exp.get(field) {
            experiment[field] = v.clone();
        }
    }
    Some(Value::from_serde(
        &json!({"id": "rule", "variants": variants, "experiment": experiment}),
    ))
}

#[test]
fn growthbook_run_cases() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/growthbook/cases.json");
    let suite: Json =
        serde_json::from_str(&std::fs::read_to_string(path).expect("cases.json")).expect("JSON");
    let cases = suite["run"].as_array().expect("a run section");
    let (mut ran, mut skipped, mut failures) = (0, 0, Vec::new());
    for case in cases {
        // [name, context, experiment, value, inExperiment, hashUsed]
        let c = case.as_array().expect("a case");
        let name = c[0].as_str().expect("a name");
        let Some(rule) = as_rule(&c[1], &c[2]) else {
            skipped += 1;
            continue;
        };
        // A single variation: GrowthBook runs nothing; Trailmark refuses the rule.
        let mut diags = Diagnostics::default();
        let experiment = compile_rule(
            rule.as_object().expect("object"),
            &Path::root(),
            Some("rule"),
            |_| None,
            &mut Keys::default(),
            &mut diags,
        );
        ran += 1;
        let expected_in = c[4].as_bool().expect("inExperiment");
        let id = c[1]["attributes"]["id"].as_str().unwrap_or("");
        let got = experiment
            .as_ref()
            .and_then(|e| e.assign(None, &Assignments::with_key(id)));
        let variations = c[2]["variations"].as_array().expect("variations");
        let expected_index = variations.iter().position(|v| *v == c[3]);
        let ok = match got {
            Some(a) => expected_in && c[5] == true && Some(a.variant) == expected_index,
            None => !expected_in,
        };
        if !ok {
            failures.push(format!("{name}: got {got:?}, diagnostics {:?}", diags.0));
        }
    }
    println!(
        "experiments: growthbook run {}/{ran} ({skipped} cases not expressible)",
        ran - failures.len()
    );
    assert!(failures.is_empty(), "failing:\n  {}", failures.join("\n  "));
    assert!(ran >= 40, "only {ran} cases ran");
}
