//! Conditions compiled together, evaluated together.
//!
//! A config's rules test the same few attributes over and over (`page.url` against the cart
//! pattern, `visitor.country`, `cart.value` at several thresholds). Compiled into one
//! [`Conditions`], they share a table of attribute paths and a table of tests ("leaves": a path
//! and a test of its value, identical ones stored once when they are near each other: see
//! [`SHARING_WINDOW`]). A [`Pass`] evaluates any of the
//! conditions against one set of attributes and remembers, for that pass only, each path's
//! value (walked at most once) and each leaf's answer (computed at most once). Every condition
//! asked about is still evaluated as if alone: its logic runs, short-circuiting as GrowthBook's
//! does, and a leaf it reaches that an earlier condition already answered is read from the
//! pass's memory.
//!
//! Only tests of the root attributes are shared. Inside `$elemMatch` and a history predicate's
//! `where`, fields are relative to an element or an event's properties and stay plain
//! [`Node::Field`]s.

use std::borrow::Cow;

use super::attr_path::AttrPath;
#[cfg(feature = "compiler")]
use super::compile::{condition, Ctx};
use super::tree::{Node, Test, NEGATED};
#[cfg(feature = "compiler")]
use crate::diag::{Diagnostics, Path};
use crate::history::Scope;
#[cfg(feature = "compiler")]
use crate::value::Map;
use crate::value::Value;

/// How far back a new path or leaf looks for its twin: compiling stays linear in the config
/// (a config with thousands of distinct fields must not take quadratic time), and twins
/// farther apart than this are merely not shared.
#[cfg(feature = "compiler")]
const SHARING_WINDOW: usize = 64;

/// The paths and leaves of a set of conditions.
#[derive(Clone, Debug, Default)]
pub(super) struct Leaves {
    /// Each path, and its text as written in the config.
    pub(super) paths: Vec<(String, AttrPath)>,
    /// `(index into paths, test, the test as written)`. Identical JSON compiles to identical
    /// tests (the set's saved groups are fixed), so leaves are deduplicated by their source,
    /// which costs the module no comparison code for compiled trees. `None`: never shared.
    pub(super) tests: Vec<(u32, Test, Option<Value>)>,
    /// The benchmark's control: identical tests stay separate leaves.
    #[cfg(feature = "bench-hooks")]
    unshared: bool,
}

#[cfg(feature = "compiler")]
/// The index of the last of the latest [`SHARING_WINDOW`] items for which `same` holds.
fn recent<T>(items: &[T], same: impl Fn(&T) -> bool) -> Option<u32> {
    let from = items.len().saturating_sub(SHARING_WINDOW);
    let found = items.get(from..)?.iter().rposition(same)?;
    Some((from + found) as u32)
}

impl Leaves {
    /// Leaves read from a compiled program: each path as written, each test with its path.
    pub(super) fn from_parts(paths: Vec<String>, tests: Vec<(u32, Test, Option<Value>)>) -> Self {
        // A plain loop: collecting a mapped iterator is code of its own in the module.
        let mut parsed = Vec::new();
        for text in paths {
            let path = AttrPath::parse(&text);
            parsed.push((text, path));
        }
        Leaves {
            paths: parsed,
            tests,
            #[cfg(feature = "bench-hooks")]
            unshared: false,
        }
    }

    /// The leaf testing the attribute at `key` with `test`, compiled from `source`: a recent
    /// identical one, or a new one (always, without a source).
    #[cfg(feature = "compiler")]
    pub(super) fn intern(&mut self, key: &str, test: Test, source: Option<&Value>) -> u32 {
        let path_id = recent(&self.paths, |(k, _)| k == key).unwrap_or_else(|| {
            self.paths.push((key.to_owned(), AttrPath::parse(key)));
            (self.paths.len() - 1) as u32
        });
        #[cfg(feature = "bench-hooks")]
        let source = source.filter(|_| !self.unshared);
        let twin = source.and_then(|raw| {
            recent(&self.tests, |(p, _, r)| {
                *p == path_id && r.as_ref() == Some(raw)
            })
        });
        twin.unwrap_or_else(|| {
            self.tests.push((path_id, test, source.cloned()));
            (self.tests.len() - 1) as u32
        })
    }
}

