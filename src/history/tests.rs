use super::*;
use crate::json::{native_float, to_string};

const MIN: Millis = 60_000;
const DAY: Millis = 86_400_000;
const T0: Millis = 1_800_000_000_000;

fn props(json: &str) -> Map {
    match Value::parse_json(json).unwrap() {
        Value::Object(m) => m,
        other => panic!("not an object: {other:?}"),
    }
}

fn names(h: &History) -> Vec<&str> {
    h.log().iter().map(|e| e.name.as_str()).collect()
}

#[test]
fn keeps_top_level_scalars_only() {
    let mut h = History::default();
    let long = "é".repeat(150); // 300 bytes
    let raw = format!(
        r#"{{"s": "{long}", "n": 12.5, "b": true, "z": null, "o": {{"a": 1}}, "a": [1], "{key}": 1}}"#,
        key = "k".repeat(201)
    );
    h.record(T0, T0, "tab-1", "Product Viewed", &props(&raw));
    let e = &h.log()[0];
    assert_eq!(e.tab, tab_hash("tab-1"));
    assert_eq!(e.session, T0);
    let keys: Vec<&str> = e.props.iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        ["s", "n", "b"],
        "no null, nested value or over-long key"
    );
    let s = e.props.get("s").and_then(Value::as_str).unwrap();
    assert_eq!(s.len(), 200, "cut at a char boundary");
    assert!(long.starts_with(s));

    let many: Map = (0..40)
        .map(|i| (format!("p{i}"), Value::Number(f64::from(i))))
        .collect();
    h.record(T0 + 1, T0, "tab-1", "Many", &many);
    assert_eq!(h.log()[1].props.len(), MAX_PROPS);
    let t = h.total("Many").unwrap();
    assert_eq!(t.sums.len(), MAX_SUMS, "sums capped per name");
    assert_eq!(t.sums[15], ("p15".to_owned(), 15.0));
}

#[test]
fn page_views_and_order() {
    let mut h = History::default();
    h.record(T0 + 10, T0, "t", "", &Map::new());
    h.record(T0, T0, "t", "Early", &Map::new());
    h.record(T0 + 10, T0, "t", "Same time, later", &Map::new());
    assert_eq!(names(&h), ["Early", PAGE_VIEW, "Same time, later"]);
    assert_eq!(h.total(PAGE_VIEW).map(|t| t.count), Some(1));
}

