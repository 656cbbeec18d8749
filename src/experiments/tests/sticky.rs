//! Sticky assignments: weight changes move nobody exposed, restarts, the key across consent
//! states, the bounded record, its strict reading and the cross-tab merge.

use super::*;
use crate::rules::bucket::fnv1a32;

fn split(weights: (f64, f64)) -> Experiment {
    experiment(&format!(
        r#"{{"id": "r", "variants": [{{"id": "control", "weight": {}}},
            {{"id": "offer", "show": "b0", "weight": {}}}],
            "experiment": {{"key": "exit-offer"}}}}"#,
        weights.0, weights.1
    ))
}

fn stored(store: &mut Assignments) -> Value {
    Value::parse_json(&store.take_record()).expect("the record is JSON")
}

/// The visitor's variant id on a later page: the store read back from its record.
fn later(e: &Experiment, record: &Value) -> Option<String> {
    let store = Assignments::from_stored(record).expect("a readable record");
    e.assign(None, &store)
        .map(|a| e.variants[a.variant].id.clone())
}

#[test]
fn changing_weights_moves_nobody_who_was_exposed() {
    let even = split((0.5, 0.5));
    let skewed = split((0.1, 0.9));
    let (mut exposed_control, mut stayed, mut unexposed_moved, mut unexposed_control) =
        (0, 0, 0, 0);
    for (i, id) in ids(4000).iter().enumerate() {
        let mut store = Assignments::with_key(id);
        let first = even.assign(None, &store).expect("full coverage");
        let was = even.variants[first.variant].id.clone();
        let exposed = i % 2 == 0;
        if exposed {
            store.remember(&even, &first, T0);
        }
        let record = stored(&mut store);
        let now = later(&skewed, &record).expect("full coverage");
        let by_hash = &skewed.variants[skewed
            .assign(None, &Assignments::with_key(id))
            .expect("full coverage")
            .variant]
            .id;
        if exposed {
            // Exposed: the variant they saw, whatever the new weights say.
            assert_eq!(now, was, "{id}");
            stayed += 1;
            exposed_control += usize::from(was == "control");
        } else {
            // Never exposed: the new weights apply.
            assert_eq!(now, *by_hash, "{id}");
            unexposed_moved += usize::from(now != was);
            unexposed_control += usize::from(now == "control");
        }
    }
    assert_eq!(stayed, 2000);
    // Half of the exposed saw the control; of the unexposed, about 10 % are control now, so
    // about 40 % moved (from control to offer).
    assert!((900..1100).contains(&exposed_control), "{exposed_control}");
    assert!(
        (150..250).contains(&unexposed_control),
        "{unexposed_control}"
    );
    assert!((700..900).contains(&unexposed_moved), "{unexposed_moved}");
}

#[test]
fn a_new_seed_or_key_restarts_the_experiment() {
    let e = split((0.5, 0.5));
    let reseeded = experiment(
        r#"{"id": "r", "variants": [{"id": "control"}, {"id": "offer", "show": "b0"}],
            "experiment": {"key": "exit-offer", "seed": "exit-offer-2"}}"#,
    );
    let renamed = experiment(
        r#"{"id": "r", "variants": [{"id": "control"}, {"id": "offer", "show": "b0"}],
            "experiment": {"key": "exit-offer-2"}}"#,
    );
    for id in ids(200) {
        let mut store = Assignments::with_key(&id);
        // Stuck to the variant the hash does not give, so a restart is visible.
        let a = e.assign(None, &store).expect("assigned");
        let forced = Assignment {
            variant: 1 - a.variant,
            ..a
        };
        store.remember(&e, &forced, T0);
        assert_eq!(
            e.assign(None, &store).map(|a| a.variant),
            Some(1 - a.variant)
        );
        for restarted in [&reseeded, &renamed] {
            let fresh = restarted.assign(None, &store).expect("assigned");
            let by_hash = restarted
                .assign(None, &Assignments::with_key(&id))
                .expect("assigned");
            assert!(!fresh.sticky);
            assert_eq!(fresh.variant, by_hash.variant);
        }
    }
}

