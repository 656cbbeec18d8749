//! Exposure events: once per page per experiment, Segment's properties, sticky on exposure.

use super::*;
use crate::json::{native_float, to_string};

fn props(p: Option<crate::value::Map>) -> Option<String> {
    p.map(|m| to_string(&Value::Object(m), native_float))
}

const HERO: &str = r#"{"id": "home-hero", "variants": [
    {"id": "control", "name": "Default hero"},
    {"id": "big-banner", "show": "b0", "name": "Big banner"}],
    "experiment": {"key": "hero-test", "name": "Hero test"}}"#;

#[test]
fn one_event_per_experiment_per_page_with_segments_properties() {
    let e = experiment(HERO);
    let mut store = Assignments::with_key("visitor-1");
    let a = e.assign(None, &store).expect("assigned");
    let mut exposures = Exposures::default();
    let expected = format!(
        r#"{{"experiment_id":"hero-test","experiment_name":"Hero test","variation_id":"{}","variation_name":"{}","rule":"home-hero","slot":"hero"}}"#,
        e.variants[a.variant].id, e.variants[a.variant].name
    );
    let first = exposures.viewed(&e, &a, "home-hero", "hero", &mut store, T0);
    assert_eq!(props(first), Some(expected.clone()));
    // The slot scrolled out and in again, or re-rendered: no second event on this page.
    assert_eq!(
        exposures.viewed(&e, &a, "home-hero", "hero", &mut store, T0 + 5),
        None
    );
    // Another page view: one more.
    exposures.new_page();
    assert_eq!(
        props(exposures.viewed(&e, &a, "home-hero", "hero", &mut store, T0 + 60_000)),
        Some(expected)
    );
}

#[test]
fn experiments_are_counted_apart_and_a_shared_key_once() {
    let e = experiment(HERO);
    // The same experiment shown in a second slot by a second rule.
    let footer = experiment(
        r#"{"id": "footer", "variants": [
            {"id": "control", "name": "Default hero"},
            {"id": "big-banner", "show": "b1", "name": "Big banner"}],
            "experiment": {"key": "hero-test", "name": "Hero test"}}"#,
    );
    let other = experiment(r#"{"id": "exit", "variants": [{"id": "a"}, {"id": "b"}]}"#);
    let mut store = Assignments::with_key("visitor-2");
    let mut exposures = Exposures::default();
    let a = e.assign(None, &store).expect("assigned");
    let f = footer.assign(None, &store).expect("assigned");
    assert_eq!(a.variant, f.variant);
    let o = other.assign(None, &store).expect("assigned");
    assert!(exposures
        .viewed(&e, &a, "home-hero", "hero", &mut store, T0)
        .is_some());
    assert!(exposures
        .viewed(&footer, &f, "footer", "footer", &mut store, T0)
        .is_none());
    let exit = props(exposures.viewed(&other, &o, "exit", "exit-offer", &mut store, T0));
    assert_eq!(
        exit,
        Some(format!(
            r#"{{"experiment_id":"exit","experiment_name":"exit","variation_id":"{0}","variation_name":"{0}","rule":"exit","slot":"exit-offer"}}"#,
            other.variants[o.variant].id
        ))
    );
    assert_eq!(store.len(), 2);
}

#[test]
fn exposure_makes_the_assignment_sticky_even_when_no_event_is_sent() {
    let e = experiment(HERO);
    let mut store = Assignments::with_key("visitor-3");
    let mut exposures = Exposures::default();
    let a = e.assign(None, &store).expect("assigned");
    assert!(!e.assign(None, &store).expect("assigned").sticky);
    exposures.viewed(&e, &a, "home-hero", "hero", &mut store, T0);
    assert!(e.assign(None, &store).expect("assigned").sticky);
    // A second assignment on the same page (say the variant was reassigned after a config
    // change) is remembered although the page's event was already sent.
    let moved = Assignment {
        variant: 1 - a.variant,
        ..a
    };
    assert_eq!(
        exposures.viewed(&e, &moved, "home-hero", "hero", &mut store, T0 + 1),
        None
    );
    assert_eq!(
        e.assign(None, &store).expect("sticky").variant,
        1 - a.variant
    );
}

#[test]
fn held_out_visitors_are_exposed_to_the_holdout() {
    let h = holdout(r#"{"share": 0.5, "name": "Personalization holdout"}"#);
    let e = experiment(HERO);
    let (mut held, mut personalized) = (0, 0);
    for id in ids(200) {
        let mut store = Assignments::with_key(&id);
        let mut exposures = Exposures::default();
        let group = h.assign(None, &store).expect("a group");
        let p = props(exposures.viewed(&h.experiment, &group, "home-hero", "hero", &mut store, T0))
            .expect("an event");
        if Holdout::withholds(Some(&group)) {
            held += 1;
            assert_eq!(
                p,
                r#"{"experiment_id":"holdout","experiment_name":"Personalization holdout","variation_id":"holdout","variation_name":"holdout","rule":"home-hero","slot":"hero"}"#
            );
        } else {
            personalized += 1;
            assert!(p.contains(r#""variation_id":"personalized""#), "{p}");
            // The personalized also see the rule's own experiment.
            let a = e.assign(None, &store).expect("assigned");
            assert!(exposures
                .viewed(&e, &a, "home-hero", "hero", &mut store, T0)
                .is_some());
        }
        // Once per page for the holdout too.
        assert!(exposures
            .viewed(
                &h.experiment,
                &group,
                "other-rule",
                "footer",
                &mut store,
                T0
            )
            .is_none());
    }
    assert_eq!(held + personalized, 200);
    assert!(held > 70 && personalized > 70, "{held} {personalized}");
}
