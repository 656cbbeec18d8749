//! The browser shell (`wasm32` only): the one exported class, [`Trailmark`], plus the engine
//! functions of the JS API. It translates between the page and the core and performs the I/O
//! the core asks for; it holds no business logic.
//!
//! Re-entrancy: fetch completions and timers push inputs into an inbox and call [`pump`],
//! which drains it only if no other call is already inside the tracker, so the tracker's
//! `RefCell` is never borrowed twice.

#[cfg(feature = "bench-hooks")]
pub mod bench;
mod console;
pub mod convert;
mod cookie;
mod dom;
pub mod fetch;
mod guard;
pub(crate) mod jsnum;
mod panic;
mod queue;
mod random;
mod signals;
pub mod storage;
mod transport;
mod visitor;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

use crate::config;
use crate::diag::{Diagnostic, Severity};
use crate::outbox::Outcome;
use crate::time::Millis;
use crate::tracker::{Identity, Tracker, SEQ_PER_LOAD};
use crate::value::{Map, Value};
use convert::{js_float, to_js, to_value, Limits};
use guard::Entry;
use storage::Area;

/// Storage key of the anonymous id (versioned envelope).
const ANON_KEY: &str = "trailmark:aid";
/// Storage key of the tab id (sessionStorage: one per tab, kept across reloads).
const TAB_KEY: &str = "trailmark:tab";
/// Storage key of this tab's page-load counter (sessionStorage), which numbers `seq` blocks.
const LOADS_KEY: &str = "trailmark:loads";
/// Storage key of the shopper's consent choice (the core's own versioned record).
const CONSENT_KEY: &str = "trailmark:consent";
/// All beacons sent while the page goes away, together (browsers allow 64 KB per page).
const UNLOAD_BUDGET: usize = 60 * 1024;

enum Input {
    Settled { id: u64, outcome: Outcome },
}

struct Shared {
    tracker: RefCell<Tracker>,
    inbox: RefCell<Vec<Input>>,
    /// (timeout handle, when it fires) of the pending wake-up.
    timer: Cell<Option<(i32, Millis)>>,
    /// One long-lived callback for every timeout: never dropped while a timer can call it
    /// (held here only to keep it alive; timeouts call it through `on_timer_safe`).
    #[allow(dead_code)]
    on_timer: Closure<dyn FnMut()>,
    /// `on_timer` behind the [`fetch::safe`] wrapper: what timeouts actually call.
    on_timer_safe: js_sys::Function,
    warned_clamp: Cell<bool>,
    /// This tab's stored-queue key (see `queue.rs`).
    queue_key: String,
    /// When the queue was last written to storage.
    persisted_at: Cell<Millis>,
    /// Whether the anonymous id is in storage now.
    aid_stored: Cell<bool>,
    /// The domain this page wrote the id's cookie on (`""`: this page removed it), if any.
    cookie_on: RefCell<Option<String>>,
}

