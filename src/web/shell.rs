//! The core module's one exported class, [`Trailmark`]: the page's calls (which arrive through
//! its one entry, `call`: `dispatch.rs`), translated into the tracker's inputs, and its effects
//! applied (see the module docs of [`crate::web`]).
//!
//! **What a call costs the page.** `track()` and `page()` only take a snapshot of their
//! arguments and queue it: recording (the visitor model, the event's JSON, the outbox), moving
//! journeys and deciding the slots happen right after the caller's code returns (a microtask
//! running `pump`), once for however many calls arrived meanwhile. Every other entry point first records what is queued, so
//! answers (`profile()`, `decisions()`, consent) always include every earlier call.
//!
//! **Rendering is the page's.** The module decides (`decisions()`); the runtime's renderer
//! (`js/render.js`) builds the blocks. When a decision may have changed, the module calls the
//! function given to [`on_decisions`](Trailmark::on_decisions), once per task.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use super::consent_store::restore_consent;
use super::convert::{array, js_float, to_js, to_value, Limits};
use super::guard::{self, Entry};
use super::ids::{read_id, read_tab, store_tab, ANON_KEY};
use super::pump::{pump, soon};
use super::storage::{self, Area};
use super::{console, cookie, fetch, now, page, panic, queue, random, signals, transport, visitor};
use crate::config;
use crate::diag::Severity;
use crate::outbox::Outcome;
use crate::time::Millis;
use crate::tracker::{Identity, Page, Tracker, SEQ_PER_LOAD};
use crate::value::{Map, Value};

/// How long after an event its decision may wait, for the events that follow it (one frame).
const DECIDE_EVENTS_AFTER_MS: Millis = 16;

/// All beacons sent while the page goes away, together (browsers allow 64 KB per page).
const UNLOAD_BUDGET: usize = 60 * 1024;

/// What the module's callbacks hand to `pump`.
pub(super) enum Input {
    /// A request finished.
    Settled { id: u64, outcome: Outcome },
}

/// A `track()` or `page()` call, as it was made, waiting for the microtask that records it.
pub(super) enum Call {
    /// `page(properties)`.
    Page { properties: Map, at: Millis },
    /// `track(name, properties)`.
    Track {
        name: String,
        properties: Map,
        at: Millis,
    },
}

pub(super) struct Shared {
    pub(super) tracker: RefCell<Tracker>,
    pub(super) inbox: RefCell<Vec<Input>>,
    /// `track()` and `page()` calls not recorded yet, in order.
    pub(super) calls: RefCell<Vec<Call>>,
    /// A microtask will run `pump` (see `pump::soon`).
    pub(super) pump_queued: Cell<bool>,
    /// (timeout handle, when it fires) of the pending wake-up.
    pub(super) timer: Cell<Option<(i32, Millis)>>,
    /// The module's one long-lived callback, `(what, status, retry_after_ms)`: `what` is -2 for
    /// the timeout, -1 for the microtask of `pump::soon`, and a request's id when the request
    /// settled (with its status, 0 for a network error, and `Retry-After` in ms, -1 for none).
    /// Never dropped while anything can call it (held here only to keep it alive).
    #[allow(dead_code)]
    pub(super) on_wake: Closure<dyn FnMut(f64, f64, f64)>,
    /// `on_wake` behind the [`fetch::safe`] wrapper: what timeouts, the microtask and request
    /// completions actually call.
    pub(super) on_wake_safe: js_sys::Function,
    pub(super) warned_clamp: Cell<bool>,
    /// This tab's stored-queue key (see `queue.rs`).
    pub(super) queue_key: String,
    /// Whether the queue this tab's last page left was read yet (after the first decision).
    pub(super) queue_restored: Cell<bool>,
    /// When the queue was last written to storage.
    pub(super) persisted_at: Cell<Millis>,
    /// Whether the anonymous id is in storage now.
    pub(super) aid_stored: Cell<bool>,
    /// This page load's number in the tab (see `ids.rs`), and whether it and the tab id are in
    /// storage yet.
    pub(super) load: Cell<u64>,
    pub(super) tab_stored: Cell<bool>,
    /// The domain this page wrote the id's cookie on (`""`: this page removed it), if any.
    pub(super) cookie_on: RefCell<Option<String>>,
    /// Something a decision reads changed since the decisions were last worked out.
    pub(super) decisions_dirty: Cell<bool>,
    /// When the events recorded since the last decision are decided (see `record_calls`).
    pub(super) decide_at: Cell<Option<Millis>>,
    /// An outcome event was recorded: the visitor record is written at the end of this pump.
    pub(super) persist_now: Cell<bool>,
    /// The decisions the runtime's renderer last got.
    /// `None`: the renderer gets the next decisions whatever they are (at start, and after a
    /// page view: its slots may wait for a decision, even an empty one).
    pub(super) last_decisions: RefCell<Option<Vec<Owned>>>,
    /// The runtime's renderer, called with the decisions (as `decisions()` returns them)
    /// whenever they change.
    pub(super) on_decisions: RefCell<Option<Function>>,
}

