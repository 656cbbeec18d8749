//! Hostile sizes: a page or event bigger than any collector takes must neither freeze the page
//! nor crowd the queue out (issue 11, finding 1).

use super::tests_support::*;
use super::*;
use crate::page::RawPage;

/// A page as the shell would read it at `https://shop.test/#` + 1.1 MB.
fn huge_fragment_page() -> Page {
    let url = format!("https://shop.test/?q=tea#{}", "x".repeat(1_100_000));
    Page::read(
        RawPage {
            url: &url,
            path: "/",
            search: "?q=tea",
            title: "Shop",
            referrer: "",
        },
        &[],
    )
}

#[test]
fn a_megabyte_fragment_never_reaches_the_event() {
    let mut t = tracker("");
    t.track(
        "Thing Viewed",
        Map::new(),
        &huge_fragment_page(),
        "m1".into(),
        NOW,
    );
    assert_eq!(t.queued(), 1);
    let body = drain(&mut t).concat();
    assert!(
        body.contains(r#""url":"https://shop.test/?q=tea""#),
        "{}",
        &body[..300]
    );
    assert!(body.len() < 4096, "{} bytes", body.len());
}

#[test]
fn an_oversize_event_becomes_a_stub_and_evicts_nothing() {
    let mut t = tracker("");
    track(&mut t, "before");
    // Bypass Page::read, as a page the shell failed to bound would: 1.1 MB in the URL.
    let page = Page {
        url: "x".repeat(1_100_000),
        ..page()
    };
    t.track("Thing Viewed", Map::new(), &page, "big".into(), NOW);
    let mut props = Map::new();
    for i in 0..100 {
        props.insert(format!("k{i}"), Value::String("y".repeat(8 * 1024)));
    }
    t.track(
        "Order Completed",
        props,
        &super::tests_support::page(),
        "props".into(),
        NOW,
    );
    // The two oversize events could not even be stubbed (the URL) or were (the properties);
    // nothing else was evicted, and exactly one drop report says so.
    let body = drain(&mut t).concat();
    for id in ["before", "props", "props-dropped"] {
        assert!(
            body.contains(&format!("\"messageId\":\"{id}\"")),
            "{id} missing"
        );
    }
    assert!(!body.contains("\"messageId\":\"big\""));
    assert_eq!(body.matches(DROPPED_EVENT).count(), 1, "one drop report");
    assert!(body.contains(r#""trailmarkOversizeBytes":"#));
    assert!(
        body.contains(r#""rejected":1"#),
        "the unstubbable event counted as refused"
    );
    assert_eq!(t.queued(), 0);
}

#[test]
fn a_full_queue_reports_its_drops_once_when_there_is_room() {
    let mut t = tracker("");
    for i in 0..1_001 {
        track(&mut t, &format!("fill{i}"));
    }
    // One event was evicted; there is no room for a report while the queue is at its cap.
    assert_eq!(t.queued(), 1_000);
    drain(&mut t);
    track(&mut t, "next");
    track(&mut t, "after");
    let body = drain(&mut t).concat();
    assert_eq!(body.matches(DROPPED_EVENT).count(), 1, "{body}");
    assert!(body.contains(r#""queueFull":1"#), "{body}");
}

#[test]
fn engagement_urls_are_cleaned_like_page_urls() {
    let mut t = tracker("");
    let mut props = Map::new();
    props.insert(
        "url",
        Value::from("https://shop.test/reset?token=abc&step=2#access_token=z"),
    );
    t.track("Page Engagement", props, &page(), "e".into(), NOW);
    let body = drain(&mut t).concat();
    assert!(
        body.contains(r#""url":"https://shop.test/reset?token=redacted&step=2""#),
        "{body}"
    );
}
