//! The entry guard: every call from JavaScript into the module passes through it.
//!
//! It does two jobs with one flag. While a call runs, a second (re-entrant) call, e.g. from a
//! page's property getter or a patched `console.warn` that calls `trailmark.track`, is refused
//! instead of touching state that is mid-update (`track` and `page` only queue, so they are let
//! through: [`enter_to_queue`]). And if a call never returns because the module
//! trapped (a panic aborts with a trap, in every build profile), the flag is never cleared: from
//! then on every entry is refused, so the instance is a no-op without any handler having to run
//! at the moment of the failure.

use std::sync::atomic::{AtomicBool, Ordering};

static BUSY: AtomicBool = AtomicBool::new(false);

/// Proof that this call holds the module; dropping it releases the module.
pub struct Entry(());

impl Entry {
    /// Enters the module, or `None` when another call is inside it or a trap left it dead.
    pub fn enter() -> Option<Entry> {
        // A panic outside any entry (in the constructor, a callback, a test hook) leaves BUSY
        // clear; the panic hook's flag still makes the module a no-op.
        if super::panic::is_dead() {
            return None;
        }
        (!BUSY.swap(true, Ordering::Acquire)).then_some(Entry(()))
    }
}

/// For calls that only queue (track, page): allowed inside another call too, since they touch
/// nothing but the call queue. A page's handler of an event Trailmark dispatches while it
/// applies its decisions (`trailmark:show`) may call `track()`; refusing it would lose the event.
/// `None` only when a trap left the module dead; `Some(None)` inside another call.
#[cfg(not(feature = "tools"))]
pub fn enter_to_queue() -> Option<Option<Entry>> {
    if super::panic::is_dead() {
        return None;
    }
    Some(Entry::enter())
}

impl Drop for Entry {
    fn drop(&mut self) {
        BUSY.store(false, Ordering::Release);
    }
}

/// True after a trap: asked by the loader once no call can be running.
pub fn is_stuck() -> bool {
    BUSY.load(Ordering::Acquire)
}