impl Shared {
    /// Records the queued `track()` / `page()` calls, in order, against the current page.
    pub(super) fn record_calls(&self, t: &mut Tracker) {
        let calls = std::mem::take(&mut *self.calls.borrow_mut());
        if calls.is_empty() {
            return;
        }
        let page = page::current_page(&t.config().redact_params);
        let mut page_view = false;
        for call in calls {
            match call {
                Call::Page { properties, at } => {
                    page_view = true;
                    // A new page view (a route of a single-page app) may bring new slots: the
                    // renderer gets the decisions again even if they did not change.
                    *self.last_decisions.borrow_mut() = None;
                    t.page(&page, properties, random::uuid(), at);
                }
                Call::Track {
                    name,
                    properties,
                    at,
                } => {
                    // What a block did counts against its caps in every tab: written at once,
                    // not on the once-a-second schedule.
                    if crate::caps::is_outcome(&name) {
                        self.persist_now.set(true);
                    }
                    t.track(&name, properties, &page, random::uuid(), at)
                }
            }
        }
        // Rules may read what just happened (history, cart, journeys). A page view is decided
        // at once (its slots wait for it); events are decided together within a frame of the
        // first one (a page sending events in bursts paid a full decision for each).
        if page_view {
            self.decisions_dirty.set(true);
        } else if self.decide_at.get().is_none() {
            self.decide_at.set(Some(now() + DECIDE_EVENTS_AFTER_MS));
        }
    }

    /// When something a decision reads changed, decides again, and hands the decisions to the
    /// runtime's renderer if they differ from the last ones it got. Whether it did.
    pub(super) fn announce_decisions(&self) -> bool {
        if !self.decisions_dirty.replace(false) {
            return false;
        }
        // This decision covers the events waiting for one.
        self.decide_at.set(None);
        let Ok(t) = self.tracker.try_borrow() else {
            return false;
        };
        let page = page::current_page(&t.config().redact_params);
        let now = owned(&t.decide(&page, now()));
        drop(t);
        if self.last_decisions.borrow().as_ref() == Some(&now) {
            return false;
        }
        let array = decisions_to_js(&now);
        *self.last_decisions.borrow_mut() = Some(now);
        if let Some(f) = self.on_decisions.borrow().as_ref() {
            // The runtime's renderer catches its own failures; a throw here changes nothing.
            let _ = f.call1(&JsValue::UNDEFINED, &array);
        }
        true
    }
}

