//! Exit intent: a sans-IO detector that tells when a shopper is about to leave the page.
//!
//! The page sampler (`js/exit.js`) turns the browser's events into a few [`Sample`]s (the
//! pointer leaving or entering the window, scroll positions, visibility, focus, clicks and
//! keys) and the shell hands them to a [`Detector`], which answers with at most one
//! [`Detection`] per page view. Time is an input like everything else: every sample carries
//! its own, and the time-driven signal (idleness) and the grace periods are checked when the
//! shell calls [`Detector::tick`] at [`Detector::next_wake`].
//!
//! ## Signals
//!
//! | signal | fires when | measure |
//! |---|---|---|
//! | `pointer-top` | the pointer leaves through the top edge (exit `y <= edgePx`), moving upward at `minSpeed` px/s or more, and stays out `graceMs` (or the page is hidden meanwhile: off to another tab); a dip back in at the top for at most 1 s and out again continues the same exit | upward speed, px/s |
//! | `scroll-up` | after the shopper has seen `minDepthPercent` of the page, an upward scroll of `minPx` at `minSpeed` px/s or more, not ending at the very top, then `settleMs` after the last upward move with no tap and no scroll back down (or the page hidden meanwhile) | speed of the run, px/s |
//! | `tab-return` | the page is shown again after being hidden `minHiddenMs` or more | hidden time, ms |
//! | `idle` | no scroll, tap, click or key for `ms`, after the shopper has seen `minDepthPercent` of the page and interacted once | idle time, ms |
//!
//! Defaults (tuned on the trace corpus, see [`settings`]): desktops `armMs` 1 000,
//! `pointerTop` {`edgePx` 20, `minSpeed` 50, `graceMs` 1 000, `afterInteractionMs` 600,
//! `afterEntryMs` 500, `typingMs` 1 500}; phones `armMs` 3 000, `scrollUp`
//! {`minDepthPercent` 30, `minPx` 600, `minSpeed` 400, `settleMs` 1 200}, `tabReturn`
//! {`minHiddenMs` 5 000}, `idle` {`ms` 40 000, `minDepthPercent` 25}.
//!
//! Nothing fires within `armMs` of the page being shown (landing, a back/forward-cache
//! restore, or the first time a page opened in the background is shown), while it is hidden,
//! or twice in one page view. `pointer-top` also stays quiet while a `<select>` is open, while
//! the shopper is typing (a key in a text field within `typingMs`), within
//! `afterInteractionMs` of a click or key, and within `afterEntryMs` of the pointer entering
//! from the top (browsers report a spurious leave there, ouibounce #25); a sideways or bottom
//! exit, or a "leave" reported from inside the window (a native popup or an iframe), is no
//! exit through the top. The page never touches history: there is no back-button trap.
//!
//! Each device class (the shell says which at landing: a touch-first device is a phone) has
//! its own [`DeviceSettings`]; by default desktops use `pointer-top` and phones `scroll-up`,
//! `tab-return` and `idle`. The config section and its defaults are in [`settings`].
//!
//! ## Integration (for the shell)
//!
//! * `attachExitSampler(feed, { touch })` (js/exit.js) calls `feed(kind, t, a, b, c, d)` with
//!   plain numbers; pass them to [`Sample::from_numbers`] and the sample to
//!   [`Detector::feed`]. The kinds and their fields are listed on [`Sample::from_numbers`].
//! * After every feed, (re)arm one timer for [`Detector::next_wake`] and call
//!   [`Detector::tick`] when it runs.
//! * A [`Detection`] carries the signal's name and the measurements for the
//!   `Exit Intent Detected` event. One may come as the page is hidden (a detection whose grace
//!   period the switch away cut short): record it, and show an offer, if any, on the return. Caps across pages and tabs, consent, prerendering and
//!   pages that suppress dialogs are the caller's business.

#[cfg(feature = "compiler")]
mod compile;
mod detector;
mod sample;
pub mod settings;
mod wire;

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

#[cfg(feature = "compiler")]
pub use compile::compile;
pub use detector::{replay, Detector};
pub use sample::{Device, Focus, Input, Sample};
pub use settings::{DeviceSettings, ExitSettings, Idle, PointerTop, ScrollUp, TabReturn};

use crate::time::Millis;

/// What gave the shopper away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// The pointer left through the top of the window, moving up (desktop).
    PointerTop,
    /// A fast upward scroll after reading down the page (phones).
    ScrollUp,
    /// The page was shown again after the shopper switched away.
    TabReturn,
    /// No input for a while after engaging with the page.
    Idle,
}

impl Signal {
    /// The name in the `Exit Intent Detected` event: `"pointer-top"`, `"scroll-up"`,
    /// `"tab-return"` or `"idle"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::PointerTop => "pointer-top",
            Signal::ScrollUp => "scroll-up",
            Signal::TabReturn => "tab-return",
            Signal::Idle => "idle",
        }
    }

    /// The property name of [`Detection::measure`]: `"speed_px_s"` for the two movement
    /// signals, `"hidden_ms"` for `tab-return`, `"idle_ms"` for `idle`.
    pub fn measure_name(self) -> &'static str {
        match self {
            Signal::PointerTop | Signal::ScrollUp => "speed_px_s",
            Signal::TabReturn => "hidden_ms",
            Signal::Idle => "idle_ms",
        }
    }
}

/// An exit intent, with what the `Exit Intent Detected` event reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Detection {
    /// Which signal fired.
    pub signal: Signal,
    /// When it fired.
    pub at: Millis,
    /// Time since the page was shown (landing or back/forward-cache restore).
    pub time_on_page_ms: Millis,
    /// How far down the page was seen: the deepest bottom of the viewport as a percentage of
    /// the page's height (0-100; a page shorter than the window is 100), as `Page Engagement`
    /// reports it.
    pub scroll_depth_percent: u32,
    /// The signal's own measurement, named by [`Signal::measure_name`].
    pub measure: i64,
}
