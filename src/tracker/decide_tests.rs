//! Deciding overlays: priorities, the session's dialog (claimed across tabs), consent, page
//! suppression, and rules that wait for what the shopper does on the page (scroll depth, time,
//! idleness, exit intent). Time is injected.

use super::tests_support::NOW;
use super::*;
use crate::config::compile;
use crate::exit::Sample;
use crate::json::native_float;

fn tracker_with(rules: &str, extra: &str) -> Tracker {
    let text = format!(
        r#"{{"version":1,{extra}
        "blocks":{{"a":{{"tag":"p","text":"a"}},"b":{{"tag":"p","text":"b"}}}},
        "rules":{rules}}}"#
    );
    let compiled = compile(&Value::parse_json(&text).expect("test config"));
    assert!(
        !compiled.diagnostics.has_errors(),
        "{:?}",
        compiled.diagnostics
    );
    let config = crate::program::decode(&crate::program::encode(&compiled.config)).unwrap();
    let identity = Identity {
        anonymous_id: "anon".into(),
        tab_id: "tab-1".into(),
        ..Identity::default()
    };
    let mut t = Tracker::new(config, identity, native_float);
    t.page(&page(), Map::new(), "p1".into(), NOW);
    t
}

fn page() -> Page {
    super::tests_support::page()
}

fn rules_of(t: &Tracker, now: Millis) -> Vec<String> {
    t.decide(&page(), now)
        .iter()
        .map(|d| format!("{}:{}", d.placement.name(), d.rule))
        .collect()
}

const TWO_DIALOGS: &str = r#"[
    {"id":"low","placement":"dialog","show":"a"},
    {"id":"high","placement":"dialog","show":"b","priority":5},
    {"id":"bar","placement":"bar-top","show":"a"}]"#;

#[test]
fn the_higher_priority_dialog_wins_and_only_one_dialog_is_decided() {
    let t = tracker_with(TWO_DIALOGS, "");
    assert_eq!(rules_of(&t, NOW), ["dialog:high", "bar-top:bar"]);
}

#[test]
fn claiming_uses_up_the_sessions_dialog_in_this_tab_and_in_a_tab_that_merges_the_record() {
    let mut a = tracker_with(TWO_DIALOGS, "");
    let mut b = tracker_with(TWO_DIALOGS, "");
    assert!(
        !a.claim_dialog("low", "a", &page(), "v0".into(), NOW + 1),
        "not the decided dialog"
    );
    assert!(a.claim_dialog("high", "b", &page(), "v1".into(), NOW + 1));
    // The open dialog stays decided on its page; nothing else may take the session's dialog.
    assert_eq!(rules_of(&a, NOW + 2), ["dialog:high", "bar-top:bar"]);
    a.page(&page(), Map::new(), "p2".into(), NOW + 3);
    assert_eq!(rules_of(&a, NOW + 4), ["bar-top:bar"]);
    // The other tab, racing: it merges the record the claim wrote (the shell does this inside
    // the cross-tab lock) and loses.
    let stored = a.take_visitor_to_store().expect("record");
    assert!(b.merge_visitor(&Value::parse_json(&stored).unwrap()));
    assert!(!b.claim_dialog("high", "b", &page(), "v2".into(), NOW + 5));
    assert_eq!(rules_of(&b, NOW + 5), ["bar-top:bar"]);
}

#[test]
fn dialogs_per_session_is_configurable_and_a_new_session_gets_its_own() {
    let mut t = tracker_with(
        r#"[{"id":"d","placement":"dialog","show":"a","caps":{"perSession":5}}]"#,
        r#""overlays":{"dialogsPerSession":2},"#,
    );
    assert!(t.claim_dialog("d", "a", &page(), "v1".into(), NOW + 1));
    t.page(&page(), Map::new(), "p2".into(), NOW + 2);
    assert!(t.claim_dialog("d", "a", &page(), "v2".into(), NOW + 3));
    t.page(&page(), Map::new(), "p3".into(), NOW + 4);
    assert!(rules_of(&t, NOW + 5).is_empty(), "two per session");
    // 30 minutes without activity: a new session.
    let later = NOW + 31 * 60_000;
    t.page(&page(), Map::new(), "p4".into(), later);
    assert_eq!(rules_of(&t, later + 1), ["dialog:d"]);
}

