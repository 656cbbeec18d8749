//! Browser tests for the transport (`src/web/transport.rs`, `src/web/fetch.rs`): how statuses
//! become outbox outcomes, gzip by the browser's `CompressionStream` (checked by decompressing
//! with `DecompressionStream`), `Retry-After` read as milliseconds, and what `send` hands to
//! `fetch`: headers, body, and `keepalive` only within the keepalive budget, released when the
//! request settles, then the request's id, status and `Retry-After` handed to the callback.
//!
//! `fetch` is replaced by a recording stub while the `send` tests run: nothing leaves the
//! browser, and each test settles its requests itself.
#![cfg(all(target_arch = "wasm32", not(feature = "tools")))]

#[path = "wasm_support/mod.rs"]
mod support;

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Function, Promise, Reflect, Uint8Array};
use support::{get, js, settled, tick};
use trailmark::outbox::Outcome;
use trailmark::web::fetch::{
    classify, gzip, keepalive_in_flight, outcome as outcome_of, retry_after, send, KEEPALIVE_BUDGET,
};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// `DecompressionStream("gzip")` of `data` as text.
async fn gunzip(data: &JsValue) -> String {
    let f = Function::new_with_args(
        "b",
        "return new Response(new Blob([b]).stream().pipeThrough(new DecompressionStream('gzip'))).text()",
    );
    let p: Promise = f
        .call1(&JsValue::UNDEFINED, data)
        .expect("gunzip")
        .unchecked_into();
    settled(&p)
        .await
        .expect("valid gzip")
        .as_string()
        .expect("text")
}

fn bytes(data: &JsValue) -> Vec<u8> {
    Uint8Array::new(data).to_vec()
}

/// A batch-like body with non-ASCII text (multi-byte UTF-8 must survive the round trip).
fn body(events: usize) -> String {
    let mut s = String::from("{\"batch\":[");
    for i in 0..events {
        if i > 0 {
            s.push(',');
        }
        s.push_str("{\"type\":\"track\",\"event\":\"Product Added\",\"properties\":{\"name\":\"Caf\u{e9} cr\u{e8}me \u{2615} \u{1F600}\",\"n\":");
        s.push_str(&i.to_string());
        s.push_str("}}");
    }
    s.push_str("],\"sentAt\":\"2026-12-01T00:00:00.000Z\"}");
    s
}

#[wasm_bindgen_test]
fn classify_maps_statuses_to_outcomes() {
    assert_eq!(classify(200, None), Outcome::Delivered);
    assert_eq!(classify(204, Some(5)), Outcome::Delivered);
    assert_eq!(classify(408, None), Outcome::Retry { after_ms: None });
    assert_eq!(
        classify(429, Some(3000)),
        Outcome::Retry {
            after_ms: Some(3000)
        }
    );
    assert_eq!(classify(500, None), Outcome::Retry { after_ms: None });
    assert_eq!(classify(503, Some(1)), Outcome::Retry { after_ms: Some(1) });
    assert_eq!(classify(0, None), Outcome::Retry { after_ms: None });
    assert_eq!(classify(413, None), Outcome::TooLarge);
    assert_eq!(classify(413, Some(1000)), Outcome::TooLarge);
    assert_eq!(classify(400, None), Outcome::Rejected);
    assert_eq!(classify(401, None), Outcome::Rejected);
    assert_eq!(classify(404, None), Outcome::Rejected);
}

#[wasm_bindgen_test]
fn retry_after_is_read_as_milliseconds_up_to_an_hour() {
    assert_eq!(retry_after("7"), 7000.0);
    assert_eq!(retry_after(" 120 "), 120_000.0);
    assert_eq!(retry_after("0"), 0.0);
    assert_eq!(retry_after("86400"), 3_600_000.0, "at most an hour");
    assert_eq!(retry_after(""), -1.0);
    assert_eq!(retry_after("soon"), -1.0);
    assert_eq!(
        retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
        0.0,
        "a date past"
    );
    let ahead = js_sys::Date::new(&JsValue::from_f64(js_sys::Date::now() + 60_000.0))
        .to_utc_string()
        .as_string()
        .expect("a date");
    let wait = retry_after(&ahead);
    assert!((50_000.0..=60_000.0).contains(&wait), "{wait}");
    let far = js_sys::Date::new(&JsValue::from_f64(js_sys::Date::now() + 86_400_000.0))
        .to_utc_string()
        .as_string()
        .expect("a date");
    assert_eq!(retry_after(&far), 3_600_000.0);
    // The numbers the module's callback receives.
    assert_eq!(
        outcome_of(429.0, 7000.0),
        Outcome::Retry {
            after_ms: Some(7000)
        }
    );
    assert_eq!(outcome_of(503.0, -1.0), Outcome::Retry { after_ms: None });
    assert_eq!(outcome_of(0.0, -1.0), Outcome::Retry { after_ms: None });
    assert_eq!(outcome_of(204.0, -1.0), Outcome::Delivered);
}

