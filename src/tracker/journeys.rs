//! Running the config's journeys for this visitor (see `crate::journeys`).

use super::{Call, Page, Tracker};
use crate::event::Kind;
use crate::history::Scope;
use crate::ids::derived_id;
use crate::journeys::{check, STAGE_ENTERED};
use crate::text::push_u64;
use crate::time::Millis;

/// How often journeys are checked while the page is open and nothing happens (time alone moves
/// them: "no checkout within 30 minutes").
pub const JOURNEY_TICK_MS: Millis = 15_000;

impl Tracker {
    /// Where and when history predicates are evaluated.
    pub(super) fn scope(&self, now: Millis) -> Scope<'_> {
        Scope::new(
            &self.visitor.profile.history,
            now,
            self.visitor.session.id,
            &self.identity.tab_id,
            self.page_start,
        )
    }

    /// Moves the journeys as far as they go at `now`, recording each transition as a
    /// `Journey Stage Entered` event; returns how many. Nothing while rules may not run.
    pub fn check_journeys(&mut self, page: &Page, now: Millis) -> usize {
        self.tick(now);
        self.journeys_checked = now;
        if self.config.journeys.is_empty() || !self.effects.run_rules || self.in_journeys {
            return 0;
        }
        let attributes = self.rule_attributes(page);
        let scope = self.scope(now);
        let mut pass = self.config.conditions.pass(&attributes, &scope);
        let transitions = check(
            &self.config.journeys,
            &self.visitor.profile.journeys,
            now,
            &mut |c| pass.holds(c),
        );
        self.in_journeys = true;
        for t in &transitions {
            // The same transition decided in two tabs gets the same id, so a collector that
            // dedupes on messageId stores it once.
            let mut run = String::new();
            push_u64(&mut run, t.run as u64);
            let id = derived_id(&[&self.identity.anonymous_id, &t.journey, &run, &t.stage]);
            let call = Call::new(Kind::Track, Some(STAGE_ENTERED.into()), t.properties());
            self.record_one(call, page, id, now);
        }
        self.in_journeys = false;
        transitions.len()
    }

    /// When time alone may move a journey next (the shell checks then), if any can.
    pub fn journeys_wake(&self) -> Option<Millis> {
        (!self.config.journeys.is_empty() && self.effects.run_rules)
            .then_some(self.journeys_checked + JOURNEY_TICK_MS)
    }
}
