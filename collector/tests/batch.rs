//! `POST /v1/batch` over real HTTP: storage, dedupe, encodings, validation, limits, write key.

mod common;

use common::*;
use serde_json::{json, Value};

#[test]
fn valid_batch_is_stored_with_the_right_columns() {
    let h = Harness::start("stored");
    let mut page = json!({"type":"page","messageId":"m2","userId":"u-9","timestamp":"t2",
                          "sentAt":"own-sent-at","properties":{"path":"/"},
                          "context":{"sessionId":42,"tabId":"tab-b","seq":"7"}});
    page["traits"] = json!({"plan":"pro"});
    let body = batch(vec![track("m1"), page]);
    let r = h.post_batch(&body);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json(), json!({"ok":true,"stored":2,"duplicates":0}));
    assert_eq!(r.header("content-type"), Some("application/json"));

    let db = h.db();
    type Row = (
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        String,
        i64,
        String,
        String,
        Option<String>,
    );
    let row: Row = db
        .query_row(
            "SELECT message_id, type, event, anonymous_id, user_id, session_id, tab_id, seq,
                    timestamp, sent_at, traits FROM events WHERE message_id = 'm1'",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                    r.get(8)?,
                    r.get(9)?,
                    r.get(10)?,
                ))
            },
        )
        .unwrap();
    assert_eq!(
        row,
        (
            "m1".into(),
            "track".into(),
            Some("Product Viewed".into()),
            Some("anon-1".into()),
            None,
            "s-1".into(),
            "t-1".into(),
            3,
            "2026-11-23T10:00:00.000Z".into(),
            "2026-11-23T10:00:01.000Z".into(),
            None,
        )
    );
    let (props, context, raw, received_at, batch_id): (String, String, String, String, i64) = db
        .query_row(
            "SELECT properties, context, raw, received_at, batch_id FROM events WHERE message_id='m1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .unwrap();
    let props: Value = serde_json::from_str(&props).unwrap();
    assert_eq!(props, json!({"product_id":"sku-1","price":19.5}));
    let context: Value = serde_json::from_str(&context).unwrap();
    assert_eq!(context["tabId"], "t-1");
    let raw: Value = serde_json::from_str(&raw).unwrap();
    assert_eq!(raw, track("m1"));
    // e.g. 2026-11-23T10:00:00.123Z
    assert_eq!(received_at.len(), 24, "{received_at}");
    assert!(received_at.ends_with('Z') && &received_at[19..20] == ".");

    // The page event: userId only, its own sentAt, numeric sessionId kept (as text: TEXT column),
    // a numeric-string seq stored as INTEGER.
    let (user, sent_at, session, seq_type, seq, traits): (String, String, String, String, i64, String) = db
        .query_row(
            "SELECT user_id, sent_at, session_id, typeof(seq), seq, traits FROM events WHERE message_id='m2'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .unwrap();
    assert_eq!(
        (
            user.as_str(),
            sent_at.as_str(),
            session.as_str(),
            seq_type.as_str(),
            seq
        ),
        ("u-9", "own-sent-at", "42", "integer", 7)
    );
    assert_eq!(
        serde_json::from_str::<Value>(&traits).unwrap(),
        json!({"plan":"pro"})
    );

    let batch_row: (i64, String, Option<String>, i64, i64, i64, i64) = db
        .query_row(
            "SELECT id, content_type, content_encoding, bytes, events, stored, duplicates FROM batches",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)),
        )
        .unwrap();
    assert_eq!(batch_row.0, batch_id);
    assert_eq!(batch_row.1, "application/json");
    assert_eq!(batch_row.2, None);
    assert_eq!(batch_row.3, body.to_string().len() as i64);
    assert_eq!((batch_row.4, batch_row.5, batch_row.6), (2, 2, 0));
}

