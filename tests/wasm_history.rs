//! The history fixtures (`tests/fixtures/history/`) inside the wasm module in headless Chromium:
//! the same runner as `tests/history_cases.rs` (`history_support`), with the fixtures parsed by
//! the browser's `JSON.parse` and converted by the shell's own converter, as a page's config
//! is, so a difference between the native and the browser build (number conversion, object key
//! order, float arithmetic) shows up here. Prints `history: predicates N/N, errors M/M (wasm)`.
#![cfg(all(target_arch = "wasm32", not(feature = "tools")))]

#[path = "wasm_support/mod.rs"]
mod wasm_support;

#[path = "history_support/mod.rs"]
mod support;

use trailmark::web::convert::{to_value, Limits};
use trailmark::Value;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const PREDICATES: &str = include_str!("fixtures/history/predicates.json");
const ERRORS: &str = include_str!("fixtures/history/errors.json");

/// `JSON.parse(text)`, converted as the shell converts configs (and nothing cut off).
fn parse(name: &str, text: &str) -> Value {
    let js = js_sys::JSON::parse(text).unwrap_or_else(|e| panic!("{name} is not JSON: {e:?}"));
    let converted = to_value(&js, Limits::CONFIG);
    assert!(
        !converted.clamped,
        "{name}: the converter cut something off"
    );
    converted.value
}

#[wasm_bindgen_test]
fn history_fixtures_in_wasm() {
    let predicates = support::predicates(&parse("predicates.json", PREDICATES));
    let errors = support::errors(&parse("errors.json", ERRORS));
    let tally = format!(
        "history: predicates {}/{}, errors {}/{} (wasm)",
        predicates.passed(),
        predicates.total,
        errors.passed(),
        errors.total
    );
    wasm_support::report(&tally);
    let failures = support::Tally::all_failures(&[&predicates, &errors]);
    assert!(
        failures.is_empty(),
        "{tally}; failing:\n  {}",
        failures.join("\n  ")
    );
    assert!(
        predicates.total >= 100 && errors.total >= 30,
        "the fixtures are there"
    );
}