#[wasm_bindgen_test]
async fn gzip_round_trips_through_decompression_stream() {
    for text in [String::new(), "x".to_string(), body(1), body(500)] {
        let data = settled(&gzip(&text)).await.expect("gzip");
        assert!(data.is_instance_of::<ArrayBuffer>(), "{data:?}");
        let raw = bytes(&data);
        assert_eq!(raw[..2], [0x1f, 0x8b], "gzip magic");
        assert_eq!(gunzip(&data).await, text);
        if text.len() > 10_000 {
            assert!(
                raw.len() * 10 < text.len(),
                "{} -> {}",
                text.len(),
                raw.len()
            );
        }
    }
}

#[wasm_bindgen_test]
async fn gzip_without_compression_stream_rejects() {
    let saved = js(
        "const c = globalThis.CompressionStream; delete globalThis.CompressionStream; return c;",
    );
    let text = body(3);
    let data = settled(&gzip(&text)).await;
    Reflect::set(&js_sys::global(), &"CompressionStream".into(), &saved).expect("restore");
    assert!(data.is_err(), "{data:?}");
}

/// Replaces `fetch` by a stub that records `{url, init, resolve, reject}` per call and
/// returns a promise the test settles.
struct FetchStub {
    calls: Array,
    original: JsValue,
}

impl FetchStub {
    fn install() -> FetchStub {
        let calls = Array::new();
        let original = get(&js_sys::global(), "fetch");
        let stub = Function::new_with_args(
            "calls",
            "return (url, init) => new Promise((resolve, reject) => \
                calls.push({ url, init, resolve, reject }));",
        )
        .call1(&JsValue::UNDEFINED, &calls)
        .expect("stub");
        Reflect::set(&js_sys::global(), &"fetch".into(), &stub).expect("install the stub");
        FetchStub { calls, original }
    }

    fn call(&self, i: u32) -> JsValue {
        self.calls.get(i)
    }

    /// Waits until `n` calls were made (gzip first goes through `CompressionStream`, which
    /// takes engine-dependent tasks), for at most [`OUTCOME_LIMIT_MS`] of real time.
    async fn wait_for(&self, n: u32) {
        let until = js_sys::Date::now() + OUTCOME_LIMIT_MS;
        while js_sys::Date::now() < until {
            if self.calls.length() >= n {
                return;
            }
            tick().await;
        }
        panic!(
            "fetch was called {} times, expected {n}",
            self.calls.length()
        );
    }

    /// Fulfils call `i` with `new Response(null, {status, headers})`, then lets it settle.
    async fn respond(&self, i: u32, status: u16, headers: &str) {
        let resp = Function::new_with_args(
            "status, headers",
            "return new Response(null, { status, headers: JSON.parse(headers) });",
        )
        .call2(&JsValue::UNDEFINED, &status.into(), &headers.into())
        .expect("a Response");
        let resolve: Function = get(&self.call(i), "resolve").unchecked_into();
        resolve.call1(&JsValue::UNDEFINED, &resp).expect("resolve");
        tick().await;
    }

    /// Rejects call `i` with a TypeError (what a network failure looks like), then lets it settle.
    async fn fail(&self, i: u32) {
        let reject: Function = get(&self.call(i), "reject").unchecked_into();
        reject
            .call1(
                &JsValue::UNDEFINED,
                &js("return new TypeError('Failed to fetch');"),
            )
            .expect("reject");
        tick().await;
    }
}

impl Drop for FetchStub {
    fn drop(&mut self) {
        let _ = Reflect::set(&js_sys::global(), &"fetch".into(), &self.original);
    }
}

