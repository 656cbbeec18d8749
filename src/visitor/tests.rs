//! Sessions, the profile and the cross-tab merge, with injected time.

use super::*;
use crate::json::native_float;

const T0: Millis = 1_763_925_721_000;
const MIN: Millis = 60_000;

fn page_op(at: Millis, path: &str, search: &str) -> Op {
    Op {
        kind: Kind::Page,
        at,
        path: path.into(),
        campaign: campaign_from_search(search),
        ..Op::default()
    }
}

fn track_op(at: Millis, name: &str, props: &str) -> Op {
    let Value::Object(properties) = Value::parse_json(props).expect("test props") else {
        panic!("props must be an object")
    };
    Op {
        kind: Kind::Track,
        at,
        name: name.into(),
        properties,
        path: "/p".into(),
        ..Op::default()
    }
}

fn stored(v: &mut Visitor) -> Value {
    Value::parse_json(&v.take_record(true, native_float)).expect("record is JSON")
}

#[test]
fn sessions_end_after_30_idle_minutes_not_before() {
    let mut v = Visitor::new(0, true);
    assert!(v.observe("a", page_op(T0, "/", "")));
    assert!(!v.observe("a", page_op(T0 + 30 * MIN, "/", "")));
    assert_eq!(v.session.id, T0);
    assert!(v.observe("a", page_op(T0 + 60 * MIN + 1, "/", "")));
    assert_eq!(v.session.id, T0 + 60 * MIN + 1);
    assert_eq!(v.profile.visits, 2);
    assert_eq!(v.session.page_views, 1);
}

#[test]
fn sessions_last_at_most_24_hours() {
    let mut v = Visitor::new(0, true);
    v.observe("a", page_op(T0, "/", ""));
    let mut t = T0;
    while t + 20 * MIN < T0 + MAX_MS {
        t += 20 * MIN;
        assert!(
            !v.observe("a", page_op(t, "/", "")),
            "at +{} min",
            (t - T0) / MIN
        );
    }
    assert!(v.observe("a", page_op(T0 + MAX_MS, "/", "")));
    assert_eq!(v.session.id, T0 + MAX_MS);
}

#[test]
fn a_new_campaign_starts_a_new_session_and_the_same_one_does_not() {
    let mut v = Visitor::new(0, true);
    v.observe(
        "a",
        page_op(T0, "/", "?utm_source=news&utm_campaign=spring"),
    );
    assert!(!v.observe("a", page_op(T0 + MIN, "/x", "")));
    assert!(!v.observe(
        "a",
        page_op(T0 + 2 * MIN, "/", "utm_source=news&utm_campaign=spring")
    ));
    assert!(v.observe(
        "a",
        page_op(T0 + 3 * MIN, "/", "?utm_source=ads&utm_campaign=spring")
    ));
    let first = v.profile.first_touch.clone().expect("first touch");
    assert_eq!(first.get("source"), Some(&Value::from("news")));
    let last = v.profile.last_touch.clone().expect("last touch");
    assert_eq!(last.get("source"), Some(&Value::from("ads")));
    assert_eq!(v.profile.visits, 2);
}

#[test]
fn campaign_parameters_are_decoded_and_bounded() {
    let c = campaign_from_search("?a=1&utm_source=Google%20Ads&utm_medium=c+p+c&utm_campaign=%E2%9C%93&utm_term=&utm_content=%zz")
        .expect("campaign");
    assert_eq!(c.get("source"), Some(&Value::from("Google Ads")));
    assert_eq!(c.get("medium"), Some(&Value::from("c p c")));
    assert_eq!(c.get("name"), Some(&Value::from("✓")));
    assert_eq!(c.get("term"), None, "empty values are left out");
    assert_eq!(c.get("content"), Some(&Value::from("%zz")));
    assert_eq!(campaign_from_search("?q=shoes"), None);
    let long = format!("utm_source={}", "é".repeat(300));
    let c = campaign_from_search(&long).expect("campaign");
    assert_eq!(
        c.get("source").and_then(Value::as_str).map(str::len),
        Some(200)
    );
}

