use super::record::{from_value, to_json};
use super::*;
use crate::value::Map;

use State::{Denied, Granted, Pending};

fn settings(required: bool, honor_gpc: bool) -> Settings {
    Settings {
        required,
        honor_gpc,
    }
}

fn signals(gpc: bool, dnt: bool) -> Signals {
    Signals { gpc, dnt }
}

fn consent(s: Settings, sig: Signals) -> Consent {
    Consent {
        settings: s,
        signals: sig,
        ..Consent::default()
    }
}

fn states(c: &Consent) -> (State, State) {
    (c.analytics(), c.personalization())
}

fn grant(granted: bool, signal: bool) -> Option<Choice> {
    Some(Choice {
        granted,
        at: 1_000,
        signal,
    })
}

// ---- the matrix: each category x each state --------------------------------------------------

#[test]
fn analytics_granted_sends_and_persists() {
    let e = Effects::of(Granted, Granted);
    assert!(e.send_events && e.persist_queue);
    assert!(!e.hold_in_memory && !e.discard_events && !e.local_only);
}

#[test]
fn analytics_pending_holds_in_memory_only() {
    let e = Effects::of(Pending, Granted);
    assert!(e.hold_in_memory);
    assert!(!e.send_events && !e.persist_queue && !e.discard_events);
    assert!(e.local_only);
}

#[test]
fn analytics_denied_discards() {
    let e = Effects::of(Denied, Granted);
    assert!(e.discard_events);
    assert!(!e.send_events && !e.persist_queue && !e.hold_in_memory);
    assert!(e.local_only, "GPC mode: rules still run on the device");
}

#[test]
fn personalization_granted_runs_renders_and_stores() {
    let e = Effects::of(Granted, Granted);
    assert!(e.run_rules && e.render && e.use_profile && e.store_profile);
    assert!(!e.erase_profile);
}

#[test]
fn personalization_pending_runs_with_a_memory_only_profile() {
    let e = Effects::of(Granted, Pending);
    assert!(e.run_rules && e.render && e.use_profile);
    assert!(!e.store_profile && !e.erase_profile);
}

#[test]
fn personalization_denied_renders_nothing_and_erases() {
    let e = Effects::of(Granted, Denied);
    assert!(!e.run_rules && !e.render && !e.use_profile && !e.store_profile);
    assert!(e.erase_profile);
    assert!(!e.local_only);
}

#[test]
fn each_field_depends_on_its_own_category_only() {
    let all = [Pending, Granted, Denied];
    for a in all {
        for p in all {
            let e = Effects::of(a, p);
            assert_eq!(e.send_events, a == Granted);
            assert_eq!(e.persist_queue, a == Granted);
            assert_eq!(e.hold_in_memory, a == Pending);
            assert_eq!(e.discard_events, a == Denied);
            // Exactly one of send / hold / discard.
            assert_eq!(
                [e.send_events, e.hold_in_memory, e.discard_events]
                    .iter()
                    .filter(|b| **b)
                    .count(),
                1
            );
            assert_eq!(e.run_rules, p != Denied);
            assert_eq!(e.render, p != Denied);
            assert_eq!(e.use_profile, p != Denied);
            assert_eq!(e.store_profile, p == Granted);
            assert_eq!(e.erase_profile, p == Denied);
            assert_eq!(e.local_only, a != Granted && p != Denied);
        }
    }
}

// ---- defaults: config x signals ---------------------------------------------------------------

#[test]
fn not_required_no_signal_starts_granted() {
    let c = consent(settings(false, true), signals(false, false));
    assert_eq!(states(&c), (Granted, Granted));
    assert_eq!(
        Consent::default().analytics(),
        Granted,
        "the default config"
    );
}

#[test]
fn required_starts_pending() {
    let c = consent(settings(true, true), signals(false, false));
    assert_eq!(states(&c), (Pending, Pending));
}

#[test]
fn gpc_denies_analytics_only() {
    for required in [false, true] {
        let c = consent(settings(required, true), signals(true, false));
        let p = if required { Pending } else { Granted };
        assert_eq!(states(&c), (Denied, p), "required={required}");
        assert!(c.effects().local_only);
    }
}

#[test]
fn dnt_denies_analytics_like_gpc() {
    for required in [false, true] {
        let c = consent(settings(required, true), signals(false, true));
        assert_eq!(c.analytics(), Denied, "required={required}");
    }
    let both = consent(settings(false, true), signals(true, true));
    assert_eq!(states(&both), (Denied, Granted));
}

#[test]
fn signals_are_ignored_when_the_config_says_so() {
    for (gpc, dnt) in [(true, false), (false, true), (true, true)] {
        let open = consent(settings(false, false), signals(gpc, dnt));
        assert_eq!(states(&open), (Granted, Granted));
        let required = consent(settings(true, false), signals(gpc, dnt));
        assert_eq!(states(&required), (Pending, Pending));
    }
}