#[test]
fn the_key_is_the_anonymous_id_while_analytics_is_granted_and_stays_otherwise() {
    let mut store = Assignments::default();
    // Local-only mode (GPC): the page's unsent anonymous id becomes the key.
    store.sync_key("page-1-random", false, T0);
    assert_eq!(store.key(), "page-1-random");
    assert!(store.is_dirty());
    let record = stored(&mut store);
    // The next page has another random anonymous id: the stored key stays.
    let mut next = Assignments::from_stored(&record).expect("readable");
    next.sync_key("page-2-random", false, T0 + HOUR);
    assert_eq!(next.key(), "page-1-random");
    assert!(!next.is_dirty());
    // Analytics granted: the key becomes the stored (sent) anonymous id.
    next.sync_key("aid-stored", true, T0 + 2 * HOUR);
    assert_eq!(next.key(), "aid-stored");
    assert!(next.is_dirty());
    // Analytics denied later: the key does not change.
    next.sync_key("page-3-random", false, T0 + 3 * HOUR);
    assert_eq!(next.key(), "aid-stored");
    // Too long to be an id: ignored.
    let mut fresh = Assignments::default();
    fresh.sync_key(&"x".repeat(MAX_KEY_BYTES + 1), true, T0);
    assert_eq!(fresh.key(), "");
}

#[test]
fn exposure_stays_sticky_when_the_key_changes_with_consent() {
    let e = split((0.5, 0.5));
    let mut moved = 0;
    for id in ids(300) {
        let mut store = Assignments::default();
        store.sync_key(&id, false, T0);
        let a = e.assign(None, &store).expect("assigned");
        store.remember(&e, &a, T0);
        let mut later = Assignments::from_stored(&stored(&mut store)).expect("readable");
        let aid = format!("{id}-granted");
        later.sync_key(&aid, true, T0 + HOUR);
        assert_eq!(e.assign(None, &later).map(|b| b.variant), Some(a.variant));
        let by_new_key = e
            .assign(None, &Assignments::with_key(&aid))
            .expect("assigned");
        moved += usize::from(by_new_key.variant != a.variant);
    }
    // The new key alone would have moved about half of them.
    assert!((100..200).contains(&moved), "{moved}");
}

#[test]
fn the_store_is_bounded_and_forgets_the_least_recently_exposed() {
    let mut store = Assignments::with_key("v");
    let experiments: Vec<Experiment> = (0..MAX_ASSIGNMENTS + 5)
        .map(|i| {
            experiment(&format!(
                r#"{{"id": "rule-{i}", "variants": [{{"id": "a"}}, {{"id": "b"}}]}}"#
            ))
        })
        .collect();
    for (i, e) in experiments.iter().enumerate() {
        let a = e.assign(None, &store).expect("assigned");
        store.remember(e, &a, T0 + (i as Millis) * HOUR);
        // Experiment 0 is seen again every time: it is never the least recent.
        let first = &experiments[0];
        let a0 = first.assign(None, &store).expect("assigned");
        store.remember(first, &a0, T0 + (i as Millis) * HOUR);
    }
    assert_eq!(store.len(), MAX_ASSIGNMENTS);
    let kept = |i: usize| {
        experiments[i]
            .assign(None, &store)
            .expect("assigned")
            .sticky
    };
    assert!(kept(0));
    // 1..=5 were exposed least recently and are gone; 6.. are kept.
    assert_eq!((1..=5).filter(|&i| kept(i)).count(), 0);
    assert!((6..experiments.len()).all(kept));
    let record = stored(&mut store);
    assert_eq!(
        Assignments::from_stored(&record).expect("readable").len(),
        MAX_ASSIGNMENTS
    );
}

#[test]
fn a_repeated_exposure_refreshes_the_entry_at_most_hourly() {
    let e = split((0.5, 0.5));
    let mut store = Assignments::with_key("v");
    let a = e.assign(None, &store).expect("assigned");
    store.remember(&e, &a, T0);
    let _ = store.take_record();
    store.remember(&e, &a, T0 + HOUR - 1);
    assert!(!store.is_dirty());
    store.remember(&e, &a, T0 + HOUR);
    assert!(store.is_dirty());
    assert_eq!(store.entries[0].last, T0 + HOUR);
}

