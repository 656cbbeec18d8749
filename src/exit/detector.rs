//! The detector: a state machine over [`Sample`]s that fires at most once per page view.
//!
//! Times come with the samples and may be hostile (out of order, huge): arithmetic on them
//! saturates, so a bad clock can delay or suppress a detection but never panic.

use super::sample::{Device, Focus, Input, Sample};
use super::settings::{DeviceSettings, ExitSettings};
use super::{Detection, Signal};
use crate::time::Millis;

/// A pointer entering at most this far below the top came from the browser's tab strip or
/// address bar (a fast hand's first position inside can be a few dozen pixels down).
const ENTRY_BAND_PX: i32 = 50;

/// A pointer that left through the top and comes back in at the top for at most this long is
/// still on its way out (a hand moving along the bookmarks bar, a thin strip right above the
/// page, wobbles back into it): leaving again continues the excursion.
const DIP_MS: Millis = 1000;

/// A scroll-up is over once the page moves back down more than this (reading on); less is a
/// fling settling or rounding at its end.
const DOWN_SLACK_PX: i32 = 40;

/// Scroll samples further apart than this belong to different runs (a pause between flicks).
const RUN_GAP_MS: Millis = 300;

/// "Long ago": far enough in the past that every delay has run out, yet safe to subtract.
const NEVER: Millis = Millis::MIN / 4;

/// A detection waiting for its grace period (the pointer staying out, the scroll settling).
#[derive(Clone, Copy, Debug)]
struct Pending {
    signal: Signal,
    due: Millis,
    measure: i64,
}

/// The exit-intent detector of one page.
#[derive(Clone, Debug)]
pub struct Detector {
    settings: ExitSettings,
    /// The active device class's settings (from the last landing).
    s: DeviceSettings,
    landed: bool,
    fired: bool,
    /// When the page view started.
    shown_at: Millis,
    /// Nothing fires before this.
    armed_at: Millis,
    /// Not shown yet since landing (opened in the background): armed when first shown.
    never_shown: bool,
    viewport_w: i32,
    viewport_h: i32,
    document_h: i32,
    /// The deepest viewport bottom seen, px.
    max_bottom: i64,
    scroll_y: i32,
    scroll_at: Millis,
    /// Where and when the current upward scroll run started (`run_y == scroll_y`: none).
    run_y: i32,
    run_at: Millis,
    /// Since when the page is hidden, if it is.
    hidden_at: Option<Millis>,
    focus: Focus,
    last_click: Millis,
    last_key: Millis,
    /// The last scroll, click, key, touch or return to the page (for `idle`).
    last_input: Millis,
    had_input: bool,
    entered_top_at: Millis,
    /// Until when a leave through the top continues an exit that a dip back in interrupted.
    dip_until: Millis,
    /// A touch with no scroll since (a tap so far, or a flick about to move the page).
    touch_at: Millis,
    pending: Option<Pending>,
}

/// `now - then`, saturating.
fn since(now: Millis, then: Millis) -> Millis {
    now.saturating_sub(then)
}

impl Detector {
    /// A detector with `settings`; it waits for a [`Sample::Land`].
    pub fn new(settings: ExitSettings) -> Self {
        Detector {
            settings,
            s: DeviceSettings::OFF,
            landed: false,
            fired: false,
            shown_at: 0,
            armed_at: 0,
            never_shown: false,
            viewport_w: 0,
            viewport_h: 0,
            document_h: 0,
            max_bottom: 0,
            scroll_y: 0,
            scroll_at: NEVER,
            run_y: 0,
            run_at: NEVER,
            hidden_at: None,
            focus: Focus::None,
            last_click: NEVER,
            last_key: NEVER,
            last_input: 0,
            had_input: false,
            entered_top_at: NEVER,
            dip_until: NEVER,
            touch_at: NEVER,
            pending: None,
        }
    }

    /// Whether this page view has fired already.
    pub fn fired(&self) -> bool {
        self.fired
    }

