//! Compiling one operator of an operator object (`{"$gt": 5, "$lt": 10}`) into an [`Op`].
//!
//! Operand types follow what GrowthBook's operators can use; anything else is reported as
//! `rules/wrong-type` and compiles to [`Op::False`], which is also GrowthBook's answer for
//! the common mistakes (`$in` with a non-array, an invalid regex, an unknown operator).

use super::codes;
use super::coerce::{JsType, Operand, Rel};
use super::compile::{condition, is_operator_object, value_test, Ctx};
use super::jsnum::string_to_number;
use super::limits::{MAX_ITEMS, MAX_SAVED_GROUP_ITEMS};
use super::regex::Regex;
use super::scalar_set::ScalarSet;
use super::tree::Op;
use super::version::{padded_units, version_text};
use crate::diag::Path;
use crate::value::Value;

/// The operators GrowthBook knows inside an operator object.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Name {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    Veq,
    Vne,
    Vgt,
    Vgte,
    Vlt,
    Vlte,
    Exists,
    In,
    Nin,
    Ini,
    Nini,
    InGroup,
    NotInGroup,
    Not,
    Size,
    ElemMatch,
    All,
    Alli,
    Regex,
    Regexi,
    Type,
}

/// Name lookup as one table: a `match` on strings per use would repeat the comparisons in the
/// module's code for every place an operator is classified.
const NAMES: [(&str, Name); 27] = [
    ("$eq", Name::Eq),
    ("$ne", Name::Ne),
    ("$lt", Name::Lt),
    ("$lte", Name::Lte),
    ("$gt", Name::Gt),
    ("$gte", Name::Gte),
    ("$veq", Name::Veq),
    ("$vne", Name::Vne),
    ("$vgt", Name::Vgt),
    ("$vgte", Name::Vgte),
    ("$vlt", Name::Vlt),
    ("$vlte", Name::Vlte),
    ("$exists", Name::Exists),
    ("$in", Name::In),
    ("$nin", Name::Nin),
    ("$ini", Name::Ini),
    ("$nini", Name::Nini),
    ("$inGroup", Name::InGroup),
    ("$notInGroup", Name::NotInGroup),
    ("$not", Name::Not),
    ("$size", Name::Size),
    ("$elemMatch", Name::ElemMatch),
    ("$all", Name::All),
    ("$alli", Name::Alli),
    ("$regex", Name::Regex),
    ("$regexi", Name::Regexi),
    ("$type", Name::Type),
];

fn lookup(name: &str) -> Option<Name> {
    NAMES.iter().find(|(n, _)| *n == name).map(|&(_, op)| op)
}

/// Whether `name` is a GrowthBook value operator.
pub(super) fn is_operator(name: &str) -> bool {
    lookup(name).is_some()
}

/// Compiles `name: arg`; `path` points at `arg`, at nesting level `depth`.
pub(super) fn compile(cx: &mut Ctx, name: &str, arg: &Value, path: &Path, depth: usize) -> Op {
    let Some(op) = lookup(name) else {
        if cx.visit(|| path.clone()) {
            let hint = match name {
                "$and" | "$or" | "$nor" => {
                    "; logical operators go at the condition level, around fields"
                }
                _ => "",
            };
            let message = ["unknown operator `", name, "`", hint].concat();
            cx.error(codes::UNKNOWN_OPERATOR, path, message);
        }
        return Op::False;
    };
    // Operators whose operand is a condition value compile (and count) it themselves.
    match op {
        Name::Not => return Op::Not(Box::new(value_test(cx, arg, path, depth, false))),
        Name::Size => return Op::Size(Box::new(value_test(cx, arg, path, depth, false))),
        Name::ElemMatch => return elem_match(cx, arg, path, depth),
        _ => {}
    }
    if !cx.visit(|| path.clone()) {
        return Op::False;
    }
    let compiled = match (op, arg) {
        (
            Name::Eq | Name::Ne,
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_),
        ) => {
            if op == Name::Eq {
                Some(Op::Eq(arg.clone()))
            } else {
                Some(Op::Ne(arg.clone()))
            }
        }
        (Name::Lt | Name::Lte | Name::Gt | Name::Gte, Value::Number(n)) => {
            Some(Op::Compare(rel(op), Operand::Number(*n)))
        }
        (Name::Lt | Name::Lte | Name::Gt | Name::Gte, Value::String(s)) => Some(Op::Compare(
            rel(op),
            Operand::Text(s.clone(), string_to_number(s)),
        )),
        (Name::Veq | Name::Vne | Name::Vgt | Name::Vgte | Name::Vlt | Name::Vlte, _) => match arg {
            Value::String(_) | Value::Number(_) => {
                let text = version_text(arg);
                Some(Op::Version(rel(op), padded_units(text.as_str())))
            }
            _ => None,
        },
        (Name::Exists, Value::Bool(b)) => Some(Op::Exists(*b)),
        (Name::In | Name::Nin | Name::Ini | Name::Nini, Value::Array(items)) => {
            let folded = matches!(op, Name::Ini | Name::Nini);
            let negate = matches!(op, Name::Nin | Name::Nini);
            return match list_set(cx, items, path, depth, folded) {
                Some(set) => Op::In { set, negate },
                None => Op::False,
            };
        }
        (Name::InGroup | Name::NotInGroup, Value::String(group)) => {
            return saved_group(cx, group, path, op == Name::NotInGroup);
        }
        (Name::All | Name::Alli, Value::Array(items)) => {
            if !cx.depth_ok(path, depth) || !cx.items_ok(path, items.len(), MAX_ITEMS) {
                return Op::False;
            }
            let folded = op == Name::Alli;
            let tests = items
                .iter()
                .enumerate()
                .map(|(i, item)| value_test(cx, item, &path.index(i), depth + 1, folded))
                .collect();
            Some(Op::All(tests))
        }
        (Name::Regex | Name::Regexi, Value::String(pattern)) => {
            return match Regex::new(pattern, op == Name::Regexi) {
                Ok(re) => Op::Regex(re),
                Err(e) => {
                    cx.error(e.code, path, e.message);
                    Op::False
                }
            };
        }
        (Name::Type, Value::String(t)) => {
            if let Some(t) = JsType::from_name(t) {
                return Op::Type(t);
            }
            let message = [
                "unknown type `",
                t,
                "`; expected string, number, boolean, object, array or null",
            ]
            .concat();
            cx.error(codes::UNKNOWN_TYPE, path, message);
            return Op::False;
        }
        _ => None,
    };
    compiled.unwrap_or_else(|| {
        cx.wrong_type(path, expected(op), arg);
        Op::False
    })
}

