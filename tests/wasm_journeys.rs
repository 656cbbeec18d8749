//! The journey scenarios (`tests/fixtures/journeys/scenarios.json`) inside the wasm module in
//! headless Chromium: the same runner as `tests/journeys_cases.rs` (`journeys_support`), with
//! JSON parsed by the browser's `JSON.parse` and numbers written by JavaScript, as in a page.
//! Prints `journeys: scenarios N/N (wasm)`.
#![cfg(all(target_arch = "wasm32", not(feature = "tools")))]

#[path = "wasm_support/mod.rs"]
mod wasm_support;

#[path = "journeys_support/mod.rs"]
mod support;

use trailmark::web::convert::{js_float, to_value, Limits};
use trailmark::Value;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const SCENARIOS: &str = include_str!("fixtures/journeys/scenarios.json");

fn parse(text: &str) -> Value {
    let js = js_sys::JSON::parse(text).unwrap_or_else(|e| panic!("not JSON: {e:?}"));
    to_value(&js, Limits::CONFIG).value
}

#[wasm_bindgen_test]
fn journey_scenarios_in_wasm() {
    let tally = support::scenarios(&parse(SCENARIOS), js_float, &parse);
    let line = format!(
        "journeys: scenarios {}/{} (wasm)",
        tally.passed(),
        tally.total
    );
    wasm_support::report(&line);
    assert!(
        tally.failures.is_empty(),
        "{line}; failing:\n  {}",
        tally.failures.join("\n  ")
    );
    assert!(tally.total >= 10, "the scenarios are there");
}
