//! GrowthBook's `evalCondition` conformance cases (`tests/fixtures/growthbook/cases.json`,
//! MIT, see the README there), run natively through every entry point of the engine:
//! the one-shot [`eval_condition`], [`Condition::compile`] + [`Condition::eval`], and all cases
//! compiled into shared [`Conditions`] sets (what a config does).
//!
//! Run with `cargo test --test conformance_conditions -- --nocapture` to see the tally.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use trailmark::history::Scope;
use trailmark::rules::{eval_condition, Condition, Conditions};
use trailmark::wire::round_trip;
use trailmark::{Diagnostics, Map, Path, Value};

/// One `[name, condition, attributes, expected, savedGroups?]` case.
struct Case {
    name: String,
    condition: Value,
    attributes: Value,
    expected: bool,
    groups: Map,
}

fn load() -> (String, Vec<Case>) {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/growthbook/cases.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("cases.json is JSON");
    let version = json["specVersion"].as_str().unwrap_or("?").to_owned();
    let cases = json["evalCondition"]
        .as_array()
        .expect("an evalCondition section")
        .iter()
        .map(|case| {
            let t = case.as_array().expect("each case is an array");
            let groups = match t.get(4).map(Value::from_serde) {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            };
            Case {
                name: t[0].as_str().expect("a name").to_owned(),
                condition: Value::from_serde(&t[1]),
                attributes: Value::from_serde(&t[2]),
                expected: t[3].as_bool().expect("an expected boolean"),
                groups,
            }
        })
        .collect();
    (version, cases)
}

