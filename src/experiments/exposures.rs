//! Exposure events: which `Experiment Viewed` events a page sends, and their properties.
//!
//! A visitor is *exposed* when they could see what their variant decided: the slot became
//! viewable (or, for an overlay or exit offer, it opened, or would have opened for the control
//! or the holdout). Counting exposure on view, not on assignment, keeps visitors who never
//! scrolled to the slot out of the analysis: they could not have been affected by it, and
//! counting them would dilute the difference between variants. The shell observes; this type
//! decides: one event per experiment per page, and the exposure made sticky.

use super::experiment::{Assignment, Experiment};
use super::sticky::Assignments;
use crate::time::Millis;
use crate::value::{Map, Value};

/// The event name (Segment's A/B testing spec).
pub const EXPERIMENT_VIEWED: &str = "Experiment Viewed";

/// The experiments that already sent their exposure on this page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exposures {
    /// Keys of the experiments exposed on this page (at most one per experiment in the config).
    exposed: Vec<String>,
}

impl Exposures {
    /// A new page view (a load, a back/forward-cache restore or a single-page-app route
    /// change): every experiment may send its exposure again.
    pub fn new_page(&mut self) {
        self.exposed.clear();
    }

    /// Slot `slot` became viewable at `now` showing (or, for the control and the holdout,
    /// keeping the default content in place of) what `assignment` of `experiment` decided,
    /// for rule `rule`. Remembers the assignment in `store` (exposed variants are sticky,
    /// whatever the consent state: the shopper saw it), and returns the properties of the
    /// `Experiment Viewed` event to record, unless this experiment already sent one on this
    /// page:
    ///
    /// ```json
    /// {"experiment_id": "hero-test", "experiment_name": "Hero test",
    ///  "variation_id": "big-banner", "variation_name": "Big banner",
    ///  "rule": "home-hero", "slot": "hero"}
    /// ```
    pub fn viewed(
        &mut self,
        experiment: &Experiment,
        assignment: &Assignment,
        rule: &str,
        slot: &str,
        store: &mut Assignments,
        now: Millis,
    ) -> Option<Map> {
        let variant = experiment.variants.get(assignment.variant)?;
        store.remember(experiment, assignment, now);
        if self.exposed.contains(&experiment.key) {
            return None;
        }
        self.exposed.push(experiment.key.clone());
        let mut p = Map::new();
        p.insert("experiment_id", Value::from(experiment.key.as_str()));
        p.insert("experiment_name", Value::from(experiment.name.as_str()));
        p.insert("variation_id", Value::from(variant.id.as_str()));
        p.insert("variation_name", Value::from(variant.name.as_str()));
        p.insert("rule", Value::from(rule));
        p.insert("slot", Value::from(slot));
        Some(p)
    }
}
