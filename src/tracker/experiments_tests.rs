//! Experiments and the holdout in the tracker: deciding a visitor's variant (GrowthBook's
//! bucketing), controls holding their slot with the default content, stickiness under weight
//! changes across page loads, the holdout, and `Experiment Viewed` once per page per
//! experiment, on view. Time is injected.

use super::tests_support::{drain, NOW};
use super::*;
use crate::config::compile;
use crate::json::native_float;
use crate::rules::bucket::hash;

const HERO: &str = r#"{"id":"hero-test","slot":"hero","if":{"page.path":"/"},
    "variants":[{"id":"control"},{"id":"big","show":"a","name":"Big banner"}],
    "experiment":{"key":"hero-2026","name":"Hero test"}}"#;
const FALLBACK: &str = r#"{"id":"plain","slot":"hero","show":"b","priority":-1}"#;

fn config_of(rules: &[&str], extra: &str) -> Config {
    let text = format!(
        r#"{{"version":1,"collector":{{"url":"/collect","flushAt":1}},{extra}
        "blocks":{{"a":{{"tag":"p","text":"a"}},"b":{{"tag":"p","text":"b"}}}},
        "rules":[{}]}}"#,
        rules.join(",")
    );
    super::tests_support::compiled(&text)
}

/// The first of `visitor-0`, `visitor-1`, ... whose hash in experiment `key` satisfies `pick`.
fn visitor_where(key: &str, pick: impl Fn(f64) -> bool) -> String {
    (0..1000)
        .map(|i| format!("visitor-{i}"))
        .find(|a| pick(hash(key, a, 2).expect("hashed")))
        .expect("a visitor")
}

/// A page load of visitor `anon`, after the record `stored` (if any) of an earlier one.
fn load(config: Config, anon: &str, stored: Option<&str>, at: Millis) -> Tracker {
    load_with(config, anon, stored, at, false)
}

/// [`load`], in a browser sending Global Privacy Control or not (set at start, as the shell
/// does).
fn load_with(config: Config, anon: &str, stored: Option<&str>, at: Millis, gpc: bool) -> Tracker {
    let identity = Identity {
        anonymous_id: anon.into(),
        tab_id: "tab-1".into(),
        ..Identity::default()
    };
    let mut t = Tracker::new(config, identity, native_float);
    t.set_signals(crate::consent::Signals { gpc, dnt: false });
    if let Some(s) = stored {
        assert!(t.merge_visitor(&Value::parse_json(s).expect("record")));
    }
    t.page(&page(), Map::new(), format!("p-{anon}-{at}"), at);
    t
}

fn page() -> Page {
    super::tests_support::page()
}

/// `slot:rule:block` of every decision ("" block: the default content).
fn decided(t: &Tracker) -> Vec<String> {
    t.decide(&page(), NOW)
        .iter()
        .map(|d| format!("{}:{}:{}", d.slot, d.rule, d.block_id))
        .collect()
}

fn view(t: &mut Tracker, rule: &str, id: &str, at: Millis) {
    let mut p = Map::new();
    p.insert("rule", Value::from(rule));
    p.insert("slot", Value::from("hero"));
    p.insert("placement", Value::from("slot"));
    t.track(caps::BLOCK_VIEWED, p, &page(), id.into(), at);
}

/// The properties of every `Experiment Viewed` sent so far.
fn exposures(t: &mut Tracker) -> Vec<Value> {
    let mut out = Vec::new();
    for body in drain(t) {
        let batch = Value::parse_json(&body).expect("batch");
        for e in batch
            .get("batch")
            .and_then(Value::as_array)
            .expect("events")
        {
            if e.get("event").and_then(Value::as_str) == Some("Experiment Viewed") {
                out.push(e.get("properties").expect("properties").clone());
            }
        }
    }
    out
}

use crate::caps;

#[test]
fn each_visitor_gets_growthbooks_variant_and_a_control_keeps_the_default_content() {
    let (mut control, mut big) = (0, 0);
    for i in 0..400 {
        let anon = format!("visitor-{i}");
        let t = load(config_of(&[HERO, FALLBACK], ""), &anon, None, NOW);
        // GrowthBook: hash version 2 (the default here), seed = key, two equal ranges.
        let n = hash("hero-2026", &anon, 2).expect("hashed");
        if n < 0.5 {
            control += 1;
            // The control holds the slot: the fallback rule does not fill it.
            assert_eq!(decided(&t), ["hero:hero-test:"], "{anon}");
        } else {
            big += 1;
            assert_eq!(decided(&t), ["hero:hero-test:a"], "{anon}");
        }
    }
    assert!(control > 150 && big > 150, "{control} / {big}");
}

