//! The delivery outbox: a sans-IO state machine that decides what to send and when.
//!
//! The shell performs the requests the outbox hands out ([`Outbox::poll`]) and reports each
//! outcome back ([`Outbox::complete`]). Events are serialized once, when queued, so the bytes
//! (and the `messageId` inside) never change across retries. One request is in flight at a
//! time, which keeps per-tab order without coordination.
//!
//! Two classes of events wait in two queues: urgent ones (cart, orders: the events a funnel
//! report cannot lose) and the rest. Every request takes the urgent queue first, then the rest;
//! within each class events go out in the order they were pushed. Collectors order a tab's events
//! by `(tabId, seq)`, so sending an order before an earlier page view loses nothing.
//!
//! What leaves the queue without reaching the collector is counted, never silent: evicted by the
//! caps (`dropped`), refused by the collector (`rejected`), or given up on after failing for
//! [`Policy::give_up_ms`] (`expired`). [`Outbox::take_drop_report`] hands those counts to the
//! tracker so they can travel in a later event.
//!
//! The queue survives reloads through [`Outbox::snapshot`] / [`Outbox::restore`];
//! [`Outbox::generation`] tells the shell when a new snapshot is worth writing.

mod one_object;
mod snapshot;

pub use snapshot::{RestoreError, SNAPSHOT_VERSION};

use crate::config::WireFormat;
use crate::json::write_str;
use crate::time::{iso8601, Millis};

/// Batching and retry settings (defaults traced in PRODUCT.md).
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// Send when this many events are queued.
    pub flush_at: usize,
    /// Send at most this long after the oldest unsent event was queued.
    pub flush_interval_ms: Millis,
    /// Largest normal request body.
    pub max_batch_bytes: usize,
    /// Most events held; beyond it the oldest are dropped (and counted).
    pub max_events: usize,
    /// Most bytes held.
    pub max_bytes: usize,
    /// First retry delay; doubles per attempt.
    pub backoff_base_ms: Millis,
    /// Longest retry delay.
    pub backoff_cap_ms: Millis,
    /// An event whose delivery has been failing (retryable outcomes) for longer than this is
    /// dropped and counted as expired: a collector that has been down for a day should not keep
    /// the queue full (and new events evicted) forever.
    pub give_up_ms: Millis,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            flush_at: 20,
            flush_interval_ms: 2000,
            max_batch_bytes: 450 * 1024,
            max_events: 1000,
            max_bytes: 1024 * 1024,
            backoff_base_ms: 500,
            backoff_cap_ms: 60_000,
            give_up_ms: 86_400_000,
        }
    }
}

/// How batches are framed on the wire.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    /// Segment batch or plain array.
    pub format: WireFormat,
    /// Written into Segment batches as `writeKey`.
    pub write_key: Option<String>,
}

/// A request for the shell to send.
#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// Pass back to [`Outbox::complete`].
    pub id: u64,
    /// The JSON body.
    pub body: String,
    /// How many events it carries.
    pub events: usize,
}

/// What became of a request.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    /// 2xx: the collector has the events.
    Delivered,
    /// Network error, 408, 429, 5xx: try again, no sooner than `after_ms` if the server said.
    Retry {
        /// `Retry-After`, in milliseconds.
        after_ms: Option<Millis>,
    },
    /// 413: the body was too large for the collector. The events go back to the queue and the
    /// next request carries at most half as many; a single event refused this way can never be
    /// delivered, so it is dropped and counted as rejected.
    TooLarge,
    /// Another 4xx: the collector will never accept these bytes; they are dropped.
    Rejected,
}

/// Events that left the queue without reaching the collector, since the last report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DropReport {
    /// Evicted because the queue was full (oldest non-urgent first).
    pub dropped: u64,
    /// Refused by the collector (a 4xx other than 408/429, or 413 for a single event), or a
    /// stored event that was not exactly one JSON object (see [`Outbox::restore`]).
    pub rejected: u64,
    /// Given up on after failing for longer than [`Policy::give_up_ms`].
    pub expired: u64,
}

impl DropReport {
    /// Whether nothing was lost.
    pub fn is_empty(&self) -> bool {
        self.dropped == 0 && self.rejected == 0 && self.expired == 0
    }