#[test]
fn the_record_round_trips_exactly() {
    let e = split((0.5, 0.5));
    let by_user = experiment(
        r#"{"id": "u", "variants": [{"id": "b"}, {"id": "ü-😀"}],
            "experiment": {"hashAttribute": "userId"}}"#,
    );
    let mut store = Assignments::default();
    store.sync_key("key-1", false, T0);
    let a = e.assign(None, &store).expect("assigned");
    store.remember(&e, &a, T0);
    let u = by_user.assign(Some("user-é"), &store).expect("assigned");
    store.remember(&by_user, &u, T0 + 5);
    let text = store.take_record();
    let back = Assignments::from_stored(&Value::parse_json(&text).expect("JSON")).expect("ok");
    assert_eq!(back, store);
    assert_eq!(
        text,
        format!(
            r#"{{"v":1,"key":"key-1","keyAt":1765090000000,"a":[["exit-offer",{},"{}",1765090000000],["u",{},"{}",1765090000005]]}}"#,
            fnv1a32("exit-offer"),
            e.variants[a.variant].id,
            fnv1a32("u"),
            by_user.variants[u.variant].id,
        )
    );
}

#[test]
fn a_record_that_is_not_exactly_a_record_is_refused_whole() {
    let good = r#"{"v":1,"key":"k","keyAt":5,"a":[["e",1,"a",2],["e",7,"b",2]]}"#;
    assert!(Assignments::from_stored(&Value::parse_json(good).expect("JSON")).is_some());
    let long = "x".repeat(MAX_ID_BYTES + 1);
    let bad = [
        r#"{"v":2,"key":"k","keyAt":5,"a":[]}"#.to_owned(),
        r#"{"key":"k","keyAt":5,"a":[]}"#.to_owned(),
        r#"{"v":1,"key":7,"keyAt":5,"a":[]}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":-5,"a":[]}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":5.5,"a":[]}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":5,"a":{}}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":5,"a":[["e",1,"a"]]}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":5,"a":[["e",1,"a",2,3]]}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":5,"a":[["",1,"a",2]]}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":5,"a":[["e",1,"",2]]}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":5,"a":[["e",-1,"a",2]]}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":5,"a":[["e",1.5,"a",2]]}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":5,"a":[["e",4294967296,"a",2]]}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":5,"a":[["e",1,7,2]]}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":5,"a":[["e",1,"a",null]]}"#.to_owned(),
        r#"{"v":1,"key":"k","keyAt":5,"a":[["e",1,"a",2],["e",1,"b",2]]}"#.to_owned(),
        format!(r#"{{"v":1,"key":"k","keyAt":5,"a":[["{long}",1,"a",2]]}}"#),
        format!(r#"{{"v":1,"key":"{long}","keyAt":5,"a":[]}}"#),
        "[]".to_owned(),
        "null".to_owned(),
    ];
    for text in bad {
        let v = Value::parse_json(&text).expect("JSON");
        assert_eq!(Assignments::from_stored(&v), None, "{text}");
        let mut store = Assignments::with_key("mine");
        assert!(!store.merge(&v), "{text}");
        assert_eq!(store.key(), "mine");
    }
    // A record with more entries than the cap (written by another version) keeps the first.
    let many: Vec<String> = (0..MAX_ASSIGNMENTS + 10)
        .map(|i| format!(r#"["e{i}",1,"a",2]"#))
        .collect();
    let text = format!(r#"{{"v":1,"key":"k","keyAt":5,"a":[{}]}}"#, many.join(","));
    let store = Assignments::from_stored(&Value::parse_json(&text).expect("JSON")).expect("ok");
    assert_eq!(store.len(), MAX_ASSIGNMENTS);
    assert_eq!(store.entries[0].experiment, "e0");
}

/// Two tabs sharing one stored record, as localStorage holds it: each merges the record
/// before writing its own, and merges again when told the other wrote (a storage event).
struct Shared(Option<Value>);

impl Shared {
    /// `tab` writes: merges the stored record first; returns whether it wrote.
    fn write(&mut self, tab: &mut Assignments) -> bool {
        if let Some(record) = &self.0 {
            assert!(tab.merge(record));
        }
        if !tab.is_dirty() {
            return false;
        }
        self.0 = Some(stored(tab));
        true
    }
}

#[test]
fn tabs_converge_on_one_record() {
    let e = split((0.5, 0.5));
    let other = experiment(r#"{"id": "other", "variants": [{"id": "a"}, {"id": "b"}]}"#);
    let third = experiment(r#"{"id": "third", "variants": [{"id": "a"}, {"id": "b"}]}"#);
    for a_writes_first in [true, false] {
        // Both tabs start before either wrote: each has its own key, and each exposed the
        // visitor to another variant of exit-offer (a config change between their loads).
        let mut a = Assignments::default();
        a.sync_key("key-a", false, T0);
        let control = Assignment {
            variant: variant(&e, "control"),
            bucket: 0.1,
            sticky: false,
        };
        a.remember(&e, &control, T0 + 10);
        let oa = other.assign(None, &a).expect("assigned");
        a.remember(&other, &oa, T0 + 20);
        let mut b = Assignments::default();
        b.sync_key("key-b", false, T0 + 1);
        let offer = Assignment {
            variant: variant(&e, "offer"),
            ..control
        };
        b.remember(&e, &offer, T0 + 15 + 2 * HOUR);
        let tb = third.assign(None, &b).expect("assigned");
        b.remember(&third, &tb, T0 + 30);

        let mut shared = Shared(None);
        let (first, second) = if a_writes_first {
            (&mut a, &mut b)
        } else {
            (&mut b, &mut a)
        };
        assert!(shared.write(first));
        // The second merges the first's record before writing its own.
        assert!(shared.write(second));
        // The first hears of it and merges: it knows nothing more, so it does not write.
        assert!(!shared.write(first));
        let record = shared.0.clone().expect("written");
        for tab in [&a, &b] {
            // The key set most recently; every experiment; the first writer's variant of
            // exit-offer, with the later exposure time.
            assert_eq!(tab.key(), "key-b");
            assert_eq!(tab.len(), 3);
            let want = if a_writes_first { "control" } else { "offer" };
            let got = e.assign(None, tab).expect("sticky");
            assert_eq!((got.variant, got.sticky), (variant(&e, want), true));
            let entry = tab.entries.iter().find(|x| x.experiment == "exit-offer");
            assert_eq!(entry.map(|x| x.last), Some(T0 + 15 + 2 * HOUR));
            assert!(other.assign(None, tab).expect("sticky").sticky);
            assert!(third.assign(None, tab).expect("sticky").sticky);
            assert_eq!(
                Assignments::from_stored(&record).expect("readable").entries,
                tab.entries
            );
        }
    }
}

#[test]
fn merging_past_the_cap_forgets_the_same_entries_in_every_tab() {
    let experiments: Vec<Experiment> = (0..MAX_ASSIGNMENTS + 10)
        .map(|i| {
            experiment(&format!(
                r#"{{"id": "rule-{i}", "variants": [{{"id": "a"}}, {{"id": "b"}}]}}"#
            ))
        })
        .collect();
    let (mut a, mut b) = (Assignments::with_key("k"), Assignments::with_key("k"));
    for (i, e) in experiments.iter().enumerate() {
        let tab = if i % 2 == 0 { &mut a } else { &mut b };
        let x = e.assign(None, tab).expect("assigned");
        // Times chosen so that every tab's entries interleave, some tied.
        tab.remember(e, &x, T0 + (i as Millis / 3) * HOUR);
    }
    let (ra, rb) = (stored(&mut a.clone()), stored(&mut b.clone()));
    assert!(a.merge(&rb));
    assert!(b.merge(&ra));
    let names = |s: &Assignments| {
        let mut n: Vec<String> = s.entries.iter().map(|e| e.experiment.clone()).collect();
        n.sort();
        n
    };
    assert_eq!(a.len(), MAX_ASSIGNMENTS);
    assert_eq!(names(&a), names(&b));
    // The ten forgotten are the ten exposed earliest: rules 0 to 8 (before T0 + 3 h), then,
    // of the three tied at T0 + 3 h (9, 10, 11), the one whose seed (the key) has the
    // smallest fingerprint.
    let forgotten: Vec<String> = experiments
        .iter()
        .map(|e| e.key.clone())
        .filter(|k| !names(&a).contains(k))
        .collect();
    let tied = ["rule-9", "rule-10", "rule-11"];
    let first_of_tie = tied.iter().min_by_key(|k| fnv1a32(k)).expect("three");
    let mut expected: Vec<String> = (0..=8).map(|i| format!("rule-{i}")).collect();
    expected.push((*first_of_tie).into());
    expected.sort();
    let mut forgotten = forgotten;
    forgotten.sort();
    assert_eq!(forgotten, expected);
}
