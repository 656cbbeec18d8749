//! Caps and schedules: how often a rule's block may be shown, and when.
//!
//! A rule may say how often its block is shown to one shopper (`caps`) and in which period
//! (`schedule`):
//!
//! ```json
//! { "caps": { "perSession": 2, "perWindow": { "views": 3, "within": "7d" }, "ever": 10,
//!             "afterDismiss": "5d", "afterAccept": "never", "until": { "$event": { "name": "Order Completed" } } },
//!   "schedule": { "start": "2026-12-01T00:00:00Z", "end": "2026-12-31T23:59:59Z" } }
//! ```
//!
//! `until` is a condition (compiled with the rule's): while it holds the rule does not show.
//! A goal that happened (an event, read from the all-time totals) holds for good: the banner
//! that sells what was bought never shows again.
//!
//! What was shown is not kept apart from the events: [`Displays`] is a fold over the outcome
//! events the page records (`Block Viewed`, `Block Dismissed`, `Offer Accepted`), kept in the
//! visitor's profile. The visitor record already merges tabs exactly by replaying each tab's
//! events (see [`crate::visitor`]), so a cap holds across tabs and reloads with nothing more.
//! "Ever" means ever: each rule keeps an all-time view counter, not the 30-day event log.
//!
//! Everything here takes time as an argument (tested natively with injected time).

#[cfg(feature = "compiler")]
mod compile;
mod record;
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
mod wire;

#[cfg(feature = "compiler")]
pub use compile::{compile_caps, compile_schedule};

use crate::time::Millis;
use crate::value::{Map, Value};

/// The event a shown block is recorded as (inline blocks: half of it visible for a second;
/// overlays: when they open).
pub const BLOCK_VIEWED: &str = "Block Viewed";
/// The shopper clicked a link or button in a block.
pub const BLOCK_CLICKED: &str = "Block Clicked";
/// The shopper dismissed a block (its close button, Esc, a `dismiss` action).
pub const BLOCK_DISMISSED: &str = "Block Dismissed";
/// The shopper accepted an offer (an `accept` action).
pub const OFFER_ACCEPTED: &str = "Offer Accepted";

/// Whether `name` is one of the outcome events above, or the exposure a view brings
/// (`Experiment Viewed`, see [`crate::experiments`]): the history keeps a bounded share of them.
pub fn is_outcome(name: &str) -> bool {
    [
        BLOCK_VIEWED,
        BLOCK_CLICKED,
        BLOCK_DISMISSED,
        OFFER_ACCEPTED,
        crate::experiments::EXPERIMENT_VIEWED,
    ]
    .contains(&name)
}

/// Most rules whose displays are remembered (the one shown least recently goes first).
pub const MAX_RULES: usize = 64;
/// Most recent views remembered per rule (for per-session and per-window caps).
pub const MAX_RECENT: usize = 32;

/// A rule's caps, as compiled. Zero means "no cap" for the counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Caps {
    /// Most views per session.
    pub per_session: u32,
    /// Most views within any window of `window_ms` (with `window_views`).
    pub window_views: u32,
    /// The window of `window_views`.
    pub window_ms: Millis,
    /// Most views ever.
    pub ever: u32,
    /// Quiet time after a dismissal; `None`: never again.
    pub after_dismiss: Option<Millis>,
    /// Quiet time after an acceptance; `None`: never again.
    pub after_accept: Option<Millis>,
}

/// The defaults of a rule without `caps`: five quiet days after a dismissal (Klaviyo's default,
/// PRODUCT.md), never again after an acceptance.
pub const DEFAULT_CAPS: Caps = Caps {
    per_session: 0,
    window_views: 0,
    window_ms: 0,
    ever: 0,
    after_dismiss: Some(5 * 86_400_000),
    after_accept: None,
};

/// When a rule may show: from `start` (inclusive) to `end` (exclusive), epoch ms; 0: open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Schedule {
    /// First moment it may show.
    pub start: Millis,
    /// First moment it may no longer show.
    pub end: Millis,
}

impl Schedule {
    /// Whether `now` is inside the schedule.
    pub fn open(&self, now: Millis) -> bool {
        now >= self.start && (self.end == 0 || now < self.end)
    }
}