/// Trailmark in this page. Created once by the loader; every method is total: problems are
/// reported on the console (once) and never thrown.
#[wasm_bindgen]
pub struct Trailmark {
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl Trailmark {
    /// Starts with no config: events are recorded and held until [`configure`](Self::configure)
    /// names a collector. Reads only what the first decision needs (consent, the visitor);
    /// the queue this tab's last page left is read on the first `pump`.
    #[wasm_bindgen(constructor)]
    pub fn new(env: JsValue) -> Trailmark {
        panic::install();
        let env = to_value(&env, Limits::CONFIG).value;
        let (tab_id, load) = read_tab();
        let queue_key = queue::key_for(&tab_id);
        // The anonymous id is a tracking identifier: it is kept in storage only while analytics
        // is granted (see `ids::sync_ids`); until then it lives in memory.
        // A checkout on another subdomain finds the id in the cookie on the store's domain.
        let stored_aid = read_id(Area::Local, ANON_KEY).or_else(cookie::read_id);
        let aid_stored = stored_aid.is_some();
        let text = |key: &str| {
            env.get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let identity = Identity {
            anonymous_id: stored_aid.unwrap_or_else(random::uuid),
            tab_id,
            seq_base: load * SEQ_PER_LOAD,
            user_agent: text("userAgent"),
            locale: text("locale"),
            timezone: text("timezone"),
            screen: env.get("screen").cloned().unwrap_or_default(),
        };
        // Until the site's config says otherwise, consent is pending: events wait in memory,
        // nothing is persisted or sent. Signals (GPC, DNT) are not applied yet either: whether
        // they deny analytics is the config's call (`honorGlobalPrivacyControl`), and denying
        // now would discard the first events of the page for good.
        let mut initial = config::Config::default();
        initial.consent.required = true;
        initial.consent.honor_gpc = false;
        let mut tracker = Tracker::new(initial, identity, js_float);
        tracker.set_signals(signals::read());
        restore_consent(&mut tracker);
        // The session, profile and user id the tabs share.
        visitor::restore(&mut tracker);
        let shared = Rc::new_cyclic(|weak: &Weak<Shared>| {
            let weak = weak.clone();
            let on_wake: Closure<dyn FnMut(f64, f64, f64)> =
                Closure::new(move |what: f64, status: f64, retry_after_ms: f64| {
                    if let Some(s) = weak.upgrade() {
                        if what == -2.0 {
                            s.timer.set(None);
                        } else if what == -1.0 {
                            s.pump_queued.set(false);
                        } else {
                            let outcome = transport::outcome(status, retry_after_ms);
                            s.inbox.borrow_mut().push(Input::Settled {
                                id: what as u64,
                                outcome,
                            });
                        }
                        // If a call is inside the module (a synchronous settle), it drains
                        // the inbox when it returns.
                        if let Some(entry) = Entry::enter() {
                            pump(&s, &entry);
                        }
                    }
                });
            let on_wake_safe = fetch::safe(on_wake.as_ref().unchecked_ref(), "a timer or request");
            Shared {
                tracker: RefCell::new(tracker),
                inbox: RefCell::new(Vec::new()),
                calls: RefCell::new(Vec::new()),
                pump_queued: Cell::new(false),
                timer: Cell::new(None),
                on_wake,
                on_wake_safe,
                warned_clamp: Cell::new(false),
                queue_key,
                queue_restored: Cell::new(false),
                persisted_at: Cell::new(0),
                aid_stored: Cell::new(aid_stored),
                load: Cell::new(load),
                tab_stored: Cell::new(false),
                cookie_on: RefCell::new(None),
                decisions_dirty: Cell::new(false),
                decide_at: Cell::new(None),
                persist_now: Cell::new(false),
                last_decisions: RefCell::new(None),
                on_decisions: RefCell::new(None),
            }
        });
        Trailmark { shared }
    }
}

/// The page's calls, which the runtime makes through the module's one entry,
/// [`Trailmark::call`] (`src/web/dispatch.rs`).
impl Trailmark {
    /// Registers the runtime's renderer: called with the decisions (`[{slot, placement, rule, block, offer?, text?, preview?}]`, as
    /// [`decisions`](Self::decisions) returns them) whenever they change.
    pub fn on_decisions(&self, f: Function) {
        *self.shared.on_decisions.borrow_mut() = Some(f);
    }

    /// Applies a compiled config (the bytes of a program `trailmark build` wrote: the loader
    /// decodes the base64 `program` of a compiled config), then announces the decisions and
    /// sends anything due. Returns `undefined`, or why the program was refused (another format
    /// version, corrupt): the config in use then stays as it was.
    pub fn configure(&self, program: &[u8]) -> JsValue {
        let Some(entry) = Entry::enter() else {
            return JsValue::UNDEFINED;
        };
        let config = match crate::program::decode(program) {
            Ok(config) => config,
            Err(e) => return JsValue::from_str(&e.message()),
        };
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            t.set_config(config);
            // The config may bring journeys that what already happened moves at once (before
            // the calls made while it loaded: the page view that brought the shopper back comes
            // after the cart they abandoned was found abandoned).
            let page = page::current_page(&t.config().redact_params);
            t.check_journeys(&page, now());
            self.shared.record_calls(&mut t);
        }
        self.shared.decisions_dirty.set(true);
        pump(&self.shared, &entry);
        JsValue::UNDEFINED
    }

    /// Records a page view of the current page, with optional extra properties (in the next
    /// task, see the module docs).
    pub fn page(&self, properties: JsValue) {
        let Some(_entry) = guard::enter_to_queue() else {
            return;
        };
        let properties = self.properties(&properties);
        self.queue(Call::Page {
            properties,
            at: now(),
        });
    }

    /// Records an event (`Product Added`, ...) with properties (in the next task, see the
    /// module docs).
    pub fn track(&self, name: JsValue, properties: JsValue) {
        let Some(_entry) = guard::enter_to_queue() else {
            return;
        };
        let Some(name) = name.as_string().filter(|n| valid_event_name(n)) else {
            console::warn("track() needs an event name: a non-empty string of at most 200 bytes; call ignored");
            return;
        };
        let properties = self.properties(&properties);
        self.queue(Call::Track {
            name,
            properties,
            at: now(),
        });
    }

    /// A declarative event (`data-trailmark-event` on a clicked element or a submitted form):
    /// recorded as [`track`](Self::track) records it only when the config in use lists its
    /// name in `declarative.events`, since any markup can carry the attribute (a review, a
    /// comment). Returns `false` when the name is not listed (the runtime says so, once).
    pub fn declared(&self, name: JsValue, properties: JsValue) -> bool {
        if guard::enter_to_queue().is_none() {
            return true;
        }
        let listed = name.as_string().is_some_and(|n| {
            self.shared
                .tracker
                .try_borrow()
                .is_ok_and(|t| t.config().declarative_events.contains(&n))
        });
        if listed {
            self.track(name, properties);
        }
        listed
    }

    /// Which rule and block each slot gets on this page: `[{slot, placement, rule, block, offer?, text?, preview?}]`.
    pub fn decisions(&self) -> Array {
        let Some(_entry) = Entry::enter() else {
            return Array::new();
        };
        let Ok(mut t) = self.shared.tracker.try_borrow_mut() else {
            return Array::new();
        };
        self.shared.record_calls(&mut t);
        let page = page::current_page(&t.config().redact_params);
        decisions_to_js(&owned(&t.decide(&page, now())))
    }

    /// The page is being hidden or unloaded: hands everything queued to `sendBeacon`.
    pub fn hide(&self) {
        let Some(_entry) = Entry::enter() else {
            return;
        };
        let Ok(mut t) = self.shared.tracker.try_borrow_mut() else {
            return;
        };
        self.shared.record_calls(&mut t);
        restore_queue_once(&self.shared, &mut t);
        // Stored first: a browser may stop a closing page's handler at any point (Firefox was
        // seen doing so mid-call), and what is stored reaches the collector from the next page
        // (its dedupe drops a copy a beacon also delivered).
        queue::persist(&mut t, &self.shared.queue_key);
        visitor::persist(&mut t);
        if let Some(url) = t.collector_url().map(str::to_owned) {
            // Beacons and keepalive fetches share the browser's per-page budget.
            let budget = UNLOAD_BUDGET.saturating_sub(transport::keepalive_in_flight());
            // Only what the browser accepted leaves the queue; the rest is stored for later.
            let mut accepted = 0;
            for (body, events) in t.unload(budget, now()) {
                if !transport::beacon(&url, &body) {
                    console::warn(
                        "the browser refused a beacon; those events wait on the device for the next page",
                    );
                    break;
                }
                accepted += events;
            }
            t.beacons_sent(accepted);
        }
        // What did not fit in the beacons waits for this tab's next page (or another tab).
        queue::persist(&mut t, &self.shared.queue_key);
        visitor::persist(&mut t);
        self.shared.persisted_at.set(now());
    }

    /// The storage key of this tab's queue; the loader skips it when looking for the queues of
    /// tabs that are gone.
    pub fn queue_key(&self) -> String {
        self.shared.queue_key.clone()
    }

    /// Takes over the stored queue of another tab that is gone (the loader checks that with
    /// Web Locks): merges it into this tab's queue, removes its key and sends what is due.
    /// Returns how many events are queued afterwards.
    pub fn adopt(&self, key: String) -> u32 {
        let Some(entry) = Entry::enter() else {
            return 0;
        };
        if !key.starts_with(queue::PREFIX) || key == self.shared.queue_key {
            return 0;
        }
        let queued = match self.shared.tracker.try_borrow_mut() {
            // Only where this tab may keep a queue on the device; otherwise theirs stays stored.
            Ok(mut t) if t.effects().persist_queue => {
                restore_queue_once(&self.shared, &mut t);
                queue::restore(&mut t, &key, now());
                // Ours is written before theirs goes, so a crash in between loses nothing; if
                // ours could not be written (storage full), theirs stays where it is.
                if queue::persist(&mut t, &self.shared.queue_key) {
                    storage::remove(Area::Local, &key);
                }
                t.queued() as u32
            }
            _ => 0,
        };
        pump(&self.shared, &entry);
        queued
    }

    /// Applies the shopper's consent choice, e.g. `{analytics: "granted", personalization:
    /// "denied"}` (only the categories given change; `true`/`false` work too), stores it, and
    /// returns the resulting states `{analytics, personalization}` (each `"pending"`,
    /// `"granted"` or `"denied"`). Without an argument it only returns the states. A malformed
    /// update changes nothing and is explained on the console.
    pub fn consent(&self, update: JsValue) -> JsValue {
        let Some(entry) = Entry::enter() else {
            return JsValue::UNDEFINED;
        };
        if !update.is_undefined() && !update.is_null() {
            let raw = to_value(&update, Limits::CONFIG).value;
            let (parsed, diags) = crate::consent::parse_update(&raw);
            for d in &diags.0 {
                let mut msg = String::from("consent(): ");
                msg.push_str(&d.text());
                if d.severity == Severity::Error {
                    msg.push_str("; nothing was changed");
                }
                console::warn(&msg);
            }
            if let Some(u) = parsed {
                self.apply_consent(&entry, |t| t.set_consent(u, now()));
            }
        }
        self.consent_states()
    }

    /// Another tab changed the stored consent choice (the loader listens for `storage`
    /// events): applies it here too, so a denial in one tab stops every tab at once.
    pub fn consent_changed(&self) -> JsValue {
        let Some(entry) = Entry::enter() else {
            return JsValue::UNDEFINED;
        };
        self.apply_consent(&entry, restore_consent);
        self.consent_states()
    }

    /// Records who the visitor is: `identify("user-42", {email_opt_in: true})`. Later events
    /// (in every tab) carry `userId`.
    pub fn identify(&self, user_id: JsValue, traits: JsValue) {
        let Some(entry) = Entry::enter() else {
            return;
        };
        let Some(id) = user_id.as_string().filter(|n| valid_event_name(n)) else {
            console::warn(
                "identify() needs a user id: a non-empty string of at most 200 bytes; call ignored",
            );
            return;
        };
        let traits = self.properties(&traits);
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            self.shared.record_calls(&mut t);
            let page = page::current_page(&t.config().redact_params);
            t.identify(id.trim(), traits, &page, random::uuid(), now());
        }
        self.shared.decisions_dirty.set(true);
        pump(&self.shared, &entry);
    }