#[test]
fn honouring_gpc_is_the_default() {
    assert!(Settings::default().honor_gpc);
    assert!(!Settings::default().required);
}

// ---- explicit choices --------------------------------------------------------------------------

#[test]
fn a_stored_choice_overrides_the_defaults() {
    let mut c = consent(settings(true, true), signals(false, false));
    c.analytics = grant(true, false);
    c.personalization = grant(false, false);
    assert_eq!(states(&c), (Granted, Denied));

    let mut open = consent(settings(false, true), signals(false, false));
    open.analytics = grant(false, false);
    assert_eq!(states(&open), (Denied, Granted));
}

#[test]
fn an_explicit_grant_made_under_gpc_beats_gpc() {
    let mut c = consent(settings(false, true), signals(true, false));
    assert!(c.apply(
        Update {
            analytics: Some(true),
            personalization: None
        },
        5
    ));
    assert_eq!(
        c.analytics,
        grant(true, true).map(|g| Choice { at: 5, ..g })
    );
    assert_eq!(c.analytics(), Granted);
}

#[test]
fn a_grant_made_before_gpc_appeared_yields_to_it() {
    let mut c = consent(settings(true, true), signals(false, false));
    c.apply(
        Update {
            analytics: Some(true),
            personalization: Some(true),
        },
        5,
    );
    assert_eq!(states(&c), (Granted, Granted));
    c.signals = signals(true, false); // the shopper turned GPC on later
    assert_eq!(states(&c), (Denied, Granted));
    c.signals = signals(false, true);
    assert_eq!(c.analytics(), Denied, "DNT too");
    c.settings.honor_gpc = false;
    assert_eq!(c.analytics(), Granted);
}

#[test]
fn a_denial_stands_whatever_the_signals() {
    let mut c = consent(settings(false, true), signals(true, false));
    c.personalization = grant(false, true);
    c.analytics = grant(false, true);
    assert_eq!(states(&c), (Denied, Denied));
}

#[test]
fn partial_updates_change_only_the_given_category() {
    let mut c = consent(settings(true, true), signals(false, false));
    c.apply(
        Update {
            analytics: None,
            personalization: Some(false),
        },
        1,
    );
    assert_eq!(states(&c), (Pending, Denied));
    c.apply(
        Update {
            analytics: Some(true),
            personalization: None,
        },
        2,
    );
    assert_eq!(states(&c), (Granted, Denied));
    assert!(
        !c.apply(Update::default(), 3),
        "an empty update stores nothing"
    );
    assert_eq!(c.personalization.map(|p| p.at), Some(1));
}

#[test]
fn states_as_a_value() {
    let c = consent(settings(true, true), signals(true, false));
    assert_eq!(
        c.states(),
        Value::object(vec![
            ("analytics", Value::from("denied")),
            ("personalization", Value::from("pending")),
        ])
    );
}

// ---- the API update ---------------------------------------------------------------------------

fn obj(pairs: &[(&str, Value)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    )
}

fn codes(d: &crate::diag::Diagnostics) -> Vec<(&str, &str)> {
    d.0.iter().map(|d| (d.code, d.path.as_str())).collect()
}

#[test]
fn update_accepts_words_and_booleans() {
    let (u, d) = parse_update(&obj(&[
        ("analytics", Value::from("granted")),
        ("personalization", Value::Bool(false)),
    ]));
    assert!(d.0.is_empty());
    assert_eq!(
        u,
        Some(Update {
            analytics: Some(true),
            personalization: Some(false)
        })
    );
    let (u, _) = parse_update(&obj(&[
        ("analytics", Value::from("denied")),
        ("personalization", Value::Null),
    ]));
    assert_eq!(
        u,
        Some(Update {
            analytics: Some(false),
            personalization: None
        })
    );
}

#[test]
fn a_bad_update_is_rejected_whole_with_exact_paths() {
    let (u, d) = parse_update(&obj(&[
        ("analytics", Value::from("granted")),
        ("personalization", Value::from("yes")),
        ("ads", Value::Bool(true)),
    ]));
    assert_eq!(u, None);
    assert_eq!(
        codes(&d),
        [
            ("consent/bad-choice", "/personalization"),
            ("consent/unknown-category", "/ads"),
        ]
    );
    assert_eq!(
        d.0[0].message,
        "expected \"granted\", \"denied\", true or false, found string"
    );
    let (u, d) = parse_update(&Value::from("granted"));
    assert_eq!(u, None);
    assert_eq!(codes(&d), [("consent/wrong-type", "")]);
    let (u, d) = parse_update(&obj(&[("analytics", Value::Number(1.0))]));
    assert_eq!(u, None);
    assert_eq!(codes(&d), [("consent/bad-choice", "/analytics")]);
}

