//! The visitor's event history: a bounded log of recent events and exact all-time totals per
//! event name, which history predicates (`$event`, `$sequence`, `$absent`, see
//! [`rules`](crate::rules)) read on the device.
//!
//! * **The log** keeps, per event, when it happened, its session (the session's start time), a
//!   hash of its tab id and its name, plus the top-level scalar properties (string, number,
//!   boolean; at most [`MAX_PROPS`], strings cut at [`MAX_STRING_BYTES`]). Nested objects and
//!   arrays are left out: predicates filter on top-level properties only. The log keeps at most
//!   [`MAX_ENTRIES`] entries and [`MAX_BYTES`] of (estimated) entry data, and only entries
//!   less than [`MAX_AGE_MS`] older than its newest one; the oldest go first.
//! * **Totals** keep, per event name, the all-time count, the first and last time and the sums
//!   of its finite numeric top-level properties (the first [`MAX_SUMS`] property names seen).
//!   The log's bounds never touch them, so these numbers stay exact forever, except that at
//!   most [`MAX_NAMES`] names are kept: a new name beyond that replaces the name seen least
//!   recently, whose all-time numbers are then lost (it starts from zero if it comes back).
//!
//! Page views are recorded under the name [`PAGE_VIEW`] (`"$page"`), so predicates count them
//! like any event: `{"$event": {"name": "$page", "in": "session", "count": {"$gte": 5}}}`.
//!
//! Time is always an argument: nothing here reads a clock.

mod wire;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

use crate::text::truncate_at_boundary;
use crate::time::Millis;
use crate::value::{Map, Value};

/// The name page views are recorded under (an empty name passed to
/// [`History::record`] means a page view too).
pub const PAGE_VIEW: &str = "$page";
/// Most entries in the log.
pub const MAX_ENTRIES: usize = 500;
/// Most (estimated, see [`Entry::bytes`]) bytes of entry data in the log.
pub const MAX_BYTES: usize = 64 * 1024;
/// How long the log keeps an entry: entries at or before `newest - MAX_AGE_MS` are evicted
/// (30 days), so a 30-day window (`"in": "30d"`) is fully covered by the log.
pub const MAX_AGE_MS: Millis = 30 * 86_400_000;
/// Most outcome events (`Block Viewed`, ... see [`crate::caps`]) in the log: a page full of
/// banners must not push out the events journeys read. Older ones leave the log first (their
/// totals stay).
pub const MAX_OUTCOME_ENTRIES: usize = 50;
/// Most event names with totals.
pub const MAX_NAMES: usize = 100;
/// Most properties kept per entry.
pub const MAX_PROPS: usize = 16;
/// Most property sums kept per event name.
pub const MAX_SUMS: usize = 16;
/// Longest string property (and event name, and property name) kept, in bytes: longer strings
/// are cut at a char boundary; longer property names are left out.
pub const MAX_STRING_BYTES: usize = 200;

/// One recorded event.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// When it happened.
    pub at: Millis,
    /// Its session's id (the session's start time).
    pub session: Millis,
    /// FNV-1a hash of its tab id ([`tab_hash`]), for the `"page"` window.
    pub tab: u32,
    /// The event name ([`PAGE_VIEW`] for page views).
    pub name: String,
    /// The properties kept: top-level strings, numbers and booleans only.
    pub props: Map,
}

/// All-time numbers for one event name.
#[derive(Clone, Debug, PartialEq)]
pub struct Total {
    /// The event name.
    pub name: String,
    /// How many times it was recorded.
    pub count: u64,
    /// The earliest time it was recorded at.
    pub first: Millis,
    /// The latest time it was recorded at.
    pub last: Millis,
    /// Sums of its finite numeric top-level properties, by property name (at most
    /// [`MAX_SUMS`]: the first names seen).
    pub sums: Vec<(String, f64)>,
}