    /// Forgets the visitor: events already recorded are delivered under the identity they were
    /// recorded with; then a new anonymous id, no user id, a new session and an empty profile.
    pub fn reset(&self) {
        let Some(entry) = Entry::enter() else {
            return;
        };
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            self.shared.record_calls(&mut t);
            t.reset(random::uuid(), now());
            // The new id replaces the stored one (consent permitting) before the record that
            // tells the other tabs to reset is written: they read the id when they see it.
            self.shared.aid_stored.set(false);
            *self.shared.cookie_on.borrow_mut() = None;
            super::ids::sync_ids(&self.shared, &t);
            visitor::persist(&mut t);
        }
        self.shared.decisions_dirty.set(true);
        pump(&self.shared, &entry);
    }

    /// The visitor as rules see it: `{visitor, session, views, cart, orders, utm}` (empty while
    /// personalization is denied).
    pub fn profile(&self) -> JsValue {
        let Some(_entry) = Entry::enter() else {
            return JsValue::UNDEFINED;
        };
        let Ok(mut t) = self.shared.tracker.try_borrow_mut() else {
            return JsValue::UNDEFINED;
        };
        self.shared.record_calls(&mut t);
        let mut attrs = t.attributes(&Page::default());
        if let Value::Object(m) = &mut attrs {
            m.remove("page");
        }
        to_js(&attrs)
    }

    /// Another tab wrote the visitor record (the loader listens for `storage` events): merges
    /// it, so no cart item or count is lost, and announces the decisions.
    pub fn profile_changed(&self) {
        let Some(entry) = Entry::enter() else {
            return;
        };
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            self.shared.record_calls(&mut t);
            self.merge_visitor(&mut t);
        }
        self.shared.decisions_dirty.set(true);
        pump(&self.shared, &entry);
    }

    /// The page came back from the back/forward cache: it counts as a new page load of the tab
    /// (so its events sort after those of the pages loaded meanwhile), and reads the visitor
    /// record again (other tabs' writes may not have reached a cached page).
    ///
    /// A cached page hears no `storage` events: a consent choice or a sign-out made on the pages
    /// in between is read from storage here, before anything is recorded. Returns the consent
    /// states, as [`consent_changed`](Self::consent_changed) does.
    pub fn resumed(&self) -> JsValue {
        let Some(entry) = Entry::enter() else {
            return JsValue::UNDEFINED;
        };
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            self.shared.record_calls(&mut t);
            restore_consent(&mut t);
            let load = read_tab().1.max(self.shared.load.get() + 1);
            self.shared.load.set(load);
            if self.shared.tab_stored.get() {
                store_tab(&t.identity().tab_id, load);
            }
            t.new_page_load(load * SEQ_PER_LOAD);
            self.merge_visitor(&mut t);
            queue::persist(&mut t, &self.shared.queue_key);
        }
        self.shared.decisions_dirty.set(true);
        pump(&self.shared, &entry);
        self.consent_states()
    }

    /// Claims the session's dialog for `rule` (the runtime calls it holding the Web Lock
    /// `trailmark:dialog`, so two tabs never both open it): reads the visitor record again
    /// (another tab may just have shown one), and if the rule's dialog, showing `block` (the
    /// block id the page is about to show; `""`: a control's would-be dialog), may still open,
    /// records its `Block Viewed` and stores the record at once. Returns whether it may open.
    pub fn claim_dialog(&self, rule: String, block: String) -> bool {
        let Some(entry) = Entry::enter() else {
            return false;
        };
        let claimed = match self.shared.tracker.try_borrow_mut() {
            Ok(mut t) => {
                self.shared.record_calls(&mut t);
                self.merge_visitor(&mut t);
                let page = page::current_page(&t.config().redact_params);
                let claimed = t.claim_dialog(&rule, &block, &page, random::uuid(), now());
                if claimed {
                    visitor::persist(&mut t);
                }
                claimed
            }
            Err(_) => false,
        };
        self.shared.decisions_dirty.set(true);
        pump(&self.shared, &entry);
        claimed
    }

    /// The page asks that no dialog open (`true`: while its own consent banner is open, on the
    /// checkout...) or lifts that (`false`). An open dialog stays open.
    pub fn suppress_dialogs(&self, on: bool) {
        let Some(entry) = Entry::enter() else {
            return;
        };
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            t.page_state().suppress_dialogs = on;
        }
        self.shared.decisions_dirty.set(true);
        pump(&self.shared, &entry);
    }

    /// Whether the page sampler (`js/exit.js`) is needed: a rule reads `page.scrollDepth` or
    /// `page.idle`, or waits for exit intent. The runtime asks after each config.
    pub fn watching(&self) -> bool {
        let Some(_entry) = Entry::enter() else {
            return false;
        };
        self.shared
            .tracker
            .try_borrow()
            .is_ok_and(|t| t.watching().sampler())
    }

    /// One sample of the page sampler, as plain numbers (see `Sample::from_numbers`). Most
    /// change nothing rules read and only move the next wake-up; the module decides again
    /// when one does (a deeper scroll, exit intent).
    pub fn sample(&self, kind: u32, at: f64, a: f64, b: f64, c: f64, d: f64) {
        let Some(entry) = Entry::enter() else {
            return;
        };
        let Some(sample) = crate::exit::Sample::from_numbers(kind, at, a, b, c, d) else {
            return;
        };
        let wake = match self.shared.tracker.try_borrow_mut() {
            Ok(mut t) => {
                let redact = t.config().redact_params.clone();
                if t.sample(sample, &|| page::current_page(&redact)) {
                    self.shared.decisions_dirty.set(true);
                }
                t.next_wake()
            }
            Err(_) => return,
        };
        if self.shared.decisions_dirty.get() {
            pump(&self.shared, &entry);
        } else {
            super::pump::schedule(&self.shared, wake);
        }
    }

    /// Preview and debugging: with the config's preview key, forces `rule`'s block for this
    /// page load (an empty rule forces none), or its experiment's `variant` (empty: the
    /// visitor's own), and answers true; any other key changes nothing.
    pub fn preview(&self, key: String, rule: String, variant: String) -> bool {
        let Some(entry) = Entry::enter() else {
            return false;
        };
        let ok = match self.shared.tracker.try_borrow_mut() {
            Ok(mut t) => t.preview(&key, (!rule.is_empty()).then_some(rule), variant),
            Err(_) => false,
        };
        self.shared.decisions_dirty.set(true);
        pump(&self.shared, &entry);
        ok
    }

    /// This tab's state for `trailmark.explain()` (which the tools chunk works out): the
    /// visitor record, what consent allows, this page view's state and the page.
    pub fn explain_state(&self) -> JsValue {
        let Some(_entry) = Entry::enter() else {
            return JsValue::NULL;
        };
        let Ok(mut t) = self.shared.tracker.try_borrow_mut() else {
            return JsValue::NULL;
        };
        self.shared.record_calls(&mut t);
        let page = page::current_page(&t.config().redact_params);
        let mut state = t.explain_state(now());
        if let Value::Object(m) = &mut state {
            m.insert("page", Value::Object(page.to_map()));
        }
        to_js(&state)
    }

    /// Events waiting on the device (for tests and debugging).
    pub fn queued(&self) -> u32 {
        let Some(_entry) = Entry::enter() else {
            return 0;
        };
        let Ok(mut t) = self.shared.tracker.try_borrow_mut() else {
            return 0;
        };
        self.shared.record_calls(&mut t);
        restore_queue_once(&self.shared, &mut t);
        (t.queued() + t.held()) as u32
    }
}

