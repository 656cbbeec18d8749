//! Journeys through the tracker: transitions as events, with injected time, a reload and two tabs.

use super::tests_support::*;
use super::*;
use crate::config::compile;
use crate::json::native_float;

const MIN: Millis = 60_000;

/// The README's abandoned-cart journey.
const JOURNEY: &str = r#"{"version":1,"collector":{"url":"/c","flushAt":1},"journeys":[{
  "id":"abandoned-cart",
  "entry":{"$event":{"name":"Product Added","in":"session"}},
  "stages":[
    {"id":"in-cart"},
    {"id":"abandoned","if":{"$absent":{"name":"Checkout Started","after":"Product Added","for":"30m","in":"7d"}}},
    {"id":"came-back","if":{"$event":{"name":"Product Added","in":"session","count":0}}}
  ],
  "goal":{"$event":{"name":"Order Completed","in":"7d"}},
  "reentry":"1d","timeout":"7d"}]}"#;

fn with_journey(tab: &str) -> Tracker {
    let compiled = compile(&Value::parse_json(JOURNEY).expect("json"));
    assert!(
        !compiled.diagnostics.has_errors(),
        "{:?}",
        compiled.diagnostics
    );
    let identity = Identity {
        anonymous_id: "anon".into(),
        tab_id: tab.into(),
        ..Identity::default()
    };
    Tracker::new(compiled.config, identity, native_float)
}

