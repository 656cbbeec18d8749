//! The site server over real HTTP: files, MIME types, placeholder substitution, traversal.

mod common;

use common::*;

fn get(h: &Harness, path: &str) -> Resp {
    request(h.site(), "GET", path, &[], b"")
}

#[test]
fn index_and_placeholder_substitution() {
    let h = Harness::start("site-index");
    let origin = format!("http://127.0.0.1:{}", h.collect().port());
    let r = get(&h, "/");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("cache-control"), Some("no-cache"));
    assert_eq!(
        r.text(),
        format!("<!doctype html><p data-c=\"{origin}\">{origin}/v1/batch</p>")
    );
    let r = get(&h, "/trailmark.json?v=3");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.text(), format!(r#"{{"endpoint":"{origin}/v1/batch"}}"#));
    // Only .html and .json from www are templated: not scripts, not the package.
    assert_eq!(
        get(&h, "/app.js").text(),
        "console.log('{{COLLECTOR_ORIGIN}}');"
    );
    assert_eq!(
        get(&h, "/pkg/data.json").text(),
        r#"{"x":"{{COLLECTOR_ORIGIN}}"}"#
    );
    assert_eq!(origin, h.running.collector_origin());
}

#[test]
fn content_types() {
    let h = Harness::start("site-mime");
    let cases = [
        ("/pkg/trailmark_bg.wasm", "application/wasm"),
        ("/pkg/trailmark.js", "text/javascript"),
        ("/pkg/trailmark.d.ts", "text/plain"),
        ("/app.js", "text/javascript"),
        ("/style.css", "text/css"),
        ("/logo.svg", "image/svg+xml"),
        ("/trailmark.json", "application/json"),
        ("/shop/", "text/html; charset=utf-8"),
    ];
    for (path, ct) in cases {
        let r = get(&h, path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(ct), "{path}");
    }
    assert_eq!(get(&h, "/pkg/trailmark_bg.wasm").body, b"\0asm\x01\0\0\0");
    assert_eq!(get(&h, "/shop/").text(), "<p>shop</p>");
}

#[test]
fn head_has_headers_without_body() {
    let h = Harness::start("site-head");
    let head = format!("HEAD /style.css HTTP/1.1\r\nHost: {}\r\n\r\n", h.site());
    let out = raw(h.site(), head.as_bytes());
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    assert!(text.contains("Content-Length: 3\r\n"), "{text}");
    assert!(text.ends_with("\r\n\r\n"), "{text}");
}

#[test]
fn missing_files_and_directories() {
    let h = Harness::start("site-404");
    let r = get(&h, "/nope.html");
    assert_eq!(r.status, 404);
    assert!(r.text().contains("404"));
    assert_eq!(get(&h, "/pkg/nope.wasm").status, 404);
    // A directory without its slash redirects (relative links need it), never off-site.
    let r = get(&h, "/shop");
    assert_eq!((r.status, r.header("location")), (301, Some("/shop/")));
    let r = get(&h, "//shop");
    assert_eq!((r.status, r.header("location")), (301, Some("/shop/")));
    // Dot-files are not served.
    assert_eq!(get(&h, "/.secret").status, 404);
    // Only GET and HEAD.
    let r = request(h.site(), "POST", "/", &[], b"x");
    assert_eq!((r.status, r.header("allow")), (405, Some("GET, HEAD")));
}

#[test]
fn path_traversal_is_refused() {
    let h = Harness::start("site-traversal");
    let attempts = [
        "/../outside.txt",
        "/pkg/../outside.txt",
        "/pkg/../../outside.txt",
        "/%2e%2e/outside.txt",
        "/%2E%2E%2Foutside.txt",
        "/pkg/%2e%2e/%2e%2e/outside.txt",
        "/..%5coutside.txt",
        "/shop/..%2f..%2foutside.txt",
        "/%00/outside.txt",
        "/%zz",
    ];
    for path in attempts {
        let r = get(&h, path);
        assert!(matches!(r.status, 400 | 404), "{path}: {}", r.status);
        assert!(!r.text().contains("outside"), "{path}");
    }
    // A symlink inside www that leads outside it is not followed out.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(h.dir.join("outside.txt"), h.dir.join("www/link.txt")).unwrap();
        assert_eq!(get(&h, "/link.txt").status, 404);
    }
}

#[test]
fn malformed_requests_get_400_and_huge_heads_431() {
    let h = Harness::start("site-malformed");
    let r = parse_response(&raw(h.site(), b"GARBAGE\r\n\r\n")).unwrap();
    assert_eq!(r.status, 400);
    let mut big = b"GET / HTTP/1.1\r\nX: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 70_000));
    big.extend_from_slice(b"\r\n\r\n");
    let r = parse_response(&raw(h.site(), &big)).unwrap();
    assert_eq!(r.status, 431);
    // The server still works afterwards.
    assert_eq!(get(&h, "/").status, 200);
}
