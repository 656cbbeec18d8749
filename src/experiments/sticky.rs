//! Sticky assignments: the variants a visitor was exposed to, kept on the device so that a
//! later change of weights, coverage or namespace does not move them, and the device's
//! assignment key.
//!
//! One entry per experiment (and seed), written when the visitor is *exposed* (an `Experiment
//! Viewed` event), not when merely assigned: a visitor who never saw a variant has nothing to
//! keep. At most [`MAX_ASSIGNMENTS`] entries; past that, the one exposed least recently is
//! forgotten.
//!
//! The store belongs to the device's visitor and is erased with the profile (and by `reset()`,
//! which sign-out calls), so its entries are not keyed by user: an experiment that hashes the
//! user id keeps, on this device, the variant its visitor was exposed to, even if another user
//! id is given to `identify` later without a `reset()` in between (GrowthBook, which keys
//! sticky assignments by the hashed id, would assign that user afresh).
//!
//! Restarting an experiment (everyone assigned afresh) is changing its key or its seed: entries
//! are found by key and seed, so the old ones are simply never read again, and age out.

use super::experiment::{Assignment, Experiment, MAX_ID_BYTES};
use crate::rules::bucket::fnv1a32;
use crate::time::Millis;
use crate::value::Value;

/// Most sticky assignments kept per visitor; the least recently exposed goes first.
pub const MAX_ASSIGNMENTS: usize = 50;

/// Longest assignment key kept, in bytes (anonymous ids are 36).
pub const MAX_KEY_BYTES: usize = 128;

/// An entry's last exposure is refreshed at most this often, so that a page view of a running
/// experiment does not rewrite the record every time (it orders eviction only).
pub const TOUCH_MS: Millis = 3_600_000;

/// One remembered assignment.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Entry {
    /// The experiment's key.
    pub experiment: String,
    /// [`fnv1a32`] of the experiment's seed: a new seed restarts the experiment.
    pub seed: u32,
    /// The variant's id.
    pub variant: String,
    /// When it was last exposed (to within [`TOUCH_MS`]).
    pub last: Millis,
}

impl Entry {
    /// Whether both remember the same assignment (experiment and seed).
    pub(super) fn same(&self, other: &Entry) -> bool {
        self.experiment == other.experiment && self.seed == other.seed
    }
}

/// The visitor's sticky assignments and assignment key (see the module docs of
/// [`crate::experiments`] for where it is stored and how it merges across tabs).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Assignments {
    pub(super) key: String,
    pub(super) key_at: Millis,
    pub(super) entries: Vec<Entry>,
    pub(super) dirty: bool,
}

impl Assignments {
    /// An empty store whose assignment key is `key` (for tools and tests; the shell restores
    /// the stored record and calls [`sync_key`](Self::sync_key)).
    pub fn with_key(key: &str) -> Self {
        let mut a = Assignments::default();
        a.sync_key(key, true, 0);
        a.dirty = false;
        a
    }

    /// The assignment key: the value experiments with `hashAttribute: "id"` hash (empty until
    /// [`sync_key`](Self::sync_key) sets one: nobody is then in such an experiment).
    pub fn key(&self) -> &str {
        &self.key
    }

    /// Keeps the assignment key in step with the anonymous id, at every start and consent
    /// change: while `analytics_granted` (the anonymous id is stored and sent) the key *is* the
    /// anonymous id, so a GrowthBook SDK given `id: anonymousId` buckets the same; otherwise
    /// the key stays what it was, and a visitor who has none yet takes `anonymous_id` (the
    /// page's fresh, unsent one) as a key that is stored here and never sent. An id longer than
    /// [`MAX_KEY_BYTES`] is ignored. True when the key changed.
    pub fn sync_key(&mut self, anonymous_id: &str, analytics_granted: bool, now: Millis) -> bool {
        let adopt = if analytics_granted {
            self.key != anonymous_id
        } else {
            self.key.is_empty()
        };
        let adopt = adopt && anonymous_id.len() <= MAX_KEY_BYTES;
        if adopt {
            self.key = anonymous_id.to_owned();
            self.key_at = now;
            self.dirty = true;
        }
        adopt
    }

    /// The index of the variant the visitor is stuck to in `experiment`, if one is remembered
    /// and still exists.
    pub fn find(&self, experiment: &Experiment) -> Option<usize> {
        let seed = fnv1a32(&experiment.seed);
        let entry = self
            .entries
            .iter()
            .find(|e| e.experiment == experiment.key && e.seed == seed)?;
        experiment
            .variants
            .iter()
            .position(|v| v.id == entry.variant)
    }