fn props(text: &str) -> Map {
    match Value::parse_json(text).expect("json") {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

/// `journey:stage<-previous` of every `Journey Stage Entered` sent, in seq order, with ids.
fn transitions(t: &mut Tracker) -> Vec<(String, String)> {
    let mut events: Vec<serde_json::Value> = Vec::new();
    while let Some(req) = t.poll(NOW + 100 * 86_400_000) {
        t.complete(req.id, crate::outbox::Outcome::Delivered, NOW, 0.0);
        let v: serde_json::Value = serde_json::from_str(&req.body).expect("json");
        events.extend(v["batch"].as_array().expect("batch").iter().cloned());
    }
    events.sort_by_key(|e| e["context"]["seq"].as_u64());
    events
        .iter()
        .filter(|e| e["event"] == "Journey Stage Entered")
        .map(|e| {
            let p = &e["properties"];
            let label = format!(
                "{}:{}<-{}",
                p["journey"].as_str().unwrap_or("?"),
                p["stage"].as_str().unwrap_or("?"),
                p["previous_stage"].as_str().unwrap_or("-")
            );
            (label, e["messageId"].as_str().unwrap_or("").to_string())
        })
        .collect()
}

/// Product `x` added to the cart at `NOW` (message id `a`).
fn add_to_cart(t: &mut Tracker) {
    let added = props(r#"{"product_id":"x"}"#);
    t.track("Product Added", added, &page(), "a".into(), NOW);
}

fn labels(ts: &[(String, String)]) -> Vec<&str> {
    ts.iter().map(|(l, _)| l.as_str()).collect()
}

#[test]
fn the_abandoned_cart_journey_view_add_leave_come_back() {
    let mut t = with_journey("tab-1");
    t.page(&page(), Map::new(), "p1".into(), NOW);
    t.track(
        "Product Viewed",
        props(r#"{"product_id":"x"}"#),
        &page(),
        "v".into(),
        NOW + 1000,
    );
    t.track(
        "Product Added",
        props(r#"{"product_id":"x","price":1850}"#),
        &page(),
        "a".into(),
        NOW + 2000,
    );
    assert_eq!(labels(&transitions(&mut t)), ["abandoned-cart:in-cart<--"]);
    // The page stays open: the timer checks; 30 minutes after the add, not before.
    assert_eq!(t.check_journeys(&page(), NOW + 2000 + 30 * MIN - 1), 0);
    assert_eq!(t.check_journeys(&page(), NOW + 2000 + 30 * MIN), 1);
    assert_eq!(
        labels(&transitions(&mut t)),
        ["abandoned-cart:abandoned<-in-cart"]
    );
    let attrs = t.attributes(&page());
    let stage = attrs
        .get("journeys")
        .and_then(|j| j.get("abandoned-cart"))
        .and_then(|j| j.get("stage"));
    assert_eq!(stage, Some(&Value::from("abandoned")));
    // The shopper comes back the next day (a new session, without a new add): the page view
    // moves the journey on.
    t.page(&page(), Map::new(), "p2".into(), NOW + 86_400_000);
    assert_eq!(
        labels(&transitions(&mut t)),
        ["abandoned-cart:came-back<-abandoned"]
    );
    t.track(
        "Order Completed",
        props(r#"{"order_id":"o","total":1850}"#),
        &page(),
        "o".into(),
        NOW + 86_400_000 + 5000,
    );
    assert_eq!(
        labels(&transitions(&mut t)),
        ["abandoned-cart:goal<-came-back"]
    );
}

#[test]
fn a_checkout_in_time_keeps_the_cart_from_being_abandoned() {
    let mut t = with_journey("tab-1");
    add_to_cart(&mut t);
    t.track(
        "Checkout Started",
        Map::new(),
        &page(),
        "c".into(),
        NOW + 10 * MIN,
    );
    assert_eq!(t.check_journeys(&page(), NOW + 60 * MIN), 0);
    assert_eq!(labels(&transitions(&mut t)), ["abandoned-cart:in-cart<--"]);
}

#[test]
fn progress_survives_a_reload_and_two_tabs_agree_on_message_ids() {
    let mut a = with_journey("tab-a");
    a.set_consent(
        crate::consent::Update {
            analytics: Some(true),
            personalization: Some(true),
        },
        NOW,
    );
    add_to_cart(&mut a);
    let record = a.take_visitor_to_store().expect("record");
    let stored = Value::parse_json(&record).expect("json");
    // A reload of the tab, and a second tab, both read the record.
    let mut reloaded = with_journey("tab-a");
    let mut b = with_journey("tab-b");
    assert!(reloaded.merge_visitor(&stored) && b.merge_visitor(&stored));
    let later = NOW + 31 * MIN;
    assert_eq!(
        reloaded.check_journeys(&page(), later),
        1,
        "in-cart was restored"
    );
    assert_eq!(b.check_journeys(&page(), later), 1);
    let (from_reload, from_b) = (transitions(&mut reloaded), transitions(&mut b));
    assert_eq!(labels(&from_reload), ["abandoned-cart:abandoned<-in-cart"]);
    assert_eq!(
        from_reload, from_b,
        "the same transition has the same messageId in both tabs"
    );
    // Entering again is not possible for a day after leaving; the run counts once per entry.
    let progress = &b.visitor().profile.journeys;
    assert_eq!((progress.len(), progress[0].entries), (1, 1));
}

#[test]
fn coming_back_after_the_page_was_closed_moves_through_both_stages_in_order() {
    let mut t = with_journey("tab-1");
    add_to_cart(&mut t);
    // No page was open to check 30 minutes later: the next visit's first page view does it.
    t.page(&page(), Map::new(), "p".into(), NOW + 86_400_000);
    assert_eq!(
        labels(&transitions(&mut t)),
        [
            "abandoned-cart:in-cart<--",
            "abandoned-cart:abandoned<-in-cart",
            "abandoned-cart:came-back<-abandoned"
        ]
    );
}

#[test]
fn the_timer_that_records_abandoned_does_not_make_it_a_new_session() {
    let mut t = with_journey("tab-1");
    t.page(&page(), Map::new(), "p".into(), NOW);
    add_to_cart(&mut t);
    // The page sits idle; the 15 s timer fires a little after the 30 minutes.
    assert_eq!(t.check_journeys(&page(), NOW + 30 * MIN + 5_000), 1);
    assert_eq!(
        t.check_journeys(&page(), NOW + 30 * MIN + 20_000),
        0,
        "not came-back"
    );
    assert_eq!(t.visitor().profile.visits, 1);
}
