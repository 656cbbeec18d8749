//! The exit-intent settings in the program format (see [`crate::wire`]). Numbers are clamped
//! to the ranges the compiler accepts.

use super::settings::{range, DeviceSettings, ExitSettings, Idle, PointerTop, ScrollUp, TabReturn};
#[cfg(feature = "compiler")]
use crate::wire::Writer;
use crate::wire::{Reader, Wire};

/// A number within `(min, max)`.
fn within(r: &mut Reader<'_>, (min, max): (u32, u32)) -> u32 {
    u32::get(r).clamp(min, max)
}

impl Wire for PointerTop {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        for n in [
            self.edge_px,
            self.min_speed,
            self.grace_ms,
            self.after_interaction_ms,
            self.after_entry_ms,
            self.typing_ms,
        ] {
            n.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let edge_px = within(r, range::EDGE_PX);
        let min_speed = within(r, range::SPEED);
        let grace_ms = within(r, range::GRACE_MS);
        let after_interaction_ms = within(r, range::QUIET_MS);
        let after_entry_ms = within(r, range::QUIET_MS);
        PointerTop {
            edge_px,
            min_speed,
            grace_ms,
            after_interaction_ms,
            after_entry_ms,
            typing_ms: within(r, range::QUIET_MS),
        }
    }
}

impl Wire for ScrollUp {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        for n in [
            self.min_depth_percent,
            self.min_px,
            self.min_speed,
            self.settle_ms,
        ] {
            n.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let min_depth_percent = within(r, range::PERCENT);
        let min_px = within(r, range::DISTANCE_PX);
        let min_speed = within(r, range::SPEED);
        ScrollUp {
            min_depth_percent,
            min_px,
            min_speed,
            settle_ms: within(r, range::GRACE_MS),
        }
    }
}

impl Wire for TabReturn {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.min_hidden_ms.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        TabReturn {
            min_hidden_ms: within(r, range::HIDDEN_MS),
        }
    }
}

impl Wire for Idle {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.ms.put(w);
        self.min_depth_percent.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let ms = within(r, range::IDLE_MS);
        Idle {
            ms,
            min_depth_percent: within(r, range::PERCENT),
        }
    }
}

impl Wire for DeviceSettings {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.arm_ms.put(w);
        self.pointer_top.put(w);
        self.scroll_up.put(w);
        self.tab_return.put(w);
        self.idle.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let arm_ms = within(r, range::ARM_MS);
        let pointer_top = Option::get(r);
        let scroll_up = Option::get(r);
        let tab_return = Option::get(r);
        DeviceSettings {
            arm_ms,
            pointer_top,
            scroll_up,
            tab_return,
            idle: Option::get(r),
        }
    }
}

impl Wire for ExitSettings {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.desktop.put(w);
        self.phone.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let desktop = DeviceSettings::get(r);
        ExitSettings {
            desktop,
            phone: DeviceSettings::get(r),
        }
    }
}