fn now() -> Millis {
    js_sys::Date::now() as Millis
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
    /// names a collector.
    #[wasm_bindgen(constructor)]
    pub fn new(env: JsValue) -> Trailmark {
        panic::install();
        let env = to_value(&env, Limits::CONFIG).value;
        let tab_id = stored_id(Area::Session, TAB_KEY);
        let queue_key = queue::key_for(&tab_id);
        // The anonymous id is a tracking identifier: it is kept in storage only while analytics
        // is granted (see `sync_anonymous_id`); until then it lives in memory.
        // A checkout on another subdomain finds the id in the cookie on the store's domain.
        let stored_aid = read_id(Area::Local, ANON_KEY).or_else(cookie::read_id);
        let aid_stored = stored_aid.is_some();
        let identity = Identity {
            anonymous_id: stored_aid.unwrap_or_else(random::uuid),
            tab_id,
            seq_base: next_load() * SEQ_PER_LOAD,
            user_agent: web_sys::window()
                .and_then(|w| w.navigator().user_agent().ok())
                .unwrap_or_default(),
            locale: web_sys::window()
                .and_then(|w| w.navigator().language())
                .unwrap_or_default(),
            timezone: env
                .get("timezone")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
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
        // What this tab's last page left unsent (a reload, a crash) goes first.
        queue::restore(&mut tracker, &queue_key, now());
        let shared = Rc::new_cyclic(|weak: &Weak<Shared>| {
            let weak = weak.clone();
            let on_timer: Closure<dyn FnMut()> = Closure::new(move || {
                if let Some(s) = weak.upgrade() {
                    s.timer.set(None);
                    if let Some(entry) = Entry::enter() {
                        pump(&s, &entry);
                    }
                }
            });
            let on_timer_safe = fetch::safe(on_timer.as_ref().unchecked_ref(), "a timer");
            Shared {
                tracker: RefCell::new(tracker),
                inbox: RefCell::new(Vec::new()),
                timer: Cell::new(None),
                on_timer,
                on_timer_safe,
                warned_clamp: Cell::new(false),
                queue_key,
                persisted_at: Cell::new(0),
                aid_stored: Cell::new(aid_stored),
                cookie_on: RefCell::new(None),
            }
        });
        Trailmark { shared }
    }

    /// Compiles and applies a parsed config, keeping whatever part of it is valid, then renders
    /// slots and sends anything due. Returns every diagnostic as `{severity, code, path,
    /// message}` (the loader turns errors into `TrailmarkError`s and logs them).
    pub fn configure(&self, config: JsValue) -> Array {
        let Some(entry) = Entry::enter() else {
            return Array::new();
        };
        let raw = to_value(&config, Limits::CONFIG).value;
        let compiled = config::compile(&raw);
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            t.set_config(compiled.config);
            // The config may bring journeys that what already happened moves at once.
            let page = dom::current_page(&t.config().redact_params);
            t.check_journeys(&page, now());
        }
        self.render_now();
        pump(&self.shared, &entry);
        diagnostics_to_js(&compiled.diagnostics.0)
    }

    /// Records a page view of the current page, with optional extra properties.
    pub fn page(&self, properties: JsValue) {
        let Some(entry) = Entry::enter() else {
            return;
        };
        let props = self.properties(&properties);
        let page = self.current_page();
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            t.page(&page, props, random::uuid(), now());
        }
        // Rules may read what just happened (history, cart, journeys).
        self.render_now();
        pump(&self.shared, &entry);
    }

    /// Records an event (`Product Added`, ...) with properties.
    pub fn track(&self, name: JsValue, properties: JsValue) {
        let Some(entry) = Entry::enter() else {
            return;
        };
        let Some(name) = name.as_string().filter(|n| valid_event_name(n)) else {
            console::warn("track() needs an event name: a non-empty string of at most 200 bytes; call ignored");
            return;
        };
        let props = self.properties(&properties);
        let page = self.current_page();
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            t.track(&name, props, &page, random::uuid(), now());
        }
        // Rules may read what just happened (history, cart, journeys).
        self.render_now();
        pump(&self.shared, &entry);
    }

    /// Renders the decided block into each slot; returns how many slots changed.
    pub fn render(&self) -> u32 {
        match Entry::enter() {
            Some(_entry) => self.render_now(),
            None => 0,
        }
    }

    /// Which rule and block each slot gets on this page: `[{slot, rule, block}]`.
    pub fn decisions(&self) -> Array {
        let out = Array::new();
        let Some(_entry) = Entry::enter() else {
            return out;
        };
        let page = self.current_page();
        if let Ok(t) = self.shared.tracker.try_borrow() {
            for d in t.decide(&page, now()) {
                let o = Object::new();
                set(&o, "slot", d.slot);
                set(&o, "rule", d.rule);
                set(&o, "block", d.block_id);
                out.push(&o);
            }
        }
        out
    }

    /// The page is being hidden or unloaded: hands everything queued to `sendBeacon`.
    pub fn hide(&self) {
        let Some(_entry) = Entry::enter() else {
            return;
        };
        let Ok(mut t) = self.shared.tracker.try_borrow_mut() else {
            return;
        };
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
    #[wasm_bindgen(js_name = queueKey)]
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
    #[wasm_bindgen(js_name = consentChanged)]
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
        let page = self.current_page();
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            t.identify(id.trim(), traits, &page, random::uuid(), now());
        }
        // Rules may read what just happened (history, cart, journeys).
        self.render_now();
        pump(&self.shared, &entry);
    }

    /// Forgets the visitor: events already recorded are delivered under the identity they were
    /// recorded with; then a new anonymous id, no user id, a new session and an empty profile.
    pub fn reset(&self) {
        let Some(entry) = Entry::enter() else {
            return;
        };
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            t.reset(random::uuid(), now());
            // The new id replaces the stored one (consent permitting) before the record that
            // tells the other tabs to reset is written: they read the id when they see it.
            self.shared.aid_stored.set(false);
            *self.shared.cookie_on.borrow_mut() = None;
            sync_anonymous_id(&self.shared, &t);
            visitor::persist(&mut t);
        }
        self.render_now();
        pump(&self.shared, &entry);
    }

    /// The visitor as rules see it: `{visitor, session, views, cart, orders, utm}` (empty while
    /// personalization is denied).
    pub fn profile(&self) -> JsValue {
        let Some(_entry) = Entry::enter() else {
            return JsValue::UNDEFINED;
        };
        let page = self.current_page();
        self.shared
            .tracker
            .try_borrow()
            .map(|t| {
                let mut attrs = t.attributes(&page);
                if let Value::Object(m) = &mut attrs {
                    m.remove("page");
                }
                to_js(&attrs)
            })
            .unwrap_or(JsValue::UNDEFINED)
    }

    /// Another tab wrote the visitor record (the loader listens for `storage` events): merges
    /// it, so no cart item or count is lost, and re-renders.
    #[wasm_bindgen(js_name = profileChanged)]
    pub fn profile_changed(&self) {
        let Some(entry) = Entry::enter() else {
            return;
        };
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            self.merge_visitor(&mut t);
        }
        self.render_now();
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
            restore_consent(&mut t);
            t.new_page_load(next_load() * SEQ_PER_LOAD);
            self.merge_visitor(&mut t);
            queue::persist(&mut t, &self.shared.queue_key);
        }
        self.render_now();
        pump(&self.shared, &entry);
        self.consent_states()
    }

    /// Events waiting on the device (for tests and debugging).
    pub fn queued(&self) -> u32 {
        let Some(_entry) = Entry::enter() else {
            return 0;
        };
        self.shared
            .tracker
            .try_borrow()
            .map(|t| (t.queued() + t.held()) as u32)
            .unwrap_or(0)
    }
}