#[test]
fn pending_personalization_shows_bars_but_no_dialog_and_denied_shows_nothing() {
    let consent = r#""consent":{"required":true},"#;
    let mut t = tracker_with(TWO_DIALOGS, consent);
    assert_eq!(rules_of(&t, NOW), ["bar-top:bar"]);
    assert!(!t.claim_dialog("high", "b", &page(), "v1".into(), NOW));
    t.set_consent(
        crate::consent::Update {
            analytics: None,
            personalization: Some(false),
        },
        NOW + 1,
    );
    assert!(rules_of(&t, NOW + 2).is_empty());
    t.set_consent(
        crate::consent::Update {
            analytics: None,
            personalization: Some(true),
        },
        NOW + 3,
    );
    assert_eq!(rules_of(&t, NOW + 4), ["dialog:high", "bar-top:bar"]);
}

#[test]
fn a_page_that_suppresses_dialogs_gets_none_but_keeps_its_bars() {
    let mut t = tracker_with(
        TWO_DIALOGS,
        r#""overlays":{"suppressDialogs":{"page.path":"/"}},"#,
    );
    assert_eq!(rules_of(&t, NOW), ["bar-top:bar"]);
    let mut t2 = tracker_with(TWO_DIALOGS, "");
    t2.page_state().suppress_dialogs = true;
    assert_eq!(rules_of(&t2, NOW), ["bar-top:bar"]);
    t2.page_state().suppress_dialogs = false;
    assert_eq!(rules_of(&t2, NOW), ["dialog:high", "bar-top:bar"]);
    // (The first tracker's suppression is a condition on the page: another page is free.)
    let other = Page {
        path: "/shop".into(),
        ..page()
    };
    t.page(&other, Map::new(), "p2".into(), NOW + 1);
    assert_eq!(
        t.decide(&other, NOW + 2)
            .iter()
            .map(|d| d.rule)
            .collect::<Vec<_>>(),
        ["high", "bar"]
    );
}

#[test]
fn a_schedule_opens_and_closes_at_its_exact_edges() {
    let t = tracker_with(
        r#"[{"id":"s","placement":"corner","show":"a",
             "schedule":{"start":"2026-12-01T00:00:00Z","end":"2026-12-02T00:00:00Z"}}]"#,
        "",
    );
    let start: Millis = 1_796_083_200_000; // 2026-12-01T00:00:00Z
    let end = start + 86_400_000;
    assert!(rules_of(&t, start - 1).is_empty());
    assert_eq!(rules_of(&t, start), ["corner:s"]);
    assert_eq!(rules_of(&t, end - 1), ["corner:s"]);
    assert!(rules_of(&t, end).is_empty());
}

const WATCHING: &str = r#"[
    {"id":"deep","placement":"bar-bottom","show":"a","if":{"page.scrollDepth":{"$gte":50}}},
    {"id":"slow","placement":"corner","show":"b","if":{"page.timeOnPage":{"$gte":30}}},
    {"id":"still","slot":"hero","show":"a","if":{"page.idle":{"$gte":10}}}]"#;

fn scroll(at: Millis, y: i32) -> Sample {
    Sample::Scroll {
        at,
        y,
        viewport_h: 800,
        document_h: 4000,
    }
}

#[test]
fn page_state_rules_follow_scroll_depth_time_on_page_and_idleness() {
    let mut t = tracker_with(WATCHING, "");
    let w = t.watching();
    assert!(w.input && w.time && !w.exit && w.sampler());
    assert!(rules_of(&t, NOW).is_empty());
    // Scrolled to 40 % (bottom of the viewport at 1,600 of 4,000 px): a change, not enough.
    assert!(t.sample(scroll(NOW + 1_000, 800), &page));
    assert!(rules_of(&t, NOW + 1_000).is_empty());
    // The same depth again changes nothing rules read.
    assert!(!t.sample(scroll(NOW + 1_100, 700), &page));
    assert!(t.sample(scroll(NOW + 2_000, 1_200), &page));
    assert_eq!(rules_of(&t, NOW + 2_000), ["bar-bottom:deep"]);
    // Idle 10 s after the last scroll, on the dot.
    assert_eq!(rules_of(&t, NOW + 11_999), ["bar-bottom:deep"]);
    assert_eq!(
        rules_of(&t, NOW + 12_000),
        ["bar-bottom:deep", "slot:still"]
    );
    // A key press: not idle any more.
    let key = Sample::Input {
        at: NOW + 12_500,
        input: crate::exit::Input::Key,
    };
    t.sample(key, &page);
    assert_eq!(rules_of(&t, NOW + 12_500), ["bar-bottom:deep"]);
    // 30 s on the page (and idle again since the key, 17.5 s).
    assert_eq!(
        rules_of(&t, NOW + 29_999),
        ["bar-bottom:deep", "slot:still"]
    );
    assert_eq!(
        rules_of(&t, NOW + 30_000),
        ["bar-bottom:deep", "corner:slow", "slot:still"]
    );
    // A new page view starts it all again.
    t.page(&page(), Map::new(), "p2".into(), NOW + 40_000);
    assert!(rules_of(&t, NOW + 40_000).is_empty());
}