fn init(call: &JsValue) -> JsValue {
    get(call, "init")
}

fn header(call: &JsValue, name: &str) -> JsValue {
    get(&get(&init(call), "headers"), name)
}

fn keepalive(call: &JsValue) -> bool {
    get(&init(call), "keepalive").as_bool() == Some(true)
}

/// Where a `done` callback leaves the outcome it received.
type OutcomeSlot = Rc<Cell<Option<Outcome>>>;

/// A `settled` callback for a request (what the module's callback receives: the id, the
/// status and `Retry-After`) and the outcome it made of them.
fn outcome_slot() -> (OutcomeSlot, Function) {
    let slot: OutcomeSlot = Rc::default();
    let s = slot.clone();
    let settled = Closure::<dyn FnMut(f64, f64, f64)>::new(move |id: f64, status, wait| {
        assert_eq!(id, 7.0, "the request's id comes back");
        assert!(
            s.replace(Some(outcome_of(status, wait))).is_none(),
            "settled twice"
        );
    });
    (slot, settled.into_js_value().unchecked_into())
}

/// POSTs as the pump does (request id 7), the outcome going to `settled`.
fn post_with(url: &str, body: &str, gzip: bool, headers: &str, settled: Function) {
    send(url, body, gzip, headers, 7, &settled);
}

/// How long a settled request may take to reach its `done` callback. Engines differ in how
/// many tasks that takes (Firefox reads even an empty response body in a later task than
/// Chromium), so tests wait for the outcome itself, up to this much real time.
const OUTCOME_LIMIT_MS: f64 = 10_000.0;

/// The outcome in `slot` once there is one; `None` only if none came within
/// [`OUTCOME_LIMIT_MS`]. `done` runs after the keepalive count is released, so the count is
/// final once this returns an outcome.
async fn outcome(slot: &OutcomeSlot) -> Option<Outcome> {
    let until = js_sys::Date::now() + OUTCOME_LIMIT_MS;
    while slot.get().is_none() && js_sys::Date::now() < until {
        tick().await;
    }
    slot.get()
}

