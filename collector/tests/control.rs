//! The collect port besides batch storage: CORS, the viewer, events.json, fault injection, stats
//! and reset, all over real HTTP.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::json;

#[test]
fn cors_preflight_and_headers_on_the_batch_endpoint_only() {
    let h = Harness::start_with("cors", |c| c.cors_headers = vec!["x-api-key".into()]);
    let r = request(
        h.collect(),
        "OPTIONS",
        "/v1/batch",
        &[
            ("Origin", "http://127.0.0.1:8080"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        b"",
    );
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        r.header("access-control-allow-methods"),
        Some("POST, OPTIONS")
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("content-type, content-encoding, authorization, x-api-key")
    );
    assert_eq!(r.header("access-control-max-age"), Some("600"));
    assert!(r.body.is_empty());
    assert_eq!(r.header("access-control-allow-private-network"), None);
    let r = request(
        h.collect(),
        "OPTIONS",
        "/v1/batch",
        &[("Access-Control-Request-Private-Network", "true")],
        b"",
    );
    assert_eq!(
        r.header("access-control-allow-private-network"),
        Some("true")
    );

    // Every answer of the batch endpoint carries CORS: success, rejection, fault, wrong method.
    let ok = h.post_batch(&batch(vec![track("c1")]));
    let bad = h.post_batch(&json!({}));
    h.set_fault(json!({"mode":"429","retryAfter":7}));
    let faulted = h.post_batch(&batch(vec![track("c2")]));
    let get = request(h.collect(), "GET", "/v1/batch", &[], b"");
    for r in [&ok, &bad, &faulted, &get] {
        assert_eq!(r.header("access-control-allow-origin"), Some("*"), "{r:?}");
        assert_eq!(
            r.header("access-control-expose-headers"),
            Some("Retry-After")
        );
    }
    assert_eq!(
        [ok.status, bad.status, faulted.status, get.status],
        [200, 400, 429, 405]
    );

    // Nothing else does: the viewer, events.json, the controls, a 404.
    let others = [
        request(h.collect(), "GET", "/", &[], b""),
        request(h.collect(), "GET", "/events.json", &[], b""),
        request(h.collect(), "GET", "/_control/stats", &[], b""),
        h.set_fault(json!({"mode":"ok"})),
        request(h.collect(), "POST", "/_control/reset", &[], b""),
        request(h.collect(), "GET", "/nope", &[], b""),
    ];
    for r in &others {
        let cors: Vec<_> = r
            .headers
            .iter()
            .filter(|(n, _)| n.starts_with("access-control-"))
            .collect();
        assert!(cors.is_empty(), "{r:?}");
    }
    assert_eq!(
        others.iter().map(|r| r.status).collect::<Vec<_>>(),
        [200, 200, 200, 200, 200, 404]
    );
}

#[test]
fn wrong_methods_get_405() {
    let h = Harness::start("405");
    let r = request(h.collect(), "GET", "/v1/batch", &[], b"");
    assert_eq!((r.status, r.header("allow")), (405, Some("POST, OPTIONS")));
    let r = request(h.collect(), "GET", "/_control/reset", &[], b"");
    assert_eq!(r.status, 405);
    let r = request(h.collect(), "DELETE", "/", &[], b"");
    assert_eq!(r.status, 405);
}

#[test]
fn viewer_lists_newest_first_and_escapes_hostile_data() {
    let h = Harness::start("viewer");
    let mut evil = track("<b>m</b>");
    evil["event"] = json!("<script>alert(1)</script>");
    evil["anonymousId"] = json!("\"><img src=x onerror=alert(2)>");
    evil["properties"] = json!({"html": "</code></td><iframe>"});
    h.post_batch(&batch(vec![track("first"), evil]));
    let r = request(h.collect(), "GET", "/", &[], b"");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    let page = r.text();
    assert!(page.contains(r#"<meta http-equiv="refresh" content="2">"#));
    assert!(!page.contains("<script"), "{page}");
    assert!(!page.contains("<img"), "{page}");
    assert!(!page.contains("<iframe"), "{page}");
    assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(page.contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;"));
    assert!(page.contains("s-1 / t-1 / 3"));
    // Newest first: event 2 is listed before event 1.
    let second = page.find("<tr><td>2</td>").unwrap();
    let first = page.find("<tr><td>1</td>").unwrap();
    assert!(second < first);
    assert!(page.contains("2 events in 1 batches"));
}

#[test]
fn viewer_shows_page_and_traits_and_can_pause() {
    let h = Harness::start("viewer-columns");
    let mut e = track("p1");
    e["context"]["page"] = json!({"url": "http://shop/<b>x</b>"});
    e["traits"] = json!({"plan": "<i>pro</i>"});
    h.post_batch(&batch(vec![e]));
    let page = request(h.collect(), "GET", "/?refresh=0", &[], b"").text();
    assert!(!page.contains("http-equiv"), "paused: no refresh");
    assert!(page.contains(r#"paused: <a href="/">resume</a>"#));
    assert!(page.contains(
        r#"<td>http://shop/&lt;b&gt;x&lt;/b&gt;</td><td><code>{&quot;price&quot;:19.5,&quot;product_id&quot;:&quot;sku-1&quot;}</code></td><td><code>{&quot;plan&quot;:&quot;&lt;i&gt;pro&lt;/i&gt;&quot;}</code></td></tr>"#
    ), "{page}");
    let page = request(h.collect(), "GET", "/?refresh=5", &[], b"").text();
    assert!(page.contains(r#"<meta http-equiv="refresh" content="5">"#));
    assert!(page.contains(r#"<a href="/?refresh=0">pause</a>"#));
    let r = request(h.collect(), "GET", "/?refresh=-1", &[], b"");
    assert_eq!(r.status, 400);
    let r = request(h.collect(), "GET", "/favicon.ico", &[], b"");
    assert_eq!((r.status, r.body.len()), (204, 0));
}

#[test]
fn events_json_returns_the_latest_in_ascending_order() {
    let h = Harness::start("events-json");
    h.post_batch(&batch((1..=5).map(|i| track(&format!("e{i}"))).collect()));
    let r = request(h.collect(), "GET", "/events.json?limit=3", &[], b"");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let events = r.json();
    let ids: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["messageId"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["e3", "e4", "e5"]);
    let e = &events[2];
    assert_eq!(e["id"], 5);
    assert_eq!(e["type"], "track");
    assert_eq!(e["event"], "Product Viewed");
    assert_eq!(e["anonymousId"], "anon-1");
    assert_eq!(e["sessionId"], "s-1");
    assert_eq!(e["tabId"], "t-1");
    assert_eq!(e["seq"], 3);
    assert_eq!(e["batchId"], 1);
    assert_eq!(e["properties"], json!({"product_id":"sku-1","price":19.5}));
    assert_eq!(e["raw"], track("e5"));
    assert_eq!(e["sentAt"], "2026-11-23T10:00:01.000Z");
    let all = request(h.collect(), "GET", "/events.json", &[], b"").json();
    assert_eq!(all.as_array().unwrap().len(), 5);
    let r = request(h.collect(), "GET", "/events.json?limit=x", &[], b"");
    assert_eq!(r.status, 400);
}

#[test]
fn fault_500_for_count_requests_then_normal() {
    let h = Harness::start("fault-500");
    let r = h.set_fault(json!({"mode":"500","count":2}));
    assert_eq!(r.json(), json!({"ok":true,"mode":"500","count":2}));
    for _ in 0..2 {
        let r = h.post_batch(&batch(vec![track("f1")]));
        assert_eq!(r.status, 500);
        assert_eq!(r.error(), "injected fault: 500");
    }
    assert_eq!(h.count("events"), 0);
    assert_eq!(h.post_batch(&batch(vec![track("f1")])).status, 200);
    assert_eq!(
        h.stats(),
        json!({"events":1,"batches":1,"requests":3,"faulted":2})
    );
}

#[test]
fn fault_429_sends_retry_after() {
    let h = Harness::start("fault-429");
    h.set_fault(json!({"mode":"429","retryAfter":3}));
    let r = h.post_batch(&batch(vec![track("f1")]));
    assert_eq!((r.status, r.header("retry-after")), (429, Some("3")));
    // Default count is 1.
    assert_eq!(h.post_batch(&batch(vec![track("f1")])).status, 200);
}

#[test]
fn fault_413_until_reset() {
    let h = Harness::start("fault-413");
    h.set_fault(json!({"mode":"413","count":-1}));
    for _ in 0..4 {
        assert_eq!(h.post_batch(&batch(vec![track("f1")])).status, 413);
    }
    assert_eq!(h.count("events"), 0);
    let r = request(h.collect(), "POST", "/_control/reset", &[], b"");
    assert_eq!(r.json(), json!({"ok":true}));
    assert_eq!(h.post_batch(&batch(vec![track("f1")])).status, 200);
}

#[test]
fn fault_ok_clears_a_fault() {
    let h = Harness::start("fault-ok");
    h.set_fault(json!({"mode":"500","count":-1}));
    h.set_fault(json!({"mode":"ok"}));
    assert_eq!(h.post_batch(&batch(vec![track("f1")])).status, 200);
}

#[test]
fn fault_drop_closes_without_a_response() {
    let h = Harness::start("fault-drop");
    h.set_fault(json!({"mode":"drop"}));
    let body = batch(vec![track("d1")]).to_string();
    let req = format!(
        "POST /v1/batch HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\n\r\n{body}",
        h.collect(),
        body.len()
    );
    let start = Instant::now();
    assert_eq!(raw(h.collect(), req.as_bytes()), b"");
    assert!(start.elapsed() < Duration::from_secs(5));
    assert_eq!(h.count("events"), 0);
    assert_eq!(h.post_batch(&batch(vec![track("d1")])).status, 200);
}

#[test]
fn fault_stall_waits_then_503_without_blocking_others() {
    let h = Harness::start("fault-stall");
    h.set_fault(json!({"mode":"stall","stallMs":1500}));
    let addr = h.collect();
    let stalled = std::thread::spawn(move || {
        let start = Instant::now();
        let r = request(
            addr,
            "POST",
            "/v1/batch",
            &[],
            batch(vec![track("s1")]).to_string().as_bytes(),
        );
        (r.status, r.error(), start.elapsed())
    });
    // While that request stalls, others are served at once.
    std::thread::sleep(Duration::from_millis(100));
    let start = Instant::now();
    assert_eq!(h.post_batch(&batch(vec![track("s2")])).status, 200);
    assert_eq!(request(h.collect(), "GET", "/", &[], b"").status, 200);
    assert_eq!(request(h.site(), "GET", "/", &[], b"").status, 200);
    // Generous bound for a busy machine; blocking would take the stall's full 1.4 s more.
    assert!(
        start.elapsed() < Duration::from_millis(1000),
        "{:?}",
        start.elapsed()
    );
    let (status, error, took) = stalled.join().unwrap();
    assert_eq!((status, error.as_str()), (503, "injected fault: stall"));
    assert!(took >= Duration::from_millis(1500), "{took:?}");
    let ids: Vec<String> = h
        .db()
        .prepare("SELECT message_id FROM events")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids, ["s2"]);
}

#[test]
fn bad_fault_settings_are_refused() {
    let h = Harness::start("fault-bad");
    let r = h.set_fault(json!({"mode":"teapot"}));
    assert_eq!(r.status, 400);
    assert_eq!(
        r.error(),
        "/mode: must be one of ok, 500, 429, 413, stall, drop"
    );
    let r = request(h.collect(), "POST", "/_control/fault", &[], b"nope");
    assert_eq!(r.status, 400);
    assert_eq!(h.post_batch(&batch(vec![track("x")])).status, 200);
}

#[test]
fn reset_deletes_rows_and_counters() {
    let h = Harness::start("reset");
    h.post_batch(&batch(vec![track("r1"), track("r2")]));
    h.set_fault(json!({"mode":"500","count":-1}));
    h.post_batch(&batch(vec![track("r3")]));
    assert_eq!(
        h.stats(),
        json!({"events":2,"batches":1,"requests":2,"faulted":1})
    );
    request(h.collect(), "POST", "/_control/reset", &[], b"");
    assert_eq!(
        h.stats(),
        json!({"events":0,"batches":0,"requests":0,"faulted":0})
    );
    assert_eq!(h.count("events"), 0);
    // The fault is gone and previously seen messageIds can be stored again.
    assert_eq!(h.post_batch(&batch(vec![track("r1")])).json()["stored"], 1);
}
