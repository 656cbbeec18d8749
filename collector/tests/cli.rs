//! The built binary: startup lines, flag errors, loopback-only hosts, serving on ephemeral ports.

mod common;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use common::*;
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_trailmark-collector");

/// Kills the child when the test ends, pass or fail.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn prints_both_urls_then_serves_and_stores() {
    let dir = temp_dir("cli");
    write_fixtures(&dir);
    let db = dir.join("nested").join("dir").join("events.sqlite");
    let child = Command::new(BIN)
        .args(["--site-port", "0", "--collect-port", "0", "--www"])
        .arg(dir.join("www"))
        .arg("--pkg")
        .arg(dir.join("pkg"))
        .arg("--db")
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut proc = Proc(child);
    let mut lines = BufReader::new(proc.0.stdout.take().unwrap()).lines();
    let store = lines.next().unwrap().unwrap();
    let collector = lines.next().unwrap().unwrap();

    let site_url = store.strip_prefix("store: http://").expect(&store);
    let site: SocketAddr = site_url.strip_suffix('/').unwrap().parse().unwrap();
    let collect_url = collector
        .strip_prefix("collector: http://")
        .expect(&collector);
    let collect: SocketAddr = collect_url
        .strip_suffix("/v1/batch")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(site.ip().to_string(), "127.0.0.1");
    assert_ne!(site.port(), 0);
    assert_ne!(collect.port(), 0);

    let page = request(site, "GET", "/", &[], b"").text();
    assert!(page.contains(&format!("http://127.0.0.1:{}/v1/batch", collect.port())));
    let r = request(
        collect,
        "POST",
        "/v1/batch",
        &[],
        batch(vec![track("cli-1")]).to_string().as_bytes(),
    );
    assert_eq!(r.json(), json!({"ok":true,"stored":1,"duplicates":0}));
    // Another process reads the WAL database while the collector runs.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(BIN).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help_prints_usage() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("usage: trailmark-collector"));
    assert!(out.contains("--max-body"));
}

#[test]
fn bad_flags_exit_2() {
    for args in [
        &["--bogus"][..],
        &["--site-port", "x"],
        &["--collect-port"],
        &["--max-body", "-1"],
        &["positional"],
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, 2, "{args:?}");
        assert!(out.is_empty());
        assert!(err.starts_with("trailmark-collector: "), "{err}");
    }
}

#[test]
fn non_loopback_hosts_are_refused() {
    for host in ["0.0.0.0", "192.168.1.10", "::", "example.com"] {
        let (code, _, err) = run(&["--host", host, "--site-port", "0", "--collect-port", "0"]);
        assert_eq!(code, 2, "{host}");
        assert!(err.contains("--host"), "{err}");
    }
}

#[test]
fn a_taken_port_exits_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let dir = temp_dir("cli-taken");
    let db = dir.join("e.sqlite");
    let (code, out, err) = run(&[
        "--site-port",
        &port,
        "--collect-port",
        "0",
        "--db",
        db.to_str().unwrap(),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
}
