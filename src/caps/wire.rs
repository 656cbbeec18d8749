//! Caps and schedules in the program format (see [`crate::wire`]).

use super::{Caps, Schedule};
use crate::time::Millis;
#[cfg(feature = "compiler")]
use crate::wire::Writer;
use crate::wire::{Reader, Wire};

impl Wire for Caps {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.per_session.put(w);
        self.window_views.put(w);
        self.window_ms.put(w);
        self.ever.put(w);
        self.after_dismiss.put(w);
        self.after_accept.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let per_session = u32::get(r);
        let window_views = u32::get(r);
        let window_ms = Millis::get(r);
        let ever = u32::get(r);
        let after_dismiss = Option::get(r);
        Caps {
            per_session,
            window_views,
            window_ms,
            ever,
            after_dismiss,
            after_accept: Option::get(r),
        }
    }
}

impl Wire for Schedule {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.start.put(w);
        self.end.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let start = Millis::get(r);
        Schedule {
            start,
            end: Millis::get(r),
        }
    }
}