/// The visitor's event history: the bounded log (oldest first, ordered by time) and the totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Recent events, ordered by `at` (events recorded at the same time in recording order).
    /// Read through [`log`](Self::log): every change goes through [`record`](Self::record)
    /// or [`from_value`](Self::from_value), which keep `bytes` with it.
    log: Vec<Entry>,
    /// The sum of the log's [`Entry::bytes`], kept as entries come and go: summing the whole
    /// log to apply [`MAX_BYTES`] was a tenth of every event's cost.
    bytes: usize,
    /// All-time numbers per event name.
    pub totals: Vec<Total>,
}

/// The empty history [`Scope::empty`] reads.
static EMPTY: History = History {
    log: Vec::new(),
    bytes: 0,
    totals: Vec::new(),
};

/// What history predicates are evaluated against: the history and "where and when" the
/// evaluation happens.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    /// The history.
    pub history: &'a History,
    /// Now.
    pub now: Millis,
    /// The current session's id (its start time): the `"session"` window.
    pub session: Millis,
    /// [`tab_hash`] of this tab's id: the `"page"` window.
    pub tab: u32,
    /// When the current page view started: the `"page"` window holds this tab's entries at
    /// or after it.
    pub page_start: Millis,
}

impl<'a> Scope<'a> {
    /// A scope over `history` for tab `tab_id`.
    pub fn new(
        history: &'a History,
        now: Millis,
        session: Millis,
        tab_id: &str,
        page_start: Millis,
    ) -> Scope<'a> {
        Scope {
            history,
            now,
            session,
            tab: tab_hash(tab_id),
            page_start,
        }
    }
}

impl Scope<'static> {
    /// An empty history at time 0: for callers without one (GrowthBook's `evalCondition`).
    /// History predicates answer as over a visitor who did nothing yet.
    pub fn empty() -> Scope<'static> {
        Scope {
            history: &EMPTY,
            now: 0,
            session: 0,
            tab: 0,
            page_start: 0,
        }
    }
}

/// The hash of a tab id that entries carry (FNV-1a over its UTF-16 code units).
pub fn tab_hash(tab_id: &str) -> u32 {
    crate::rules::bucket::fnv1a32(tab_id)
}

/// Estimated bytes per stored number (and the base cost of each property).
const VALUE_BYTES: usize = 16;

impl Entry {
    /// The entry's estimated size, which [`MAX_BYTES`] bounds: 16 bytes for each of `at`,
    /// `session` and `tab`, the name's length, and per property its name's length plus 16
    /// plus a string value's length.
    pub fn bytes(&self) -> usize {
        let mut bytes = 3 * VALUE_BYTES + self.name.len();
        for (k, v) in self.props.iter() {
            bytes += k.len() + VALUE_BYTES + v.as_str().map_or(0, str::len);
        }
        bytes
    }
}

impl History {
    /// Recent events, oldest first (see [`record`](Self::record) for the bounds).
    pub fn log(&self) -> &[Entry] {
        &self.log
    }

    /// The totals of event `name`, if it has any.
    pub fn total(&self, name: &str) -> Option<&Total> {
        self.totals.iter().find(|t| t.name == name)
    }

