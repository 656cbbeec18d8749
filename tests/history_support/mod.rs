//! The history fixtures' runner, shared by `tests/history_cases.rs` (native) and
//! `tests/wasm_history.rs` (inside wasm): both hand it the parsed fixture as a core [`Value`]
//! (natively from serde_json, in the browser from `JSON.parse` through the shell's converter),
//! so the two runs check exactly the same thing.
//!
//! `predicates.json`: `{"cases": [case]}`, each case
//! `{"name", "now", "session", "tab", "pageStart", "events", "attributes"?, "savedGroups"?,
//! "condition", "expected"}`, or `"checks": [{"name", "condition", "expected"}]` instead of one
//! condition (each check counts as a case). Times (`now`, `session`, `pageStart`, an event's
//! `at`) are milliseconds, or text relative to `now`: `"now"`, `"now-30m"`, `"now+1500"` (a
//! bare number is milliseconds). An event is `{"at", "name", "session"?, "tab"?, "props"?}`
//! (session and tab default to the case's); `{"repeat": n, "every": ms, ...}` records `n`
//! events `every` ms apart from `at`, with `{i}` in the name replaced by the index, and
//! `"fill": {"props": k, "bytes": b}` adds `k` string properties of `b` bytes each.
//! Every condition must compile without errors.
//!
//! `errors.json`: `{"cases": [{"name", "condition", "expect": [{"code", "path",
//! "severity"?}]}]}`: exactly these diagnostics (severity defaults to error), all of them.
//! With `"evaluates": bool` (and optionally `events`, `now`), the condition is also evaluated.
#![allow(dead_code)]

use trailmark::history::{History, Scope};
use trailmark::rules::Condition;
use trailmark::wire::round_trip;
use trailmark::{Diagnostics, Map, Path, Severity, Value};

#[path = "../shared/tally.rs"]
mod tally;
pub use tally::Tally;

fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key)
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    field(v, key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("`{key}` must be a string in {v:?}"))
}

fn cases(fixture: &Value) -> &[Value] {
    fixture
        .get("cases")
        .and_then(Value::as_array)
        .expect("a `cases` array")
}

/// A duration: digits with an optional unit (ms when none).
fn duration(s: &str) -> i64 {
    let (digits, scale) = match s.as_bytes().last() {
        Some(b's') => (&s[..s.len() - 1], 1_000),
        Some(b'm') => (&s[..s.len() - 1], 60_000),
        Some(b'h') => (&s[..s.len() - 1], 3_600_000),
        Some(b'd') => (&s[..s.len() - 1], 86_400_000),
        _ => (s, 1),
    };
    digits
        .parse::<i64>()
        .unwrap_or_else(|_| panic!("bad duration {s:?}"))
        * scale
}

/// A time: milliseconds, or `"now"`, `"now-30m"`, `"now+5s"`.
fn time(v: Option<&Value>, now: i64, default: i64) -> i64 {
    match v {
        None => default,
        Some(Value::Number(n)) => *n as i64,
        Some(Value::String(s)) => {
            let rest = s
                .strip_prefix("now")
                .unwrap_or_else(|| panic!("bad time {s:?}"));
            if let Some(d) = rest.strip_prefix('-') {
                now - duration(d)
            } else if let Some(d) = rest.strip_prefix('+') {
                now + duration(d)
            } else {
                assert!(rest.is_empty(), "bad time {s:?}");
                now
            }
        }
        Some(other) => panic!("bad time {other:?}"),
    }
}

/// Where and when a case evaluates.
struct Setting {
    now: i64,
    session: i64,
    tab: String,
    page_start: i64,
}

impl Setting {
    fn of(case: &Value) -> Setting {
        let now = time(field(case, "now"), 0, 1_800_000_000_000);
        Setting {
            now,
            session: time(field(case, "session"), now, now - 3_600_000),
            tab: field(case, "tab")
                .and_then(Value::as_str)
                .unwrap_or("t1")
                .to_owned(),
            page_start: time(field(case, "pageStart"), now, now - 60_000),
        }
    }

    /// Where the case's predicates are evaluated, over `history`.
    fn scope<'a>(&'a self, history: &'a History) -> Scope<'a> {
        Scope::new(history, self.now, self.session, &self.tab, self.page_start)
    }
}

