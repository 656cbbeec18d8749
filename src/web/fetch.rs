//! The fetch side of the transport, in a few lines of JavaScript: gzip by the browser's own
//! `CompressionStream` (no deflate code in the module) and the keepalive accounting.
//!
//! It is JavaScript because the step between compressing and fetching is asynchronous: done in
//! Rust it needs a second closure and the `RequestInit` bindings, about 350 brotli bytes more
//! than this (measured with `scripts/build`, the README "Where the bytes go" method).
//!
//! A page may have at most 64 KB of keepalive bodies (keepalive fetches and beacons together)
//! in flight; past that a keepalive fetch fails. [`post`] asks for keepalive (so a request
//! survives the page going away) only when the body, as sent, fits in what is left of `budget`,
//! and counts it until the request settles.

use js_sys::Promise;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen(module = "/js/wasm_imports.js")]
extern "C" {
    /// `f` wrapped so that nothing it throws reaches the page: the module's own callbacks
    /// (timers, request completions) run without the loader's wrapper around them, so a trap
    /// inside one is caught here and reported once, naming `what` (`"a timer"`, ...). (`what`
    /// also makes wasm-bindgen route the call through its glue, which `scripts/minify-names.mjs`
    /// relies on: a binding whose arguments need no conversion is imported directly.)
    pub fn safe(f: &js_sys::Function, what: &str) -> js_sys::Function;

    /// Calls `f(-1, 0, -1)` in a microtask (the module's callback: see `Shared::on_wake`):
    /// right after the JavaScript now running returns. Through a resolved promise, not
    /// `queueMicrotask`, which test clocks fake.
    /// (`what` is only there to route the call through the glue, as for `safe`.)
    pub fn soon(f: &js_sys::Function, what: &str);

    /// Gzips `text` (as UTF-8) to an `ArrayBuffer`; rejects when the browser cannot (no
    /// `CompressionStream`).
    #[wasm_bindgen(js_name = gz)]
    pub fn gzip(text: &str) -> Promise;

    /// What is left of `budget` after the keepalive bodies in flight. (Asked with an argument:
    /// a binding with none would skip the glue, which `scripts/minify-names.mjs` relies on.)
    #[wasm_bindgen(js_name = keepaliveLeft)]
    pub fn keepalive_left(budget: usize) -> usize;

    /// POSTs `text` (`len` bytes of UTF-8) as `text/plain` without cookies: gzipped with
    /// `Content-Encoding: gzip` when `gzip` is set and the browser can compress (else as is),
    /// with keepalive when it fits in what is left of `budget`. Then calls `settled(id, status,
    /// retry_after_ms)` once: status 0 for a network error, `retry_after_ms` -1 without a
    /// readable `Retry-After` (never throws, never rejects).
    ///
    /// `extra`: configured headers as `name\nvalue\nname\nvalue` (names and values never hold
    /// line breaks: the config compiler refuses them), empty for none.
    #[allow(clippy::too_many_arguments)]
    pub fn post(
        url: &str,
        text: &str,
        len: usize,
        gzip: bool,
        budget: usize,
        extra: &str,
        id: f64,
        settled: &js_sys::Function,
    );

    /// A `Retry-After` header's value as milliseconds to wait (at most an hour), -1 when absent
    /// or unreadable.
    #[wasm_bindgen(js_name = retryAfter)]
    pub fn retry_after(value: &str) -> f64;
}

/// The transport's entry points, for the browser tests (`tests/wasm_transport.rs`) while
/// `src/web/mod.rs` declares `mod transport` private.
#[cfg(feature = "test-hooks")]
#[doc(hidden)]
pub use super::transport::{classify, keepalive_in_flight, outcome, send, KEEPALIVE_BUDGET};