    /// Remembers that the visitor was exposed to `assignment` of `experiment` at `now`
    /// (the `Exposures` type calls this on every exposure). A remembered variant that no
    /// longer exists was replaced by the new assignment, which is remembered instead.
    pub fn remember(&mut self, experiment: &Experiment, assignment: &Assignment, now: Millis) {
        let Some(variant) = experiment.variants.get(assignment.variant) else {
            return;
        };
        // A program read from the page cannot make a record the reader would refuse.
        if experiment.key.len() > MAX_ID_BYTES || variant.id.len() > MAX_ID_BYTES {
            return;
        }
        let entry = Entry {
            experiment: experiment.key.clone(),
            seed: fnv1a32(&experiment.seed),
            variant: variant.id.clone(),
            last: now,
        };
        match self.entries.iter_mut().find(|e| e.same(&entry)) {
            Some(e) if e.variant == entry.variant => {
                if now >= e.last.saturating_add(TOUCH_MS) {
                    e.last = now;
                    self.dirty = true;
                }
            }
            Some(e) => {
                *e = entry;
                self.dirty = true;
            }
            None => {
                self.entries.push(entry);
                evict(&mut self.entries);
                self.dirty = true;
            }
        }
    }

    /// How many assignments are remembered.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Merges the record another tab (or an earlier page) stored, so that all tabs converge
    /// on the same store whatever order they write in:
    ///
    /// * entries are united; for the same experiment and seed, the record's variant wins (two
    ///   tabs exposed the visitor to two variants before either saw the other's write: rare,
    ///   and the analysis leaves such visitors out anyway) and the later exposure is kept;
    /// * the assignment key set most recently wins (equal times: the greater key);
    /// * then the least recently exposed entries beyond [`MAX_ASSIGNMENTS`] are forgotten.
    ///
    /// Returns false, changing nothing, when `stored` is not a readable record. Afterwards
    /// [`is_dirty`](Self::is_dirty) says whether this tab knew something the record did not
    /// (so it must write the merged record back).
    pub fn merge(&mut self, stored: &Value) -> bool {
        let Some(mut merged) = super::sticky_record::parse(stored) else {
            return false;
        };
        // Whether this tab knows something the record does not (computed as it goes: cheaper
        // in the module than comparing the two stores afterwards).
        let mut news = false;
        if (self.key_at, &self.key) > (merged.key_at, &merged.key) {
            merged.key = std::mem::take(&mut self.key);
            merged.key_at = self.key_at;
            news = true;
        }
        for ours in std::mem::take(&mut self.entries) {
            match merged.entries.iter_mut().find(|e| e.same(&ours)) {
                Some(e) => {
                    if ours.last > e.last {
                        e.last = ours.last;
                        news = true;
                    }
                }
                None => {
                    merged.entries.push(ours);
                    news = true;
                }
            }
        }
        // Only what this tab added can push the store past the cap (the record holds at most
        // as many), so eviction never makes news on its own.
        evict(&mut merged.entries);
        merged.dirty = news;
        *self = merged;
        true
    }

    /// Whether something changed since the record was last handed out.
    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// The record to store (versioned JSON, see `sticky_record.rs`).
    pub fn take_record(&mut self) -> String {
        self.dirty = false;
        super::sticky_record::write(self)
    }

    /// The record as a value, as the visitor record embeds it.
    pub fn to_value(&self) -> Value {
        super::sticky_record::to_value(self)
    }

    /// The store read from a record, or `None` when `stored` is not exactly a readable
    /// record (the visitor then starts with an empty store and a new key).
    pub fn from_stored(stored: &Value) -> Option<Assignments> {
        super::sticky_record::parse(stored)
    }
}

/// Forgets the least recently exposed entries beyond [`MAX_ASSIGNMENTS`] (ties broken by
/// seed then key, so that every tab forgets the same ones).
fn evict(entries: &mut Vec<Entry>) {
    while entries.len() > MAX_ASSIGNMENTS {
        let mut oldest = 0;
        for (i, e) in entries.iter().enumerate() {
            if let Some(o) = entries.get(oldest) {
                let (a, b) = ((e.last, e.seed), (o.last, o.seed));
                if a < b || (a == b && e.experiment < o.experiment) {
                    oldest = i;
                }
            }
        }
        entries.remove(oldest);
    }
}