    /// Records event `name` (an empty name: a page view, [`PAGE_VIEW`]) with properties
    /// `props`, at `at`, in session `session`, in tab `tab` (the tab id; stored hashed).
    ///
    /// The entry goes into the log at its place in time (an event replayed from another tab
    /// may be older than the newest), the event's totals are updated, and the log's bounds are
    /// applied: entries older than [`MAX_AGE_MS`] before the newest go, then the oldest until
    /// at most [`MAX_ENTRIES`] and [`MAX_BYTES`] remain.
    pub fn record(&mut self, at: Millis, session: Millis, tab: &str, name: &str, props: &Map) {
        let mut name = if name.is_empty() { PAGE_VIEW } else { name }.to_owned();
        truncate_at_boundary(&mut name, MAX_STRING_BYTES);
        self.add_to_totals(at, &name, props);
        let mut kept = Map::new();
        for (key, value) in props.iter() {
            if kept.len() == MAX_PROPS {
                break;
            }
            if key.len() > MAX_STRING_BYTES {
                continue;
            }
            let value = match value {
                Value::String(s) => {
                    let mut s = s.clone();
                    truncate_at_boundary(&mut s, MAX_STRING_BYTES);
                    Value::String(s)
                }
                Value::Number(n) if n.is_finite() => Value::Number(*n),
                Value::Bool(b) => Value::Bool(*b),
                _ => continue,
            };
            kept.insert(key, value);
        }
        if crate::caps::is_outcome(&name) {
            // The oldest outcome entry goes when there are as many as allowed.
            let (mut oldest, mut outcomes) = (None, 0);
            for (i, e) in self.log.iter().enumerate() {
                if crate::caps::is_outcome(&e.name) {
                    oldest = oldest.or(Some(i));
                    outcomes += 1;
                }
            }
            if let Some(oldest) = oldest.filter(|_| outcomes >= MAX_OUTCOME_ENTRIES) {
                self.bytes -= self.log.remove(oldest).bytes();
            }
        }
        let entry = Entry {
            at,
            session,
            tab: tab_hash(tab),
            name,
            props: kept,
        };
        self.bytes += entry.bytes();
        let at_index = self.log.partition_point(|e| e.at <= at);
        self.log.insert(at_index, entry);
        self.evict();
    }

    fn add_to_totals(&mut self, at: Millis, name: &str, props: &Map) {
        let i = match self.totals.iter().position(|t| t.name == name) {
            Some(i) => i,
            None => {
                if self.totals.len() >= MAX_NAMES {
                    // The first least recent (a plain loop: `min_by_key` is code of its own).
                    let mut stale = 0;
                    for (i, t) in self.totals.iter().enumerate() {
                        if self.totals.get(stale).is_some_and(|s| t.last < s.last) {
                            stale = i;
                        }
                    }
                    self.totals.remove(stale);
                }
                self.totals.push(Total {
                    name: name.to_owned(),
                    count: 0,
                    first: at,
                    last: at,
                    sums: Vec::new(),
                });
                self.totals.len() - 1
            }
        };
        let Some(total) = self.totals.get_mut(i) else {
            return;
        };
        total.count = total.count.saturating_add(1);
        total.first = total.first.min(at);
        total.last = total.last.max(at);
        for (key, value) in props.iter() {
            let Value::Number(n) = value else { continue };
            if !n.is_finite() || key.len() > MAX_STRING_BYTES {
                continue;
            }
            let room = total.sums.len() < MAX_SUMS;
            match total.sums.iter_mut().find(|(k, _)| k == key) {
                Some((_, sum)) => {
                    // A sum past f64's range keeps its last finite value.
                    let next = *sum + n;
                    if next.is_finite() {
                        *sum = next;
                    }
                }
                None if room => total.sums.push((key.to_owned(), *n)),
                None => {}
            }
        }
    }

    /// Applies the log's bounds, oldest first.
    fn evict(&mut self) {
        let Some(newest) = self.log.last().map(|e| e.at) else {
            return;
        };
        let horizon = newest.saturating_sub(MAX_AGE_MS);
        let too_many = self.log.len().saturating_sub(MAX_ENTRIES);
        let mut drop = 0;
        for e in &self.log {
            if drop >= too_many && e.at > horizon && self.bytes <= MAX_BYTES {
                break;
            }
            self.bytes -= e.bytes();
            drop += 1;
        }
        self.log.drain(..drop);
    }

    /// The history as a compact JSON value for storage:
    /// `{"log": [[at, session, tab, name, {props}], ...], "totals": [[name, count, first, last,
    /// {sums}], ...]}`.
    pub fn to_value(&self) -> Value {
        wire::to_value(self)
    }

    /// Reads what [`to_value`](Self::to_value) wrote. Strict: `None` when any part is
    /// malformed or out of bounds (the caller starts from an empty history).
    pub fn from_value(v: &Value) -> Option<History> {
        wire::from_value(v)
    }
}
