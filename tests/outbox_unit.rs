//! The outbox's behaviours one at a time, with exact expectations: 413 splitting, urgent events
//! first, giving up after `give_up_ms`, drop reports, snapshots and hostile restores, and the
//! generation counter. The random sequences are in `outbox_properties.rs`.
#![cfg(not(target_arch = "wasm32"))]

use trailmark::config::WireFormat;
use trailmark::outbox::{DropReport, Frame, Outbox, Outcome, Policy, Request, RestoreError};
use trailmark::Value;

fn frame() -> Frame {
    Frame {
        format: WireFormat::Segment,
        write_key: None,
    }
}

fn ev(n: u32) -> String {
    format!(r#"{{"messageId":"m{n}"}}"#)
}

/// The messageIds of a request body, in order.
fn ids(body: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(body).expect("bodies are JSON");
    v["batch"]
        .as_array()
        .expect("a Segment batch")
        .iter()
        .map(|e| e["messageId"].as_str().unwrap().to_owned())
        .collect()
}

fn names(ns: &[u32]) -> Vec<String> {
    ns.iter().map(|n| format!("m{n}")).collect()
}

/// An outbox that sends as soon as anything is queued.
fn eager() -> Outbox {
    Outbox::new(Policy {
        flush_at: 1,
        ..Policy::default()
    })
}

fn poll(o: &mut Outbox, now: i64) -> Request {
    o.poll(now, &frame()).expect("a request is due")
}

#[test]
fn too_large_halves_the_next_request_until_one_event_then_drops_it() {
    let mut o = eager();
    for n in 1..=8 {
        o.push(ev(n), false, 0);
    }
    let r = poll(&mut o, 0);
    assert_eq!(ids(&r.body), names(&[1, 2, 3, 4, 5, 6, 7, 8]));
    o.complete(r.id, Outcome::TooLarge, 10, 0.5);
    // No backoff after a 413: the collector answered, the smaller request goes at once.
    assert_eq!(o.next_wake(), Some(10));
    let r = poll(&mut o, 10);
    assert_eq!(ids(&r.body), names(&[1, 2, 3, 4]));
    o.complete(r.id, Outcome::TooLarge, 20, 0.5);
    let r = poll(&mut o, 20);
    assert_eq!(ids(&r.body), names(&[1, 2]));
    o.complete(r.id, Outcome::TooLarge, 30, 0.5);
    let r = poll(&mut o, 30);
    assert_eq!(ids(&r.body), names(&[1]));
    o.complete(r.id, Outcome::TooLarge, 40, 0.5);
    // A single event the collector refuses as too large can never be delivered.
    assert_eq!(o.len(), 7);
    assert_eq!(o.rejected(), 1);
    assert_eq!(o.dropped(), 0);
    assert_eq!(
        o.take_drop_report(),
        Some(DropReport {
            dropped: 0,
            rejected: 1,
            expired: 0
        })
    );
    // The cap stays at one event until a success, then doubles back per success.
    let r = poll(&mut o, 40);
    assert_eq!(ids(&r.body), names(&[2]));
    o.complete(r.id, Outcome::Delivered, 50, 0.5);
    let r = poll(&mut o, 50);
    assert_eq!(ids(&r.body), names(&[3, 4]));
    o.complete(r.id, Outcome::Delivered, 60, 0.5);
    let r = poll(&mut o, 60);
    assert_eq!(ids(&r.body), names(&[5, 6, 7, 8]));
    o.complete(r.id, Outcome::Delivered, 70, 0.5);
    assert!(o.is_empty());
    assert_eq!(o.rejected(), 1);
}

#[test]
fn too_large_of_an_odd_batch_rounds_down() {
    let mut o = eager();
    for n in 1..=5 {
        o.push(ev(n), false, 0);
    }
    let r = poll(&mut o, 0);
    o.complete(r.id, Outcome::TooLarge, 0, 0.0);
    assert_eq!(ids(&poll(&mut o, 0).body), names(&[1, 2]));
}

#[test]
fn other_4xx_drops_the_whole_batch_and_counts_it() {
    let mut o = eager();
    for n in 1..=3 {
        o.push(ev(n), false, 0);
    }
    let r = poll(&mut o, 0);
    o.complete(r.id, Outcome::Rejected, 5, 0.0);
    assert!(o.is_empty());
    assert_eq!(o.bytes(), 0);
    assert_eq!(o.rejected(), 3);
    assert_eq!(o.take_drop_report().map(|r| r.rejected), Some(3));
    assert_eq!(o.take_drop_report(), None);
}

#[test]
fn urgent_events_go_first_in_normal_batches_stable_within_each_class() {
    let mut o = Outbox::new(Policy {
        flush_at: 100,
        ..Policy::default()
    });
    o.push(ev(1), false, 0);
    o.push(ev(2), true, 1);
    o.push(ev(3), false, 2);
    o.push(ev(4), true, 3);
    let r = poll(&mut o, 3);
    assert_eq!(ids(&r.body), names(&[2, 4, 1, 3]));
}

#[test]
fn an_urgent_event_pushed_during_a_flight_overtakes_older_waiting_ones() {
    let mut o = Outbox::new(Policy {
        max_batch_bytes: 100,
        flush_at: 1,
        ..Policy::default()
    });
    // Each event is 17 bytes; the framing is 49: two events per request.
    for n in 1..=4 {
        o.push(ev(n), false, 0);
    }
    let r = poll(&mut o, 0);
    assert_eq!(ids(&r.body), names(&[1, 2]));
    o.push(ev(5), true, 1);
    assert_eq!(o.poll(1, &frame()), None, "one request in flight at a time");
    o.complete(r.id, Outcome::Delivered, 2, 0.0);
    assert_eq!(ids(&poll(&mut o, 2).body), names(&[5, 3]));
}

#[test]
fn a_retried_batch_keeps_its_place_in_each_class() {
    let mut o = eager();
    o.push(ev(1), false, 0);
    o.push(ev(2), true, 0);
    let r = poll(&mut o, 0);
    assert_eq!(ids(&r.body), names(&[2, 1]));
    o.push(ev(3), true, 1);
    o.push(ev(4), false, 1);
    o.complete(r.id, Outcome::Retry { after_ms: None }, 10, 0.0);
    // Backoff 500 ms, jitter 0: half of it.
    assert_eq!(o.next_wake(), Some(260));
    assert_eq!(o.poll(259, &frame()), None);
    assert_eq!(ids(&poll(&mut o, 260).body), names(&[2, 3, 1, 4]));
}

#[test]
fn events_failing_for_longer_than_give_up_ms_expire_and_are_counted() {
    let mut o = Outbox::new(Policy {
        flush_at: 1,
        give_up_ms: 1000,
        backoff_base_ms: 100,
        backoff_cap_ms: 100,
        ..Policy::default()
    });
    o.push(ev(1), false, 0);
    let r = poll(&mut o, 0);
    o.complete(r.id, Outcome::Retry { after_ms: None }, 100, 0.0); // failing since 100
    o.push(ev(2), false, 500); // never failed yet
    let r = poll(&mut o, 1100);
    assert_eq!(
        ids(&r.body),
        names(&[1, 2]),
        "failing for exactly 1000 ms: kept"
    );
    o.complete(r.id, Outcome::Retry { after_ms: None }, 1101, 0.0); // m2 failing since 1101
                                                                    // m1 has now been failing for 1001 ms: expired as soon as the outcome is recorded.
    assert_eq!(o.len(), 1);
    assert_eq!(o.expired(), 1);
    let r = poll(&mut o, 2101);
    assert_eq!(ids(&r.body), names(&[2]));
    o.complete(r.id, Outcome::Retry { after_ms: None }, 2101, 0.0);
    assert_eq!(o.len(), 1);
    assert_eq!(o.poll(2102, &frame()), None, "m2 expired at the next poll");
    assert!(o.is_empty());
    assert_eq!(o.bytes(), 0);
    assert_eq!(
        o.take_drop_report(),
        Some(DropReport {
            dropped: 0,
            rejected: 0,
            expired: 2
        })
    );
    assert_eq!(o.expired(), 2, "lifetime counts are not reset by a report");
}

#[test]
fn waiting_without_a_failed_attempt_never_expires() {
    let mut o = Outbox::new(Policy {
        give_up_ms: 10,
        ..Policy::default()
    });
    o.push(ev(1), false, 0);
    // No collector for a week: nothing was attempted, so nothing has been failing.
    let r = poll(&mut o, 7 * 86_400_000);
    assert_eq!(ids(&r.body), names(&[1]));
    assert_eq!(o.expired(), 0);
}

#[test]
fn default_give_up_is_a_day() {
    assert_eq!(Policy::default().give_up_ms, 86_400_000);
}

#[test]
fn drop_report_counts_evictions_and_resets() {
    let mut o = Outbox::new(Policy {
        max_events: 2,
        flush_at: 100,
        ..Policy::default()
    });
    o.push(ev(1), true, 0);
    o.push(ev(2), false, 0);
    o.push(ev(3), false, 0); // evicts m2, the oldest non-urgent
    o.push(ev(4), true, 0); // evicts m3
    assert_eq!(o.dropped(), 2);
    assert_eq!(
        o.take_drop_report(),
        Some(DropReport {
            dropped: 2,
            rejected: 0,
            expired: 0
        })
    );
    assert_eq!(o.take_drop_report(), None);
    o.push(ev(5), true, 0); // all urgent: evicts the oldest, m1
    assert_eq!(o.take_drop_report().map(|r| r.dropped), Some(1));
    assert_eq!(ids(&poll(&mut o, 0).body), names(&[4, 5]));
}

#[test]
fn snapshot_writes_versioned_json_in_sending_order_with_flight_and_counts() {
    let mut o = eager();
    o.push(ev(1), false, 0);
    o.push(ev(2), true, 0);
    let r = poll(&mut o, 0);
    o.complete(r.id, Outcome::Retry { after_ms: None }, 7, 0.0);
    o.push(ev(3), false, 8);
    let r = poll(&mut o, 1000); // in flight while the snapshot is taken
    assert_eq!(r.events, 3);
    o.complete(999, Outcome::Rejected, 1000, 0.0); // not the request in flight: ignored
    assert_eq!(
        o.snapshot(),
        r#"{"v":1,"q":[[1,"{\"messageId\":\"m2\"}",7],[0,"{\"messageId\":\"m1\"}",7],[0,"{\"messageId\":\"m3\"}"]],"d":[0,0,0]}"#
    );
}

#[test]
fn restore_round_trips_and_merges_before_newer_events() {
    let mut old = Outbox::new(Policy {
        max_events: 3,
        flush_at: 100,
        ..Policy::default()
    });
    for n in 1..=4 {
        old.push(ev(n), n == 2, 0); // m1 evicted
    }
    let snap = Value::parse_json(&old.snapshot()).unwrap();

    let mut new = Outbox::new(Policy {
        flush_at: 100,
        ..Policy::default()
    });
    new.push(ev(10), true, 50);
    new.push(ev(11), false, 50);
    let g = new.generation();
    new.restore(&snap, 60).unwrap();
    assert!(new.generation() > g);
    assert_eq!(new.len(), 5);
    assert_eq!(
        new.bytes(),
        ev(2).len() + ev(3).len() + ev(4).len() + ev(10).len() + ev(11).len()
    );
    assert_eq!(ids(&poll(&mut new, 60).body), names(&[2, 10, 3, 4, 11]));
    // The eviction counted by the old page is reported by the new one.
    assert_eq!(
        new.take_drop_report(),
        Some(DropReport {
            dropped: 1,
            rejected: 0,
            expired: 0
        })
    );
}

#[test]
fn restored_events_flush_within_the_interval_from_restore_time() {
    let mut old = Outbox::new(Policy::default());
    old.push(ev(1), false, 0);
    let snap = Value::parse_json(&old.snapshot()).unwrap();
    let mut new = Outbox::new(Policy::default());
    new.restore(&snap, 5000).unwrap();
    assert_eq!(new.next_wake(), Some(7000));
    assert_eq!(new.poll(6999, &frame()), None);
    assert_eq!(ids(&poll(&mut new, 7000).body), names(&[1]));
}

#[test]
fn restore_keeps_the_failing_clock() {
    let mut old = Outbox::new(Policy {
        flush_at: 1,
        give_up_ms: 1000,
        ..Policy::default()
    });
    old.push(ev(1), false, 0);
    let r = poll(&mut old, 0);
    old.complete(r.id, Outcome::Retry { after_ms: None }, 100, 0.0);
    let snap = Value::parse_json(&old.snapshot()).unwrap();
    let mut new = Outbox::new(old.policy().clone());
    new.restore(&snap, 5000).unwrap();
    assert_eq!(new.poll(5000, &frame()), None);
    assert_eq!(new.expired(), 1);
}

#[test]
fn caps_hold_after_restore_evicting_oldest_non_urgent_first() {
    let mut old = Outbox::new(Policy {
        flush_at: 100,
        ..Policy::default()
    });
    for n in 1..=4 {
        old.push(ev(n), n == 1, 0);
    }
    let snap = Value::parse_json(&old.snapshot()).unwrap();
    let mut new = Outbox::new(Policy {
        max_events: 4,
        flush_at: 100,
        ..Policy::default()
    });
    new.push(ev(10), false, 0);
    new.push(ev(11), false, 0);
    new.restore(&snap, 0).unwrap();
    assert_eq!(new.len(), 4);
    assert_eq!(new.dropped(), 2);
    // m2 and m3 (restored, so the oldest non-urgent) went.
    assert_eq!(ids(&poll(&mut new, 0).body), names(&[1, 4, 10, 11]));
}

/// Every hostile snapshot leaves the queue exactly as it was and says why.
#[test]
fn hostile_snapshots_are_refused_with_a_clear_error_and_change_nothing() {
    let small = Policy {
        max_events: 3,
        max_bytes: 100,
        flush_at: 100,
        ..Policy::default()
    };
    let good_item = r#"[0,"{\"messageId\":\"m1\"}"]"#;
    let cases: Vec<(String, RestoreError)> = vec![
        ("null".into(), RestoreError::NotASnapshot),
        ("[]".into(), RestoreError::NotASnapshot),
        ("\"{}\"".into(), RestoreError::NotASnapshot),
        (r#"{"q":[]}"#.into(), RestoreError::NotASnapshot),
        (r#"{"v":"1","q":[]}"#.into(), RestoreError::NotASnapshot),
        (
            r#"{"v":2,"q":[],"d":[0,0,0]}"#.into(),
            RestoreError::Version(Some(2)),
        ),
        (
            r#"{"v":1.5,"q":[],"d":[0,0,0]}"#.into(),
            RestoreError::Version(None),
        ),
        (
            r#"{"v":1,"q":{},"d":[0,0,0]}"#.into(),
            malformed("/q", "an array"),
        ),
        (
            r#"{"v":1,"q":[[0]],"d":[0,0,0]}"#.into(),
            malformed("/q/0", "[urgent, event, failingSince?]"),
        ),
        (
            format!(r#"{{"v":1,"q":[{good_item},[2,"{{}}"]],"d":[0,0,0]}}"#),
            malformed("/q/1/0", "0 or 1"),
        ),
        (
            r#"{"v":1,"q":[[true,"{}"]],"d":[0,0,0]}"#.into(),
            malformed("/q/0/0", "0 or 1"),
        ),
        (
            r#"{"v":1,"q":[[0,"{}","yesterday"]],"d":[0,0,0]}"#.into(),
            malformed("/q/0/2", "a time in milliseconds"),
        ),
        (
            r#"{"v":1,"q":[[0,"{}",1.5]],"d":[0,0,0]}"#.into(),
            malformed("/q/0/2", "a time in milliseconds"),
        ),
        (
            r#"{"v":1,"q":[[0,"{}",1,2]],"d":[0,0,0]}"#.into(),
            malformed("/q/0", "[urgent, event, failingSince?]"),
        ),
        (
            r#"{"v":1,"q":[]}"#.into(),
            malformed("/d", "[dropped, rejected, expired]"),
        ),
        (
            r#"{"v":1,"q":[],"d":[0,-1,0]}"#.into(),
            malformed("/d/1", "a count"),
        ),
        (
            r#"{"v":1,"q":[],"d":[0,0,1e300]}"#.into(),
            malformed("/d/2", "a count"),
        ),
        (
            r#"{"v":1,"q":[[0,"{}"],[0,"{}"],[0,"{}"],[0,"{}"]],"d":[0,0,0]}"#.into(),
            RestoreError::TooLarge {
                events: 4,
                bytes: 0,
            },
        ),
        (
            format!(
                r#"{{"v":1,"q":[[0,"{{}}"],[0,"{{\"p\":\"{}\"}}"]],"d":[0,0,0]}}"#,
                "x".repeat(100)
            ),
            RestoreError::TooLarge {
                events: 2,
                bytes: 110,
            },
        ),
    ];
    for (text, expected) in cases {
        let mut o = Outbox::new(small.clone());
        o.push(ev(7), false, 0);
        let before = (o.snapshot(), o.generation(), o.len(), o.bytes());
        let value = Value::parse_json(&text).unwrap();
        let err = o.restore(&value, 0).expect_err(&text);
        assert_eq!(err, expected, "{text}");
        assert!(err.message().starts_with("stored outbox ignored: "));
        assert_eq!(err.to_string(), err.message());
        assert_eq!(
            (o.snapshot(), o.generation(), o.len(), o.bytes()),
            before,
            "{text}"
        );
    }
}

fn malformed(at: &str, expected: &'static str) -> RestoreError {
    RestoreError::Malformed {
        at: at.into(),
        expected,
    }
}

#[test]
fn restore_error_messages_read_well() {
    assert_eq!(
        RestoreError::Version(Some(7)).message(),
        "stored outbox ignored: unsupported version 7; this build reads 1"
    );
    assert_eq!(
        malformed("/q/3/1", "0 or 1").message(),
        "stored outbox ignored: at /q/3/1: expected 0 or 1"
    );
    assert_eq!(
        RestoreError::TooLarge {
            events: 2,
            bytes: 110
        }
        .message(),
        "stored outbox ignored: larger than the queue caps (2 events, 110 bytes)"
    );
}

#[test]
fn restore_of_an_empty_snapshot_adds_only_counts() {
    let mut o = Outbox::new(Policy::default());
    let v = Value::parse_json(r#"{"v":1,"q":[],"d":[1,2,3]}"#).unwrap();
    o.restore(&v, 0).unwrap();
    assert!(o.is_empty());
    assert_eq!(
        o.take_drop_report(),
        Some(DropReport {
            dropped: 1,
            rejected: 2,
            expired: 3
        })
    );
    // Restored counts belong to the report, not to this page's lifetime counters.
    assert_eq!((o.dropped(), o.rejected(), o.expired()), (0, 0, 0));
}

#[test]
fn generation_changes_exactly_when_the_snapshot_does() {
    let mut o = eager();
    let g0 = o.generation();
    o.push(ev(1), false, 0);
    let g1 = o.generation();
    assert!(g1 > g0);
    // Handing out a request changes nothing persisted: in-flight events are in the snapshot.
    let s1 = o.snapshot();
    let r = poll(&mut o, 0);
    assert_eq!((o.generation(), o.snapshot()), (g1, s1.clone()));
    assert_eq!(o.next_wake(), None);
    // A retry stamps the failing clock, which is persisted.
    o.complete(r.id, Outcome::Retry { after_ms: None }, 5, 0.0);
    let g2 = o.generation();
    assert!(g2 > g1);
    assert_ne!(o.snapshot(), s1);
    // A second failure does not move the clock: nothing to write.
    let r = poll(&mut o, 1000);
    o.complete(r.id, Outcome::Retry { after_ms: None }, 1000, 0.0);
    assert_eq!(o.generation(), g2);
    // No request due, no stale completion, no report: no change.
    assert_eq!(o.poll(1001, &frame()), None);
    o.complete(12345, Outcome::Delivered, 1001, 0.0);
    assert_eq!(o.take_drop_report(), None);
    assert_eq!(o.generation(), g2);
    let r = poll(&mut o, 10_000);
    o.complete(r.id, Outcome::Delivered, 10_000, 0.0);
    assert!(o.generation() > g2);
    assert_eq!(o.snapshot(), r#"{"v":1,"q":[],"d":[0,0,0]}"#);
}

#[test]
fn unload_drains_urgent_first_including_the_flight_and_ignores_its_late_outcome() {
    let mut o = eager();
    o.push(ev(1), false, 0);
    let r = poll(&mut o, 0);
    o.push(ev(2), true, 1);
    let bodies = o.drain_for_unload(60 * 1024, 60 * 1024, &frame(), 2);
    assert_eq!(bodies.len(), 1);
    assert_eq!(ids(&bodies[0]), names(&[2, 1]));
    assert!(o.is_empty());
    let g = o.generation();
    o.complete(r.id, Outcome::Rejected, 3, 0.0);
    assert_eq!((o.generation(), o.rejected()), (g, 0));
}

#[test]
fn bodies_respect_max_batch_bytes_exactly_with_a_write_key() {
    let key = "k\u{1}".repeat(20); // control chars escape to six bytes each
    let f = Frame {
        format: WireFormat::Segment,
        write_key: Some(key),
    };
    for limit in 150..400 {
        let mut o = Outbox::new(Policy {
            max_batch_bytes: limit,
            flush_at: 1,
            ..Policy::default()
        });
        for n in 1..=30 {
            o.push(ev(n), false, 0);
        }
        let r = o.poll(0, &f).unwrap();
        assert!(r.body.len() <= limit || r.events == 1, "{limit}");
        serde_json::from_str::<serde_json::Value>(&r.body).unwrap();
    }
}

#[test]
fn array_format_is_a_plain_array() {
    let f = Frame {
        format: WireFormat::Array,
        write_key: Some("ignored".into()),
    };
    let mut o = eager();
    o.push(ev(1), true, 0);
    o.push(ev(2), false, 0);
    assert_eq!(
        o.poll(0, &f).unwrap().body,
        r#"[{"messageId":"m1"},{"messageId":"m2"}]"#
    );
}

#[test]
fn smaller_caps_from_set_policy_apply_at_once() {
    let mut o = Outbox::new(Policy {
        flush_at: 100,
        ..Policy::default()
    });
    for n in 1..=5 {
        o.push(ev(n), false, 0);
    }
    let g = o.generation();
    o.set_policy(Policy {
        max_events: 2,
        flush_at: 100,
        ..Policy::default()
    });
    assert_eq!((o.len(), o.dropped()), (2, 3));
    assert!(o.generation() > g);
}

#[test]
fn beacons_take_the_queue_while_deliveries_succeed() {
    let mut o = eager();
    o.push(ev(1), false, 0);
    let r = poll(&mut o, 0);
    o.complete(r.id, Outcome::Delivered, 5, 0.5);
    o.push(ev(2), false, 6);
    o.push(ev(3), true, 7);
    assert!(!o.in_doubt());
    let bodies = o.beacon_bodies(60 * 1024, 60 * 1024, &frame(), 8, false);
    assert_eq!(bodies.len(), 1);
    assert_eq!(ids(&bodies[0].0), names(&[3, 2]), "urgent first");
    assert_eq!(bodies[0].1, 2);
    assert_eq!(o.len(), 2, "nothing leaves before the browser said yes");
    o.beacons_sent(2, false);
    assert!(o.is_empty(), "handed to the browser: no longer queued");
}

#[test]
fn beacons_leave_the_queue_alone_while_deliveries_fail() {
    let mut o = eager();
    o.push(ev(1), false, 0);
    o.push(ev(2), false, 0);
    let r = poll(&mut o, 0);
    o.complete(r.id, Outcome::Retry { after_ms: None }, 5, 0.5);
    assert!(o.in_doubt());
    let generation = o.generation();
    let bodies = o.beacon_bodies(60 * 1024, 60 * 1024, &frame(), 6, false);
    assert_eq!(ids(&bodies[0].0), names(&[1, 2]), "still tried");
    o.beacons_sent(2, false);
    assert_eq!(o.len(), 2, "kept for fetch and for the stored queue");
    assert_eq!(o.generation(), generation, "nothing to store anew");
    assert!(
        o.beacon_bodies(60 * 1024, 60 * 1024, &frame(), 7, false)
            .is_empty(),
        "a second hide without news sends nothing again"
    );
    // The next fetch carries them again; the collector dedupes on messageId.
    let later = o.next_wake().expect("a retry is scheduled");
    assert_eq!(ids(&poll(&mut o, later).body), names(&[1, 2]));
}

#[test]
fn after_a_413_the_cap_never_grows_back_to_a_refused_count() {
    // 33 events of ~1.9 KB against a collector that takes at most 16 KiB per body.
    let mut o = Outbox::new(Policy::default());
    let big = "x".repeat(1900);
    for n in 1..=33 {
        o.push(format!(r#"{{"messageId":"m{n}","p":"{big}"}}"#), false, 0);
    }
    let mut sizes = Vec::new();
    let mut delivered = 0;
    while let Some(r) = o.poll(3000, &frame()) {
        let fits = r.body.len() <= 16 * 1024;
        sizes.push((r.events, fits));
        delivered += if fits { r.events } else { 0 };
        let outcome = if fits {
            Outcome::Delivered
        } else {
            Outcome::TooLarge
        };
        o.complete(r.id, outcome, 3000, 0.5);
    }
    assert_eq!(
        sizes,
        [
            (33, false),
            (16, false),
            (8, true),
            (8, true),
            (8, true),
            (8, true),
            (1, true)
        ]
    );
    assert_eq!(delivered, 33);
    assert!(o.is_empty());
}

#[test]
fn a_refused_beacon_leaves_its_events_queued() {
    let mut o = Outbox::new(Policy {
        max_batch_bytes: 1024,
        ..Policy::default()
    });
    for n in 1..=100 {
        o.push(ev(n), false, 0);
    }
    // Bodies follow max_batch_bytes, not only the 60 KB beacon chunk.
    let bodies = o.beacon_bodies(60 * 1024, 60 * 1024, &frame(), 1, false);
    assert!(bodies.len() > 1, "{} bodies", bodies.len());
    assert!(bodies.iter().all(|(b, _)| b.len() <= 1024));
    assert_eq!(bodies.iter().map(|(_, n)| n).sum::<usize>(), 100);
    // The browser took the first body and refused the second: only the first's events go.
    o.beacons_sent(bodies[0].1, false);
    assert_eq!(o.len(), 100 - bodies[0].1);
    let next = poll(&mut o, 5_000);
    assert_eq!(ids(&next.body)[0], format!("m{}", bodies[0].1 + 1));
}

#[test]
fn beacons_that_cannot_be_trusted_leave_the_queue_alone() {
    let mut o = eager();
    o.push(ev(1), true, 0);
    let bodies = o.beacon_bodies(60 * 1024, 60 * 1024, &frame(), 1, true);
    assert_eq!(bodies.len(), 1);
    o.beacons_sent(1, true);
    assert_eq!(
        o.len(),
        1,
        "kept for fetch (a collector that needs headers)"
    );
    assert!(o
        .beacon_bodies(60 * 1024, 60 * 1024, &frame(), 2, true)
        .is_empty());
}

/// A snapshot of `events` (each one item's event string, or any JSON value in its place).
fn snapshot_of(events: &[serde_json::Value]) -> Value {
    let q: Vec<serde_json::Value> = events.iter().map(|e| serde_json::json!([0, e])).collect();
    let text = serde_json::json!({ "v": 1, "q": q, "d": [0, 0, 0] }).to_string();
    Value::parse_json(&text).unwrap()
}

/// Issue 11, finding 4: a stored event is spliced into request bodies as it is, so a planted
/// entry that closes the batch and opens a second `"batch"` would replace the real events with
/// forged ones. Each entry must be exactly one JSON object; others are dropped and counted.
#[test]
fn a_planted_entry_cannot_add_a_second_batch_to_the_body() {
    let forged = r#"{"messageId":"m1"}],"batch":[{"messageId":"forged"}"#;
    let mut o = eager();
    o.restore(&snapshot_of(&[forged.into(), ev(2).into()]), 0)
        .unwrap();
    o.push(ev(3), false, 0);
    let body = poll(&mut o, 0).body;
    assert!(!body.contains("forged"), "{body}");
    // The body is one batch with the real events only (serde_json keeps the last duplicate key,
    // as the collector would).
    assert_eq!(ids(&body), names(&[2, 3]));
    assert_eq!(body.matches("\"batch\"").count(), 1);
    assert_eq!(o.rejected(), 1);
    assert_eq!(
        o.take_drop_report(),
        Some(DropReport {
            dropped: 0,
            rejected: 1,
            expired: 0
        })
    );
}

#[test]
fn only_entries_that_are_exactly_one_json_object_are_restored() {
    let kept = [
        r#"{}"#,
        r#" {"a" : [1, -0.5e+3, 2E-2, 0, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00"]} "#,
        "{\"nested\":{\"a\":[[],{},[{}]]},\"k\":\"\u{e9}\u{1F600}\"}",
        "\t\r\n{}\n",
    ];
    let deep_ok = format!("{}{}", "{\"a\":".repeat(63) + "{}", "}".repeat(63));
    let deep_bad = format!("{}{}", "{\"a\":".repeat(64) + "{}", "}".repeat(64));
    let refused = [
        "",
        " ",
        "[]",
        "\"{}\"",
        "1",
        "null",
        "{",
        "}",
        "{}}",
        "{}{}",
        "{},{}",
        "{} x",
        "{}]",
        r#"{"a":1}],"batch":[{"b":2}"#,
        r#"{"a":1},{"b":2}"#,
        r#"{"a"}"#,
        r#"{"a":}"#,
        r#"{"a":1,}"#,
        r#"{,"a":1}"#,
        r#"{"a":1 "b":2}"#,
        r#"{a:1}"#,
        r#"{'a':1}"#,
        r#"{"a":[1,]}"#,
        r#"{"a":[1}"#,
        r#"{"a":{]}"#,
        r#"{"a":"unclosed}"#,
        r#"{"a":"x\"}"#,
        r#"{"a":"\x"}"#,
        r#"{"a":"\u12"}"#,
        r#"{"a":"\u12g4"}"#,
        r#"{"a":"\uD800"}"#,
        r#"{"a":"\udc00"}"#,
        r#"{"a":"\uD800\u0041"}"#,
        r#"{"a":"\uD800x"}"#,
        r#"{"a":"\uDBFF\uDBFF"}"#,
        "{\"a\":\"tab\tinside\"}",
        "{\"a\":\"nul\u{0}\"}",
        r#"{"a":01}"#,
        r#"{"a":-}"#,
        r#"{"a":1.}"#,
        r#"{"a":.5}"#,
        r#"{"a":1e}"#,
        r#"{"a":+1}"#,
        r#"{"a":NaN}"#,
        r#"{"a":Infinity}"#,
        r#"{"a":tru}"#,
        r#"{"a":nul}"#,
        r#"{"a":truex}"#,
        r#"{"a":undefined}"#,
        "{}\u{0}",
        "\u{feff}{}",
        r#"{"a":1}/*comment*/"#,
    ];
    let mut events: Vec<serde_json::Value> = Vec::new();
    for s in kept.iter().copied().chain([deep_ok.as_str()]) {
        assert!(serde_json::from_str::<serde_json::Value>(s).is_ok(), "{s}");
        events.push(s.into());
    }
    for s in refused.iter().copied().chain([deep_bad.as_str()]) {
        events.push(s.into());
    }
    // Not a string at all: an object, a number, null.
    events.push(serde_json::json!({"messageId": "m1"}));
    events.push(serde_json::json!(1));
    events.push(serde_json::Value::Null);
    let policy = Policy {
        flush_at: 1000,
        ..Policy::default()
    };
    let mut o = Outbox::new(policy);
    o.restore(&snapshot_of(&events), 0).unwrap();
    assert_eq!(o.len(), kept.len() + 1);
    assert_eq!(o.rejected(), (refused.len() + 1 + 3) as u64);
    let snap = o.snapshot();
    let back: serde_json::Value = serde_json::from_str(&snap).unwrap();
    let restored: Vec<&str> = back["q"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item[1].as_str().unwrap())
        .collect();
    let mut expected: Vec<&str> = kept.to_vec();
    expected.push(&deep_ok);
    assert_eq!(restored, expected);
}
