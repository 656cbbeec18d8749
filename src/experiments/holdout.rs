//! The global holdout: a share of visitors who never see personalized content but are tracked
//! as usual, so that the whole personalization programme can be measured against nothing.
//!
//! It is an experiment of two variants, [`HOLDOUT`] (weight `share`) and [`PERSONALIZED`]
//! (the rest), assigned and made sticky like any other: a GrowthBook experiment with the same
//! key, seed, hash version and weights `[share, 1 - share]` puts every id in the same group.
//! A visitor in the holdout is in no rule's experiment; every slot keeps its default content.

use super::experiment::{Assignment, Experiment};
use super::sticky::Assignments;

/// The id (and name) of the holdout's first variant: the visitors who see no personalization.
pub const HOLDOUT: &str = "holdout";
/// The id (and name) of the second: everyone else.
pub const PERSONALIZED: &str = "personalized";

/// The compiled `/holdout` section.
#[derive(Clone, Debug, PartialEq)]
pub struct Holdout {
    /// The experiment: variants [`HOLDOUT`] then [`PERSONALIZED`], no block.
    pub experiment: Experiment,
}

impl Holdout {
    /// The visitor's group (see [`Experiment::assign`]); `None` when the holdout hashes the
    /// user id and there is none (the visitor is then personalized and never exposed to it).
    pub fn assign(&self, user_id: Option<&str>, store: &Assignments) -> Option<Assignment> {
        self.experiment.assign(user_id, store)
    }

    /// Whether `group` (from [`assign`](Self::assign)) withholds personalization.
    pub fn withholds(group: Option<&Assignment>) -> bool {
        group.is_some_and(|g| g.variant == 0)
    }
}
