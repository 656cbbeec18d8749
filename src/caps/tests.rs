//! Caps at their edges, with injected time.

use super::*;
use crate::diag::{Diagnostics, Path};

const H: Millis = 3_600_000;
const D: Millis = 24 * H;
const T0: Millis = 1_765_000_000_000;

fn props(rule: &str, placement: &str) -> Map {
    let mut m = Map::new();
    m.insert("rule", Value::from(rule));
    m.insert("placement", Value::from(placement));
    m
}

fn viewed(d: &mut Displays, rule: &str, at: Millis, session: Millis) {
    d.apply(BLOCK_VIEWED, &props(rule, "bar-top"), at, session);
}

fn caps(json: &str) -> Caps {
    let mut diags = Diagnostics::default();
    let c = compile_caps(&Value::parse_json(json).unwrap(), &Path::root(), &mut diags);
    assert!(diags.0.is_empty(), "{diags:?}");
    c
}

#[test]
fn per_session_counts_this_session_only_and_is_exact_at_the_edge() {
    let c = caps(r#"{"perSession": 2}"#);
    let mut d = Displays::default();
    assert_eq!(c.held(d.of("r"), T0, T0, false), None);
    viewed(&mut d, "r", T0, T0);
    assert_eq!(c.held(d.of("r"), T0, T0 + 1, false), None, "1 of 2");
    viewed(&mut d, "r", T0 + 1, T0);
    assert_eq!(c.held(d.of("r"), T0, T0 + 2, false), Some(Held::Session));
    // Showing on this page already: caps apply to new showings.
    assert_eq!(c.held(d.of("r"), T0, T0 + 2, true), None);
    // A new session starts from zero.
    assert_eq!(c.held(d.of("r"), T0 + H, T0 + H, false), None);
}

#[test]
fn a_window_excludes_a_view_exactly_as_old_as_it() {
    let c = caps(r#"{"perWindow": {"views": 2, "within": "7d"}}"#);
    let mut d = Displays::default();
    viewed(&mut d, "r", T0, T0);
    viewed(&mut d, "r", T0 + D, T0 + D);
    assert_eq!(
        c.held(d.of("r"), 9, T0 + 7 * D - 1, false),
        Some(Held::Window)
    );
    assert_eq!(
        c.held(d.of("r"), 9, T0 + 7 * D, false),
        None,
        "the first view is out"
    );
}

#[test]
fn ever_is_an_all_time_counter() {
    let c = caps(r#"{"ever": 3}"#);
    let mut d = Displays::default();
    for i in 0..40 {
        viewed(&mut d, "r", T0 + i * 100 * D, T0 + i * 100 * D);
    }
    let s = d.of("r").unwrap();
    assert_eq!((s.views, s.recent.len()), (40, MAX_RECENT));
    assert_eq!(c.held(Some(s), 1, T0 + 10_000 * D, false), Some(Held::Ever));
}

#[test]
fn quiet_after_dismissal_then_never_after_acceptance() {
    let c = DEFAULT_CAPS;
    let mut d = Displays::default();
    d.apply(BLOCK_DISMISSED, &props("r", "dialog"), T0, T0);
    assert_eq!(
        c.held(d.of("r"), T0, T0 + 5 * D - 1, true),
        Some(Held::Dismissed)
    );
    assert_eq!(
        c.held(d.of("r"), T0, T0 + 5 * D, false),
        None,
        "five days later"
    );
    d.apply(OFFER_ACCEPTED, &props("r", "dialog"), T0 + 6 * D, T0);
    assert_eq!(
        c.held(d.of("r"), T0, T0 + 3650 * D, false),
        Some(Held::Accepted)
    );
    let never = caps(r#"{"afterDismiss": "never", "afterAccept": "1d"}"#);
    let mut e = Displays::default();
    e.apply(BLOCK_DISMISSED, &props("x", "bar-top"), T0, T0);
    assert_eq!(
        never.held(e.of("x"), T0, T0 + 3650 * D, false),
        Some(Held::Dismissed)
    );
    e.apply(OFFER_ACCEPTED, &props("y", "bar-top"), T0, T0);
    assert_eq!(never.held(e.of("y"), T0, T0 + D, false), None);
}

#[test]
fn dialogs_are_counted_per_session() {
    let mut d = Displays::default();
    d.apply(BLOCK_VIEWED, &props("a", "dialog"), T0, T0);
    d.apply(BLOCK_VIEWED, &props("b", "dialog"), T0 + 1, T0);
    d.apply(BLOCK_VIEWED, &props("c", "bar-top"), T0 + 2, T0);
    assert_eq!(d.dialogs_in(T0), 2);
    assert_eq!(d.dialogs_in(T0 + H), 0);
    // Other events and events without a rule change nothing.
    let before = d.clone();
    d.apply("Product Viewed", &props("a", "dialog"), T0, T0);
    d.apply(BLOCK_VIEWED, &Map::new(), T0, T0);
    assert_eq!(d, before);
}

#[test]
fn the_least_recently_active_rule_is_forgotten_first() {
    let mut d = Displays::default();
    for i in 0..MAX_RULES {
        viewed(&mut d, &format!("r{i}"), T0 + i as Millis, T0);
    }
    viewed(&mut d, "r0", T0 + 100, T0);
    viewed(&mut d, "new", T0 + 101, T0);
    assert_eq!(d.rules.len(), MAX_RULES);
    assert!(d.of("r0").is_some() && d.of("r1").is_none() && d.of("new").is_some());
}

#[test]
fn the_stored_form_round_trips_and_is_read_strictly() {
    let mut d = Displays::default();
    viewed(&mut d, "a", T0, T0);
    d.apply(BLOCK_VIEWED, &props("b", "dialog"), T0 + 5, T0);
    d.apply(BLOCK_DISMISSED, &props("a", "bar-top"), T0 + 9, T0);
    assert_eq!(Displays::from_value(&d.to_value()), Some(d.clone()));
    for bad in [
        r#"{"r": [["a", 1, 0, 0, 1]], "d": [0, 0]}"#,
        r#"{"r": [["a", -1, 0, 0]], "d": [0, 0]}"#,
        r#"{"r": [["a", 1, 0]], "d": [0, 0]}"#,
        r#"{"r": [["a", 1e300, 0, 0]], "d": [0, 0]}"#,
        r#"{"r": [[7, 1, 0, 0]], "d": [0, 0]}"#,
        r#"{"r": [], "d": [0]}"#,
        r#"{"r": {}, "d": [0, 0]}"#,
    ] {
        assert_eq!(
            Displays::from_value(&Value::parse_json(bad).unwrap()),
            None,
            "{bad}"
        );
    }
}

#[test]
fn times_parse_as_iso_8601_with_offsets() {
    assert_eq!(compile::parse_time("1970-01-01T00:00:00Z"), Some(0));
    assert_eq!(compile::parse_time("1970-01-01T01:00:00+01:00"), Some(0));
    assert_eq!(
        compile::parse_time("2026-12-07T10:30:00.250Z"),
        Some(1_796_639_400_250)
    );
    assert_eq!(
        compile::parse_time("2024-02-29T00:00Z"),
        Some(1_709_164_800_000)
    );
    for bad in [
        "2023-02-29T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-12-01",
        "2026-12-01T00:00:00",
        "x",
    ] {
        assert_eq!(compile::parse_time(bad), None, "{bad}");
    }
}

#[test]
fn bad_caps_and_schedules_name_their_paths() {
    let mut diags = Diagnostics::default();
    let raw = Value::parse_json(
        r#"{"perSession": 0, "perWindow": {"views": 99, "within": "soon"}, "afterDismiss": true, "x": 1}"#,
    )
    .unwrap();
    let c = compile_caps(&raw, &Path::root().key("caps"), &mut diags);
    assert_eq!(c.after_dismiss, DEFAULT_CAPS.after_dismiss);
    let got: Vec<(&str, String)> = diags.0.iter().map(|d| (d.code, d.path.clone())).collect();
    assert_eq!(
        got,
        [
            ("caps/unknown-field", "/caps/x".to_string()),
            ("caps/out-of-range", "/caps/perSession".to_string()),
            ("caps/out-of-range", "/caps/perWindow/views".to_string()),
            ("caps/bad-duration", "/caps/perWindow/within".to_string()),
            ("caps/bad-duration", "/caps/afterDismiss".to_string()),
        ]
    );
    let mut diags = Diagnostics::default();
    let s = compile_schedule(
        &Value::parse_json(r#"{"start": "2026-12-02T00:00:00Z", "end": "2026-12-01T00:00:00Z"}"#)
            .unwrap(),
        &Path::root().key("schedule"),
        &mut diags,
    );
    assert_eq!(diags.0.len(), 1);
    assert_eq!(diags.0[0].path, "/schedule/end");
    assert!(!s.open(s.start - 1));
}
