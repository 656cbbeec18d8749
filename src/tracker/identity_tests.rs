//! Context, identity and the visitor record through the tracker.

use super::tests_support::*;
use super::*;
use crate::json::native_float;

/// Every event sent, in recording order (conversion events are sent first).
fn events(t: &mut Tracker) -> Vec<serde_json::Value> {
    let mut all: Vec<serde_json::Value> = drain(t)
        .iter()
        .flat_map(|b| {
            let v: serde_json::Value = serde_json::from_str(b).expect("batch is JSON");
            v["batch"].as_array().expect("batch").clone()
        })
        .collect();
    all.sort_by_key(|e| e["context"]["seq"].as_u64());
    all
}

fn landing() -> Page {
    Page {
        path: "/".into(),
        search: "?utm_source=newsletter&utm_medium=email&utm_campaign=spring".into(),
        url: "https://shop.test/?utm_source=newsletter&utm_medium=email&utm_campaign=spring".into(),
        ..Page::default()
    }
}

fn with_env() -> Tracker {
    let identity = Identity {
        anonymous_id: "anon-1".into(),
        tab_id: "tab-1".into(),
        timezone: "Europe/Paris".into(),
        screen: Value::object(vec![
            ("width", Value::Number(1280.0)),
            ("height", Value::Number(800.0)),
            ("density", Value::Number(2.0)),
        ]),
        ..Identity::default()
    };
    Tracker::new(config(""), identity, native_float)
}

#[test]
fn context_carries_campaign_session_timezone_and_screen() {
    let mut t = with_env();
    t.page(&landing(), Map::new(), "m1".into(), NOW);
    t.track(
        "Product Viewed",
        Map::new(),
        &page(),
        "m2".into(),
        NOW + 1000,
    );
    let ev = events(&mut t);
    let c = &ev[0]["context"];
    assert_eq!(
        c["campaign"],
        serde_json::json!({"source": "newsletter", "medium": "email", "name": "spring"})
    );
    assert_eq!(c["sessionId"], serde_json::json!(NOW));
    assert_eq!(c["timezone"], "Europe/Paris");
    assert_eq!(
        c["screen"],
        serde_json::json!({"width": 1280, "height": 800, "density": 2})
    );
    assert_eq!(c["tabId"], "tab-1");
    let c2 = &ev[1]["context"];
    assert_eq!(
        c2.get("campaign"),
        None,
        "only pages that carry UTM parameters"
    );
    assert_eq!(c2["sessionId"], serde_json::json!(NOW));
}

#[test]
fn identify_sets_the_user_id_of_later_events_and_reset_forgets_it() {
    let mut t = with_env();
    t.page(&page(), Map::new(), "m1".into(), NOW);
    let traits: Map = [("plan".to_string(), Value::from("gold"))]
        .into_iter()
        .collect();
    t.identify("user-42", traits, &page(), "m2".into(), NOW + 1);
    t.track("Product Added", Map::new(), &page(), "m3".into(), NOW + 2);
    t.reset("anon-2".into(), NOW + 3);
    t.track("Product Viewed", Map::new(), &page(), "m4".into(), NOW + 4);
    let ev = events(&mut t);
    assert_eq!(ev[0].get("userId"), None);
    assert_eq!(ev[1]["type"], "identify");
    assert_eq!(ev[1]["userId"], "user-42");
    assert_eq!(ev[1]["traits"], serde_json::json!({"plan": "gold"}));
    assert_eq!(ev[1].get("event"), None);
    assert_eq!(ev[2]["userId"], "user-42");
    assert_eq!(ev[2]["anonymousId"], "anon-1");
    assert_eq!(ev[3].get("userId"), None);
    assert_eq!(ev[3]["anonymousId"], "anon-2");
    assert_eq!(ev[3]["context"]["sessionId"], serde_json::json!(NOW + 4));
}

#[test]
fn rules_see_the_visitor_and_the_cart() {
    let mut t = with_env();
    let props = |s: &str| match Value::parse_json(s).expect("json") {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    t.track(
        "Product Added",
        props(r#"{"product_id":"x","price":1850,"quantity":2,"currency":"USD"}"#),
        &page(),
        "m1".into(),
        NOW,
    );
    let attrs = t.attributes(&page());
    assert_eq!(
        attrs.get("cart").and_then(|c| c.get("value")),
        Some(&Value::Number(3700.0))
    );
    assert_eq!(
        attrs.get("session").and_then(|s| s.get("id")),
        Some(&Value::Number(NOW as f64))
    );
    t.set_consent(personalization(false), NOW + 1);
    assert_eq!(t.attributes(&page()).get("cart"), None);
    assert!(t.take_profile_erasure());
}

#[test]
fn the_visitor_record_is_stored_only_as_consent_allows() {
    let mut t = tracker(REQUIRED);
    track(&mut t, "m1");
    assert_eq!(t.take_visitor_to_store(), None, "pending: memory only");
    t.set_consent(analytics(true), NOW + 1);
    let record = t
        .take_visitor_to_store()
        .expect("analytics granted: the session");
    assert!(!record.contains("\"profile\""), "{record}");
    t.set_consent(personalization(true), NOW + 2);
    track(&mut t, "m2");
    let record = t.take_visitor_to_store().expect("personalization granted");
    assert!(record.contains("\"profile\""), "{record}");
    assert_eq!(t.take_visitor_to_store(), None, "nothing changed since");
    // Another tab's record is merged; an unreadable one is reported and ours rewritten.
    assert!(!t.merge_visitor(&Value::from("garbage")));
    assert!(t.take_visitor_to_store().is_some());
}
