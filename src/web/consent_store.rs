//! The shopper's consent choice in storage.

use super::console;
use super::convert::{to_value, Limits};
use super::storage::{self, Area};
use super::visitor;
use crate::tracker::Tracker;

/// Storage key of the shopper's consent choice (the core's own versioned record).
const CONSENT_KEY: &str = "trailmark:consent";

/// Restores the stored consent choice; an unreadable or foreign record is removed (fresh start).
pub(super) fn restore_consent(tracker: &mut Tracker) {
    let Some(parsed) = storage::get_json(Area::Local, CONSENT_KEY) else {
        return;
    };
    let stored = to_value(&parsed, Limits::CONFIG).value;
    if !tracker.restore_consent(&stored) {
        console::warn("ignored an unreadable stored consent choice; starting fresh");
        storage::remove(Area::Local, CONSENT_KEY);
    }
}

/// Writes what consent changes ask to be written: the choice, and the erasure of the stored
/// profile when personalization was denied.
pub(super) fn store_consent(tracker: &mut Tracker) {
    if let Some(record) = tracker.take_consent_to_store() {
        storage::set(Area::Local, CONSENT_KEY, &record);
    }
    if tracker.take_profile_erasure() {
        visitor::erase();
    }
}
