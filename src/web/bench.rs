//! Benchmark hook (feature `bench-hooks`, never in a shipped build): compiled rules and a
//! visitor profile held in wasm, one call per event, as the tracker does on every event.

use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use super::convert::{to_value, Limits};
use crate::diag::{Diagnostics, Path};
use crate::history::Scope;
use crate::rules::{ConditionId, Conditions};
use crate::value::{Map, Value};

/// Rules compiled once, evaluated per event against a profile that stays in wasm memory.
#[wasm_bindgen]
pub struct Bench {
    set: Conditions,
    rules: Vec<ConditionId>,
    profile: Value,
}

#[wasm_bindgen]
impl Bench {
    /// Compiles `conditions` (an array) into one set, as a config does, and keeps `profile`.
    /// With `share` false, identical tests of different conditions are not shared (the
    /// control that shows what sharing is worth).
    #[wasm_bindgen(constructor)]
    pub fn new(conditions: JsValue, profile: JsValue, share: bool) -> Bench {
        let raw = to_value(&conditions, Limits::CONFIG).value;
        let mut diags = Diagnostics::default();
        let mut set = if share {
            Conditions::new(&Map::new())
        } else {
            Conditions::unshared(&Map::new())
        };
        let rules = raw
            .as_array()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, c)| set.compile(c, &Path::root().index(i), &mut diags))
            .collect();
        Bench {
            set,
            rules,
            profile: to_value(&profile, Limits::CONFIG).value,
        }
    }

    /// One event arrives: the profile records it, every rule is evaluated; returns a
    /// fingerprint of the answers in rule order (FNV-1a over one 0 or 1 per rule), which the
    /// page compares with GrowthBook's.
    pub fn event(&mut self, name: &str) -> u32 {
        // The profile records the event (in place: the string's buffer is reused).
        if let Value::Object(p) = &mut self.profile {
            match p.get_mut("lastEvent") {
                Some(Value::String(last)) => {
                    last.clear();
                    last.push_str(name);
                }
                _ => p.insert("lastEvent", Value::from(name)),
            }
        }
        // One pass per event, as `Tracker::decide` does, but every rule is evaluated (`decide`
        // skips the rules of a slot already filled): the upper bound.
        let scope = Scope::empty();
        let mut pass = self.set.pass(&self.profile, &scope);
        self.rules.iter().fold(0x811c_9dc5_u32, |h, &r| {
            (h ^ u32::from(pass.holds(r))).wrapping_mul(0x0100_0193)
        })
    }
}
