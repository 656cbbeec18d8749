//! The visitor record on the device: one localStorage key shared by the tabs of the origin
//! (see `crate::visitor`). Another tab's write arrives as a `storage` event and is merged, never
//! taken as is, so neither tab loses what the other counted.

use super::console;
use super::convert::{to_value, Limits};
use super::storage::{self, Area};
use crate::tracker::Tracker;

/// The key of the visitor record.
pub const KEY: &str = "trailmark:profile";

/// Merges the stored record into the tracker's visitor; an unreadable one is removed with one
/// warning (this tab's record replaces it on the next write).
pub fn restore(tracker: &mut Tracker) {
    let Some(parsed) = storage::get_json(Area::Local, KEY) else {
        return;
    };
    let converted = to_value(&parsed, Limits::RECORD);
    if converted.clamped || !tracker.merge_visitor(&converted.value) {
        console::warn("the stored visitor profile could not be read; it starts fresh");
        storage::remove(Area::Local, KEY);
    }
}

/// Writes the record when it changed and consent allows.
pub fn persist(tracker: &mut Tracker) {
    if let Some(record) = tracker.take_visitor_to_store() {
        if !storage::set(Area::Local, KEY, &record) {
            tracker.visitor_write_failed();
        }
    }
}

/// Removes the stored record (personalization denied).
pub fn erase() {
    storage::remove(Area::Local, KEY);
}
