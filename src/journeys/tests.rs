//! The journey state machine with injected time and hand-set attributes.

use super::*;
use crate::config::{compile, Config};
use crate::diag::Severity;
use crate::value::Value;

const T0: Millis = 1_763_925_721_000;
const MIN: Millis = 60_000;

fn journeys(text: &str) -> crate::config::Config {
    let raw = Value::parse_json(&format!(r#"{{"version":1,"journeys":{text}}}"#)).expect("json");
    let compiled = compile(&raw);
    assert!(
        !compiled.diagnostics.has_errors(),
        "{:?}",
        compiled.diagnostics
    );
    compiled.config
}

const CART: &str = r#"[{"id":"cart","entry":{"added":true},
  "stages":[{"id":"in-cart"},{"id":"abandoned","if":{"idle":{"$gte":30}}},{"id":"back","if":{"back":true}}],
  "goal":{"ordered":true},"exit":{"optedOut":true},"timeout":"7d","reentry":"1d"}]"#;

/// Runs one check with `attrs` and folds the transitions in, as the tracker does.
fn step(js: &Config, progress: &mut Vec<Progress>, now: Millis, attrs: &str) -> Vec<String> {
    let attrs = Value::parse_json(attrs).expect("attrs");
    let scope = crate::history::Scope::empty();
    let mut pass = js.conditions.pass(&attrs, &scope);
    let ts = check(&js.journeys, progress, now, &mut |c| pass.holds(c));
    for t in &ts {
        apply(progress, &t.properties(), now);
    }
    ts.iter()
        .map(|t| format!("{}>{}", t.previous.as_deref().unwrap_or("-"), t.stage))
        .collect()
}

