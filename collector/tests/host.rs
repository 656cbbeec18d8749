//! Issue 11, finding 3 (DNS rebinding): both ports answer only loopback `Host` names and the
//! `--allow-host` names, with their own port. Raw requests, so the `Host` header is ours to set.

mod common;

use std::net::SocketAddr;

use common::*;

/// `GET path` with exactly this `Host` line (`None`: no Host header at all).
fn get_as(addr: SocketAddr, path: &str, host: Option<&str>) -> Resp {
    let host = host.map_or(String::new(), |h| format!("Host: {h}\r\n"));
    let req = format!("GET {path} HTTP/1.1\r\n{host}\r\n");
    parse_response(&raw(addr, req.as_bytes())).expect("a response")
}

#[test]
fn foreign_host_names_get_421_on_both_ports() {
    let h = Harness::start("host-foreign");
    h.post_batch(&batch(vec![track("h1")]));
    for (addr, path) in [(h.collect(), "/events.json"), (h.site(), "/")] {
        let port = addr.port();
        for ok in [
            format!("127.0.0.1:{port}"),
            format!("localhost:{port}"),
            format!("LOCALHOST:{port}"),
            format!("[::1]:{port}"),
            format!("viewer.localhost:{port}"),
        ] {
            assert_eq!(get_as(addr, path, Some(&ok)).status, 200, "{ok}");
        }
        for bad in [
            format!("evil.example:{port}"),
            // A rebinding name that merely contains a loopback name.
            format!("127.0.0.1.evil.example:{port}"),
            format!("localhost.evil.example:{port}"),
            "evil.example".to_string(),
            // Loopback, but another port: not this server.
            format!("127.0.0.1:{}", port.wrapping_add(1)),
            format!("127.0.0.1:{port}:1"),
        ] {
            let r = get_as(addr, path, Some(&bad));
            assert_eq!(r.status, 421, "{bad}");
            assert!(r.error().contains("--allow-host"), "{}", r.error());
            assert!(!r.text().contains("h1"), "no data for {bad}");
            assert_eq!(r.header("access-control-allow-origin"), None);
        }
        let r = get_as(addr, path, None);
        assert_eq!((r.status, r.error().as_str()), (421, "missing Host header"));
        // An absolute-form target's authority is the host that counts (RFC 9112 3.2.2).
        let target = format!("http://evil.example:{port}{path}");
        let r = get_as(addr, &target, Some(&format!("127.0.0.1:{port}")));
        assert_eq!(r.status, 421, "{target}");
        let target = format!("http://127.0.0.1:{port}{path}");
        assert_eq!(get_as(addr, &target, Some("evil.example")).status, 200);
    }
}

#[test]
fn the_batch_endpoint_checks_the_host_too() {
    let h = Harness::start("host-batch");
    let body = batch(vec![track("h2")]).to_string();
    let req = format!(
        "POST /v1/batch HTTP/1.1\r\nHost: evil.example:{}\r\nContent-Length: {}\r\n\r\n{body}",
        h.collect().port(),
        body.len()
    );
    let r = parse_response(&raw(h.collect(), req.as_bytes())).unwrap();
    assert_eq!(r.status, 421);
    assert_eq!(h.count("events"), 0);
}

#[test]
fn allowed_names_and_wildcards_are_served() {
    let h = Harness::start_with("host-allowed", |c| {
        c.allow_hosts = vec!["shop.test".into(), "*.cdn.test".into()];
    });
    let port = h.site().port();
    let status = |host: &str| get_as(h.site(), "/", Some(&format!("{host}:{port}"))).status;
    assert_eq!(status("shop.test"), 200);
    assert_eq!(status("Shop.TEST"), 200);
    assert_eq!(status("a.cdn.test"), 200);
    assert_eq!(status("x.y.cdn.test"), 200);
    assert_eq!(status("www.shop.test"), 421);
    assert_eq!(status("cdn.test"), 421);
    assert_eq!(status("evilcdn.test"), 421);
    // The collect port takes the same names.
    let port = h.collect().port();
    let r = get_as(
        h.collect(),
        "/_control/stats",
        Some(&format!("shop.test:{port}")),
    );
    assert_eq!(r.status, 200);
}
