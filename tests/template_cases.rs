//! The template language against its fixtures (`tests/fixtures/templates/`): every case
//! compiles, fills to exactly the pieces given, reads exactly the paths given, and means the
//! same after a trip through the program format; every error case reports exactly the
//! diagnostics given. Plus hostile values and limits that are easier generated than written.
#![cfg(not(target_arch = "wasm32"))]

use trailmark::diag::{Diagnostics, Path, Severity};
use trailmark::template::{compile, Template, KNOWN_PATHS, MAX_VALUE_BYTES};
use trailmark::wire::round_trip;
use trailmark::Value;

fn fixture(name: &str) -> serde_json::Value {
    let file = format!(
        "{}/tests/fixtures/templates/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap()
}

fn at() -> Path {
    Path::root().key("t")
}

fn ok(text: &str) -> Template {
    let mut diags = Diagnostics::default();
    let t = compile(text, &at(), KNOWN_PATHS, &mut diags);
    assert!(diags.0.is_empty(), "{text:?}: {:?}", diags.0);
    t.unwrap_or_else(|| panic!("{text:?} did not compile"))
}

/// The diagnostics of `text` as (code, path, message).
fn errors(text: &str, path: &Path, known: &[&str]) -> Vec<(String, String, String)> {
    let mut diags = Diagnostics::default();
    let t = compile(text, path, known, &mut diags);
    assert!(t.is_none(), "{text:?} compiled despite {:?}", diags.0);
    diags
        .0
        .iter()
        .map(|d| {
            assert_eq!(d.severity, Severity::Error);
            (d.code.to_owned(), d.path.clone(), d.message.clone())
        })
        .collect()
}

/// The flat pieces of `t` filled from `attrs` (`Value::Null` for "not shown").
fn flat(t: &Template, attrs: &Value) -> Value {
    t.fill(attrs).unwrap_or(Value::Null)
}

/// Pieces written as JSON.
fn pieces(json: &str) -> Option<Value> {
    Some(Value::parse_json(json).unwrap())
}

/// The pieces of `s` then "!", as JSON.
fn cut(s: &str) -> String {
    format!(r#"[0, "{s}", 0, "!"]"#)
}

#[test]
fn fill_cases() {
    let doc = fixture("fill.json");
    let base = Value::from_serde(&doc["base"]);
    let cases = doc["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let text = case["text"].as_str().unwrap();
        let mut attrs = base.clone();
        match case.get("attributes") {
            Some(serde_json::Value::Object(roots)) => {
                let Value::Object(m) = &mut attrs else {
                    unreachable!()
                };
                for (k, v) in roots {
                    m.insert(k.as_str(), Value::from_serde(v));
                }
            }
            Some(other) => attrs = Value::from_serde(other),
            None => {}
        }
        let t = ok(text);
        let got = flat(&t, &attrs);
        let want = Value::from_serde(&case["pieces"]);
        if got != want {
            failures.push(format!("{name}:\n  want {want:?}\n  got  {got:?}"));
        }
        if let Some(paths) = case.get("paths") {
            let want: Vec<&str> = paths
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect();
            if t.paths() != want {
                failures.push(format!("{name}: paths {:?}, want {want:?}", t.paths()));
            }
        }
        // The program format carries it whole.
        let back = round_trip(&t).unwrap_or_else(|| panic!("{name}: no round trip"));
        assert_eq!(back, t, "{name}");
        assert_eq!(
            flat(&back, &attrs),
            got,
            "{name}: differs after a round trip"
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("templates: {} fill cases", cases.len());
}

#[test]
fn error_cases() {
    let doc = fixture("errors.json");
    let path_text = doc["path"].as_str().unwrap();
    // The fixture's pointer, rebuilt key by key.
    let path = path_text
        .split('/')
        .skip(1)
        .fold(Path::root(), |p, k| p.key(k));
    assert_eq!(path.as_str(), path_text);
    let cases = doc["cases"].as_array().unwrap();
    let mut failures = Vec::new();
    for case in cases {
        let text = case["text"].as_str().unwrap();
        let known: Vec<&str> = match case.get("known") {
            Some(k) => k
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap())
                .collect(),
            None => KNOWN_PATHS.to_vec(),
        };
        let want: Vec<(String, String, String)> = case["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e[0].as_str().unwrap().to_owned(),
                    path_text.to_owned(),
                    e[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let got = errors(text, &path, &known);
        if got != want {
            failures.push(format!("{text:?}:\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("templates: {} error cases", cases.len());
}

#[test]
fn limits_are_errors_with_their_code() {
    let long = "x".repeat(4097);
    assert_eq!(
        errors(&long, &at(), KNOWN_PATHS),
        [(
            "templates/too-large".into(),
            "/t".into(),
            "the text is 4097 bytes; a text with placeholders is at most 4096".into()
        )]
    );
    // 4096 bytes is fine.
    ok(&"x".repeat(4096));

    let many = "{{ cart.count }}".repeat(33);
    assert_eq!(
        errors(&many, &at(), KNOWN_PATHS),
        [(
            "templates/too-large".into(),
            "/t".into(),
            "placeholder at byte 512 is one too many: a text has at most 32 placeholders".into()
        )]
    );
    ok(&"{{ cart.count }}".repeat(32));

    let long_path = format!("{{{{ traits.{} }}}}", "n".repeat(194));
    assert_eq!(
        errors(&long_path, &at(), KNOWN_PATHS),
        [(
            "templates/too-large".into(),
            "/t".into(),
            "path at byte 3 is too long: at most 16 names and 200 bytes".into()
        )]
    );
    ok(&format!("{{{{ traits.{} }}}}", "n".repeat(193)));
}

#[test]
fn long_values_are_cut_at_a_char_boundary() {
    let t = ok("{{ traits.name }}!");
    let attrs = |name: String| {
        Value::object(vec![(
            "traits",
            Value::object(vec![("name", Value::from(name))]),
        )])
    };
    // 300 ASCII bytes: cut at 256.
    assert_eq!(
        t.fill(&attrs("a".repeat(300))),
        pieces(&cut(&"a".repeat(MAX_VALUE_BYTES)))
    );
    // 3-byte chars: 256 is not a boundary, 255 is.
    assert_eq!(
        t.fill(&attrs("€".repeat(100))),
        pieces(&cut(&"€".repeat(85)))
    );
    // Exactly 256 bytes is not cut.
    let exact = "b".repeat(256);
    assert_eq!(
        t.fill(&attrs(exact.clone())),
        pieces(&format!(r#"[0, "{exact}", 0, "!"]"#))
    );
    // A megabyte of text is cut the same way, and never parsed.
    let unit = "{{ cart.value }}<script>";
    let huge = t.fill(&attrs(unit.repeat(40_000))).unwrap();
    assert_eq!(huge, pieces(&cut(&unit.repeat(11)[..256])).unwrap());
}

#[test]
fn numbers_cross_as_numbers_never_negative_zero() {
    let t = ok("{{ traits.n }}{{ 5 - traits.n }}");
    let traits = |n: f64| {
        Value::object(vec![(
            "traits",
            Value::object(vec![("n", Value::Number(n))]),
        )])
    };
    let numbers = |v: Value| -> Vec<f64> {
        let Value::Array(items) = v else { panic!() };
        items
            .iter()
            .skip(1)
            .step_by(2)
            .map(|n| n.as_f64().unwrap())
            .collect()
    };
    let got = numbers(t.fill(&traits(-0.0)).unwrap());
    assert_eq!(got, [0.0, 5.0]);
    assert!(got[0].is_sign_positive());
    // At the threshold: +0, not -0.
    let got = numbers(t.fill(&traits(5.0)).unwrap());
    assert_eq!(got, [5.0, 0.0]);
    assert!(got[1].is_sign_positive());
    // Non-finite numbers (JSON has none; a hostile Value might) are missing.
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(t.fill(&traits(bad)), None, "{bad}");
    }
}

#[test]
fn the_flat_form_is_kind_then_fields() {
    let t =
        ok("a{{ cart.count }}{{ cart.value | money: 'EUR' }}{{ cart.count | plural: 'x', 'y' }}");
    let attrs = Value::parse_json(r#"{"cart": {"count": 2, "value": 150}}"#).unwrap();
    assert_eq!(
        t.fill(&attrs),
        pieces(r#"[0, "a", 1, 2, 2, 150, "EUR", 3, 2, "x", "y"]"#)
    );
}

#[test]
fn as_static_is_the_text_without_placeholders() {
    assert_eq!(ok("Free shipping").as_static(), Some("Free shipping"));
    assert_eq!(ok("").as_static(), Some(""));
    assert_eq!(ok("a {{ '{{' }} b").as_static(), Some("a {{ b"));
    assert_eq!(ok("a {{ cart.count }}").as_static(), None);
}
