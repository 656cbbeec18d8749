//! Journeys: `/journeys`, an array of named multi-stage journeys (see `crate::journeys`).

use super::read;
use crate::diag::expected;
use crate::diag::{Diagnostic, Diagnostics, Path};
use crate::journeys::{Journey, Reentry, Stage, MAX_ID_BYTES, RESERVED};
use crate::rules::Conditions;
use crate::time::{duration, Millis};
use crate::value::Value;

/// Most journeys in one config.
pub const MAX_JOURNEYS: usize = 50;
/// Most stages in one journey.
pub const MAX_STAGES: usize = 20;

const FIELDS: &[&str] = &[
    "id",
    "description",
    "entry",
    "stages",
    "goal",
    "exit",
    "reentry",
    "timeout",
];
const STAGE_FIELDS: &[&str] = &["id", "description", "if"];

fn error(diags: &mut Diagnostics, code: &'static str, path: &Path, msg: &str) {
    diags.push(Diagnostic::error(code, path, msg));
}

/// Compiles `/journeys`, dropping journeys with errors (and saying why).
pub fn compile(
    raw: &Value,
    path: &Path,
    conditions: &mut Conditions,
    diags: &mut Diagnostics,
) -> Vec<Journey> {
    let Value::Array(items) = raw else {
        diags.push(Diagnostic::error(
            "config/wrong-type",
            path,
            expected("an array of journeys", raw),
        ));
        return Vec::new();
    };
    if items.len() > MAX_JOURNEYS {
        error(
            diags,
            "config/too-many",
            path,
            "a config holds at most 50 journeys",
        );
        return Vec::new();
    }
    let mut out: Vec<Journey> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = path.index(i);
        let Some(j) = journey(item, &at, conditions, diags) else {
            continue;
        };
        if out.iter().any(|o| o.id == j.id) {
            let msg = "another journey already uses this id; ids must be unique";
            error(diags, "journeys/duplicate-id", &at.key("id"), msg);
            continue;
        }
        out.push(j);
    }
    out
}

fn journey(
    raw: &Value,
    path: &Path,
    conditions: &mut Conditions,
    diags: &mut Diagnostics,
) -> Option<Journey> {
    let Some(obj) = raw.as_object() else {
        diags.push(Diagnostic::error(
            "config/wrong-type",
            path,
            expected("a journey object", raw),
        ));
        return None;
    };
    let errors_before = diags.errors().count();
    read::unknown_fields(obj, FIELDS, path, diags);
    let id = read::string(obj, "id", path, true, diags);
    if id.as_ref().is_some_and(|id| id.len() > MAX_ID_BYTES) {
        let msg = "a journey id is at most 200 bytes";
        error(diags, "journeys/bad-id", &path.key("id"), msg);
    }
    let mut condition = |key: &str, diags: &mut Diagnostics| {
        obj.get(key)
            .map(|c| conditions.compile(c, &path.key(key), diags))
    };
    let entry = condition("entry", diags);
    if entry.is_none() {
        read::missing("entry", path, diags);
    }
    let goal = condition("goal", diags);
    let exit = condition("exit", diags);
    let stages = stages(obj.get("stages"), &path.key("stages"), conditions, diags);
    let timeout = match obj.get("timeout") {
        None => None,
        Some(v) => duration_at(v, &path.key("timeout"), diags),
    };
    let reentry = match obj.get("reentry") {
        None => Reentry::Never,
        Some(Value::String(s)) if s == "never" => Reentry::Never,
        Some(Value::String(s)) if s == "always" => Reentry::Always,
        Some(v) => {
            duration_at(v, &path.key("reentry"), diags).map_or(Reentry::Never, Reentry::After)
        }
    };
    if diags.errors().count() > errors_before {
        return None;
    }
    Some(Journey {
        id: id?,
        entry: entry?,
        stages,
        goal,
        exit,
        reentry,
        timeout,
    })
}

fn duration_at(v: &Value, path: &Path, diags: &mut Diagnostics) -> Option<Millis> {
    let d = duration(v);
    if d.is_none() {
        let msg =
            "expected a duration: \"90s\", \"30m\", \"2h\", \"7d\" or a number of milliseconds";
        error(diags, "journeys/bad-duration", path, msg);
    }
    d
}

fn stages(
    raw: Option<&Value>,
    path: &Path,
    conditions: &mut Conditions,
    diags: &mut Diagnostics,
) -> Vec<Stage> {
    let items = match raw {
        Some(Value::Array(items)) if !items.is_empty() && items.len() <= MAX_STAGES => items,
        _ => {
            let msg = "expected an array of 1 to 20 stages, each {\"id\", \"if\"}";
            error(diags, "journeys/bad-stages", path, msg);
            return Vec::new();
        }
    };
    let mut out: Vec<Stage> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = path.index(i);
        let Some(obj) = item.as_object() else {
            diags.push(Diagnostic::error(
                "config/wrong-type",
                &at,
                expected("a stage object", item),
            ));
            continue;
        };
        read::unknown_fields(obj, STAGE_FIELDS, &at, diags);
        let Some(id) = read::string(obj, "id", &at, true, diags) else {
            continue;
        };
        if RESERVED.contains(&id.as_str())
            || out.iter().any(|s| s.id == id)
            || id.len() > MAX_ID_BYTES
        {
            let msg = "stage ids are unique in a journey, at most 200 bytes, and not \"goal\", \"exit\" or \"timeout\"";
            error(diags, "journeys/bad-stage-id", &at.key("id"), msg);
        }
        let condition = obj
            .get("if")
            .map(|c| conditions.compile(c, &at.key("if"), diags));
        if i > 0 && condition.is_none() {
            read::missing("if", &at, diags);
        }
        if i == 0 && condition.is_some() {
            diags.push(Diagnostic::warning(
                "journeys/ignored-if",
                &at.key("if"),
                "the first stage is entered with the journey (by \"entry\"); its \"if\" is ignored",
            ));
        }
        out.push(Stage { id, condition });
    }
    out
}