/// What one rule's blocks did for this visitor.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    /// The rule's id.
    pub rule: String,
    /// Views, all time.
    pub views: u32,
    /// The latest views, oldest first: `(when, session id)`.
    pub recent: Vec<(Millis, Millis)>,
    /// The latest dismissal (0: none).
    pub dismissed: Millis,
    /// The latest acceptance (0: none).
    pub accepted: Millis,
}

/// Why a cap stops a rule from showing now, if one does (for `explain()` and the tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Held {
    /// `perSession` views reached in this session.
    Session,
    /// `perWindow` views reached in the window.
    Window,
    /// `ever` views reached.
    Ever,
    /// Within the quiet time after a dismissal (or dismissed, never again).
    Dismissed,
    /// Accepted (within the quiet time, or never again).
    Accepted,
}

impl Caps {
    /// What holds the rule back at `now` in `session`, given its `stats`; `None`: it may show.
    /// `shown_here`: it is already showing on this page (the views it counted there do not hide
    /// it again: caps apply to new showings).
    pub fn held(
        &self,
        stats: Option<&Stats>,
        session: Millis,
        now: Millis,
        shown_here: bool,
    ) -> Option<Held> {
        let s = stats?;
        let quiet = |at: Millis, rest: Option<Millis>| at > 0 && rest.is_none_or(|r| now < at + r);
        if quiet(s.accepted, self.after_accept) {
            return Some(Held::Accepted);
        }
        if quiet(s.dismissed, self.after_dismiss) {
            return Some(Held::Dismissed);
        }
        if shown_here {
            return None;
        }
        let count = |from: Millis, same_session: bool| {
            let mut n = 0;
            for (at, sess) in &s.recent {
                n += u32::from(*at > from && (!same_session || *sess == session));
            }
            n
        };
        if self.ever > 0 && s.views >= self.ever {
            Some(Held::Ever)
        } else if self.per_session > 0 && count(Millis::MIN, true) >= self.per_session {
            Some(Held::Session)
        } else if self.window_views > 0 && count(now - self.window_ms, false) >= self.window_views {
            Some(Held::Window)
        } else {
            None
        }
    }
}

/// Every rule's [`Stats`], and how many dialogs the current session showed: a fold over the
/// outcome events (see the module docs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Displays {
    /// Per rule, most recently active last.
    pub rules: Vec<Stats>,
    /// The session the dialog count is of, and the count.
    pub dialogs: (Millis, u32),
}

impl Displays {
    /// The stats of rule `id`, if it was ever shown, dismissed or accepted.
    pub fn of(&self, id: &str) -> Option<&Stats> {
        self.rules.iter().find(|s| s.rule == id)
    }

    /// Dialogs shown in `session`.
    pub fn dialogs_in(&self, session: Millis) -> u32 {
        if self.dialogs.0 == session {
            self.dialogs.1
        } else {
            0
        }
    }

    /// Rolls one event into the displays: `name` and `props` of an event at `at` in `session`.
    pub fn apply(&mut self, name: &str, props: &Map, at: Millis, session: Millis) {
        if !matches!(name, BLOCK_VIEWED | BLOCK_DISMISSED | OFFER_ACCEPTED) {
            return;
        }
        let Some(rule) = props.get("rule").and_then(Value::as_str) else {
            return;
        };
        let stats = self.stats_mut(rule);
        match name {
            BLOCK_VIEWED => {
                stats.views = stats.views.saturating_add(1);
                if stats.recent.len() >= MAX_RECENT {
                    stats.recent.remove(0);
                }
                stats.recent.push((at, session));
                if props.get("placement").and_then(Value::as_str) == Some("dialog") {
                    let count = self.dialogs_in(session);
                    self.dialogs = (session, count.saturating_add(1));
                }
            }
            BLOCK_DISMISSED => stats.dismissed = stats.dismissed.max(at),
            _ => stats.accepted = stats.accepted.max(at),
        }
    }

    /// Rule `id`'s stats, created (and moved last, as the most recent) when needed.
    fn stats_mut(&mut self, id: &str) -> &mut Stats {
        let at = match self.rules.iter().position(|s| s.rule == id) {
            Some(i) => i,
            None => {
                if self.rules.len() >= MAX_RULES {
                    self.rules.remove(0);
                }
                self.rules.push(Stats {
                    rule: id.to_owned(),
                    ..Stats::default()
                });
                self.rules.len() - 1
            }
        };
        let stats = self.rules.remove(at);
        self.rules.push(stats);
        let last = self.rules.len() - 1;
        &mut self.rules[last]
    }
}
