//! The delivery queue on the device: one localStorage key per tab (`trailmark:outbox:<tabId>`),
//! so tabs never overwrite each other's queue. A reload of the tab restores its own key; the
//! loader hands the queues of tabs that are gone (no longer holding their Web Lock) to a live
//! tab, which merges them ([`Trailmark::adopt`](super::Trailmark::adopt)).

use super::console;
use super::convert::{to_value, Limits};
use super::storage::{self, Area};
use crate::time::Millis;
use crate::tracker::{QueueStore, Tracker};

/// Prefix of every stored queue's key.
pub const PREFIX: &str = "trailmark:outbox:";

/// Writes to storage at most this often; pagehide writes at once.
pub const PERSIST_EVERY_MS: Millis = 1000;

/// The storage key of the queue of tab `tab_id`.
pub fn key_for(tab_id: &str) -> String {
    let mut key = String::from(PREFIX);
    key.push_str(tab_id);
    key
}

/// Merges the queue stored under `key` into the tracker's outbox. A missing key does nothing;
/// an unreadable one is removed with one warning (its events cannot be recovered).
pub fn restore(tracker: &mut Tracker, key: &str, now: Millis) {
    let Some(parsed) = storage::get_json(Area::Local, key) else {
        return;
    };
    let converted = to_value(&parsed, Limits::QUEUE);
    let outcome = if converted.clamped {
        Err(String::from("it is larger than a queue can be"))
    } else {
        tracker
            .restore_queue(&converted.value, now)
            .map_err(|e| e.message())
    };
    if let Err(why) = outcome {
        let mut msg = String::from("a stored event queue could not be read and was removed: ");
        msg.push_str(&why);
        console::warn(&msg);
        storage::remove(Area::Local, key);
    }
}

/// Writes or removes the stored queue as the tracker says (nothing when nothing changed).
/// Returns false when storage refused the write (the tracker then tries again later).
pub fn persist(tracker: &mut Tracker, key: &str) -> bool {
    match tracker.take_queue_to_store() {
        Some(QueueStore::Write(snapshot)) => {
            let written = storage::set(Area::Local, key, &snapshot);
            if !written {
                tracker.queue_write_failed();
            }
            written
        }
        Some(QueueStore::Remove) => {
            storage::remove(Area::Local, key);
            true
        }
        None => true,
    }
}