#[test]
fn two_tabs_share_one_session() {
    let mut a = Visitor::new(1_000_000, true);
    let mut b = Visitor::new(1_000_000, true);
    a.observe("a", page_op(T0, "/", ""));
    assert!(b.merge("b", &stored(&mut a)));
    assert!(!b.observe("b", page_op(T0 + 10 * MIN, "/cart", "")));
    assert_eq!(b.session.id, T0);
    // Tab a has been idle for 25 minutes, but the visitor was active in tab b 15 minutes ago.
    assert!(a.merge("a", &stored(&mut b)));
    assert!(!a.observe("a", page_op(T0 + 35 * MIN, "/", "")));
    assert_eq!(a.session.id, T0);
    assert_eq!(a.session.page_views, 3);
}

#[test]
fn cross_tab_merge_loses_no_cart_item_or_count() {
    let mut a = Visitor::new(1_000_000, true);
    let mut b = Visitor::new(1_000_000, true);
    a.observe("a", page_op(T0, "/", ""));
    b.merge("b", &stored(&mut a));
    // Both tabs act before seeing each other's writes.
    a.observe(
        "a",
        track_op(
            T0 + 1,
            "Product Added",
            r#"{"product_id":"x","price":1850,"currency":"USD"}"#,
        ),
    );
    b.observe(
        "b",
        track_op(
            T0 + 2,
            "Product Added",
            r#"{"product_id":"y","price":1200,"quantity":2,"currency":"USD"}"#,
        ),
    );
    b.observe("b", page_op(T0 + 3, "/", ""));
    let from_a = stored(&mut a);
    let from_b = stored(&mut b);
    // Storage holds b's write; each tab then receives the other's.
    assert!(a.merge("a", &from_b));
    assert!(
        a.is_dirty(),
        "a replayed its add onto b's record and must write it"
    );
    assert!(b.merge("b", &from_a));
    let final_a = stored(&mut a);
    assert!(b.merge("b", &final_a));
    for v in [&a, &b] {
        let ids: Vec<_> = v
            .profile
            .cart
            .items
            .iter()
            .map(|i| i.product_id.as_str())
            .collect();
        assert_eq!(ids, ["y", "x"]);
        assert_eq!(v.profile.cart.value(), 1850.0 + 2.0 * 1200.0);
        assert_eq!(v.profile.pages.get("/"), 2);
        assert_eq!(v.profile.events, 4);
        assert_eq!(v.session.events, 4);
    }
    // Merging the same record again changes nothing.
    let before = b.clone();
    assert!(b.merge("b", &final_a));
    assert_eq!(b.profile, before.profile);
}

