//! Compiling raw JSON into the typed tree: conditions, logical lists and value tests.
//! Operators are in `operators.rs`.
//!
//! Compilation never stops at the first problem: every invalid part is reported (code, exact
//! JSON Pointer, reason) and compiles to something that evaluates to false, and the walk
//! continues with its siblings. Depth and node limits bound the walk itself.

use super::attr_path::AttrPath;
use super::case::to_lower;
use super::codes;
use super::coerce::Operand;
use super::history;
use super::jsnum::{number_to_string, string_to_number};
use super::limits::{MAX_DEPTH, MAX_ITEMS, MAX_NODES};
use super::operators;
use super::set::Leaves;
use super::tree::{Node, Op, Test, Text};
use crate::diag::{Diagnostic, Diagnostics, Path};
use crate::text::push_u64;
use crate::value::{Map, Value};

/// What one compilation carries along.
pub(super) struct Ctx<'a> {
    /// Saved groups, for `$inGroup` / `$notInGroup`.
    pub(super) groups: &'a Map,
    diags: &'a mut Diagnostics,
    nodes: usize,
    /// The node budget ran out: the whole condition becomes false.
    pub(super) exhausted: bool,
    /// Errors reported so far (a history predicate with errors inside is false as a whole).
    pub(super) errors: usize,
    /// Whether conditions here test the root attributes: not inside a history predicate
    /// (`where`, measures) nor `$elemMatch`, whose fields are relative to an event's properties
    /// or an element. Only here may history predicates appear, and fields become shared leaves.
    pub(super) at_root: bool,
    /// The set's shared paths and tests.
    leaves: &'a mut Leaves,
}

impl<'a> Ctx<'a> {
    /// A fresh context.
    pub(super) fn new(groups: &'a Map, diags: &'a mut Diagnostics, leaves: &'a mut Leaves) -> Self {
        Ctx {
            groups,
            diags,
            nodes: 0,
            exhausted: false,
            errors: 0,
            at_root: true,
            leaves,
        }
    }

    /// Counts one JSON value; `false` (reported once, at `path`) past [`MAX_NODES`]. The path is
    /// built only then, so counting list items costs nothing.
    pub(super) fn visit(&mut self, path: impl FnOnce() -> Path) -> bool {
        if !self.exhausted && self.nodes < MAX_NODES {
            self.nodes += 1;
            return true;
        }
        self.over_budget(path())
    }

    /// [`visit`](Self::visit) of the value at `path`, as one function for callers that have the
    /// path already (one copy in the module instead of one per closure).
    #[inline(never)]
    pub(super) fn visit_at(&mut self, path: &Path) -> bool {
        self.visit(|| path.clone())
    }

    /// Reports an error with a fixed message (one copy of the allocation, not one per site).
    #[inline(never)]
    pub(super) fn fail(&mut self, code: &'static str, path: &Path, message: &str) {
        self.error(code, path, message.to_owned());
    }

    /// The slow half of [`visit`](Self::visit): one copy in the module, not one per call site.
    #[cold]
    #[inline(never)]
    fn over_budget(&mut self, path: Path) -> bool {
        if !self.exhausted {
            self.exhausted = true;
            let message = limit_message("more than ", MAX_NODES, " values in one condition");
            self.error(codes::TOO_MANY_NODES, &path, message);
        }
        false
    }

    /// Reports an error.
    pub(super) fn error(&mut self, code: &'static str, path: &Path, message: String) {
        self.errors += 1;
        self.diags.push(Diagnostic::error(code, path, message));
    }

    /// Reports a warning.
    pub(super) fn warn(&mut self, code: &'static str, path: &Path, message: String) {
        self.diags.push(Diagnostic::warning(code, path, message));
    }

    /// Reports `rules/wrong-type`: "expected X, found Y".
    pub(super) fn wrong_type(&mut self, path: &Path, expected: &str, found: &Value) {
        let message = ["expected ", expected, ", found ", found.type_name()].concat();
        self.error(codes::WRONG_TYPE, path, message);
    }

