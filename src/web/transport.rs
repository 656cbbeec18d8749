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

use js_sys::Function;

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
/// is); `settled` is called once with `(id, status, retry_after_ms)`, which [`outcome`] reads.
///
/// One long-lived callback for every request (the module's, see `Shared::on_wake`) instead of a
/// closure per request: wasm-bindgen's one-shot closures and the `Response` bindings were about
/// 1.5 KB of the module, for what the fetch helper now hands over as numbers.
pub fn send(url: &str, body: &str, gzip: bool, headers: &str, id: u64, settled: &Function) {
    fetch::post(
        url,
        body,
        body.len(),
        gzip,
        KEEPALIVE_BUDGET,
        headers,
        id as f64,
        settled,
    );
}

/// What the outbox should do after a request that ended with `status` (0: a network error)
/// and `retry_after_ms` (negative: no readable `Retry-After`).
pub fn outcome(status: f64, retry_after_ms: f64) -> Outcome {
    classify(
        status as u16,
        (retry_after_ms >= 0.0).then_some(retry_after_ms as Millis),
    )
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

/// Queues `body` with `navigator.sendBeacon`; false when the browser refused it.
pub fn beacon(url: &str, body: &str) -> bool {
    super::global::window()
        .navigator()
        .send_beacon_with_opt_str(url, Some(body))
        .unwrap_or(false)
}