impl Default for Trailmark {
    fn default() -> Self {
        Self::new(JsValue::UNDEFINED)
    }
}

impl Trailmark {
    /// Changes consent with `change`, then writes the stored queue at once (not on the
    /// once-a-second schedule: a denial removes it), re-renders and sends what is due.
    fn apply_consent(&self, entry: &Entry, change: impl FnOnce(&mut Tracker)) {
        if let Ok(mut t) = self.shared.tracker.try_borrow_mut() {
            change(&mut t);
            queue::persist(&mut t, &self.shared.queue_key);
        }
        self.render_now();
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

    /// The current page, cleaned with the config's privacy settings.
    fn current_page(&self) -> crate::tracker::Page {
        match self.shared.tracker.try_borrow() {
            Ok(t) => dom::current_page(&t.config().redact_params),
            Err(_) => dom::current_page(&[]),
        }
    }

    fn render_now(&self) -> u32 {
        let page = self.current_page();
        self.shared
            .tracker
            .try_borrow()
            .map(|t| dom::apply(&t.decide(&page, now())) as u32)
            .unwrap_or(0)
    }

    fn properties(&self, v: &JsValue) -> Map {
        if v.is_undefined() || v.is_null() {
            return Map::new();
        }
        let converted = to_value(v, Limits::PROPERTIES);
        if converted.clamped && !self.shared.warned_clamp.replace(true) {
            console::warn("event properties were too large, too deep or cyclic and were cut to fit the limits");
        }
        match converted.value {
            Value::Object(m) => m,
            _ => {
                console::warn("event properties must be an object; ignored them");
                Map::new()
            }
        }
    }
}

fn valid_event_name(name: &str) -> bool {
    !name.trim().is_empty() && name.len() <= crate::limits::MAX_EVENT_NAME_BYTES
}

/// Counts this page load in the tab's sessionStorage and returns its number (1 on the first
/// load, 1 again when storage is unavailable or unreadable: order within a page still holds).
fn next_load() -> u64 {
    let previous = match storage::read(Area::Session, LOADS_KEY, 1) {
        Some(Value::Number(n)) if (0.0..1e9).contains(&n) && n.fract() == 0.0 => n as u64,
        _ => 0,
    };
    let load = previous + 1;
    storage::write(Area::Session, LOADS_KEY, 1, &Value::Number(load as f64));
    load
}

/// A stored id, if there is a readable one.
fn read_id(area: Area, key: &str) -> Option<String> {
    match storage::read(area, key, 1) {
        Some(Value::String(id)) if !id.is_empty() && id.len() <= 64 => Some(id),
        _ => None,
    }
}

/// Stores the anonymous id once analytics is granted (and in the cookie on the configured
/// domain, once per page), and removes both when analytics is denied.
fn sync_anonymous_id(shared: &Shared, tracker: &Tracker) {
    let effects = tracker.effects();
    let stored = shared.aid_stored.get();
    if effects.send_events && !stored {
        let id = Value::String(tracker.anonymous_id().to_owned());
        shared
            .aid_stored
            .set(storage::write(Area::Local, ANON_KEY, 1, &id));
    } else if effects.discard_events && stored {
        storage::remove(Area::Local, ANON_KEY);
        shared.aid_stored.set(false);
    }
    let domain = tracker.config().cookie_domain.as_deref();
    let mut cookie_on = shared.cookie_on.borrow_mut();
    match domain {
        Some(d) if effects.send_events && cookie_on.as_deref() != Some(d) => {
            cookie::store_id(tracker.anonymous_id(), d);
            *cookie_on = Some(d.to_owned());
        }
        Some(d) if effects.discard_events && cookie_on.as_deref() != Some("") => {
            cookie::remove(d);
            *cookie_on = Some(String::new());
        }
        _ => {}
    }
}

/// Reads a stored id, creating and storing a fresh one when missing or unreadable.
fn stored_id(area: Area, key: &str) -> String {
    if let Some(id) = read_id(area, key) {
        return id;
    }
    let id = random::uuid();
    storage::write(area, key, 1, &Value::String(id.clone()));
    id
}

/// Restores the stored consent choice; an unreadable or foreign record is removed (fresh start).
fn restore_consent(tracker: &mut Tracker) {
    let Some(text) = storage::get(Area::Local, CONSENT_KEY) else {
        return;
    };
    let stored = js_sys::JSON::parse(&text)
        .map(|v| to_value(&v, Limits::CONFIG).value)
        .unwrap_or_default();
    if !tracker.restore_consent(&stored) {
        console::warn("ignored an unreadable stored consent choice; starting fresh");
        storage::remove(Area::Local, CONSENT_KEY);
    }
}

/// Writes what consent changes ask to be written: the choice, and the erasure of the stored
/// profile when personalization was denied.
fn store_consent(tracker: &mut Tracker) {
    if let Some(record) = tracker.take_consent_to_store() {
        storage::set(Area::Local, CONSENT_KEY, &record);
    }
    if tracker.take_profile_erasure() {
        visitor::erase();
    }
}

/// Drains the inbox, sends whatever is due and sets the next wake-up.
/// Needs the caller's [`Entry`]: only one call is ever inside the module.
fn pump(shared: &Rc<Shared>, _entry: &Entry) {
    let Ok(mut t) = shared.tracker.try_borrow_mut() else {
        return; // the call already inside the tracker drains the inbox when it returns
    };
    store_consent(&mut t);
    sync_anonymous_id(shared, &t);
    loop {
        let input = {
            let mut inbox = shared.inbox.borrow_mut();
            (!inbox.is_empty()).then(|| inbox.remove(0))
        };
        match input {
            Some(Input::Settled { id, outcome }) => {
                let refused = t.rejected();
                t.complete(id, outcome, now(), random::unit());
                // A 4xx, or a 413 for a single event: the collector will never take these.
                if t.rejected() > refused {
                    console::error(
                        "the collector refused events (4xx, or one event too large); they were dropped",
                    );
                }
            }
            None => break,
        }
    }
    // Time alone can move a journey ("no checkout within 30 minutes"): check when due, and
    // show what the move changes.
    let at = now();
    if t.journeys_wake().is_some_and(|w| at >= w) {
        let page = dom::current_page(&t.config().redact_params);
        if t.check_journeys(&page, at) > 0 {
            dom::apply(&t.decide(&page, at));
        }
    }
    if let (Some(url), Some(req)) = (t.collector_url().map(str::to_owned), t.poll(now())) {
        let weak = Rc::downgrade(shared);
        let id = req.id;
        let (gzip, headers) = t
            .config()
            .collector
            .as_ref()
            .map_or((false, String::new()), |c| {
                (c.gzip, header_lines(&c.headers))
            });
        transport::post_with(&url, &req.body, gzip, &headers, move |outcome| {
            if let Some(s) = weak.upgrade() {
                s.inbox.borrow_mut().push(Input::Settled { id, outcome });
                // If a call is inside the module (a synchronous settle), it drains the inbox.
                if let Some(entry) = Entry::enter() {
                    pump(&s, &entry);
                }
            }
        });
    }
    let mut wake = t.next_wake();
    // The queue goes to storage in batches: at most once a second, never per event.
    let due = shared.persisted_at.get() + queue::PERSIST_EVERY_MS;
    if t.queue_dirty() || t.visitor_dirty() {
        let at = now();
        if at >= due {
            queue::persist(&mut t, &shared.queue_key);
            visitor::persist(&mut t);
            shared.persisted_at.set(at);
        } else {
            wake = Some(wake.map_or(due, |w| w.min(due)));
        }
    }
    drop(t);
    schedule(shared, wake);
}

/// Configured headers as `name\nvalue\n...` for the fetch helper (see `fetch.rs`).
fn header_lines(headers: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in headers {
        out.push_str(name);
        out.push('\n');
        out.push_str(value);
        out.push('\n');
    }
    out
}

/// Makes sure a timeout fires at `at` (or keeps an earlier one).
fn schedule(shared: &Shared, at: Option<Millis>) {
    let Some(at) = at else {
        return;
    };
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some((handle, pending)) = shared.timer.get() {
        if pending <= at {
            return;
        }
        window.clear_timeout_with_handle(handle);
    }
    let delay = (at - now()).clamp(0, i32::MAX as Millis) as i32;
    if let Ok(handle) =
        window.set_timeout_with_callback_and_timeout_and_arguments_0(&shared.on_timer_safe, delay)
    {
        shared.timer.set(Some((handle, at)));
    }
}

fn set(obj: &Object, key: &str, value: &str) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &JsValue::from_str(value));
}

