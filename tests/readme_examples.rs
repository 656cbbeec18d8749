//! The README's history-predicate and journey examples are the tested ones: every example
//! compiles without a diagnostic, the three documented examples are the fixture cases of the
//! same name (`tests/fixtures/history/predicates.json`, run natively and in wasm), and the
//! journey printed is the demo store's (walked end to end by `tests/e2e/journeys.test.mjs`).

#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value as Json;
use trailmark::diag::{Diagnostics, Path};
use trailmark::rules::Condition;
use trailmark::{Map, Value};

fn readme_section(title: &str) -> String {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let start = readme
        .find(title)
        .unwrap_or_else(|| panic!("README has {title}"));
    let rest = &readme[start + title.len()..];
    let end = rest.find("\n### ").unwrap_or(rest.len());
    rest[..end].to_string()
}

/// The ```json blocks of a section, each as one JSON value or (a block of one-line examples)
/// as one value per line.
fn examples(section: &str) -> Vec<Json> {
    let mut out = Vec::new();
    for block in section.split("```json\n").skip(1) {
        let body = block.split("```").next().expect("closed block");
        match serde_json::from_str::<Json>(body) {
            Ok(v) => out.push(v),
            Err(_) => {
                for line in body.lines().filter(|l| !l.trim().is_empty()) {
                    out.push(serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}")));
                }
            }
        }
    }
    out
}

fn compiles_clean(condition: &Json) {
    let mut diags = Diagnostics::default();
    Condition::compile(
        &Value::from_serde(condition),
        &Path::root(),
        &Map::new(),
        &mut diags,
    );
    assert!(diags.0.is_empty(), "{condition}: {diags:?}");
}

#[test]
fn history_predicate_examples_compile_and_are_the_fixture_cases() {
    let printed = examples(&readme_section("### History predicates"));
    assert_eq!(
        printed.len(),
        8,
        "five one-line examples and three documented ones"
    );
    printed.iter().for_each(compiles_clean);
    let fixtures: Json = serde_json::from_str(
        &std::fs::read_to_string("tests/fixtures/history/predicates.json").expect("fixtures"),
    )
    .expect("fixtures are JSON");
    let documented: Vec<&Json> = fixtures["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .filter(|c| {
            let name = c["name"].as_str().unwrap_or("");
            name.starts_with("documented example: abandoned cart")
                || name == "documented example: browse without buying"
                || name == "documented example: returning buyer"
        })
        .collect();
    assert_eq!(documented.len(), 3);
    for case in documented {
        assert!(
            printed.contains(&case["condition"]),
            "{} is not printed in the README",
            case["name"]
        );
        assert_eq!(case["expected"], Json::Bool(true), "{}", case["name"]);
    }
}

#[test]
fn the_journey_printed_is_the_demo_stores_and_compiles_clean() {
    let printed = examples(&readme_section("### Journeys"));
    assert_eq!(printed.len(), 1);
    let demo: Json =
        serde_json::from_str(&std::fs::read_to_string("www/trailmark.json").expect("demo config"))
            .expect("demo config is JSON");
    assert_eq!(printed[0], demo["journeys"][0]);
    let config = serde_json::json!({ "version": 1, "journeys": [printed[0].clone()] });
    let compiled = trailmark::config::compile(&Value::from_serde(&config));
    assert!(
        compiled.diagnostics.0.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
    assert_eq!(compiled.config.journeys.len(), 1);
}
