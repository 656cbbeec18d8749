//! The journey scenarios' runner, shared by `tests/journeys_cases.rs` (native) and
//! `tests/wasm_journeys.rs` (inside wasm): trackers with injected time, one per tab, sharing one
//! stored visitor record, exactly as the shell drives them (record, write the record, merge
//! another tab's, reload a tab), and the `Journey Stage Entered` events they send, deduplicated
//! by `messageId` as a collector does.
//!
//! `scenarios.json`: `{"cases": [{"name", "journeys": [..], "steps": [step]}]}`. A step is one
//! of `{"at", "tab"?, "page": path}`, `{"at", "tab"?, "track": name, "props"?}`,
//! `{"at", "tab"?, "check": true}` (the timer), `{"tab", "reload": true}` (a new page load of the
//! tab, reading the stored record), `{"tab", "sync": true}` (the tab merges the stored record: a
//! `storage` event), `{"expect": ["journey:stage<-previous", ...]}` (the transitions sent since
//! the previous `expect`, in order; `-` for none). `at` is a duration after the scenario's start
//! (`"30m"`, `"1d"`, or milliseconds); `tab` defaults to `"a"`.
#![allow(dead_code)]

use trailmark::config::compile;
use trailmark::json::FloatFormatter;
use trailmark::outbox::Outcome;
use trailmark::time::{duration, Millis};
use trailmark::tracker::{Identity, Page, Tracker, SEQ_PER_LOAD};
use trailmark::{Map, Value};

/// The scenarios' clock starts here.
const T0: Millis = 1_763_925_721_000;

#[path = "../shared/tally.rs"]
mod tally;
pub use tally::Tally;

struct Tab {
    name: String,
    tracker: Tracker,
    loads: u64,
}

struct World<'a> {
    journeys: Value,
    tabs: Vec<Tab>,
    stored: Option<String>,
    sent: Vec<(String, String)>,
    float: FloatFormatter,
    parse: &'a dyn Fn(&str) -> Value,
    ids: u64,
}

fn page(path: &str) -> Page {
    Page {
        path: path.into(),
        url: "https://shop.test".to_owned() + path,
        ..Page::default()
    }
}

impl World<'_> {
    fn tracker(&self, tab: &str, loads: u64) -> Tracker {
        let mut config = Map::new();
        config.insert("version", Value::Number(1.0));
        let collector = Value::object(vec![
            ("url", Value::from("/c")),
            ("flushAt", Value::Number(1.0)),
        ]);
        config.insert("collector", collector);
        config.insert("journeys", self.journeys.clone());
        let compiled = compile(&Value::Object(config));
        assert!(
            !compiled.diagnostics.has_errors(),
            "{:?}",
            compiled.diagnostics
        );
        let identity = Identity {
            anonymous_id: "visitor".into(),
            tab_id: tab.into(),
            seq_base: loads * SEQ_PER_LOAD,
            ..Identity::default()
        };
        // The config as the module gets it: a compiled program, written and read back.
        let program = trailmark::program::encode(&compiled.config);
        let config = trailmark::program::decode(&program).expect("the program reads back");
        let mut t = Tracker::new(config, identity, self.float);
        if let Some(record) = &self.stored {
            t.merge_visitor(&(self.parse)(record));
        }
        t
    }

    fn tab(&mut self, name: &str) -> &mut Tab {
        if !self.tabs.iter().any(|t| t.name == name) {
            let tracker = self.tracker(name, 1);
            self.tabs.push(Tab {
                name: name.into(),
                tracker,
                loads: 1,
            });
        }
        let at = self.tabs.iter().position(|t| t.name == name);
        &mut self.tabs[at.unwrap_or_default()]
    }

    /// Sends what the tab queued, keeps its transitions, and writes its record (as the shell).
    fn settle(&mut self, name: &str) {
        let parse = self.parse;
        let tab = self.tab(name);
        let mut bodies = Vec::new();
        while let Some(req) = tab.tracker.poll(T0 + 400 * 86_400_000) {
            tab.tracker
                .complete(req.id, Outcome::Delivered, T0 + 400 * 86_400_000, 0.0);
            bodies.push(req.body);
        }
        let record = tab.tracker.take_visitor_to_store();
        let mut events: Vec<Value> = Vec::new();
        for body in bodies {
            if let Some(batch) = parse(&body).get("batch").and_then(Value::as_array) {
                events.extend(batch.iter().cloned());
            }
        }
        let seq = |e: &Value| {
            e.get("context")
                .and_then(|c| c.get("seq"))
                .and_then(Value::as_f64)
                .unwrap_or(0.0)
        };
        events.sort_by(|a, b| seq(a).total_cmp(&seq(b)));
        for e in events {
            if e.get("event").and_then(Value::as_str) != Some("Journey Stage Entered") {
                continue;
            }
            let id = e.get("messageId").and_then(Value::as_str).unwrap_or("");
            if self.sent.iter().any(|(_, seen)| seen == id) {
                continue; // a collector dedupes on messageId
            }
            let p = e.get("properties").cloned().unwrap_or_default();
            let s = |k: &str| p.get(k).and_then(Value::as_str).unwrap_or("-").to_owned();
            let label = s("journey") + ":" + &s("stage") + "<-" + &s("previous_stage");
            self.sent.push((label, id.to_owned()));
        }
        if record.is_some() {
            self.stored = record;
        }
    }

    fn next_id(&mut self) -> String {
        self.ids += 1;
        let mut id = String::from("m");
        id.push_str(&self.ids.to_string());
        id
    }
}

