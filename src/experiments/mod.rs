//! Experiments and the global holdout: variants on any rule, assigned as GrowthBook assigns
//! them, kept sticky on the device, and measured with `Experiment Viewed` events.
//!
//! ## The config
//!
//! A rule may split its audience between variants instead of showing one block:
//!
//! ```json
//! {"id": "home-hero", "slot": "hero", "if": {"page.path": "/"},
//!  "variants": [
//!    {"id": "control"},
//!    {"id": "big-banner", "show": "big-banner", "weight": 0.5, "name": "Big banner"}],
//!  "experiment": {"key": "hero-2026-12", "seed": "hero-2026-12", "hashVersion": 2,
//!                 "coverage": 1, "namespace": ["hero", 0, 0.5], "hashAttribute": "id"}}
//! ```
//!
//! * `variants` (2 to [`MAX_VARIANTS`]): `id` (required, unique in the rule, at most
//!   [`MAX_ID_BYTES`]), `show` (a block id; without it the variant is a *control*: the slot
//!   keeps the page's default content), `weight` (0 to 1; when none has one the weights are
//!   equal; when all have one they add up to 1, within GrowthBook's 0.99 to 1.01; when some
//!   have one, the rest of 1 is shared equally by the others), `name` (Segment's
//!   `variation_name`, default the id).
//! * `experiment` (optional, every field optional): `key` (default the rule id: GrowthBook's
//!   key and Segment's `experiment_id`), `name` (default the key), `seed` (default the key),
//!   `hashVersion` (1 or 2, default **2**: GrowthBook's `run()` defaults to 1, its app writes 2
//!   for every new experiment, and 1 is biased; give 1 to reproduce an old GrowthBook
//!   experiment), `coverage` (0 to 1, default 1), `namespace` (`[id, start, end]`),
//!   `hashAttribute` (`"id"`, the default, or `"userId"`), `fallbackAttribute` (`"id"`, only
//!   with `"hashAttribute": "userId"`).
//!
//! And a top-level section holds a share of visitors out of all personalization:
//!
//! ```json
//! "holdout": {"share": 0.05, "key": "holdout", "seed": "holdout-2026"}
//! ```
//!
//! `share` is required (0 to 1); `key` defaults to `"holdout"`; `name`, `seed`,
//! `hashVersion`, `hashAttribute`, `fallbackAttribute` as for an experiment.
//!
//! Compiled by [`compile_rule`] and [`compile_holdout`] (feature `compiler`); the diagnostic
//! codes are in [`codes`]. One key is one experiment: rules that share a key must share its
//! settings (then they are one experiment shown in several slots, exposed once per page).
//!
//! ## Assignment
//!
//! [`Experiment::assign`] is GrowthBook's `run()` for what a config can express, with
//! GrowthBook's sticky bucketing: the same key, seed, hash version, coverage, weights,
//! namespace and id give the same variant as `@growthbook/growthbook` (checked on 100,000+
//! ids, `tests/experiments.test.mjs`, and on the conformance suite's `run` cases,
//! `tests/experiments_growthbook.rs`). A visitor who is not in the experiment (no id to hash,
//! outside the namespace or the coverage) makes the rule not apply: the next matching rule
//! for the slot may fill it, as GrowthBook skips a feature rule. A visitor in the *control*
//! is in the experiment: the rule holds the slot and shows the default content.
//!
//! ## Sticky assignments and the assignment key
//!
//! [`Assignments`] keeps, per visitor, the variant of every experiment they were exposed to
//! (at most [`MAX_ASSIGNMENTS`], least recently exposed forgotten first), so that changing
//! weights, coverage or a namespace later moves nobody who already saw a variant; a variant
//! removed from the config releases its visitors to a new assignment. To **restart** an
//! experiment (everyone assigned afresh, e.g. after fixing a broken variant), give it a new
//! `key` (a new experiment in the data, the clean choice) or a new `seed` (same
//! `experiment_id`: analyse from the date of the change).
//!
//! The value an `"id"` experiment hashes is the store's **assignment key**
//! ([`Assignments::key`], kept in step by [`Assignments::sync_key`]):
//!
//! * while analytics is granted it *is* the anonymous id (the `anonymousId` of every event),
//!   so a GrowthBook SDK given `{id: anonymousId}` assigns the same variants;
//! * in every other state where rules run (analytics pending or denied, e.g. local-only mode
//!   under GPC, with personalization on), the anonymous id is not stored, so the key stays
//!   the one already in the store, or, for a visitor who has none, becomes the page's fresh
//!   anonymous id, which is then stored **here, with the visitor, and never sent** (no event
//!   carries it: events are not sent in those states, and granting analytics later replaces the
//!   key by the then-stored anonymous id). Exposed assignments stay sticky across that switch.
//!
//! The store is personalization data: it is stored where and when the visitor profile is
//! (personalization granted), kept in memory only while personalization is pending, and erased
//! with the profile when personalization is denied or the visitor is `reset()`. So a visitor
//! whose consent is still pending gets a fresh key, and possibly another variant, on each page;
//! their events do not leave the device unless analytics is granted.
//!
//! **Storage limits.** Safari deletes all script-written storage (localStorage, cookies set by
//! script) of a site not interacted with for seven days of browser use (ITP), and any browser
//! may clear storage under pressure or by the shopper's hand. The store, the anonymous id and
//! the profile go together: the returning shopper is a new visitor, with a new anonymous id,
//! new assignments and possibly the other side of the holdout. Analysis by `anonymousId`
//! stays consistent (a new id is a new unit), but one person may be counted in two variants.
//! Experiments with `"hashAttribute": "userId"` (and `"fallbackAttribute": "id"`) keep
//! signed-in shoppers in the same variant across devices and storage loss.
//!
//! **Across tabs** every tab merges the record at start and each record another tab writes
//! (its storage event) into its own ([`Assignments::merge`], called by the visitor record's
//! merge): entries are united, the record's variant wins a
//! conflict (two tabs that exposed two variants before seeing each other's write), the most
//! recently set key wins and eviction is deterministic, so the tabs converge on one record.
//!
//! Entries are kept per device, not per user id: the store is erased by `reset()` (sign-out),
//! so a user-id experiment keeps, on this device, the variant its visitor was exposed to (also
//! across signing in, with `"fallbackAttribute": "id"`: GrowthBook's fallback). Unlike
//! GrowthBook, whose sticky assignments are kept per hashed id, a *second* user id given to
//! `identify` on the same device without a `reset()` keeps that variant too.
//!
//! ## The holdout
//!
//! [`Holdout`] is an experiment of two groups, `holdout` (weight `share`) and `personalized`,
//! assigned and made sticky like any other. A visitor in the holdout sees no rule's block and
//! is in no rule's experiment; tracking goes on as usual.
//!
//! ## Exposure
//!
//! [`Exposures`] turns "slot S became viewable for rule R's assignment" into at most one
//! `Experiment Viewed` event per experiment per page, with Segment's properties
//! (`experiment_id`, `experiment_name`, `variation_id`, `variation_name`) plus `rule` and
//! `slot`, and makes the exposed assignment sticky.
//!
//! ## Where it is wired
//!
//! * Config: `src/config/rules.rs` compiles a rule's `variants` and `experiment` with
//!   [`compile_rule`] (one [`Keys`] per config), `src/config/mod.rs` the `/holdout` with
//!   [`compile_holdout`]; the program reader checks [`Experiment::blocks_below`].
//! * Deciding (`src/tracker/decide.rs`, `src/tracker/experiments.rs`): a rule whose condition
//!   holds gets the visitor's variant ([`Experiment::assign`]; not in the experiment: the next
//!   rule); every variant's texts must fill, so taking part never depends on the variant; a
//!   control, or any rule for a visitor the [`Holdout`] withholds, holds its slot or placement
//!   with the default content (a decision with an empty block).
//! * Exposure (`Tracker::track`): the renderer's `Block Viewed` of a decided rule (a control's
//!   carries `"control": true`, and is counted by the caps like any view; a control dialog is
//!   claimed like one that opens) brings [`Exposures::viewed`] for the rule's experiment and the
//!   holdout's `personalized` group, or the holdout's `holdout` group alone; each returned map
//!   is recorded as [`EXPERIMENT_VIEWED`]. [`Exposures::new_page`] on every page view.
//! * Storage: the [`Assignments`] live in the visitor profile, written inside the visitor
//!   record (`x` in its profile) and merged with it ([`Assignments::merge`]); the key is synced
//!   ([`Assignments::sync_key`]) at every page view, consent choice and reset, never before
//!   the stored record is merged at start.

mod experiment;
mod exposures;
mod holdout;
mod sticky;
mod sticky_record;
mod wire;

#[cfg(feature = "compiler")]
pub mod codes;
#[cfg(feature = "compiler")]
mod compile;

#[cfg(feature = "compiler")]
pub use compile::{compile_holdout, compile_rule, Keys, RULE_FIELDS};
pub use experiment::{
    Assignment, Experiment, HashAttribute, Namespace, Variant, MAX_ID_BYTES, MAX_VARIANTS,
};
pub use exposures::{Exposures, EXPERIMENT_VIEWED};
pub use holdout::{Holdout, HOLDOUT, PERSONALIZED};
pub use sticky::{Assignments, MAX_ASSIGNMENTS, MAX_KEY_BYTES, TOUCH_MS};
pub use sticky_record::VERSION as RECORD_VERSION;

#[cfg(all(test, feature = "compiler", not(target_arch = "wasm32")))]
mod tests;
