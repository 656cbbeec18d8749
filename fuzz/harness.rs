//! Fuzz harnesses, shared by the cargo-fuzz targets (`fuzz/fuzz_targets/`) and by
//! `tests/fuzz_corpus_replay.rs`, which replays every corpus and regression file on stable.
//!
//! Input formats (parts split at NUL bytes, each read as lossy UTF-8):
//! - `regex_compile_match`: one flags byte (low bit = the `i` flag), then `pattern \0 haystack`;
//! - `condition_eval`: `condition-json \0 attributes-json \0 saved-groups-json`;
//! - `config_compile`: a JSON config.
//! - `program_decode`: a mode byte, then either raw bytes read as a compiled program (mode even),
//!   or a JSON config compiled, written and read back, then damaged at one position (mode odd).
//! - `template_parse`: `template-text \0 attributes-json \0 template-bytes` (attributes that are
//!   not JSON: a realistic visitor, the template fixtures' `base`; the bytes are read as a
//!   compiled template, raw).
//! - `stored_record`: the JSON text of a stored visitor record or consent record.
//! - `queue_restore`: a mode byte, then a stored queue snapshot's JSON text (mode even) or event
//!   strings split at NUL (mode odd, bit 1 = urgent) wrapped in a well-formed snapshot.
//!
//! A harness panics (= a finding) on any panic inside the crate or on a broken invariant.
#![allow(dead_code)]

use trailmark::diag::{Diagnostics, Path};
use trailmark::history::Scope;
use trailmark::rules::limits::MAX_NODES;
use trailmark::rules::regex::{Regex, MAX_PROGRAM};
use trailmark::rules::{eval_condition, Condition, Conditions};
use trailmark::{Map, Value};

