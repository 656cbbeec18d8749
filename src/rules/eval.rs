//! Evaluation of the compiled tree: total (every input gives an answer), no allocation except
//! where JavaScript itself would build a string (an array attribute compared as text, non-ASCII
//! case folding). Recursion follows the compiled tree, whose depth is capped at compile time.

use super::case::lower_eq;
use super::coerce::{json_eq, relate, strict_eq, to_number, to_text, truthy, JsType, Operand};
use super::set::Pass;
use super::tree::{Node, Op, Test, Text};
use super::version;
use crate::value::{Map, Value};

/// What the fields of a relative condition are read from.
#[derive(Clone, Copy)]
pub(super) enum Within<'a> {
    /// An array element, for `$elemMatch`.
    Element(&'a Value),
    /// An event's properties, for a history predicate's `where`.
    Props(&'a Map),
}

impl Node {
    /// Whether the pass's attributes satisfy this root condition.
    #[cfg_attr(trailmark_speed, optimize(speed))]
    pub(super) fn eval(&self, pass: &mut Pass) -> bool {
        match self {
            Node::All(children) => children.iter().all(|c| c.eval(pass)),
            Node::Any(children) => children.is_empty() || children.iter().any(|c| c.eval(pass)),
            Node::Not(child) => !child.eval(pass),
            Node::Leaf(literal) => pass.literal(*literal),
            Node::AllOf(literals) => literals.iter().all(|&l| pass.literal(l)),
            Node::AnyOf(literals) => {
                literals.is_empty() || literals.iter().any(|&l| pass.literal(l))
            }
            Node::History(predicate) => predicate.eval(pass.scope),
            // Root conditions hold leaves, not fields (see `compile::condition`).
            Node::Field(..) | Node::False => false,
        }
    }

    /// Whether a condition of relative fields (no leaves, no history predicates) holds for an
    /// array element (`$elemMatch`) or an event's properties (`where`).
    pub(super) fn eval_within(&self, root: Within) -> bool {
        match self {
            Node::All(children) => children.iter().all(|c| c.eval_within(root)),
            Node::Any(children) => {
                children.is_empty() || children.iter().any(|c| c.eval_within(root))
            }
            Node::Not(child) => !child.eval_within(root),
            Node::Field(path, test) => {
                let value = match root {
                    Within::Element(element) => path.resolve(element),
                    Within::Props(props) => path.resolve_in(props),
                };
                test.eval(&value)
            }
            Node::Leaf(_) | Node::AllOf(_) | Node::AnyOf(_) | Node::History(_) | Node::False => {
                false
            }
        }
    }
}

impl Test {
    /// Whether `value` passes.
    #[cfg_attr(trailmark_speed, optimize(speed))]
    pub(super) fn eval(&self, value: &Value) -> bool {
        match self {
            Test::Text(t) => text_eq(value, t, false),
            Test::TextFolded(t) => text_eq(value, t, true),
            Test::Number(n) => to_number(value) == *n,
            Test::Bool(b) => !matches!(value, Value::Null) && truthy(value) == *b,
            Test::Null => matches!(value, Value::Null),
            Test::Literal(literal) => json_eq(value, literal),
            Test::Ops(ops) => ops.iter().all(|op| op.eval(value)),
            Test::Op(op) => op.eval(value),
            Test::Compare(rel, n) => match value {
                Value::Number(x) => x.partial_cmp(n).is_some_and(|ord| rel.holds(ord)),
                v => relate(v, *rel, &Operand::Number(*n)),
            },
            Test::False => false,
        }
    }
}

/// `String(value) === t.text`, or with both sides lowercased when `folded` (`t.text` is).
#[cfg_attr(trailmark_speed, optimize(speed))]
fn text_eq(value: &Value, t: &Text, folded: bool) -> bool {
    match value {
        // `String(n)` is never formatted: `t.number` is the one number whose text matches
        // (and number texts have no uppercase letters to fold).
        Value::Number(n) => t.number == Some(*n),
        Value::String(s) if folded => lower_eq(s, &t.text),
        Value::String(s) => *s == t.text,
        // "null", "true", "false" are lowercase already; arrays and objects build their text.
        v if folded => lower_eq(to_text(v).as_str(), &t.text),
        v => to_text(v).as_str() == t.text,
    }
}

impl Op {
    #[cfg_attr(trailmark_speed, optimize(speed))]
    fn eval(&self, value: &Value) -> bool {
        match self {
            Op::Eq(s) => strict_eq(value, s),
            Op::Ne(s) => !strict_eq(value, s),
            Op::Compare(rel, operand) => relate(value, *rel, operand),
            Op::Version(rel, expected) => rel.holds(version::compare(value, expected)),
            // `actual != null` / `actual == null`: a missing attribute is null.
            Op::Exists(want) => matches!(value, Value::Null) != *want,
            Op::In { set, negate } => set.matches(value) != *negate,
            Op::Not(test) => !test.eval(value),
            Op::Size(test) => match value {
                Value::Array(items) => test.eval(&Value::Number(items.len() as f64)),
                _ => false,
            },
            // GrowthBook skips `null` elements; since SDK 1.8 falsy ones (`0`, `""`, `false`)
            // are tested like any other (older SDKs skipped them too; the spec has no case).
            Op::ElemMatchValue(test) => match value {
                Value::Array(items) => items.iter().any(|e| !is_null(e) && test.eval(e)),
                _ => false,
            },
            Op::ElemMatch(node) => match value {
                Value::Array(items) => items
                    .iter()
                    .any(|e| !is_null(e) && node.eval_within(Within::Element(e))),
                _ => false,
            },
            Op::All(tests) => match value {
                Value::Array(items) => tests.iter().all(|t| items.iter().any(|e| t.eval(e))),
                _ => false,
            },
            Op::Regex(re) => re.is_match(to_text(value).as_str()),
            Op::Type(t) => JsType::of(value) == *t,
            Op::False => false,
        }
    }
}

fn is_null(v: &Value) -> bool {
    matches!(v, Value::Null)
}
