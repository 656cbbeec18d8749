//! Native tests of experiments, with injected time. The compile cases are fixture-driven
//! (`tests/experiments_compile.rs`); GrowthBook agreement is in `tests/experiments_growthbook.rs`
//! (the conformance suite's `run` cases) and `tests/experiments.test.mjs` (100,000+ ids against
//! the npm package).

mod assign;
mod exposures;
mod holdout;
mod sticky;
mod wire;

use super::*;
use crate::diag::{Diagnostics, Path};
use crate::time::Millis;
use crate::value::Value;

const T0: Millis = 1_765_090_000_000;
const HOUR: Millis = 3_600_000;

/// The experiment of a rule written as JSON; blocks are named `b0`, `b1`, ... (index = number).
fn experiment(rule: &str) -> Experiment {
    let raw = Value::parse_json(rule).expect("test rule is JSON");
    let mut diags = Diagnostics::default();
    let block = |name: &str| name.strip_prefix('b').and_then(|n| n.parse().ok());
    let e = compile_rule(
        raw.as_object().expect("a rule object"),
        &Path::root().key("rules").index(0),
        raw.get("id").and_then(Value::as_str),
        block,
        &mut Keys::default(),
        &mut diags,
    );
    assert!(diags.0.is_empty(), "{rule}: {:?}", diags.0);
    e.expect("an experiment")
}

/// The `/holdout` section written as JSON.
fn holdout(section: &str) -> Holdout {
    let raw = Value::parse_json(section).expect("test holdout is JSON");
    let mut diags = Diagnostics::default();
    let h = compile_holdout(
        &raw,
        &Path::root().key("holdout"),
        &mut Keys::default(),
        &mut diags,
    );
    assert!(diags.0.is_empty(), "{section}: {:?}", diags.0);
    h.expect("a holdout")
}

/// `n` distinct visitor ids.
fn ids(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("visitor-{i}")).collect()
}

/// The variants' bucket ranges.
fn ranges(e: &Experiment) -> Vec<(f64, f64)> {
    e.variants.iter().map(|v| v.range).collect()
}

/// The index of the variant with id `id`.
fn variant(e: &Experiment, id: &str) -> usize {
    e.variants
        .iter()
        .position(|v| v.id == id)
        .unwrap_or_else(|| panic!("no variant {id}"))
}
