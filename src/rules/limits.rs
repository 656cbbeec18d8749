//! Limits on conditions.
//!
//! Conditions come from configs that people and tools outside Trailmark write, so compiling
//! one is bounded in stack, time and memory whatever it contains. Past a limit the offending
//! part is reported (with the codes below) and compiles to "false"; nothing panics or recurses
//! without a bound. Evaluation recurses only along the compiled tree, so its depth is bounded
//! by [`MAX_DEPTH`] too; attribute values are walked iteratively.
//!
//! Regex patterns are bounded by the regex engine itself:
//! [`MAX_PATTERN_CHARS`](super::regex::MAX_PATTERN_CHARS) chars and
//! [`MAX_PROGRAM`](super::regex::MAX_PROGRAM) instructions (`rules/regex-too-long`,
//! `rules/regex-too-complex`).

/// Deepest nesting of objects and arrays in one condition, counting the condition itself as
/// level 1 (`rules/too-deep`). Real targeting conditions rarely pass 6.
pub const MAX_DEPTH: usize = 32;

/// Most items in one array operand: `$in`, `$nin`, `$ini`, `$nini`, `$all`, `$alli`, `$and`,
/// `$or`, `$nor`, or an array literal (`rules/too-many-items`).
pub const MAX_ITEMS: usize = 1_000;

/// Most JSON values (objects, arrays, scalars, list items) in one condition
/// (`rules/too-many-nodes`): bounds compile time and the compiled form's memory. Past it the
/// whole condition compiles to false.
pub const MAX_NODES: usize = 10_000;

/// Most items in one saved group referenced by `$inGroup` / `$notInGroup`
/// (`rules/too-many-items`). Saved groups are id lists and may be longer than operands.
pub const MAX_SAVED_GROUP_ITEMS: usize = 10_000;