// One test, in order: the stub replaces the global `fetch` and the keepalive count is global.
#[wasm_bindgen_test]
async fn post_with_sends_headers_bodies_and_keepalive_within_budget() {
    assert_eq!(keepalive_in_flight(), 0);
    let stub = FetchStub::install();
    let url = "https://collector.invalid/v1/batch";

    // Plain: text body, no Content-Encoding, configured headers, keepalive counted until the
    // response.
    let text = body(2);
    let (got, done) = outcome_slot();
    post_with(
        url,
        &text,
        false,
        "Authorization\nBasic cGs6\nX-Shop\nnw\n",
        done,
    );
    stub.wait_for(1).await;
    let c = stub.call(0);
    assert_eq!(get(&c, "url").as_string().as_deref(), Some(url));
    assert_eq!(
        get(&init(&c), "method").as_string().as_deref(),
        Some("POST")
    );
    assert_eq!(
        get(&init(&c), "credentials").as_string().as_deref(),
        Some("omit")
    );
    assert_eq!(get(&init(&c), "body").as_string(), Some(text.clone()));
    assert_eq!(
        header(&c, "Content-Type").as_string().as_deref(),
        Some("text/plain;charset=UTF-8")
    );
    assert!(header(&c, "Content-Encoding").is_undefined());
    assert_eq!(
        header(&c, "Authorization").as_string().as_deref(),
        Some("Basic cGs6")
    );
    assert_eq!(header(&c, "X-Shop").as_string().as_deref(), Some("nw"));
    assert!(keepalive(&c));
    assert_eq!(keepalive_in_flight(), text.len());
    assert_eq!(got.get(), None);
    stub.respond(0, 200, "{}").await;
    assert_eq!(outcome(&got).await, Some(Outcome::Delivered));
    assert_eq!(keepalive_in_flight(), 0, "released on settle");

    // Gzip: bytes that decompress to the text, Content-Encoding, keepalive of the gzip size.
    let text = body(1000);
    let (got, done) = outcome_slot();
    post_with(url, &text, true, "", done);
    stub.wait_for(2).await;
    let c = stub.call(1);
    let data = get(&init(&c), "body");
    assert!(data.is_instance_of::<ArrayBuffer>(), "{data:?}");
    assert_eq!(
        header(&c, "Content-Encoding").as_string().as_deref(),
        Some("gzip")
    );
    assert_eq!(
        header(&c, "Content-Type").as_string().as_deref(),
        Some("text/plain;charset=UTF-8")
    );
    assert!(keepalive(&c), "the gzip size counts, not the text's");
    let zipped = bytes(&data).len();
    assert!(text.len() > KEEPALIVE_BUDGET && zipped < KEEPALIVE_BUDGET);
    assert_eq!(keepalive_in_flight(), zipped);
    assert_eq!(gunzip(&data).await, text);
    stub.respond(1, 413, "{}").await;
    assert_eq!(outcome(&got).await, Some(Outcome::TooLarge));
    assert_eq!(keepalive_in_flight(), 0);

    // Budget: a body over it goes without keepalive; with 1000 bytes in flight, a body of the
    // rest fits and one byte more does not.
    let (big, small) = ("x".repeat(KEEPALIVE_BUDGET + 1), "y".repeat(1000));
    let rest = "z".repeat(KEEPALIVE_BUDGET - 1000);
    let over = "w".repeat(KEEPALIVE_BUDGET - 999);
    let slots: Vec<_> = [&big, &small, &over, &rest]
        .into_iter()
        .map(|b| {
            let (got, done) = outcome_slot();
            post_with(url, b, false, "", done);
            got
        })
        .collect();
    stub.wait_for(6).await;
    let sent: Vec<bool> = (2..6).map(|i| keepalive(&stub.call(i))).collect();
    assert_eq!(sent, [false, true, false, true]);
    assert_eq!(keepalive_in_flight(), KEEPALIVE_BUDGET);
    // Calls 2..6 are the slots' requests in order: big, small, over, rest.
    stub.respond(3, 429, r#"{"Retry-After":"7"}"#).await;
    outcome(&slots[1]).await;
    assert_eq!(keepalive_in_flight(), KEEPALIVE_BUDGET - 1000);
    stub.fail(5).await;
    outcome(&slots[3]).await;
    assert_eq!(keepalive_in_flight(), 0, "released on failure too");
    stub.respond(2, 500, "{}").await;
    stub.respond(4, 400, "{}").await;
    let mut outcomes = Vec::new();
    for slot in &slots {
        outcomes.push(outcome(slot).await);
    }
    assert_eq!(
        outcomes,
        [
            Some(Outcome::Retry { after_ms: None }),
            Some(Outcome::Retry {
                after_ms: Some(7000)
            }),
            Some(Outcome::Rejected),
            Some(Outcome::Retry { after_ms: None }),
        ]
    );

    // Gzip where the browser cannot compress: the text goes, without Content-Encoding.
    let saved = js(
        "const c = globalThis.CompressionStream; delete globalThis.CompressionStream; return c;",
    );
    let text = body(5);
    let (got, done) = outcome_slot();
    post_with(url, &text, true, "", done);
    stub.wait_for(7).await;
    Reflect::set(&js_sys::global(), &"CompressionStream".into(), &saved).expect("restore");
    let c = stub.call(6);
    assert_eq!(get(&init(&c), "body").as_string(), Some(text.clone()));
    assert!(header(&c, "Content-Encoding").is_undefined());
    assert_eq!(keepalive_in_flight(), text.len());
    stub.respond(6, 201, "{}").await;
    assert_eq!(outcome(&got).await, Some(Outcome::Delivered));
    assert_eq!(keepalive_in_flight(), 0);
    assert_eq!(stub.calls.length(), 7);
}

/// The real `fetch` accepts what `send` builds (a keepalive request with a gzip
/// `ArrayBuffer` body and `Content-Encoding`): the test server answers the unknown path with a
/// 4xx, which a request the browser refused (a network error: Retry) would never get.
#[wasm_bindgen_test]
async fn the_browser_accepts_a_keepalive_gzip_request() {
    let (got, done) = outcome_slot();
    post_with("/trailmark-transport-probe", &body(50), true, "", done);
    assert_eq!(outcome(&got).await, Some(Outcome::Rejected));
    assert_eq!(keepalive_in_flight(), 0);
}
