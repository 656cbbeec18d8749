//! The shopper's consent, as pure data: what they chose, what the site requires, what the
//! browser signals, and what all of that allows ([`Effects`]).
//!
//! Two categories, each [`State::Pending`], [`State::Granted`] or [`State::Denied`]:
//!
//! * **analytics**: whether events may leave the device (and be persisted while waiting);
//! * **personalization**: whether rules run and a visitor profile is kept on the device.
//!
//! The state of a category comes from, in order of precedence:
//!
//! 1. the shopper's explicit choice ([`Update`], made through the API and stored in a
//!    [`record`]); for analytics, an explicit *grant* made while no opt-out signal was present
//!    yields to a signal that appeared after it (the signal is the newer expression of will);
//! 2. the browser's opt-out signals ([`Signals`]: Global Privacy Control, Do Not Track), which
//!    deny **analytics only** when the config honours them (`consent.honorGlobalPrivacyControl`,
//!    default `true`). Personalization keeps running on the device: "local-only mode", rules run
//!    and no event leaves;
//! 3. the config ([`Settings`]): `consent.required` makes both categories start `Pending`;
//!    without it both start `Granted`.
//!
//! The core reads no browser API: the shell passes signals in and stores the record the core
//! hands out.

mod effects;
pub mod record;
// Native only: the tests parse JSON with serde_json and format floats natively.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

pub use effects::Effects;
pub use record::{parse_update, Update};

use crate::time::Millis;
use crate::value::Value;

/// Where a category stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Not decided yet: memory only, nothing leaves the device, nothing is persisted.
    Pending,
    /// Allowed.
    Granted,
    /// Refused.
    Denied,
}

impl State {
    /// `"pending"`, `"granted"` or `"denied"`.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Granted => "granted",
            State::Denied => "denied",
        }
    }
}

/// The consent categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// Events leaving the device.
    Analytics,
    /// Rules, rendering and the on-device visitor profile.
    Personalization,
}

impl Category {
    /// Both categories, in record order.
    pub const ALL: [Category; 2] = [Category::Analytics, Category::Personalization];

    /// The category's name in the API, the config and the stored record.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Analytics => "analytics",
            Category::Personalization => "personalization",
        }
    }
}

/// The config's `consent` section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    /// `consent.required`: both categories start `Pending` until the shopper chooses.
    pub required: bool,
    /// `consent.honorGlobalPrivacyControl`: GPC or DNT deny analytics unless the shopper
    /// explicitly grants it.
    pub honor_gpc: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            required: false,
            honor_gpc: true,
        }
    }
}

/// The browser's opt-out signals, read by the shell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Signals {
    /// `navigator.globalPrivacyControl === true`.
    pub gpc: bool,
    /// `navigator.doNotTrack === "1"`.
    pub dnt: bool,
}

impl Signals {
    /// Whether either signal asks not to be tracked.
    pub fn opt_out(self) -> bool {
        self.gpc || self.dnt
    }
}

/// An explicit choice the shopper made for one category.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// `true` for granted, `false` for denied.
    pub granted: bool,
    /// When it was made.
    pub at: Millis,
    /// Whether an opt-out signal (GPC or DNT) was present when it was made.
    pub signal: bool,
}

/// Everything consent depends on; [`Consent::state`] and [`Consent::effects`] are pure
/// functions of it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Consent {
    /// The config's consent section.
    pub settings: Settings,
    /// The browser's signals.
    pub signals: Signals,
    /// Explicit analytics choice, if any.
    pub analytics: Option<Choice>,
    /// Explicit personalization choice, if any.
    pub personalization: Option<Choice>,
}

impl Consent {
    /// The state of `category`.
    pub fn state(&self, category: Category) -> State {
        let opt_out = self.settings.honor_gpc && self.signals.opt_out();
        let choice = self.choice(category);
        match (category, choice) {
            // A grant made before the signal appeared yields to it; one made under it stands.
            (Category::Analytics, Some(c)) if c.granted && opt_out && !c.signal => State::Denied,
            (_, Some(c)) if c.granted => State::Granted,
            (_, Some(_)) => State::Denied,
            (Category::Analytics, None) if opt_out => State::Denied,
            (_, None) if self.settings.required => State::Pending,
            (_, None) => State::Granted,
        }
    }

    /// The analytics state.
    pub fn analytics(&self) -> State {
        self.state(Category::Analytics)
    }

    /// The personalization state.
    pub fn personalization(&self) -> State {
        self.state(Category::Personalization)
    }

    /// The explicit choice for `category`, if the shopper made one.
    pub fn choice(&self, category: Category) -> Option<Choice> {
        match category {
            Category::Analytics => self.analytics,
            Category::Personalization => self.personalization,
        }
    }

    /// What the current states allow (the matrix in [`Effects`]).
    pub fn effects(&self) -> Effects {
        Effects::of(self.analytics(), self.personalization())
    }

    /// Both states, as `{"analytics": "granted", "personalization": "pending"}`.
    pub fn states(&self) -> Value {
        Value::object(vec![
            ("analytics", Value::from(self.analytics().as_str())),
            (
                "personalization",
                Value::from(self.personalization().as_str()),
            ),
        ])
    }

    /// Applies a partial update made at `now`: only the categories it names change. Returns
    /// whether anything was given (and so must be stored).
    pub fn apply(&mut self, update: Update, now: Millis) -> bool {
        let signal = self.signals.opt_out();
        let make = |granted: bool| Choice {
            granted,
            at: now,
            signal,
        };
        if let Some(g) = update.analytics {
            self.analytics = Some(make(g));
        }
        if let Some(g) = update.personalization {
            self.personalization = Some(make(g));
        }
        !update.is_empty()
    }
}
