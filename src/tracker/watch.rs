//! What the shopper is doing on the page now, for rules that wait for it: how far down the page
//! they have read (`page.scrollDepth`), how long they have been on it (`page.timeOnPage`), how
//! long since they last scrolled, clicked, tapped or typed (`page.idle`), and exit intent
//! (rules with `"trigger": "exit"`, see [`crate::exit`]).
//!
//! One page sampler (`js/exit.js`) feeds all of it, and only when the config has a rule that
//! reads one of these attributes or waits for exit intent ([`Tracker::watching`]). A mouse
//! move costs a few variable writes in JavaScript and never reaches the module; scrolls reach
//! it at most every 100 ms and keys every 250 ms. Rules are decided again when a value they
//! can read changed: scroll depth by a whole percent, and, for rules reading time, once a
//! second (`next_wake`), never per frame. Time comes in with every sample (sans-IO: tested
//! natively with injected time).

use super::{Page, Tracker};
use crate::exit::{Detection, Detector, Sample};
use crate::ids::derived_id;
use crate::text::push_u64;
use crate::time::Millis;
use crate::value::{Map, Value};

/// The event recorded when exit intent is detected (whenever the config has an exit rule).
pub const EXIT_INTENT_DETECTED: &str = "Exit Intent Detected";

/// What the page sampler is needed for (see [`Tracker::watching`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Watching {
    /// A rule reads `page.scrollDepth` or `page.idle` (input the sampler reports).
    pub input: bool,
    /// A rule reads `page.timeOnPage` or `page.idle` (time alone changes them).
    pub time: bool,
    /// A rule waits for exit intent.
    pub exit: bool,
}

impl Watching {
    /// As the compiled program carries it: input 1, time 2, exit 4.
    pub fn bits(self) -> u8 {
        u8::from(self.input) | u8::from(self.time) << 1 | u8::from(self.exit) << 2
    }

    /// From [`bits`](Self::bits).
    pub fn from_bits(bits: u8) -> Watching {
        Watching {
            input: bits & 1 != 0,
            time: bits & 2 != 0,
            exit: bits & 4 != 0,
        }
    }

    /// From the attribute paths the config's conditions read, and whether a rule waits for exit
    /// intent.
    #[cfg(feature = "compiler")]
    pub fn of<'a>(paths: impl Iterator<Item = &'a str>, exit: bool) -> Watching {
        let mut w = Watching {
            exit,
            ..Watching::default()
        };
        for path in paths {
            match path {
                "page.scrollDepth" => w.input = true,
                "page.timeOnPage" => w.time = true,
                "page.idle" => {
                    w.input = true;
                    w.time = true;
                }
                _ => {}
            }
        }
        w
    }

    /// Whether the page needs the sampler at all.
    pub fn sampler(self) -> bool {
        self.input || self.exit
    }
}

/// The page view's watched state (reset with every page view).
#[derive(Clone, Debug, Default)]
pub struct Watch {
    /// The deepest bottom of the viewport seen, as a percentage of the page's height.
    depth: u32,
    /// The last scroll, click, tap or key.
    last_input: Millis,
    /// The exit-intent detector, while a rule waits for exit intent.
    detector: Option<Detector>,
    /// The last landing sample, replayed to the detector when a single-page app shows a new page.
    land: Option<Sample>,
    /// When rules that read time are decided again.
    tick_at: Option<Millis>,
}

/// The deepest point seen, as a percentage of the page (a page shorter than the window: 100).
fn depth_of(scroll_y: i32, viewport_h: i32, document_h: i32) -> u32 {
    if document_h <= 0 {
        return 0;
    }
    let bottom = i64::from(scroll_y.max(0)) + i64::from(viewport_h.max(0));
    (bottom * 100 / i64::from(document_h)).clamp(0, 100) as u32
}

impl Tracker {
    /// What the page sampler is needed for, for the current config.
    pub fn watching(&self) -> Watching {
        self.watching
    }

    /// A new page view at `now`: the watched state starts again.
    pub(super) fn watch_new_page(&mut self, now: Millis) {
        self.watch.depth = 0;
        self.watch.last_input = now;
        self.watch_arm(now);
    }

    /// Starts the detector and the time ticks the config asks for (at a page view, or when a
    /// config that watches other things arrives).
    pub(super) fn watch_arm(&mut self, now: Millis) {
        let w = &mut self.watch;
        w.tick_at = self.watching.time.then_some(now + 1000);
        w.detector = self.watching.exit.then(|| Detector::new(self.config.exit));
        // The page's last landing sample, replayed: a single-page app's route is a new page to
        // leave, and a config that arrives later starts the arming delay then.
        if let (Some(d), Some(land)) = (w.detector.as_mut(), w.land) {
            let land = match land {
                Sample::Land {
                    viewport_w,
                    viewport_h,
                    document_h,
                    device,
                    ..
                } => Sample::Land {
                    at: now,
                    viewport_w,
                    viewport_h,
                    document_h,
                    device,
                    restored: false,
                    hidden: false,
                },
                other => other,
            };
            d.feed(land);
        }
    }