    /// Takes one sample; a detection if this sample (or a grace period that ran out before
    /// it) completes one.
    pub fn feed(&mut self, sample: Sample) -> Option<Detection> {
        // A build with a detector that never fires, for measuring what exit intent costs the
        // module (bench/exit/core-size.sh; the linker drops the rest): never shipped.
        if cfg!(trailmark_without_exit_detector) {
            return None;
        }
        if let Sample::Land {
            at,
            viewport_w,
            viewport_h,
            document_h,
            device,
            restored: _,
            hidden,
        } = sample
        {
            *self = Detector::new(self.settings);
            self.s = match device {
                Device::Desktop => self.settings.desktop,
                Device::Phone => self.settings.phone,
            };
            self.landed = true;
            self.shown_at = at;
            self.armed_at = at.saturating_add(i64::from(self.s.arm_ms));
            self.never_shown = hidden;
            self.hidden_at = hidden.then_some(at);
            self.viewport_w = viewport_w;
            self.viewport_h = viewport_h;
            self.document_h = document_h;
            self.max_bottom = i64::from(viewport_h);
            self.last_input = at;
            return None;
        }
        if !self.landed || self.fired {
            return None;
        }
        let now = sample.at();
        // A grace period that ran out before this sample: the shell's timer was late.
        if let Some(d) = self.tick(now) {
            return Some(d);
        }
        match sample {
            Sample::Land { .. } => None,
            Sample::Leave { at, x, y, vy, .. } => {
                self.leave(at, x, y, vy);
                self.tick(at)
            }
            Sample::Enter { at, y, .. } => {
                let was_out = matches!(self.pending, Some(p) if p.signal == Signal::PointerTop);
                if was_out {
                    self.pending = None;
                }
                if y <= ENTRY_BAND_PX {
                    self.entered_top_at = at;
                    if was_out {
                        self.dip_until = at.saturating_add(DIP_MS);
                    }
                }
                None
            }
            Sample::Scroll {
                at,
                y,
                viewport_h,
                document_h,
            } => {
                self.scroll(at, y, viewport_h, document_h);
                self.tick(at)
            }
            Sample::Visibility { at, hidden } => self.visibility(at, hidden),
            Sample::Focus { focus, .. } => {
                self.focus = focus;
                None
            }
            Sample::Input { at, input } => {
                match input {
                    Input::Click => self.last_click = at,
                    Input::Key => self.last_key = at,
                    Input::Touch => self.touch_at = at,
                }
                self.touched(at);
                // A click ends a scroll-up: the shopper is using the page (the header menu; a
                // tap fires one too). A touch may start another flick up instead: it ends the
                // scroll-up only if no scroll follows it (see `tapped`).
                if input != Input::Touch
                    && matches!(self.pending, Some(p) if p.signal == Signal::ScrollUp)
                {
                    self.pending = None;
                }
                None
            }
            Sample::Resize {
                viewport_w,
                viewport_h,
                ..
            } => {
                self.viewport_w = viewport_w;
                self.viewport_h = viewport_h;
                None
            }
        }
    }

