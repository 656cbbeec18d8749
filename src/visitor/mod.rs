//! The visitor: their session, their profile and their identity, shared by the tabs of the
//! origin and rolled up from their events.
//!
//! Everything here is a fold over events ([`Op`]s): [`Visitor::observe`] applies one and keeps
//! it for a minute in a journal. The shell stores the visitor as one record (see `record.rs`);
//! when another tab writes that record, [`Visitor::merge`] takes theirs and replays on top of it
//! the events of this tab it does not include yet. The record remembers, per tab, the last event
//! it includes, so nothing is counted twice and no cart item or count written by one tab is lost
//! to another tab's write (see `merge` for the one window where that can still happen).

mod campaign;
mod cart;
mod counts;
mod profile;
mod record;
mod session;

pub use campaign::from_search as campaign_from_search;
pub use cart::{Cart, Item};
pub use counts::{Count, Counts};
pub use profile::{Profile, MAX_CATEGORIES, MAX_PAGES, MAX_PRODUCTS};
pub use session::{Session, IDLE_MS, MAX_MS};

use crate::event::Kind;
use crate::time::Millis;
use crate::value::{Map, Value};

/// The event a page's engagement (visible time, scroll depth) is reported as.
pub const ENGAGEMENT: &str = "Page Engagement";

/// How long this tab keeps its own events for replay onto another tab's record.
pub const JOURNAL_MS: Millis = 60_000;
/// Most events kept for replay (a GA4 push with 200 items is 200 events in one call).
pub const JOURNAL_EVENTS: usize = 256;
/// Longest text the visitor model keeps (ids, names, referrers), in bytes.
pub const MAX_TEXT_BYTES: usize = 200;

/// Most `identify` traits kept for personal text (`/identity/traits` names them).
pub const MAX_TRAITS: usize = 16;

/// Most tabs the record remembers (the tabs seen least recently are forgotten first).
pub const MAX_TABS: usize = 16;

/// One observed event, as the visitor model needs it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Op {
    /// This tab's number for it (increasing across the tab's page loads).
    pub seq: u64,
    /// When it happened.
    pub at: Millis,
    /// `page`, `track` or `identify`.
    pub kind: Kind,
    /// The event name (`track`) or the user id (`identify`).
    pub name: String,
    /// Its properties.
    pub properties: Map,
    /// The page's path.
    pub path: String,
    /// The page's campaign (UTM), if any.
    pub campaign: Option<Map>,
    /// The page's referrer.
    pub referrer: String,
}

/// The last event of a tab a record includes.
#[derive(Clone, Debug, PartialEq)]
struct Seen {
    tab: String,
    seq: u64,
    at: Millis,
}

/// The visitor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Visitor {
    /// The current session.
    pub session: Session,
    /// The profile (empty while personalization is denied).
    pub profile: Profile,
    /// The site's user id, from `identify`.
    pub user_id: Option<String>,
    /// When the visitor's identity was last reset (a newer reset in any tab wins).
    pub reset_at: Millis,
    seen: Vec<Seen>,
    journal: Vec<Op>,
    next_op: u64,
    dirty: bool,
    /// Whether the profile is kept (personalization not denied).
    keep_profile: bool,
}

impl Visitor {
    /// A new visitor; this tab numbers its events from `first_op + 1`.
    pub fn new(first_op: u64, keep_profile: bool) -> Self {
        Visitor {
            next_op: first_op,
            keep_profile,
            ..Visitor::default()
        }
    }

    /// Applies event `op` (its `seq` is assigned here) for tab `tab`; true when it started a
    /// new session.
    pub fn observe(&mut self, tab: &str, mut op: Op) -> bool {
        self.next_op += 1;
        op.seq = self.next_op;
        // A referrer can be any URL; the session and the profile keep it, and the record reads
        // back no longer strings than this.
        crate::text::truncate_at_boundary(&mut op.referrer, MAX_TEXT_BYTES);
        let started = self.apply(tab, &op);
        let horizon = op.at.saturating_sub(JOURNAL_MS);
        self.journal.retain(|o| o.at >= horizon);
        if self.journal.len() >= JOURNAL_EVENTS {
            self.journal.remove(0);
        }
        self.journal.push(op);
        self.dirty = true;
        started
    }

