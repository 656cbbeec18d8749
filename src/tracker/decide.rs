//! Deciding what each slot and overlay shows: the rules in priority order, their conditions,
//! triggers, schedules and caps (see [`crate::caps`]), consent, and the session's dialog.

use super::{Page, Tracker};
use crate::caps::BLOCK_VIEWED;
use crate::config::{Placement, Rule, Trigger};
use crate::time::Millis;
use crate::value::{Map, Value};

/// How long after exit intent a rule waiting for it may still start showing (the dialog is
/// claimed within milliseconds; an exit no rule answered then is over).
pub const EXIT_WINDOW_MS: Millis = 1_000;

/// Whether exit intent detected at `at` lets exit rules show at `now`.
pub(super) fn exit_open(at: Option<Millis>, now: Millis) -> bool {
    at.is_some_and(|at| now >= at && now - at <= EXIT_WINDOW_MS)
}

/// Which block a slot or overlay shows, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision<'a> {
    /// The slot (`data-trailmark-slot`); empty for an overlay.
    pub slot: &'a str,
    /// Where the block goes.
    pub placement: Placement,
    /// The rule that matched.
    pub rule: &'a str,
    /// The block id (the page's renderer holds the blocks); empty for the page's default
    /// content (an experiment's control, or a visitor in the holdout: see
    /// [`crate::experiments`]).
    pub block_id: &'a str,
    /// The code an `accept` action copies.
    pub offer: Option<&'a str>,
    /// The block's texts with placeholders, filled: one array of pieces each, in the order of
    /// the block's templates (`formatPieces` in `js/template.js` makes them text).
    pub texts: Vec<Value>,
    /// Shown for preview (`?trailmark-preview=`): nothing about it is recorded.
    pub preview: bool,
}

/// What the current page view has seen: its decisions depend on it, and it starts empty with
/// every page view.
#[derive(Clone, Debug, Default)]
pub struct PageState {
    /// Rules whose block was viewed on this page: caps count new showings, so they keep
    /// showing here.
    shown: Vec<String>,
    /// When exit intent was detected on this page: rules with `"trigger": "exit"` may show for
    /// [`EXIT_WINDOW_MS`] after it (an exit no offer answered then does not open one later,
    /// when the shopper adds to the cart or grants consent and is plainly staying).
    pub exit_at: Option<Millis>,
    /// The page asked that no dialog open (`trailmark.suppressDialogs(true)`).
    pub suppress_dialogs: bool,
    /// The rule a preview URL forces (with the config's key), for the whole page load.
    pub preview: Option<String>,
    /// The variant of the previewed rule it forces (`trailmark-variant`; empty: the visitor's).
    pub preview_variant: String,
    /// The experiments whose exposure this page sent.
    pub exposures: crate::experiments::Exposures,
}

impl PageState {
    /// A new page view.
    pub fn new_page(&mut self) {
        self.shown.clear();
        self.exit_at = None;
        self.exposures.new_page();
    }

    /// Notes what an event recorded on this page says about it.
    pub fn observe(&mut self, name: &str, properties: &Map) {
        if name != BLOCK_VIEWED {
            return;
        }
        if let Some(rule) = properties.get("rule").and_then(Value::as_str) {
            if !self.shown.iter().any(|r| r == rule) {
                self.shown.push(rule.to_owned());
            }
        }
    }

    pub(super) fn shown(&self, rule: &str) -> bool {
        self.shown.iter().any(|r| r == rule)
    }

    /// The rules whose block was viewed on this page.
    pub(super) fn shown_rules(&self) -> Vec<Value> {
        let mut rules = Vec::new();
        for r in &self.shown {
            rules.push(Value::from(r.as_str()));
        }
        rules
    }

    /// Notes that `rule`'s block was viewed on this page (a state handed over for `explain()`).
    #[cfg(feature = "compiler")]
    pub(super) fn mark_shown(&mut self, rule: &str) {
        if !self.shown(rule) {
            self.shown.push(rule.to_owned());
        }
    }
}

/// The indices of `rules` in the order they are tried: highest priority first, then config
/// order (a stable insertion sort: configs hold at most 1,000 rules, and `sort_by` costs the
/// module a few kilobytes).
pub fn order(rules: &[Rule]) -> Vec<usize> {
    let mut out = Vec::with_capacity(rules.len());
    for i in 0..rules.len() {
        out.push(i);
    }
    for i in 1..out.len() {
        let mut j = i;
        while j > 0 && rules[out[j - 1]].priority < rules[out[j]].priority {
            out.swap(j - 1, j);
            j -= 1;
        }
    }
    out
}