/// Up to `n` NUL-separated parts of `data`.
fn parts(data: &[u8], n: usize) -> Vec<String> {
    data.splitn(n, |&b| b == 0)
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

/// Compiles an arbitrary pattern and runs it on an arbitrary haystack: never panics, rejects
/// with one of the four codes and a position, stays within the linear step bound, and answers
/// like the same pattern wrapped in `(?:...)` and `(?:...){1}`.
pub fn regex_compile_match(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let icase = flags & 1 == 1;
    let p = parts(rest, 2);
    let (pattern, hay) = (p[0].as_str(), p.get(1).map_or("", String::as_str));
    let re = match Regex::new(pattern, icase) {
        Ok(re) => re,
        Err(e) => {
            assert!(
                matches!(
                    e.code,
                    "rules/regex-invalid"
                        | "rules/regex-unsupported"
                        | "rules/regex-too-long"
                        | "rules/regex-too-complex"
                ),
                "unknown code {}",
                e.code
            );
            assert!(
                e.message.contains(" at byte "),
                "no position: {}",
                e.message
            );
            return;
        }
    };
    assert!(re.program_len() <= MAX_PROGRAM + 1);
    let (hit, steps) = re.is_match_counting(hay);
    let bound = (hay.chars().count() as u64 + 1) * re.program_len() as u64;
    assert!(steps <= bound, "{steps} steps > bound {bound}");
    assert_eq!(hit, re.is_match(hay));
    // A group and a single repetition change nothing (when they still fit the limits).
    for wrapped in [format!("(?:{pattern})"), format!("(?:{pattern}){{1}}")] {
        if let Ok(w) = Regex::new(&wrapped, icase) {
            assert_eq!(
                w.is_match(hay),
                hit,
                "{wrapped:?} disagrees with {pattern:?}"
            );
        }
    }
}

fn json(text: Option<&String>) -> Value {
    text.and_then(|t| Value::parse_json(t).ok())
        .unwrap_or(Value::Null)
}

/// Compiles and evaluates an arbitrary condition against arbitrary attributes and saved groups,
/// compiled, one-shot and twice in one shared set (the second copy shares every leaf of the
/// first, and answers from the pass's memory): never panics, and all agree.
pub fn condition_eval(data: &[u8]) {
    let p = parts(data, 3);
    let (condition, attributes) = (json(p.first()), json(p.get(1)));
    let groups = match json(p.get(2)) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let mut diags = Diagnostics::default();
    let compiled = Condition::compile(&condition, &Path::root(), &groups, &mut diags);
    let once = compiled.eval(&attributes, &Scope::empty());
    assert_eq!(
        once,
        compiled.eval(&attributes, &Scope::empty()),
        "evaluation is not deterministic"
    );
    let direct = eval_condition(&attributes, &condition, &groups);
    assert_eq!(once, direct, "compiled and one-shot evaluation disagree");
    let mut set = Conditions::new(&groups);
    // The same condition past the node budget first: what it leaves in the set must not be
    // shared with the copies compiled whole.
    let filler = Value::Array(vec![Value::Object(Map::new()); MAX_NODES]);
    let over = Value::object(vec![(
        "$and",
        Value::Array(vec![
            Value::object(vec![("$and", filler)]),
            condition.clone(),
        ]),
    )]);
    set.compile(&over, &Path::root(), &mut diags);
    let first = set.compile(&condition, &Path::root(), &mut diags);
    let second = set.compile(&condition, &Path::root(), &mut diags);
    let scope = Scope::empty();
    let mut pass = set.pass(&attributes, &scope);
    assert_eq!(pass.holds(second), once, "a shared set disagrees");
    assert_eq!(
        pass.holds(first),
        once,
        "a pass's remembered answers disagree"
    );
}

/// Compiles an arbitrary JSON config: never panics.
pub fn config_compile(data: &[u8]) {
    let Ok(value) = Value::parse_json(&String::from_utf8_lossy(data)) else {
        return;
    };
    let _ = trailmark::config::compile(&value);
}

/// A compiled program from hostile bytes: reading never panics, and what it accepts can be
/// evaluated (every rule decided against a visitor, every journey checked) without panicking.
/// A config compiled and written reads back whole; the same bytes with one byte changed or cut
/// short read back or are refused, never panic.
pub fn program_decode(data: &[u8]) {
    use trailmark::program::{decode, encode};
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 0 {
        if let Ok(config) = decode(rest) {
            exercise(config);
        }
        return;
    }
    let Ok(value) = Value::parse_json(&String::from_utf8_lossy(rest)) else {
        return;
    };
    let program = encode(&trailmark::config::compile(&value).config);
    let config = decode(&program).expect("a compiled program reads back");
    exercise(config);
    // Damage it at a position and with a byte chosen by the input.
    let at = (mode as usize * 7919 + rest.len()) % program.len().max(1);
    let mut damaged = program.clone();
    if let Some(b) = damaged.get_mut(at) {
        *b ^= mode | 1;
    }
    if let Ok(config) = decode(&damaged) {
        exercise(config);
    }
    let _ = decode(&program[..at]);
}

/// Runs a decoded config: a page view and an event, every slot decided, journeys checked.
fn exercise(config: trailmark::config::Config) {
    use trailmark::tracker::{Identity, Page, Tracker};
    let mut t = Tracker::new(config, Identity::default(), trailmark::json::native_float);
    let page = Page {
        url: "https://s.test/cart?x=1".into(),
        path: "/cart".into(),
        search: "?x=1".into(),
        title: "Cart".into(),
        referrer: String::new(),
    };
    let mut props = Map::new();
    props.insert("price", Value::Number(1850.0));
    props.insert("product_id", Value::from("sku-1"));
    t.page(&page, Map::new(), "m1".into(), 1_700_000_000_000);
    t.track(
        "Product Added",
        props,
        &page,
        "m2".into(),
        1_700_000_001_000,
    );
    let _ = t.decide(&page, 1_700_000_002_000);
    t.check_journeys(&page, 1_700_000_003_000);
}

/// Compiles an arbitrary template text and fills it from arbitrary attributes, and reads
/// arbitrary bytes as a compiled template and fills that: never panics; diagnostics carry one of
/// the four codes, the text's path and a position; a text compiles exactly when it has no
/// error, and a text without `{{` (within the size limit) compiles to itself; what compiles
/// reads back the same from the program format and fills the same; every fill is bounded
/// (pieces, text bytes) and its numbers finite, its currency codes three letters; every path a
/// template reads is a known attribute (or the currency beside an amount).
pub fn template_parse(data: &[u8]) {
    use std::sync::OnceLock;
    use trailmark::template::{compile, Template, KNOWN_PATHS, MAX_PLACEHOLDERS, MAX_TEXT_BYTES};
    use trailmark::wire::{round_trip, Reader, Wire};

    static BASE: OnceLock<Value> = OnceLock::new();
    let base = BASE.get_or_init(|| {
        let doc = Value::parse_json(include_str!("../tests/fixtures/templates/fill.json"))
            .expect("the template fixtures are JSON");
        doc.get("base").cloned().expect("the fixtures have a base")
    });
    let mut split = data.splitn(3, |&b| b == 0);
    let text = String::from_utf8_lossy(split.next().unwrap_or_default()).into_owned();
    let attributes = split
        .next()
        .and_then(|a| Value::parse_json(&String::from_utf8_lossy(a)).ok())
        .unwrap_or_else(|| base.clone());
    let raw = split.next().unwrap_or_default();

    let at = Path::root().key("blocks").key("b").key("text");
    let mut diags = Diagnostics::default();
    let compiled = compile(&text, &at, KNOWN_PATHS, &mut diags);
    for d in &diags.0 {
        assert!(
            matches!(
                d.code,
                "templates/syntax"
                    | "templates/unknown-path"
                    | "templates/bad-format"
                    | "templates/too-large"
            ),
            "unknown code {}",
            d.code
        );
        assert_eq!(d.path, at.as_str());
        assert!(
            d.message.contains(" at byte ") || d.message.starts_with("the text is "),
            "no position: {}",
            d.message
        );
    }
    assert_eq!(compiled.is_some(), diags.0.is_empty(), "{:?}", diags.0);
    if !text.contains("{{") && text.len() <= MAX_TEXT_BYTES {
        assert_eq!(
            compiled.as_ref().and_then(Template::as_static),
            Some(text.as_str())
        );
    }

    /// A fill is bounded: a piece per part (at most one text around each placeholder); the
    /// template's own `text` bytes, then a cut value per placeholder. Its numbers are finite
    /// and never `-0`, its currency codes three letters.
    fn bounded(t: &Template, attributes: &Value, text: usize) {
        let Some(filled) = t.fill(attributes) else {
            return;
        };
        let Value::Array(flat) = &filled else {
            panic!("not an array: {filled:?}")
        };
        let (mut pieces, mut bytes, mut i) = (0, 0, 0);
        while i < flat.len() {
            let kind = flat[i].as_f64().expect("a kind");
            let fields = match kind as u8 {
                0 | 1 => 1,
                2 => 2,
                3 => 3,
                _ => panic!("kind {kind} in {flat:?}"),
            };
            assert_eq!(f64::from(kind as u8), kind, "kind {kind}");
            let piece = flat.get(i + 1..i + 1 + fields).expect("a whole piece");
            if let Value::Number(n) = piece[0] {
                assert!(n.is_finite() && !(n == 0.0 && n.is_sign_negative()), "{n}");
            }
            if flat[i].as_f64() == Some(2.0) {
                let code = piece[1].as_str().expect("a code");
                assert!(code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()));
            } else {
                bytes += piece
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::len)
                    .sum::<usize>();
            }
            pieces += 1;
            i += 1 + fields;
        }
        assert!(pieces <= 1 + 2 * MAX_PLACEHOLDERS, "{pieces} pieces");
        let most = text + MAX_PLACEHOLDERS * trailmark::template::MAX_VALUE_BYTES;
        assert!(bytes <= most, "{bytes} bytes of text");
        assert_eq!(
            t.fill(attributes),
            Some(filled),
            "filling is not deterministic"
        );
    }

    if let Some(t) = &compiled {
        let back = round_trip(t).expect("a compiled template reads back");
        assert_eq!(&back, t);
        for a in [&attributes, &Value::Null, base] {
            bounded(t, a, MAX_TEXT_BYTES);
            assert_eq!(back.fill(a), t.fill(a));
        }
        for p in t.paths() {
            let known = KNOWN_PATHS
                .iter()
                .any(|k| p == *k || p.strip_prefix(k).is_some_and(|r| r.starts_with('.')));
            assert!(known || p == "currency" || p.ends_with(".currency"), "{p}");
        }
    }

    let mut r = Reader::new(raw);
    let t = Template::get(&mut r);
    if r.finish() {
        // Its texts are its own: bounded by its size.
        bounded(&t, &attributes, raw.len());
        let _ = t.paths();
        assert_eq!(
            round_trip(&t).as_ref(),
            Some(&t),
            "a template read back differs"
        );
    }
}

