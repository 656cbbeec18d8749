//! Replays every fuzz seed (`fuzz/corpus/<target>/`) and every saved finding
//! (`fuzz/regressions/<target>/`, each with a `.why` note) through the fuzz harnesses, natively on
//! stable: a fixed crash stays fixed without libFuzzer or nightly.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

#[path = "../fuzz/harness.rs"]
mod harness;

/// Runs `f` on every input file of `target`; returns how many there were.
fn replay(target: &str, f: fn(&[u8])) -> usize {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut n = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        for file in files {
            if file.extension().is_some_and(|x| x == "why") || !file.is_file() {
                continue;
            }
            let data = std::fs::read(&file).unwrap();
            let outcome = std::panic::catch_unwind(|| f(&data));
            assert!(outcome.is_ok(), "{} panicked", file.display());
            n += 1;
        }
    }
    println!("{target}: {n} inputs replayed");
    n
}

#[test]
fn regex_compile_match() {
    assert!(replay("regex_compile_match", harness::regex_compile_match) > 0);
}

#[test]
fn condition_eval() {
    assert!(replay("condition_eval", harness::condition_eval) > 0);
}

#[test]
fn config_compile() {
    assert!(replay("config_compile", harness::config_compile) > 0);
}

#[test]
fn program_decode() {
    assert!(replay("program_decode", harness::program_decode) > 0);
}

#[test]
fn template_parse() {
    assert!(replay("template_parse", harness::template_parse) > 0);
}

#[test]
fn stored_record() {
    assert!(replay("stored_record", harness::stored_record) > 0);
}

#[test]
fn queue_restore() {
    assert!(replay("queue_restore", harness::queue_restore) > 0);
}

/// Writes the seeds of `stored_record` and `queue_restore` (records and queues as the tracker
/// writes them, plus the hostile shapes issue 11 names):
/// `cargo test --test fuzz_corpus_replay write_storage_seeds -- --ignored`.
#[test]
#[ignore = "writes fuzz/corpus/{stored_record,queue_restore}; run by hand"]
fn write_storage_seeds() {
    use trailmark::consent::{record, Choice, Consent};
    use trailmark::json::native_float;
    use trailmark::tracker::{Identity, Page, QueueStore, Tracker};
    use trailmark::{Map, Value};

    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    // Rewrites the `seed-*` files only: inputs libFuzzer found (`found-*`) stay.
    let write = |target: &str, seeds: Vec<Vec<u8>>| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            if entry.file_name().to_string_lossy().starts_with("seed-") {
                std::fs::remove_file(entry.path()).unwrap();
            }
        }
        for (i, s) in seeds.iter().enumerate() {
            std::fs::write(dir.join(format!("seed-{i:03}")), s).unwrap();
        }
    };

    // A visitor with a session, a cart, an order and history, as the tracker stores it.
    let mut t = Tracker::new(
        trailmark::config::Config::default(),
        Identity {
            anonymous_id: "a-1".into(),
            tab_id: "tab-1".into(),
            ..Identity::default()
        },
        native_float,
    );
    let page = Page {
        url: "https://s.test/p/1?utm_source=news&utm_campaign=spring".into(),
        path: "/p/1".into(),
        search: "?utm_source=news&utm_campaign=spring".into(),
        title: "Beans".into(),
        referrer: "https://search.test/".into(),
    };
    let mut product = Map::new();
    product.insert("product_id", Value::from("sku-1"));
    product.insert("name", Value::from("Beans <b>"));
    product.insert("price", Value::Number(1850.0));
    product.insert("currency", Value::from("USD"));
    product.insert("category", Value::from("coffee"));
    t.page(&page, Map::new(), "m1".into(), 1_700_000_000_000);
    t.track(
        "Product Viewed",
        product.clone(),
        &page,
        "m2".into(),
        1_700_000_001_000,
    );
    t.track(
        "Product Added",
        product.clone(),
        &page,
        "m3".into(),
        1_700_000_002_000,
    );
    let mut order = Map::new();
    order.insert("order_id", Value::from("o-1"));
    order.insert("total", Value::Number(3700.5));
    order.insert("currency", Value::from("USD"));
    t.track(
        "Order Completed",
        order,
        &page,
        "m4".into(),
        1_700_000_003_000,
    );
    let record_text = t.take_visitor_to_store().expect("a visitor record");
    let queue_text = match t.take_queue_to_store() {
        Some(QueueStore::Write(s)) => s,
        _ => panic!("a stored queue"),
    };

    let consent = |analytics: Option<Choice>, personalization: Option<Choice>| {
        record::to_json(
            &Consent {
                analytics,
                personalization,
                ..Consent::default()
            },
            native_float,
        )
        .into_bytes()
    };
    let choice = |granted, signal| Choice {
        granted,
        at: 1_700_000_000_000,
        signal,
    };
    let mut records: Vec<Vec<u8>> = vec![
        record_text.clone().into_bytes(),
        consent(Some(choice(true, false)), Some(choice(false, true))),
        consent(None, Some(choice(true, false))),
        consent(None, None),
    ];
    // The same record without its profile, and poisoned variants of it.
    let parsed = Value::parse_json(&record_text).unwrap();
    if let Value::Object(mut m) = parsed.clone() {
        m.remove("profile");
        records.push(trailmark::json::to_string(&Value::Object(m), native_float).into_bytes());
    }
    for (from, to) in [
        ("\"visits\":1", "\"visits\":1e300"),
        ("\"visits\":1", "\"visits\":-1"),
        ("\"pv\":1", "\"pv\":{\"__proto__\":{\"x\":1}}"),
        (
            "\"user\":null",
            "\"user\":\"x\",\"__proto__\":{\"polluted\":1}",
        ),
        ("\"v\":1", "\"v\":2"),
    ] {
        records.push(record_text.replacen(from, to, 1).into_bytes());
    }
    records.push(format!("{}1{}", "[".repeat(200), "]".repeat(200)).into_bytes());
    records.push(b"{\"v\":1,\"reset\":0,\"user\":null,\"tabs\":[],\"session\":{}}".to_vec());
    write("stored_record", records);

    let mode = |m: u8, rest: &[u8]| [&[m][..], rest].concat();
    let forged = br#"{"v":1,"q":[[0,"{\"messageId\":\"m1\"}],\"batch\":[{\"messageId\":\"forged\"}"]],"d":[0,0,0]}"#;
    let events: &[&[u8]] = &[
        br#"{"messageId":"m1","type":"track","properties":{"a":[1,2.5e-3,true,null,"\u00e9\n"]}}"#,
        br#"{"a":1}],"batch":[{"b":2}"#,
        b"{}",
        b"{\"a\":\"\\ud800\"}",
        b"{\"a\":1e400}",
        b"[{}]",
        b" {\"k\" : [ {} , [ ] ] } ",
    ];
    let mut queues = vec![
        mode(0, queue_text.as_bytes()),
        mode(0, forged),
        mode(0, br#"{"v":1,"q":[],"d":[1,2,3]}"#),
        mode(0, br#"{"v":1,"q":[[1,"{}",1700000000000]],"d":[0,0,0]}"#),
        mode(
            0,
            br#"{"v":1,"q":[[0,{"messageId":"m1"}],[0,7]],"d":[0,0,0]}"#,
        ),
        mode(1, &events.join(&0u8)),
        mode(3, &events.join(&0u8)),
    ];
    for e in events {
        queues.push(mode(1, e));
    }
    write("queue_restore", queues);
}
