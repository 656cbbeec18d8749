//! The delivery outbox: a sans-IO state machine that decides what to send and when.
//!
//! The shell performs the requests the outbox hands out ([`Outbox::poll`]) and reports each
//! outcome back ([`Outbox::complete`]). Events are serialized once, when queued, so the bytes
//! (and the `messageId` inside) never change across retries. One request is in flight at a
//! time, which keeps per-tab order without coordination.

use std::collections::VecDeque;

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
    /// Another 4xx: the collector will never accept these bytes; they are dropped.
    Rejected,
}

#[derive(Clone, Debug)]
struct Entry {
    json: String,
    urgent: bool,
}

/// The outbox.
#[derive(Clone, Debug, Default)]
pub struct Outbox {
    policy: Policy,
    queue: VecDeque<Entry>,
    queued_bytes: usize,
    oldest_at: Option<Millis>,
    in_flight: Option<(u64, usize)>,
    next_id: u64,
    attempt: u32,
    retry_at: Option<Millis>,
    dropped: u64,
    rejected: u64,
}

/// Bytes of framing around the events of a Segment batch (without the write key).
const FRAME_OVERHEAD: usize = 64;

impl Outbox {
    /// An empty outbox.
    pub fn new(policy: Policy) -> Self {
        Self {
            policy,
            ..Self::default()
        }
    }

    /// Replaces the policy (a config arrived).
    pub fn set_policy(&mut self, policy: Policy) {
        self.policy = policy;
    }

    /// Queues one serialized event. `urgent` events make the next [`poll`](Self::poll) send.
    pub fn push(&mut self, json: String, urgent: bool, now: Millis) {
        self.queued_bytes += json.len();
        self.queue.push_back(Entry { json, urgent });
        self.oldest_at.get_or_insert(now);
        self.enforce_caps();
    }

    /// Events queued (including those in flight).
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Events dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Events the collector rejected with a 4xx.
    pub fn rejected(&self) -> u64 {
        self.rejected
    }

    fn enforce_caps(&mut self) {
        // Never evict what is in flight: its outcome is still coming.
        let protected = self.in_flight.map_or(0, |(_, n)| n);
        while (self.queue.len() > self.policy.max_events
            || self.queued_bytes > self.policy.max_bytes)
            && self.queue.len() > protected
        {
            // Oldest low-value first; if everything left is urgent, the oldest.
            let victim = (protected..self.queue.len())
                .find(|&i| !self.queue[i].urgent)
                .unwrap_or(protected);
            if let Some(e) = self.queue.remove(victim) {
                self.queued_bytes -= e.json.len();
                self.dropped += 1;
            }
        }
    }

    /// The next request to send now, if one is due.
    pub fn poll(&mut self, now: Millis, frame: &Frame) -> Option<Request> {
        if self.in_flight.is_some() || self.queue.is_empty() {
            return None;
        }
        if self.retry_at.is_some_and(|t| now < t) {
            return None;
        }
        let due = self.retry_at.is_some()
            || self.queue.len() >= self.policy.flush_at
            || self.queue.iter().any(|e| e.urgent)
            || self
                .oldest_at
                .is_some_and(|t| now >= t + self.policy.flush_interval_ms);
        if !due {
            return None;
        }
        let (body, count) = self.frame_prefix(self.policy.max_batch_bytes, true, frame, now);
        self.next_id += 1;
        self.in_flight = Some((self.next_id, count));
        Some(Request {
            id: self.next_id,
            body,
            events: count,
        })
    }

    /// Records the outcome of request `id`; `jitter` in `[0, 1)` spreads retries of many tabs.
    pub fn complete(&mut self, id: u64, outcome: Outcome, now: Millis, jitter: f64) {
        let Some((flying, count)) = self.in_flight else {
            return;
        };
        if flying != id {
            return;
        }
        self.in_flight = None;
        match outcome {
            Outcome::Delivered | Outcome::Rejected => {
                if outcome == Outcome::Rejected {
                    self.rejected += count as u64;
                }
                for _ in 0..count {
                    if let Some(e) = self.queue.pop_front() {
                        self.queued_bytes -= e.json.len();
                    }
                }
                self.attempt = 0;
                self.retry_at = None;
                self.oldest_at = if self.queue.is_empty() {
                    None
                } else {
                    Some(now)
                };
            }
            Outcome::Retry { after_ms } => {
                let exp = self.policy.backoff_base_ms << self.attempt.min(16);
                let backoff = exp.min(self.policy.backoff_cap_ms);
                // Full jitter on the upper half keeps tabs apart without ever retrying early.
                let delay = backoff / 2 + ((backoff / 2) as f64 * jitter.clamp(0.0, 1.0)) as Millis;
                let delay = delay.max(after_ms.unwrap_or(0));
                self.attempt = self.attempt.saturating_add(1);
                self.retry_at = Some(now + delay);
            }
        }
    }

    /// When the shell should call [`poll`](Self::poll) again, if anything is waiting.
    pub fn next_wake(&self) -> Option<Millis> {
        if self.in_flight.is_some() || self.queue.is_empty() {
            return None;
        }
        if let Some(t) = self.retry_at {
            return Some(t);
        }
        self.oldest_at.map(|t| t + self.policy.flush_interval_ms)
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
        // Urgent first: a stable partition keeps order within each class.
        let (urgent, rest): (Vec<Entry>, Vec<Entry>) = self.queue.drain(..).partition(|e| e.urgent);
        self.queue = urgent.into_iter().chain(rest).collect();
        self.in_flight = None;
        let mut bodies = Vec::new();
        let mut spent = 0;
        while !self.queue.is_empty() {
            let (body, count) =
                self.frame_prefix(chunk.min(budget.saturating_sub(spent)), false, frame, now);
            if count == 0 || spent + body.len() > budget {
                break;
            }
            for _ in 0..count {
                if let Some(e) = self.queue.pop_front() {
                    self.queued_bytes -= e.json.len();
                }
            }
            spent += body.len();
            bodies.push(body);
        }
        if self.queue.is_empty() {
            self.oldest_at = None;
        }
        bodies
    }

    /// Frames the longest prefix of the queue that fits `limit` bytes. With `oversized_alone`,
    /// a first event larger than `limit` still goes out by itself rather than blocking the
    /// queue forever; beacons pass `false`, since the browser would refuse it.
    fn frame_prefix(
        &self,
        limit: usize,
        oversized_alone: bool,
        frame: &Frame,
        now: Millis,
    ) -> (String, usize) {
        let mut body = String::new();
        let segment = frame.format == WireFormat::Segment;
        body.push(if segment { '{' } else { '[' });
        if segment {
            body.push_str("\"batch\":[");
        }
        let tail_len = FRAME_OVERHEAD + frame.write_key.as_ref().map_or(0, |k| k.len() * 2 + 16);
        let mut count = 0;
        for e in &self.queue {
            if body.len() + 1 + e.json.len() + tail_len > limit && (count > 0 || !oversized_alone) {
                break;
            }
            if count > 0 {
                body.push(',');
            }
            body.push_str(&e.json);
            count += 1;
        }
        body.push(']');
        if segment {
            body.push_str(",\"sentAt\":");
            write_str(&mut body, &iso8601(now));
            if let Some(key) = &frame.write_key {
                body.push_str(",\"writeKey\":");
                write_str(&mut body, key);
            }
            body.push('}');
        }
        (body, count)
    }
}
