//! The public face of the engine: [`Condition`] and [`eval_condition`].

use super::set::{ConditionId, Conditions};
#[cfg(feature = "compiler")]
use crate::diag::{Diagnostics, Path};
use crate::history::Scope;
#[cfg(feature = "compiler")]
use crate::value::Map;
use crate::value::Value;

/// A compiled GrowthBook condition, ready to evaluate against attributes many times.
///
/// ```
/// use trailmark::{history::Scope, rules::Condition, Diagnostics, Map, Path, Value};
///
/// let raw = r#"{"cart.value": {"$gte": 50}, "country": {"$in": ["DE", "AT"]}}"#;
/// let raw = Value::parse_json(raw).unwrap();
/// let mut diags = Diagnostics::default();
/// let cond = Condition::compile(&raw, &Path::root().key("if"), &Map::new(), &mut diags);
/// assert!(diags.0.is_empty());
///
/// let visitor = Value::parse_json(r#"{"cart": {"value": 72.5}, "country": "DE"}"#).unwrap();
/// assert!(cond.eval(&visitor, &Scope::empty()));
/// ```
#[derive(Clone, Debug)]
pub struct Condition {
    /// A set of one.
    set: Conditions,
}

impl Condition {
    /// Compiles `raw` (found at `path` in the config), resolving `$inGroup` / `$notInGroup`
    /// against `saved_groups` (group name to array of ids).
    ///
    /// Never fails and never panics: every problem is pushed to `diags` (all of them, each with
    /// a code from [`codes`](super::codes) and the exact JSON Pointer), and the invalid part
    /// compiles to something that evaluates to false. Callers should not use a condition that
    /// produced errors; warnings keep GrowthBook's meaning.
    #[cfg(feature = "compiler")]
    pub fn compile(
        raw: &Value,
        path: &Path,
        saved_groups: &Map,
        diags: &mut Diagnostics,
    ) -> Condition {
        let mut set = Conditions::new(saved_groups);
        set.compile(raw, path, diags);
        Condition { set }
    }

    /// Whether `attributes` satisfy the condition, with history predicates (`$event`,
    /// `$sequence`, `$absent`) answered from `scope` ([`Scope::empty`] without a history).
    /// Total. It allocates an evaluation pass's two small tables (see [`Conditions`]), and
    /// otherwise only where JavaScript would build a string (array attributes compared as
    /// text, non-ASCII case folding).
    pub fn eval(&self, attributes: &Value, scope: &Scope) -> bool {
        self.set.pass(attributes, scope).holds(ConditionId::FIRST)
    }
}

impl crate::wire::Wire for Condition {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut crate::wire::Writer) {
        self.set.put(w);
    }
    #[inline(never)]
    fn get(r: &mut crate::wire::Reader<'_>) -> Self {
        let set = Conditions::get(r);
        r.check(set.has(ConditionId::FIRST));
        Condition { set }
    }
}

#[cfg(feature = "compiler")]
/// GrowthBook's `evalCondition(attributes, condition, savedGroups)` in one call: compiles and
/// evaluates, ignoring diagnostics. Invalid parts answer false, as GrowthBook does for unknown
/// operators, non-array `$in` lists and invalid regexes. History predicates read an empty
/// history ([`Scope::empty`]).
pub fn eval_condition(attributes: &Value, condition: &Value, saved_groups: &Map) -> bool {
    let mut scratch = Diagnostics::default();
    Condition::compile(condition, &Path::root(), saved_groups, &mut scratch)
        .eval(attributes, &Scope::empty())
}
