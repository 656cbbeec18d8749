//! Attacks the collector already withstood (issue 11's review), kept as regression tests: gzip
//! bombs, JSON depth bombs, SQL in every stored field, and path traversal in every spelling.

mod common;

use common::*;
use serde_json::{json, Value};

#[test]
fn gzip_bombs_are_cut_at_the_body_limit() {
    let h = Harness::start("gzip-bomb");
    // 1 MiB of zeros gzips to about 1 KiB; 300 concatenated members (a valid gzip stream) make
    // a ~300 KiB body, under the 512 KiB limit on the wire, that would inflate to 300 MiB.
    let member = gzip(&vec![0u8; 1 << 20]);
    let bomb = member.repeat(300);
    assert!(bomb.len() < 524_288, "{}", bomb.len());
    let started = std::time::Instant::now();
    let r = request(
        h.collect(),
        "POST",
        "/v1/batch",
        &[("Content-Encoding", "gzip")],
        &bomb,
    );
    assert_eq!(r.status, 413);
    assert_eq!(
        r.error(),
        "body larger than 524288 bytes after decompression"
    );
    // Decompression stops one byte past the limit instead of inflating 300 MiB.
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    // A bomb inside a bomb is not unpacked twice: stacked encodings are refused.
    let r = request(
        h.collect(),
        "POST",
        "/v1/batch",
        &[("Content-Encoding", "gzip, gzip")],
        &gzip(&member),
    );
    assert_eq!(r.status, 415);
    assert_eq!(h.count("batches"), 0);
    assert_eq!(h.post_batch(&batch(vec![track("after")])).status, 200);
}