#[test]
fn duplicate_message_ids_are_ignored_and_counted() {
    let h = Harness::start("dupes");
    assert_eq!(
        h.post_batch(&batch(vec![track("a"), track("b")])).json()["stored"],
        2
    );
    // A retry of "b" plus a new event, and "c" twice in the same batch.
    let r = h.post_batch(&batch(vec![track("b"), track("c"), track("c")]));
    assert_eq!(r.json(), json!({"ok":true,"stored":1,"duplicates":2}));
    assert_eq!(h.count("events"), 3);
    let dupes: i64 = h
        .db()
        .query_row(
            "SELECT duplicates FROM batches ORDER BY id DESC LIMIT 1",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(dupes, 2);
}

#[test]
fn beacon_text_plain_and_plain_array_are_accepted() {
    let h = Harness::start("beacon");
    let r = request(
        h.collect(),
        "POST",
        "/v1/batch",
        &[("Content-Type", "text/plain;charset=UTF-8")],
        batch(vec![track("beacon-1")]).to_string().as_bytes(),
    );
    assert_eq!(r.json(), json!({"ok":true,"stored":1,"duplicates":0}));
    let r = h.post_batch(&json!([track("arr-1"), track("arr-2")]));
    assert_eq!(r.json(), json!({"ok":true,"stored":2,"duplicates":0}));
    let ct: String = h
        .db()
        .query_row("SELECT content_type FROM batches WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(ct, "text/plain;charset=UTF-8");
}

#[test]
fn gzip_bodies_are_decompressed() {
    let h = Harness::start("gzip");
    let body = gzip(batch(vec![track("gz-1")]).to_string().as_bytes());
    let r = request(
        h.collect(),
        "POST",
        "/v1/batch",
        &[
            ("Content-Type", "application/json"),
            ("Content-Encoding", "gzip"),
        ],
        &body,
    );
    assert_eq!(r.json(), json!({"ok":true,"stored":1,"duplicates":0}));
    let (enc, bytes): (String, i64) = h
        .db()
        .query_row("SELECT content_encoding, bytes FROM batches", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!((enc.as_str(), bytes), ("gzip", body.len() as i64));

    // Corrupt gzip and unknown encodings store nothing.
    let r = request(
        h.collect(),
        "POST",
        "/v1/batch",
        &[("Content-Encoding", "gzip")],
        b"{}",
    );
    assert_eq!(r.status, 400);
    assert!(
        r.error().starts_with("body is not valid gzip"),
        "{}",
        r.error()
    );
    let r = request(
        h.collect(),
        "POST",
        "/v1/batch",
        &[("Content-Encoding", "br")],
        b"{}",
    );
    assert_eq!(r.status, 415);
    assert_eq!(h.count("events"), 1);
}

#[test]
fn chunked_bodies_are_accepted() {
    let h = Harness::start("chunked");
    let body = batch(vec![track("ch-1")]).to_string();
    let (a, b) = body.split_at(10);
    let req = format!(
        "POST /v1/batch HTTP/1.1\r\nHost: {}\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
        h.collect(),
        a.len(),
        b.len()
    );
    let r = parse_response(&raw(h.collect(), req.as_bytes())).unwrap();
    assert_eq!(r.json(), json!({"ok":true,"stored":1,"duplicates":0}));
}

/// Each invalid body: 400, the reason names the path, and nothing at all is stored.
#[test]
fn invalid_batches_are_rejected_whole_and_store_nothing() {
    let h = Harness::start("invalid");
    let with = |field: &str, value: Value| {
        let mut e = track("bad");
        e[field] = value;
        batch(vec![track("ok-0"), track("ok-1"), track("ok-2"), e])
    };
    let without = |field: &str| {
        let mut e = track("bad");
        e.as_object_mut().unwrap().remove(field);
        batch(vec![track("ok-0"), track("ok-1"), track("ok-2"), e])
    };
    let mut no_identity = track("bad");
    no_identity.as_object_mut().unwrap().remove("anonymousId");
    let cases: Vec<(Value, &str)> = vec![
        (without("messageId"), "/batch/3/messageId: missing"),
        (with("messageId", json!("")), "/batch/3/messageId: must not be empty"),
        (with("messageId", json!(12)), "/batch/3/messageId: must be a string"),
        (
            with("messageId", json!("m".repeat(257))),
            "/batch/3/messageId: longer than 256 characters",
        ),
        (without("type"), "/batch/3/type: missing"),
        (
            with("type", json!("click")),
            "/batch/3/type: must be one of track, page, identify, screen, group, alias; got \"click\"",
        ),
        (without("timestamp"), "/batch/3/timestamp: missing"),
        (with("timestamp", json!(1700000000)), "/batch/3/timestamp: must be a string"),
        (
            batch(vec![track("ok-0"), no_identity]),
            "/batch/1/anonymousId: missing (an event needs a non-empty anonymousId or userId)",
        ),
        (with("anonymousId", json!("")), "/batch/3/anonymousId: missing (an event needs a non-empty anonymousId or userId)"),
        (without("event"), "/batch/3/event: missing (required for track)"),
        (with("properties", json!([1])), "/batch/3/properties: must be an object"),
        (with("context", json!("c")), "/batch/3/context: must be an object"),
        (with("traits", json!(3)), "/batch/3/traits: must be an object"),
        (json!([track("ok"), "x"]), "/1: must be an object"),
        (json!({"sentAt":"x"}), "/batch: missing"),
        (json!({"batch":{}}), "/batch: must be an array"),
        (json!({"batch":[]}), "/batch: empty batch"),
        (json!([]), "/: empty batch"),
        (
            json!(42),
            "body must be an object with a \"batch\" array, or an array of events",
        ),
    ];
    for (body, reason) in cases {
        let r = h.post_batch(&body);
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(r.error(), reason);
    }
    let r = request(h.collect(), "POST", "/v1/batch", &[], b"{\"batch\":[");
    assert_eq!(r.status, 400);
    assert!(r.error().starts_with("body is not JSON: "), "{}", r.error());
    let r = request(h.collect(), "POST", "/v1/batch", &[], b"");
    assert_eq!(r.status, 400);
    assert!(r.error().starts_with("body is not JSON: "), "{}", r.error());

    assert_eq!(h.count("events"), 0);
    assert_eq!(h.count("batches"), 0);
}

#[test]
fn oversized_bodies_get_413_and_store_nothing() {
    let h = Harness::start_with("413", |c| c.max_body = 4096);
    // Over the limit as sent.
    let big = batch((0..40).map(|i| track(&format!("big-{i}"))).collect());
    assert!(big.to_string().len() > 4096);
    let r = h.post_batch(&big);
    assert_eq!(r.status, 413);
    assert_eq!(r.error(), "body larger than 4096 bytes");
    // Small on the wire, over the limit once decompressed (a gzip bomb in miniature).
    let padded = json!({"batch":[track("p")], "pad": " ".repeat(100_000)}).to_string();
    let bomb = gzip(padded.as_bytes());
    assert!(bomb.len() < 4096);
    let r = request(
        h.collect(),
        "POST",
        "/v1/batch",
        &[("Content-Encoding", "gzip")],
        &bomb,
    );
    assert_eq!(r.status, 413);
    assert_eq!(r.error(), "body larger than 4096 bytes after decompression");
    assert_eq!(h.count("events"), 0);
    assert_eq!(h.count("batches"), 0);
}

#[test]
fn more_than_5000_events_get_413() {
    let h = Harness::start("5001");
    let tiny = |i: usize| json!({"type":"page","messageId":format!("{i}"),"timestamp":"t","anonymousId":"a"});
    let r = h.post_batch(&json!({"batch": (0..5001).map(tiny).collect::<Vec<_>>()}));
    assert_eq!(r.status, 413);
    assert_eq!(r.error(), "/batch: 5001 events; at most 5000 per request");
    assert_eq!(h.count("events"), 0);
    let r = h.post_batch(&json!({"batch": (0..5000).map(tiny).collect::<Vec<_>>()}));
    assert_eq!(r.json(), json!({"ok":true,"stored":5000,"duplicates":0}));
}

#[test]
fn write_key_is_required_when_configured() {
    let h = Harness::start_with("writekey", |c| c.write_key = Some("secret".into()));
    let r = h.post_batch(&batch(vec![track("w0")]));
    assert_eq!(r.status, 401);
    assert!(r.error().contains("write key"), "{}", r.error());
    let mut wrong = batch(vec![track("w0")]);
    wrong["writeKey"] = json!("nope");
    assert_eq!(h.post_batch(&wrong).status, 401);
    let r = request(
        h.collect(),
        "POST",
        "/v1/batch",
        &[("Authorization", "Basic bm9wZTo=")], // nope:
        batch(vec![track("w0")]).to_string().as_bytes(),
    );
    assert_eq!(r.status, 401);
    assert_eq!(h.count("events"), 0);

    let mut body = batch(vec![track("w1")]);
    body["writeKey"] = json!("secret");
    assert_eq!(h.post_batch(&body).json()["stored"], 1);
    let r = request(
        h.collect(),
        "POST",
        "/v1/batch",
        &[("Authorization", "Basic c2VjcmV0Og==")], // secret:
        json!([track("w2")]).to_string().as_bytes(),
    );
    assert_eq!(r.json()["stored"], 1);
    assert_eq!(h.count("events"), 2);
}

#[test]
fn no_write_key_configured_accepts_any() {
    let h = Harness::start("nokey");
    let mut body = batch(vec![track("k1")]);
    body["writeKey"] = json!("whatever");
    assert_eq!(h.post_batch(&body).status, 200);
}

#[test]
fn expect_100_continue_is_honoured() {
    let h = Harness::start("continue");
    let body = batch(vec![track("c1")]).to_string();
    let head = format!(
        "POST /v1/batch HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        h.collect(),
        body.len()
    );
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(h.collect()).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    s.write_all(head.as_bytes()).unwrap();
    let mut buf = [0u8; 25];
    s.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(body.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    assert_eq!(parse_response(&out).unwrap().json()["stored"], 1);
}