/// A stored visitor record and a stored consent choice from hostile JSON (the values the shell
/// hands the core after `JSON.parse`): never panics; a refused record changes nothing; what is
/// accepted writes back as a record that reads back and writes the same bytes again, and its
/// attributes can be read; an accepted consent record writes back and reads back the same.
pub fn stored_record(data: &[u8]) {
    use trailmark::consent::{record, Consent};
    use trailmark::json::native_float;
    use trailmark::visitor::Visitor;

    let Ok(stored) = Value::parse_json(&String::from_utf8_lossy(data)) else {
        return;
    };
    let mut v = Visitor::new(0, true);
    let fresh = v.clone();
    if v.merge("tab-1", &stored) {
        let mut into = Map::new();
        v.attributes("Mozilla/5.0", &mut into);
        let written = v.take_record(true, native_float);
        let reread = Value::parse_json(&written).expect("a written record is JSON");
        let mut again = Visitor::new(0, true);
        assert!(
            again.merge("tab-1", &reread),
            "a written record reads back: {written}"
        );
        assert_eq!(
            again.take_record(true, native_float),
            written,
            "a record read back writes different bytes"
        );
    } else {
        assert_eq!(v, fresh, "a refused record changed the visitor");
    }
    if let Some((analytics, personalization)) = record::from_value(&stored) {
        let consent = Consent {
            analytics,
            personalization,
            ..Consent::default()
        };
        let written = record::to_json(&consent, native_float);
        let reread = Value::parse_json(&written).expect("a written consent record is JSON");
        assert_eq!(
            record::from_value(&reread),
            Some((analytics, personalization)),
            "{written}"
        );
    }
}

