//! The tracker: one visitor's Trailmark on one page, as a sans-IO state machine.
//!
//! The shell feeds it calls (`page`, `track`) with the current time and fresh random ids, asks
//! it what to render ([`Tracker::decide`]) and what to send ([`Tracker::poll`],
//! [`Tracker::unload`]), and reports delivery outcomes back ([`Tracker::complete`]).
//!
//! Consent ([`crate::consent`]) gates all of it. While analytics is pending, recorded events wait
//! in a memory buffer, never in the outbox (which may be persisted); a grant moves them to the
//! outbox in order, a denial drops them (and anything queued). While personalization is denied,
//! [`Tracker::decide`] returns nothing, so every slot keeps its default content. The shell
//! passes the browser's signals in ([`Tracker::set_signals`]), restores the stored choice at
//! start ([`Tracker::restore_consent`]) and writes it whenever
//! [`Tracker::take_consent_to_store`] hands one out.

use crate::config::{Collector, Config};
use crate::consent::{record, Consent, Effects, Signals, Update};
use crate::event::{Event, Kind};
use crate::json::FloatFormatter;
use crate::limits::{MAX_EVENT_BYTES, MAX_HELD_BYTES, MAX_HELD_EVENTS};
use crate::outbox::{Frame, Outbox, Outcome, Policy, Request};
use crate::time::Millis;
use crate::value::{Map, Value};
use crate::visitor::{campaign_from_search, Op, Roots, Visitor};

/// The library name and version sent in `context.library`.
pub const LIBRARY_NAME: &str = "trailmark";
/// This build's version.
pub const LIBRARY_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Largest single beacon body (browsers cap all keepalive bodies of a page at 64 KB together).
pub const BEACON_CHUNK_BYTES: usize = 60 * 1024;

pub use crate::page::Page;

/// `seq` numbers reserved for each page load of a tab: page load `n` numbers its events from
/// `n × SEQ_PER_LOAD + 1` (readable: the 17th event of load 3 is `3000017`).
pub const SEQ_PER_LOAD: u64 = 1_000_000;

/// Who and where: fixed for the life of the tracker.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Identity {
    /// First-party anonymous id (persisted by the shell).
    pub anonymous_id: String,
    /// Id of this tab (kept across reloads of the tab).
    pub tab_id: String,
    /// The first `seq` of this page load, minus one. Collectors order a tab's events by
    /// `(tabId, seq)`, so `seq` must keep increasing across the tab's page loads: the shell
    /// counts page loads per tab and passes `loads × SEQ_PER_LOAD`.
    pub seq_base: u64,
    /// `navigator.userAgent`.
    pub user_agent: String,
    /// `navigator.language`.
    pub locale: String,
    /// The browser's IANA time zone (`Europe/Paris`), "" when unknown.
    pub timezone: String,
    /// `{width, height, density}` of the screen, `null` when unknown.
    pub screen: Value,
}

/// What a `page`, `track` or `identify` call records.
struct Call {
    kind: Kind,
    /// The event name (`track`) or the user id (`identify`).
    name: Option<String>,
    properties: Map,
    traits: Option<Map>,
}

impl Call {
    fn new(kind: Kind, name: Option<String>, properties: Map) -> Self {
        Call {
            kind,
            name,
            properties,
            traits: None,
        }
    }
}

pub use decide::{Decision, PageState};
pub use watch::{Watching, EXIT_INTENT_DETECTED};