impl Default for Trailmark {
    fn default() -> Self {
        Self::new(JsValue::UNDEFINED)
    }
}

impl Trailmark {
    /// Queues a call to be recorded right after the caller's code returns (see `pump::soon`).
    fn queue(&self, call: Call) {
        self.shared.calls.borrow_mut().push(call);
        soon(&self.shared);
    }

    /// Changes consent with `change`, then writes the stored queue at once (not on the
    /// once-a-second schedule: a denial removes it), announces the decisions and sends what is
    /// due.
    fn apply_consent(&self, entry: &Entry, change: impl FnOnce(&mut Tracker)) {
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            self.shared.record_calls(&mut t);
            change(&mut t);
            queue::persist(&mut t, &self.shared.queue_key);
        }
        self.shared.decisions_dirty.set(true);
        pump(&self.shared, entry);
    }

    /// Merges the stored visitor record; when another page reset the visitor meanwhile, takes
    /// its new anonymous id (a fresh one here when ids are not stored).
    fn merge_visitor(&self, t: &mut Tracker) {
        let reset_at = t.visitor().reset_at;
        visitor::restore(t);
        if t.visitor().reset_at != reset_at {
            let stored = read_id(Area::Local, ANON_KEY);
            self.shared.aid_stored.set(stored.is_some());
            *self.shared.cookie_on.borrow_mut() = None;
            t.set_anonymous_id(stored.unwrap_or_else(random::uuid));
        }
    }

    /// `{analytics, personalization}`, each `"pending"`, `"granted"` or `"denied"`.
    fn consent_states(&self) -> JsValue {
        self.shared
            .tracker
            .try_borrow()
            .map(|t| to_js(&t.consent().states()))
            .unwrap_or(JsValue::UNDEFINED)
    }

    fn properties(&self, v: &JsValue) -> Map {
        if v.is_undefined() || v.is_null() {
            return Map::new();
        }
        let converted = to_value(v, Limits::PROPERTIES);
        if converted.clamped && !self.shared.warned_clamp.replace(true) {
            console::warn("event properties were too large, too deep, cyclic or unreadable and were cut to fit the limits");
        }
        match converted.value {
            Value::Object(m) => m,
            // Unreadable as a whole (a revoked Proxy): warned about just above.
            Value::Null if converted.clamped => Map::new(),
            _ => {
                console::warn("event properties must be an object; ignored them");
                Map::new()
            }
        }
    }
}