fn diagnostics_to_js(diags: &[Diagnostic]) -> Array {
    diags
        .iter()
        .map(|d| {
            let o = Object::new();
            set(
                &o,
                "severity",
                if d.severity == Severity::Error {
                    "error"
                } else {
                    "warning"
                },
            );
            set(&o, "code", d.code);
            set(&o, "path", &d.path);
            set(&o, "message", &d.message);
            JsValue::from(o)
        })
        .collect()
}

/// GrowthBook's `evalCondition(attributes, condition, savedGroups)`, on the same engine rules
/// use. Malformed conditions evaluate to `false`; never throws.
#[wasm_bindgen(js_name = evalCondition)]
pub fn eval_condition(attributes: JsValue, condition: JsValue, saved_groups: JsValue) -> bool {
    let Some(_entry) = Entry::enter() else {
        return false;
    };
    let attributes = to_value(&attributes, Limits::CONFIG).value;
    let condition = to_value(&condition, Limits::CONFIG).value;
    let groups = match to_value(&saved_groups, Limits::CONFIG).value {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    crate::rules::eval_condition(&attributes, &condition, &groups)
}

/// Compiles a config without applying it: every diagnostic as `{severity, code, path, message}`.
#[wasm_bindgen(js_name = validateConfig)]
pub fn validate_config(config: JsValue) -> Array {
    let Some(_entry) = Entry::enter() else {
        return Array::new();
    };
    let raw = to_value(&config, Limits::CONFIG).value;
    diagnostics_to_js(&config::compile(&raw).diagnostics.0)
}

/// Whether a trap stopped this module. The loader asks after catching an exception (when no
/// call can be running), so the failure is reported exactly once.
#[wasm_bindgen(js_name = isDead)]
pub fn is_dead() -> bool {
    guard::is_stuck() || panic::is_dead()
}

/// Whether the panic hook already explained the failure on the console.
#[wasm_bindgen(js_name = panicReported)]
pub fn panic_reported() -> bool {
    panic::is_dead()
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
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&f, 0);
    }
}

/// Panics on purpose, so browser tests can check that a panic is contained (test builds only).
#[cfg(feature = "test-hooks")]
#[wasm_bindgen(js_name = __testPanic)]
pub fn test_panic() {
    panic!("deliberate test panic");
}

/// The module's allocator: talc instead of the default dlmalloc (fewer bytes, see the README).
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
