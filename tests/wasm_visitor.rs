//! Browser tests for the visitor record through the real shell: what `localStorage` holds, how a
//! corrupt record is handled, and how another tab's write is merged (`profileChanged`).
//!
//! Tabs are simulated the way the browser shows them to a page: another tab's write is a new
//! value under `trailmark:profile` followed by a `storage` event (here, the call the loader makes
//! for it). Two real tabs are driven by the end-to-end tests.
#![cfg(all(target_arch = "wasm32", not(feature = "tools")))]

#[path = "wasm_support/mod.rs"]
mod support;

use support::{get, json, stringify, ConsoleSpy};
use trailmark::web::Trailmark;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const KEY: &str = "trailmark:profile";

fn local() -> web_sys::Storage {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .expect("localStorage")
}

/// Consent granted for both purposes, no collector: nothing is sent, everything may be stored.
const CONFIG: &str = r#"{"version":1,"consent":{"required":true}}"#;

fn fresh() -> Trailmark {
    for key in [KEY, "trailmark:consent", "trailmark:aid"] {
        local().remove_item(key).expect("removeItem");
    }
    let tm = Trailmark::new(JsValue::UNDEFINED);
    tm.configure(&support::compile(CONFIG).0);
    tm.consent(json(
        r#"{"analytics":"granted","personalization":"granted"}"#,
    ));
    tm
}

fn cart_ids(tm: &Trailmark) -> String {
    let items = get(&get(&tm.profile(), "cart"), "items");
    let ids: Vec<String> = js_sys::Array::from(&items)
        .iter()
        .map(|i| get(&i, "product_id").as_string().unwrap_or_default())
        .collect();
    ids.join(",")
}

#[wasm_bindgen_test]
fn the_record_is_written_on_hide_and_read_by_the_next_page() {
    let tm = fresh();
    tm.track(
        JsValue::from_str("Product Added"),
        json(r#"{"product_id":"ethiopia","price":1850,"quantity":2,"currency":"USD"}"#),
    );
    tm.hide();
    let stored = local().get_item(KEY).expect("getItem").expect("written");
    assert!(stored.starts_with(r#"{"v":1,"#), "{stored}");
    assert!(
        stored.contains(r#"["ethiopia","",1850,2,"USD"]"#),
        "{stored}"
    );
    // The next page load of the site reads it back.
    let next = Trailmark::new(JsValue::UNDEFINED);
    next.configure(&support::compile(CONFIG).0);
    assert_eq!(cart_ids(&next), "ethiopia");
    assert_eq!(
        stringify(&get(&get(&next.profile(), "cart"), "value")),
        "3700"
    );
}

#[wasm_bindgen_test]
fn a_corrupt_record_is_removed_with_one_warning_and_the_visitor_starts_fresh() {
    local()
        .set_item(KEY, r#"{"v":1,"reset":"yesterday"}"#)
        .expect("setItem");
    let spy = ConsoleSpy::new("warn");
    let tm = Trailmark::new(JsValue::UNDEFINED);
    assert_eq!(local().get_item(KEY).expect("getItem"), None);
    assert_eq!(
        spy.count_containing("stored visitor profile could not be read"),
        1
    );
    tm.configure(&support::compile(CONFIG).0);
    assert_eq!(cart_ids(&tm), "");
}

#[wasm_bindgen_test]
fn another_tabs_write_is_merged_not_taken_over() {
    let tm = fresh();
    tm.track(
        JsValue::from_str("Product Added"),
        json(r#"{"product_id":"mine","price":100,"currency":"USD"}"#),
    );
    // Another tab wrote its record, which does not include this tab's add yet.
    let theirs = r#"{"v":1,"reset":0,"user":null,"tabs":[["other-tab",7,1]],"session":{"id":1,"last":1,"pv":1,"ev":1,"ref":"","utm":null},"profile":{"visits":1,"first":1,"last":1,"events":1,"pages":[],"products":[],"categories":[],"cart":[["theirs","",200,1,"USD"]],"orders":0,"revenue":0,"cur":"","lastOrder":0,"ft":null,"lt":null,"ref":"","eng":0,"scroll":0,"journeys":[],"history":{"log":[],"totals":[]}}}"#;
    local().set_item(KEY, theirs).expect("setItem");
    tm.profile_changed();
    assert_eq!(cart_ids(&tm), "theirs,mine");
    tm.hide();
    let stored = local().get_item(KEY).expect("getItem").expect("written");
    assert!(
        stored.contains(r#"["theirs","",200,1,"USD"],["mine","",100,1,"USD"]"#),
        "{stored}"
    );
    assert!(stored.contains(r#"["other-tab",7,1]"#), "{stored}");
}