#[test]
fn rules_that_read_time_are_decided_once_a_second_on_the_page_views_clock() {
    let mut t = tracker_with(WATCHING, "");
    assert_eq!(t.watch_wake(), Some(NOW + 1_000));
    assert!(!t.watch_tick(&page(), NOW + 999));
    assert!(t.watch_tick(&page(), NOW + 1_250)); // a late timer
    assert_eq!(t.watch_wake(), Some(NOW + 2_000), "no drift");
    // Without such rules, nothing wakes.
    let quiet = tracker_with(r#"[{"id":"r","slot":"hero","show":"a"}]"#, "");
    assert_eq!(quiet.watching(), Watching::default());
    assert_eq!(quiet.watch_wake(), None);
}

fn land(at: Millis) -> Sample {
    Sample::Land {
        at,
        viewport_w: 1280,
        viewport_h: 800,
        document_h: 3000,
        device: crate::exit::Device::Desktop,
        restored: false,
        hidden: false,
    }
}

fn leave_top(at: Millis) -> Sample {
    Sample::Leave {
        at,
        x: 600,
        y: -2,
        vx: 0,
        vy: -900,
    }
}

const EXIT_RULES: &str = r#"[
    {"id":"exit-offer","placement":"dialog","show":"a","trigger":"exit","if":{"page.path":"/"}},
    {"id":"hero","slot":"hero","show":"b"}]"#;

#[test]
fn an_exit_rule_waits_for_exit_intent_which_is_recorded_once_with_its_measurements() {
    let mut t = tracker_with(
        EXIT_RULES,
        r#""collector":{"url":"/collect","flushAt":100},"#,
    );
    assert!(t.watching().exit && t.watching().sampler());
    t.sample(land(NOW), &page);
    assert_eq!(rules_of(&t, NOW + 5_000), ["slot:hero"]);
    // Out through the top, moving up, after the arming delay; it counts once the pointer
    // stayed out for the grace period (a timer: watch_wake).
    assert!(!t.sample(leave_top(NOW + 5_000), &page));
    let wake = t.watch_wake().expect("grace period");
    assert!(wake > NOW + 5_000);
    assert!(t.watch_tick(&page(), wake));
    assert_eq!(rules_of(&t, wake), ["dialog:exit-offer", "slot:hero"]);
    let body = super::tests_support::drain(&mut t).join("\n");
    assert_eq!(body.matches(EXIT_INTENT_DETECTED).count(), 1, "{body}");
    // Out at 5 s, then the 1 s grace period; the viewport's bottom at 800 of 3,000 px.
    let props = r#""properties":{"signal":"pointer-top","time_on_page_ms":6000,"scroll_depth_percent":26,"speed_px_s":900}"#;
    assert!(body.contains(props), "{body}");
    // Nothing fires twice on a page view.
    t.sample(leave_top(NOW + 9_000), &page);
    if let Some(w) = t.watch_wake() {
        t.watch_tick(&page(), w);
    }
    assert!(super::tests_support::drain(&mut t).is_empty());
    // A new page view waits for a new detection.
    t.page(&page(), Map::new(), "p2".into(), NOW + 20_000);
    assert_eq!(rules_of(&t, NOW + 20_000), ["slot:hero"]);
}

