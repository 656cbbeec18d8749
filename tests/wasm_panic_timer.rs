//! Browser test: a trap inside a callback the module owns (a timer, a request completion) never
//! reaches the page. Those callbacks run without the loader's wrapper, so the module wraps them
//! itself (`fetch::safe`): no uncaught error on `window`, one console error, and the instance is
//! off from then on. Its own file: the trap leaves this module instance dead for good.
#![cfg(all(target_arch = "wasm32", not(feature = "tools")))]

#[path = "wasm_support/mod.rs"]
mod support;

use js_sys::{Function, Reflect};
use support::{get, js, tick, ConsoleSpy};
use trailmark::web::is_dead;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_trap_in_a_timer_stays_inside() {
    js("window.__uncaught = []; \
        window.addEventListener('error', (e) => window.__uncaught.push(String(e.message))); \
        window.addEventListener('unhandledrejection', (e) => window.__uncaught.push(String(e.reason)));");
    let mut errors = ConsoleSpy::new("error");
    let exports = wasm_bindgen::exports();
    let f: Function = Reflect::get(&exports, &JsValue::from_str("__testPanicInTimer"))
        .expect("reading the exports")
        .dyn_into()
        .expect("__testPanicInTimer is exported by test-hooks builds");
    f.call0(&JsValue::UNDEFINED)
        .expect("scheduling does not throw");
    // The timer fires on a later task.
    tick().await;
    tick().await;
    let uncaught = js("return window.__uncaught.length;");
    assert_eq!(
        uncaught.as_f64(),
        Some(0.0),
        "{:?}",
        get(&js("return window;"), "__uncaught")
    );
    assert_eq!(
        errors.count_containing("[trailmark] stopped after an internal error (in a timer)"),
        1,
        "{:?}",
        errors.messages()
    );
    assert!(is_dead(), "the instance is off after the trap");
    errors.restore();
}
