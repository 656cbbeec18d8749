//! Benchmark hook (feature `bench-hooks`, never in a shipped build): compiled rules and a
//! visitor profile held in wasm, one call per event, as the tracker does on every event.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::convert::{to_value, Limits};
use crate::diag::{Diagnostics, Path};
use crate::history::Scope;
use crate::rules::Condition;
use crate::value::{Map, Value};

/// Rules compiled once, evaluated per event against a profile that stays in wasm memory.
#[wasm_bindgen]
pub struct Bench {
    rules: Vec<Condition>,
    profile: Value,
}

#[wasm_bindgen]
impl Bench {
    /// Compiles `conditions` (an array) and keeps `profile`.
    #[wasm_bindgen(constructor)]
    pub fn new(conditions: JsValue, profile: JsValue) -> Bench {
        let raw = to_value(&conditions, Limits::CONFIG).value;
        let mut diags = Diagnostics::default();
        let groups = Map::new();
        let rules = raw
            .as_array()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, c)| Condition::compile(c, &Path::root().index(i), &groups, &mut diags))
            .collect();
        Bench {
            rules,
            profile: to_value(&profile, Limits::CONFIG).value,
        }
    }

    /// One event arrives: the profile records it, every rule is evaluated; returns how many match.
    pub fn event(&mut self, name: &str) -> u32 {
        if let Value::Object(p) = &mut self.profile {
            p.insert("lastEvent", Value::String(name.to_owned()));
        }
        let scope = Scope::empty();
        self.rules
            .iter()
            .filter(|r| r.eval(&self.profile, &scope))
            .count() as u32
    }
}
