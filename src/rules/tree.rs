//! The compiled form of a condition: typed nodes, built once by `compile.rs`, walked by
//! `eval.rs` with no allocation in the common cases.
//!
//! GrowthBook's `evalCondition` re-reads the raw JSON on every call: it re-splits dot paths,
//! re-dispatches operator names, rebuilds regexes (behind a cache) and scans `$in` lists. Here
//! all of that happens at compile time: paths are pre-split, operators are enum variants,
//! regexes are built, saved groups are resolved and lists are sorted sets.

use super::attr_path::AttrPath;
use super::coerce::{JsType, Operand, Rel};
use super::history::Predicate;
use super::regex::Regex;
use super::scalar_set::ScalarSet;
use crate::value::Value;

/// A condition: `evalCondition(attributes, condition)`. The default (an invalid part) is what a
/// malformed program reads as (see [`crate::wire::Wire`]).
#[derive(Clone, Debug, Default)]
pub(super) enum Node {
    /// Every child holds: a condition object's entries, or `$and`. Empty: true.
    All(Vec<Node>),
    /// Some child holds, or there are none (`$or`: GrowthBook's empty `$or` is true).
    Any(Vec<Node>),
    /// The child does not hold (`$not`; `$nor` is `Not(Any(..))`).
    Not(Box<Node>),
    /// A test of a root attribute, as a literal: an index into the set's shared tests (see
    /// `set.rs`), each computed at most once per evaluation pass whichever conditions use it,
    /// with [`NEGATED`] set for its negation.
    Leaf(u32),
    /// Every literal holds: `All` of leaves, the most common shape by far, evaluated as one
    /// loop instead of a dispatch per child.
    AllOf(Vec<u32>),
    /// Some literal holds, or there are none (`Any` of leaves).
    AnyOf(Vec<u32>),
    /// The attribute at a path, relative to an array element (`$elemMatch`) or an event's
    /// properties (`where`), passes a test.
    Field(AttrPath, Test),
    /// A history predicate (`$event`, `$sequence`, `$absent`).
    History(Box<Predicate>),
    /// An invalid part (reported at compile time).
    #[default]
    False,
}

/// The bit of a [`Node::Leaf`] literal that negates the leaf (`$not` of one field test).
pub(super) const NEGATED: u32 = 1 << 31;

#[cfg(feature = "compiler")]
impl Node {
    /// `Not(child)`; the negation of a leaf is a literal.
    pub(super) fn not(child: Node) -> Node {
        match child {
            Node::Leaf(literal) => Node::Leaf(literal ^ NEGATED),
            child => Node::Not(Box::new(child)),
        }
    }

    /// `All(children)`; [`Node::AllOf`] when every child is a leaf.
    pub(super) fn all(children: Vec<Node>) -> Node {
        literals(&children).map_or(Node::All(children), Node::AllOf)
    }

    /// `Any(children)`; [`Node::AnyOf`] when every child is a leaf.
    pub(super) fn any(children: Vec<Node>) -> Node {
        literals(&children).map_or(Node::Any(children), Node::AnyOf)
    }
}

#[cfg(feature = "compiler")]
/// The literals of `children`, if there are some and they are all leaves. (Without children
/// the generic node stays: it also appears where there are no leaves, in `where`.)
fn literals(children: &[Node]) -> Option<Vec<u32>> {
    if children.is_empty() {
        return None;
    }
    let mut literals = Vec::with_capacity(children.len());
    for child in children {
        match child {
            Node::Leaf(literal) => literals.push(*literal),
            _ => return None,
        }
    }
    Some(literals)
}

/// A test of one value: `evalConditionValue(condition, value)`.
#[derive(Clone, Debug, Default)]
pub(super) enum Test {
    /// `value + "" === text`.
    Text(Text),
    /// `String(value).toLowerCase() === text` (text already lowercased): `$alli` items.
    TextFolded(Text),
    /// `value * 1 === n`.
    Number(f64),
    /// `value !== null && !!value === b`.
    Bool(bool),
    /// `value === null`.
    Null,
    /// `JSON.stringify(value) === JSON.stringify(literal)`: arrays, `{}`, objects with plain keys.
    Literal(Value),
    /// Every operator holds.
    Ops(Vec<Op>),
    /// The one operator of an operator object holds.
    Op(Op),
    /// `{"$gt": 40}` and the like: one comparison with a number, by far the most common
    /// operator object, tested without the generic operator walk.
    Compare(Rel, f64),
    /// An invalid part (reported at compile time).
    #[default]
    False,
}

/// A string to compare with `String(value)`.
#[derive(Clone, Debug)]
pub(super) struct Text {
    /// The string.
    pub(super) text: String,
    /// The number `n` with `String(n) === text`, if there is one (`"49.99"`, not `"049.99"`),
    /// so numeric attributes compare without being formatted.
    pub(super) number: Option<f64>,
}

/// One operator of an operator object.
#[derive(Clone, Debug, Default)]
pub(super) enum Op {
    /// `$eq` (`value === scalar`).
    Eq(Value),
    /// `$ne` (`value !== scalar`).
    Ne(Value),
    /// `$lt`, `$lte`, `$gt`, `$gte`, with JS coercions.
    Compare(Rel, Operand),
    /// `$veq` ... `$vlte`: padded version strings, as UTF-16 code units.
    Version(Rel, Vec<u16>),
    /// `$exists`.
    Exists(bool),
    /// `$in`, `$ini` (`negate` false) and `$nin`, `$nini`, `$inGroup`, `$notInGroup`.
    In {
        /// The list (folded for `$ini`/`$nini`).
        set: ScalarSet,
        /// `$nin`, `$nini`, `$notInGroup`.
        negate: bool,
    },
    /// `$not` on a value.
    Not(Box<Test>),
    /// `$size`: the test applies to the array's length.
    Size(Box<Test>),
    /// `$elemMatch` with an operator object: some non-null element passes the test.
    ElemMatchValue(Box<Test>),
    /// `$elemMatch` with a condition: some non-null element satisfies it as attributes.
    ElemMatch(Box<Node>),
    /// `$all` / `$alli`: every test passes for some element.
    All(Vec<Test>),
    /// `$regex` / `$regexi` on `String(value)`.
    Regex(Regex),
    /// `$type`.
    Type(JsType),
    /// An invalid operator (reported at compile time).
    #[default]
    False,
}
