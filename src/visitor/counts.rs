//! Bounded "seen how often" tables (pages, products, categories).

use crate::text::truncate_at_boundary;
use crate::time::Millis;

/// Longest key kept, in bytes.
pub const MAX_KEY_BYTES: usize = 200;

/// One key with its count and when it was last seen.
#[derive(Clone, Debug, PartialEq)]
pub struct Count {
    /// The page path, product id or category.
    pub key: String,
    /// How often it was seen.
    pub count: u32,
    /// When it was last seen.
    pub last: Millis,
}

/// A table of counts holding at most `cap` keys. When full, the key seen least recently makes
/// room, so the table always describes the visitor's most recent interests; counts of the keys
/// kept stay exact.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    /// The entries, in first-seen order.
    pub entries: Vec<Count>,
}

impl Counts {
    /// Counts `key` once at `now`, with at most `cap` keys kept.
    pub fn bump(&mut self, key: &str, now: Millis, cap: usize) {
        let mut key = key.trim().to_owned();
        if key.is_empty() {
            return;
        }
        truncate_at_boundary(&mut key, MAX_KEY_BYTES);
        if let Some(e) = self.entries.iter_mut().find(|e| e.key == key) {
            e.count = e.count.saturating_add(1);
            e.last = e.last.max(now);
            return;
        }
        if self.entries.len() >= cap && !self.entries.is_empty() {
            // The first least recent (a plain loop: `min_by_key` is code of its own).
            let mut oldest = 0;
            for (i, e) in self.entries.iter().enumerate() {
                if self.entries.get(oldest).is_some_and(|o| e.last < o.last) {
                    oldest = i;
                }
            }
            self.entries.remove(oldest);
        }
        self.entries.push(Count {
            key,
            count: 1,
            last: now,
        });
    }

    /// The count of `key` (0 when not kept).
    pub fn get(&self, key: &str) -> u32 {
        self.entries
            .iter()
            .find(|e| e.key == key)
            .map_or(0, |e| e.count)
    }
}