#[test]
fn a_reset_in_one_tab_wins_over_older_records() {
    let mut a = Visitor::new(0, true);
    let mut b = Visitor::new(0, true);
    a.observe(
        "a",
        track_op(T0, "Product Added", r#"{"product_id":"x","price":100}"#),
    );
    b.merge("b", &stored(&mut a));
    b.reset(T0 + 5);
    let after_reset = stored(&mut b);
    let old = stored(&mut a);
    assert!(b.merge("b", &old));
    assert!(
        b.profile.cart.items.is_empty(),
        "an older identity's record is ignored"
    );
    assert!(a.merge("a", &after_reset));
    assert!(a.profile.cart.items.is_empty());
    assert_eq!(a.reset_at, T0 + 5);
}

#[test]
fn profile_tables_are_capped_keeping_the_most_recent_keys() {
    let mut v = Visitor::new(0, true);
    for i in 0..(MAX_PRODUCTS as i64 + 10) {
        let props = format!(r#"{{"product_id":"p{i}","category":"c{i}"}}"#);
        v.observe("a", track_op(T0 + i, "Product Viewed", &props));
    }
    v.observe(
        "a",
        track_op(T0 + 100, "Product Viewed", r#"{"product_id":"p59"}"#),
    );
    assert_eq!(v.profile.products.entries.len(), MAX_PRODUCTS);
    assert_eq!(
        v.profile.products.get("p0"),
        0,
        "least recently seen goes first"
    );
    assert_eq!(v.profile.products.get("p59"), 2);
    assert_eq!(v.profile.categories.entries.len(), MAX_CATEGORIES);
    for i in 0..(cart::MAX_ITEMS as i64 + 5) {
        let props = format!(r#"{{"product_id":"c{i}","price":100,"quantity":1e9}}"#);
        v.observe("a", track_op(T0 + 200 + i, "Product Added", &props));
    }
    assert_eq!(v.profile.cart.items.len(), cart::MAX_ITEMS);
    assert_eq!(v.profile.cart.items[0].quantity, cart::MAX_QUANTITY);
    let again = record::parse(&stored(&mut v)).expect("round trip");
    assert_eq!(again.profile, v.profile);
    assert_eq!(again.session, v.session);
}

#[test]
fn cart_follows_adds_removes_views_and_orders() {
    let mut v = Visitor::new(0, true);
    let add = |v: &mut Visitor, p| v.observe("a", track_op(T0, "Product Added", p));
    add(
        &mut v,
        r#"{"product_id":"x","name":"X","price":1850,"currency":"USD"}"#,
    );
    add(
        &mut v,
        r#"{"product_id":"x","price":1850,"quantity":2,"currency":"USD"}"#,
    );
    add(
        &mut v,
        r#"{"product_id":"y","price":"12","currency":"USD"}"#,
    );
    add(&mut v, r#"{"price":5}"#);
    assert_eq!(v.profile.cart.count(), 4.0);
    assert_eq!(
        v.profile.cart.value(),
        3.0 * 1850.0,
        "a price that is not a number counts 0"
    );
    v.observe(
        "a",
        track_op(T0, "Product Removed", r#"{"product_id":"x","quantity":3}"#),
    );
    assert_eq!(v.profile.cart.items.len(), 1);
    v.observe(
        "a",
        track_op(
            T0,
            "Cart Viewed",
            r#"{"currency":"EUR","products":[{"product_id":"z","price":999,"quantity":3}]}"#,
        ),
    );
    let mut attrs = Map::new();
    v.attributes("", &mut attrs);
    let cart = attrs.get("cart").expect("cart");
    assert_eq!(cart.get("value"), Some(&Value::Number(2997.0)));
    assert_eq!(cart.get("currency"), Some(&Value::from("EUR")));
    v.observe(
        "a",
        track_op(
            T0 + 1,
            "Order Completed",
            r#"{"order_id":"o","total":3497,"currency":"EUR"}"#,
        ),
    );
    assert!(v.profile.cart.items.is_empty());
    assert_eq!((v.profile.orders, v.profile.revenue), (1, 3497.0));
}

#[test]
fn corrupt_or_foreign_records_are_rejected_whole() {
    let mut good = Visitor::new(0, true);
    good.observe("a", page_op(T0, "/", "?utm_source=x"));
    let text = good.take_record(true, native_float);
    let cases = [
        "null".to_string(),
        "[]".into(),
        r#"{"v":2}"#.into(),
        text.replace(r#""v":1"#, r#""v":"1""#),
        text.replace(r#""pv":1"#, r#""pv":-1"#),
        text.replace(r#""visits":1"#, r#""visits":"lots""#),
        text.replace(r#""pages":[["/",1"#, r#""pages":[["/","1""#),
        text.replace(r#""tabs":[["a""#, r#""tabs":[[7"#),
        text.replace(r#""utm":{"source":"x"}"#, r#""utm":{"source":{"deep":1}}"#),
    ];
    for (i, case) in cases.iter().enumerate() {
        assert_ne!(case, &text, "case {i} must change the record");
        let mut v = Visitor::new(0, true);
        let parsed = Value::parse_json(case).expect("json");
        assert!(!v.merge("b", &parsed), "case {i} must be rejected: {case}");
        assert_eq!(v.profile, Profile::default());
    }
    let mut v = Visitor::new(0, true);
    assert!(v.merge("b", &Value::parse_json(&text).expect("json")));
    assert_eq!(v.profile.visits, 1);
}

#[test]
fn version_1_is_the_only_format_and_newer_formats_are_not_misread() {
    // No older format exists yet (version 1 is the first); a record from a newer build is not
    // guessed at: this build starts fresh and its next write replaces it.
    let mut v = Visitor::new(0, true);
    let newer = Value::parse_json(r#"{"v":2,"reset":0,"user":null,"tabs":[],"session":{}}"#);
    assert!(!v.merge("a", &newer.expect("json")));
    assert_eq!(record::VERSION, 1.0);
}

#[test]
fn without_personalization_only_the_session_is_kept() {
    let mut v = Visitor::new(0, false);
    v.observe(
        "a",
        track_op(T0, "Product Added", r#"{"product_id":"x","price":1}"#),
    );
    assert_eq!(v.profile, Profile::default());
    assert_eq!(v.session.events, 1);
    let text = v.take_record(false, native_float);
    assert!(!text.contains("profile"), "{text}");
    let mut w = Visitor::new(0, true);
    w.observe(
        "b",
        track_op(T0, "Product Added", r#"{"product_id":"y","price":1}"#),
    );
    assert!(w.merge("b", &Value::parse_json(&text).expect("json")));
    assert_eq!(
        w.profile.cart.items.len(),
        1,
        "a record without profile leaves ours alone"
    );
}

#[test]
fn engagement_and_device_class() {
    let mut v = Visitor::new(0, true);
    v.observe(
        "a",
        track_op(
            T0,
            "Page Engagement",
            r#"{"visible_ms":1500.4,"max_scroll_percent":140}"#,
        ),
    );
    v.observe(
        "a",
        track_op(
            T0,
            "Page Engagement",
            r#"{"visible_ms":-5,"max_scroll_percent":40}"#,
        ),
    );
    assert_eq!(
        (v.profile.engaged_ms, v.profile.max_scroll),
        (1500.0, 100.0)
    );
    assert_eq!(
        device_class("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148"),
        "mobile"
    );
    assert_eq!(
        device_class("Mozilla/5.0 (Linux; Android 14; SM-X710)"),
        "tablet"
    );
    assert_eq!(
        device_class("Mozilla/5.0 (X11; Linux x86_64) Chrome/131"),
        "desktop"
    );
}

#[test]
fn only_a_page_view_with_a_new_campaign_starts_a_session() {
    let mut v = Visitor::new(0, true);
    v.observe("a", page_op(T0, "/", "?utm_source=news&utm_content=a"));
    // Clicks on a page whose URL carries another campaign (two tabs from one newsletter).
    let mut click = track_op(T0 + 1, "Product Clicked", "{}");
    click.campaign = campaign_from_search("?utm_source=news&utm_content=b");
    assert!(!v.observe("a", click));
    assert_eq!((v.session.id, v.profile.visits), (T0, 1));
}

#[test]
fn journey_transitions_and_engagement_are_no_activity() {
    let mut v = Visitor::new(0, true);
    v.observe("a", page_op(T0, "/", ""));
    let late = T0 + 31 * MIN;
    let transition = r#"{"journey":"j","stage":"s","previous_stage":null,"run":1}"#;
    assert!(!v.observe(
        "a",
        track_op(late, crate::journeys::STAGE_ENTERED, transition)
    ));
    assert!(!v.observe("a", track_op(late, ENGAGEMENT, r#"{"visible_ms":5}"#)));
    assert_eq!(
        (v.session.id, v.session.last, v.profile.visits),
        (T0, T0, 1)
    );
}

#[test]
fn the_largest_values_still_make_a_readable_record() {
    let mut v = Visitor::new(0, true);
    let mut op = page_op(
        T0,
        &"/p".repeat(3000),
        &format!("?utm_source={}", "s".repeat(5000)),
    );
    op.referrer = "https://r.example/".repeat(300);
    v.observe("a", op);
    let props = format!(
        r#"{{"product_id":"{0}","name":"{0}","currency":"{0}","price":1e13,"quantity":9999}}"#,
        "x".repeat(5000)
    );
    v.observe("a", track_op(T0 + 1, "Product Added", &props));
    v.observe(
        "a",
        track_op(
            T0 + 2,
            "Product Viewed",
            &props.replace("product_id", "category"),
        ),
    );
    assert!(
        record::parse(&stored(&mut v)).is_some(),
        "every string is cut to what the reader accepts"
    );
}

#[test]
fn a_stale_record_without_profile_leaves_this_tabs_profile_alone() {
    let mut a = Visitor::new(0, true);
    let mut b = Visitor::new(0, false);
    b.observe("b", page_op(T0, "/", ""));
    let old = Value::parse_json(&b.take_record(false, native_float)).expect("json");
    a.reset(T0 + 5);
    a.observe(
        "a",
        track_op(T0 + 6, "Product Added", r#"{"product_id":"x","price":1}"#),
    );
    assert!(a.merge("a", &old));
    assert_eq!(a.profile.cart.items.len(), 1);
}
