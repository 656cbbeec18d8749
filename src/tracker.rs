//! The tracker: one visitor's Trailmark on one page, as a sans-IO state machine.
//!
//! The shell feeds it calls (`page`, `track`) with the current time and fresh random ids, asks
//! it what to render ([`Tracker::decide`]) and what to send ([`Tracker::poll`],
//! [`Tracker::unload`]), and reports delivery outcomes back ([`Tracker::complete`]).

use crate::config::{Collector, Config};
use crate::event::{Event, Kind};
use crate::json::FloatFormatter;
use crate::outbox::{Frame, Outbox, Outcome, Policy, Request};
use crate::render::Node;
use crate::time::Millis;
use crate::value::{Map, Value};

/// The library name and version sent in `context.library`.
pub const LIBRARY_NAME: &str = "trailmark";
/// This build's version.
pub const LIBRARY_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Largest single beacon body (browsers cap all keepalive bodies of a page at 64 KB together).
pub const BEACON_CHUNK_BYTES: usize = 60 * 1024;

/// The page an event happened on.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// Full URL.
    pub url: String,
    /// `location.pathname`.
    pub path: String,
    /// `location.search`, including `?` when present.
    pub search: String,
    /// `document.title`.
    pub title: String,
    /// `document.referrer`.
    pub referrer: String,
}

impl Page {
    /// The page as a Segment `context.page` / page-call properties object.
    pub fn to_map(&self) -> Map {
        [
            ("path", &self.path),
            ("referrer", &self.referrer),
            ("search", &self.search),
            ("title", &self.title),
            ("url", &self.url),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), Value::String(v.clone())))
        .collect()
    }
}

/// Who and where: fixed for the life of the tracker.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Identity {
    /// First-party anonymous id (persisted by the shell).
    pub anonymous_id: String,
    /// Id of this tab (per page load until sessions arrive).
    pub tab_id: String,
    /// `navigator.userAgent`.
    pub user_agent: String,
    /// `navigator.language`.
    pub locale: String,
}

/// Which block a slot shows, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision<'a> {
    /// The slot (`data-trailmark-slot`).
    pub slot: &'a str,
    /// The rule that matched.
    pub rule: &'a str,
    /// The block id.
    pub block_id: &'a str,
    /// The block to render.
    pub block: &'a Node,
}

/// The tracker.
#[derive(Debug)]
pub struct Tracker {
    config: Config,
    identity: Identity,
    user_id: Option<String>,
    seq: u64,
    outbox: Outbox,
    float: FloatFormatter,
}

fn policy_for(collector: Option<&Collector>) -> Policy {
    let mut p = Policy::default();
    if let Some(c) = collector {
        p.flush_at = c.flush_at;
        p.flush_interval_ms = c.flush_interval_ms;
        p.max_batch_bytes = c.max_batch_bytes;
    }
    p
}

impl Tracker {
    /// A tracker with `config` (use `Config::default()` while the real one loads).
    pub fn new(config: Config, identity: Identity, float: FloatFormatter) -> Self {
        let outbox = Outbox::new(policy_for(config.collector.as_ref()));
        Self {
            config,
            identity,
            user_id: None,
            seq: 0,
            outbox,
            float,
        }
    }

    /// Replaces the config; queued events are kept and go to the new collector.
    pub fn set_config(&mut self, config: Config) {
        self.outbox
            .set_policy(policy_for(config.collector.as_ref()));
        self.config = config;
    }

    /// The current config.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Records a page view.
    pub fn page(&mut self, page: &Page, extra: Map, message_id: String, now: Millis) {
        let mut properties = page.to_map();
        for (k, v) in extra.iter() {
            properties.insert(k, v.clone());
        }
        self.record(Kind::Page, None, properties, page, message_id, now);
    }

    /// Records a `track` call.
    pub fn track(
        &mut self,
        name: &str,
        properties: Map,
        page: &Page,
        message_id: String,
        now: Millis,
    ) {
        self.record(
            Kind::Track,
            Some(name.to_owned()),
            properties,
            page,
            message_id,
            now,
        );
    }

