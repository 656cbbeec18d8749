//! Journey scenarios with injected time, natively: `tests/fixtures/journeys/scenarios.json`
//! through `journeys_support` (the same runner as `tests/wasm_journeys.rs`). Prints
//! `journeys: scenarios N/N`.
#![cfg(not(target_arch = "wasm32"))]

#[path = "journeys_support/mod.rs"]
mod support;

use trailmark::json::native_float;
use trailmark::Value;

#[test]
fn journey_scenarios() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/journeys/scenarios.json"),
    )
    .expect("scenarios.json");
    let fixture = Value::parse_json(&text).expect("scenarios.json is JSON");
    let parse = |s: &str| Value::parse_json(s).expect("a batch is JSON");
    let tally = support::scenarios(&fixture, native_float, &parse);
    println!("journeys: scenarios {}/{}", tally.passed(), tally.total);
    assert!(
        tally.failures.is_empty(),
        "failing:\n  {}",
        tally.failures.join("\n  ")
    );
    assert!(tally.total >= 10, "the scenarios are there");
}