impl Tracker {
    /// For each slot and overlay placement, the block of the first rule (by priority, then
    /// config order) that may show now: its trigger fired, its schedule is open, no cap holds
    /// it back, its `until` condition (a goal) does not hold and its condition holds. At most one
    /// dialog, and only while dialogs may open
    /// (personalization granted, the session's dialogs not used up, the page not suppressing
    /// them). Nothing while personalization is denied: every slot keeps its default content.
    pub fn decide(&self, page: &Page, now: Millis) -> Vec<Decision<'_>> {
        let mut out: Vec<Decision<'_>> = Vec::new();
        // Called after every event: without rules, the attributes are not even built.
        if !self.effects.run_rules || self.config.rules.is_empty() {
            return out;
        }
        let mut attributes = self.rule_attributes(page);
        if self.watching.input || self.watching.time {
            if let Value::Object(m) = &mut attributes {
                if let Some(Value::Object(p)) = m.get_mut("page") {
                    self.watched_attributes(p, now);
                }
            }
        }
        let scope = self.scope(now);
        let mut pass = self.config.conditions.pass(&attributes, &scope);
        let session = self.visitor.session.id;
        let displays = &self.visitor.profile.displays;
        // Worked out once: the holdout's group does not depend on the rule.
        let withheld = self.withheld();
        let mut dialogs = self.effects.open_dialogs
            && !self.here.suppress_dialogs
            && displays.dialogs_in(session) < self.config.overlays.dialogs_per_session;
        // A previewed rule shows first, whatever its conditions, caps, schedule and trigger say.
        let previewed = self.here.preview.as_deref();
        let forced = self
            .config
            .rules
            .iter()
            .find(|r| Some(r.id.as_str()) == previewed);
        for rule in forced
            .into_iter()
            .chain(self.order.iter().filter_map(|&i| self.config.rules.get(i)))
        {
            let preview = forced.is_some_and(|f| std::ptr::eq(f, rule)) && out.is_empty();
            if !preview && previewed == Some(rule.id.as_str()) {
                continue;
            }
            let taken = out
                .iter()
                .any(|d| d.placement == rule.placement && d.slot == rule.slot);
            let shown = self.here.shown(&rule.id);
            // An open dialog stays decided: its own view used up the session's dialogs.
            let dialog_blocked = rule.placement == Placement::Dialog && !dialogs && !shown;
            if !preview
                && (taken
                    || dialog_blocked
                    || (rule.trigger == Trigger::Exit
                        && !exit_open(self.here.exit_at, now)
                        && !shown)
                    || !rule.schedule.open(now)
                    || rule
                        .caps
                        .held(displays.of(&rule.id), session, now, shown)
                        .is_some()
                    || rule.until.is_some_and(|c| pass.holds(c))
                    || rule.condition.is_some_and(|c| !pass.holds(c)))
            {
                continue;
            }
            // Not in the rule's experiment: the next rule may fill the slot. A control (or the
            // holdout) holds it with the default content.
            let Some(arm) = self.arm(rule, preview) else {
                continue;
            };
            // A text whose value is missing (and has no `else`) cannot show: the next rule may.
            // (A variant's texts always fill: the compiler refuses one that may not, so taking
            // part never depends on the variant.) Worked out before the holdout's default content
            // replaces the block: a held-out visitor counts only where the block would show.
            // (A plain loop: collecting into `Option<Vec<_>>` is a kilobyte of iterator code in
            // the module.)
            let mut texts = Vec::new();
            let mut fills = true;
            for t in self
                .config
                .templates
                .get(arm.unwrap_or(usize::MAX))
                .map_or(&[][..], Vec::as_slice)
            {
                match t.fill(&attributes) {
                    Some(v) => texts.push(v),
                    None => fills = false,
                }
            }
            // The holdout sees the default content wherever a rule would have shown.
            let arm = arm.filter(|_| preview || !withheld);
            let block_id = match arm {
                None => {
                    texts.clear();
                    Some("")
                }
                Some(b) => self.config.block(b),
            };
            let (Some(block_id), true) = (block_id, fills) else {
                continue;
            };
            if rule.placement == Placement::Dialog {
                // Suppressed from here on for lower-priority dialogs (one at a time), and the
                // page's own suppression condition is asked only when a dialog would open.
                if !preview
                    && !shown
                    && self.config.overlays.suppress.is_some_and(|c| pass.holds(c))
                {
                    dialogs = false;
                    continue;
                }
                dialogs = false;
            }
            out.push(Decision {
                slot: &rule.slot,
                placement: rule.placement,
                rule: &rule.id,
                block_id,
                offer: rule.offer.as_deref(),
                texts,
                preview,
            });
        }
        out
    }

    /// Claims the session's dialog for `rule` showing `block` (the shell holds a cross-tab lock
    /// around this, and has merged the other tabs' visitor record first): when `rule` is still
    /// the dialog decided now, with that block, records its `Block Viewed` (which uses up the session's dialog in every tab that
    /// merges the record) and returns true.
    pub fn claim_dialog(
        &mut self,
        rule: &str,
        block: &str,
        page: &Page,
        message_id: String,
        now: Millis,
    ) -> bool {
        // The block the page is about to show (`""`: a control's would-be dialog) must still be
        // the one decided: the record merged since may hold another tab's assignment.
        let decided = self
            .decide(page, now)
            .iter()
            .any(|d| d.placement == Placement::Dialog && d.rule == rule && d.block_id == block);
        if !decided {
            return false;
        }
        let mut props = Map::new();
        props.insert("rule", Value::from(rule));
        // A control's (or the holdout's) would-be dialog: charged to the caps and the session's
        // dialogs as a view, so the groups stay comparable (see crate::experiments).
        if block.is_empty() {
            props.insert("control", Value::Bool(true));
        } else {
            props.insert("block", Value::from(block));
        }
        props.insert("placement", Value::from(Placement::Dialog.name()));
        self.track(BLOCK_VIEWED, props, page, message_id, now);
        true
    }

    /// Forces `rule`'s block for this page load (`None`: stops), or its `variant` (a variant
    /// id of its experiment; empty: the visitor's own), when `key` is the config's preview
    /// key; false (nothing changes) otherwise.
    pub fn preview(&mut self, key: &str, rule: Option<String>, variant: String) -> bool {
        let ok = self.config.preview_key.as_deref() == Some(key);
        if ok {
            self.here.preview = rule;
            self.here.preview_variant = variant;
        }
        ok
    }

    /// What this page view has seen (exit intent, suppression), for the shell to update.
    pub fn page_state(&mut self) -> &mut PageState {
        &mut self.here
    }
}
