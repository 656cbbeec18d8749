//! Why a condition does not hold: the first part of it that fails, named as the config wrote
//! it (for `trailmark.explain()`; compiled into the tools chunk only).

use super::set::Pass;
use super::tree::{Node, NEGATED};
use super::ConditionId;
use crate::value::Value;

/// The first failing part of a condition.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The attribute path as written (`cart.value`), or the history predicate
    /// (`$event Product Viewed`), or `""` for a part with no path of its own.
    pub path: String,
    /// The value the path had (`null` when missing); `null` for a history predicate.
    pub seen: Value,
    /// The test as written (`{"$gte": 4000}`), when the config gave one; a negated test is
    /// `{"$not": test}`.
    pub test: Value,
}

impl Pass<'_> {
    /// The first part of condition `id` that fails, in the order it is evaluated; `None` when
    /// the condition holds.
    pub fn why_not(&mut self, id: ConditionId) -> Option<Failure> {
        if self.holds(id) {
            return None;
        }
        let root = self.root(id)?;
        Some(self.fails(root).unwrap_or(Failure {
            path: String::new(),
            seen: Value::Null,
            test: Value::Null,
        }))
    }

    /// The failure inside `node`, which does not hold.
    fn fails(&mut self, node: &Node) -> Option<Failure> {
        match node {
            // The first child that fails.
            Node::All(children) => children
                .iter()
                .find(|c| !c.eval(self))
                .and_then(|c| self.fails(c)),
            Node::AllOf(literals) => literals
                .iter()
                .find(|l| !self.literal(**l))
                .map(|l| self.leaf(*l)),
            // Every alternative fails: the first one's reason.
            Node::Any(children) => children.first().and_then(|c| self.fails(c)),
            Node::AnyOf(literals) => literals.first().map(|l| self.leaf(*l)),
            Node::Leaf(literal) => Some(self.leaf(*literal)),
            Node::Not(_) => Some(Failure {
                path: "$not".into(),
                seen: Value::Null,
                test: Value::Null,
            }),
            Node::Field(..) => Some(Failure {
                path: "$elemMatch".into(),
                seen: Value::Null,
                test: Value::Null,
            }),
            Node::History(p) => Some(Failure {
                path: p.describe(),
                seen: Value::Null,
                test: Value::Null,
            }),
            Node::False => None,
        }
    }

    /// The path, value and test of a literal.
    fn leaf(&mut self, literal: u32) -> Failure {
        let (path, seen, test) = self.leaf_parts((literal & !NEGATED) as usize);
        let test = if literal & NEGATED != 0 {
            Value::object(vec![("$not", test)])
        } else {
            test
        };
        Failure { path, seen, test }
    }
}