    fn apply(&mut self, tab: &str, op: &Op) -> bool {
        // An event older than the current session (replayed after another tab started a new
        // one) is counted in the profile but does not reopen or extend a session. Nor do events
        // that are no activity of the shopper's: a page's engagement report (it measures the
        // past: a page left open for an hour must not start a session when it is closed) and a
        // journey transition (time passing moved it).
        // A block the page showed (Block Viewed), and the exposure it brings (Experiment
        // Viewed), are not the shopper's doing either.
        let passive = op.name == ENGAGEMENT
            || op.name == crate::journeys::STAGE_ENTERED
            || op.name == crate::caps::BLOCK_VIEWED
            || op.name == crate::experiments::EXPERIMENT_VIEWED;
        let current = op.at >= self.session.id && !passive;
        // Only landing on a page with a new campaign starts a session; later events on that
        // page carry the campaign too, and must not restart it at every click.
        let campaign = op.campaign.as_ref().filter(|_| op.kind == Kind::Page);
        let started = current && self.session.starts_new(op.at, campaign);
        if started {
            self.session.restart(op.at, campaign.cloned(), &op.referrer);
        }
        if current {
            let s = &mut self.session;
            s.last = s.last.max(op.at);
            s.events = s.events.saturating_add(1);
            if op.kind == Kind::Page {
                s.page_views = s.page_views.saturating_add(1);
            }
        }
        if op.kind == Kind::Identify {
            self.user_id = Some(op.name.clone());
        }
        if self.keep_profile {
            if op.kind == Kind::Identify {
                // The traits the config keeps for text (the tracker passed only those).
                self.profile.keep_traits(&op.properties);
            }
            self.profile.apply(op, started);
            if op.kind != Kind::Identify {
                // Page views are logged as `$page` (an empty name).
                let name = if op.kind == Kind::Page { "" } else { &op.name };
                let session = self.session.id;
                self.profile
                    .history
                    .record(op.at, session, tab, name, &op.properties);
                self.profile
                    .displays
                    .apply(&op.name, &op.properties, op.at, session);
            }
        }
        self.mark_seen(tab, op.seq, op.at);
        started
    }

    fn mark_seen(&mut self, tab: &str, seq: u64, at: Millis) {
        match self.seen.iter_mut().find(|s| s.tab == tab) {
            Some(s) => {
                s.seq = s.seq.max(seq);
                s.at = s.at.max(at);
            }
            None => {
                if self.seen.len() >= MAX_TABS {
                    // The first least recent (a plain loop: `min_by_key` is code of its own).
                    let mut oldest = 0;
                    for (i, s) in self.seen.iter().enumerate() {
                        if self.seen.get(oldest).is_some_and(|o| s.at < o.at) {
                            oldest = i;
                        }
                    }
                    self.seen.remove(oldest);
                }
                self.seen.push(Seen {
                    tab: tab.to_owned(),
                    seq,
                    at,
                });
            }
        }
    }

    /// Merges the record another tab (or an earlier page) stored: theirs is taken, and this
    /// tab's events it does not include yet are replayed on top. Returns false, changing
    /// nothing, when `stored` is not a readable record. Exact as long as each tab sees the
    /// others' writes within [`JOURNAL_MS`] of its own events (storage events arrive in
    /// milliseconds; a frozen background tab adds no events while frozen).
    pub fn merge(&mut self, tab: &str, stored: &Value) -> bool {
        let Some(mut theirs) = record::parse(stored) else {
            return false;
        };
        if theirs.reset_at < self.reset_at {
            // Written before this tab reset the identity: ours replaces it on the next write.
            self.dirty = true;
            return true;
        }
        // Merged on their own terms (see crate::experiments): united, never replaced, unless
        // another tab reset the visitor since (which forgets them).
        let mut assignments = std::mem::take(&mut self.profile.assignments);
        if theirs.reset_at > self.reset_at {
            assignments = Default::default();
        }
        // Whether this tab knows assignments the record lacks (it must write it back).
        let news = stored
            .get("profile")
            .and_then(|p| p.get("x"))
            .is_some_and(|x| assignments.merge(x) && assignments.is_dirty());
        // A record written without the profile (personalization not granted in that tab yet):
        // the profile this tab holds in memory stays as it is.
        let kept = stored
            .get("profile")
            .is_none()
            .then(|| std::mem::take(&mut self.profile));
        let acked = theirs
            .seen
            .iter()
            .find(|s| s.tab == tab)
            .map_or(0, |s| s.seq);
        let reset_at = theirs.reset_at;
        self.journal.retain(|op| op.at >= reset_at);
        theirs.keep_profile = self.keep_profile;
        if !self.keep_profile {
            theirs.profile = Profile::default();
        }
        let mut replayed = false;
        for op in self.journal.iter().filter(|op| op.seq > acked) {
            theirs.apply(tab, op);
            replayed = true;
        }
        if let Some(profile) = kept {
            theirs.profile = profile;
        }
        theirs.journal = std::mem::take(&mut self.journal);
        theirs.next_op = self.next_op;
        theirs.dirty = replayed || news;
        if self.keep_profile {
            theirs.profile.assignments = assignments;
        }
        *self = theirs;
        true
    }

