//! Sending bodies: `fetch` for normal batches, `sendBeacon` when the page goes away.
//!
//! Bodies go out as `text/plain`: a CORS "simple" request needs no preflight, which halves the
//! requests to a collector on another origin and lets beacons (which cannot set headers) use
//! the very same format.

use js_sys::{Function, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{RequestInit, Response};

use crate::outbox::Outcome;
use crate::time::Millis;

/// POSTs `body` to `url` and calls `done` exactly once with the outcome.
pub fn post(url: &str, body: &str, done: impl FnOnce(Outcome) + 'static) {
    let Some(window) = web_sys::window() else {
        return done(Outcome::Retry { after_ms: None });
    };
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    // No cookies to a third-party collector; the write key travels in the body.
    init.set_credentials(web_sys::RequestCredentials::Omit);
    let headers = js_sys::Object::new();
    let _ = js_sys::Reflect::set(
        &headers,
        &"Content-Type".into(),
        &"text/plain;charset=UTF-8".into(),
    );
    init.set_headers(&headers);
    let promise: Promise = window.fetch_with_str_and_init(url, &init);
    // One function for both branches, called exactly once, so the closure is always freed.
    let settle = Closure::once_into_js(move |result: JsValue| {
        let outcome = match result.dyn_into::<Response>() {
            Ok(resp) => classify(resp.status(), retry_after(&resp)),
            Err(_) => Outcome::Retry { after_ms: None },
        };
        done(outcome);
    });
    // `then` is called through Reflect so both arguments can be the same plain function.
    if let Ok(then) = js_sys::Reflect::get(&promise, &JsValue::from_str("then")) {
        let then: Function = then.unchecked_into();
        let _ = then.call2(&promise, &settle, &settle);
    }
}

/// Maps an HTTP status to what the outbox should do.
pub fn classify(status: u16, retry_after_ms: Option<Millis>) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        408 | 429 | 500..=599 | 0 => Outcome::Retry {
            after_ms: retry_after_ms,
        },
        _ => Outcome::Rejected,
    }
}

/// `Retry-After` as milliseconds: delta-seconds or an HTTP date.
fn retry_after(resp: &Response) -> Option<Millis> {
    let value = resp.headers().get("Retry-After").ok().flatten()?;
    let value = value.trim();
    if let Ok(secs) = value.parse::<u32>() {
        return Some(Millis::from(secs) * 1000);
    }
    let at = js_sys::Date::parse(value);
    at.is_finite()
        .then(|| (at - js_sys::Date::now()).max(0.0) as Millis)
}

/// Queues `body` with `navigator.sendBeacon`; false when the browser refused it.
pub fn beacon(url: &str, body: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().send_beacon_with_opt_str(url, Some(body)).ok())
        .unwrap_or(false)
}