    /// Whether a container at nesting level `depth` is within [`MAX_DEPTH`] (reported if not).
    pub(super) fn depth_ok(&mut self, path: &Path, depth: usize) -> bool {
        if depth <= MAX_DEPTH {
            return true;
        }
        let message = limit_message("nested deeper than ", MAX_DEPTH, " levels");
        self.error(codes::TOO_DEEP, path, message);
        false
    }

    /// Whether `len` items are within `limit` (reported if not).
    pub(super) fn items_ok(&mut self, path: &Path, len: usize, limit: usize) -> bool {
        if len <= limit {
            return true;
        }
        let mut message = String::new();
        push_u64(&mut message, len as u64);
        message.push_str(&limit_message(" items, more than the limit of ", limit, ""));
        self.error(codes::TOO_MANY_ITEMS, path, message);
        false
    }
}

/// `"{before}{n}{after}"` without `format!`.
fn limit_message(before: &str, n: usize, after: &str) -> String {
    let mut s = String::from(before);
    push_u64(&mut s, n as u64);
    s.push_str(after);
    s
}

/// Whether GrowthBook treats `map` as operators: non-empty, every key starting with `$`.
pub(super) fn is_operator_object(map: &Map) -> bool {
    !map.is_empty() && map.iter().all(|(k, _)| k.starts_with('$'))
}

/// A condition object (`evalCondition`), at nesting level `depth`.
pub(super) fn condition(cx: &mut Ctx, raw: &Value, path: &Path, depth: usize) -> Node {
    if !cx.visit(|| path.clone()) {
        return Node::False;
    }
    let Value::Object(map) = raw else {
        cx.wrong_type(path, "a condition object", raw);
        return Node::False;
    };
    if !cx.depth_ok(path, depth) {
        return Node::False;
    }
    let mut children = Vec::with_capacity(map.len());
    for (key, value) in map.iter() {
        let at = path.key(key);
        let child = match key {
            "$and" => list(cx, value, &at, depth + 1).map_or(Node::False, Node::all),
            "$or" => list(cx, value, &at, depth + 1).map_or(Node::False, Node::any),
            "$nor" => {
                list(cx, value, &at, depth + 1).map_or(Node::False, |c| Node::not(Node::any(c)))
            }
            // Checked here so that a malformed `$not` is false, not the negation of false.
            "$not" if !matches!(value, Value::Object(_)) => {
                if cx.visit(|| at.clone()) {
                    cx.wrong_type(&at, "a condition object", value);
                }
                Node::False
            }
            "$not" => Node::not(condition(cx, value, &at, depth + 1)),
            "$event" | "$sequence" | "$absent" => history::compile(cx, key, value, &at, depth + 1),
            "$savedGroup" => {
                let message = "`$savedGroup` (GrowthBook SDK 1.8 group references) is not \
                               supported; use {\"attribute\": {\"$inGroup\": \"group\"}}";
                cx.error(codes::UNSUPPORTED_OPERATOR, &at, message.to_owned());
                Node::False
            }
            _ => {
                if operators::is_operator(key) {
                    let message = [
                        "`",
                        key,
                        "` is read as an attribute path here; operators go inside a field, \
                         as in {\"field\": {\"",
                        key,
                        "\": ...}}",
                    ]
                    .concat();
                    cx.warn(codes::OPERATOR_AS_FIELD, &at, message);
                }
                let errors = cx.errors;
                let test = value_test(cx, value, &at, depth + 1, false);
                if cx.at_root {
                    // Only a test compiled whole is shared: without errors, and not past the
                    // node budget (where parts compile to false without an error each). Its
                    // JSON is then within the depth and size limits, so copying and comparing
                    // it is bounded (a 10 000-level literal would overflow the stack).
                    let source = (cx.errors == errors && !cx.exhausted).then_some(value);
                    Node::Leaf(cx.leaves.intern(key, test, source))
                } else {
                    Node::Field(AttrPath::parse(key), test)
                }
            }
        };
        children.push(child);
    }
    match children.len() {
        1 => children.pop().unwrap_or(Node::False),
        _ => Node::all(children),
    }
}

