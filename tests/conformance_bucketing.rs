//! GrowthBook's SDK conformance suite (`tests/fixtures/growthbook/cases.json`, MIT, see the
//! LICENSE beside it): the hashing and bucketing sections, which must pass in full.
//!
//! Native only (it reads the fixture with serde_json); `wasm_conformance.rs` runs the same cases
//! inside the wasm module.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use serde_json::Value as Json;
use trailmark::rules::bucket::{
    choose_variation, get_bucket_ranges, get_equal_weights, hash, in_namespace,
};

fn suite() -> Json {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/growthbook/cases.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("cases.json")
}

/// GrowthBook's own tests compare ranges and weights after this rounding.
fn floor8(x: f64) -> f64 {
    (x * 1e8).floor() / 1e8
}

fn num(v: &Json) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn ranges(v: &Json) -> Vec<(f64, f64)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| (num(&r[0]), num(&r[1])))
        .collect()
}

/// Runs `check` on every case of `section` (it returns the case name if the case fails),
/// prints the tally and returns the names of failures.
fn run(
    suite: &Json,
    section: &str,
    count: usize,
    check: impl Fn(&[Json]) -> Option<String>,
) -> Vec<String> {
    let cases = suite[section]
        .as_array()
        .unwrap_or_else(|| panic!("no section {section}"));
    assert_eq!(
        cases.len(),
        count,
        "{section}: suite has {} cases",
        cases.len()
    );
    let failed: Vec<String> = cases
        .iter()
        .filter_map(|c| check(c.as_array().unwrap()))
        .map(|name| format!("{section}: {name}"))
        .collect();
    println!(
        "{section}: {}/{} passed",
        cases.len() - failed.len(),
        cases.len()
    );
    failed
}

#[test]
fn growthbook_bucketing_sections() {
    let suite = suite();
    let mut failed = Vec::new();

    // [seed, value, version, expected or null]
    failed.extend(run(&suite, "hash", 15, |c| {
        let (seed, value) = (c[0].as_str().unwrap(), c[1].as_str().unwrap());
        let got = hash(seed, value, num(&c[2]) as u32);
        (got != c[3].as_f64()).then(|| format!("hash({seed:?}, {value:?}, {}) = {got:?}", c[2]))
    }));

    // [name, [numVariations, coverage, weights or null], expected ranges]
    failed.extend(run(&suite, "getBucketRange", 13, |c| {
        let args = &c[1];
        let weights: Option<Vec<f64>> = args[2].as_array().map(|w| w.iter().map(num).collect());
        let got: Vec<(f64, f64)> =
            get_bucket_ranges(num(&args[0]) as i32, num(&args[1]), weights.as_deref())
                .into_iter()
                .map(|(a, b)| (floor8(a), floor8(b)))
                .collect();
        (got != ranges(&c[2])).then(|| format!("{} -> {got:?}", c[0]))
    }));

    // [name, n, ranges, expectedIndex]
    failed.extend(run(&suite, "chooseVariation", 13, |c| {
        let got = choose_variation(num(&c[1]), &ranges(&c[2]));
        (got as f64 != num(&c[3])).then(|| format!("{} -> {got}", c[0]))
    }));

    // [numVariations, expected]
    failed.extend(run(&suite, "getEqualWeights", 6, |c| {
        let got: Vec<f64> = get_equal_weights(num(&c[0]) as i32)
            .into_iter()
            .map(floor8)
            .collect();
        let expected: Vec<f64> = c[1].as_array().unwrap().iter().map(num).collect();
        (got != expected).then(|| format!("{} -> {got:?}", c[0]))
    }));

    // [name, id, [namespace, start, end], expected]
    failed.extend(run(&suite, "inNamespace", 16, |c| {
        let ns = &c[2];
        let got = in_namespace(
            c[1].as_str().unwrap(),
            (ns[0].as_str().unwrap(), num(&ns[1]), num(&ns[2])),
        );
        (Some(got) != c[3].as_bool()).then(|| format!("{} -> {got}", c[0]))
    }));

    assert!(failed.is_empty(), "failed:\n{}", failed.join("\n"));
}
