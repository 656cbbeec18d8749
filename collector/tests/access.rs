//! Issue 11, finding 3: the collect port's viewer, `/events.json` and controls are same-origin
//! only and, with a write key or token, need it. Over real HTTP against a real server.

mod common;

use common::*;
use serde_json::json;

/// base64("secret:"), base64("tok:"), base64("wrong:")
const BASIC_SECRET: &str = "Basic c2VjcmV0Og==";
const BASIC_TOK: &str = "Basic dG9rOg==";
const BASIC_WRONG: &str = "Basic d3Jvbmc6";

/// Every guarded route, as (method, path).
const GUARDED: [(&str, &str); 5] = [
    ("GET", "/"),
    ("GET", "/events.json"),
    ("GET", "/_control/stats"),
    ("POST", "/_control/fault"),
    ("POST", "/_control/reset"),
];

fn guarded(h: &Harness, method: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
    let body: &[u8] = if path == "/_control/fault" {
        br#"{"mode":"ok"}"#
    } else {
        b""
    };
    request(h.collect(), method, path, headers, body)
}

#[test]
fn other_origins_are_refused_on_every_guarded_route() {
    let h = Harness::start("cross-origin");
    h.post_batch(&batch(vec![track("x1")]));
    let own = format!("http://{}", h.collect());
    let hostile: [&[(&str, &str)]; 5] = [
        &[("Origin", "http://evil.example")],
        &[("Origin", "null")],
        &[("Origin", "http://127.0.0.1:1")],
        &[("Sec-Fetch-Site", "cross-site")],
        // Another port of the same host is the same *site* but not the same origin.
        &[("Sec-Fetch-Site", "same-site"), ("Origin", own.as_str())],
    ];
    for (method, path) in GUARDED {
        for headers in hostile {
            let r = guarded(&h, method, path, headers);
            assert_eq!(r.status, 403, "{method} {path} {headers:?}");
            assert!(
                r.error().starts_with("cross-origin request refused"),
                "{}",
                r.error()
            );
            assert_eq!(r.header("access-control-allow-origin"), None);
        }
    }
    // A preflight for a control route is refused too, without CORS headers.
    let r = request(
        h.collect(),
        "OPTIONS",
        "/_control/reset",
        &[
            ("Origin", "http://evil.example"),
            ("Access-Control-Request-Method", "POST"),
        ],
        b"",
    );
    assert_eq!(
        (r.status, r.header("access-control-allow-origin")),
        (403, None)
    );
    // Nothing was reset or faulted.
    assert_eq!(h.count("events"), 1);
    assert_eq!(h.post_batch(&batch(vec![track("x2")])).status, 200);

    // Same-origin browser requests and plain clients pass (no key configured: no credentials).
    for headers in [
        &[("Origin", own.as_str()), ("Sec-Fetch-Site", "same-origin")][..],
        &[("Sec-Fetch-Site", "none")],
        &[],
    ] {
        for (method, path) in GUARDED {
            assert_eq!(
                guarded(&h, method, path, headers).status,
                200,
                "{path} {headers:?}"
            );
        }
    }
    assert_eq!(h.count("events"), 0, "the last reset went through");
}

#[test]
fn the_write_key_guards_the_viewer_events_and_controls() {
    let h = Harness::start_with("auth-key", |c| c.write_key = Some("secret".into()));
    let mut body = batch(vec![track("k1")]);
    body["writeKey"] = json!("secret");
    assert_eq!(h.post_batch(&body).status, 200);

    for (method, path) in GUARDED {
        for headers in [
            &[][..],
            &[("Authorization", BASIC_WRONG)],
            &[("Authorization", "Bearer nope")],
        ] {
            let r = guarded(&h, method, path, headers);
            assert_eq!(r.status, 401, "{method} {path} {headers:?}");
            assert!(
                r.header("www-authenticate")
                    .unwrap()
                    .starts_with("Basic realm="),
                "{r:?}"
            );
            assert!(r.error().contains("/?token=KEY"), "{}", r.error());
        }
    }
    assert_eq!(h.count("events"), 1, "no unauthenticated reset");

    let r = guarded(
        &h,
        "GET",
        "/events.json",
        &[("Authorization", BASIC_SECRET)],
    );
    assert_eq!(r.json()[0]["messageId"], "k1");
    let r = guarded(
        &h,
        "GET",
        "/_control/stats",
        &[("Authorization", "Bearer secret")],
    );
    assert_eq!(r.json()["events"], 1);
    let r = guarded(
        &h,
        "POST",
        "/_control/reset",
        &[("Authorization", BASIC_SECRET)],
    );
    assert_eq!(r.json(), json!({"ok": true}));
    assert_eq!(h.count("events"), 0);
}