    /// When [`tick`](Self::tick) may next fire something, if it may.
    pub fn next_wake(&self) -> Option<Millis> {
        if cfg!(trailmark_without_exit_detector) {
            return None;
        }
        if !self.landed || self.fired || self.hidden_at.is_some() {
            return None;
        }
        let idle = self.idle_due();
        match (self.pending.map(|p| p.due), idle) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Fires a grace period or the idle signal that is due at `now`.
    pub fn tick(&mut self, now: Millis) -> Option<Detection> {
        if cfg!(trailmark_without_exit_detector) {
            return None;
        }
        if !self.landed || self.fired || self.hidden_at.is_some() {
            return None;
        }
        if let Some(p) = self.pending.filter(|p| now >= p.due) {
            self.pending = None;
            if !self.tapped(p) {
                return self.fire(p.signal, now, p.measure);
            }
        }
        match self.idle_due() {
            Some(due) if now >= due => self.fire(Signal::Idle, now, since(now, self.last_input)),
            _ => None,
        }
    }

    /// The pointer left the window.
    fn leave(&mut self, at: Millis, x: i32, y: i32, vy: i32) {
        let Some(p) = self.s.pointer_top else { return };
        let up = -i64::from(vy);
        // Through the top edge between the side edges (a corner exit went out sideways), and
        // moving up: toward the tab strip is often more sideways than up, so only the upward
        // part is measured.
        let through_top = i64::from(y) <= i64::from(p.edge_px) && x >= 0 && x <= self.viewport_w;
        // Out again right after a dip back in from an exit through the top: the same
        // excursion, whatever its speed along the bar and however soon after that entry.
        let resumed = at <= self.dip_until;
        self.dip_until = NEVER;
        let upward = resumed || up >= i64::from(p.min_speed).max(1);
        let typing = self.focus == Focus::Text && since(at, self.last_key) < i64::from(p.typing_ms);
        let quiet = at < self.armed_at
            || self.focus == Focus::Select
            || typing
            || since(at, self.last_click.max(self.last_key)) < i64::from(p.after_interaction_ms)
            || (!resumed && since(at, self.entered_top_at) < i64::from(p.after_entry_ms));
        if through_top && upward && !quiet {
            self.pending = Some(Pending {
                signal: Signal::PointerTop,
                due: at.saturating_add(i64::from(p.grace_ms)),
                measure: up,
            });
        }
    }

    /// The page scrolled to `y`.
    fn scroll(&mut self, at: Millis, y: i32, viewport_h: i32, document_h: i32) {
        if y != self.scroll_y {
            // The last touch moved the page: a flick, not a tap.
            self.touch_at = NEVER;
        }
        if let (Some(p), Some(s)) = (self.pending.as_mut(), self.s.scroll_up) {
            if p.signal == Signal::ScrollUp && y > self.scroll_y.saturating_add(DOWN_SLACK_PX) {
                // Back down the page: reading on.
                self.pending = None;
            } else if p.signal == Signal::ScrollUp && y < self.scroll_y {
                // Still going up (the fling's tail, another flick): not settled yet.
                p.due = at.saturating_add(i64::from(s.settle_ms));
            }
        }
        self.viewport_h = viewport_h;
        self.document_h = document_h;
        self.touched(at);
        self.max_bottom = self
            .max_bottom
            .max(i64::from(y).saturating_add(i64::from(viewport_h)));
        // An upward run goes on while the page keeps moving up without a pause; a move down or
        // a pause ends it, and a move up after that starts a new one.
        // The same position again (a `scroll` and a `scrollend` sample together) goes on with it.
        if y > self.scroll_y || since(at, self.scroll_at) > RUN_GAP_MS {
            self.run_y = y;
            self.run_at = at;
        } else if self.run_y <= self.scroll_y {
            self.run_y = self.scroll_y;
            self.run_at = self.scroll_at;
        }
        self.scroll_y = y;
        self.scroll_at = at;
        let depth = self.depth_percent();
        let Some(s) = self.s.scroll_up else { return };
        if y <= 0 {
            // At the very top: the shopper went for the header (its menu, its search), not
            // for the address bar, which shows as soon as the page moves up.
            if matches!(self.pending, Some(p) if p.signal == Signal::ScrollUp) {
                self.pending = None;
            }
            return;
        }
        let distance = i64::from(self.run_y) - i64::from(y);
        let took = since(at, self.run_at).max(1);
        let speed = distance.saturating_mul(1000) / took;
        if at >= self.armed_at
            && depth >= s.min_depth_percent
            && distance >= i64::from(s.min_px)
            && speed >= i64::from(s.min_speed)
        {
            let measure = match self.pending {
                Some(p) if p.signal == Signal::ScrollUp => p.measure.max(speed),
                _ => speed,
            };
            self.pending = Some(Pending {
                signal: Signal::ScrollUp,
                due: at.saturating_add(i64::from(s.settle_ms)),
                measure,
            });
        }
    }

    /// The page was hidden or shown.
    fn visibility(&mut self, at: Millis, hidden: bool) -> Option<Detection> {
        if hidden {
            if self.hidden_at.is_some() {
                return None;
            }
            // Switching away while a detection waits for its grace period confirms it: the
            // pointer went out through the top (or the page was pulled up) and the shopper
            // left for another tab or app. The caller may show its offer on the return.
            let done = self.pending.take().filter(|&p| !self.tapped(p));
            self.hidden_at = Some(at);
            return done.and_then(|p| self.fire(p.signal, at, p.measure));
        }
        let away = self.hidden_at.take()?;
        self.touched(at);
        if self.never_shown {
            // First shown now: this is when the shopper lands.
            self.never_shown = false;
            self.armed_at = at.saturating_add(i64::from(self.s.arm_ms));
            return None;
        }
        let hidden_ms = since(at, away);
        let t = self.s.tab_return?;
        if at >= self.armed_at && away >= self.armed_at && hidden_ms >= i64::from(t.min_hidden_ms) {
            return self.fire(Signal::TabReturn, at, hidden_ms);
        }
        None
    }

    /// Whether `p` is a scroll-up that a tap ended: a touch after the run's last scroll that
    /// moved nothing (a flick would have scrolled the page by now).
    fn tapped(&self, p: Pending) -> bool {
        p.signal == Signal::ScrollUp && self.touch_at != NEVER
    }

    /// A deliberate input at `at` (for `idle`).
    fn touched(&mut self, at: Millis) {
        self.last_input = self.last_input.max(at);
        self.had_input = true;
    }

    /// When `idle` fires if nothing happens, if it can.
    fn idle_due(&self) -> Option<Millis> {
        let idle = self.s.idle?;
        if !self.had_input || self.depth_percent() < idle.min_depth_percent {
            return None;
        }
        Some(
            self.last_input
                .saturating_add(i64::from(idle.ms))
                .max(self.armed_at),
        )
    }

    /// The deepest viewport bottom as a percentage of the page (100 for a page that fits).
    fn depth_percent(&self) -> u32 {
        let page = i64::from(self.document_h);
        if page <= 0 || self.max_bottom >= page {
            return 100;
        }
        (self.max_bottom.max(0) * 100 / page) as u32
    }

    fn fire(&mut self, signal: Signal, at: Millis, measure: i64) -> Option<Detection> {
        if at < self.armed_at {
            return None;
        }
        self.fired = true;
        self.pending = None;
        Some(Detection {
            signal,
            at,
            time_on_page_ms: since(at, self.shown_at),
            scroll_depth_percent: self.depth_percent(),
            measure,
        })
    }
}

/// What a shell does with a recorded stream of samples: feeds them in order, calling
/// [`Detector::tick`] whenever [`Detector::next_wake`] comes before the next sample, and
/// ticks on until `until`. The first detection, if any (the corpus evaluation and the tests
/// replay traces with it).
pub fn replay(settings: ExitSettings, samples: &[Sample], until: Millis) -> Option<Detection> {
    let mut d = Detector::new(settings);
    for s in samples.iter().copied() {
        if let Some(hit) = d.wake_before(s.at()) {
            return Some(hit);
        }
        if let Some(hit) = d.feed(s) {
            return Some(hit);
        }
    }
    d.wake_before(until)
}

impl Detector {
    /// Ticks at every wake-up at or before `t`.
    fn wake_before(&mut self, t: Millis) -> Option<Detection> {
        while let Some(wake) = self.next_wake().filter(|&w| w <= t) {
            if let Some(hit) = self.tick(wake) {
                return Some(hit);
            }
            if self.next_wake() == Some(wake) {
                // Nothing can change without a new sample.
                return None;
            }
        }
        None
    }
}
