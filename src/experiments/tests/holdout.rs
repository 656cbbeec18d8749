//! The global holdout: membership is the hash's, stable across pages and consent changes,
//! sticky once exposed.

use super::*;
use crate::rules::bucket::hash;

#[test]
fn membership_is_the_hash_below_the_share() {
    let h = holdout(r#"{"share": 0.05, "seed": "holdout-2026"}"#);
    assert_eq!(h.experiment.key, "holdout");
    assert_eq!(ranges(&h.experiment), vec![(0.0, 0.05), (0.05, 1.0)]);
    let mut held = 0;
    for id in ids(20_000) {
        let group = h.assign(None, &Assignments::with_key(&id));
        let n = hash("holdout-2026", &id, 2).expect("v2");
        assert_eq!(Holdout::withholds(group.as_ref()), n < 0.05, "{id}");
        held += usize::from(n < 0.05);
    }
    println!("holdout: {held} of 20000 ids held out at share 0.05");
    assert!((900..1100).contains(&held), "{held}");
}

#[test]
fn membership_is_stable_across_pages_sessions_and_consent_changes() {
    let h = holdout(r#"{"share": 0.2}"#);
    for id in ids(500) {
        // First page, local-only mode: the key is the page's unsent anonymous id.
        let mut store = Assignments::default();
        store.sync_key(&id, false, T0);
        let first = Holdout::withholds(h.assign(None, &store).as_ref());
        let mut record = Value::parse_json(&store.take_record()).expect("JSON");
        // Later pages and sessions (new random anonymous ids, days apart): same group.
        for day in 1..4 {
            let mut page = Assignments::from_stored(&record).expect("readable");
            page.sync_key(&format!("{id}-page-{day}"), false, T0 + day * 24 * HOUR);
            assert_eq!(Holdout::withholds(h.assign(None, &page).as_ref()), first);
            if let Some(group) = h.assign(None, &page) {
                // Exposed on day 2: sticky from then on.
                if day == 2 {
                    page.remember(&h.experiment, &group, T0 + day * 24 * HOUR);
                }
            }
            record = Value::parse_json(&page.take_record()).expect("JSON");
        }
        // Analytics granted on day 5: the key becomes the stored anonymous id, the exposed
        // group stays.
        let mut granted = Assignments::from_stored(&record).expect("readable");
        granted.sync_key(&format!("{id}-aid"), true, T0 + 5 * 24 * HOUR);
        assert_eq!(Holdout::withholds(h.assign(None, &granted).as_ref()), first);
    }
}

#[test]
fn shrinking_the_share_keeps_exposed_members_and_admits_no_new_ones() {
    let wide = holdout(r#"{"share": 0.3}"#);
    let narrow = holdout(r#"{"share": 0.1}"#);
    let (mut kept, mut left) = (0, 0);
    for (i, id) in ids(2000).iter().enumerate() {
        let mut store = Assignments::with_key(id);
        let group = wide.assign(None, &store).expect("everyone has a group");
        let exposed = i % 2 == 0;
        if exposed {
            store.remember(&wide.experiment, &group, T0);
        }
        let was = Holdout::withholds(Some(&group));
        let now = Holdout::withholds(narrow.assign(None, &store).as_ref());
        let n = hash("holdout", id, 2).expect("v2");
        if exposed {
            assert_eq!(now, was, "{id}");
            kept += usize::from(was);
        } else {
            assert_eq!(now, n < 0.1, "{id}");
            left += usize::from(was && !now);
        }
    }
    assert!((250..350).contains(&kept), "{kept}");
    assert!((150..250).contains(&left), "{left}");
}

#[test]
fn a_user_id_holdout_leaves_anonymous_visitors_personalized() {
    let h = holdout(r#"{"share": 1, "hashAttribute": "userId"}"#);
    let store = Assignments::with_key("anon");
    assert_eq!(h.assign(None, &store), None);
    assert!(!Holdout::withholds(h.assign(None, &store).as_ref()));
    assert!(Holdout::withholds(h.assign(Some("u1"), &store).as_ref()));
}