#[test]
fn log_bounds_leave_totals_exact() {
    let mut h = History::default();
    for i in 0..600 {
        h.record(T0 + i * MIN, T0, "t", "Tick", &props(r#"{"price": 2.5}"#));
    }
    assert_eq!(h.log().len(), MAX_ENTRIES);
    assert_eq!(h.log()[0].at, T0 + 100 * MIN, "the oldest went first");
    let t = h.total("Tick").unwrap();
    assert_eq!((t.count, t.first, t.last), (600, T0, T0 + 599 * MIN));
    assert_eq!(t.sums, vec![("price".to_owned(), 1500.0)]);
}

/// The running byte total is the log's sum after every kind of change: entries of every size,
/// replayed older ones, outcome entries over their share, age, count and byte bounds, a
/// stored copy read back.
#[test]
fn the_byte_total_follows_the_log() {
    let mut h = History::default();
    let sum = |h: &History| h.log().iter().map(Entry::bytes).sum::<usize>();
    for i in 0..900i64 {
        // Small entries first (the count and outcome bounds bind), then large ones (the byte
        // bound binds); mostly forward in time, every seventh replayed from the past, a jump
        // past the age bound at 700.
        let (keys, width) = if i < 600 {
            (i % 3, 5)
        } else {
            (i % 17, (i * 37 % 250) as usize)
        };
        let p: Map = (0..keys)
            .map(|k| (format!("k{k}"), Value::from("y".repeat(width))))
            .collect();
        let at = T0 + i * MIN + (i / 700) * 31 * DAY - if i % 7 == 0 { 90 * MIN } else { 0 };
        let name = if i % 5 == 0 {
            crate::caps::BLOCK_VIEWED
        } else {
            "E"
        };
        h.record(at, T0, "t", name, &p);
        assert_eq!(h.bytes, sum(&h), "after event {i}");
        assert!(h.bytes <= MAX_BYTES && h.log().len() <= MAX_ENTRIES);
        if i == 599 {
            assert_eq!(h.log().len(), MAX_ENTRIES, "the count bound was reached");
        }
    }
    let back = History::from_value(&h.to_value()).unwrap();
    assert_eq!(back.bytes, sum(&back));
    assert_eq!(back, h);
}

#[test]
fn byte_bound() {
    let mut h = History::default();
    let big: Map = (0..16)
        .map(|i| (format!("p{i:02}"), Value::from("x".repeat(300))))
        .collect();
    for i in 0..40 {
        h.record(T0 + i, T0, "t", "Big", &big);
    }
    let per = 48 + 3 + 16 * (3 + 16 + 200);
    assert_eq!(h.log()[0].bytes(), per);
    assert_eq!(h.log().len(), MAX_BYTES / per);
    assert!(h.log().iter().map(Entry::bytes).sum::<usize>() <= MAX_BYTES);
    assert_eq!(h.total("Big").unwrap().count, 40);
}

#[test]
fn thirty_days() {
    let mut h = History::default();
    h.record(T0, T0, "t", "Old", &Map::new());
    h.record(T0 + 1, T0, "t", "Kept", &Map::new());
    h.record(T0 + 30 * DAY, T0 + 30 * DAY, "t", "Now", &Map::new());
    assert_eq!(names(&h), ["Kept", "Now"], "exactly 30 days older goes");
    // A replayed event already too old is recorded in the totals only.
    h.record(T0 - DAY, T0, "t", "Replayed", &Map::new());
    assert_eq!(names(&h), ["Kept", "Now"]);
    assert_eq!(h.total("Replayed").map(|t| t.count), Some(1));
    assert_eq!(h.total("Old").map(|t| t.count), Some(1));
}

#[test]
fn a_hundred_names() {
    let mut h = History::default();
    for i in 0..100 {
        h.record(T0 + i, T0, "t", &format!("E{i}"), &Map::new());
    }
    h.record(T0 + 200, T0, "t", "E0", &Map::new()); // E0 is now the most recent
    h.record(T0 + 201, T0, "t", "New", &Map::new());
    assert_eq!(h.totals.len(), MAX_NAMES);
    assert!(h.total("E1").is_none(), "the name seen least recently went");
    assert_eq!(h.total("E0").map(|t| t.count), Some(2));
    assert!(
        h.log().iter().any(|e| e.name == "E1"),
        "the log keeps its entries"
    );
}

fn sample() -> History {
    let mut h = History::default();
    h.record(T0, T0, "a", "", &props(r#"{"path": "/"}"#));
    h.record(
        T0 + 5,
        T0,
        "a",
        "Product Added",
        &props(r#"{"price": 1850.5, "sku": "eth", "gift": false}"#),
    );
    h.record(
        T0 + 9,
        T0 + 9,
        "b",
        "Product Added",
        &props(r#"{"price": -3}"#),
    );
    h
}

#[test]
fn round_trip() {
    let h = sample();
    let v = h.to_value();
    assert_eq!(History::from_value(&v), Some(h.clone()));
    let text = to_string(&v, native_float);
    assert!(
        text.starts_with(r#"{"log":[[1800000000000,1800000000000,"#),
        "{text}"
    );
    assert_eq!(
        History::from_value(&Value::parse_json(&text).unwrap()),
        Some(h),
        "through JSON text"
    );
    let empty = History::default();
    assert_eq!(History::from_value(&empty.to_value()), Some(empty));
}

#[test]
fn strict_reading() {
    let good = to_string(&sample().to_value(), native_float);
    assert!(History::from_value(&Value::parse_json(&good).unwrap()).is_some());
    let bad = [
        "null",
        "[]",
        r#"{"log": []}"#,
        r#"{"log": [], "totals": [], "x": 1}"#,
        r#"{"log": {}, "totals": []}"#,
        // Entries: arity, types, integers, order, props.
        r#"{"log": [[1, 1, 1, "A"]], "totals": []}"#,
        r#"{"log": [[1, 1, 1, "A", {}, 0]], "totals": []}"#,
        r#"{"log": [[1.5, 1, 1, "A", {}]], "totals": []}"#,
        r#"{"log": [["1", 1, 1, "A", {}]], "totals": []}"#,
        r#"{"log": [[1, 1, -1, "A", {}]], "totals": []}"#,
        r#"{"log": [[1, 1, 4294967296, "A", {}]], "totals": []}"#,
        r#"{"log": [[1, 1, 1, "", {}]], "totals": []}"#,
        r#"{"log": [[1, 1, 1, 7, {}]], "totals": []}"#,
        r#"{"log": [[1, 1, 1, "A", []]], "totals": []}"#,
        r#"{"log": [[1, 1, 1, "A", {"o": {}}]], "totals": []}"#,
        r#"{"log": [[1, 1, 1, "A", {"n": null}]], "totals": []}"#,
        r#"{"log": [[2, 1, 1, "A", {}], [1, 1, 1, "A", {}]], "totals": []}"#,
        r#"{"log": [[1e300, 1, 1, "A", {}]], "totals": []}"#,
        // Totals: arity, count, times, sums, duplicates.
        r#"{"log": [], "totals": [["A", 1, 1, 1]]}"#,
        r#"{"log": [], "totals": [["A", 0, 1, 1, {}]]}"#,
        r#"{"log": [], "totals": [["A", 1.5, 1, 1, {}]]}"#,
        r#"{"log": [], "totals": [["A", 1, 2, 1, {}]]}"#,
        r#"{"log": [], "totals": [["A", 1, 1, 1, {"p": "1"}]]}"#,
        r#"{"log": [], "totals": [["A", 1, 1, 1, []]]}"#,
        r#"{"log": [], "totals": [["A", 1, 1, 1, {}], ["A", 2, 1, 1, {}]]}"#,
    ];
    for json in bad {
        let v = Value::parse_json(json).unwrap();
        assert_eq!(History::from_value(&v), None, "{json}");
    }
    let long = format!(
        r#"{{"log": [[1, 1, 1, "A", {{"s": "{}"}}]], "totals": []}}"#,
        "x".repeat(201)
    );
    assert_eq!(
        History::from_value(&Value::parse_json(&long).unwrap()),
        None
    );
    let many: Vec<String> = (0..=MAX_ENTRIES)
        .map(|_| r#"[1, 1, 1, "A", {}]"#.to_owned())
        .collect();
    let many = format!(r#"{{"log": [{}], "totals": []}}"#, many.join(","));
    assert_eq!(
        History::from_value(&Value::parse_json(&many).unwrap()),
        None
    );
}

#[test]
fn scope() {
    let h = sample();
    let s = Scope::new(&h, T0 + 10, T0 + 9, "b", T0 + 9);
    assert_eq!(s.tab, tab_hash("b"));
    assert_ne!(tab_hash("a"), tab_hash("b"));
    let e = Scope::empty();
    assert!(e.history.log().is_empty() && e.history.totals.is_empty());
}

#[test]
fn outcome_events_have_a_bounded_share_of_the_log() {
    let mut h = History::default();
    let none = Map::new();
    h.record(T0, T0, "a", "Product Viewed", &none);
    for i in 0..200 {
        h.record(T0 + 1 + i, T0, "a", crate::caps::BLOCK_VIEWED, &none);
    }
    h.record(T0 + 500, T0, "a", "Product Added", &none);
    let outcomes = h
        .log()
        .iter()
        .filter(|e| e.name == crate::caps::BLOCK_VIEWED)
        .count();
    assert_eq!(outcomes, MAX_OUTCOME_ENTRIES);
    // The newest ones stay; the journey's events stay; the totals count every one.
    assert_eq!(h.log()[1].at, T0 + 1 + 200 - MAX_OUTCOME_ENTRIES as Millis);
    assert_eq!(h.log().first().unwrap().name, "Product Viewed");
    assert_eq!(h.log().last().unwrap().name, "Product Added");
    let total = h
        .totals
        .iter()
        .find(|t| t.name == crate::caps::BLOCK_VIEWED)
        .unwrap();
    assert_eq!(total.count, 200);
}