/// Reads the queue this tab's last page left (a reload, a crash), once: it goes out before
/// anything recorded since.
pub(super) fn restore_queue_once(shared: &Shared, t: &mut Tracker) {
    if !shared.queue_restored.replace(true) {
        queue::restore(t, &shared.queue_key, now());
    }
}

fn valid_event_name(name: &str) -> bool {
    !name.trim().is_empty() && name.len() <= crate::limits::MAX_EVENT_NAME_BYTES
}

fn set(obj: &Object, key: &str, value: &str) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &JsValue::from_str(value));
}

/// A decision as handed to the runtime's renderer (owned: compared with the next ones).
#[derive(PartialEq)]
pub(super) struct Owned {
    slot: String,
    placement: &'static str,
    rule: String,
    block: String,
    offer: Option<String>,
    /// The filled texts (a changed amount is a changed decision: the page fills it again).
    texts: Vec<Value>,
    preview: bool,
}

impl Owned {
    fn of(d: &crate::tracker::Decision<'_>) -> Owned {
        Owned {
            slot: d.slot.to_owned(),
            placement: d.placement.name(),
            rule: d.rule.to_owned(),
            block: d.block_id.to_owned(),
            offer: d.offer.map(str::to_owned),
            texts: d.texts.clone(),
            preview: d.preview,
        }
    }
}

