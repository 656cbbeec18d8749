//! Browser test for panic containment, using the `__testPanic` export of `--features
//! test-hooks` builds.
//!
//! A panic in the module is a bug, but it must never become the shop's problem: the panic traps
//! (a `WebAssembly.RuntimeError` the loader catches), the hook says so on the console exactly
//! once, `isDead()` turns true, and from then on every method is a no-op that leaves the page
//! (and its slots' default content) alone.
//!
//! It lives in its own file, as one test, because the trap leaves this module instance dead for
//! good: nothing else may share the instance, and the steps must run in this order.
#![cfg(all(target_arch = "wasm32", not(feature = "tools")))]

#[path = "wasm_support/mod.rs"]
mod support;

use js_sys::{Function, Reflect};
use support::{append, document, json, ConsoleSpy};
use trailmark::web::{is_dead, panic_reported, Trailmark};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const GOOD_CONFIG: &str = r#"{"version": 1,
    "blocks": {"b": {"tag": "p", "text": "personalized"}},
    "rules": [{"id": "r", "slot": "panic-slot", "show": "b"}]}"#;

/// Calls the raw `__testPanic` export; the `Err` is what the page's `catch` would see.
fn call_test_panic() -> Result<JsValue, JsValue> {
    let exports = wasm_bindgen::exports();
    let f: Function = Reflect::get(&exports, &JsValue::from_str("__testPanic"))
        .expect("reading the exports")
        .dyn_into()
        .expect("__testPanic is exported by test-hooks builds");
    f.call0(&JsValue::UNDEFINED)
}

/// Assertions after the deliberate panic. The dead module's panic hook stays installed and
/// stays silent (it reports once), and std refuses to swap hooks on a thread that has panicked,
/// so a failing `assert!` there would be reported without its message. Failures are collected,
/// logged with `console.error`, and only then turned into a panic.
#[derive(Default)]
struct Checks(Vec<String>);

impl Checks {
    fn ok(&mut self, what: &str, cond: bool) {
        if !cond {
            self.0.push(format!("not true: {what}"));
        }
    }

    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, got: T, want: T) {
        if got != want {
            self.0.push(format!("{what}: got {got:?}, want {want:?}"));
        }
    }

    fn finish(self) {
        for failure in &self.0 {
            web_sys::console::error_1(&JsValue::from_str(failure));
        }
        assert!(self.0.is_empty(), "{} check(s) failed", self.0.len());
    }
}

#[wasm_bindgen_test]
fn a_panic_traps_once_reports_once_and_leaves_a_no_op_module() {
    // The constructor installs the panic hook, as the loader's first call does.
    let tm = Trailmark::new(JsValue::UNDEFINED);
    // Alive: the calls checked below do real work, so their empty results later mean something.
    assert!(!is_dead());
    let (program, _) = support::compile(GOOD_CONFIG);
    assert_eq!(
        tm.configure(b"not a program").as_string().as_deref(),
        Some("not a compiled config")
    );

    let mut errors = ConsoleSpy::new("error");
    let first = call_test_panic();
    let second = call_test_panic();
    errors.restore();

    let mut check = Checks::default();
    check.ok(
        "the panic surfaced as a WebAssembly.RuntimeError",
        first
            .as_ref()
            .is_err_and(|e| e.is_instance_of::<js_sys::WebAssembly::RuntimeError>()),
    );
    check.ok("a second panic also traps", second.is_err());
    check.ok("isDead()", is_dead());
    check.ok("panicReported()", panic_reported());
    let lines = errors.messages();
    check.eq("console.error calls for two panics", lines.len(), 1);
    check.ok(
        "the console line explains the failure",
        lines.first().is_some_and(|l| {
            l.starts_with(
                "[trailmark] stopped after an internal error; the page keeps its default \
                 content. Please report: deliberate test panic at src/web/shell.rs:",
            )
        }),
    );

    // Every entry point is now a no-op.

    let page = append(&document().body().expect("body"), "div", &[], "");
    let slot = append(
        &page,
        "div",
        &[("data-trailmark-slot", "panic-slot")],
        "default",
    );
    let mut warnings = ConsoleSpy::new("warn");
    check.ok(
        "configure refuses nothing and applies nothing",
        tm.configure(&program).is_undefined(),
    );
    tm.page(JsValue::UNDEFINED);
    tm.track(JsValue::from_str("Product Added"), json(r#"{"price": 1}"#));
    tm.track(JsValue::from_f64(1.0), JsValue::UNDEFINED); // would warn on a live module
    check.eq("render()", tm.render(), 0);
    check.eq("decisions()", tm.decisions().length(), 0);
    check.eq("queued()", tm.queued(), 0);
    tm.hide();
    warnings.restore();
    check.eq("slot content", slot.inner_html(), "default".to_string());
    page.remove();
    check.eq("console.warn calls", warnings.messages(), Vec::new());
    check.finish();
}