    /// Forgets the visitor (ids, profile, history) as of `now`; other tabs follow when they
    /// merge the record written next.
    pub fn reset(&mut self, now: Millis) {
        *self = Visitor {
            reset_at: now.max(self.reset_at + 1),
            next_op: self.next_op,
            keep_profile: self.keep_profile,
            dirty: true,
            ..Visitor::default()
        };
    }

    /// Keeps or drops the profile (personalization consent). Dropping clears it at once.
    pub fn keep_profile(&mut self, keep: bool) {
        if self.keep_profile && !keep {
            self.profile = Profile::default();
            self.dirty = true;
        }
        self.keep_profile = keep;
    }

    /// Numbers this tab's later events from `first_op + 1` (a new page load of the tab).
    pub fn renumber(&mut self, first_op: u64) {
        self.next_op = self.next_op.max(first_op);
    }

    /// Asks for the record to be written again (the stored one was unreadable).
    pub fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Whether something changed since the record was last handed out.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// The record to store (versioned JSON); the profile only when `with_profile`.
    pub fn take_record(
        &mut self,
        with_profile: bool,
        float: crate::json::FloatFormatter,
    ) -> String {
        self.dirty = false;
        record::write(self, with_profile, float)
    }

    /// The record as [`take_record`](Self::take_record) writes it, with the profile, leaving
    /// the record's state alone (for `explain()`).
    pub fn record(&self, float: crate::json::FloatFormatter) -> String {
        record::write(self, true, float)
    }

    /// The attributes rules see (besides `page`): `visitor`, `session`, `views`, `cart`,
    /// `orders`, `utm`, `journeys` (documented in the README).
    pub fn attributes(&self, user_agent: &str, into: &mut Map) {
        self.attributes_of(user_agent, into, Roots::ALL);
    }

    /// The attributes of the `roots` rules read (building the others would be wasted work:
    /// rules are evaluated after every event).
    pub fn attributes_of(&self, user_agent: &str, into: &mut Map, roots: Roots) {
        let p = &self.profile;
        let s = &self.session;
        let num = |n: f64| Value::Number(n);
        let counts = |c: &Counts| {
            let mut list = Vec::new();
            for e in &c.entries {
                list.push(Value::object(vec![
                    ("id", Value::from(e.key.as_str())),
                    ("count", num(e.count as f64)),
                    ("last", num(e.last as f64)),
                ]));
            }
            Value::Array(list)
        };
        let opt = |m: &Option<Map>| m.clone().map_or(Value::Null, Value::Object);
        if roots.has(Roots::VISITOR) {
            into.insert(
                "visitor",
                Value::object(vec![
                    ("visits", num(p.visits as f64)),
                    ("returning", Value::Bool(p.visits > 1)),
                    ("firstSeen", num(p.first_seen as f64)),
                    ("lastSeen", num(p.last_seen as f64)),
                    ("events", num(p.events as f64)),
                    ("device", Value::from(device_class(user_agent))),
                    ("engagedMs", num(p.engaged_ms)),
                    ("maxScroll", num(p.max_scroll)),
                    ("firstReferrer", Value::from(p.first_referrer.as_str())),
                    (
                        "userId",
                        self.user_id.as_deref().map_or(Value::Null, Value::from),
                    ),
                ]),
            );
        }
        if roots.has(Roots::SESSION) {
            into.insert(
                "session",
                Value::object(vec![
                    ("id", num(s.id as f64)),
                    ("pageViews", num(s.page_views as f64)),
                    ("events", num(s.events as f64)),
                    ("referrer", Value::from(s.referrer.as_str())),
                    ("campaign", opt(&s.campaign)),
                ]),
            );
        }
        if roots.has(Roots::VIEWS) {
            into.insert(
                "views",
                Value::object(vec![
                    ("pages", counts(&p.pages)),
                    ("products", counts(&p.products)),
                    ("categories", counts(&p.categories)),
                ]),
            );
        }
        if roots.has(Roots::CART) {
            into.insert("cart", cart_value(&p.cart));
        }
        if roots.has(Roots::ORDERS) {
            into.insert(
                "orders",
                Value::object(vec![
                    ("count", num(p.orders as f64)),
                    ("revenue", num(p.revenue)),
                    ("currency", Value::from(p.revenue_currency.as_str())),
                    ("lastAt", num(p.last_order as f64)),
                ]),
            );
        }
        if roots.has(Roots::UTM) {
            into.insert(
                "utm",
                Value::object(vec![
                    ("first", opt(&p.first_touch)),
                    ("last", opt(&p.last_touch)),
                ]),
            );
        }
        if roots.has(Roots::JOURNEYS) {
            into.insert("journeys", crate::journeys::attributes(&p.journeys));
        }
        if roots.has(Roots::TRAITS) {
            into.insert("traits", Value::Object(p.traits.clone()));
        }
    }
}

