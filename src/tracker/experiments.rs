//! Experiments and the holdout in the tracker (see [`crate::experiments`]): which arm of a
//! rule a visitor gets when deciding, and the `Experiment Viewed` events of a view.
//!
//! Deciding and exposing both work the assignment out from the same inputs (the sticky store,
//! the assignment key, the user id), so a view exposes exactly what was decided.

use super::{Page, Tracker};
use crate::config::Rule;
use crate::experiments::Holdout;
use crate::time::Millis;
use crate::value::{Map, Value};

impl Tracker {
    /// What `rule` shows this visitor (its condition holding), the holdout aside: `None` when
    /// they are not in its experiment (the next rule may fill the slot); `Some(None)` for its
    /// control (the page's default content); `Some(Some(block))` otherwise. A previewed rule
    /// shows the variant the preview names, else the visitor's own, else (a visitor outside the
    /// experiment) its first.
    pub(super) fn arm(&self, rule: &Rule, preview: bool) -> Option<Option<usize>> {
        let Some(e) = &rule.experiment else {
            return Some(Some(rule.block));
        };
        let forced = e
            .variants
            .iter()
            .find(|v| preview && v.id == self.here.preview_variant);
        let assigned = || {
            let a = e.assign(
                self.visitor.user_id.as_deref(),
                &self.visitor.profile.assignments,
            );
            match a {
                Some(a) => e.variants.get(a.variant),
                None if preview => e.variants.first(),
                None => None,
            }
        };
        Some(forced.or_else(assigned)?.block)
    }

    /// Whether the visitor is in the holdout (sees no personalization).
    pub(super) fn withheld(&self) -> bool {
        self.config.holdout.as_ref().is_some_and(|h| {
            Holdout::withholds(
                h.assign(
                    self.visitor.user_id.as_deref(),
                    &self.visitor.profile.assignments,
                )
                .as_ref(),
            )
        })
    }

    /// The `Experiment Viewed` properties a `Block Viewed` with `props` brings (the rule's
    /// decision was in view: its block, or the default content of a control or the holdout),
    /// each experiment at most once per page, and the exposed assignments made sticky: the
    /// holdout's `holdout` group alone for a held-out visitor; else the rule's experiment and
    /// the holdout's `personalized` group.
    pub(super) fn exposures(&mut self, props: &Map, page: &Page, now: Millis) -> Vec<Map> {
        let mut out = Vec::new();
        let rule = props
            .get("rule")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(r) = self.config.rules.iter().find(|r| r.id == rule) else {
            return out;
        };
        // Nothing to expose for a rule without an experiment when there is no holdout (no
        // deciding again for every view of every block); else only a view of what is decided
        // here (not a preview, nor a page's own `Block Viewed` of some other rule) exposes, and
        // nothing is decided while personalization is denied.
        if (r.experiment.is_none() && self.config.holdout.is_none())
            || !self
                .decide(page, now)
                .iter()
                .any(|d| d.rule == rule && !d.preview)
        {
            return out;
        }
        let slot = props
            .get("slot")
            .and_then(Value::as_str)
            .unwrap_or(r.placement.name());
        let user = self.visitor.user_id.as_deref();
        let store = &mut self.visitor.profile.assignments;
        let seen = &mut self.here.exposures;
        let group = self
            .config
            .holdout
            .as_ref()
            .and_then(|h| Some((h, h.assign(user, store)?)));
        let held = group.is_some_and(|(_, g)| Holdout::withholds(Some(&g)));
        if let (Some(e), false) = (&r.experiment, held) {
            if let Some(a) = e.assign(user, store) {
                if let Some(p) = seen.viewed(e, &a, rule, slot, store, now) {
                    out.push(p);
                }
            }
        }
        if let Some((h, g)) = group {
            if let Some(p) = seen.viewed(&h.experiment, &g, rule, slot, store, now) {
                out.push(p);
            }
        }
        out
    }

    /// Keeps the assignment key in step with the anonymous id and consent (see
    /// [`crate::experiments::Assignments::sync_key`]).
    pub(super) fn sync_assignment_key(&mut self, now: Millis) {
        if self.visitor.profile.assignments.sync_key(
            &self.identity.anonymous_id,
            self.effects.send_events,
            now,
        ) {
            self.visitor.mark_dirty();
        }
    }

    /// The visitor's variant of `rule` as `explain()` names it: `"holdout"` for a visitor in
    /// the holdout, else the id of their variant of the rule's experiment, if it has one.
    #[cfg(feature = "compiler")]
    pub(super) fn variant_name<'a>(&self, rule: &'a Rule) -> Option<&'a str> {
        if self.withheld() {
            return Some(crate::experiments::HOLDOUT);
        }
        let e = rule.experiment.as_ref()?;
        let a = e.assign(
            self.visitor.user_id.as_deref(),
            &self.visitor.profile.assignments,
        )?;
        Some(e.variants.get(a.variant)?.id.as_str())
    }
}