#[test]
fn unknown_categories_alone_only_warn() {
    let (u, d) = parse_update(&obj(&[
        ("marketing", Value::Bool(true)),
        ("analytics", Value::Bool(true)),
    ]));
    assert_eq!(
        u,
        Some(Update {
            analytics: Some(true),
            personalization: None
        })
    );
    assert!(!d.has_errors());
    assert_eq!(codes(&d), [("consent/unknown-category", "/marketing")]);
}

// ---- the stored record ------------------------------------------------------------------------

fn parse(text: &str) -> Value {
    Value::parse_json(text).expect("test JSON")
}

#[test]
fn record_round_trips() {
    let mut c = consent(settings(true, true), signals(true, false));
    c.apply(
        Update {
            analytics: Some(true),
            personalization: Some(false),
        },
        1_763_925_721_123,
    );
    let text = to_json(&c, crate::json::native_float);
    assert_eq!(
        text,
        r#"{"v":1,"analytics":{"choice":"granted","at":1763925721123,"signal":true},"personalization":{"choice":"denied","at":1763925721123,"signal":true}}"#
    );
    assert_eq!(
        from_value(&parse(&text)),
        Some((c.analytics, c.personalization))
    );
}

#[test]
fn a_record_of_one_category_keeps_the_other_open() {
    let mut c = Consent::default();
    c.apply(
        Update {
            analytics: Some(false),
            personalization: None,
        },
        7,
    );
    let text = to_json(&c, crate::json::native_float);
    assert_eq!(
        text,
        r#"{"v":1,"analytics":{"choice":"denied","at":7,"signal":false}}"#
    );
    assert_eq!(from_value(&parse(&text)), Some((c.analytics, None)));
    assert_eq!(from_value(&parse(r#"{"v":1}"#)), Some((None, None)));
}

#[test]
fn hostile_records_are_rejected_whole() {
    let ok = r#"{"choice":"granted","at":1,"signal":false}"#;
    let hostile = [
        "null".to_string(),
        "1".into(),
        r#""granted""#.into(),
        "[]".into(),
        "{}".into(),
        r#"{"v":2}"#.into(),
        r#"{"v":"1"}"#.into(),
        r#"{"v":1.5}"#.into(),
        r#"{"v":1,"analytics":"granted"}"#.into(),
        r#"{"v":1,"analytics":true}"#.into(),
        r#"{"v":1,"analytics":null}"#.into(),
        r#"{"v":1,"analytics":[]}"#.into(),
        r#"{"v":1,"analytics":{"choice":"maybe","at":1,"signal":false}}"#.into(),
        r#"{"v":1,"analytics":{"choice":"GRANTED","at":1,"signal":false}}"#.into(),
        r#"{"v":1,"analytics":{"choice":true,"at":1,"signal":false}}"#.into(),
        r#"{"v":1,"analytics":{"choice":"granted","at":-1,"signal":false}}"#.into(),
        r#"{"v":1,"analytics":{"choice":"granted","at":1.5,"signal":false}}"#.into(),
        r#"{"v":1,"analytics":{"choice":"granted","at":1e300,"signal":false}}"#.into(),
        r#"{"v":1,"analytics":{"choice":"granted","at":"1","signal":false}}"#.into(),
        r#"{"v":1,"analytics":{"choice":"granted","signal":false}}"#.into(),
        r#"{"v":1,"analytics":{"choice":"granted","at":1}}"#.into(),
        r#"{"v":1,"analytics":{"choice":"granted","at":1,"signal":"no"}}"#.into(),
        // One good category does not save a bad one.
        format!(r#"{{"v":1,"analytics":{ok},"personalization":{{"choice":"x"}}}}"#),
        format!(r#"{{"v":1,"personalization":{ok},"analytics":7}}"#),
    ];
    for text in &hostile {
        assert_eq!(from_value(&parse(text)), None, "{text}");
    }
    // Sanity: the good part alone is accepted; extra keys are ignored.
    let good = format!(r#"{{"v":1,"analytics":{ok},"extra":[1,2]}}"#);
    assert!(from_value(&parse(&good)).is_some());
}

#[test]
fn deeply_nested_or_huge_records_do_not_panic() {
    // The shell's conversion caps depth at 64 (`Limits::CONFIG`); go well past it.
    let mut v = Value::Null;
    for _ in 0..500 {
        let mut m = Map::new();
        m.insert("analytics", v);
        v = Value::Object(m);
    }
    assert_eq!(from_value(&v), None);
    let mut big = Map::new();
    big.insert("v", Value::Number(1.0));
    for i in 0..5_000 {
        big.insert(format!("k{i}"), Value::Bool(true));
    }
    assert_eq!(from_value(&Value::Object(big)), Some((None, None)));
}
