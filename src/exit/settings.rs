//! The tunables of the detector, per device class, and the config section they come from.
//!
//! ```json
//! "exitIntent": {
//!   "desktop": { "armMs": 1000, "pointerTop": { "edgePx": 20, "graceMs": 100 }, "idle": false },
//!   "phone": { "scrollUp": { "minDepthPercent": 30 }, "tabReturn": { "minHiddenMs": 5000 } }
//! }
//! ```
//!
//! The defaults (below, and in the table of [`super`]) were tuned on the tuning corpus
//! (`tests/fixtures/exit/desktop.json` and `phone.json`, `tune_on_the_tuning_corpus` in
//! `tests/exit_corpus.rs`), starting from the peers' values (ouibounce's 20 px, a 5 s hidden
//! tab); a fresh held-out set (`heldout-*.json`) reports them. Where the corpus left a range
//! of values equally good, the choice and its reason are given on the field.
//!
//! Every field is optional. A signal is `false` (off), `true` (on, with its defaults) or an
//! object of the fields to change (on); a device class may be `false` (nothing fires there).
//! Missing signals keep the device class's default: desktops use `pointerTop`, phones
//! `scrollUp`, `tabReturn` and `idle`. All numbers are whole and non-negative; the ranges are
//! in `compile.rs` (and re-applied when a compiled program is read).

/// `pointer-top`: the pointer leaves through the top edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointerTop {
    /// The exit position must be at most this far below the top (`clientY`, px). Default 20
    /// (ouibounce's sensitivity).
    pub edge_px: u32,
    /// Least upward speed when leaving, px/s. Default 50: moving up at all. A hand heading for
    /// the tab strip or the address bar slows down as it nears its target, so it often
    /// crosses the edge slowly; the speed is no sign of intent (an overshoot is fast), the
    /// time out is.
    pub min_speed: u32,
    /// How long the pointer must stay out (a hand overshooting the header comes back sooner).
    /// Default 1 000: the corpus is equally good from 800 to 1 500 ms; 1 000 leaves a margin
    /// over its longest overshoot (about 720 ms).
    pub grace_ms: u32,
    /// Quiet this long after a click or a key (the hand carries on after clicking the header,
    /// and the next page loads). Default 600 (equally good up to 1 000 on the corpus).
    pub after_interaction_ms: u32,
    /// Quiet this long after the pointer entered from the top.
    pub after_entry_ms: u32,
    /// Typing: a key in a focused text field within this long.
    pub typing_ms: u32,
}

/// `scroll-up`: a fast upward scroll after reading down the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScrollUp {
    /// How much of the page must have been seen first (deepest viewport bottom, percent).
    pub min_depth_percent: u32,
    /// Least distance of one upward run, px.
    pub min_px: u32,
    /// Least average speed of the run, px/s.
    pub min_speed: u32,
    /// Fires this long after the last upward move (a fling's tail or another flick up keeps it
    /// waiting) unless the shopper taps (scrolling up to use the header menu ends with a tap)
    /// or scrolls back down (reading on).
    pub settle_ms: u32,
}

/// `tab-return`: the page is shown again after the shopper switched away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TabReturn {
    /// Least hidden time, ms (a glance at a notification is shorter).
    pub min_hidden_ms: u32,
}

/// `idle`: no input for a while after engaging with the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Idle {
    /// Idle time, ms.
    pub ms: u32,
    /// How much of the page must have been seen (percent); the shopper must also have
    /// scrolled, tapped, clicked or typed once.
    pub min_depth_percent: u32,
}

/// The settings of one device class; a signal that is `None` is off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceSettings {
    /// Nothing fires this long after the page is shown, ms.
    pub arm_ms: u32,
    /// See [`PointerTop`].
    pub pointer_top: Option<PointerTop>,
    /// See [`ScrollUp`].
    pub scroll_up: Option<ScrollUp>,
    /// See [`TabReturn`].
    pub tab_return: Option<TabReturn>,
    /// See [`Idle`].
    pub idle: Option<Idle>,
}

/// The `exitIntent` section: one [`DeviceSettings`] per device class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExitSettings {
    /// Mouse and trackpad devices.
    pub desktop: DeviceSettings,
    /// Touch-first devices.
    pub phone: DeviceSettings,
}

impl Default for PointerTop {
    fn default() -> Self {
        PointerTop {
            edge_px: 20,
            min_speed: 50,
            grace_ms: 1000,
            after_interaction_ms: 600,
            after_entry_ms: 500,
            typing_ms: 1500,
        }
    }
}

impl Default for ScrollUp {
    fn default() -> Self {
        ScrollUp {
            min_depth_percent: 30,
            min_px: 600,
            min_speed: 400,
            settle_ms: 1200,
        }
    }
}

impl Default for TabReturn {
    fn default() -> Self {
        TabReturn {
            min_hidden_ms: 5000,
        }
    }
}

impl Default for Idle {
    fn default() -> Self {
        Idle {
            ms: 40_000,
            min_depth_percent: 25,
        }
    }
}

impl DeviceSettings {
    /// Every signal off.
    pub const OFF: DeviceSettings = DeviceSettings {
        arm_ms: 0,
        pointer_top: None,
        scroll_up: None,
        tab_return: None,
        idle: None,
    };

    /// The desktop defaults: `pointer-top` only.
    pub fn desktop() -> Self {
        DeviceSettings {
            arm_ms: 1000,
            pointer_top: Some(PointerTop::default()),
            ..DeviceSettings::OFF
        }
    }

    /// The phone defaults: `scroll-up`, `tab-return` and `idle`.
    pub fn phone() -> Self {
        DeviceSettings {
            arm_ms: 3000,
            scroll_up: Some(ScrollUp::default()),
            tab_return: Some(TabReturn::default()),
            idle: Some(Idle::default()),
            ..DeviceSettings::OFF
        }
    }
}

impl Default for ExitSettings {
    fn default() -> Self {
        ExitSettings {
            desktop: DeviceSettings::desktop(),
            phone: DeviceSettings::phone(),
        }
    }
}

/// The accepted range of each number, `(min, max)`: the compiler reports values outside it and
/// the program reader clamps to it, so a program cannot ask for what a config could not.
pub mod range {
    /// `armMs`.
    pub const ARM_MS: (u32, u32) = (0, 600_000);
    /// `pointerTop.edgePx`.
    pub const EDGE_PX: (u32, u32) = (0, 200);
    /// Speeds (`pointerTop.minSpeed`, `scrollUp.minSpeed`), px/s.
    pub const SPEED: (u32, u32) = (0, 100_000);
    /// Grace periods (`pointerTop.graceMs`, `scrollUp.settleMs`).
    pub const GRACE_MS: (u32, u32) = (0, 10_000);
    /// Quiet periods (`afterInteractionMs`, `afterEntryMs`, `typingMs`).
    pub const QUIET_MS: (u32, u32) = (0, 60_000);
    /// Depths (`minDepthPercent`).
    pub const PERCENT: (u32, u32) = (0, 100);
    /// `scrollUp.minPx`.
    pub const DISTANCE_PX: (u32, u32) = (0, 100_000);
    /// `tabReturn.minHiddenMs`.
    pub const HIDDEN_MS: (u32, u32) = (0, 3_600_000);
    /// `idle.ms`.
    pub const IDLE_MS: (u32, u32) = (1_000, 3_600_000);
}
