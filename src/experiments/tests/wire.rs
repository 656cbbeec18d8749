//! The program format: compiled experiments and holdouts round-trip; what assignment relies
//! on is checked on read.

use super::*;
use crate::wire::{round_trip, Reader, Wire, Writer};

fn bytes<T: Wire>(v: &T) -> Vec<u8> {
    let mut w = Writer::default();
    v.put(&mut w);
    w.bytes
}

fn refused<T: Wire>(v: &T) -> bool {
    let b = bytes(v);
    let mut r = Reader::new(&b);
    let _ = T::get(&mut r);
    !r.finish()
}

#[test]
fn experiments_and_holdouts_round_trip() {
    for rule in [
        r#"{"id": "a", "variants": [{"id": "c"}, {"id": "v", "show": "b3", "weight": 0.3}]}"#,
        r#"{"id": "b", "variants": [{"id": "x"}, {"id": "y"}, {"id": "z", "name": "Zed"}],
            "experiment": {"key": "k", "seed": "s", "hashVersion": 1, "coverage": 0.5,
                           "namespace": ["ns", 0.1, 0.6], "hashAttribute": "userId"}}"#,
        r#"{"id": "c", "variants": [{"id": "x"}, {"id": "y"}],
            "experiment": {"hashAttribute": "userId", "fallbackAttribute": "id"}}"#,
    ] {
        let e = experiment(rule);
        assert_eq!(round_trip(&e).as_ref(), Some(&e), "{rule}");
    }
    let h = holdout(r#"{"share": 0.05, "key": "ho", "hashVersion": 1}"#);
    assert_eq!(round_trip(&h).as_ref(), Some(&h));
}

#[test]
fn what_assignment_relies_on_is_checked_on_read() {
    let good = experiment(r#"{"id": "a", "variants": [{"id": "c"}, {"id": "v"}]}"#);
    assert!(!refused(&good));
    let mut one_variant = good.clone();
    one_variant.variants.pop();
    let mut version = good.clone();
    version.hash_version = 3;
    let mut long_key = good.clone();
    long_key.key = "k".repeat(MAX_ID_BYTES + 1);
    let mut long_variant = good.clone();
    long_variant.variants[0].id = "v".repeat(MAX_ID_BYTES + 1);
    for bad in [one_variant, version, long_key, long_variant] {
        assert!(refused(&bad), "{bad:?}");
    }
    // An unknown hash attribute tag (the byte after the seed's and the version's).
    let mut b = bytes(&good);
    let at = 1 + good.key.len() + 1 + good.name.len() + 1 + good.seed.len() + 1;
    assert_eq!(b[at], 0);
    b[at] = 3;
    let mut r = Reader::new(&b);
    let _ = Experiment::get(&mut r);
    assert!(!r.ok());
    // A holdout whose groups show a block, or that has three groups.
    let mut showing = holdout(r#"{"share": 0.1}"#);
    showing.experiment.variants[0].block = Some(0);
    assert!(refused(&showing));
    let mut three = holdout(r#"{"share": 0.1}"#);
    three
        .experiment
        .variants
        .push(three.experiment.variants[1].clone());
    assert!(refused(&three));
    // Every truncation is refused, never a panic.
    let full = bytes(&good);
    for cut in 0..full.len() {
        let mut r = Reader::new(&full[..cut]);
        let _ = Experiment::get(&mut r);
        assert!(!r.finish(), "cut at {cut}");
    }
}

#[test]
fn block_indexes_are_for_the_config_reader_to_check() {
    let e = experiment(r#"{"id": "a", "variants": [{"id": "c"}, {"id": "v", "show": "b4"}]}"#);
    assert!(e.blocks_below(5));
    assert!(!e.blocks_below(4));
}
