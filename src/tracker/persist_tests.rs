//! The stored queue under consent, reloads, and the drop report.

use super::tests_support::*;
use super::*;
use crate::consent::Update;
use crate::outbox::Outcome;

fn snapshot_of(store: Option<QueueStore>) -> String {
    match store {
        Some(QueueStore::Write(s)) => s,
        other => panic!("expected a snapshot, got {other:?}"),
    }
}

#[test]
fn granted_writes_once_per_change_and_removes_when_empty() {
    let mut t = tracker("");
    // Nothing queued yet: the stored copy (if any) is stale and goes.
    assert_eq!(t.take_queue_to_store(), Some(QueueStore::Remove));
    assert_eq!(t.take_queue_to_store(), None);
    track(&mut t, "m1");
    let s = snapshot_of(t.take_queue_to_store());
    assert!(s.contains("\\\"messageId\\\":\\\"m1\\\""), "{s}");
    assert_eq!(t.take_queue_to_store(), None, "unchanged: no second write");
    drain(&mut t);
    assert_eq!(t.take_queue_to_store(), Some(QueueStore::Remove));
}

#[test]
fn pending_leaves_the_stored_copy_alone_and_denied_removes_it() {
    let mut t = tracker(REQUIRED);
    track(&mut t, "m1");
    assert_eq!(t.take_queue_to_store(), None, "pending: memory only");
    t.set_consent(
        Update {
            analytics: Some(false),
            personalization: None,
        },
        NOW,
    );
    assert_eq!(t.take_queue_to_store(), Some(QueueStore::Remove));
    assert_eq!(t.take_queue_to_store(), None);
}

#[test]
fn a_reload_sends_what_the_last_page_left_exactly_once() {
    let mut before = tracker("");
    track(&mut before, "m1");
    track(&mut before, "m2");
    // m1 and m2 go out, the page unloads before the answer comes.
    let flying = before.poll(NOW + 10_000).expect("a request");
    let stored = snapshot_of(before.take_queue_to_store());

    let mut after = tracker("");
    let parsed = Value::parse_json(&stored).expect("snapshot is JSON");
    assert_eq!(after.restore_queue(&parsed, NOW + 20_000), Ok(2));
    track(&mut after, "m3");
    let bodies = drain(&mut after);
    let all = bodies.concat();
    for id in ["m1", "m2", "m3"] {
        assert_eq!(
            all.matches(&format!("\"messageId\":\"{id}\"")).count(),
            1,
            "{id}"
        );
    }
    assert!(flying.body.contains("\"m1\""));
}

#[test]
fn a_corrupt_stored_queue_changes_nothing() {
    let mut t = tracker("");
    track(&mut t, "m1");
    let junk = Value::parse_json(r#"{"v":1,"q":"nope"}"#).unwrap();
    assert!(t.restore_queue(&junk, NOW).is_err());
    assert_eq!(t.queued(), 1);
}

#[test]
fn refused_events_are_reported_in_a_later_event() {
    let mut t = tracker("");
    track(&mut t, "m1");
    let req = t.poll(NOW + 10_000).expect("a request");
    t.complete(req.id, Outcome::Rejected, NOW + 10_000, 0.0);
    track(&mut t, "m2");
    let bodies = drain(&mut t).concat();
    assert!(
        bodies.contains("\"event\":\"Trailmark Events Dropped\""),
        "{bodies}"
    );
    assert!(bodies.contains("\"messageId\":\"m2-dropped\""), "{bodies}");
    assert!(bodies.contains("\"rejected\":1"), "{bodies}");
    // Reported once.
    track(&mut t, "m3");
    assert!(!drain(&mut t).concat().contains("Trailmark Events Dropped"));
}

#[test]
fn a_full_queue_keeps_taking_events_and_reports_once_there_is_room() {
    // No collector reachable: events pile up past the 1 000-event cap.
    let mut t = tracker("");
    for n in 0..1_200 {
        t.track("Thing Viewed", Map::new(), &page(), format!("m{n}"), NOW);
    }
    assert_eq!(t.queued(), 1_000, "capped, oldest evicted");
    // Once deliveries free room, the next event is followed by one report of every loss.
    let mut bodies = String::new();
    while let Some(req) = t.poll(NOW + 10_000) {
        t.complete(req.id, Outcome::Delivered, NOW + 10_000, 0.0);
        bodies.push_str(&req.body);
    }
    track(&mut t, "after");
    let sent = drain(&mut t).concat();
    assert_eq!(
        sent.matches("Trailmark Events Dropped").count(),
        1,
        "{sent}"
    );
    assert!(sent.contains("\"queueFull\":200"), "{sent}");
    assert!(!bodies.contains("Trailmark Events Dropped"));
}
