//! Shared test harness: a collector started in-process on ephemeral loopback ports with its own
//! www/pkg fixtures and database, and a minimal HTTP/1.1 client on `std::net::TcpStream`.
#![allow(dead_code)] // each test file uses a different subset

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rusqlite::Connection;
use serde_json::{json, Value};
use trailmark_collector::{start, Config, Running};

/// A running collector and where its files are.
pub struct Harness {
    pub running: Running,
    pub dir: PathBuf,
    pub db: PathBuf,
}

/// A fresh, empty directory under cargo's per-target temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "collector-{name}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the www and pkg fixtures into `dir`.
pub fn write_fixtures(dir: &std::path::Path) {
    let www = dir.join("www");
    let pkg = dir.join("pkg");
    std::fs::create_dir_all(www.join("shop")).unwrap();
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(
        www.join("index.html"),
        "<!doctype html><p data-c=\"{{COLLECTOR_ORIGIN}}\">{{COLLECTOR_ORIGIN}}/v1/batch</p>",
    )
    .unwrap();
    std::fs::write(
        www.join("trailmark.json"),
        r#"{"endpoint":"{{COLLECTOR_ORIGIN}}/v1/batch"}"#,
    )
    .unwrap();
    std::fs::write(www.join("app.js"), "console.log('{{COLLECTOR_ORIGIN}}');").unwrap();
    std::fs::write(www.join("style.css"), "p{}").unwrap();
    std::fs::write(www.join("logo.svg"), "<svg/>").unwrap();
    std::fs::write(www.join(".secret"), "hidden").unwrap();
    std::fs::write(www.join("shop").join("index.html"), "<p>shop</p>").unwrap();
    std::fs::write(pkg.join("trailmark_bg.wasm"), b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(pkg.join("trailmark.js"), "export {};").unwrap();
    std::fs::write(pkg.join("trailmark.d.ts"), "export {};").unwrap();
    std::fs::write(pkg.join("data.json"), r#"{"x":"{{COLLECTOR_ORIGIN}}"}"#).unwrap();
    // A file next to the served directories that must never be reachable.
    std::fs::write(dir.join("outside.txt"), "outside").unwrap();
}

impl Harness {
    /// Starts a collector with default settings.
    pub fn start(name: &str) -> Harness {
        Harness::start_with(name, |_| {})
    }

    /// Starts a collector after `tweak` adjusts its config.
    pub fn start_with(name: &str, tweak: impl FnOnce(&mut Config)) -> Harness {
        let dir = temp_dir(name);
        write_fixtures(&dir);
        let db = dir.join("db").join("events.sqlite");
        let mut config = Config {
            site_port: 0,
            collect_port: 0,
            www: dir.join("www"),
            pkg: dir.join("pkg"),
            db: db.clone(),
            ..Config::default()
        };
        tweak(&mut config);
        let running = start(&config).expect("collector starts");
        Harness { running, dir, db }
    }

    pub fn collect(&self) -> SocketAddr {
        self.running.collect_addr
    }

    pub fn site(&self) -> SocketAddr {
        self.running.site_addr
    }

    /// POSTs a JSON value to /v1/batch as application/json.
    pub fn post_batch(&self, body: &Value) -> Resp {
        request(
            self.collect(),
            "POST",
            "/v1/batch",
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
    }

    /// A read-only connection to the real SQLite file, as another process would open it.
    pub fn db(&self) -> Connection {
        Connection::open(&self.db).unwrap()
    }

    pub fn count(&self, table: &str) -> i64 {
        self.db()
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    }

    pub fn stats(&self) -> Value {
        request(self.collect(), "GET", "/_control/stats", &[], b"").json()
    }

    pub fn set_fault(&self, body: Value) -> Resp {
        request(
            self.collect(),
            "POST",
            "/_control/fault",
            &[("Content-Type", "application/json")],
            body.to_string().as_bytes(),
        )
    }
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The `error` string of a JSON error body.
    pub fn error(&self) -> String {
        self.json()["error"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// Sends one request (with Content-Length) and reads the whole response.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\n");
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    parse_response(&raw(addr, &bytes)).expect("a complete HTTP response")
}

/// Sends raw bytes and returns everything the server sends back before closing. A connection
/// closed or reset without a byte yields an empty vector.
pub fn raw(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(bytes).unwrap();
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    out
}

/// Parses a complete response (skipping any `100 Continue`).
pub fn parse_response(bytes: &[u8]) -> Option<Resp> {
    let mut rest = bytes;
    loop {
        let end = rest.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..end]).ok()?;
        let mut lines = head.split("\r\n");
        let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        rest = &rest[end + 4..];
        if status == 100 {
            continue;
        }
        let len: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(rest.len());
        return Some(Resp {
            status,
            headers,
            body: rest.get(..len)?.to_vec(),
        });
    }
}

/// A valid track event.
pub fn track(message_id: &str) -> Value {
    json!({
        "type": "track",
        "event": "Product Viewed",
        "messageId": message_id,
        "anonymousId": "anon-1",
        "timestamp": "2026-11-23T10:00:00.000Z",
        "properties": {"product_id": "sku-1", "price": 19.5},
        "context": {"sessionId": "s-1", "tabId": "t-1", "seq": 3}
    })
}

/// A Segment-style batch body.
pub fn batch(events: Vec<Value>) -> Value {
    json!({"batch": events, "sentAt": "2026-11-23T10:00:01.000Z"})
}

/// Gzips bytes.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    use flate2::{write::GzEncoder, Compression};
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}