/// Conditions compiled together so that evaluating them together shares work.
///
/// ```
/// use trailmark::{history::Scope, rules::Conditions, Diagnostics, Map, Path, Value};
///
/// let mut set = Conditions::new(&Map::new());
/// let mut diags = Diagnostics::default();
/// let cart = Value::parse_json(r#"{"page.path": {"$regex": "^/cart"}, "cart.value": {"$gte": 50}}"#).unwrap();
/// let big = Value::parse_json(r#"{"page.path": {"$regex": "^/cart"}, "cart.value": {"$gte": 200}}"#).unwrap();
/// let cart = set.compile(&cart, &Path::root().index(0), &mut diags);
/// let big = set.compile(&big, &Path::root().index(1), &mut diags);
/// assert!(diags.0.is_empty());
///
/// let visitor = Value::parse_json(r#"{"page": {"path": "/cart"}, "cart": {"value": 72}}"#).unwrap();
/// let scope = Scope::empty();
/// let mut pass = set.pass(&visitor, &scope);
/// // The regex runs once: the second condition reads its answer from the pass.
/// assert!(pass.holds(cart));
/// assert!(!pass.holds(big));
/// ```
#[derive(Clone, Debug, Default)]
pub struct Conditions {
    /// Saved groups, for `$inGroup` / `$notInGroup`: the same for every condition of the set.
    #[cfg(feature = "compiler")]
    groups: Map,
    pub(super) leaves: Leaves,
    pub(super) roots: Vec<Node>,
}

/// One condition of a [`Conditions`] set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConditionId(u32);

impl ConditionId {
    /// The first condition compiled into a set.
    pub(super) const FIRST: ConditionId = ConditionId(0);
}

impl crate::wire::Wire for ConditionId {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut crate::wire::Writer) {
        self.0.put(w);
    }
    /// Any index: [`Conditions::has`] tells whether it names one of a set's conditions.
    #[inline(never)]
    fn get(r: &mut crate::wire::Reader<'_>) -> Self {
        ConditionId(u32::get(r))
    }
}

impl Conditions {
    /// A set read from a compiled program (its saved groups are already resolved into tests).
    pub(super) fn from_parts(leaves: Leaves, roots: Vec<Node>) -> Conditions {
        Conditions {
            #[cfg(feature = "compiler")]
            groups: Map::new(),
            leaves,
            roots,
        }
    }

    /// An empty set whose conditions resolve `$inGroup` / `$notInGroup` against
    /// `saved_groups` (group name to array of ids).
    #[cfg(feature = "compiler")]
    pub fn new(saved_groups: &Map) -> Conditions {
        Conditions {
            groups: saved_groups.clone(),
            ..Conditions::default()
        }
    }

    /// A set that never shares a test between conditions (attribute paths are still walked
    /// once per pass): the benchmark's control, to show what sharing is worth.
    #[cfg(all(feature = "bench-hooks", feature = "compiler"))]
    pub fn unshared(saved_groups: &Map) -> Conditions {
        let mut set = Conditions::new(saved_groups);
        set.leaves.unshared = true;
        set
    }

    /// Compiles `raw` (found at `path` in the config) into the set. Problems go to `diags`
    /// exactly as for [`Condition::compile`](super::Condition::compile); an invalid part
    /// evaluates to false.
    #[cfg(feature = "compiler")]
    pub fn compile(&mut self, raw: &Value, path: &Path, diags: &mut Diagnostics) -> ConditionId {
        let mut cx = Ctx::new(&self.groups, diags, &mut self.leaves);
        let root = condition(&mut cx, raw, path, 1);
        let root = if cx.exhausted { Node::False } else { root };
        self.roots.push(root);
        ConditionId((self.roots.len() - 1) as u32)
    }

    /// Starts evaluating conditions of this set against `attributes`, with history predicates
    /// read in `scope`.
    pub fn pass<'a>(&'a self, attributes: &'a Value, scope: &'a Scope<'a>) -> Pass<'a> {
        let values = vec![Slot::Unread; self.leaves.paths.len()];
        let answers = vec![Answer::Unknown; self.leaves.tests.len()];
        Pass {
            set: self,
            attributes,
            scope,
            values,
            answers,
        }
    }

    /// The attribute paths the conditions read, as written (`cart.value`, `page.path`).
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.leaves.paths.iter().map(|(text, _)| text.as_str())
    }

    /// Whether `id` names one of this set's conditions.
    pub fn has(&self, id: ConditionId) -> bool {
        (id.0 as usize) < self.roots.len()
    }

    /// Number of conditions compiled into the set.
    pub fn len(&self) -> usize {
        self.roots.len()
    }

    /// Whether the set has no conditions.
    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }
}

/// What a leaf's answer is in this pass.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Answer {
    Unknown,
    No,
    Yes,
}

/// A path's value in this pass. `Copy`, so the pass's table needs no drop code.
#[derive(Clone, Copy)]
enum Slot<'a> {
    /// Not walked yet.
    Unread,
    /// The value found (or `null`).
    At(&'a Value),
    /// An array's `length`, the one value a walk computes rather than finds.
    Number(f64),
}

/// An evaluation of conditions of one set against one set of attributes: each attribute path
/// is walked at most once and each leaf answered at most once, however many conditions ask.
pub struct Pass<'a> {
    set: &'a Conditions,
    attributes: &'a Value,
    pub(super) scope: &'a Scope<'a>,
    /// Each path's value, once walked.
    values: Vec<Slot<'a>>,
    /// Each leaf's answer, once computed.
    answers: Vec<Answer>,
}