fn at(step: &Value) -> Millis {
    T0 + step.get("at").and_then(duration).unwrap_or(0)
}

fn run_case(
    case: &Value,
    float: FloatFormatter,
    parse: &dyn Fn(&str) -> Value,
) -> Result<(), String> {
    let mut w = World {
        journeys: case.get("journeys").cloned().unwrap_or_default(),
        tabs: Vec::new(),
        stored: None,
        sent: Vec::new(),
        float,
        parse,
        ids: 0,
    };
    let mut reported = 0;
    for (i, step) in case
        .get("steps")
        .and_then(Value::as_array)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let tab = step
            .get("tab")
            .and_then(Value::as_str)
            .unwrap_or("a")
            .to_owned();
        let now = at(step);
        if let Some(expect) = step.get("expect").and_then(Value::as_array) {
            let want: Vec<&str> = expect
                .iter()
                .filter_map(Value::as_str)
                .filter(|s| *s != "-")
                .collect();
            let got: Vec<&str> = w.sent[reported..].iter().map(|(l, _)| l.as_str()).collect();
            if got != want {
                return Err(format!("step {i}: expected {want:?}, sent {got:?}"));
            }
            reported = w.sent.len();
            continue;
        }
        if step.get("reload").is_some() {
            let loads = w.tab(&tab).loads + 1;
            let tracker = w.tracker(&tab, loads);
            let t = w.tab(&tab);
            t.tracker = tracker;
            t.loads = loads;
        } else if step.get("sync").is_some() {
            if let Some(record) = w.stored.clone() {
                let v = parse(&record);
                w.tab(&tab).tracker.merge_visitor(&v);
            }
        } else if let Some(path) = step.get("page").and_then(Value::as_str) {
            let id = w.next_id();
            w.tab(&tab).tracker.page(&page(path), Map::new(), id, now);
        } else if let Some(name) = step.get("track").and_then(Value::as_str) {
            let props = match step.get("props") {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            };
            let id = w.next_id();
            w.tab(&tab).tracker.track(name, props, &page("/p"), id, now);
        } else if step.get("check").is_some() {
            w.tab(&tab).tracker.check_journeys(&page("/p"), now);
        } else {
            return Err(format!("step {i}: unknown step {step:?}"));
        }
        w.settle(&tab);
    }
    if reported != w.sent.len() {
        let rest: Vec<&str> = w.sent[reported..].iter().map(|(l, _)| l.as_str()).collect();
        return Err(format!("transitions after the last expect: {rest:?}"));
    }
    Ok(())
}

/// Runs every scenario of `fixture`; `parse` reads JSON text the way the platform does.
pub fn scenarios(fixture: &Value, float: FloatFormatter, parse: &dyn Fn(&str) -> Value) -> Tally {
    let cases = fixture
        .get("cases")
        .and_then(Value::as_array)
        .expect("a `cases` array");
    let mut failures = Vec::new();
    for case in cases {
        let name = case.get("name").and_then(Value::as_str).unwrap_or("?");
        if let Err(why) = run_case(case, float, parse) {
            failures.push(format!("{name}: {why}"));
        }
    }
    Tally {
        total: cases.len(),
        failures,
    }
}