    /// Adds `other`'s counts (saturating: counts from storage are hostile input).
    fn add(&mut self, other: DropReport) {
        self.dropped = self.dropped.saturating_add(other.dropped);
        self.rejected = self.rejected.saturating_add(other.rejected);
        self.expired = self.expired.saturating_add(other.expired);
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Entry {
    json: String,
    urgent: bool,
    /// When it was queued (or restored): drives the flush interval.
    queued_at: Millis,
    /// When a request carrying it first ended in a retryable outcome: drives giving up.
    failing_since: Option<Millis>,
}

/// The request in flight: its id and the events it carries, taken out of the queues so that an
/// urgent event pushed meanwhile can still go first in the next request.
#[derive(Clone, Debug)]
struct Flight {
    id: u64,
    entries: Vec<Entry>,
}

/// The outbox.
#[derive(Clone, Debug, Default)]
pub struct Outbox {
    policy: Policy,
    // Plain vectors, not `VecDeque`: a queue holds at most a thousand entries, so shifting
    // them is cheap, and one container type keeps the module smaller.
    urgent: Vec<Entry>,
    normal: Vec<Entry>,
    flight: Option<Flight>,
    /// Bytes of every event held, in flight included (what the `max_bytes` cap measures).
    queued_bytes: usize,
    next_id: u64,
    attempt: u32,
    retry_at: Option<Millis>,
    /// After a 413: most events per request. Halves on each 413, doubles on each success (and
    /// disappears once it no longer limits anything), so a one-off huge batch does not slow the
    /// page down for good; it never grows back to a count the collector refused.
    split: Option<usize>,
    /// The fewest events in a request the collector refused with 413.
    refused: Option<usize>,
    /// The generation whose events last went out as beacons while they stayed queued.
    beaconed: Option<u64>,
    dropped: u64,
    rejected: u64,
    expired: u64,
    report: DropReport,
    generation: u64,
}

impl Outbox {
    /// An empty outbox.
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    /// Replaces the policy (a config arrived). Smaller caps apply at once.
    pub fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
        // A new collector may accept larger bodies: forget what the old one refused.
        self.split = None;
        self.refused = None;
        self.enforce_caps();
    }

    /// The current policy.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// Queues one serialized event. `urgent` events make the next [`poll`](Self::poll) send and
    /// go before the others in every request.
    pub fn push(&mut self, json: String, urgent: bool, now: Millis) {
        self.queued_bytes += json.len();
        let entry = Entry {
            json,
            urgent,
            queued_at: now,
            failing_since: None,
        };
        self.class_mut(urgent).push(entry);
        self.generation += 1;
        self.enforce_caps();
    }

    /// Events queued (including those in flight).
    pub fn len(&self) -> usize {
        self.urgent.len() + self.normal.len() + self.flight.as_ref().map_or(0, |f| f.entries.len())
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes of the events queued (including those in flight), framing excluded.
    pub fn bytes(&self) -> usize {
        self.queued_bytes
    }

    /// Counts `n` events that never entered the queue because no collector would take them
    /// (larger than any collector accepts): reported as `rejected`, like a collector's refusal.
    pub fn count_refused(&mut self, n: u64) {
        self.count_drop(DropKind::Rejected, n);
    }

    /// Events dropped because the queue was full, since this outbox was created.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Events the collector refused, since this outbox was created.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    /// Events given up on after failing for longer than [`Policy::give_up_ms`], since this
    /// outbox was created.
    pub fn expired(&self) -> u64 {
        self.expired
    }

    /// The drops counted since the last report (restored ones included), resetting them; `None`
    /// when nothing was lost. The counts are part of the [snapshot](Self::snapshot), so a report
    /// not yet taken survives a reload.
    pub fn take_drop_report(&mut self) -> Option<DropReport> {
        if self.report.is_empty() {
            return None;
        }
        self.generation += 1;
        Some(std::mem::take(&mut self.report))
    }

    /// Changes whenever the [snapshot](Self::snapshot) would change (events queued, sent,
    /// dropped, counts reported), so the shell writes storage only when there is news. Handing
    /// out a request does not change it: events in flight are part of the snapshot.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    fn class_mut(&mut self, urgent: bool) -> &mut Vec<Entry> {
        if urgent {
            &mut self.urgent
        } else {
            &mut self.normal
        }
    }

    /// Counts `n` events lost to `kind`, in both the lifetime counter and the pending report.
    fn count_drop(&mut self, kind: DropKind, n: u64) {
        let (total, pending) = match kind {
            DropKind::Dropped => (&mut self.dropped, &mut self.report.dropped),
            DropKind::Rejected => (&mut self.rejected, &mut self.report.rejected),
            DropKind::Expired => (&mut self.expired, &mut self.report.expired),
        };
        *total = total.saturating_add(n);
        *pending = pending.saturating_add(n);
        self.generation += 1;
    }

    fn enforce_caps(&mut self) {
        // Never evict what is in flight: its outcome is still coming. It fit the caps when it
        // was sent, so evicting everything else is always enough.
        while self.len() > self.policy.max_events || self.queued_bytes > self.policy.max_bytes {
            // Oldest low-value first; if everything left is urgent, the oldest.
            let victim = if !self.normal.is_empty() {
                self.normal.remove(0)
            } else if !self.urgent.is_empty() {
                self.urgent.remove(0)
            } else {
                break;
            };
            self.queued_bytes -= victim.json.len();
            self.count_drop(DropKind::Dropped, 1);
        }
    }

    /// Drops waiting events that have been failing for longer than the policy allows.
    fn expire(&mut self, now: Millis) {
        let limit = self.policy.give_up_ms;
        let mut gone = 0;
        let mut bytes = 0;
        for queue in [&mut self.urgent, &mut self.normal] {
            queue.retain(|e| {
                let keep = e
                    .failing_since
                    .is_none_or(|since| now.saturating_sub(since) <= limit);
                if !keep {
                    gone += 1;
                    bytes += e.json.len();
                }
                keep
            });
        }
        if gone > 0 {
            self.queued_bytes -= bytes;
            self.count_drop(DropKind::Expired, gone);
        }
    }

    /// Puts the events of the request in flight back at the front of their classes. They were
    /// the oldest of each class when sent, so this keeps push order within each class.
    fn return_flight(&mut self) {
        if let Some(flight) = self.flight.take() {
            for e in flight.entries.into_iter().rev() {
                let urgent = e.urgent;
                self.class_mut(urgent).insert(0, e);
            }
        }
    }

    /// Every event in sending order, as if the request in flight came back (it may never
    /// complete): urgent first, oldest first within each class.
    fn sending_order(&self) -> Vec<&Entry> {
        let flying: &[Entry] = self.flight.as_ref().map_or(&[], |f| &f.entries);
        // Plain loops: a chain of filtered iterators collected is a kilobyte of code in the
        // module.
        let mut out = Vec::new();
        for urgent in [true, false] {
            for e in flying {
                if e.urgent == urgent {
                    out.push(e);
                }
            }
            for e in if urgent { &self.urgent } else { &self.normal } {
                out.push(e);
            }
        }
        out
    }

    /// Removes the first `count` waiting events in sending order (urgent first).
    fn take_front(&mut self, count: usize) -> Vec<Entry> {
        // The head of each queue, split off (a drain collected into a vector is code of its own).
        let from_urgent = count.min(self.urgent.len());
        let rest = self.urgent.split_off(from_urgent);
        let mut taken = std::mem::replace(&mut self.urgent, rest);
        let from_normal = (count - from_urgent).min(self.normal.len());
        let rest = self.normal.split_off(from_normal);
        taken.append(&mut std::mem::replace(&mut self.normal, rest));
        taken
    }

    /// The next request to send now, if one is due.
    pub fn poll(&mut self, now: Millis, frame: &Frame) -> Option<Request> {
        if self.flight.is_some() {
            return None;
        }
        self.expire(now);
        if self.is_empty() || self.retry_at.is_some_and(|t| now < t) {
            return None;
        }
        let due = self.retry_at.is_some()
            || self.len() >= self.policy.flush_at
            || !self.urgent.is_empty()
            || self
                .oldest_queued_at()
                .is_some_and(|t| now >= t.saturating_add(self.policy.flush_interval_ms));
        if !due {
            return None;
        }
        let max_events = self.split.unwrap_or(usize::MAX);
        let (body, count) = frame_batch(
            &self.sending_order(),
            self.policy.max_batch_bytes,
            max_events,
            true,
            frame,
            now,
        );
        self.next_id += 1;
        let entries = self.take_front(count);
        self.flight = Some(Flight {
            id: self.next_id,
            entries,
        });
        Some(Request {
            id: self.next_id,
            body,
            events: count,
        })
    }

    fn oldest_queued_at(&self) -> Option<Millis> {
        // Restored events sit before newer ones with a later `queued_at`, so take the minimum
        // rather than trusting the front; at most `max_events` entries.
        // (Plain loops: chained iterators are code of their own in the module.)
        let mut oldest: Option<Millis> = None;
        for list in [&self.urgent, &self.normal] {
            for e in list {
                oldest = Some(oldest.map_or(e.queued_at, |o| o.min(e.queued_at)));
            }
        }
        oldest
    }

    /// Records the outcome of request `id`; `jitter` in `[0, 1)` spreads retries of many tabs.
    /// An unknown or stale `id` (say, the request was in flight when the page was drained for
    /// unload) is ignored.
    pub fn complete(&mut self, id: u64, outcome: Outcome, now: Millis, jitter: f64) {
        if self.flight.as_ref().is_none_or(|f| f.id != id) {
            return;
        }
        let Some(flight) = self.flight.take() else {
            return;
        };
        let count = flight.entries.len();
        match outcome {
            Outcome::Delivered | Outcome::Rejected => {
                let bytes = json_bytes(&flight.entries);
                self.queued_bytes -= bytes;
                self.generation += 1;
                if outcome == Outcome::Rejected {
                    self.count_drop(DropKind::Rejected, count as u64);
                } else if let Some(cap) = self.split {
                    // It fit: allow more again, until the cap no longer limits anything, but
                    // never as many as were refused (that would only earn another 413).
                    let doubled = cap.saturating_mul(2);
                    if self.refused.is_none_or(|r| doubled < r) {
                        self.split = (doubled < self.policy.max_events).then_some(doubled);
                    }
                }
                self.attempt = 0;
                self.retry_at = None;
            }
            Outcome::TooLarge => {
                // The collector answered: it is up, so no backoff; send the smaller part now.
                self.attempt = 0;
                if count <= 1 {
                    // That one event was the problem, not the count: forget the refusals.
                    self.refused = None;
                    let bytes = json_bytes(&flight.entries);
                    self.queued_bytes -= bytes;
                    self.count_drop(DropKind::Rejected, count as u64);
                    self.retry_at = None;
                } else {
                    self.refused = Some(self.refused.map_or(count, |r| r.min(count)));
                    self.split = Some(count / 2);
                    self.flight = Some(flight);
                    self.return_flight();
                    self.retry_at = Some(now);
                }
            }
            Outcome::Retry { after_ms } => {
                let mut flight = flight;
                let mut stamped = false;
                for e in &mut flight.entries {
                    if e.failing_since.is_none() {
                        e.failing_since = Some(now);
                        stamped = true;
                    }
                }
                if stamped {
                    self.generation += 1;
                }
                self.flight = Some(flight);
                self.return_flight();
                let exp = self.policy.backoff_base_ms << self.attempt.min(16);
                let backoff = exp.min(self.policy.backoff_cap_ms);
                // Full jitter on the upper half keeps tabs apart without ever retrying early.
                let delay = backoff / 2 + ((backoff / 2) as f64 * jitter.clamp(0.0, 1.0)) as Millis;
                let delay = delay.max(after_ms.unwrap_or(0));
                self.attempt = self.attempt.saturating_add(1);
                self.retry_at = Some(now.saturating_add(delay));
                self.expire(now);
            }
        }
    }

    /// When the shell should call [`poll`](Self::poll) again, if anything is waiting.
    pub fn next_wake(&self) -> Option<Millis> {
        if self.flight.is_some() || self.is_empty() {
            return None;
        }
        if let Some(t) = self.retry_at {
            return Some(t);
        }
        self.oldest_queued_at()
            .map(|t| t.saturating_add(self.policy.flush_interval_ms))
    }

    /// Whether delivery is in doubt: the last attempt failed and a retry is pending (network
    /// down, collector erroring), or a request has not answered yet. Unload beacons are not
    /// trusted then: see [`Self::beacon_bodies`].
    pub fn in_doubt(&self) -> bool {
        self.attempt > 0 || self.flight.is_some()
    }

    /// The page is going away or hidden: bodies for `sendBeacon`, each with the number of
    /// waiting events it carries (urgent first, at most `chunk` bytes each, no larger than
    /// `max_batch_bytes` nor carrying more events than a 413 allowed, `budget` bytes in all).
    /// Nothing leaves the queue here: the shell reports what the browser accepted with
    /// [`beacons_sent`](Self::beacons_sent).
    ///
    /// While delivery is in doubt (a request hangs or deliveries fail), or when `keep` says
    /// beacons cannot be trusted (the collector needs headers, which beacons cannot carry), the
    /// events stay queued whatever the browser says: they go out again by `fetch` if the page
    /// lives on, or from the stored queue on the tab's next page, and the collector's
    /// `messageId` dedupe drops the copies that did arrive. Then the same queue is beaconed once
    /// (`pagehide` often follows `visibilitychange`).
    pub fn beacon_bodies(
        &mut self,
        chunk: usize,
        budget: usize,
        frame: &Frame,
        now: Millis,
        keep: bool,
    ) -> Vec<(String, usize)> {
        if self.in_doubt() || keep {
            if self.beaconed == Some(self.generation) {
                return Vec::new();
            }
            self.beaconed = Some(self.generation);
        }
        // Framed from the queue in place, not from a copy of it: this runs on every page leave.
        let order = self.sending_order();
        let chunk = chunk.min(self.policy.max_batch_bytes);
        let max_events = self.split.unwrap_or(usize::MAX);
        chunk_bodies(&order, chunk, max_events, budget, frame, now)
    }

    /// The browser accepted beacons carrying the first `events` waiting events (see
    /// [`beacon_bodies`](Self::beacon_bodies)): they leave the queue, unless delivery is in
    /// doubt or `keep` was asked for, in which case they stay for `fetch`.
    pub fn beacons_sent(&mut self, events: usize, keep: bool) {
        if events == 0 || keep || self.in_doubt() {
            return;
        }
        for e in self.take_front(events) {
            self.queued_bytes -= e.json.len();
        }
        self.generation += 1;
    }

    /// The page is going away: everything queued, framed into bodies of at most `chunk` bytes
    /// and `budget` bytes in all, urgent events first. What is returned leaves the queue (the
    /// collector dedupes anything that was also in flight); what does not fit stays.
    pub fn drain_for_unload(
        &mut self,
        chunk: usize,
        budget: usize,
        frame: &Frame,
        now: Millis,
    ) -> Vec<String> {
        // The request in flight may never complete: its events go again, in their place.
        self.return_flight();
        let bodies = chunk_bodies(&self.sending_order(), chunk, usize::MAX, budget, frame, now);
        let mut events = 0;
        for (_, n) in &bodies {
            events += n;
        }
        for e in self.take_front(events) {
            self.queued_bytes -= e.json.len();
        }
        self.generation += bodies.len() as u64;
        bodies.into_iter().map(|(body, _)| body).collect()
    }

    /// Forgets every event, queued or in flight (analytics consent was denied); returns how
    /// many. A late outcome of the request in flight no longer matches anything.
    pub fn discard_all(&mut self) -> usize {
        let count = self.len();
        self.urgent.clear();
        self.normal.clear();
        self.flight = None;
        self.queued_bytes = 0;
        self.generation += 1;
        count
    }
}

/// Frames the longest prefix of `entries` (in sending order) that fits `limit` bytes and
/// `max_events`. With `oversized_alone`, a first event larger than `limit` still goes out by
/// itself rather than blocking the queue forever; beacons pass `false`, since the browser would
/// refuse it.
fn frame_batch(
    entries: &[&Entry],
    limit: usize,
    max_events: usize,
    oversized_alone: bool,
    frame: &Frame,
    now: Millis,
) -> (String, usize) {
    let segment = frame.format == WireFormat::Segment;
    // The tail is written first so the limit is exact whatever the write key holds.
    let mut tail = String::from("]");
    if segment {
        tail.push_str(",\"sentAt\":");
        write_str(&mut tail, &iso8601(now));
        if let Some(key) = &frame.write_key {
            tail.push_str(",\"writeKey\":");
            write_str(&mut tail, key);
        }
        tail.push('}');
    }
    let mut body = String::from(if segment { "{\"batch\":[" } else { "[" });
    let mut count = 0;
    for e in entries {
        if count == max_events {
            break;
        }
        let comma = usize::from(count > 0);
        if body.len() + comma + e.json.len() + tail.len() > limit && (count > 0 || !oversized_alone)
        {
            break;
        }
        if count > 0 {
            body.push(',');
        }
        body.push_str(&e.json);
        count += 1;
    }
    body.push_str(&tail);
    (body, count)
}

/// `order` framed into beacon bodies of at most `chunk` bytes and `max_events` each, `budget`
/// bytes in all, each with how many events it carries.
fn chunk_bodies(
    order: &[&Entry],
    chunk: usize,
    max_events: usize,
    budget: usize,
    frame: &Frame,
    now: Millis,
) -> Vec<(String, usize)> {
    let mut bodies = Vec::new();
    let (mut spent, mut from) = (0, 0);
    while from < order.len() {
        let limit = chunk.min(budget.saturating_sub(spent));
        let rest = order.get(from..).unwrap_or(&[]);
        let (body, count) = frame_batch(rest, limit, max_events, false, frame, now);
        if count == 0 || spent + body.len() > budget {
            break;
        }
        spent += body.len();
        from += count;
        bodies.push((body, count));
    }
    bodies
}

#[derive(Clone, Copy)]
enum DropKind {
    Dropped,
    Rejected,
    Expired,
}

/// The bytes of `entries`' events (a plain loop: a mapped sum is code of its own per closure).
fn json_bytes(entries: &[Entry]) -> usize {
    let mut bytes = 0;
    for e in entries {
        bytes += e.json.len();
    }
    bytes
}
