//! The tracker under consent: buffers, releases, discards, decisions and the stored record.

use super::tests_support::*;
use super::*;
use crate::consent::{State, Update};
use crate::outbox::Outcome;

#[test]
fn without_a_consent_section_events_are_sent_as_before() {
    let mut t = tracker("");
    assert_eq!(t.consent().analytics(), State::Granted);
    track(&mut t, "m1");
    assert_eq!((t.queued(), t.held()), (1, 0));
    assert_eq!(drain(&mut t).len(), 1);
    assert_eq!(t.decide(&page(), NOW).len(), 1);
}

#[test]
fn pending_analytics_holds_events_in_memory_not_in_the_outbox() {
    let mut t = tracker(REQUIRED);
    assert!(t.effects().hold_in_memory && !t.effects().persist_queue);
    for id in ["m1", "m2", "m3"] {
        track(&mut t, id);
    }
    assert_eq!((t.held(), t.queued()), (3, 0));
    assert_eq!(t.poll(NOW + 60_000), None);
    assert_eq!(t.next_wake(), None);
    assert!(
        t.unload(60 * 1024, NOW).is_empty(),
        "nothing leaves on unload"
    );
    assert_eq!(t.held(), 3);
}

#[test]
fn a_grant_after_pending_releases_held_events_in_order() {
    let mut t = tracker(REQUIRED);
    for id in ["m1", "m2", "m3"] {
        track(&mut t, id);
    }
    t.set_consent(analytics(true), NOW + 1);
    assert_eq!((t.held(), t.queued()), (0, 3));
    let bodies = drain(&mut t);
    let all = bodies.concat();
    let at = order_of(&all, &["m1", "m2", "m3"]);
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{all}");
    // Later events go straight to the outbox.
    track(&mut t, "m4");
    assert_eq!((t.held(), t.queued()), (0, 1));
}

#[test]
fn a_denial_after_pending_discards_the_held_events() {
    let mut t = tracker(REQUIRED);
    track(&mut t, "m1");
    track(&mut t, "m2");
    t.set_consent(analytics(false), NOW + 1);
    assert_eq!((t.held(), t.queued(), t.discarded()), (0, 0, 2));
    track(&mut t, "m3");
    assert_eq!((t.held(), t.queued(), t.discarded()), (0, 0, 3));
    assert_eq!(t.poll(NOW + 60_000), None);
    // Granting later sends only what is recorded from then on.
    t.set_consent(analytics(true), NOW + 2);
    assert!(drain(&mut t).is_empty());
    track(&mut t, "m4");
    let all = drain(&mut t).concat();
    assert!(all.contains("\"m4\"") && !all.contains("\"m1\""));
    // m1, m2 were recorded (seq 1, 2) before the denial; m3, recorded while denied, took none.
    assert!(all.contains("\"seq\":3"), "{all}");
}

#[test]
fn a_denial_after_granting_drops_what_is_queued_and_in_flight() {
    let mut t = tracker("");
    track(&mut t, "m1");
    let req = t.poll(NOW).expect("due: flushAt 1");
    track(&mut t, "m2");
    t.set_consent(analytics(false), NOW + 1);
    assert_eq!((t.queued(), t.discarded()), (0, 2));
    // A late completion of the old request touches nothing.
    t.complete(req.id, Outcome::Delivered, NOW + 2, 0.0);
    assert_eq!(t.queued(), 0);
    assert_eq!(t.poll(NOW + 60_000), None);
    assert!(t.unload(60 * 1024, NOW).is_empty());
}

#[test]
fn gpc_means_local_only_mode() {
    for signals in [
        Signals {
            gpc: true,
            dnt: false,
        },
        Signals {
            gpc: false,
            dnt: true,
        },
    ] {
        let mut t = tracker("");
        t.set_signals(signals);
        assert!(t.effects().local_only);
        track(&mut t, "m1");
        assert_eq!((t.held(), t.queued(), t.discarded()), (0, 0, 1));
        assert_eq!(t.poll(NOW + 60_000), None);
        assert_eq!(
            t.decide(&page(), NOW).len(),
            1,
            "rules still run on the device"
        );
        assert_eq!(t.take_consent_to_store(), None, "a signal is not a choice");
    }
}