#[test]
fn exit_intent_within_the_arming_delay_or_while_consent_is_pending_opens_nothing() {
    let mut t = tracker_with(EXIT_RULES, "");
    t.sample(land(NOW), &page);
    t.sample(leave_top(NOW + 200), &page);
    if let Some(w) = t.watch_wake() {
        t.watch_tick(&page(), w);
    }
    assert_eq!(rules_of(&t, NOW + 3_000), ["slot:hero"], "within armMs");
    let mut pending = tracker_with(EXIT_RULES, r#""consent":{"required":true},"#);
    pending.sample(land(NOW), &page);
    pending.sample(leave_top(NOW + 5_000), &page);
    let wake = pending.watch_wake().unwrap();
    pending.watch_tick(&page(), wake);
    assert_eq!(
        rules_of(&pending, wake),
        ["slot:hero"],
        "no dialog while pending"
    );
}

#[test]
fn explain_names_the_winner_and_why_each_other_candidate_lost() {
    let mut t = tracker_with(
        r#"[
        {"id":"big-cart","slot":"hero","show":"a","if":{"cart.value":{"$gte":4000}}},
        {"id":"hero","slot":"hero","show":"b"},
        {"id":"later","slot":"hero","show":"a"},
        {"id":"leaving","placement":"dialog","show":"a","trigger":"exit"},
        {"id":"capped","placement":"corner","show":"a","caps":{"perSession":1}}]"#,
        "",
    );
    let mut props = Map::new();
    props.insert("rule", Value::from("capped"));
    props.insert("block", Value::from("a"));
    props.insert("placement", Value::from("corner"));
    t.track(
        crate::caps::BLOCK_VIEWED,
        props,
        &page(),
        "v1".into(),
        NOW + 1,
    );
    t.page(&page(), Map::new(), "p2".into(), NOW + 2);
    let e = crate::json::to_string(&t.explain(&page(), NOW + 3), native_float);
    assert_eq!(
        e,
        concat!(
            r#"[{"placement":"slot","slot":"hero","candidates":["#,
            r#"{"rule":"big-cart","priority":0,"shown":false,"reason":"condition","path":"cart.value","seen":0},"#,
            r#"{"rule":"hero","priority":0,"shown":true,"block":"b"},"#,
            r#"{"rule":"later","priority":0,"shown":false,"reason":"taken","by":"hero"}]},"#,
            r#"{"placement":"dialog","slot":"","candidates":["#,
            r#"{"rule":"leaving","priority":0,"shown":false,"reason":"trigger","detail":"waiting for exit intent"}]},"#,
            r#"{"placement":"corner","slot":"","candidates":["#,
            r#"{"rule":"capped","priority":0,"shown":false,"reason":"cap","cap":"perSession","until":null}]}]"#
        )
    );
    // The tools chunk rebuilds the same answer from the state the page's module hands over.
    let mut state = t.explain_state(NOW + 3);
    let record = state
        .get("record")
        .and_then(Value::as_str)
        .unwrap()
        .to_owned();
    if let Value::Object(m) = &mut state {
        m.insert("record", Value::parse_json(&record).unwrap());
    }
    let config = t.config().clone();
    let rebuilt = Tracker::from_explain_state(config, &state, native_float);
    assert_eq!(
        crate::json::to_string(&rebuilt.explain(&page(), NOW + 3), native_float),
        e
    );
}

#[test]
fn a_preview_with_the_key_forces_a_rule_and_any_other_key_changes_nothing() {
    let mut t = tracker_with(
        r#"[{"id":"hero","slot":"hero","show":"b"},
            {"id":"never","slot":"hero","show":"a","if":{"page.path":"/nowhere"}},
            {"id":"exit","placement":"dialog","show":"a","trigger":"exit"}]"#,
        r#""preview":{"key":"qa-secret-1"},"#,
    );
    assert!(!t.preview("wrong-key-9", Some("never".into()), String::new()));
    assert_eq!(rules_of(&t, NOW), ["slot:hero"]);
    assert!(t.preview("qa-secret-1", Some("never".into()), String::new()));
    let d = t.decide(&page(), NOW);
    assert_eq!((d[0].rule, d[0].preview, d.len()), ("never", true, 1));
    assert!(t.preview("qa-secret-1", Some("exit".into()), String::new()));
    assert_eq!(rules_of(&t, NOW), ["dialog:exit", "slot:hero"]);
    // Without a preview section, no key works.
    let mut plain = tracker_with(r#"[{"id":"hero","slot":"hero","show":"b"}]"#, "");
    assert!(!plain.preview("", Some("hero".into()), String::new()));
}

#[test]
fn an_exit_no_rule_answered_does_not_open_an_offer_later() {
    let rules = r#"[{"id":"exit-offer","placement":"dialog","show":"a","trigger":"exit",
                     "if":{"cart.count":{"$gte":1}}}]"#;
    let mut t = tracker_with(rules, "");
    t.sample(land(NOW), &page);
    t.sample(leave_top(NOW + 5_000), &page);
    let wake = t.watch_wake().unwrap();
    assert!(t.watch_tick(&page(), wake));
    assert!(rules_of(&t, wake).is_empty(), "an empty cart: no offer");
    // The shopper stays and adds to the cart 3 s later: the exit is over.
    let mut added = Map::new();
    added.insert("product_id", Value::from("p1"));
    added.insert("price", Value::Number(1650.0));
    added.insert("quantity", Value::Number(1.0));
    added.insert("currency", Value::from("USD"));
    t.track("Product Added", added, &page(), "add".into(), wake + 3_000);
    assert!(rules_of(&t, wake + 3_000).is_empty());
    // Within the window it would have shown (the claim comes milliseconds after the decision).
    assert_eq!(
        rules_of(&t, wake + super::decide::EXIT_WINDOW_MS),
        ["dialog:exit-offer"]
    );
}