#[test]
fn enters_advances_through_several_stages_at_once_and_reaches_the_goal() {
    let js = journeys(CART);
    let mut p = Vec::new();
    assert!(step(&js, &mut p, T0, r#"{"added":false}"#).is_empty());
    assert_eq!(step(&js, &mut p, T0, r#"{"added":true}"#), ["->in-cart"]);
    assert!(step(&js, &mut p, T0 + MIN, r#"{"added":true,"idle":1}"#).is_empty());
    // Back after a day: abandoned and back in one check, in order.
    assert_eq!(
        step(&js, &mut p, T0 + 1440 * MIN, r#"{"idle":1440,"back":true}"#),
        ["in-cart>abandoned", "abandoned>back"]
    );
    let attrs = attributes(&p);
    assert_eq!(
        attrs.get("cart").and_then(|c| c.get("stage")),
        Some(&Value::from("back"))
    );
    assert_eq!(
        step(&js, &mut p, T0 + 1441 * MIN, r#"{"ordered":true}"#),
        ["back>goal"]
    );
    assert_eq!(p[0].stage, None);
    assert_eq!((p[0].entries, p[0].left_at), (1, T0 + 1441 * MIN));
}

#[test]
fn exit_and_timeout_leave_the_journey() {
    let js = journeys(CART);
    let mut p = Vec::new();
    step(&js, &mut p, T0, r#"{"added":true}"#);
    assert_eq!(
        step(&js, &mut p, T0 + MIN, r#"{"optedOut":true}"#),
        ["in-cart>exit"]
    );
    let mut p = Vec::new();
    step(&js, &mut p, T0, r#"{"added":true}"#);
    assert!(step(&js, &mut p, T0 + 7 * 1440 * MIN - 1, "{}").is_empty());
    assert_eq!(
        step(&js, &mut p, T0 + 7 * 1440 * MIN, "{}"),
        ["in-cart>timeout"]
    );
}

#[test]
fn reentry_policies() {
    let policy = |r: &str| {
        let text = format!(
            r#"[{{"id":"j","entry":{{"a":true}},"stages":[{{"id":"s"}}],"goal":{{"g":true}},"reentry":{r}}}]"#
        );
        journeys(&text)
    };
    for (reentry, after_goal, a_day_later) in [
        (r#""never""#, false, false),
        (r#""always""#, true, true),
        (r#""1d""#, false, true),
    ] {
        let js = policy(reentry);
        let mut p = Vec::new();
        step(&js, &mut p, T0, r#"{"a":true}"#);
        assert_eq!(
            step(&js, &mut p, T0 + 1, r#"{"a":true,"g":true}"#),
            ["s>goal"]
        );
        let again = step(&js, &mut p, T0 + 2, r#"{"a":true}"#);
        assert_eq!(
            !again.is_empty(),
            after_goal,
            "{reentry} right after the goal"
        );
        if !again.is_empty() {
            step(&js, &mut p, T0 + 3, r#"{"g":true}"#);
        }
        let later = step(&js, &mut p, T0 + 3 + 1440 * MIN, r#"{"a":true}"#);
        assert_eq!(!later.is_empty(), a_day_later, "{reentry} a day later");
    }
}

#[test]
fn the_same_transition_recorded_by_two_tabs_counts_once() {
    let js = journeys(CART);
    let mut p = Vec::new();
    let attrs = Value::parse_json(r#"{"added":true}"#).expect("json");
    let scope = crate::history::Scope::empty();
    let mut pass = js.conditions.pass(&attrs, &scope);
    let ts = check(&js.journeys, &p, T0, &mut |c| pass.holds(c));
    for t in ts.iter().chain(ts.iter()) {
        apply(&mut p, &t.properties(), T0);
    }
    assert_eq!((p.len(), p[0].entries), (1, 1));
}

#[test]
fn a_stage_removed_from_the_config_ends_the_run_as_timed_out() {
    let mut p = vec![Progress {
        journey: "cart".into(),
        stage: Some("gone".into()),
        entries: 1,
        ..Progress::default()
    }];
    assert_eq!(step(&journeys(CART), &mut p, T0, "{}"), ["gone>timeout"]);
}

#[test]
fn progress_is_bounded_keeping_journeys_in_progress() {
    let mut p = Vec::new();
    for i in 0..(MAX_PROGRESS + 5) {
        let t = Transition {
            journey: format!("j{i}"),
            stage: "s".into(),
            previous: None,
            run: 1,
        };
        apply(&mut p, &t.properties(), T0 + i as Millis);
    }
    assert_eq!(p.len(), MAX_PROGRESS);
    assert!(p.iter().all(|p| p.stage.is_some()));
}

#[test]
fn config_errors_name_the_path() {
    let raw = Value::parse_json(
        r#"{"version":1,"journeys":[{"id":"a","stages":[]},
        {"id":"b","entry":{},"stages":[{"id":"goal"},{"id":"x"}],"timeout":"soon","reentry":"7w"},
        {"id":"c","entry":{},"stages":[{"id":"s","if":{}}]},
        {"id":"c","entry":{},"stages":[{"id":"s"}]}]}"#,
    )
    .expect("json");
    let compiled = compile(&raw);
    let got: Vec<(Severity, &str, String)> = compiled
        .diagnostics
        .0
        .iter()
        .map(|d| (d.severity, d.code, d.path.clone()))
        .collect();
    use Severity::{Error, Warning};
    assert_eq!(
        got,
        [
            (Error, "config/missing", "/journeys/0/entry".to_string()),
            (Error, "journeys/bad-stages", "/journeys/0/stages".into()),
            (
                Error,
                "journeys/bad-stage-id",
                "/journeys/1/stages/0/id".into()
            ),
            (Error, "config/missing", "/journeys/1/stages/1/if".into()),
            (Error, "journeys/bad-duration", "/journeys/1/timeout".into()),
            (Error, "journeys/bad-duration", "/journeys/1/reentry".into()),
            (
                Warning,
                "journeys/ignored-if",
                "/journeys/2/stages/0/if".into()
            ),
            (Error, "journeys/duplicate-id", "/journeys/3/id".into()),
        ]
    );
    assert_eq!(compiled.config.journeys.len(), 1);
}

#[test]
fn transitions_of_other_runs_older_stages_or_absurd_ids_change_nothing() {
    let mut p = Vec::new();
    let t = |stage: &str, previous: Option<&str>, run: u32| Transition {
        journey: "j".into(),
        stage: stage.into(),
        previous: previous.map(str::to_owned),
        run,
    };
    apply(&mut p, &t("s0", None, 1).properties(), T0);
    apply(&mut p, &t("goal", Some("s0"), 1).properties(), T0 + 1);
    apply(&mut p, &t("s0", None, 2).properties(), T0 + 2);
    // The first run's goal, replayed from another tab, does not end the second run.
    apply(&mut p, &t("goal", Some("s0"), 1).properties(), T0 + 1);
    assert_eq!((p[0].stage.as_deref(), p[0].entries), (Some("s0"), 2));
    apply(&mut p, &t("s1", Some("s0"), 2).properties(), T0 + 3);
    apply(&mut p, &t("s0", None, 2).properties(), T0 + 2);
    assert_eq!(
        p[0].stage.as_deref(),
        Some("s1"),
        "an older stage does not move it back"
    );
    let mut forged = t("s", None, 1).properties();
    forged.insert(
        "journey",
        Value::from("j".repeat(MAX_ID_BYTES + 1).as_str()),
    );
    apply(&mut p, &forged, T0);
    assert_eq!(p.len(), 1);
}