/// The relation a comparison or version operator tests.
fn rel(op: Name) -> Rel {
    match op {
        Name::Lt | Name::Vlt => Rel::Lt,
        Name::Lte | Name::Vlte => Rel::Lte,
        Name::Gt | Name::Vgt => Rel::Gt,
        Name::Gte | Name::Vgte => Rel::Gte,
        Name::Vne => Rel::Ne,
        _ => Rel::Eq,
    }
}

/// What an operator's operand must be, for `rules/wrong-type`.
fn expected(op: Name) -> &'static str {
    match op {
        Name::Eq | Name::Ne => {
            "a string, number, boolean or null (=== never equals an array or object)"
        }
        Name::Lt | Name::Lte | Name::Gt | Name::Gte => "a number or string",
        Name::Veq | Name::Vne | Name::Vgt | Name::Vgte | Name::Vlt | Name::Vlte => {
            "a version string"
        }
        Name::Exists => "true or false",
        Name::InGroup | Name::NotInGroup => "a saved group name",
        Name::Regex | Name::Regexi => "a pattern string",
        Name::Type => "a type name",
        _ => "an array",
    }
}

/// `$elemMatch`: an operator object tests each element, anything else is a condition on it.
fn elem_match(cx: &mut Ctx, arg: &Value, path: &Path, depth: usize) -> Op {
    match arg {
        Value::Object(map) if is_operator_object(map) => {
            Op::ElemMatchValue(Box::new(value_test(cx, arg, path, depth, false)))
        }
        Value::Object(_) => {
            // Each element is tested alone: no history predicate in here.
            let at_root = std::mem::replace(&mut cx.at_root, false);
            let node = condition(cx, arg, path, depth);
            cx.at_root = at_root;
            Op::ElemMatch(Box::new(node))
        }
        _ => {
            if cx.visit(|| path.clone()) {
                cx.wrong_type(path, "a condition or operator object", arg);
            }
            Op::False
        }
    }
}

/// The list of `$in`, `$nin`, `$ini`, `$nini`.
fn list_set(
    cx: &mut Ctx,
    items: &[Value],
    path: &Path,
    depth: usize,
    folded: bool,
) -> Option<ScalarSet> {
    if !cx.depth_ok(path, depth) || !cx.items_ok(path, items.len(), MAX_ITEMS) {
        return None;
    }
    let mut set = ScalarSet::new(folded);
    for (i, item) in items.iter().enumerate() {
        if !cx.visit(|| path.index(i)) {
            return None;
        }
        if !set.insert(item) {
            let expected = "a string, number, boolean or null (lists match by ===, which never \
                            equals an array or object)";
            cx.wrong_type(&path.index(i), expected, item);
        }
    }
    Some(set.finish())
}

/// `$inGroup` / `$notInGroup`: the saved group's ids, resolved now.
fn saved_group(cx: &mut Ctx, name: &str, path: &Path, negate: bool) -> Op {
    let mut set = ScalarSet::new(false);
    let entry = cx.groups.get(name);
    // A bare array of ids, or GrowthBook's v2 `{"type": "list", "values": [...]}`.
    let ids = match entry {
        Some(Value::Array(ids)) => Some(ids),
        Some(Value::Object(m)) if m.get("type").and_then(Value::as_str) == Some("list") => {
            match m.get("values") {
                Some(Value::Array(ids)) => Some(ids),
                _ => None,
            }
        }
        _ => None,
    };
    match (entry, ids) {
        (None, _) => {
            // GrowthBook reads a missing group as `[]`; keep that meaning, but say so.
            let message = ["no saved group named `", name, "`"].concat();
            cx.error(codes::UNKNOWN_SAVED_GROUP, path, message);
        }
        (Some(_), Some(ids)) => {
            if !cx.items_ok(path, ids.len(), MAX_SAVED_GROUP_ITEMS) {
                return Op::False;
            }
            // Arrays and objects in a group can never match (`===`); they are skipped.
            for id in ids {
                set.insert(id);
            }
        }
        (Some(other), None) => {
            // GrowthBook (since SDK 1.8) matches nobody, with either operator, for a malformed
            // entry or a condition group.
            let expected = ["saved group `", name, "` to be an array of ids"].concat();
            cx.wrong_type(path, &expected, other);
            return Op::False;
        }
    }
    Op::In {
        set: set.finish(),
        negate,
    }
}
