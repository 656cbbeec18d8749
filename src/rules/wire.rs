//! Compiled conditions in the program format (see [`crate::wire`]): what `trailmark build`
//! writes and the module reads instead of compiling conditions on every page.
//!
//! Reading validates what evaluation relies on: every literal names a leaf of the set, every
//! leaf a path of the set, regex programs jump inside themselves (see `regex/wire.rs`).

use super::coerce::{JsType, Operand, Rel};
use super::history::Predicate;
use super::regex::Regex;
use super::scalar_set::ScalarSet;
use super::set::{Conditions, Leaves};
use super::tree::{Node, Op, Test, Text, NEGATED};
#[cfg(feature = "compiler")]
use crate::wire::Writer;
use crate::wire::{Reader, Wire};

impl Wire for Rel {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.tag(*self as u8);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        const ALL: [Rel; 6] = [Rel::Eq, Rel::Ne, Rel::Lt, Rel::Lte, Rel::Gt, Rel::Gte];
        let t = r.tag() as usize;
        r.check(t < ALL.len());
        ALL[t % ALL.len()]
    }
}

impl Wire for JsType {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.tag(*self as u8);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        const ALL: [JsType; 6] = [
            JsType::Null,
            JsType::Array,
            JsType::String,
            JsType::Number,
            JsType::Boolean,
            JsType::Object,
        ];
        let t = r.tag() as usize;
        r.check(t < ALL.len());
        ALL[t % ALL.len()]
    }
}

impl Wire for Operand {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        match self {
            Operand::Number(n) => {
                w.tag(0);
                n.put(w);
            }
            Operand::Text(s, n) => {
                w.tag(1);
                s.put(w);
                n.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        if r.tag() == 0 {
            Operand::Number(f64::get(r))
        } else {
            let text = String::get(r);
            Operand::Text(text, f64::get(r))
        }
    }
}

impl Wire for Text {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.text.put(w);
        self.number.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let text = String::get(r);
        Text {
            text,
            number: Option::get(r),
        }
    }
}

impl Wire for Box<Test> {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        (**self).put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        Box::new(r.nested(Test::get))
    }
}

impl Wire for Test {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        match self {
            Test::Text(t) => {
                w.tag(0);
                t.put(w);
            }
            Test::TextFolded(t) => {
                w.tag(1);
                t.put(w);
            }
            Test::Number(n) => {
                w.tag(2);
                n.put(w);
            }
            Test::Bool(b) => {
                w.tag(3);
                b.put(w);
            }
            Test::Null => w.tag(4),
            Test::Literal(v) => {
                w.tag(5);
                v.put(w);
            }
            Test::Ops(ops) => {
                w.tag(6);
                ops.put(w);
            }
            Test::Op(op) => {
                w.tag(7);
                op.put(w);
            }
            Test::Compare(rel, n) => {
                w.tag(8);
                rel.put(w);
                n.put(w);
            }
            Test::False => w.tag(9),
        }
    }
    #[inline(never)]
    fn get(r: &mut Reader<'_>) -> Self {
        match r.tag() {
            0 => Test::Text(Text::get(r)),
            1 => Test::TextFolded(Text::get(r)),
            2 => Test::Number(f64::get(r)),
            3 => Test::Bool(bool::get(r)),
            4 => Test::Null,
            5 => Test::Literal(r.nested(<crate::value::Value as Wire>::get)),
            6 => Test::Ops(r.nested(|r| r.seq(Op::get))),
            7 => Test::Op(r.nested(Op::get)),
            8 => {
                let rel = Rel::get(r);
                Test::Compare(rel, f64::get(r))
            }
            t => {
                r.check(t == 9);
                Test::False
            }
        }
    }
}

