//! The rule engine: GrowthBook-compatible targeting conditions, regexes and bucketing.
//!
//! ## Conditions
//!
//! A condition is a GrowthBook (Mongo-style) targeting expression over a visitor's attributes:
//!
//! ```json
//! {"cart.value": {"$gte": 50}, "country": {"$ini": ["de", "at"]}, "$not": {"plan": "pro"}}
//! ```
//!
//! It means exactly what GrowthBook's `evalCondition` means: the SDK spec 0.8.0 (all 248
//! `evalCondition` conformance cases pass, `tests/conformance_conditions.rs`) and, where the
//! spec has no case, the JS SDK 1.8.0 (`$elemMatch` skips only `null` elements; saved groups
//! may be `{"type": "list", "values": [...]}`; its `$savedGroup` is reported as unsupported).
//! (A differential run of ~120 000 random error-free conditions and attributes against that
//! SDK found no difference.) In short:
//!
//! * keys are dot paths (`a.b.0`, `tags.length`) except `$and`, `$or`, `$nor`, `$not`;
//!   a missing attribute reads as `null`;
//! * a plain value is compared JavaScript-style: a string with `value + ""`, a number with
//!   `value * 1`, a boolean by truthiness (never matching `null`), `null` strictly, arrays and
//!   objects by `JSON.stringify` equality (key order matters);
//! * an object whose keys all start with `$` applies operators: `$eq $ne` (`===`),
//!   `$lt $lte $gt $gte` (JS coercion: `"8" > 5`, a missing attribute is `0` against numbers),
//!   `$in $nin` (strict; an array attribute matches if any element does), `$ini $nini`
//!   (lowercased), `$all $alli`, `$elemMatch`, `$size`, `$exists`, `$type`, `$not`,
//!   `$regex $regexi` (JS `RegExp.test` through [`regex`]), `$inGroup $notInGroup` (saved
//!   groups), `$veq $vne $vgt $vgte $vlt $vlte` (GrowthBook's padded version strings).
//!
//! JavaScript's number <-> text conversions are implemented exactly in integer arithmetic
//! (`jsnum`), and `toLowerCase` with a compact table (`case.rs`), for the native build; the
//! browser module asks JavaScript for both, so it links neither Rust's float formatting nor any
//! Unicode case table.
//!
//! ## History predicates
//!
//! Beyond GrowthBook, three keys test what the visitor did, from their
//! [`History`](crate::history::History), anywhere a condition goes (`$and`, `$or`, `$not`,
//! beside attribute tests): `$event` (count, sum / max / last of a property, time since the
//! last or first occurrence, of events named `name` passing `where`, within a window
//! `"page"`, `"session"`, `"all"` or `"30m"`), `$sequence` (steps in order) and `$absent`
//! (an event not followed by another for a while: the abandoned cart). They are answered from a
//! [`Scope`] passed to [`Condition::eval`]; over [`Scope::empty`] (as in [`eval_condition`])
//! they read an empty history. Codes: `history/*` in [`codes`]. The syntax and its exact
//! meaning are in `src/rules/history.rs`.
//!
//! ## Parse, compile, evaluate
//!
//! [`Condition::compile`] turns the JSON once into a typed tree (pre-split paths, operator
//! enums, compiled regexes, resolved saved groups, sorted `$in` sets) and reports every problem
//! as a [`Diagnostic`](crate::Diagnostic) with a stable code from [`codes`] and the exact JSON
//! Pointer. [`Condition::eval`] walks the tree: total; it allocates the pass's two small tables
//! (see below) and nothing else in the common cases.
//! [`eval_condition`] is the one-shot form (the JS-facing API and the conformance suite).
//!
//! A config's rules are compiled together into one [`Conditions`] set, and all of them are
//! evaluated after every event in one [`Pass`]: the set shares the attribute paths and the
//! identical tests of all its conditions, so a pass walks each path once and answers each
//! distinct test once (a URL pattern used by five rules runs once per event, not five times),
//! while every condition is still evaluated in full. The hot functions are compiled for speed
//! inside the size-optimized module (see the top of `lib.rs`).
//!
//! ## Untrusted input
//!
//! Compilation is bounded by [`limits`]: nesting depth, items per array, values per condition
//! (and the regex engine's pattern limits). Past a limit the part is reported and evaluates to
//! false. No input panics: there is no indexing that can fail, no `unwrap` on data, no
//! unbounded recursion (attribute values, which may nest arbitrarily, are walked iteratively).
//!
//! ## Where an invalid condition differs from GrowthBook
//!
//! An invalid part evaluates to false. GrowthBook agrees for the common mistakes (unknown
//! operator, non-array `$in`/`$nin`/`$all`, invalid regex); for others it answers from JS
//! accidents (`{"$or": {}}` is true there, `{"$exists": "no"}` is truthy). Such conditions
//! always carry an error, so a config never uses them.
//!
//! Known deviations for valid conditions, both far from real targeting data: members inherited
//! from `Object.prototype` (`constructor`, ...) are not attributes here, and `toLowerCase`
//! approximates Unicode's `Final_Sigma` context for a capital sigma (see `case.rs`).

mod attr_path;
mod case;
#[cfg(feature = "compiler")]
pub mod codes;
mod coerce;
#[cfg(feature = "compiler")]
mod compile;
mod condition;
mod eval;
mod history;
pub(crate) mod jsnum;
pub mod limits;
#[cfg(feature = "compiler")]
mod operators;
mod scalar_set;
mod set;
mod sort;
mod tree;
mod version;
#[cfg(feature = "compiler")]
mod why;
mod wire;

pub mod bucket;
pub mod regex;

pub use crate::history::Scope;
#[cfg(feature = "compiler")]
pub use condition::eval_condition;
pub use condition::Condition;
pub use set::{ConditionId, Conditions, Pass};
#[cfg(feature = "compiler")]
pub use why::Failure;
