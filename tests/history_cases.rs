//! History predicates (`$event`, `$sequence`, `$absent`) against recorded histories, natively:
//! `tests/fixtures/history/predicates.json` (answers) and `errors.json` (diagnostics). The same
//! fixtures run inside wasm in `tests/wasm_history.rs`. Prints
//! `history: predicates N/N, errors M/M` (see it with `-- --nocapture`).
#![cfg(not(target_arch = "wasm32"))]

#[path = "history_support/mod.rs"]
mod support;

use std::path::PathBuf;
use trailmark::Value;

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/history")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Value::parse_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn history_fixtures() {
    let predicates = support::predicates(&fixture("predicates.json"));
    let errors = support::errors(&fixture("errors.json"));
    println!(
        "history: predicates {}/{}, errors {}/{}",
        predicates.passed(),
        predicates.total,
        errors.passed(),
        errors.total
    );
    let failures = support::Tally::all_failures(&[&predicates, &errors]);
    assert!(failures.is_empty(), "failing:\n  {}", failures.join("\n  "));
    assert!(
        predicates.total >= 100 && errors.total >= 30,
        "the fixtures are there"
    );
}