    fn record(
        &mut self,
        kind: Kind,
        name: Option<String>,
        properties: Map,
        page: &Page,
        message_id: String,
        now: Millis,
    ) {
        self.seq += 1;
        let event = Event {
            kind,
            name,
            properties,
            traits: None,
            message_id,
            anonymous_id: self.identity.anonymous_id.clone(),
            user_id: self.user_id.clone(),
            timestamp: now,
            context: self.context(page),
        };
        let urgent = event.is_conversion();
        self.outbox.push(event.to_json(self.float), urgent, now);
    }

    fn context(&self, page: &Page) -> Map {
        let library = Value::object([
            ("name", Value::from(LIBRARY_NAME)),
            ("version", Value::from(LIBRARY_VERSION)),
        ]);
        let mut c = Map::new();
        c.insert("library", library);
        c.insert("page", Value::Object(page.to_map()));
        c.insert("userAgent", Value::from(self.identity.user_agent.as_str()));
        c.insert("locale", Value::from(self.identity.locale.as_str()));
        c.insert("tabId", Value::from(self.identity.tab_id.as_str()));
        c.insert("seq", Value::Number(self.seq as f64));
        c
    }

    /// The attributes rules are evaluated against.
    pub fn attributes(&self, page: &Page) -> Value {
        Value::object([("page", Value::Object(page.to_map()))])
    }

    /// For each slot with a matching rule, the first matching rule's block (config order).
    pub fn decide(&self, page: &Page) -> Vec<Decision<'_>> {
        let attributes = self.attributes(page);
        let mut out: Vec<Decision<'_>> = Vec::new();
        for rule in &self.config.rules {
            if out.iter().any(|d| d.slot == rule.slot) {
                continue;
            }
            if rule
                .condition
                .as_ref()
                .is_some_and(|c| !c.eval(&attributes))
            {
                continue;
            }
            if let Some((block_id, block)) = self.config.block(rule.block) {
                out.push(Decision {
                    slot: &rule.slot,
                    rule: &rule.id,
                    block_id,
                    block,
                });
            }
        }
        out
    }

    fn frame(&self) -> Option<Frame> {
        let c = self.config.collector.as_ref()?;
        Some(Frame {
            format: c.format,
            write_key: c.write_key.clone(),
        })
    }

    /// Whether events may leave the device now (a collector is known and consent allows).
    fn can_send(&self) -> bool {
        self.config.collector.is_some() && !self.config.consent_required
    }

    /// The collector URL, when one is configured.
    pub fn collector_url(&self) -> Option<&str> {
        self.config.collector.as_ref().map(|c| c.url.as_str())
    }

    /// The next request to send now, if one is due.
    pub fn poll(&mut self, now: Millis) -> Option<Request> {
        if !self.can_send() {
            return None;
        }
        let frame = self.frame()?;
        self.outbox.poll(now, &frame)
    }

    /// Reports what happened to request `id`.
    pub fn complete(&mut self, id: u64, outcome: Outcome, now: Millis, jitter: f64) {
        self.outbox.complete(id, outcome, now, jitter);
    }

    /// When to call [`poll`](Self::poll) next.
    pub fn next_wake(&self) -> Option<Millis> {
        if !self.can_send() {
            return None;
        }
        self.outbox.next_wake()
    }

    /// The page is being hidden or unloaded: bodies to hand to `sendBeacon`.
    pub fn unload(&mut self, budget: usize, now: Millis) -> Vec<String> {
        match (self.can_send(), self.frame()) {
            (true, Some(frame)) => {
                self.outbox
                    .drain_for_unload(BEACON_CHUNK_BYTES, budget, &frame, now)
            }
            _ => Vec::new(),
        }
    }

    /// Events waiting on the device.
    pub fn queued(&self) -> usize {
        self.outbox.len()
    }
}