/// The decisions as the shell keeps them (a plain loop: `map(..).collect()` is code of its own
/// per type in the module).
fn owned(decisions: &[crate::tracker::Decision<'_>]) -> Vec<Owned> {
    let mut out = Vec::new();
    for d in decisions {
        out.push(Owned::of(d));
    }
    out
}

/// `[{slot, placement, rule, block, offer?, text?}]` (`text`: the filled texts' pieces).
fn decisions_to_js(decisions: &[Owned]) -> Array {
    array(decisions.iter().map(|d| {
        let o = Object::new();
        set(&o, "slot", &d.slot);
        set(&o, "placement", d.placement);
        set(&o, "rule", &d.rule);
        set(&o, "block", &d.block);
        if let Some(code) = &d.offer {
            set(&o, "offer", code);
        }
        if d.preview {
            let _ = Reflect::set(&o, &"preview".into(), &JsValue::TRUE);
        }
        if !d.texts.is_empty() {
            let _ = Reflect::set(&o, &"text".into(), &to_js(&Value::Array(d.texts.clone())));
        }
        JsValue::from(o)
    }))
}

/// Panics on purpose inside a timer the module owns (test builds only), so browser tests can
/// check that nothing reaches the page from there either.
#[cfg(feature = "test-hooks")]
#[wasm_bindgen(js_name = __testPanicInTimer)]
pub fn test_panic_in_timer() {
    // Inside the entry guard, as the module's real timer callback (`pump`) runs.
    let boom = Closure::once_into_js(|| -> () {
        let _entry = Entry::enter();
        panic!("deliberate test panic in a timer")
    });
    let f = fetch::safe(boom.unchecked_ref(), "a timer");
    let _ = super::global::window().set_timeout_with_callback_and_timeout_and_arguments_0(&f, 0);
}

/// Panics on purpose, so browser tests can check that a panic is contained (test builds only).
#[cfg(feature = "test-hooks")]
#[wasm_bindgen(js_name = __testPanic)]
pub fn test_panic() {
    panic!("deliberate test panic");
}
