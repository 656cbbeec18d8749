//! Compiling history predicates (`$event`, `$sequence`, `$absent`) from a config's JSON.

use super::{Kind, Of, Predicate, Step, Window, MAX_STEPS};
use crate::diag::Path;
use crate::history::{MAX_AGE_MS, MAX_STRING_BYTES};
use crate::rules::codes;
use crate::rules::compile::{condition, value_test, Ctx};
use crate::rules::tree::{Node, Test};
use crate::text::{push_list, truncate_at_boundary};
use crate::time::{duration as duration_of, millis, parse_duration, Millis};
use crate::value::{Map, Value};

const EVENT_FIELDS: &[&str] = &[
    "name",
    "where",
    "in",
    "count",
    "sum",
    "max",
    "last",
    "value",
    "since",
    "sinceFirst",
];
const SEQUENCE_FIELDS: &[&str] = &["steps", "in", "within"];
const ABSENT_FIELDS: &[&str] = &["name", "where", "after", "for", "in"];
const STEP_FIELDS: &[&str] = &["name", "where"];
/// The measures, in the order that decides which one is kept when several are given.
const MEASURES: [(&str, Of); 6] = [
    ("count", Of::Count),
    ("sum", Of::Sum),
    ("max", Of::Max),
    ("last", Of::Last),
    ("since", Of::Since),
    ("sinceFirst", Of::SinceFirst),
];

const DURATION: &str = "expected a duration (\"90s\", \"30m\", \"2h\", \"7d\") or milliseconds";

/// Compiles the predicate under `key` (`$event`, `$sequence`, `$absent`) whose object `raw` is
/// at `path`, nesting level `depth`. Any error inside makes the whole predicate false.
pub(in crate::rules) fn compile(
    cx: &mut Ctx,
    key: &str,
    raw: &Value,
    path: &Path,
    depth: usize,
) -> Node {
    if !cx.visit_at(path) {
        return Node::False;
    }
    if !cx.at_root {
        let message = "history predicates cannot go inside `where`, a measure or `$elemMatch`";
        cx.fail(codes::HISTORY_NESTED, path, message);
        return Node::False;
    }
    let Value::Object(map) = raw else {
        cx.wrong_type(path, "a history predicate object", raw);
        return Node::False;
    };
    if !cx.depth_ok(path, depth) {
        return Node::False;
    }
    let errors = cx.errors;
    cx.at_root = false;
    let (kind, fields) = match key {
        "$event" => (Kind::Event, EVENT_FIELDS),
        "$sequence" => (Kind::Sequence, SEQUENCE_FIELDS),
        _ => (Kind::Absent, ABSENT_FIELDS),
    };
    unknown_fields(cx, map, fields, path);
    let mut p = Predicate {
        kind,
        steps: Vec::new(),
        window: window(cx, map.get("in"), path),
        of: Of::Any,
        prop: String::new(),
        test: Test::False,
        span: Millis::MAX,
    };
    match kind {
        Kind::Event => {
            p.steps.push(event(cx, map, path, depth));
            measure(cx, map, path, depth, &mut p);
        }
        Kind::Sequence => {
            steps(cx, map, path, depth, &mut p.steps);
            if let Some(d) = map.get("within") {
                p.span = duration(cx, d, &path.key("within"));
            }
        }
        Kind::Absent => {
            let after = match map.get("after") {
                Some(raw) => step(cx, raw, &path.key("after"), depth + 1),
                None => missing(cx, "after", path),
            };
            p.steps.push(after);
            p.steps.push(event(cx, map, path, depth));
            p.span = map
                .get("for")
                .map_or(0, |d| duration(cx, d, &path.key("for")));
        }
    }
    cx.at_root = true;
    if cx.errors > errors {
        return Node::False;
    }
    if !p.exact() && beyond_log(p.window) {
        let message = "reads the event log, which keeps the last 30 days / 500 events: the \
                       answer covers only those";
        cx.warn(codes::HISTORY_INEXACT, path, message.to_owned());
    }
    Node::History(Box::new(p))
}

fn unknown_fields(cx: &mut Ctx, map: &Map, fields: &[&str], path: &Path) {
    for (key, _) in map.iter() {
        if !fields.contains(&key) {
            let mut message = String::from("unknown field `");
            message.push_str(key);
            message.push_str("`; expected one of: ");
            push_list(&mut message, fields);
            cx.error(codes::HISTORY_UNKNOWN_FIELD, &path.key(key), message);
        }
    }
}

/// `$event`'s measure, into `p`.
fn measure(cx: &mut Ctx, map: &Map, path: &Path, depth: usize, p: &mut Predicate) {
    let value = map.get("value");
    let mut first = "";
    let mut aggregate = false;
    for &(key, of) in &MEASURES {
        let Some(raw) = map.get(key) else { continue };
        let at = path.key(key);
        let is_aggregate = matches!(of, Of::Sum | Of::Max | Of::Last);
        aggregate |= is_aggregate;
        if p.of != Of::Any {
            let message = ["one measure per `$event`; `", first, "` is already given"].concat();
            cx.error(codes::HISTORY_ONE_MEASURE, &at, message);
            continue;
        }
        first = key;
        p.of = of;
        p.test = if is_aggregate {
            p.prop = property(cx, raw, &at);
            match value {
                Some(v) => value_test(cx, v, &path.key("value"), depth + 1, false),
                None => {
                    bad_aggregate(cx, &at);
                    Test::False
                }
            }
        } else if of == Of::Count {
            value_test(cx, raw, &at, depth + 1, false)
        } else {
            let converted = durations(cx, raw, &at);
            value_test(cx, &converted, &at, depth + 1, false)
        };
    }
    if value.is_some() && !aggregate {
        bad_aggregate(cx, &path.key("value"));
    }
}

