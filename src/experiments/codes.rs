//! The stable diagnostic codes of experiments and the holdout.
//!
//! Paths are absolute JSON Pointers (the caller passes the rule's path, e.g. `/rules/3`).
//! Besides these, the shared config codes apply: `config/wrong-type`, `config/missing`,
//! `config/empty`, `config/unknown-field` (a warning), and `rules/unknown-block` for a
//! variant's `show`. Every error drops the rule (or the holdout); warnings keep it.

/// `variants` with fewer than two variants. At `/rules/3/variants`.
pub const TOO_FEW_VARIANTS: &str = "experiments/too-few-variants";
/// `variants` with more than [`MAX_VARIANTS`](super::MAX_VARIANTS). At `/rules/3/variants`.
pub const TOO_MANY_VARIANTS: &str = "experiments/too-many-variants";
/// Two variants of a rule with the same `id`. At `/rules/3/variants/1/id`.
pub const DUPLICATE_VARIANT: &str = "experiments/duplicate-variant";
/// A key, seed, name, variant id or namespace id longer than
/// [`MAX_ID_BYTES`](super::MAX_ID_BYTES). At that string.
pub const TOO_LONG: &str = "experiments/too-long";
/// A `weight` that is not a number from 0 to 1. At `/rules/3/variants/0/weight`.
pub const BAD_WEIGHT: &str = "experiments/bad-weight";
/// Weights that do not add up to 1 (all given: from 0.99 to 1.01, GrowthBook's tolerance;
/// some given: at most 1, the rest shared equally by the others). At `/rules/3/variants`.
pub const WEIGHTS_SUM: &str = "experiments/weights-sum";
/// `coverage` that is not a number from 0 to 1. At `/rules/3/experiment/coverage`.
pub const BAD_COVERAGE: &str = "experiments/bad-coverage";
/// `hashVersion` other than 1 or 2. At `/rules/3/experiment/hashVersion`.
pub const BAD_HASH_VERSION: &str = "experiments/bad-hash-version";
/// `hashAttribute` other than `"id"` or `"userId"`, or a `fallbackAttribute` other than
/// `"id"` (allowed only with `"hashAttribute": "userId"`). At that field.
pub const BAD_HASH_ATTRIBUTE: &str = "experiments/bad-hash-attribute";
/// `namespace` that is not `[id, start, end]` with `0 <= start < end <= 1`. At
/// `/rules/3/experiment/namespace` (or the element at fault).
pub const BAD_NAMESPACE: &str = "experiments/bad-namespace";
/// A rule with both `show` and `variants` (the variants say what it shows). At `/rules/3/show`.
pub const SHOW_AND_VARIANTS: &str = "experiments/show-and-variants";
/// A rule with `experiment` but no `variants`. At `/rules/3/experiment`.
pub const NO_VARIANTS: &str = "experiments/no-variants";
/// An experiment key already used by another rule (or the holdout) with different settings
/// (seed, hash version, hash attribute, namespace, ranges or variant ids): one key is one
/// experiment, in one set of buckets, with one sticky assignment per visitor. Rules that share a
/// key with identical settings are one experiment shown in several slots. At the key (the
/// rule's `/experiment/key`, or its `/id` when the key defaults to it).
pub const CONFLICTING_KEY: &str = "experiments/conflicting-key";
/// A variant whose block has a text with a placeholder without `else`: where its value is
/// missing the block cannot show, while the control would (and be exposed), so taking part
/// would depend on the variant. At `/rules/3/variants/1/show`.
pub const TEXT_MAY_NOT_FILL: &str = "experiments/text-may-not-fill";
/// `/holdout/share` that is not a number from 0 to 1 (or missing). At `/holdout/share`.
pub const BAD_SHARE: &str = "experiments/bad-share";
