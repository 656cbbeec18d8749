//! The outbox across reloads: a versioned JSON snapshot, and a restore that treats what storage
//! gives back as hostile input.
//!
//! Format (version 1), in sending order (urgent events first, each class in push order):
//!
//! ```json
//! {"v":1,"q":[[1,"{...event...}"],[0,"{...event...}",1795461721123]],"d":[0,2,0]}
//! ```
//!
//! Each `q` item is `[urgent (0|1), event JSON as a string, failing since (ms, only when a
//! delivery of it has failed)]`; `d` holds the drop counts not yet reported
//! (`[dropped, rejected, expired]`). Events are kept as strings, not objects, so their bytes (and
//! `messageId`) are exactly those already sent, and restoring needs no JSON writer.
//!
//! Events in flight are included: the page may go away before the outcome arrives, and a
//! resend is safe because collectors dedupe on `messageId`.

use super::one_object::is_one_object;
use super::{DropKind, DropReport, Entry, Outbox};
use crate::json::write_str;
use crate::text::{push_i64, push_u64};
use crate::time::Millis;
use crate::value::Value;

/// The snapshot format this build writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

/// Integers above this are not exact in a JSON number (2^53).
const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

/// Why a snapshot was not restored. The queue is left exactly as it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RestoreError {
    /// Not an object with a numeric `v`: corrupt, or written by something else.
    NotASnapshot,
    /// A snapshot of another format version (`None` when `v` is not a whole number).
    Version(Option<u64>),
    /// The right version, but a field has the wrong type or value.
    Malformed {
        /// A JSON Pointer to the offending field, e.g. `/q/3/1`.
        at: String,
        /// What was expected there.
        expected: &'static str,
    },
    /// More events or bytes than this outbox's caps: it cannot have written this itself.
    TooLarge {
        /// Events in the snapshot (counted up to the first one past the cap).
        events: usize,
        /// Bytes of the events counted.
        bytes: usize,
    },
}

impl RestoreError {
    /// A one-line explanation for the console (no `core::fmt`: the module stays small).
    pub fn message(&self) -> String {
        let mut out = String::from("stored outbox ignored: ");
        match self {
            RestoreError::NotASnapshot => out.push_str("not an outbox snapshot"),
            RestoreError::Version(v) => {
                out.push_str("unsupported version ");
                match v {
                    Some(v) => push_u64(&mut out, *v),
                    None => out.push_str("(not a whole number)"),
                }
                out.push_str("; this build reads ");
                push_u64(&mut out, u64::from(SNAPSHOT_VERSION));
            }
            RestoreError::Malformed { at, expected } => {
                out.push_str("at ");
                out.push_str(at);
                out.push_str(": expected ");
                out.push_str(expected);
            }
            RestoreError::TooLarge { events, bytes } => {
                out.push_str("larger than the queue caps (");
                push_u64(&mut out, *events as u64);
                out.push_str(" events, ");
                push_u64(&mut out, *bytes as u64);
                out.push_str(" bytes)");
            }
        }
        out
    }
}

impl std::fmt::Display for RestoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

impl std::error::Error for RestoreError {}

fn malformed(at: String, expected: &'static str) -> RestoreError {
    RestoreError::Malformed { at, expected }
}

fn pointer(parts: &[usize]) -> String {
    let mut at = String::from("/q");
    for p in parts {
        at.push('/');
        push_u64(&mut at, *p as u64);
    }
    at
}

/// A whole number in `[min, 2^53]`, as JSON numbers hold them exactly.
fn whole(v: &Value, min: f64) -> Option<f64> {
    let n = v.as_f64()?;
    (n.fract() == 0.0 && n >= min && n <= MAX_EXACT).then_some(n)
}

