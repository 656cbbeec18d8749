//! Keeping the delivery queue across page loads, and telling the site owner what was lost.
//!
//! The shell stores the outbox's snapshot (see `crate::outbox`) under a per-tab key and hands it
//! back on the next page load of the tab. The tracker decides *whether* to store, from consent:
//! analytics granted keeps the queue on the device; pending keeps it in memory only (the stored
//! copy is left alone, never rewritten); denied removes it.

use super::{Page, Tracker};
use crate::outbox::RestoreError;
use crate::time::Millis;
use crate::value::{Map, Value};

/// The event that reports lost events to the collector (queue full, refused, gave up).
pub const DROPPED_EVENT: &str = "Trailmark Events Dropped";

/// Marks "the stored copy was removed" in [`Tracker::queue_written`].
const REMOVED: u64 = u64::MAX;

/// What the shell should do with the stored queue.
#[derive(Clone, Debug, PartialEq)]
pub enum QueueStore {
    /// Write this snapshot (versioned JSON).
    Write(String),
    /// Remove the stored copy: the queue is empty, or analytics consent was denied.
    Remove,
}

impl Tracker {
    /// Merges a stored queue (what `JSON.parse` made of a [`QueueStore::Write`] snapshot) into
    /// the outbox, ahead of newer events. Returns how many events are queued afterwards; on an
    /// error nothing changed and the shell should remove the stored copy.
    pub fn restore_queue(&mut self, stored: &Value, now: Millis) -> Result<usize, RestoreError> {
        self.tick(now);
        self.outbox.restore(stored, now)?;
        // Denied while the stored copy waited: it must not leave the device.
        self.apply_consent();
        Ok(self.outbox.len())
    }

    /// Whether [`take_queue_to_store`](Self::take_queue_to_store) has something to say.
    pub fn queue_dirty(&self) -> bool {
        if self.effects.discard_events {
            self.queue_written != Some(REMOVED)
        } else {
            self.effects.persist_queue && self.queue_written != Some(self.outbox.generation())
        }
    }

    /// What to do with the stored queue now, if anything changed since the last call.
    pub fn take_queue_to_store(&mut self) -> Option<QueueStore> {
        if self.effects.discard_events {
            if self.queue_written == Some(REMOVED) {
                return None;
            }
            self.queue_written = Some(REMOVED);
            return Some(QueueStore::Remove);
        }
        if !self.effects.persist_queue {
            return None;
        }
        let generation = self.outbox.generation();
        if self.queue_written == Some(generation) {
            return None;
        }
        self.queue_written = Some(generation);
        Some(if self.outbox.is_empty() {
            QueueStore::Remove
        } else {
            QueueStore::Write(self.outbox.snapshot())
        })
    }

    /// Storage refused the last [`QueueStore::Write`] (quota): it is tried again on the next
    /// change instead of being taken as written.
    pub fn queue_write_failed(&mut self) {
        self.queue_written = None;
    }

    /// After an event is queued: if the outbox lost events since the last report, queue one
    /// `Trailmark Events Dropped` event with the counts, so the collector learns of the gap.
    pub(super) fn report_drops(&mut self, message_id: &str, page: &Page) {
        // The report is an event too: queued into a full outbox it would evict another event,
        // which would need a report of its own, and so on. It waits until there is room for the
        // largest event there can be, and recording it never reports drops itself: at most one
        // report per recorded event, none for the report's own recording.
        const REPORT_BYTES: usize = crate::limits::MAX_EVENT_BYTES;
        if self.reporting {
            return;
        }
        let policy = self.outbox.policy();
        let room = self.outbox.len() < policy.max_events
            && self.outbox.bytes() + REPORT_BYTES <= policy.max_bytes;
        if !self.effects.send_events || !room {
            return;
        }
        // Events the consent buffer had to let go of while waiting count as "queue full" too.
        let held = self.held_dropped - self.held_reported;
        let report = self.outbox.take_drop_report().unwrap_or_default();
        if report.is_empty() && held == 0 {
            return;
        }
        self.held_reported = self.held_dropped;
        let mut properties = Map::new();
        properties.insert("queueFull", Value::Number((report.dropped + held) as f64));
        properties.insert("rejected", Value::Number(report.rejected as f64));
        properties.insert("expired", Value::Number(report.expired as f64));
        // Unique because the triggering event's id is.
        let mut id = String::from(message_id);
        id.push_str("-dropped");
        let now = self.clock;
        self.reporting = true;
        self.track(DROPPED_EVENT, properties, page, id, now);
        self.reporting = false;
    }
}