#[test]
fn a_visitor_outside_the_coverage_gets_the_next_rule() {
    let partial = HERO.replace(r#""name":"Hero test""#, r#""coverage":0.2"#);
    let mut outside = 0;
    for i in 0..100 {
        let anon = format!("visitor-{i}");
        let t = load(config_of(&[&partial, FALLBACK], ""), &anon, None, NOW);
        let n = hash("hero-2026", &anon, 2).expect("hashed");
        // Coverage 0.2 over two variants: [0, 0.1) control, [0.5, 0.6) big.
        let want = if n < 0.1 {
            "hero:hero-test:"
        } else if (0.5..0.6).contains(&n) {
            "hero:hero-test:a"
        } else {
            outside += 1;
            "hero:plain:b"
        };
        assert_eq!(decided(&t), [want], "{anon} {n}");
    }
    assert!(outside > 60, "{outside}");
}

#[test]
fn the_exposure_is_sent_once_per_page_on_view_with_segments_properties() {
    // visitor-1 is in "big" (hash 0.5 or more), visitor-0 in the control: checked here.
    let big = visitor_where("hero-2026", |n| n >= 0.5);
    let mut t = load(config_of(&[HERO], ""), &big, None, NOW);
    assert!(exposures(&mut t).is_empty(), "assigned, not yet viewed");
    view(&mut t, "hero-test", "v1", NOW + 1_000);
    view(&mut t, "hero-test", "v2", NOW + 2_000);
    let sent = exposures(&mut t);
    assert_eq!(
        sent,
        [Value::parse_json(
            r#"{"experiment_id":"hero-2026","experiment_name":"Hero test",
                "variation_id":"big","variation_name":"Big banner","rule":"hero-test","slot":"hero"}"#
        )
        .unwrap()]
    );
    // The next page view may send it again.
    t.page(&page(), Map::new(), "p2".into(), NOW + 3_000);
    view(&mut t, "hero-test", "v3", NOW + 4_000);
    assert_eq!(exposures(&mut t).len(), 1);
    // Another rule's view (no experiment) exposes nothing.
    let mut plain = load(config_of(&[FALLBACK], ""), &big, None, NOW);
    view(&mut plain, "plain", "v4", NOW + 1_000);
    assert!(exposures(&mut plain).is_empty());
}