/// The tracker.
#[derive(Debug)]
pub struct Tracker {
    config: Config,
    identity: Identity,
    /// Session, profile and user id, shared with the other tabs (see [`crate::visitor`]).
    visitor: Visitor,
    seq: u64,
    outbox: Outbox,
    float: FloatFormatter,
    consent: Consent,
    /// The effects last applied (transitions are detected against them).
    effects: Effects,
    /// Serialized events (and whether urgent) waiting for analytics consent; memory only.
    held: Vec<(String, bool)>,
    held_bytes: usize,
    /// Events dropped because analytics was denied (held, queued or recorded while denied).
    discarded: u64,
    /// Events dropped because the hold buffer was full.
    held_dropped: u64,
    /// How many of `held_dropped` a drop report already told the collector about.
    held_reported: u64,
    /// The consent record changed and must be written.
    consent_dirty: bool,
    /// Personalization became denied: the stored profile and history must be erased.
    erase_profile: bool,
    /// The latest time the shell passed in (for changes that come without one).
    clock: Millis,
    /// The outbox generation last handed out for storage (see `persist.rs`).
    queue_written: Option<u64>,
    /// When this tab's current page view started (the `"page"` window of history predicates).
    page_start: Millis,
    /// When the journeys were last checked.
    journeys_checked: Millis,
    /// A journey transition is being recorded (no nested check).
    in_journeys: bool,
    /// A drop report is being recorded: it never reports drops itself (see `persist.rs`).
    reporting: bool,
    /// The attribute roots the config's conditions read (the others are never built for them).
    roots: Roots,
    /// The rules in the order they are tried: highest priority first, then config order.
    order: Vec<usize>,
    /// What this page view has seen: rules shown, exit intent, suppression (see `decide.rs`).
    here: PageState,
    /// What the page sampler is needed for (see `watch.rs`).
    watching: Watching,
    /// What the shopper is doing on this page view (see `watch.rs`).
    watch: watch::Watch,
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
    pub fn new(config: Config, mut identity: Identity, float: FloatFormatter) -> Self {
        // Read off the browser, so bounded like everything else that reaches events and rules.
        for (text, max) in [
            (&mut identity.user_agent, 1024),
            (&mut identity.locale, 64),
            (&mut identity.timezone, 64),
        ] {
            crate::text::truncate_at_boundary(text, max);
        }
        let outbox = Outbox::new(policy_for(config.collector.as_ref()));
        let seq_base = identity.seq_base;
        let consent = Consent {
            settings: config.consent,
            ..Consent::default()
        };
        let effects = consent.effects();
        let roots = config.roots;
        let order = decide::order(&config.rules);
        let watching = config.watching;
        Self {
            config,
            visitor: Visitor::new(identity.seq_base, effects.use_profile),
            identity,
            seq: seq_base,
            outbox,
            float,
            consent,
            effects,
            held: Vec::new(),
            held_bytes: 0,
            discarded: 0,
            held_dropped: 0,
            held_reported: 0,
            consent_dirty: false,
            erase_profile: effects.erase_profile,
            clock: 0,
            queue_written: None,
            page_start: 0,
            journeys_checked: 0,
            in_journeys: false,
            reporting: false,
            roots,
            order,
            here: PageState::default(),
            watching,
            watch: watch::Watch::default(),
        }
    }

    /// Replaces the config; queued events are kept and go to the new collector (consent
    /// permitting: the new `consent` section applies at once).
    pub fn set_config(&mut self, config: Config) {
        self.outbox
            .set_policy(policy_for(config.collector.as_ref()));
        self.consent.settings = config.consent;
        self.roots = config.roots;
        self.order = decide::order(&config.rules);
        let watching = config.watching;
        let rearm = watching != self.watching || config.exit != self.config.exit;
        self.watching = watching;
        self.config = config;
        if rearm {
            self.watch_arm(self.clock.max(self.page_start));
        }
        self.apply_consent();
    }

    /// Sets the browser's opt-out signals (GPC, DNT); the shell calls it once at start.
    pub fn set_signals(&mut self, signals: Signals) {
        self.consent.signals = signals;
        self.apply_consent();
    }

    /// Applies the shopper's choice made at `now`; only the categories given change. The
    /// choice is always stored, a denial included (see [`take_consent_to_store`]).
    ///
    /// [`take_consent_to_store`]: Self::take_consent_to_store
    pub fn set_consent(&mut self, update: Update, now: Millis) {
        self.tick(now);
        if self.consent.apply(update, now) {
            self.consent_dirty = true;
        }
        self.apply_consent();
        // Not at start (signals, the stored choice): the stored visitor is not merged yet.
        self.sync_assignment_key(now);
    }

    /// Restores the stored consent record (the value `JSON.parse` made of what
    /// [`take_consent_to_store`](Self::take_consent_to_store) handed out). Call it at start,
    /// before any choice is made: it replaces the explicit choices. A record that is not exactly
    /// a current record is hostile or foreign: the shopper starts fresh (no explicit choice) and
    /// `false` is returned, so the shell can remove it.
    pub fn restore_consent(&mut self, stored: &Value) -> bool {
        let restored = record::from_value(stored);
        let (analytics, personalization) = restored.unwrap_or_default();
        self.consent.analytics = analytics;
        self.consent.personalization = personalization;
        self.apply_consent();
        restored.is_some()
    }