#[test]
fn eval_condition_conformance() {
    let (version, cases) = load();
    assert_eq!(
        cases.len(),
        248,
        "the 0.8.0 suite has 248 evalCondition cases"
    );
    let mut failures = Vec::new();
    let mut with_diagnostics = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let one_shot = eval_condition(&case.attributes, &case.condition, &case.groups);
        let mut diags = Diagnostics::default();
        let compiled = Condition::compile(&case.condition, &Path::root(), &case.groups, &mut diags);
        let evaluated = compiled.eval(&case.attributes, &Scope::empty());
        if one_shot != case.expected || evaluated != case.expected {
            failures.push(format!(
                "#{i} {:?}: expected {}, eval_condition gave {one_shot}, compiled gave {evaluated}",
                case.name, case.expected
            ));
        }
        if !diags.0.is_empty() {
            let codes: Vec<String> = diags.0.iter().map(ToString::to_string).collect();
            with_diagnostics.push(format!("  {:?}: {}", case.name, codes.join("; ")));
        }
    }
    let passed = cases.len() - failures.len();
    println!("GrowthBook cases.json specVersion {version}");
    println!("evalCondition: {passed}/{} passed", cases.len());
    println!("cases compiling with diagnostics (GrowthBook answers false for those parts too):");
    for line in &with_diagnostics {
        println!("{line}");
    }
    assert!(
        failures.is_empty(),
        "{} failing:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every case compiled into one set per distinct saved groups, so that identical tests of the
/// same attribute across cases share one leaf; each case is then evaluated in a pass over its
/// attributes after every condition of the set was asked (in reverse order), so that the pass
/// has remembered every leaf's answer for those attributes before the case reads its own.
#[test]
fn eval_condition_conformance_in_shared_sets() {
    let (_, cases) = load();
    let mut sets: Vec<(Map, Conditions, Vec<usize>)> = Vec::new();
    let mut ids = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let at = match sets.iter().position(|(g, _, _)| *g == case.groups) {
            Some(at) => at,
            None => {
                sets.push((
                    case.groups.clone(),
                    Conditions::new(&case.groups),
                    Vec::new(),
                ));
                sets.len() - 1
            }
        };
        let (_, set, members) = &mut sets[at];
        let mut diags = Diagnostics::default();
        ids.push((
            at,
            set.compile(&case.condition, &Path::root().index(i), &mut diags),
        ));
        members.push(i);
    }
    // The same sets as a compiled config carries them: written and read back.
    let programs: Vec<Conditions> = sets
        .iter()
        .map(|(_, set, _)| round_trip(set).expect("a set reads back"))
        .collect();
    for (label, through_program) in [("", false), (" through compiled programs", true)] {
        let mut failures = Vec::new();
        for (i, case) in cases.iter().enumerate() {
            let (at, id) = ids[i];
            let (_, set, members) = &sets[at];
            let set = if through_program { &programs[at] } else { set };
            let scope = Scope::empty();
            let mut pass = set.pass(&case.attributes, &scope);
            for &j in members.iter().rev() {
                pass.holds(ids[j].1);
            }
            if pass.holds(id) != case.expected {
                failures.push(format!("#{i} {:?}: expected {}", case.name, case.expected));
            }
        }
        println!(
            "evalCondition in {} shared sets{label}: {}/{} passed",
            sets.len(),
            cases.len() - failures.len(),
            cases.len()
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

/// The only case expected to compile with a regex error is the suite's invalid pattern, and
/// every case with diagnostics is one whose condition is meant to be wrong.
#[test]
fn only_deliberately_wrong_cases_report_errors() {
    let (_, cases) = load();
    let deliberate = [
        "$in - not array",
        "$nin - not array",
        "$ini - not array",
        "$nini - not array",
        "unknown operator - pass",
        "$regex invalid - pass",
        "$regex invalid - fail",
        "$inGroup fails for unknown group id",
        "$notInGroup passes for unknown group id",
    ];
    let mut unexpected = Vec::new();
    for case in &cases {
        let mut diags = Diagnostics::default();
        Condition::compile(&case.condition, &Path::root(), &case.groups, &mut diags);
        let reported = !diags.0.is_empty();
        if reported != deliberate.contains(&case.name.as_str()) {
            unexpected.push(format!("{:?}: {:?}", case.name, diags.0));
        }
        if diags.0.iter().any(|d| d.code.starts_with("rules/regex")) {
            assert!(case.name.starts_with("$regex invalid"), "{}", case.name);
            assert!(diags
                .0
                .iter()
                .all(|d| d.code == "rules/regex-invalid" && d.path == "/name/$regex"));
        }
    }
    assert!(
        unexpected.is_empty(),
        "unexpected diagnostics (or none where expected):\n{}",
        unexpected.join("\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Malformed conditions: `tests/fixtures/bad-conditions/*.json`, each
// `{"why", "condition", "expect": [{"code", "path", "severity"?}], "savedGroups"?, "base"?}`.

/// Diagnostics as comparable `(code, path, severity)` triples, sorted.
fn triples(diags: &Diagnostics) -> Vec<(String, String, &'static str)> {
    let mut t: Vec<_> = diags
        .0
        .iter()
        .map(|d| {
            let severity = match d.severity {
                trailmark::Severity::Error => "error",
                trailmark::Severity::Warning => "warning",
            };
            (d.code.to_owned(), d.path.clone(), severity)
        })
        .collect();
    t.sort();
    t
}

/// Attribute sets every compiled condition is evaluated against (never panicking, and the
/// compiled and one-shot forms agreeing).
fn probe_attributes() -> Vec<Value> {
    [
        r#"{}"#,
        r#"{"a": 1, "b": "x", "c": [1, "2", null], "num": 1, "name": "hello", "v": "1.2.3"}"#,
        r#"{"a": [{"b": 1, "f": "int"}, 0, ""], "e": [{"f": 1}], "d": [1, 2], "g": ["ok"]}"#,
        r#"null"#,
        r#"[1, 2]"#,
    ]
    .iter()
    .map(|j| Value::parse_json(j).unwrap())
    .collect()
}

fn check_evaluations(condition: &Value, groups: &Map, compiled: &Condition, label: &str) {
    for attrs in probe_attributes() {
        assert_eq!(
            compiled.eval(&attrs, &Scope::empty()),
            eval_condition(&attrs, condition, groups),
            "{label}: compiled and one-shot disagree on {attrs:?}"
        );
    }
}

#[test]
fn bad_conditions_report_exact_codes_and_paths() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/bad-conditions");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "the corpus is there");
    let mut failures = Vec::new();
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(file).unwrap();
        let json: serde_json::Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(json["why"].is_string(), "{name}: every fixture says why");
        let condition = Value::from_serde(&json["condition"]);
        let groups = match Value::from_serde(&json["savedGroups"]) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let mut base = Path::root();
        for seg in json["base"].as_array().into_iter().flatten() {
            base = match seg {
                serde_json::Value::Number(n) => base.index(n.as_u64().unwrap() as usize),
                s => base.key(s.as_str().unwrap()),
            };
        }
        let mut want: Vec<(String, String, &'static str)> = json["expect"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: an expect array"))
            .iter()
            .map(|e| {
                let severity = if e["severity"] == "warning" {
                    "warning"
                } else {
                    "error"
                };
                (
                    e["code"].as_str().unwrap().to_owned(),
                    e["path"].as_str().unwrap().to_owned(),
                    severity,
                )
            })
            .collect();
        want.sort();
        let mut diags = Diagnostics::default();
        let compiled = Condition::compile(&condition, &base, &groups, &mut diags);
        let got = triples(&diags);
        if got != want {
            failures.push(format!(
                "{name}:\n  want {want:?}\n  got  {got:?}\n  ({diags:?})"
            ));
        }
        check_evaluations(&condition, &groups, &compiled, &name);
    }
    println!(
        "bad-conditions: {}/{} fixtures passed",
        files.len() - failures.len(),
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Limits, on inputs too big to store as fixtures.

/// Builds `outer(wrap(wrap(...wrap(leaf))))` with `levels` wraps, runs `f` on it, and takes it
/// apart again without recursion: cloning or dropping 10 000 nested values recursively would
/// overflow the test thread's stack (the engine itself never recurses that deep).
fn with_nested(
    levels: usize,
    leaf: Value,
    wrap: fn(Value) -> Value,
    outer: fn(Value) -> Value,
    f: impl FnOnce(&Value),
) {
    let mut v = leaf;
    for _ in 0..levels {
        v = wrap(v);
    }
    let v = outer(v);
    f(&v);
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(mut map) => {
                let keys: Vec<String> = map.iter().map(|(k, _)| k.to_owned()).collect();
                stack.extend(keys.iter().filter_map(|k| map.remove(k)));
            }
            _ => {}
        }
    }
}

/// Compiles `condition`, evaluates it on the probes (no panic, no overflow), returns the
/// diagnostics.
fn compile_diags(condition: &Value) -> Vec<(String, String, &'static str)> {
    let mut diags = Diagnostics::default();
    let compiled = Condition::compile(condition, &Path::root(), &Map::new(), &mut diags);
    for attrs in probe_attributes() {
        let _ = compiled.eval(&attrs, &Scope::empty());
    }
    triples(&diags)
}

fn too_deep_at(path: String) -> Vec<(String, String, &'static str)> {
    vec![("rules/too-deep".to_owned(), path, "error")]
}

#[test]
fn nesting_ten_thousand_levels_is_one_error_not_a_crash() {
    let a1 = || Value::parse_json(r#"{"a": 1}"#).unwrap();
    let same = |v| v;
    // `{"$not": {"$not": ...}}`: the root is level 1, so level 33 is under 32 `$not`s.
    let not = |v| Value::object(vec![("$not", v)]);
    with_nested(10_000, a1(), not, same, |c| {
        assert_eq!(compile_diags(c), too_deep_at("/$not".repeat(32)));
    });
    // `{"$and": [{"$and": [...]}]}`: objects at odd levels, arrays at even ones.
    let and = |v| Value::object(vec![("$and", Value::Array(vec![v]))]);
    with_nested(10_000, a1(), and, same, |c| {
        assert_eq!(compile_diags(c), too_deep_at("/$and/0".repeat(16)));
    });
    // An array literal `{"a": [[[...]]]}`: the outer array is level 2.
    let array = |v| Value::Array(vec![v]);
    let field = |v| Value::object(vec![("a", v)]);
    with_nested(10_000, Value::Null, array, field, |c| {
        assert_eq!(
            compile_diags(c),
            too_deep_at(format!("/a{}", "/0".repeat(31)))
        );
    });
    // Operator objects `{"a": {"$not": {"$not": ...}}}`.
    with_nested(10_000, Value::from(1.0), not, field, |c| {
        assert_eq!(
            compile_diags(c),
            too_deep_at(format!("/a{}", "/$not".repeat(31)))
        );
    });
    // `$elemMatch` conditions `{"a": {"$elemMatch": {"a": {"$elemMatch": ...}}}}`.
    let elem = |v| Value::object(vec![("a", Value::object(vec![("$elemMatch", v)]))]);
    with_nested(10_000, Value::from(1.0), elem, same, |c| {
        assert_eq!(compile_diags(c), too_deep_at("/a/$elemMatch".repeat(16)));
    });
}

#[test]
fn huge_arrays_are_capped() {
    let items = |n: usize| Value::Array((0..n).map(|i| Value::from(i as f64)).collect());
    let at_limit = Value::object(vec![("a", Value::object(vec![("$in", items(1000))]))]);
    assert_eq!(compile_diags(&at_limit), vec![]);
    for (condition, path) in [
        (
            Value::object(vec![("a", Value::object(vec![("$in", items(1001))]))]),
            "/a/$in",
        ),
        (
            Value::object(vec![("a", Value::object(vec![("$all", items(5000))]))]),
            "/a/$all",
        ),
        (Value::object(vec![("a", items(1001))]), "/a"),
        (
            Value::object(vec![(
                "$or",
                Value::Array(vec![Value::object(vec![("a", Value::from(1.0))]); 1001]),
            )]),
            "/$or",
        ),
    ] {
        let got = compile_diags(&condition);
        assert_eq!(
            got,
            vec![("rules/too-many-items".to_owned(), path.to_owned(), "error")]
        );
    }
    let mut groups = Map::new();
    groups.insert("big", items(10_001));
    let mut diags = Diagnostics::default();
    let c = Value::parse_json(r#"{"id": {"$inGroup": "big"}}"#).unwrap();
    Condition::compile(&c, &Path::root(), &groups, &mut diags);
    assert_eq!(
        triples(&diags),
        vec![(
            "rules/too-many-items".to_owned(),
            "/id/$inGroup".to_owned(),
            "error"
        )]
    );
}

#[test]
fn node_budget_makes_the_whole_condition_false() {
    // 11 branches of {"a": {"$in": [999 ids]}}: 1 002 values each after the root and `$or`.
    let branch = Value::object(vec![(
        "a",
        Value::object(vec![(
            "$in",
            Value::Array((0..999).map(|i| Value::from(i as f64)).collect()),
        )]),
    )]);
    let condition = Value::object(vec![("$or", Value::Array(vec![branch; 11]))]);
    let got = compile_diags(&condition);
    // Values counted before branch 9 (0-based): 2 + 9 x 1 002 = 9 020; then its object, its
    // operator object and the `$in` array bring 9 023, and item 977 is value 10 001.
    assert_eq!(
        got,
        vec![(
            "rules/too-many-nodes".to_owned(),
            "/$or/9/a/$in/977".to_owned(),
            "error"
        )]
    );
    let mut diags = Diagnostics::default();
    let compiled = Condition::compile(&condition, &Path::root(), &Map::new(), &mut diags);
    assert!(
        !compiled.eval(&Value::parse_json(r#"{"a": 1}"#).unwrap(), &Scope::empty()),
        "past the budget, false"
    );
}

// ---------------------------------------------------------------------------------------------
// Arbitrary JSON as conditions and attributes: never a panic, and both entry points agree.

#[test]
fn random_json_never_panics() {
    let mut state = 0x853C_49E6_748F_EA9Bu64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    const KEYS: &[&str] = &[
        "a",
        "b",
        "a.b",
        "tags",
        "tags.0",
        "tags.length",
        "$and",
        "$or",
        "$nor",
        "$not",
        "$eq",
        "$ne",
        "$lt",
        "$gte",
        "$in",
        "$nin",
        "$ini",
        "$alli",
        "$all",
        "$elemMatch",
        "$size",
        "$exists",
        "$type",
        "$regex",
        "$regexi",
        "$vgt",
        "$veq",
        "$inGroup",
        "$notInGroup",
        "$savedGroup",
        "$zzz",
    ];
    const STRINGS: &[&str] = &[
        "", "8", " 8 ", "x", "1.2.3", "^a", "(", "string", "g", "1e21", "ΟΔΟΣ", "İ",
    ];
    fn gen(next: &mut impl FnMut() -> u64, depth: u32) -> Value {
        match next() % if depth == 0 { 5 } else { 8 } {
            0 => Value::Null,
            1 => Value::Bool(next() % 2 == 0),
            2 => Value::Number([0.0, 1.0, -1.0, 8.0, 0.5, 1e21, 3.0][(next() % 7) as usize]),
            3 | 4 => Value::from(STRINGS[(next() % STRINGS.len() as u64) as usize]),
            5 => Value::Array((0..next() % 4).map(|_| gen(next, depth - 1)).collect()),
            _ => Value::Object(
                (0..next() % 4)
                    .map(|_| {
                        (
                            KEYS[(next() % KEYS.len() as u64) as usize].to_owned(),
                            gen(next, depth - 1),
                        )
                    })
                    .collect(),
            ),
        }
    }
    let mut groups = Map::new();
    groups.insert("g", Value::parse_json(r#"[1, "x", null]"#).unwrap());
    for _ in 0..20_000 {
        let condition = gen(&mut next, 5);
        let attributes = gen(&mut next, 4);
        let mut diags = Diagnostics::default();
        let compiled = Condition::compile(&condition, &Path::root(), &groups, &mut diags);
        assert_eq!(
            compiled.eval(&attributes, &Scope::empty()),
            eval_condition(&attributes, &condition, &groups),
            "{condition:?} on {attributes:?}"
        );
    }
}