impl Wire for Op {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        match self {
            Op::Eq(v) => {
                w.tag(0);
                v.put(w);
            }
            Op::Ne(v) => {
                w.tag(1);
                v.put(w);
            }
            Op::Compare(rel, operand) => {
                w.tag(2);
                rel.put(w);
                operand.put(w);
            }
            Op::Version(rel, units) => {
                w.tag(3);
                rel.put(w);
                w.u(units.len() as u64);
                for u in units {
                    w.u(u64::from(*u));
                }
            }
            Op::Exists(b) => {
                w.tag(4);
                b.put(w);
            }
            Op::In { set, negate } => {
                w.tag(5);
                set.put(w);
                negate.put(w);
            }
            Op::Not(t) => {
                w.tag(6);
                t.put(w);
            }
            Op::Size(t) => {
                w.tag(7);
                t.put(w);
            }
            Op::ElemMatchValue(t) => {
                w.tag(8);
                t.put(w);
            }
            Op::ElemMatch(node) => {
                w.tag(9);
                node.put(w);
            }
            Op::All(tests) => {
                w.tag(10);
                tests.put(w);
            }
            Op::Regex(re) => {
                w.tag(11);
                re.put(w);
            }
            Op::Type(t) => {
                w.tag(12);
                t.put(w);
            }
            Op::False => w.tag(13),
        }
    }
    #[inline(never)]
    fn get(r: &mut Reader<'_>) -> Self {
        match r.tag() {
            0 => Op::Eq(r.nested(<crate::value::Value as Wire>::get)),
            1 => Op::Ne(r.nested(<crate::value::Value as Wire>::get)),
            2 => {
                let rel = Rel::get(r);
                Op::Compare(rel, Operand::get(r))
            }
            3 => {
                let rel = Rel::get(r);
                Op::Version(
                    rel,
                    r.seq(|r| {
                        let u = r.u();
                        r.check(u <= u64::from(u16::MAX));
                        u as u16
                    }),
                )
            }
            4 => Op::Exists(bool::get(r)),
            5 => {
                let set = ScalarSet::get(r);
                Op::In {
                    set,
                    negate: bool::get(r),
                }
            }
            6 => Op::Not(Box::get(r)),
            7 => Op::Size(Box::get(r)),
            8 => Op::ElemMatchValue(Box::get(r)),
            9 => Op::ElemMatch(Box::new(Node::get(r))),
            10 => Op::All(r.nested(|r| r.seq(Test::get))),
            11 => Op::Regex(Regex::get(r)),
            12 => Op::Type(JsType::get(r)),
            t => {
                r.check(t == 13);
                Op::False
            }
        }
    }
}

impl Wire for Node {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        match self {
            Node::All(children) => {
                w.tag(0);
                children.put(w);
            }
            Node::Any(children) => {
                w.tag(1);
                children.put(w);
            }
            Node::Not(child) => {
                w.tag(2);
                child.put(w);
            }
            Node::Leaf(literal) => {
                w.tag(3);
                literal.put(w);
            }
            Node::AllOf(literals) => {
                w.tag(4);
                literals.put(w);
            }
            Node::AnyOf(literals) => {
                w.tag(5);
                literals.put(w);
            }
            Node::Field(path, test) => {
                w.tag(6);
                path.put(w);
                test.put(w);
            }
            Node::History(p) => {
                w.tag(7);
                p.put(w);
            }
            Node::False => w.tag(8),
        }
    }
    #[inline(never)]
    fn get(r: &mut Reader<'_>) -> Self {
        r.nested(|r| match r.tag() {
            0 => Node::All(r.seq(Node::get)),
            1 => Node::Any(r.seq(Node::get)),
            2 => Node::Not(Box::new(Node::get(r))),
            3 => Node::Leaf(u32::get(r)),
            4 => Node::AllOf(r.seq(u32::get)),
            5 => Node::AnyOf(r.seq(u32::get)),
            6 => {
                let path = Wire::get(r);
                Node::Field(path, Test::get(r))
            }
            7 => Node::History(Box::new(Predicate::get(r))),
            t => {
                r.check(t == 8);
                Node::False
            }
        })
    }
}

impl Node {
    /// Whether every literal of this tree (not inside `$elemMatch` or `where`, which hold no
    /// literals) names one of `leaves` leaves.
    fn literals_below(&self, leaves: usize) -> bool {
        let ok = |l: &u32| ((l & !NEGATED) as usize) < leaves;
        match self {
            Node::All(c) | Node::Any(c) => c.iter().all(|n| n.literals_below(leaves)),
            Node::Not(c) => c.literals_below(leaves),
            Node::Leaf(l) => ok(l),
            Node::AllOf(ls) | Node::AnyOf(ls) => ls.iter().all(ok),
            Node::Field(..) | Node::History(_) | Node::False => true,
        }
    }
}

impl Wire for Conditions {
    /// The shared paths (as written: the path is split again when read), the shared tests, then
    /// the roots. Saved groups and the tests' sources only serve compilation and are left out.
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        let leaves = &self.leaves;
        w.u(leaves.paths.len() as u64);
        for (text, _) in &leaves.paths {
            text.put(w);
        }
        w.u(leaves.tests.len() as u64);
        for (path, test, _) in &leaves.tests {
            path.put(w);
            test.put(w);
        }
        self.roots.put(w);
    }
    #[inline(never)]
    fn get(r: &mut Reader<'_>) -> Self {
        let paths: Vec<String> = r.seq(String::get);
        let n = paths.len();
        let tests = r.seq(|r| {
            let path = r.index(n) as u32;
            (path, Test::get(r), None)
        });
        let roots: Vec<Node> = r.seq(Node::get);
        let count = tests.len();
        r.check(roots.iter().all(|root| root.literals_below(count)));
        Conditions::from_parts(Leaves::from_parts(paths, tests), roots)
    }
}