    /// The consent record to write to storage (versioned JSON), once after each change.
    pub fn take_consent_to_store(&mut self) -> Option<String> {
        if !std::mem::take(&mut self.consent_dirty) {
            return None;
        }
        Some(record::to_json(&self.consent, self.float))
    }

    /// Whether the stored visitor profile and history must be erased now (personalization
    /// became denied); true once per denial.
    pub fn take_profile_erasure(&mut self) -> bool {
        std::mem::take(&mut self.erase_profile)
    }

    /// Everything consent depends on.
    pub fn consent(&self) -> &Consent {
        &self.consent
    }

    /// What the current consent allows.
    pub fn effects(&self) -> Effects {
        self.effects
    }

    /// Events held in memory while analytics consent is pending.
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// Events discarded because analytics consent was denied.
    pub fn discarded(&self) -> u64 {
        self.discarded
    }

    /// Events dropped because the hold buffer was full (oldest first).
    pub fn held_dropped(&self) -> u64 {
        self.held_dropped
    }

    fn tick(&mut self, now: Millis) {
        self.clock = self.clock.max(now);
    }

    /// Brings the buffers in line with the current consent: a grant releases held events to
    /// the outbox in order, a denial drops everything held or queued.
    fn apply_consent(&mut self) {
        let before = self.effects;
        let now = self.consent.effects();
        if now.discard_events {
            self.discarded += self.held.len() as u64;
            self.held.clear();
            self.held_bytes = 0;
            if !self.outbox.is_empty() {
                self.discarded += self.outbox.discard_all() as u64;
            }
        } else if now.send_events {
            for (json, urgent) in std::mem::take(&mut self.held) {
                self.outbox.push(json, urgent, self.clock);
            }
            self.held_bytes = 0;
        }
        if now.erase_profile && !before.erase_profile {
            self.erase_profile = true;
        }
        self.visitor.keep_profile(now.use_profile);
        self.effects = now;
    }

    fn hold(&mut self, json: String, urgent: bool) {
        self.held_bytes += json.len();
        self.held.push((json, urgent));
        while self.held.len() > MAX_HELD_EVENTS || self.held_bytes > MAX_HELD_BYTES {
            // Oldest low-value first; if everything is urgent, the oldest.
            let victim = self.held.iter().position(|(_, u)| !u).unwrap_or(0);
            if victim >= self.held.len() {
                break;
            }
            let (j, _) = self.held.remove(victim);
            self.held_bytes -= j.len();
            self.held_dropped += 1;
        }
    }

