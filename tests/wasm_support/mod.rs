//! Helpers shared by the browser test files (`tests/wasm_*.rs`). Each test file is its own
//! crate and includes this module with `#[path = "wasm_support/mod.rs"] mod support;`, so a
//! helper one file does not use is not dead code in the others.
#![allow(dead_code)]

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Poll, Waker};

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element};

/// Runs `body` as the body of a fresh JS function and returns its result. Test code may build
/// objects the Rust API cannot express (getters, cycles, `undefined` members) this way.
pub fn js(body: &str) -> JsValue {
    Function::new_no_args(body)
        .call0(&JsValue::UNDEFINED)
        .unwrap_or_else(|e| panic!("test JS threw {e:?}: {body}"))
}

/// `JSON.parse(text)`; panics on invalid test JSON.
pub fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or_else(|e| panic!("bad test JSON {e:?}: {text}"))
}

/// `config` (JSON text) compiled as `trailmark build` compiles it: the program bytes and every
/// diagnostic as `(severity, code, path)`.
pub fn compile(config: &str) -> (Vec<u8>, Vec<(String, String, String)>) {
    let raw =
        trailmark::web::convert::to_value(&json(config), trailmark::web::convert::Limits::CONFIG)
            .value;
    let compiled = trailmark::config::compile(&raw);
    let diags = compiled
        .diagnostics
        .0
        .iter()
        .map(|d| {
            let severity = match d.severity {
                trailmark::Severity::Error => "error",
                trailmark::Severity::Warning => "warning",
            };
            (severity.to_owned(), d.code.to_owned(), d.path.clone())
        })
        .collect();
    (trailmark::program::encode(&compiled.config), diags)
}

/// `JSON.stringify(v)` as a Rust string.
pub fn stringify(v: &JsValue) -> String {
    js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| panic!("cannot stringify {v:?}"))
}

/// `obj[key]`, `undefined` when missing.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).expect("Reflect.get on an object")
}

/// `obj[key]` as a string; panics when it is not one.
pub fn get_str(obj: &JsValue, key: &str) -> String {
    get(obj, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string in {}", stringify(obj)))
}

/// The page's document.
pub fn document() -> Document {
    web_sys::window()
        .and_then(|w| w.document())
        .expect("a browser document")
}

/// Creates `<tag>` with `attrs` and `text` and appends it to `parent`.
pub fn append(parent: &Element, tag: &str, attrs: &[(&str, &str)], text: &str) -> Element {
    let el = document().create_element(tag).expect("createElement");
    for (name, value) in attrs {
        el.set_attribute(name, value).expect("setAttribute");
    }
    el.set_text_content(Some(text));
    parent.append_child(&el).expect("appendChild");
    el
}

/// Replaces `console[method]` by a wrapper that records each call's arguments (joined with
/// spaces) and still forwards to the original, until [`ConsoleSpy::restore`] or drop.
///
/// Test failures abort the instance without running `Drop`, so tests that must leave the
/// console clean call `restore` before asserting.
pub struct ConsoleSpy {
    method: &'static str,
    original: JsValue,
    calls: Array,
    restored: bool,
}

impl ConsoleSpy {
    /// Starts recording `console[method]` (`"warn"`, `"error"`, ...).
    pub fn new(method: &'static str) -> ConsoleSpy {
        let console = console();
        let original = get(&console, method);
        let calls = Array::new();
        let make = Function::new_with_args(
            "original, calls",
            "return function (...args) { \
                calls.push(args.map(String).join(' ')); \
                return original.apply(this, args); \
            };",
        );
        let wrapper = make
            .call2(&JsValue::UNDEFINED, &original, &calls)
            .expect("building the console spy");
        Reflect::set(&console, &JsValue::from_str(method), &wrapper).expect("patch console");
        ConsoleSpy {
            method,
            original,
            calls,
            restored: false,
        }
    }

    /// Every recorded call so far, one string per call.
    pub fn messages(&self) -> Vec<String> {
        self.calls.iter().filter_map(|v| v.as_string()).collect()
    }

    /// Recorded calls whose text contains `needle`.
    pub fn count_containing(&self, needle: &str) -> usize {
        self.messages()
            .iter()
            .filter(|m| m.contains(needle))
            .count()
    }

    /// Puts the original `console[method]` back (idempotent).
    pub fn restore(&mut self) {
        if !self.restored {
            let _ = Reflect::set(&console(), &JsValue::from_str(self.method), &self.original);
            self.restored = true;
        }
    }
}

impl Drop for ConsoleSpy {
    fn drop(&mut self) {
        self.restore();
    }
}

fn console() -> JsValue {
    get(&js_sys::global(), "console")
}

/// Casts a JS value known to be an element (from `querySelector` & co.).
pub fn element(v: JsValue) -> Element {
    v.dyn_into::<Element>().expect("an element")
}

/// Waits for `promise`: `Ok` with its value, `Err` with its rejection.
pub async fn settled(promise: &Promise) -> Result<JsValue, JsValue> {
    type Slot = Rc<RefCell<(Option<Result<JsValue, JsValue>>, Option<Waker>)>>;
    let slot: Slot = Rc::default();
    let on = |ok: bool| {
        let slot = slot.clone();
        Closure::once_into_js(move |v: JsValue| {
            let mut s = slot.borrow_mut();
            s.0 = Some(if ok { Ok(v) } else { Err(v) });
            if let Some(w) = s.1.take() {
                w.wake();
            }
        })
    };
    let (fulfilled, rejected) = (on(true), on(false));
    let then: Function = get(promise, "then").unchecked_into();
    then.call2(promise, &fulfilled, &rejected).expect("then");
    poll_fn(|cx| {
        let mut s = slot.borrow_mut();
        match s.0.take() {
            Some(r) => Poll::Ready(r),
            None => {
                s.1 = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    })
    .await
}

/// Lets queued tasks (promise reactions, the stub's settles) run.
pub async fn tick() {
    let p = Promise::new(&mut |resolve, _| {
        let set_timeout: Function = get(&js_sys::global(), "setTimeout").unchecked_into();
        set_timeout
            .call2(&JsValue::UNDEFINED, &resolve, &JsValue::from(0))
            .expect("setTimeout");
    });
    settled(&p).await.expect("a timeout resolves");
}

/// Shows `line` in the `cargo test` output: the runner prints a passing test's `#output`
/// element, not its console, so tallies (`evalCondition: 248/248 passed (wasm)`) go there too.
pub fn report(line: &str) {
    let show = js_sys::Function::new_with_args(
        "line",
        "const out = typeof document === 'undefined' ? null : document.getElementById('output'); \
         const captured = !(typeof nocapture !== 'undefined' && nocapture); \
         if (out && captured) out.appendChild(document.createTextNode(line + '\\n')); \
         console.log(line);",
    );
    let _ = show.call1(&JsValue::UNDEFINED, &JsValue::from_str(line));
}
