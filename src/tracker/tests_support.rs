//! Helpers shared by the tracker's test files.

use super::*;
use crate::config::compile;
use crate::json::native_float;
use crate::outbox::Outcome;

pub(super) const NOW: Millis = 1_763_925_721_000;

pub(super) fn config(consent: &str) -> Config {
    let text = format!(
        r#"{{"version":1,"collector":{{"url":"/collect","flushAt":1}},{consent}
        "blocks":{{"b":{{"tag":"p","text":"hi"}}}},
        "rules":[{{"id":"r","slot":"hero","if":{{"page.path":"/"}},"show":"b"}}]}}"#
    );
    compiled(&text)
}

/// Config `text` compiled without errors, as the module gets it: a compiled program, written and
/// read back.
pub(super) fn compiled(text: &str) -> Config {
    let compiled = compile(&Value::parse_json(text).expect("test config"));
    assert!(
        !compiled.diagnostics.has_errors(),
        "{:?}",
        compiled.diagnostics
    );
    crate::program::decode(&crate::program::encode(&compiled.config)).expect("program")
}

pub(super) fn tracker(consent: &str) -> Tracker {
    Tracker::new(config(consent), Identity::default(), native_float)
}

pub(super) fn page() -> Page {
    Page {
        path: "/".into(),
        url: "https://shop.test/".into(),
        ..Page::default()
    }
}

pub(super) fn track(t: &mut Tracker, id: &str) {
    t.track("Thing Viewed", Map::new(), &page(), id.into(), NOW);
}

pub(super) const REQUIRED: &str = r#""consent":{"required":true},"#;

pub(super) fn analytics(granted: bool) -> Update {
    Update {
        analytics: Some(granted),
        personalization: None,
    }
}

pub(super) fn personalization(granted: bool) -> Update {
    Update {
        analytics: None,
        personalization: Some(granted),
    }
}

/// Sends everything queued, returning the bodies in order.
pub(super) fn drain(t: &mut Tracker) -> Vec<String> {
    let mut bodies = Vec::new();
    while let Some(req) = t.poll(NOW + 10_000) {
        t.complete(req.id, Outcome::Delivered, NOW + 10_000, 0.0);
        bodies.push(req.body);
    }
    bodies
}

pub(super) fn order_of(body: &str, ids: &[&str]) -> Vec<usize> {
    ids.iter()
        .map(|id| body.find(&format!("\"messageId\":\"{id}\"")).expect(id))
        .collect()
}