/// The array of conditions of `$and`, `$or`, `$nor`; `None` when it is not a valid one.
fn list(cx: &mut Ctx, raw: &Value, path: &Path, depth: usize) -> Option<Vec<Node>> {
    if !cx.visit(|| path.clone()) {
        return None;
    }
    let Value::Array(items) = raw else {
        cx.wrong_type(path, "an array of conditions", raw);
        return None;
    };
    if !cx.depth_ok(path, depth) || !cx.items_ok(path, items.len(), MAX_ITEMS) {
        return None;
    }
    let nodes = items
        .iter()
        .enumerate()
        .map(|(i, item)| condition(cx, item, &path.index(i), depth + 1))
        .collect();
    Some(nodes)
}

/// A condition value (`evalConditionValue`): a literal to compare or an operator object.
/// `folded` makes a string compare case-insensitively (`$alli` items).
pub(super) fn value_test(
    cx: &mut Ctx,
    raw: &Value,
    path: &Path,
    depth: usize,
    folded: bool,
) -> Test {
    if !cx.visit(|| path.clone()) {
        return Test::False;
    }
    match raw {
        Value::String(s) if folded => Test::TextFolded(text(to_lower(s))),
        Value::String(s) => Test::Text(text(s.clone())),
        Value::Number(n) => Test::Number(*n),
        Value::Bool(b) => Test::Bool(*b),
        Value::Null => Test::Null,
        Value::Object(map) if is_operator_object(map) => {
            if !cx.depth_ok(path, depth) {
                return Test::False;
            }
            let mut ops: Vec<Op> = map
                .iter()
                .map(|(name, arg)| operators::compile(cx, name, arg, &path.key(name), depth + 1))
                .collect();
            match ops.as_slice() {
                [Op::Compare(rel, Operand::Number(n))] => Test::Compare(*rel, *n),
                [_] => ops.pop().map_or(Test::False, Test::Op),
                _ => Test::Ops(ops),
            }
        }
        _ => {
            if let Value::Object(map) = raw {
                if map.iter().any(|(k, _)| k.starts_with('$')) {
                    let message = "mixes operators and plain keys, so it is compared as a literal \
                                   object, not applied as operators";
                    cx.warn(codes::MIXED_OPERATORS, path, message.to_owned());
                }
            }
            if literal_ok(cx, raw, path, depth) {
                Test::Literal(raw.clone())
            } else {
                Test::False
            }
        }
    }
}

/// A string operand, with the number whose JS text it is, if any.
fn text(text: String) -> Text {
    let n = string_to_number(&text);
    let number = (number_to_string(n).as_str() == text).then_some(n);
    Text { text, number }
}

/// Checks an array or object literal (already visited) against the limits, reporting every
/// violation.
fn literal_ok(cx: &mut Ctx, raw: &Value, path: &Path, depth: usize) -> bool {
    let mut ok = true;
    match raw {
        Value::Array(items) => {
            if !cx.depth_ok(path, depth) || !cx.items_ok(path, items.len(), MAX_ITEMS) {
                return false;
            }
            for (i, item) in items.iter().enumerate() {
                // Scalars need no path unless the node budget runs out on them.
                ok &= cx.visit(|| path.index(i))
                    && (!is_container(item) || literal_ok(cx, item, &path.index(i), depth + 1));
            }
        }
        Value::Object(map) => {
            if !cx.depth_ok(path, depth) {
                return false;
            }
            for (key, item) in map.iter() {
                ok &= cx.visit(|| path.key(key))
                    && (!is_container(item) || literal_ok(cx, item, &path.key(key), depth + 1));
            }
        }
        _ => {}
    }
    ok
}

fn is_container(v: &Value) -> bool {
    matches!(v, Value::Array(_) | Value::Object(_))
}