    /// Feeds one sample of the page sampler. Returns whether what rules read changed (decide
    /// again). A detection records `Exit Intent Detected` and lets exit rules show.
    /// `page` reads the page, only when a detection is recorded (most samples change nothing).
    pub fn sample(&mut self, sample: Sample, page: &dyn Fn() -> Page) -> bool {
        let w = &mut self.watch;
        let before = w.depth;
        let at = match sample {
            Sample::Land {
                at,
                viewport_h,
                document_h,
                ..
            } => {
                w.land = Some(sample);
                w.depth = w.depth.max(depth_of(0, viewport_h, document_h));
                at
            }
            Sample::Scroll {
                at,
                y,
                viewport_h,
                document_h,
            } => {
                w.depth = w.depth.max(depth_of(y, viewport_h, document_h));
                w.last_input = w.last_input.max(at);
                at
            }
            Sample::Input { at, .. } => {
                w.last_input = w.last_input.max(at);
                at
            }
            Sample::Leave { at, .. }
            | Sample::Enter { at, .. }
            | Sample::Visibility { at, .. }
            | Sample::Focus { at, .. }
            | Sample::Resize { at, .. } => at,
        };
        let mut changed = self.watching.input && w.depth != before;
        if let Some(d) = w.detector.as_mut().and_then(|d| d.feed(sample)) {
            changed |= self.exit_detected(d, &page(), at);
        }
        changed
    }

    /// When [`watch_tick`](Self::watch_tick) is due: the detector's grace periods and idle
    /// timer, and the once-a-second decision of rules that read time.
    pub fn watch_wake(&self) -> Option<Millis> {
        let detector = self.watch.detector.as_ref().and_then(Detector::next_wake);
        match (detector, self.watch.tick_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Time passed: returns whether rules should be decided again.
    pub fn watch_tick(&mut self, page: &Page, now: Millis) -> bool {
        let mut changed = false;
        if let Some(d) = self.watch.detector.as_mut().and_then(|d| d.tick(now)) {
            changed |= self.exit_detected(d, page, now);
        }
        if let Some(at) = self.watch.tick_at {
            if now >= at {
                // The next whole second of the page view: a late timer does not drift.
                let start = self.page_start;
                self.watch.tick_at = Some(now + 1000 - (now - start).rem_euclid(1000));
                changed = true;
            }
        }
        changed
    }

    /// The deepest scroll seen and the last input (handed over for `explain()`).
    pub(super) fn watch_state(&self) -> (u32, Millis) {
        (self.watch.depth, self.watch.last_input)
    }

    /// Restores [`watch_state`](Self::watch_state).
    #[cfg(feature = "compiler")]
    pub(super) fn set_watch_state(&mut self, depth: u32, last_input: Millis) {
        self.watch.depth = depth;
        self.watch.last_input = last_input;
    }

    /// The page's watched attributes at `now`, added to the `page` attributes of rules.
    pub(super) fn watched_attributes(&self, page: &mut Map, now: Millis) {
        let w = &self.watch;
        let seconds = |ms: Millis| Value::Number((ms.max(0) / 1000) as f64);
        page.insert("scrollDepth", Value::Number(f64::from(w.depth)));
        page.insert("timeOnPage", seconds(now - self.page_start));
        page.insert("idle", seconds(now - w.last_input.max(self.page_start)));
    }

    /// Records the detection and lets the page's exit rules show.
    /// Its properties are named like `Page Engagement`'s: `signal`, `time_on_page_ms`,
    /// `scroll_depth_percent`, and the signal's measurement (`speed_px_s`, ...).
    fn exit_detected(&mut self, d: Detection, page: &Page, at: Millis) -> bool {
        self.here.exit_at = Some(at);
        let mut props = Map::new();
        props.insert("signal", Value::String(d.signal.as_str().to_owned()));
        props.insert("time_on_page_ms", Value::Number(d.time_on_page_ms as f64));
        props.insert(
            "scroll_depth_percent",
            Value::Number(f64::from(d.scroll_depth_percent)),
        );
        props.insert(d.signal.measure_name(), Value::Number(d.measure as f64));
        // One detection per page view of a tab: its id follows from the tab and the page view.
        let mut start = String::new();
        push_u64(&mut start, self.page_start.max(0) as u64);
        let id = derived_id(&[&self.identity.tab_id, EXIT_INTENT_DETECTED, &start]);
        self.track(EXIT_INTENT_DETECTED, props, page, id, at);
        true
    }
}