impl Pass<'_> {
    /// Whether the attributes satisfy condition `id`, an id this set returned (an id of another
    /// set names whatever condition of this one has its index, or none: false).
    #[cfg_attr(trailmark_speed, optimize(speed))]
    pub fn holds(&mut self, id: ConditionId) -> bool {
        let set = self.set;
        set.roots
            .get(id.0 as usize)
            .is_some_and(|root| root.eval(self))
    }

    /// Whether a literal (a leaf, or with [`NEGATED`] its negation) holds: the leaf's answer
    /// remembered, or computed now.
    #[inline]
    pub(super) fn literal(&mut self, literal: u32) -> bool {
        let i = (literal & !NEGATED) as usize;
        let yes = match self.answers.get(i) {
            Some(Answer::Yes) => true,
            Some(Answer::No) => false,
            _ => self.answer(i),
        };
        yes != (literal & NEGATED != 0)
    }

    /// Computes and remembers leaf `i`'s answer. Out of line, so that [`literal`]
    /// (Self::literal), which mostly finds the answer remembered, inlines where it is used.
    #[inline(never)]
    #[cfg_attr(trailmark_speed, optimize(speed))]
    fn answer(&mut self, i: usize) -> bool {
        let Some((path_id, test, _)) = self.set.leaves.tests.get(i) else {
            return false;
        };
        let p = *path_id as usize;
        let slot = match self.values.get(p) {
            Some(Slot::Unread) | None => {
                let slot = match self.set.leaves.paths.get(p) {
                    Some((_, path)) => match path.resolve(self.attributes) {
                        Cow::Borrowed(v) => Slot::At(v),
                        Cow::Owned(Value::Number(n)) => Slot::Number(n),
                        Cow::Owned(_) => Slot::At(&NULL),
                    },
                    None => Slot::At(&NULL),
                };
                if let Some(s) = self.values.get_mut(p) {
                    *s = slot;
                }
                slot
            }
            Some(&slot) => slot,
        };
        let yes = match slot {
            Slot::At(v) => test.eval(v),
            Slot::Number(n) => test.eval(&Value::Number(n)),
            Slot::Unread => false,
        };
        if let Some(answer) = self.answers.get_mut(i) {
            *answer = if yes { Answer::Yes } else { Answer::No };
        }
        yes
    }
}

#[cfg(feature = "compiler")]
impl<'a> Pass<'a> {
    /// The root node of condition `id`.
    pub(super) fn root(&self, id: ConditionId) -> Option<&'a Node> {
        self.set.roots.get(id.0 as usize)
    }

    /// Leaf `i`: its path as written, the value there, and its test as written (`null` when
    /// the config gave none).
    pub(super) fn leaf_parts(&mut self, i: usize) -> (String, Value, Value) {
        self.answer(i);
        let Some((path_id, _, source)) = self.set.leaves.tests.get(i) else {
            return (String::new(), Value::Null, Value::Null);
        };
        let p = *path_id as usize;
        let seen = match self.values.get(p) {
            Some(Slot::At(v)) => (*v).clone(),
            Some(Slot::Number(n)) => Value::Number(*n),
            _ => Value::Null,
        };
        let text = self.set.leaves.paths.get(p).map(|(t, _)| t.clone());
        (
            text.unwrap_or_default(),
            seen,
            source.clone().unwrap_or(Value::Null),
        )
    }
}

/// What a missing attribute reads as.
static NULL: Value = Value::Null;

