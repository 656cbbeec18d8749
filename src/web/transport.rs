//! Sending bodies: `fetch` for normal batches, `sendBeacon` when the page goes away.
//!
//! Bodies go out as `text/plain`: a CORS "simple" request needs no preflight, which halves the
//! requests to a collector on another origin and lets beacons (which cannot set headers) use
//! the very same format. With `collector.gzip`, normal batches are gzipped by the browser's
//! `CompressionStream` and carry `Content-Encoding: gzip`, which makes a cross-origin request
//! preflighted (the collector must allow that header); beacons always stay uncompressed.
//!
//! Keepalive: a normal batch asks for keepalive only while it fits in what is left of
//! [`KEEPALIVE_BUDGET`] (see [`super::fetch`]); the unload path subtracts
//! [`keepalive_in_flight`] from its beacon budget, as the browser's 64 KB covers both.

use js_sys::{Function, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Response;

use super::fetch;
use crate::outbox::Outcome;
use crate::time::Millis;

/// Most bytes of keepalive fetch bodies in flight at once (the browser allows 64 KB per page).
pub const KEEPALIVE_BUDGET: usize = 60 * 1024;

/// Bytes of keepalive fetch bodies (as sent: gzipped when gzipped) in flight now: take them
/// off any other keepalive budget of this page (beacons share the browser's 64 KB).
pub fn keepalive_in_flight() -> usize {
    KEEPALIVE_BUDGET.saturating_sub(fetch::keepalive_left(KEEPALIVE_BUDGET))
}

/// POSTs `body` to `url`, gzipped when `gzip` is set and the browser can compress (else as
/// is), and calls `done` exactly once with the outcome.
pub fn post_with(
    url: &str,
    body: &str,
    gzip: bool,
    headers: &str,
    done: impl FnOnce(Outcome) + 'static,
) {
    let promise = fetch::post(url, body, body.len(), gzip, KEEPALIVE_BUDGET, headers);
    // One function for both branches, called exactly once, so the closure is always freed.
    let settle = Closure::once_into_js(move |result: JsValue| {
        let outcome = match result.dyn_into::<Response>() {
            Ok(resp) => classify(resp.status(), retry_after(&resp)),
            Err(_) => Outcome::Retry { after_ms: None },
        };
        done(outcome);
    });
    // Behind `safe`: a trap while handling the outcome must not become an unhandled rejection.
    let settle = fetch::safe(settle.unchecked_ref(), "a request's completion");
    // `then` is called through Reflect so both arguments can be the same plain function.
    if let Ok(then) = Reflect::get(&promise, &JsValue::from_str("then")) {
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
        413 => Outcome::TooLarge,
        _ => Outcome::Rejected,
    }
}

/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER_MS: Millis = 3_600_000;

/// `Retry-After` as milliseconds: delta-seconds or an HTTP date.
fn retry_after(resp: &Response) -> Option<Millis> {
    let value = resp.headers().get("Retry-After").ok().flatten()?;
    let value = value.trim();
    let wait = if let Ok(secs) = value.parse::<u32>() {
        Millis::from(secs) * 1000
    } else {
        let at = js_sys::Date::parse(value);
        if !at.is_finite() {
            return None;
        }
        (at - js_sys::Date::now()).max(0.0) as Millis
    };
    // Honoured up to an hour: a broken or hostile header must not stop delivery for good.
    Some(wait.min(MAX_RETRY_AFTER_MS))
}

/// Queues `body` with `navigator.sendBeacon`; false when the browser refused it.
pub fn beacon(url: &str, body: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.navigator().send_beacon_with_opt_str(url, Some(body)).ok())
        .unwrap_or(false)
}
