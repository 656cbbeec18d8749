//! Panic containment. A panic in wasm aborts the call with a trap; the hook installed here runs
//! first, marks the module dead and says so once. Every exported entry point checks
//! [`is_dead`] and does nothing afterwards, and the loader catches the trap itself, so the host
//! page never sees an exception and keeps its default content.

use std::sync::atomic::{AtomicBool, Ordering};

#[cfg(not(feature = "tools"))]
use super::console;

static DEAD: AtomicBool = AtomicBool::new(false);

/// Whether an earlier panic stopped this module.
pub fn is_dead() -> bool {
    DEAD.load(Ordering::Relaxed)
}

/// Installs the hook (idempotent).
#[cfg(not(feature = "tools"))]
pub fn install() {
    static INSTALLED: AtomicBool = AtomicBool::new(false);
    if INSTALLED.swap(true, Ordering::Relaxed) {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        if DEAD.swap(true, Ordering::Relaxed) {
            return;
        }
        let mut msg = String::from(
            "stopped after an internal error; the page keeps its default content. Please report: ",
        );
        let payload = info.payload();
        if let Some(s) = payload.downcast_ref::<&str>() {
            msg.push_str(s);
        } else if let Some(s) = payload.downcast_ref::<String>() {
            msg.push_str(s);
        }
        if let Some(loc) = info.location() {
            msg.push_str(" at ");
            msg.push_str(loc.file());
            msg.push(':');
            crate::text::push_u64(&mut msg, u64::from(loc.line()));
        }
        console::error(&msg);
    }));
}
