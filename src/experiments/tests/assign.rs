//! Assignment: which id is hashed, namespaces, coverage, and sticky assignments winning.

use super::*;
use crate::rules::bucket::{hash, in_namespace};

const AB: &str = r#"{"id": "r", "variants": [{"id": "a"}, {"id": "b", "show": "b1"}],
    "experiment": {"key": "my-test", "hashVersion": 1}}"#;

#[test]
fn growthbook_reference_assignments() {
    // The conformance suite's "default weights - 1..9" (`run` cases): key my-test, v1.
    let e = experiment(AB);
    let got: Vec<usize> = (1..=9)
        .map(|i| {
            e.assign(None, &Assignments::with_key(&i.to_string()))
                .expect("in the experiment")
                .variant
        })
        .collect();
    assert_eq!(got, vec![1, 0, 0, 1, 1, 1, 0, 1, 0]);
}

#[test]
fn the_variant_is_the_range_holding_the_hash() {
    let e = experiment(
        r#"{"id": "r", "variants": [{"id": "a", "weight": 0.2}, {"id": "b", "weight": 0.3},
            {"id": "c", "weight": 0.5}], "experiment": {"seed": "s"}}"#,
    );
    assert_eq!(ranges(&e), vec![(0.0, 0.2), (0.2, 0.5), (0.5, 1.0)]);
    for id in ids(2000) {
        let n = hash("s", &id, 2).expect("v2");
        let want = if n < 0.2 {
            0
        } else if n < 0.5 {
            1
        } else {
            2
        };
        let a = e
            .assign(None, &Assignments::with_key(&id))
            .expect("full coverage");
        assert_eq!((a.variant, a.bucket, a.sticky), (want, n, false));
    }
}

#[test]
fn coverage_and_namespace_leave_visitors_out() {
    let e = experiment(
        r#"{"id": "r", "variants": [{"id": "a"}, {"id": "b"}],
            "experiment": {"coverage": 0.4, "namespace": ["ns", 0.25, 0.75]}}"#,
    );
    assert_eq!(ranges(&e), vec![(0.0, 0.2), (0.5, 0.7)]);
    let (mut outside_ns, mut uncovered, mut assigned) = (0, 0, 0);
    for id in ids(4000) {
        let got = e
            .assign(None, &Assignments::with_key(&id))
            .map(|a| a.variant);
        let n = hash("r", &id, 2).expect("v2");
        let want = if !in_namespace(&id, ("ns", 0.25, 0.75)) {
            outside_ns += 1;
            None
        } else if n < 0.2 {
            Some(0)
        } else if (0.5..0.7).contains(&n) {
            Some(1)
        } else {
            uncovered += 1;
            None
        };
        assigned += usize::from(want.is_some());
        assert_eq!(got, want, "{id}");
    }
    // All three outcomes occur in numbers (half outside the namespace, 60 % of the rest
    // uncovered).
    assert!(outside_ns > 1800 && uncovered > 1000 && assigned > 700);
}

#[test]
fn the_hash_attribute_picks_the_id() {
    let by_id = experiment(r#"{"id": "r", "variants": [{"id": "a"}, {"id": "b"}]}"#);
    let by_user = experiment(
        r#"{"id": "r", "variants": [{"id": "a"}, {"id": "b"}],
            "experiment": {"hashAttribute": "userId"}}"#,
    );
    let fallback = experiment(
        r#"{"id": "r", "variants": [{"id": "a"}, {"id": "b"}],
            "experiment": {"hashAttribute": "userId", "fallbackAttribute": "id"}}"#,
    );
    let key = "anon-1";
    assert_eq!(by_id.hash_value(key, Some("u-9")), Some((key, false)));
    assert_eq!(by_user.hash_value(key, Some("u-9")), Some(("u-9", true)));
    assert_eq!(by_user.hash_value(key, None), None);
    assert_eq!(by_user.hash_value(key, Some("")), None);
    assert_eq!(fallback.hash_value(key, None), Some((key, false)));
    assert_eq!(fallback.hash_value(key, Some("u-9")), Some(("u-9", true)));
    // No key (none synced yet): nobody is in an "id" experiment.
    assert_eq!(by_id.assign(None, &Assignments::default()), None);
    let store = Assignments::with_key(key);
    let a = by_user.assign(Some("u-9"), &store).expect("a user id");
    assert_eq!(a.bucket, hash("r", "u-9", 2).expect("v2"));
    assert_eq!(by_user.assign(None, &store), None);
}