    /// The current config.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Records a page view.
    pub fn page(&mut self, page: &Page, extra: Map, message_id: String, now: Millis) {
        self.page_start = now;
        self.here.new_page();
        self.sync_assignment_key(now);
        self.watch_new_page(now);
        let mut properties = page.to_map();
        for (k, v) in extra.iter() {
            properties.insert(k, v.clone());
        }
        self.record(
            Call::new(Kind::Page, None, properties),
            page,
            message_id,
            now,
        );
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
        let mut properties = properties;
        if name == crate::visitor::ENGAGEMENT {
            // The runtime passes the URL of the page view it measures, read off `location`:
            // it is cleaned like every other URL Trailmark reads.
            if let Some(Value::String(url)) = properties.get("url") {
                let clean = crate::privacy::clean_url(url, &self.config.redact_params);
                properties.insert("url", Value::String(clean));
            }
        }
        // A rule's decision in view exposes the visitor to its experiment and the holdout.
        let exposed = if name == crate::caps::BLOCK_VIEWED {
            self.exposures(&properties, page, now)
        } else {
            Vec::new()
        };
        let call = Call::new(Kind::Track, Some(name.to_owned()), properties);
        self.record(call, page, message_id.clone(), now);
        for p in exposed {
            let id = p
                .get("experiment_id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let id = crate::ids::derived_id(&[&message_id, id]);
            let call = Call::new(
                Kind::Track,
                Some(crate::experiments::EXPERIMENT_VIEWED.to_owned()),
                p,
            );
            self.record(call, page, id, now);
        }
    }

    /// Records one event, then moves the journeys it may have moved (each transition is an
    /// event too, recorded without another check: `check_journeys` moves as far as it can).
    fn record(&mut self, call: Call, page: &Page, message_id: String, now: Millis) {
        self.record_one(call, page, message_id, now);
        if !self.in_journeys {
            self.check_journeys(page, now);
        }
    }

    fn record_one(&mut self, call: Call, page: &Page, message_id: String, now: Millis) {
        let Call {
            kind,
            name,
            properties,
            traits,
        } = call;
        self.tick(now);
        if kind == Kind::Track {
            self.here
                .observe(name.as_deref().unwrap_or_default(), &properties);
        }
        let campaign = campaign_from_search(&page.search);
        // An identify call hands the visitor model only the traits the config keeps for text.
        let observed = match &traits {
            Some(t) if kind == Kind::Identify => {
                let mut kept = Map::new();
                for name in &self.config.traits {
                    if let Some(v) = t.get(name) {
                        kept.insert(name.as_str(), v.clone());
                    }
                }
                kept
            }
            _ => properties.clone(),
        };
        // The visitor model learns from every event, also while analytics is denied: rules may
        // still run on the device (it keeps no profile while personalization is denied).
        self.visitor.observe(
            &self.identity.tab_id,
            Op {
                kind,
                name: name.clone().unwrap_or_default(),
                properties: observed,
                path: page.path.clone(),
                campaign: campaign.clone(),
                referrer: page.referrer.clone(),
                at: now,
                seq: 0,
            },
        );
        if self.effects.discard_events {
            // Not even a sequence number: nothing about it may ever reach the collector.
            self.discarded += 1;
            return;
        }
        self.seq += 1;
        let event = Event {
            kind,
            // An identify call's "name" is the user id, which goes out as `userId`.
            name: name.filter(|_| kind != Kind::Identify),
            properties,
            traits,
            message_id: message_id.clone(),
            anonymous_id: self.identity.anonymous_id.clone(),
            user_id: self.visitor.user_id.clone(),
            timestamp: now,
            context: self.context(page, campaign),
        };
        let urgent = event.is_conversion();
        let json = self.serialize_bounded(event);
        let Some(json) = json else {
            return;
        };
        if self.effects.send_events {
            self.outbox.push(json, urgent, now);
            self.report_drops(&message_id, page);
        } else {
            self.hold(json, urgent);
        }
    }

    /// The event as JSON, or, when that is larger than [`MAX_EVENT_BYTES`] (collectors refuse
    /// such events, and one would crowd everything else out of the queue), a stub with the same
    /// envelope whose properties (and traits) say how large it was:
    /// `{"trailmarkOversizeBytes": 81234}`. `None` only if even the stub does not fit (it is
    /// counted as refused).
    fn serialize_bounded(&mut self, mut event: Event) -> Option<String> {
        let json = event.to_json(self.float);
        if json.len() <= MAX_EVENT_BYTES {
            return Some(json);
        }
        let mut note = Map::new();
        note.insert("trailmarkOversizeBytes", Value::Number(json.len() as f64));
        if event.traits.is_some() {
            event.traits = Some(note.clone());
        }
        event.properties = note;
        let stub = event.to_json(self.float);
        if stub.len() <= MAX_EVENT_BYTES {
            return Some(stub);
        }
        self.outbox.count_refused(1);
        None
    }

    fn context(&self, page: &Page, campaign: Option<Map>) -> Map {
        let library = Value::object(vec![
            ("name", Value::from(LIBRARY_NAME)),
            ("version", Value::from(LIBRARY_VERSION)),
        ]);
        let mut c = Map::new();
        c.insert("library", library);
        c.insert("page", Value::Object(page.to_map()));
        c.insert("userAgent", Value::from(self.identity.user_agent.as_str()));
        c.insert("locale", Value::from(self.identity.locale.as_str()));
        if !self.identity.timezone.is_empty() {
            c.insert("timezone", Value::from(self.identity.timezone.as_str()));
        }
        if self.identity.screen != Value::Null {
            c.insert("screen", self.identity.screen.clone());
        }
        if let Some(campaign) = campaign {
            c.insert("campaign", Value::Object(campaign));
        }
        c.insert("sessionId", Value::Number(self.visitor.session.id as f64));
        c.insert("tabId", Value::from(self.identity.tab_id.as_str()));
        c.insert("seq", Value::Number(self.seq as f64));
        c
    }

    /// The attributes rules are evaluated against: `page`, plus the visitor's (`visitor`,
    /// `session`, `views`, `cart`, `orders`, `utm`) unless personalization is denied.
    pub fn attributes(&self, page: &Page) -> Value {
        self.attributes_of(page, Roots::ALL)
    }

    /// [`attributes`](Self::attributes) limited to the roots the config's conditions read.
    pub(crate) fn rule_attributes(&self, page: &Page) -> Value {
        self.attributes_of(page, self.roots)
    }

    fn attributes_of(&self, page: &Page, roots: Roots) -> Value {
        let mut m = Map::new();
        m.insert("page", Value::Object(page.to_map()));
        if self.effects.use_profile {
            self.visitor
                .attributes_of(&self.identity.user_agent, &mut m, roots);
        }
        Value::Object(m)
    }

    /// The visitor: session, profile and user id.
    pub fn visitor(&self) -> &Visitor {
        &self.visitor
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
        self.config.collector.is_some() && self.effects.send_events
    }

    /// The collector URL, when one is configured.
    pub fn collector_url(&self) -> Option<&str> {
        self.config.collector.as_ref().map(|c| c.url.as_str())
    }

    /// The next request to send now, if one is due.
    pub fn poll(&mut self, now: Millis) -> Option<Request> {
        self.tick(now);
        if !self.can_send() {
            return None;
        }
        let frame = self.frame()?;
        self.outbox.poll(now, &frame)
    }

    /// Reports what happened to request `id`.
    pub fn complete(&mut self, id: u64, outcome: Outcome, now: Millis, jitter: f64) {
        self.tick(now);
        self.outbox.complete(id, outcome, now, jitter);
    }

    /// When to call [`poll`](Self::poll) next.
    pub fn next_wake(&self) -> Option<Millis> {
        let send = self.can_send().then(|| self.outbox.next_wake()).flatten();
        [send, self.journeys_wake(), self.watch_wake()]
            .into_iter()
            .flatten()
            .min()
    }

    /// The page is being hidden or unloaded: bodies to hand to `sendBeacon`, each with the
    /// number of events it carries. Call [`beacons_sent`](Self::beacons_sent) with the events
    /// of the bodies the browser accepted, in order, stopping at the first it refused.
    pub fn unload(&mut self, budget: usize, now: Millis) -> Vec<(String, usize)> {
        self.tick(now);
        let keep = self.beacons_untrusted();
        match (self.can_send(), self.frame()) {
            (true, Some(frame)) => {
                self.outbox
                    .beacon_bodies(BEACON_CHUNK_BYTES, budget, &frame, now, keep)
            }
            _ => Vec::new(),
        }
    }

    /// The browser accepted beacons carrying `events` events (see [`unload`](Self::unload)).
    pub fn beacons_sent(&mut self, events: usize) {
        let keep = self.beacons_untrusted();
        self.outbox.beacons_sent(events, keep);
    }

    /// A collector that needs headers cannot authenticate a beacon (beacons carry none): its
    /// events stay queued for `fetch` even when the browser accepts the beacon.
    fn beacons_untrusted(&self) -> bool {
        self.config
            .collector
            .as_ref()
            .is_some_and(|c| !c.headers.is_empty())
    }

    /// Who and where: the ids and the browser context events carry.
    pub fn identity(&self) -> &Identity {
        &self.identity
    }

    /// The visitor's anonymous id (the shell stores it only while analytics is granted).
    pub fn anonymous_id(&self) -> &str {
        &self.identity.anonymous_id
    }

    /// Events the collector refused (4xx, or a single event too large), since the start.
    pub fn rejected(&self) -> u64 {
        self.outbox.rejected()
    }

    /// Events waiting in the outbox (not counting those [`held`](Self::held) for consent).
    pub fn queued(&self) -> usize {
        self.outbox.len()
    }
}

mod decide;
mod experiments;
mod explain;
mod identity;
mod journeys;
mod persist;
mod watch;
pub use persist::{QueueStore, DROPPED_EVENT};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod decide_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod experiments_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod identity_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod journeys_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod oversize_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod persist_tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests_support;