#[test]
fn exposed_visitors_keep_their_variant_when_the_weights_change_later() {
    let all_control = HERO
        .replace(r#"{"id":"control"}"#, r#"{"id":"control","weight":1}"#)
        .replace(
            r#""name":"Big banner"}"#,
            r#""name":"Big banner","weight":0}"#,
        );
    let mut moved = 0;
    for i in 0..60 {
        let anon = format!("visitor-{i}");
        let mut first = load(config_of(&[HERO], ""), &anon, None, NOW);
        let before = decided(&first);
        // Half of them saw their variant: exposed, so sticky.
        let exposed = i % 2 == 0;
        if exposed {
            view(&mut first, "hero-test", "v", NOW + 1_000);
        }
        let record = first.take_visitor_to_store().expect("a record");
        let next = load(
            config_of(&[&all_control], ""),
            &anon,
            Some(&record),
            NOW + 60_000,
        );
        let after = decided(&next);
        if exposed {
            assert_eq!(after, before, "{anon}: exposed, so sticky");
        } else {
            assert_eq!(after, ["hero:hero-test:"], "{anon}: the new weights");
            moved += usize::from(after != before);
        }
    }
    assert!(moved > 5, "some unexposed visitors moved: {moved}");
}

#[test]
fn local_only_visitors_keep_one_device_key_across_page_loads_and_never_send_it() {
    // GPC denies analytics; personalization runs on the device.
    let extra = r#""consent":{"honorGlobalPrivacyControl":true},"#;
    let mut first = load_with(config_of(&[HERO], extra), "page-1-id", None, NOW, true);
    let variant = decided(&first);
    view(&mut first, "hero-test", "v", NOW + 1_000);
    assert!(drain(&mut first).is_empty(), "nothing leaves the device");
    let record = first.take_visitor_to_store().expect("a record");
    // Each page load has a fresh, unstored anonymous id: the key stays the stored one.
    for n in 2..6 {
        let anon = format!("page-{n}-id");
        let mut next = load_with(
            config_of(&[HERO], extra),
            &anon,
            Some(&record),
            NOW + n,
            true,
        );
        assert_eq!(decided(&next), variant);
        let stored =
            Value::parse_json(&next.take_visitor_to_store().unwrap_or(record.clone())).unwrap();
        let key = stored
            .get("profile")
            .and_then(|p| p.get("x"))
            .and_then(|x| x.get("key"));
        assert_eq!(key, Some(&Value::from("page-1-id")));
    }
}

#[test]
fn the_holdout_sees_only_default_content_and_is_exposed_to_the_holdout() {
    let holdout = r#""holdout":{"share":0.5,"key":"hold-2026"},"#;
    let (mut held, mut personalized) = (0, 0);
    for i in 0..80 {
        let anon = format!("visitor-{i}");
        let mut t = load(config_of(&[HERO, FALLBACK], holdout), &anon, None, NOW);
        let withheld = hash("hold-2026", &anon, 2).unwrap() < 0.5;
        let d = decided(&t);
        view(&mut t, "hero-test", "v", NOW + 1_000);
        let sent = exposures(&mut t);
        let ids: Vec<(&str, &str)> = sent
            .iter()
            .map(|p| {
                (
                    p.get("experiment_id").and_then(Value::as_str).unwrap(),
                    p.get("variation_id").and_then(Value::as_str).unwrap(),
                )
            })
            .collect();
        if withheld {
            held += 1;
            assert_eq!(d, ["hero:hero-test:"], "{anon}: default content");
            assert_eq!(ids, [("hold-2026", "holdout")], "{anon}");
        } else {
            personalized += 1;
            assert_eq!(ids.len(), 2, "{anon}: {ids:?}");
            assert_eq!(ids[0].0, "hero-2026");
            assert_eq!(ids[1], ("hold-2026", "personalized"));
        }
        // Stable: the same visitor on a later page load is in the same group.
        let record = t.take_visitor_to_store().expect("a record");
        let later = load(
            config_of(&[HERO, FALLBACK], holdout),
            "fresh-unused",
            Some(&record),
            NOW + 86_400_000,
        );
        assert_eq!(later.withheld(), withheld, "{anon}");
    }
    assert!(held > 20 && personalized > 20, "{held} / {personalized}");
}

#[test]
fn a_control_dialog_is_claimed_as_a_view_without_a_block_and_uses_up_the_session() {
    let dialog = r#"{"id":"exit-offer","placement":"dialog",
        "variants":[{"id":"control"},{"id":"offer","show":"a"}],"experiment":{"key":"exit-2026"}}"#;
    let anon = visitor_where("exit-2026", |n| n < 0.5);
    let mut t = load(config_of(&[dialog], ""), &anon, None, NOW);
    let d = t.decide(&page(), NOW);
    assert_eq!((d[0].rule, d[0].block_id), ("exit-offer", ""));
    assert!(t.claim_dialog("exit-offer", "", &page(), "c1".into(), NOW + 1));
    let sent = exposures(&mut t);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].get("variation_id"), Some(&Value::from("control")));
    assert_eq!(sent[0].get("slot"), Some(&Value::from("dialog")));
    // The session's one dialog is used up, as if it had opened.
    t.page(&page(), Map::new(), "p2".into(), NOW + 2);
    assert!(t.decide(&page(), NOW + 3).is_empty());
}

#[test]
fn preview_forces_a_variant_and_skips_the_holdout() {
    let holdout = r#""holdout":{"share":1},"preview":{"key":"qa-key-12"},"#;
    let mut t = load(config_of(&[HERO], holdout), "visitor-1", None, NOW);
    assert_eq!(decided(&t), ["hero:hero-test:"], "everyone is held out");
    assert!(t.preview("qa-key-12", Some("hero-test".into()), "big".into()));
    assert_eq!(decided(&t), ["hero:hero-test:a"]);
    assert!(t.preview("qa-key-12", Some("hero-test".into()), "control".into()));
    assert_eq!(decided(&t), ["hero:hero-test:"]);
    assert!(t.decide(&page(), NOW)[0].preview);
}