impl Outbox {
    /// Everything queued (in flight included) and the drop counts not yet reported, as
    /// versioned JSON for storage, in sending order:
    /// `{"v":1,"q":[[urgent 0|1, "event JSON", failingSince?],...],"d":[dropped,rejected,expired]}`.
    pub fn snapshot(&self) -> String {
        let mut out = String::from("{\"v\":");
        push_u64(&mut out, u64::from(SNAPSHOT_VERSION));
        out.push_str(",\"q\":[");
        for (i, e) in self.sending_order().into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(if e.urgent { "[1," } else { "[0," });
            write_str(&mut out, &e.json);
            if let Some(since) = e.failing_since {
                out.push(',');
                push_i64(&mut out, since);
            }
            out.push(']');
        }
        out.push_str("],\"d\":[");
        push_u64(&mut out, self.report.dropped);
        out.push(',');
        push_u64(&mut out, self.report.rejected);
        out.push(',');
        push_u64(&mut out, self.report.expired);
        out.push_str("]}");
        out
    }

    /// Merges a [snapshot](Self::snapshot) (already parsed: the core has no JSON parser in the
    /// module, the shell uses the browser's `JSON.parse`) into the queue. Restored events are
    /// older than anything pushed since the page loaded, so they go before them in their class;
    /// they count as queued at `now`. Unreported drop counts are added to the pending report.
    /// The caps then apply as on every push (oldest non-urgent evicted first, counted).
    ///
    /// Storage is hostile input: anything but a well-formed snapshot of this version within the
    /// caps is an error, and then nothing changes. Within a well-formed snapshot, an entry whose
    /// event is not exactly one JSON object (as a string) is dropped and counted as rejected.
    /// Call it before the first [`poll`](Self::poll): events already in flight cannot be
    /// reordered after restored ones.
    pub fn restore(&mut self, snapshot: &Value, now: Millis) -> Result<(), RestoreError> {
        let (entries, bad, counts) = self.read_snapshot(snapshot, now)?;
        let bytes = super::json_bytes(&entries);
        let (mut urgent, mut normal) = (Vec::new(), Vec::new());
        for e in entries {
            if e.urgent {
                urgent.push(e);
            } else {
                normal.push(e);
            }
        }
        urgent.append(&mut self.urgent);
        normal.append(&mut self.normal);
        self.urgent = urgent;
        self.normal = normal;
        self.queued_bytes += bytes;
        self.report.add(counts);
        if bad > 0 {
            self.count_drop(DropKind::Rejected, bad);
        }
        self.generation += 1;
        self.enforce_caps();
        Ok(())
    }

    /// Validates the whole snapshot before anything is merged, so an error leaves the queue
    /// unchanged.
    fn read_snapshot(
        &self,
        snapshot: &Value,
        now: Millis,
    ) -> Result<(Vec<Entry>, u64, DropReport), RestoreError> {
        let obj = snapshot.as_object().ok_or(RestoreError::NotASnapshot)?;
        let version = obj
            .get("v")
            .and_then(Value::as_f64)
            .ok_or(RestoreError::NotASnapshot)?;
        if version != f64::from(SNAPSHOT_VERSION) {
            return Err(RestoreError::Version(
                whole(&Value::Number(version), 0.0).map(|v| v as u64),
            ));
        }
        let items = obj
            .get("q")
            .and_then(Value::as_array)
            .ok_or_else(|| malformed("/q".into(), "an array"))?;
        // Refuse before looking at the items: a huge array is not worth walking.
        if items.len() > self.policy.max_events {
            return Err(RestoreError::TooLarge {
                events: items.len(),
                bytes: 0,
            });
        }
        let mut entries = Vec::with_capacity(items.len());
        let mut bytes = 0usize;
        let mut bad = 0u64;
        for (i, item) in items.iter().enumerate() {
            let parts = item
                .as_array()
                .filter(|p| p.len() == 2 || p.len() == 3)
                .ok_or_else(|| malformed(pointer(&[i]), "[urgent, event, failingSince?]"))?;
            let flag = parts[0]
                .as_f64()
                .filter(|n| *n == 0.0 || *n == 1.0)
                .ok_or_else(|| malformed(pointer(&[i, 0]), "0 or 1"))?;
            let urgent = flag == 1.0;
            let json = parts[1].as_str().unwrap_or_default();
            let failing_since = match parts.get(2) {
                None => None,
                Some(v) => Some(
                    whole(v, -MAX_EXACT)
                        .ok_or_else(|| malformed(pointer(&[i, 2]), "a time in milliseconds"))?
                        as Millis,
                ),
            };
            bytes += json.len();
            if bytes > self.policy.max_bytes {
                return Err(RestoreError::TooLarge {
                    events: i + 1,
                    bytes,
                });
            }
            // The bytes go into request bodies verbatim: anything but exactly one JSON object
            // could close the batch and open another (issue 11, finding 4), or make the
            // collector refuse every batch carrying it. Such an entry is dropped and counted.
            if !is_one_object(json) {
                bad += 1;
                continue;
            }
            entries.push(Entry {
                json: json.to_owned(),
                urgent,
                queued_at: now,
                failing_since,
            });
        }
        let counts = obj
            .get("d")
            .and_then(Value::as_array)
            .filter(|d| d.len() == 3)
            .ok_or_else(|| malformed("/d".into(), "[dropped, rejected, expired]"))?;
        let mut n = [0u64; 3];
        for (i, v) in counts.iter().enumerate() {
            let mut at = String::from("/d/");
            push_u64(&mut at, i as u64);
            n[i] = whole(v, 0.0).ok_or_else(|| malformed(at, "a count"))? as u64;
        }
        Ok((
            entries,
            bad,
            DropReport {
                dropped: n[0],
                rejected: n[1],
                expired: n[2],
            },
        ))
    }
}
