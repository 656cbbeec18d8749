//! The inputs of the detector, and their plain-number form (what crosses from JavaScript).

use crate::time::Millis;

/// The device class, as the shell judges it at landing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    /// A mouse or trackpad is the primary pointer.
    Desktop,
    /// Touch is the primary input (`(pointer: coarse)`).
    Phone,
}

/// What has the keyboard focus.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// Nothing that opens a popup of its own.
    None,
    /// A text field (`input`, `textarea`, contenteditable): browsers show autocomplete popups
    /// under it, and a shopper typing may knock the mouse.
    Text,
    /// A `<select>`, open or about to be: its native popup is outside the page, so moving into
    /// it looks like leaving the window.
    Select,
}

/// A deliberate input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Input {
    /// A mouse button pressed.
    Click,
    /// A key pressed in a text field.
    Key,
    /// A finger on the screen.
    Touch,
}

/// One input sample. Coordinates are CSS pixels of the viewport (`clientX`/`clientY`),
/// velocities pixels per second, scroll positions `scrollY`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sample {
    /// The page is shown: a page view starts (also on a back/forward-cache restore, which
    /// restarts the arming delay). Resets everything, including a detection already made.
    Land {
        /// When.
        at: Millis,
        /// `innerWidth`.
        viewport_w: i32,
        /// `innerHeight`.
        viewport_h: i32,
        /// The page's height (`scrollHeight`).
        document_h: i32,
        /// Desktop or phone: which settings apply.
        device: Device,
        /// Restored from the back/forward cache rather than loaded.
        restored: bool,
        /// Hidden at landing (opened in a background tab): armed only once shown.
        hidden: bool,
    },
    /// The pointer left the window (`mouseout` with no `relatedTarget`) at `(x, y)`, moving at
    /// `(vx, vy)` (negative `vy` is upward).
    Leave {
        /// When.
        at: Millis,
        /// `clientX` where it left.
        x: i32,
        /// `clientY` where it left (at or above 0 through the top).
        y: i32,
        /// Horizontal speed over the last movement, px/s.
        vx: i32,
        /// Vertical speed over the last movement, px/s (negative: upward).
        vy: i32,
    },
    /// The pointer came into the window at `(x, y)`.
    Enter {
        /// When.
        at: Millis,
        /// `clientX`.
        x: i32,
        /// `clientY`.
        y: i32,
    },
    /// The page scrolled (sampled, not every event).
    Scroll {
        /// When.
        at: Millis,
        /// `scrollY`.
        y: i32,
        /// `innerHeight` now (phones resize it as the address bar shows and hides).
        viewport_h: i32,
        /// The page's height now.
        document_h: i32,
    },
    /// The page was hidden or shown (`visibilitychange`).
    Visibility {
        /// When.
        at: Millis,
        /// `document.hidden`.
        hidden: bool,
    },
    /// The focus moved.
    Focus {
        /// When.
        at: Millis,
        /// What has it now.
        focus: Focus,
    },
    /// A click, a key in a text field, or a touch.
    Input {
        /// When.
        at: Millis,
        /// Which.
        input: Input,
    },
    /// The window was resized.
    Resize {
        /// When.
        at: Millis,
        /// `innerWidth`.
        viewport_w: i32,
        /// `innerHeight`.
        viewport_h: i32,
    },
}

/// Land flags (`d` of kind 0).
const PHONE: i32 = 1;
const RESTORED: i32 = 2;
const HIDDEN: i32 = 4;

impl Sample {
    /// The sample `js/exit.js` passes as `feed(kind, t, a, b, c, d)` (numbers only, so it
    /// crosses into wasm as six scalars). Fields that do not apply are 0; non-numbers and
    /// out-of-range values saturate (a page cannot make the detector panic). `None` for an
    /// unknown kind.
    ///
    /// | kind | sample | a | b | c | d |
    /// |---|---|---|---|---|---|
    /// | 0 | [`Sample::Land`] | viewport width | viewport height | document height | flags: 1 phone, 2 restored, 4 hidden |
    /// | 1 | [`Sample::Leave`] | x | y | vx | vy |
    /// | 2 | [`Sample::Enter`] | x | y | | |
    /// | 3 | [`Sample::Scroll`] | scrollY | viewport height | document height | |
    /// | 4 | [`Sample::Visibility`] | 1 hidden, 0 shown | | | |
    /// | 5 | [`Sample::Focus`] | 0 none, 1 text field, 2 select | | | |
    /// | 6 | [`Sample::Input`] | 0 click, 1 key, 2 touch | | | |
    /// | 7 | [`Sample::Resize`] | viewport width | viewport height | | |
    pub fn from_numbers(kind: u32, t: f64, a: f64, b: f64, c: f64, d: f64) -> Option<Sample> {
        // `as` saturates and maps NaN to 0.
        let at = t as Millis;
        let (a, b, c, d) = (a as i32, b as i32, c as i32, d as i32);
        Some(match kind {
            0 => Sample::Land {
                at,
                viewport_w: a,
                viewport_h: b,
                document_h: c,
                device: if d & PHONE != 0 {
                    Device::Phone
                } else {
                    Device::Desktop
                },
                restored: d & RESTORED != 0,
                hidden: d & HIDDEN != 0,
            },
            1 => Sample::Leave {
                at,
                x: a,
                y: b,
                vx: c,
                vy: d,
            },
            2 => Sample::Enter { at, x: a, y: b },
            3 => Sample::Scroll {
                at,
                y: a,
                viewport_h: b,
                document_h: c,
            },
            4 => Sample::Visibility { at, hidden: a != 0 },
            5 => Sample::Focus {
                at,
                focus: match a {
                    1 => Focus::Text,
                    2 => Focus::Select,
                    _ => Focus::None,
                },
            },
            6 => Sample::Input {
                at,
                input: match a {
                    1 => Input::Key,
                    2 => Input::Touch,
                    _ => Input::Click,
                },
            },
            7 => Sample::Resize {
                at,
                viewport_w: a,
                viewport_h: b,
            },
            _ => return None,
        })
    }

    /// When the sample was taken.
    pub fn at(&self) -> Millis {
        match *self {
            Sample::Land { at, .. }
            | Sample::Leave { at, .. }
            | Sample::Enter { at, .. }
            | Sample::Scroll { at, .. }
            | Sample::Visibility { at, .. }
            | Sample::Focus { at, .. }
            | Sample::Input { at, .. }
            | Sample::Resize { at, .. } => at,
        }
    }
}
