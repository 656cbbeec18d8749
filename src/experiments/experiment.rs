//! A compiled experiment, and how a visitor is assigned to one of its variants.
//!
//! The assignment is GrowthBook's `run()` for the inputs a Trailmark config can express
//! (`packages/sdk-js/src/core.ts` of `@growthbook/growthbook` 1.8.0, steps 6, 7, 9 and 10, with
//! its sticky bucketing): the hash value is read from the experiment's hash attribute (an empty
//! one means "not in the experiment"); a sticky assignment found for the visitor wins; otherwise
//! the visitor must fall in the namespace, and the variant is the bucket range holding
//! `hash(seed, value, hashVersion)`. The ranges are computed once, by the compiler, with
//! GrowthBook's `getBucketRanges`, so the module every shopper downloads carries only the hash,
//! the namespace test and the range lookup.

use super::sticky::Assignments;
use crate::rules::bucket::{hash, in_namespace};

/// Which id an experiment hashes (GrowthBook's `hashAttribute`, with its `fallbackAttribute`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HashAttribute {
    /// `"id"` (the default): the device's assignment key, [`Assignments::key`], which is the
    /// anonymous id whenever analytics is granted (see the module docs for the other states).
    Id,
    /// `"userId"`: the user id given to `identify`; a visitor without one is not in the
    /// experiment (the rule is skipped).
    UserId,
    /// `"userId"` with `"fallbackAttribute": "id"`: the user id when known, the assignment key
    /// before that (GrowthBook's fallback attribute, which it honours with sticky bucketing on).
    UserIdElseId,
}

/// GrowthBook's `namespace`: `[id, start, end]`; only visitors whose
/// `hash("__" + id, value, 1)` falls in `[start, end)` take part. Experiments sharing a
/// namespace id with disjoint ranges never share a visitor.
#[derive(Clone, Debug, PartialEq)]
pub struct Namespace {
    /// The namespace's name.
    pub id: String,
    /// Start of the range, in `[0, 1)`.
    pub start: f64,
    /// End of the range (excluded), in `(start, 1]`.
    pub end: f64,
}

/// One variant of an experiment.
#[derive(Clone, Debug, PartialEq)]
pub struct Variant {
    /// The author's id, unique in the experiment: Segment's `variation_id`, and what a sticky
    /// assignment remembers (so variants may be reordered without moving anyone).
    pub id: String,
    /// Segment's `variation_name` (the id unless the config names it).
    pub name: String,
    /// The block it shows (index into the config's blocks), or `None` for a control: the slot
    /// keeps the page's default content.
    pub block: Option<usize>,
    /// Its `[start, end)` bucket range, coverage applied: GrowthBook's
    /// `getBucketRanges(variants, coverage, weights)`, computed by the compiler.
    pub range: (f64, f64),
}

/// A compiled experiment: a rule's variants, or the global holdout's two groups.
#[derive(Clone, Debug, PartialEq)]
pub struct Experiment {
    /// GrowthBook's `key`, Segment's `experiment_id`; sticky assignments are kept under it.
    pub key: String,
    /// Segment's `experiment_name` (the key unless the config names it).
    pub name: String,
    /// GrowthBook's `seed` (the key unless the config gives one).
    pub seed: String,
    /// GrowthBook's `hashVersion`: 1 or 2.
    pub hash_version: u32,
    /// Which id is hashed.
    pub hash_attribute: HashAttribute,
    /// GrowthBook's `namespace`, if any.
    pub namespace: Option<Namespace>,
    /// The variants, in config order; at least two.
    pub variants: Vec<Variant>,
}

/// Longest experiment key, seed, name, variant id or namespace id, in bytes. Keys and variant
/// ids are also stored on the device (see [`Assignments`]).
pub const MAX_ID_BYTES: usize = 200;

/// Most variants per experiment.
pub const MAX_VARIANTS: usize = 20;

/// A visitor's variant of one experiment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Assignment {
    /// Index into [`Experiment::variants`].
    pub variant: usize,
    /// GrowthBook's `bucket`: the hash of the id, in `[0, 1)`.
    pub bucket: f64,
    /// Whether the variant came from a sticky assignment rather than from the hash.
    pub sticky: bool,
}

impl Experiment {
    /// The value hashed for a visitor with assignment key `key` and user id `user_id`, and
    /// whether it is the user id; `None` when that value is empty (GrowthBook: not in the
    /// experiment, `hashUsed: false`).
    pub fn hash_value<'a>(
        &self,
        key: &'a str,
        user_id: Option<&'a str>,
    ) -> Option<(&'a str, bool)> {
        let user = user_id.filter(|u| !u.is_empty());
        let picked = match (self.hash_attribute, user) {
            (HashAttribute::Id, _) => (key, false),
            (_, Some(u)) => (u, true),
            (HashAttribute::UserIdElseId, None) => (key, false),
            (HashAttribute::UserId, None) => return None,
        };
        (!picked.0.is_empty()).then_some(picked)
    }

    /// The visitor's variant: the sticky one in `store` if there is one whose variant still
    /// exists, else the one the hash gives; `None` when the visitor is not in the experiment
    /// (no id to hash, outside the namespace or the coverage): the rule is then skipped, as
    /// GrowthBook skips a feature rule.
    pub fn assign(&self, user_id: Option<&str>, store: &Assignments) -> Option<Assignment> {
        let (value, _) = self.hash_value(store.key(), user_id)?;
        let n = hash(&self.seed, value, self.hash_version)?;
        if let Some(variant) = store.find(self) {
            return Some(Assignment {
                variant,
                bucket: n,
                sticky: true,
            });
        }
        if let Some(ns) = &self.namespace {
            if !in_namespace(value, (&ns.id, ns.start, ns.end)) {
                return None;
            }
        }
        // GrowthBook's `chooseVariation`: the first range holding `n`; none outside the
        // coverage.
        let variant = self
            .variants
            .iter()
            .position(|v| n >= v.range.0 && n < v.range.1)?;
        Some(Assignment {
            variant,
            bucket: n,
            sticky: false,
        })
    }

    /// Whether every variant's block is below `blocks` (a program reader checks this against
    /// the config's blocks: see [`super`] "For the integrator").
    pub fn blocks_below(&self, blocks: usize) -> bool {
        self.variants
            .iter()
            .all(|v| v.block.is_none_or(|b| b < blocks))
    }
}