#[test]
fn gpc_is_ignored_when_the_config_says_so() {
    let mut t = tracker(r#""consent":{"honorGlobalPrivacyControl":false},"#);
    t.set_signals(Signals {
        gpc: true,
        dnt: true,
    });
    track(&mut t, "m1");
    assert_eq!(drain(&mut t).len(), 1);
}

#[test]
fn an_explicit_grant_overrides_gpc() {
    let mut t = tracker("");
    t.set_signals(Signals {
        gpc: true,
        dnt: false,
    });
    t.set_consent(analytics(true), NOW);
    track(&mut t, "m1");
    assert_eq!(drain(&mut t).len(), 1);
    let stored = t.take_consent_to_store().expect("stored");
    assert!(stored.contains(r#""signal":true"#), "{stored}");
}

#[test]
fn personalization_denied_means_default_content_and_erasure() {
    let mut t = tracker("");
    assert!(!t.take_profile_erasure());
    t.set_consent(personalization(false), NOW);
    assert!(t.decide(&page(), NOW).is_empty());
    assert!(t.take_profile_erasure());
    assert!(!t.take_profile_erasure(), "once per denial");
    // Analytics is untouched by a personalization-only update.
    track(&mut t, "m1");
    assert_eq!(t.queued(), 1);
    t.set_consent(personalization(true), NOW);
    assert_eq!(t.decide(&page(), NOW).len(), 1);
}

#[test]
fn personalization_pending_still_renders() {
    let t = tracker(REQUIRED);
    assert_eq!(t.consent().personalization(), State::Pending);
    assert_eq!(t.decide(&page(), NOW).len(), 1);
    assert!(!t.effects().store_profile);
}

#[test]
fn every_choice_is_stored_once_denials_included() {
    let mut t = tracker(REQUIRED);
    assert_eq!(t.take_consent_to_store(), None);
    t.set_consent(
        Update {
            analytics: Some(false),
            personalization: Some(false),
        },
        42,
    );
    assert_eq!(
        t.take_consent_to_store().as_deref(),
        Some(
            r#"{"v":1,"analytics":{"choice":"denied","at":42,"signal":false},"personalization":{"choice":"denied","at":42,"signal":false}}"#
        )
    );
    assert_eq!(t.take_consent_to_store(), None);
    t.set_consent(Update::default(), 43);
    assert_eq!(
        t.take_consent_to_store(),
        None,
        "an empty update changes nothing"
    );
}

#[test]
fn a_stored_choice_is_restored_at_start() {
    let mut first = tracker(REQUIRED);
    first.set_consent(
        Update {
            analytics: Some(true),
            personalization: Some(false),
        },
        42,
    );
    let text = first.take_consent_to_store().expect("stored");

    let mut t = tracker(REQUIRED);
    assert!(t.restore_consent(&Value::parse_json(&text).expect("json")));
    assert_eq!(
        (t.consent().analytics(), t.consent().personalization()),
        (State::Granted, State::Denied)
    );
    assert_eq!(t.take_consent_to_store(), None, "restoring writes nothing");
    assert!(t.take_profile_erasure(), "a stored denial erases leftovers");
    track(&mut t, "m1");
    assert_eq!(t.queued(), 1);
    assert!(t.decide(&page(), NOW).is_empty());
}

#[test]
fn a_hostile_stored_record_means_a_fresh_start() {
    let hostile = [
        "null",
        "\"granted\"",
        "[1,2]",
        r#"{"v":1,"analytics":{"choice":"granted","at":"soon","signal":false}}"#,
        r#"{"v":99,"analytics":{"choice":"granted","at":1,"signal":false}}"#,
        r#"{"v":1,"analytics":{}}"#,
    ];
    for text in hostile {
        let mut t = tracker(REQUIRED);
        t.set_consent(analytics(true), NOW);
        assert!(
            !t.restore_consent(&Value::parse_json(text).expect("json")),
            "{text}"
        );
        assert_eq!(t.consent().analytics(), State::Pending, "{text}");
        assert_eq!(t.consent().personalization(), State::Pending, "{text}");
    }
}

#[test]
fn a_config_that_drops_the_requirement_releases_held_events() {
    let mut t = tracker(REQUIRED);
    track(&mut t, "m1");
    track(&mut t, "m2");
    t.set_config(config(""));
    assert_eq!((t.held(), t.queued()), (0, 2));
    t.set_config(config(REQUIRED));
    track(&mut t, "m3");
    assert_eq!((t.held(), t.queued()), (1, 2));
}

#[test]
fn the_hold_buffer_is_capped_oldest_first() {
    let mut t = tracker(REQUIRED);
    for i in 0..MAX_HELD_EVENTS + 5 {
        track(&mut t, &format!("m{i}"));
    }
    assert_eq!(t.held(), MAX_HELD_EVENTS);
    assert_eq!(t.held_dropped(), 5);
    t.set_consent(analytics(true), NOW);
    let all = drain(&mut t).concat();
    assert!(!all.contains("\"m4\"") && all.contains("\"m5\""));
    // The next event tells the collector about the five the buffer let go of, once.
    track(&mut t, "next");
    let sent = drain(&mut t).concat();
    assert!(sent.contains("\"queueFull\":5"), "{sent}");
    track(&mut t, "later");
    assert!(!drain(&mut t).concat().contains("Trailmark Events Dropped"));
}