/// Which attribute roots to build for an evaluation: a bit per root of the visitor's
/// attributes (`page` is always there).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Roots(u8);

impl Roots {
    /// `visitor`.
    pub const VISITOR: u8 = 1;
    /// `session`.
    pub const SESSION: u8 = 2;
    /// `views`.
    pub const VIEWS: u8 = 4;
    /// `cart`.
    pub const CART: u8 = 8;
    /// `orders`.
    pub const ORDERS: u8 = 16;
    /// `utm`.
    pub const UTM: u8 = 32;
    /// `journeys`.
    pub const JOURNEYS: u8 = 64;
    /// `traits`.
    pub const TRAITS: u8 = 128;
    /// Every root.
    pub const ALL: Roots = Roots(255);
    #[cfg(feature = "compiler")]
    const NAMES: [(&'static str, u8); 8] = [
        ("traits", Self::TRAITS),
        ("visitor", Self::VISITOR),
        ("session", Self::SESSION),
        ("views", Self::VIEWS),
        ("cart", Self::CART),
        ("orders", Self::ORDERS),
        ("utm", Self::UTM),
        ("journeys", Self::JOURNEYS),
    ];

    /// The roots `paths` (dot paths, as conditions name attributes) begin with.
    #[cfg(feature = "compiler")]
    pub fn of_paths<'a>(paths: impl Iterator<Item = &'a str>) -> Roots {
        let mut bits = 0;
        for path in paths {
            let first = path.split('.').next().unwrap_or_default();
            for (name, bit) in Self::NAMES {
                if name == first {
                    bits |= bit;
                }
            }
        }
        Roots(bits)
    }

    /// As the compiled program carries them.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// From [`bits`](Self::bits).
    pub fn from_bits(bits: u8) -> Roots {
        Roots(bits)
    }

    /// Whether root `bit` is to be built.
    pub fn has(self, bit: u8) -> bool {
        self.0 & bit != 0
    }
}

/// The cart as rules and `trailmark.cart()` see it.
pub fn cart_value(cart: &Cart) -> Value {
    // Plain loops build the module's lists: `map(..).collect()` is code of its own per type.
    let mut items = Vec::new();
    for i in &cart.items {
        items.push(Value::object(vec![
            ("product_id", Value::from(i.product_id.as_str())),
            ("name", Value::from(i.name.as_str())),
            ("price", Value::Number(i.price)),
            ("quantity", Value::Number(i.quantity)),
            ("currency", Value::from(i.currency.as_str())),
        ]));
    }
    Value::object(vec![
        ("items", Value::Array(items)),
        ("count", Value::Number(cart.count())),
        ("value", Value::Number(cart.value())),
        ("currency", Value::from(cart.currency())),
    ])
}

/// `mobile`, `tablet` or `desktop`, from the user agent (tablets first: iPads and Android
/// tablets do not say "Mobile").
pub fn device_class(user_agent: &str) -> &'static str {
    // A plain window scan: `str::contains` would bring the Two-Way searcher into the module
    // (about 1.3 KB) for four short needles in one short string.
    let has = |s: &str| {
        user_agent
            .as_bytes()
            .windows(s.len())
            .any(|w| w == s.as_bytes())
    };
    if has("iPad") || has("Tablet") || (has("Android") && !has("Mobile")) {
        "tablet"
    } else if has("Mobi") || has("iPhone") {
        "mobile"
    } else {
        "desktop"
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
