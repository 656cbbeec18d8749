//! The ids the shell keeps in storage: the anonymous id, the tab id and the tab's page-load
//! counter. Nothing is written while consent is pending: the anonymous id only while analytics
//! is granted (see [`sync_ids`]), the tab id and counter from the moment events may be sent
//! (they number what is sent); until then they live in memory.

use super::shell::Shared;
use super::storage::{self, Area};
use super::{cookie, random};
use crate::ids::plausible_id;
use crate::tracker::Tracker;
use crate::value::Value;

/// Storage key of the anonymous id (versioned envelope).
pub(super) const ANON_KEY: &str = "trailmark:aid";
/// Storage key of the tab id (sessionStorage: one per tab, kept across reloads).
const TAB_KEY: &str = "trailmark:tab";
/// Storage key of this tab's page-load counter (sessionStorage), which numbers `seq` blocks.
const LOADS_KEY: &str = "trailmark:loads";

/// A stored id, if there is a plausible one (see [`plausible_id`]).
pub(super) fn read_id(area: Area, key: &str) -> Option<String> {
    match storage::read(area, key, 1) {
        Some(Value::String(id)) if plausible_id(&id) => Some(id),
        _ => None,
    }
}

/// This tab's id (the stored one, or a fresh one in memory) and the number of this page load
/// (one more than the stored counter; 1 when there is none or it is unreadable).
pub(super) fn read_tab() -> (String, u64) {
    let id = read_id(Area::Session, TAB_KEY).unwrap_or_else(random::uuid);
    let previous = match storage::read(Area::Session, LOADS_KEY, 1) {
        Some(Value::Number(n)) if (0.0..1e9).contains(&n) && n.fract() == 0.0 => n as u64,
        _ => 0,
    };
    (id, previous + 1)
}

/// Writes the tab id and this page load's number.
pub(super) fn store_tab(tab_id: &str, load: u64) -> bool {
    storage::write(Area::Session, TAB_KEY, 1, &Value::from(tab_id))
        && storage::write(Area::Session, LOADS_KEY, 1, &Value::Number(load as f64))
}

/// Brings storage in line with consent: the tab id and load counter once events may be sent;
/// the anonymous id (and its cookie on the configured domain, once per page) while analytics is
/// granted, removed when it is denied.
pub(super) fn sync_ids(shared: &Shared, tracker: &Tracker) {
    let effects = tracker.effects();
    if effects.send_events && !shared.tab_stored.get() {
        shared
            .tab_stored
            .set(store_tab(&tracker.identity().tab_id, shared.load.get()));
    }
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