fn bad_aggregate(cx: &mut Ctx, path: &Path) {
    let message = "`value` goes with one of `sum`, `max`, `last`";
    cx.fail(codes::HISTORY_BAD_AGGREGATE, path, message);
}

/// `$sequence`'s `steps`, into `out`.
fn steps(cx: &mut Ctx, map: &Map, path: &Path, depth: usize, out: &mut Vec<Step>) {
    let at = path.key("steps");
    let raw = map.get("steps");
    match raw {
        Some(Value::Array(items)) if (2..=MAX_STEPS).contains(&items.len()) => {
            if cx.visit_at(&at) && cx.depth_ok(&at, depth + 1) {
                for (i, item) in items.iter().enumerate() {
                    out.push(step(cx, item, &at.index(i), depth + 2));
                }
            }
        }
        _ => {
            let at = if raw.is_some() { &at } else { path };
            cx.fail(codes::HISTORY_BAD_STEPS, at, "expected 2 to 8 steps");
        }
    }
}

impl Step {
    /// A placeholder for a step with errors (the predicate is then false).
    fn none() -> Step {
        Step {
            name: String::new(),
            filter: None,
        }
    }
}

/// A step: an event name, or `{"name", "where"}`.
fn step(cx: &mut Ctx, raw: &Value, path: &Path, depth: usize) -> Step {
    let Value::Object(map) = raw else {
        return Step {
            name: name(cx, raw, path),
            filter: None,
        };
    };
    if !cx.visit_at(path) || !cx.depth_ok(path, depth) {
        return Step::none();
    }
    unknown_fields(cx, map, STEP_FIELDS, path);
    event(cx, map, path, depth)
}

/// The `name` and `where` of the object `map` at `path`.
fn event(cx: &mut Ctx, map: &Map, path: &Path, depth: usize) -> Step {
    let filter = map
        .get("where")
        .map(|raw| condition(cx, raw, &path.key("where"), depth + 1));
    match map.get("name") {
        Some(raw) => Step {
            name: name(cx, raw, &path.key("name")),
            filter,
        },
        None => missing(cx, "name", path),
    }
}

/// Reports the missing field `key` of the object at `path`.
fn missing(cx: &mut Ctx, key: &str, path: &Path) -> Step {
    let message = ["missing `", key, "`"].concat();
    cx.error(codes::HISTORY_MISSING_NAME, path, message);
    Step::none()
}

/// An event name (cut as the history cuts recorded names); empty after an error.
fn name(cx: &mut Ctx, raw: &Value, path: &Path) -> String {
    if !cx.visit_at(path) {
        return String::new();
    }
    match raw {
        Value::String(s) if !s.is_empty() => {
            let mut name = s.clone();
            truncate_at_boundary(&mut name, MAX_STRING_BYTES);
            return name;
        }
        Value::String(_) => {
            let message = "an event name cannot be empty";
            cx.fail(codes::HISTORY_MISSING_NAME, path, message);
        }
        _ => cx.wrong_type(path, "an event name", raw),
    }
    String::new()
}

/// The property an aggregate reads.
fn property(cx: &mut Ctx, raw: &Value, path: &Path) -> String {
    if cx.visit_at(path) {
        match raw {
            Value::String(s) => return s.clone(),
            _ => cx.wrong_type(path, "a property name", raw),
        }
    }
    String::new()
}

/// `in`.
fn window(cx: &mut Ctx, raw: Option<&Value>, path: &Path) -> Window {
    let Some(raw) = raw else {
        return Window::All;
    };
    let at = path.key("in");
    if !cx.visit_at(&at) {
        return Window::All;
    }
    let ms = match raw {
        Value::String(s) => match s.as_str() {
            "all" => return Window::All,
            "session" => return Window::Session,
            "page" => return Window::Page,
            s => parse_duration(s),
        },
        _ => millis(raw),
    };
    match ms {
        Some(ms) if ms > 0 => Window::Last(ms),
        _ => {
            let message = "expected \"page\", \"session\", \"all\" or a duration (\"30m\", \"7d\")";
            cx.fail(codes::HISTORY_BAD_WINDOW, &at, message);
            Window::All
        }
    }
}

/// A duration field (`for`, `within`); 0 after an error.
fn duration(cx: &mut Ctx, raw: &Value, path: &Path) -> Millis {
    if !cx.visit_at(path) {
        return 0;
    }
    duration_of(raw).unwrap_or_else(|| {
        cx.fail(codes::HISTORY_BAD_DURATION, path, DURATION);
        0
    })
}

/// A `since` / `sinceFirst` operand with duration strings as milliseconds: the plain value, or
/// the operands of `$eq $ne $lt $lte $gt $gte`. A string there that is not a duration is
/// reported.
fn durations(cx: &mut Ctx, raw: &Value, path: &Path) -> Value {
    let mut v = raw.clone();
    match &mut v {
        Value::String(_) => to_ms(cx, &mut v, path),
        Value::Object(map) => {
            for op in ["$eq", "$ne", "$lt", "$lte", "$gt", "$gte"] {
                if let Some(operand @ Value::String(_)) = map.get_mut(op) {
                    to_ms(cx, operand, &path.key(op));
                }
            }
        }
        _ => {}
    }
    v
}

fn to_ms(cx: &mut Ctx, v: &mut Value, path: &Path) {
    match v.as_str().and_then(parse_duration) {
        Some(ms) => *v = Value::Number(ms as f64),
        None => cx.fail(codes::HISTORY_BAD_DURATION, path, DURATION),
    }
}

/// Whether a window can reach past what the log keeps.
fn beyond_log(window: Window) -> bool {
    match window {
        Window::All => true,
        Window::Last(d) => d > MAX_AGE_MS,
        Window::Session | Window::Page => false,
    }
}