/// Nesting of arrays and objects (a scalar is 0).
fn containers_deep(v: &Value) -> usize {
    match v {
        Value::Array(items) => 1 + items.iter().map(containers_deep).max().unwrap_or(0),
        Value::Object(m) => 1 + m.iter().map(|(_, v)| containers_deep(v)).max().unwrap_or(0),
        _ => 0,
    }
}

/// The outbox's restore from hostile storage (issue 11, finding 4). Mode byte even: the rest is
/// a snapshot's JSON text. Odd: the rest is up to 40 event strings split at NUL, wrapped in a
/// well-formed snapshot (bit 1: urgent). Never panics; a refused snapshot changes nothing; every
/// event held afterwards is exactly one JSON object as serde_json reads it (or one it refuses
/// only for a number out of `f64` range); with event strings, each
/// one is kept exactly when serde_json reads it as an object nested at most 64 deep, the others
/// are counted as rejected; the request bodies then carry exactly the held events, in order,
/// in the one `batch` array.
pub fn queue_restore(data: &[u8]) {
    use trailmark::config::WireFormat;
    use trailmark::outbox::{Frame, Outbox, Outcome, Policy};

    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let live = r#"{"messageId":"live"}"#;
    let mut o = Outbox::new(Policy {
        max_events: 50,
        max_bytes: 64 * 1024,
        flush_at: 1,
        ..Policy::default()
    });
    o.push(live.to_owned(), false, 0);
    let events = (mode % 2 == 1).then(|| parts(rest, 40));
    let snapshot = match &events {
        None => match Value::parse_json(&String::from_utf8_lossy(rest)) {
            Ok(v) => v,
            Err(_) => return,
        },
        Some(events) => {
            let urgent = Value::Number(f64::from((mode >> 1) & 1));
            let q = events
                .iter()
                .map(|e| Value::Array(vec![urgent.clone(), Value::from(e.as_str())]))
                .collect();
            let zeros = Value::Array(vec![Value::Number(0.0); 3]);
            Value::object(vec![
                ("v", Value::Number(1.0)),
                ("q", Value::Array(q)),
                ("d", zeros),
            ])
        }
    };
    let before = o.snapshot();
    if o.restore(&snapshot, 1000).is_err() {
        assert_eq!(o.snapshot(), before, "a refused snapshot changed the queue");
        assert!(events.is_none(), "a well-formed snapshot was refused");
        return;
    }
    let snap = Value::parse_json(&o.snapshot()).expect("a snapshot is JSON");
    // (event, failing since) of every event held.
    let held_with_times: Vec<(String, Option<f64>)> = snap
        .get("q")
        .and_then(Value::as_array)
        .expect("q")
        .iter()
        .map(|item| {
            let item = item.as_array().expect("an item");
            let event = item[1].as_str().expect("an event").to_owned();
            (event, item.get(2).and_then(Value::as_f64))
        })
        .collect();
    let held: Vec<String> = held_with_times.iter().map(|(e, _)| e.clone()).collect();
    let mut lenient = false; // an event serde_json refuses though the grammar allows it (1e400)
    for e in &held {
        match Value::parse_json(e) {
            Ok(Value::Object(_)) => {}
            Ok(other) => panic!("held {e:?}: {other:?}"),
            Err(why) => {
                assert!(why.contains("number out of range"), "held {e:?}: {why}");
                lenient = true;
            }
        }
    }
    if let Some(events) = &events {
        let kept: Vec<&String> = events
            .iter()
            .filter(|e| {
                matches!(Value::parse_json(e), Ok(v @ Value::Object(_)) if containers_deep(&v) <= 64)
            })
            .collect();
        let held_restored: Vec<&String> = held.iter().filter(|e| *e != live).collect();
        // The live event is not in `events` unless the input repeats it.
        if !events.iter().any(|e| e == live) && !lenient {
            assert_eq!(held_restored, kept, "kept events");
            assert_eq!(o.rejected(), (events.len() - kept.len()) as u64);
        }
    }
    if lenient {
        return; // serde_json cannot read the bodies to compare them
    }
    let frame = Frame {
        format: WireFormat::Segment,
        write_key: Some("k".into()),
    };
    let mut sent = Vec::new();
    let mut now = 2000;
    while let Some(r) = o.poll(now, &frame) {
        let body = Value::parse_json(&r.body).expect("a request body is JSON");
        let batch = body
            .get("batch")
            .and_then(Value::as_array)
            .expect("a batch");
        assert_eq!(batch.len(), r.events, "{}", r.body);
        sent.extend(batch.iter().cloned());
        o.complete(r.id, Outcome::Delivered, now, 0.0);
        now += 1;
    }
    // Except those failing for longer than the outbox gives events (a restored `failingSince`
    // a day or more before the first poll): given up on, counted as expired.
    // Polls run from 2000 ms on, one millisecond per request (at most one per held event): an
    // event within that window of the limit may go either way, and is not checked.
    let give_up = Policy::default().give_up_ms as f64;
    let near = |s: f64| (give_up - held.len() as f64 - 1.0..=give_up).contains(&(2000.0 - s));
    if held_with_times
        .iter()
        .any(|(_, since)| since.is_some_and(near))
    {
        return;
    }
    let expected: Vec<Value> = held_with_times
        .iter()
        .filter(|(_, since)| since.is_none_or(|s| 2000.0 - s <= give_up))
        .map(|(e, _)| Value::parse_json(e).expect("held events are JSON"))
        .collect();
    assert_eq!(
        o.expired(),
        (held.len() - expected.len()) as u64,
        "the events given up on are counted as expired"
    );
    assert_eq!(sent, expected, "the bodies carry exactly the held events");
}