/// Records the case's `events`.
fn history(case: &Value, s: &Setting) -> History {
    let mut h = History::default();
    let events = field(case, "events")
        .and_then(Value::as_array)
        .unwrap_or_default();
    for e in events {
        let at = time(field(e, "at"), s.now, s.now);
        let session = time(field(e, "session"), s.now, s.session);
        let tab = field(e, "tab")
            .and_then(Value::as_str)
            .unwrap_or(&s.tab)
            .to_owned();
        let mut props = match field(e, "props") {
            Some(Value::Object(m)) => m.clone(),
            None => Map::new(),
            Some(other) => panic!("props must be an object: {other:?}"),
        };
        if let Some(fill) = field(e, "fill") {
            let n = fill.get("props").and_then(Value::as_f64).unwrap_or(0.0) as usize;
            let bytes = fill.get("bytes").and_then(Value::as_f64).unwrap_or(0.0) as usize;
            for i in 0..n {
                props.insert(format!("f{i:02}"), Value::from("x".repeat(bytes)));
            }
        }
        let name = text(e, "name");
        let repeat = field(e, "repeat").and_then(Value::as_f64).unwrap_or(1.0) as i64;
        let every = field(e, "every").and_then(Value::as_f64).unwrap_or(0.0) as i64;
        for i in 0..repeat {
            let name = name.replace("{i}", &i.to_string());
            h.record(at + i * every, session, &tab, &name, &props);
        }
    }
    h
}

fn groups(case: &Value) -> Map {
    match field(case, "savedGroups") {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

/// Runs `predicates.json`.
pub fn predicates(fixture: &Value) -> Tally {
    let mut tally = Tally {
        total: 0,
        failures: Vec::new(),
    };
    for case in cases(fixture) {
        let name = text(case, "name");
        let setting = Setting::of(case);
        let h = history(case, &setting);
        let scope = setting.scope(&h);
        let attributes = field(case, "attributes")
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        let groups = groups(case);
        let checks: Vec<(String, &Value)> = match field(case, "checks") {
            Some(Value::Array(checks)) => checks
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let label = c
                        .get("name")
                        .and_then(Value::as_str)
                        .map_or_else(|| format!("#{i}"), str::to_owned);
                    (format!("{name} / {label}"), c)
                })
                .collect(),
            _ => vec![(name.to_owned(), case)],
        };
        for (label, check) in checks {
            tally.total += 1;
            let condition = field(check, "condition").expect("a condition");
            let expected = field(check, "expected")
                .and_then(Value::as_bool)
                .unwrap_or_else(|| panic!("{label}: `expected` must be a boolean"));
            let mut diags = Diagnostics::default();
            let compiled = Condition::compile(condition, &Path::root(), &groups, &mut diags);
            if diags.has_errors() {
                let codes: Vec<String> = diags.errors().map(|d| d.text()).collect();
                tally
                    .failures
                    .push(format!("{label}: does not compile: {codes:?}"));
                continue;
            }
            let got = compiled.eval(&attributes, &scope);
            // Never panics without a history either.
            let _ = compiled.eval(&attributes, &Scope::empty());
            if got != expected {
                tally
                    .failures
                    .push(format!("{label}: expected {expected}, got {got}"));
            }
            // The same condition as a compiled config carries it means the same.
            match round_trip(&compiled).map(|c| c.eval(&attributes, &scope)) {
                Some(again) if again == expected => {}
                other => tally.failures.push(format!(
                    "{label}: through a compiled program: expected {expected}, got {other:?}"
                )),
            }
        }
    }
    tally
}

/// Runs `errors.json`.
pub fn errors(fixture: &Value) -> Tally {
    let mut tally = Tally {
        total: 0,
        failures: Vec::new(),
    };
    for case in cases(fixture) {
        tally.total += 1;
        let name = text(case, "name");
        let condition = field(case, "condition").expect("a condition");
        let mut want: Vec<(String, String, String)> = field(case, "expect")
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{name}: an `expect` array"))
            .iter()
            .map(|e| {
                let severity = e.get("severity").and_then(Value::as_str).unwrap_or("error");
                (
                    text(e, "code").to_owned(),
                    text(e, "path").to_owned(),
                    severity.to_owned(),
                )
            })
            .collect();
        want.sort();
        let mut diags = Diagnostics::default();
        let compiled = Condition::compile(condition, &Path::root(), &groups(case), &mut diags);
        let mut got: Vec<(String, String, String)> = diags
            .0
            .iter()
            .map(|d| {
                let severity = match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                (d.code.to_owned(), d.path.clone(), severity.to_owned())
            })
            .collect();
        got.sort();
        if got != want {
            let texts: Vec<String> = diags.0.iter().map(|d| d.text()).collect();
            tally.failures.push(format!(
                "{name}:\n    want {want:?}\n    got  {got:?}\n    ({texts:?})"
            ));
            continue;
        }
        if let Some(expected) = field(case, "evaluates").and_then(Value::as_bool) {
            let setting = Setting::of(case);
            let h = history(case, &setting);
            let scope = setting.scope(&h);
            let got = compiled.eval(&Value::Object(Map::new()), &scope);
            if got != expected {
                tally
                    .failures
                    .push(format!("{name}: evaluates to {got}, expected {expected}"));
            }
        }
    }
    tally
}
