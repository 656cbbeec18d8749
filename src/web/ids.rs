//! The ids the shell keeps in storage: the anonymous id (consent permitting), the tab id and the
//! tab's page-load counter.

use super::shell::Shared;
use super::storage::{self, Area};
use super::{cookie, random};
use crate::tracker::Tracker;
use crate::value::Value;

/// Storage key of the anonymous id (versioned envelope).
pub(super) const ANON_KEY: &str = "trailmark:aid";
/// Storage key of the tab id (sessionStorage: one per tab, kept across reloads).
pub(super) const TAB_KEY: &str = "trailmark:tab";
/// Storage key of this tab's page-load counter (sessionStorage), which numbers `seq` blocks.
const LOADS_KEY: &str = "trailmark:loads";

/// Counts this page load in the tab's sessionStorage and returns its number (1 on the first
/// load, 1 again when storage is unavailable or unreadable: order within a page still holds).
pub(super) fn next_load() -> u64 {
    let previous = match storage::read(Area::Session, LOADS_KEY, 1) {
        Some(Value::Number(n)) if (0.0..1e9).contains(&n) && n.fract() == 0.0 => n as u64,
        _ => 0,
    };
    let load = previous + 1;
    storage::write(Area::Session, LOADS_KEY, 1, &Value::Number(load as f64));
    load
}

/// A stored id, if there is a readable one.
pub(super) fn read_id(area: Area, key: &str) -> Option<String> {
    match storage::read(area, key, 1) {
        Some(Value::String(id)) if !id.is_empty() && id.len() <= 64 => Some(id),
        _ => None,
    }
}

/// Stores the anonymous id once analytics is granted (and in the cookie on the configured
/// domain, once per page), and removes both when analytics is denied.
pub(super) fn sync_anonymous_id(shared: &Shared, tracker: &Tracker) {
    let effects = tracker.effects();
    let stored = shared.aid_stored.get();
    if effects.send_events && !stored {
        let id = Value::String(tracker.anonymous_id().to_owned());
        shared
            .aid_stored
            .set(storage::write(Area::Local, ANON_KEY, 1, &id));
    } else if effects.discard_events && stored {
        storage::remove(Area::Local, ANON_KEY);
        shared.aid_stored.set(false);
    }
    let domain = tracker.config().cookie_domain.as_deref();
    let mut cookie_on = shared.cookie_on.borrow_mut();
    match domain {
        Some(d) if effects.send_events && cookie_on.as_deref() != Some(d) => {
            cookie::store_id(tracker.anonymous_id(), d);
            *cookie_on = Some(d.to_owned());
        }
        Some(d) if effects.discard_events && cookie_on.as_deref() != Some("") => {
            cookie::remove(d);
            *cookie_on = Some(String::new());
        }
        _ => {}
    }
}

/// Reads a stored id, creating and storing a fresh one when missing or unreadable.
pub(super) fn stored_id(area: Area, key: &str) -> String {
    if let Some(id) = read_id(area, key) {
        return id;
    }
    let id = random::uuid();
    storage::write(area, key, 1, &Value::String(id.clone()));
    id
}