// `Value::parse_json` is native-only (serde_json is not in the browser build).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn compile_all(set: &mut Conditions, conditions: &[&str]) -> (Vec<ConditionId>, usize) {
        let mut diags = Diagnostics::default();
        let ids = conditions
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let raw = Value::parse_json(c).unwrap();
                set.compile(&raw, &Path::root().index(i), &mut diags)
            })
            .collect();
        (ids, diags.errors().count())
    }

    #[test]
    fn identical_tests_of_a_path_share_a_leaf_and_paths_are_walked_once() {
        let mut set = Conditions::default();
        let (_, errors) = compile_all(
            &mut set,
            &[
                r#"{"page.url": {"$regex": "^/cart"}, "cart.value": {"$gt": 10}}"#,
                r#"{"page.url": {"$regex": "^/cart"}, "cart.value": {"$gt": 20}}"#,
                r#"{"$or": [{"page.url": {"$regex": "^/cart"}}, {"cart.value": {"$gt": 10}}]}"#,
                r#"{"page.path": {"$regex": "^/cart"}}"#,
            ],
        );
        assert_eq!(errors, 0);
        // One regex leaf on page.url, two thresholds, the regex again on another path.
        assert_eq!(set.leaves.tests.len(), 4);
        assert_eq!(set.leaves.paths.len(), 3);
    }

    #[test]
    fn tests_with_errors_are_never_shared() {
        let mut set = Conditions::default();
        let (_, errors) = compile_all(&mut set, &[r#"{"a": {"$in": 5}}"#, r#"{"a": {"$in": 5}}"#]);
        assert_eq!(errors, 2, "each is reported at its own path");
        assert_eq!(set.leaves.tests.len(), 2);
    }

    #[test]
    fn a_condition_past_the_node_budget_shares_none_of_its_tests() {
        // Past the budget, `{"country": "US"}` compiles to false without an error of its own:
        // shared, it would make the valid rule after it false too.
        let filler = vec![r#"{"$and":["#.to_owned() + &["{}"; 1000].join(",") + "]}"; 11];
        let huge = r#"{"$and": ["#.to_owned() + &filler.join(",") + r#"], "country": "US"}"#;
        let mut set = Conditions::default();
        let (ids, errors) = compile_all(&mut set, &[&huge, r#"{"country": "US"}"#]);
        assert_eq!(errors, 1, "the budget error");
        let attrs = Value::parse_json(r#"{"country": "US"}"#).unwrap();
        let scope = Scope::empty();
        let mut pass = set.pass(&attrs, &scope);
        assert!(!pass.holds(ids[0]), "over budget: false as a whole");
        assert!(pass.holds(ids[1]));
    }

    #[test]
    fn many_distinct_paths_compile_in_linear_time() {
        // 20 000 fields over 10 000 paths: each looks back a bounded way for its twin; twins
        // farther apart (here, the same path 100 fields later) get an entry of their own.
        let mut set = Conditions::default();
        let conditions: Vec<String> = (0..100)
            .map(|r| {
                let fields: Vec<String> = (0..200)
                    .map(|f| format!(r#""k{}": {{"$gt": {r}}}"#, (r * 100 + f) % 10_000))
                    .collect();
                format!("{{{}}}", fields.join(","))
            })
            .collect();
        let refs: Vec<&str> = conditions.iter().map(String::as_str).collect();
        let (ids, errors) = compile_all(&mut set, &refs);
        assert_eq!((ids.len(), errors), (100, 0));
        assert_eq!(set.leaves.paths.len(), 20_000);
        assert_eq!(set.leaves.tests.len(), 20_000);
        let attrs = Value::parse_json(r#"{"k0": 5}"#).unwrap();
        let scope = Scope::empty();
        let mut pass = set.pass(&attrs, &scope);
        assert!(!pass.holds(ids[0]), "k1 is missing, so `k1 > 0` is false");
    }

    #[test]
    fn a_pass_answers_every_condition_as_alone_in_any_order() {
        let conditions = [
            r#"{"n": {"$gt": 1}, "s": "x"}"#,
            r#"{"$not": {"n": {"$gt": 1}}}"#,
            r#"{"$nor": [{"s": "x"}, {"n": {"$gt": 1}}]}"#,
            r#"{"$or": []}"#,
            r#"{"tags.length": 2, "tags": {"$elemMatch": {"$eq": "b"}}}"#,
            r#"{"missing.deep": {"$exists": false}, "n": {"$gt": 1}}"#,
        ];
        let attributes = [
            r#"{"n": 2, "s": "x", "tags": ["a", "b"]}"#,
            r#"{"n": 0, "s": "y"}"#,
        ];
        let mut set = Conditions::default();
        let (ids, _) = compile_all(&mut set, &conditions);
        let scope = Scope::empty();
        for attrs in attributes {
            let attrs = Value::parse_json(attrs).unwrap();
            let alone: Vec<bool> = conditions
                .iter()
                .map(|c| {
                    let raw = Value::parse_json(c).unwrap();
                    let mut diags = Diagnostics::default();
                    let c = crate::rules::Condition::compile(
                        &raw,
                        &Path::root(),
                        &Map::new(),
                        &mut diags,
                    );
                    c.eval(&attrs, &scope)
                })
                .collect();
            let mut forward = set.pass(&attrs, &scope);
            let ahead: Vec<bool> = ids.iter().map(|&id| forward.holds(id)).collect();
            let mut backward = set.pass(&attrs, &scope);
            let mut behind: Vec<bool> = ids.iter().rev().map(|&id| backward.holds(id)).collect();
            behind.reverse();
            assert_eq!(ahead, alone);
            assert_eq!(behind, alone);
        }
        // The expected answers, for the first attributes: spelled out once.
        let attrs = Value::parse_json(attributes[0]).unwrap();
        let mut pass = set.pass(&attrs, &scope);
        let got: Vec<bool> = ids.iter().map(|&id| pass.holds(id)).collect();
        assert_eq!(got, [true, false, false, true, true, true]);
    }
}