#[test]
fn only_a_view_of_what_is_decided_here_exposes() {
    let big = visitor_where("hero-2026", |n| n >= 0.5);
    let mut t = load(config_of(&[HERO], ""), &big, None, NOW);
    // The page's own `Block Viewed` of a rule that is not decided on this page (another path).
    let elsewhere = Page {
        path: "/elsewhere".into(),
        ..page()
    };
    let mut p = Map::new();
    p.insert("rule", Value::from("hero-test"));
    t.track(
        caps::BLOCK_VIEWED,
        p.clone(),
        &elsewhere,
        "v1".into(),
        NOW + 1,
    );
    assert!(exposures(&mut t).is_empty());
    // Personalization denied: nothing is decided, nothing exposes.
    t.set_consent(super::tests_support::personalization(false), NOW + 2);
    view(&mut t, "hero-test", "v2", NOW + 3);
    assert!(exposures(&mut t).is_empty());
}

#[test]
fn a_reset_gives_a_new_assignment_key_at_once() {
    let mut t = load(config_of(&[HERO], ""), "visitor-1", None, NOW);
    let before = decided(&t);
    t.reset("visitor-0".into(), NOW + 1);
    // Not empty until the next page view: the new visitor is assigned by the new id now.
    let want = if hash("hero-2026", "visitor-0", 2).unwrap() < 0.5 {
        "hero:hero-test:"
    } else {
        "hero:hero-test:a"
    };
    assert_eq!(decided(&t), [want], "was {before:?}");
}

#[test]
fn a_dialog_claimed_for_another_block_than_decided_is_refused() {
    let dialog = r#"{"id":"exit-offer","placement":"dialog",
        "variants":[{"id":"control"},{"id":"offer","show":"a"}],"experiment":{"key":"exit-2026"}}"#;
    let anon = visitor_where("exit-2026", |n| n >= 0.5);
    let mut t = load(config_of(&[dialog], ""), &anon, None, NOW);
    assert!(!t.claim_dialog("exit-offer", "", &page(), "c1".into(), NOW + 1));
    assert!(t.claim_dialog("exit-offer", "a", &page(), "c2".into(), NOW + 2));
}

#[test]
fn a_variant_whose_text_may_not_fill_is_refused_by_the_compiler() {
    // Where the trait is missing the variant could not show while the control would (and be
    // exposed): taking part would depend on the variant.
    let text = format!(
        r#"{{"version":1,"identity":{{"traits":["first_name"]}},
        "blocks":{{"a":{{"tag":"p","text":"Hi {{{{traits.first_name}}}}"}},
                  "b":{{"tag":"p","text":"Hi {{{{traits.first_name | else: 'there'}}}}"}}}},
        "rules":[{HERO}]}}"#
    );
    let compiled = compile(&Value::parse_json(&text).expect("test config"));
    let found: Vec<(&str, String)> = compiled
        .diagnostics
        .errors()
        .map(|d| (d.code, d.path.to_string()))
        .collect();
    assert_eq!(
        found,
        [(
            "experiments/text-may-not-fill",
            "/rules/0/variants/1/show".to_owned()
        )]
    );
    // With an `else` it compiles.
    let fixed = text.replace(r#""show":"a""#, r#""show":"b""#);
    let compiled = compile(&Value::parse_json(&fixed).expect("test config"));
    assert!(
        !compiled.diagnostics.has_errors(),
        "{:?}",
        compiled.diagnostics
    );
}

#[test]
fn a_held_out_visitor_outside_an_experiment_is_held_where_a_personalized_one_would_see_the_next_rule(
) {
    let partial = HERO.replace(r#""name":"Hero test""#, r#""coverage":0.2"#);
    let config = config_of(&[&partial, FALLBACK], r#""holdout":{"share":1},"#);
    for i in 0..40 {
        let anon = format!("visitor-{i}");
        let t = load(config.clone(), &anon, None, NOW);
        let n = hash("hero-2026", &anon, 2).expect("hashed");
        let in_test = n < 0.1 || (0.5..0.6).contains(&n);
        let want = if in_test {
            "hero:hero-test:"
        } else {
            "hero:plain:"
        };
        assert_eq!(decided(&t), [want], "{anon}");
    }
}
