//! Compiling a rule's `variants` / `experiment` and the `/holdout` section:
//! `tests/fixtures/experiments/compile.json`, every compiled experiment summarized and every
//! diagnostic (severity, code, path) compared exactly. Prints `experiments: compile N/N`.
#![cfg(not(target_arch = "wasm32"))]

use trailmark::experiments::{
    compile_holdout, compile_rule, Experiment, HashAttribute, Keys, MAX_ID_BYTES,
};
use trailmark::{Diagnostics, Path, Severity, Value};

fn fixture() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/experiments/compile.json");
    let text = std::fs::read_to_string(&path).expect("compile.json");
    Value::parse_json(&text).expect("compile.json is JSON")
}

fn s(text: &str) -> Value {
    Value::from(text)
}

/// The experiment as the fixture writes it; blocks by name.
fn summary(e: &Experiment, blocks: &[Value]) -> Value {
    let num = Value::Number;
    Value::object(vec![
        ("key", s(&e.key)),
        ("name", s(&e.name)),
        ("seed", s(&e.seed)),
        ("hashVersion", num(f64::from(e.hash_version))),
        (
            "hashAttribute",
            s(match e.hash_attribute {
                HashAttribute::Id => "id",
                HashAttribute::UserId => "userId",
                HashAttribute::UserIdElseId => "userId, fallback id",
            }),
        ),
        (
            "namespace",
            e.namespace.as_ref().map_or(Value::Null, |n| {
                Value::Array(vec![s(&n.id), num(n.start), num(n.end)])
            }),
        ),
        (
            "ranges",
            Value::Array(
                e.variants
                    .iter()
                    .map(|v| Value::Array(vec![num(v.range.0), num(v.range.1)]))
                    .collect(),
            ),
        ),
        (
            "variants",
            Value::Array(
                e.variants
                    .iter()
                    .map(|v| {
                        Value::object(vec![
                            ("id", s(&v.id)),
                            ("name", s(&v.name)),
                            ("show", v.block.map_or(Value::Null, |b| blocks[b].clone())),
                        ])
                    })
                    .collect(),
            ),
        ),
    ])
}

fn diagnostics(d: &Diagnostics) -> Value {
    Value::Array(
        d.0.iter()
            .map(|d| {
                Value::Array(vec![
                    s(if d.severity == Severity::Error {
                        "error"
                    } else {
                        "warning"
                    }),
                    s(d.code),
                    s(&d.path),
                ])
            })
            .collect(),
    )
}

/// `v` as the fixture's parser reads it (object keys sorted, numbers through their shortest
/// text), so that a summary compares equal to the fixture's JSON.
fn as_read(v: Value) -> Value {
    Value::parse_json(&trailmark::json::to_string(
        &v,
        trailmark::json::native_float,
    ))
    .expect("a summary is JSON")
}

/// What one case compiles to: `(experiments, holdout, diagnostics)` in the fixture's form.
fn run(case: &Value, blocks: &[Value]) -> (Value, Option<Value>, Value) {
    let mut diags = Diagnostics::default();
    let mut keys = Keys::default();
    let rules = Path::root().key("rules");
    let block = |name: &str| blocks.iter().position(|b| b.as_str() == Some(name));
    let experiments = case
        .get("rules")
        .and_then(Value::as_array)
        .expect("rules")
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let obj = rule.as_object().expect("a rule object");
            let id = rule.get("id").and_then(Value::as_str);
            compile_rule(obj, &rules.index(i), id, block, &mut keys, &mut diags)
                .map_or(Value::Null, |e| summary(&e, blocks))
        })
        .collect();
    let holdout = case.get("holdout").map(|raw| {
        compile_holdout(raw, &Path::root().key("holdout"), &mut keys, &mut diags)
            .map_or(Value::Null, |h| summary(&h.experiment, blocks))
    });
    (
        as_read(Value::Array(experiments)),
        holdout.map(as_read),
        diagnostics(&diags),
    )
}

#[test]
fn compile_cases() {
    let fixture = fixture();
    let blocks = fixture
        .get("blocks")
        .and_then(Value::as_array)
        .expect("blocks");
    let cases = fixture
        .get("cases")
        .and_then(Value::as_array)
        .expect("cases");
    let mut failures = Vec::new();
    for case in cases {
        let name = case.get("name").and_then(Value::as_str).expect("name");
        let (experiments, holdout, diags) = run(case, blocks);
        let want = |k: &str| case.get(k).cloned().expect(k);
        if experiments != want("experiments") {
            failures.push(format!("{name}: experiments {experiments:?}"));
        }
        if holdout.is_some() && holdout != case.get("expectHoldout").cloned() {
            failures.push(format!("{name}: holdout {holdout:?}"));
        }
        if diags != want("diagnostics") {
            failures.push(format!("{name}: diagnostics {diags:?}"));
        }
    }
    println!(
        "experiments: compile {}/{}",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(failures.is_empty(), "failing:\n  {}", failures.join("\n  "));
    assert!(cases.len() >= 30, "the cases are there");
}

#[test]
fn ids_longer_than_200_bytes_are_refused_where_they_are() {
    let long = "é".repeat(MAX_ID_BYTES / 2 + 1);
    let rule = format!(
        r#"{{"id": "{long}", "variants": [{{"id": "{long}"}}, {{"id": "b", "name": "{long}"}}],
            "experiment": {{"seed": "{long}", "namespace": ["{long}", 0, 1]}}}}"#
    );
    let raw = Value::parse_json(&rule).expect("JSON");
    let mut diags = Diagnostics::default();
    let got = compile_rule(
        raw.as_object().expect("object"),
        &Path::root().key("rules").index(0),
        raw.get("id").and_then(Value::as_str),
        |_| None,
        &mut Keys::default(),
        &mut diags,
    );
    assert!(got.is_none());
    let found: Vec<(&str, &str)> = diags.0.iter().map(|d| (d.code, d.path.as_str())).collect();
    assert_eq!(
        found,
        vec![
            ("experiments/too-long", "/rules/0/variants/0/id"),
            ("experiments/too-long", "/rules/0/variants/1/name"),
            ("experiments/too-long", "/rules/0/experiment/seed"),
            ("experiments/too-long", "/rules/0/experiment/namespace/0"),
            // The key defaults to the rule id, which is too long to be one.
            ("experiments/too-long", "/rules/0/id"),
        ]
    );
}