#[test]
fn a_token_link_opens_a_cookie_session() {
    let h = Harness::start_with("auth-cookie", |c| c.write_key = Some("secret".into()));
    let cookie_name = format!("trailmark_collector_{}", h.collect().port());

    let r = request(h.collect(), "GET", "/?token=wrong", &[], b"");
    assert_eq!((r.status, r.header("set-cookie")), (401, None));

    let r = request(h.collect(), "GET", "/?token=secret", &[], b"");
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/"));
    let set = r.header("set-cookie").unwrap().to_string();
    let (pair, attributes) = set.split_once("; ").unwrap();
    assert_eq!(attributes, "Path=/; HttpOnly; SameSite=Strict");
    let (name, session) = pair.split_once('=').unwrap();
    assert_eq!(name, cookie_name);
    assert_eq!(session.len(), 32, "a random session value, not the secret");
    assert!(!set.contains("secret"));

    // Other query parameters survive; the token does not stay in the URL.
    let r = request(
        h.collect(),
        "GET",
        "/events.json?limit=2&token=secret",
        &[],
        b"",
    );
    assert_eq!(r.header("location"), Some("/events.json?limit=2"));
    // Only our own pages: an odd path never becomes an off-site Location.
    let r = request(h.collect(), "GET", "//evil.example/?token=secret", &[], b"");
    assert_eq!(r.header("location"), Some("/"));

    let with_cookie = format!("other=1; {pair}");
    for (method, path) in GUARDED {
        let r = guarded(&h, method, path, &[("Cookie", &with_cookie)]);
        assert_eq!(r.status, 200, "{method} {path}");
    }
    let forged = format!("{cookie_name}=secret");
    assert_eq!(guarded(&h, "GET", "/", &[("Cookie", &forged)]).status, 401);
    // A session is no way around the same-origin rule.
    let r = guarded(
        &h,
        "POST",
        "/_control/reset",
        &[("Cookie", pair), ("Sec-Fetch-Site", "cross-site")],
    );
    assert_eq!(r.status, 403);
}

#[test]
fn a_token_replaces_the_write_key_for_reading() {
    let h = Harness::start_with("auth-token", |c| {
        c.write_key = Some("secret".into());
        c.token = Some("tok".into());
    });
    // The write key, public wherever the store's config is, no longer opens the viewer.
    assert_eq!(
        guarded(&h, "GET", "/", &[("Authorization", BASIC_SECRET)]).status,
        401
    );
    assert_eq!(
        request(h.collect(), "GET", "/?token=secret", &[], b"").status,
        401
    );
    assert_eq!(
        guarded(&h, "GET", "/", &[("Authorization", BASIC_TOK)]).status,
        200
    );
    assert_eq!(
        request(h.collect(), "GET", "/?token=tok", &[], b"").status,
        303
    );
    // ...and the token is no write key.
    let mut body = batch(vec![track("t1")]);
    body["writeKey"] = json!("tok");
    assert_eq!(h.post_batch(&body).status, 401);

    // A token alone guards reading; the batch endpoint stays open.
    let h = Harness::start_with("auth-token-only", |c| c.token = Some("tok".into()));
    assert_eq!(h.post_batch(&batch(vec![track("t2")])).status, 200);
    assert_eq!(guarded(&h, "GET", "/events.json", &[]).status, 401);
    assert_eq!(
        guarded(
            &h,
            "GET",
            "/events.json",
            &[("Authorization", "Bearer tok")]
        )
        .status,
        200
    );
}

#[test]
fn the_viewer_forbids_script_framing_and_sniffing() {
    let h = Harness::start("viewer-headers");
    let r = request(h.collect(), "GET", "/", &[], b"");
    assert_eq!(
        r.header("content-security-policy"),
        Some(
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; \
             form-action 'none'; frame-ancestors 'none'"
        )
    );
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    let r = request(h.collect(), "GET", "/events.json", &[], b"");
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
}