#[test]
fn a_sticky_assignment_wins_over_the_hash_coverage_and_namespace() {
    let before = experiment(AB);
    // The same experiment now covering nobody: only the sticky visitor stays in.
    let after = experiment(
        r#"{"id": "r", "variants": [{"id": "a"}, {"id": "b", "show": "b1"}],
            "experiment": {"key": "my-test", "hashVersion": 1, "coverage": 0,
                           "namespace": ["x", 0, 0.001]}}"#,
    );
    let mut store = Assignments::with_key("1");
    let first = before.assign(None, &store).expect("assigned");
    assert_eq!(first.variant, 1);
    assert_eq!(after.assign(None, &store), None);
    store.remember(&before, &first, T0);
    let again = after.assign(None, &store).expect("sticky");
    assert_eq!((again.variant, again.sticky), (1, true));
    // GrowthBook reports the hash as the bucket even for a sticky assignment.
    assert_eq!(again.bucket, first.bucket);
}

#[test]
fn a_removed_variant_releases_its_visitors_and_reordering_moves_nobody() {
    let e = experiment(r#"{"id": "r", "variants": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}"#);
    let mut store = Assignments::with_key("visitor-7");
    let a = e.assign(None, &store).expect("assigned");
    store.remember(&e, &a, T0);
    let id = e.variants[a.variant].id.clone();
    // Reordered: the same variant id, at another index.
    let reordered =
        experiment(r#"{"id": "r", "variants": [{"id": "c"}, {"id": "b"}, {"id": "a"}]}"#);
    let got = reordered.assign(None, &store).expect("sticky");
    assert_eq!(reordered.variants[got.variant].id, id);
    assert!(got.sticky);
    // Without it: assigned by the hash among what is left.
    let others: Vec<&str> = ["a", "b", "c"].into_iter().filter(|v| *v != id).collect();
    let rule = format!(
        r#"{{"id": "r", "variants": [{{"id": "{}"}}, {{"id": "{}"}}]}}"#,
        others[0], others[1]
    );
    let fewer = experiment(&rule);
    let fresh = fewer.assign(None, &store).expect("assigned");
    assert!(!fresh.sticky);
    let n = hash("r", "visitor-7", 2).expect("v2");
    assert_eq!(fresh.variant, usize::from(n >= 0.5));
}

#[test]
fn a_variant_seen_before_signing_in_stays_after() {
    let e = experiment(
        r#"{"id": "r", "variants": [{"id": "a"}, {"id": "b"}],
            "experiment": {"hashAttribute": "userId", "fallbackAttribute": "id"}}"#,
    );
    let mut moved = 0;
    for id in ids(200) {
        let mut store = Assignments::with_key(&id);
        // Exposed before signing in: hashed by the assignment key (the fallback).
        let anon = e.assign(None, &store).expect("fallback");
        assert_eq!(anon.bucket, hash("r", &id, 2).expect("v2"));
        store.remember(&e, &anon, T0);
        // Signed in: the user id would hash elsewhere for about half; the variant stays.
        let user = format!("user-of-{id}");
        let signed = e.assign(Some(&user), &store).expect("sticky");
        assert_eq!((signed.variant, signed.sticky), (anon.variant, true));
        assert_eq!(signed.bucket, hash("r", &user, 2).expect("v2"));
        let fresh = e
            .assign(Some(&user), &Assignments::with_key(&id))
            .expect("by user id");
        moved += usize::from(fresh.variant != anon.variant);
    }
    assert!((60..140).contains(&moved), "{moved}");
}