/// `depth` nested objects `{"a":{"a":...}}` around `inner`.
fn nested(depth: usize, inner: &str) -> String {
    format!("{}{inner}{}", r#"{"a":"#.repeat(depth), "}".repeat(depth))
}

#[test]
fn json_depth_bombs_are_refused_without_crashing() {
    // In-process: a stack overflow would abort this whole test binary, not just fail a test.
    let h = Harness::start("depth-bomb");
    let deep_array = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let event = track("deep").to_string();
    let deep_props = event.replacen(
        r#""properties":{"#,
        &format!(r#""properties":{}, "x":{{"#, nested(50_000, "1")),
        1,
    );
    assert!(deep_props.len() > 250_000);
    for body in [deep_array.clone(), format!(r#"{{"batch":[{deep_props}]}}"#)] {
        let r = request(h.collect(), "POST", "/v1/batch", &[], body.as_bytes());
        assert_eq!(r.status, 400);
        assert!(
            r.error()
                .starts_with("body is not JSON: recursion limit exceeded"),
            "{}",
            r.error()
        );
    }
    // Small on the wire once gzipped: the same answer.
    let r = request(
        h.collect(),
        "POST",
        "/v1/batch",
        &[("Content-Encoding", "gzip")],
        &gzip(deep_array.as_bytes()),
    );
    assert_eq!(r.status, 400);
    let r = request(
        h.collect(),
        "POST",
        "/_control/fault",
        &[],
        nested(10_000, "1").as_bytes(),
    );
    assert_eq!(r.status, 400);
    assert_eq!(h.count("batches"), 0);

    // Deep but within the parser's limit: stored, and read back intact.
    let mut ok = track("deep-ok");
    ok["properties"] = serde_json::from_str(&nested(100, r#""bottom""#)).unwrap();
    assert_eq!(h.post_batch(&batch(vec![ok.clone()])).status, 200);
    let back = request(h.collect(), "GET", "/events.json", &[], b"").json();
    assert_eq!(back[0]["properties"], ok["properties"]);
    assert_eq!(request(h.collect(), "GET", "/", &[], b"").status, 200);
}

/// Strings that would change a query if they were ever spliced into SQL text.
const SQL_PAYLOADS: [&str; 12] = [
    "'); DROP TABLE events; --",
    "' OR '1'='1",
    "\"; DELETE FROM batches; --",
    "1; ATTACH DATABASE 'pwned.sqlite' AS pwned; --",
    "'||(SELECT sqlite_version())||'",
    "?1 ?2 :name @name $name ?",
    "\\'; UPDATE events SET event = 'x'; --",
    "%' ESCAPE '\\' --",
    "a\u{0}b",
    "\u{2bc}; DROP TABLE events; --",
    "/* */ UNION SELECT * FROM sqlite_master --",
    "'; PRAGMA writable_schema = 1; --",
];

#[test]
fn sql_in_every_stored_field_round_trips_as_data() {
    let h = Harness::start("sql");
    let events: Vec<Value> = SQL_PAYLOADS
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({
                "type": "track",
                "messageId": format!("m{i}{p}"),
                "event": p,
                "anonymousId": p,
                "userId": p,
                "timestamp": p,
                "sentAt": p,
                "properties": {*p: p, "url": p},
                "context": {"sessionId": p, "tabId": p, "seq": p, "page": {"title": p}},
                "traits": {*p: p},
            })
        })
        .collect();
    let body = json!({"batch": events, "sentAt": SQL_PAYLOADS[0]});
    let hostile_type = "text/plain'); DROP TABLE batches; --";
    let r = request(
        h.collect(),
        "POST",
        "/v1/batch",
        &[("Content-Type", hostile_type)],
        body.to_string().as_bytes(),
    );
    assert_eq!(r.json(), json!({"ok": true, "stored": 12, "duplicates": 0}));

    let db = h.db();
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(tables, ["batches", "events"]);
    assert!(!h.dir.join("pwned.sqlite").exists());
    let ct: String = db
        .query_row("SELECT content_type FROM batches", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ct, hostile_type);

    let mut stmt = db
        .prepare(
            "SELECT message_id, event, anonymous_id, user_id, session_id, tab_id, seq, timestamp,
             sent_at, properties, context, traits, raw FROM events ORDER BY id",
        )
        .unwrap();
    let rows: Vec<Vec<String>> = stmt
        .query_map([], |r| (0..13).map(|i| r.get::<_, String>(i)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), SQL_PAYLOADS.len());
    for (i, (row, p)) in rows.iter().zip(SQL_PAYLOADS).enumerate() {
        let p = p.to_string();
        let expected_columns = [format!("m{i}{p}"), p.clone(), p.clone(), p.clone()];
        assert_eq!(row[..4], expected_columns, "{p:?}");
        assert_eq!(
            row[4..9],
            [p.clone(), p.clone(), p.clone(), p.clone(), p.clone()],
            "{p:?}"
        );
        let json_col = |i: usize| serde_json::from_str::<Value>(&row[i]).unwrap();
        assert_eq!(json_col(9), body["batch"][i]["properties"]);
        assert_eq!(json_col(10), body["batch"][i]["context"]);
        assert_eq!(json_col(11), body["batch"][i]["traits"]);
        assert_eq!(json_col(12), body["batch"][i]);
    }
    // And through the HTTP read path.
    let back = request(h.collect(), "GET", "/events.json", &[], b"").json();
    for (i, e) in back.as_array().unwrap().iter().enumerate() {
        assert_eq!(e["raw"], body["batch"][i]);
        assert_eq!(e["userId"], SQL_PAYLOADS[i]);
        assert_eq!(e["seq"], SQL_PAYLOADS[i]);
    }
}

#[test]
fn path_traversal_in_every_spelling_is_refused() {
    let h = Harness::start("traversal-spellings");
    let port = h.site().port();
    let absolute = format!("http://127.0.0.1:{port}/../outside.txt");
    let attempts = [
        // plain, and from /pkg/
        "/../outside.txt",
        "/pkg/../outside.txt",
        "/shop/../../outside.txt",
        // percent-encoded dots and slashes, any case, partly encoded
        "/%2e%2e/outside.txt",
        "/%2E%2E/outside.txt",
        "/.%2e/outside.txt",
        "/%2e./outside.txt",
        "/%2e%2e%2foutside.txt",
        "/%2F..%2F..%2Foutside.txt",
        "/pkg%2f..%2foutside.txt",
        // double-encoded: decoded once, "%2e%2e" is a (missing) file name, never ".."
        "/%252e%252e/outside.txt",
        "/%252e%252e%252foutside.txt",
        // backslashes, raw and encoded
        "/..\\outside.txt",
        "/..%5coutside.txt",
        "/%2e%2e%5coutside.txt",
        "/pkg/..%5C..%5Coutside.txt",
        // NUL, encoded (a raw NUL is below)
        "/%00/../outside.txt",
        "/outside.txt%00.html",
        "/pkg/..%00/outside.txt",
        // overlong UTF-8 and other non-UTF-8 dots and slashes
        "/%c0%ae%c0%ae/outside.txt",
        "/..%c0%afoutside.txt",
        "/%e0%80%ae%e0%80%ae/outside.txt",
        // look-alikes: fullwidth dots, IIS-style %u, dot tricks
        "/%ef%bc%8e%ef%bc%8e/outside.txt",
        "/%u002e%u002e/outside.txt",
        "/..;/outside.txt",
        "/.../outside.txt",
        "/....//outside.txt",
        "/./../outside.txt",
        // absolute-form target
        absolute.as_str(),
    ];
    for path in attempts {
        let r = request(h.site(), "GET", path, &[], b"");
        assert!(matches!(r.status, 400 | 404), "{path}: {}", r.status);
        assert!(!r.text().contains("outside"), "{path}");
    }
    // A raw NUL byte in the request line.
    let req = format!(
        "GET /..\0/outside.txt HTTP/1.1\r\nHost: {}\r\n\r\n",
        h.site()
    );
    let r = parse_response(&raw(h.site(), req.as_bytes())).unwrap();
    assert_eq!(r.status, 400);
    // The real files are still served.
    assert_eq!(request(h.site(), "GET", "/shop/", &[], b"").status, 200);
}
