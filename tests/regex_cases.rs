//! The regex engine against JavaScript ground truth (`tests/fixtures/regex/`, written by
//! `generate.mjs` from node's `RegExp`), compiled and as compiled configs carry them, plus
//! linear-time checks on pathological patterns.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use serde_json::Value as Json;
use trailmark::rules::regex::{Regex, MAX_PROGRAM};
use trailmark::wire::round_trip;

fn fixture(name: &str) -> Vec<Json> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/regex")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is a JSON array")
}

fn flags_icase(flags: &str) -> bool {
    match flags {
        "" => false,
        "i" => true,
        other => panic!("unexpected flags {other:?}"),
    }
}

/// Prints `"{what}: passed/total passed"` and fails with every failure listed.
fn tally(what: &str, total: usize, failures: &[String]) {
    println!("{what}: {}/{total} passed", total - failures.len());
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn matches_like_javascript() {
    let cases = fixture("cases.json");
    assert!(cases.len() >= 150, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let (pattern, flags, hay) = (
            case[0].as_str().unwrap(),
            case[1].as_str().unwrap(),
            case[2].as_str().unwrap(),
        );
        let expected = case[3].as_bool().unwrap();
        match Regex::new(pattern, flags_icase(flags)) {
            // The pattern as a compiled config carries it (written and read back) too.
            Ok(re)
                if re.is_match(hay) == expected
                    && round_trip(&re).is_some_and(|again| again.is_match(hay) == expected) => {}
            Ok(_) => failures.push(format!(
                "/{pattern}/{flags}.test({hay:?}) should be {expected} (compiled or read back)"
            )),
            Err(e) => failures.push(format!(
                "/{pattern}/{flags} rejected: {} {}",
                e.code, e.message
            )),
        }
    }
    tally("regex cases", cases.len(), &failures);
}

#[test]
fn rejects_with_the_right_code() {
    let cases = fixture("errors.json");
    let mut failures = Vec::new();
    for case in &cases {
        let (pattern, flags, code) = (
            case[0].as_str().unwrap(),
            case[1].as_str().unwrap(),
            case[2].as_str().unwrap(),
        );
        match Regex::new(pattern, flags_icase(flags)) {
            Err(e) if e.code == code => {
                assert!(
                    e.message.contains(" at byte "),
                    "{pattern:?}: message without position: {}",
                    e.message
                );
            }
            Err(e) => failures.push(format!(
                "{pattern:?}: {} ({}), expected {code}",
                e.code, e.message
            )),
            Ok(_) => failures.push(format!("{pattern:?}: accepted, expected {code}")),
        }
    }
    tally("regex errors", cases.len(), &failures);
}

/// Patterns that take exponential time in a backtracking engine, against 50 000 chars. The bound
/// is on VM steps, not time, so it holds the same in debug and release builds.
#[test]
fn pathological_patterns_are_linear() {
    let a = "a".repeat(50_000);
    let ab = format!("{a}b");
    let x = "x".repeat(50_000);
    let cases: [(&str, &str, bool); 9] = [
        ("(a*)*b", &a, false),
        ("(a*)*b", &ab, true),
        ("(a|a)*b", &a, false),
        ("(a+)+$", &ab, false),
        ("^(a+)+$", &ab, false),
        ("(x+x+)+y", &x, false),
        ("(a|aa)+c", &a, false),
        ("^(\\w+\\s?)*$", &ab, true),
        ("(?:a*)*(?:a*)*(?:a*)*c", &a, false),
    ];
    for (pattern, hay, expected) in cases {
        let re = Regex::new(pattern, false).unwrap();
        let (hit, steps) = re.is_match_counting(hay);
        assert_eq!(hit, expected, "{pattern}");
        // The engine guarantees (chars + 1) × program length; on these it stays under
        // chars × program length.
        let bound = hay.chars().count() as u64 * re.program_len() as u64;
        assert!(steps <= bound, "{pattern}: {steps} steps > {bound}");
        println!("{pattern}: {steps} steps (bound {bound})");
    }
    // The worst program the limit allows stays within the same bound.
    let re = Regex::new("(?:a?){500}a{500}", false).unwrap();
    assert!(re.program_len() <= MAX_PROGRAM + 1);
    let (hit, steps) = re.is_match_counting(&a[..5000]);
    assert!(hit && steps <= 5000 * re.program_len() as u64);
}

/// The one documented deviation: chars outside the BMP are one char here, two units in JS.
#[test]
fn astral_chars_are_one_char() {
    let any = Regex::new("^.$", false).unwrap();
    assert!(
        any.is_match("😀"),
        "JS says false: it sees two UTF-16 units"
    );
    assert!(Regex::new("^😀+$", false).unwrap().is_match("😀😀"));
    assert!(!Regex::new("[\\uD800-\\uDFFF]", false)
        .unwrap()
        .is_match("😀"));
    assert!(Regex::new("\\uD83D\\uDE00", true).unwrap().is_match("😀"));
}
