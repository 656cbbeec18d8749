//! `trailmark.explain()`: for every slot and overlay placement, each candidate rule in the order
//! they are tried, and why it showed or did not.
//!
//! The page's module hands over its state ([`Tracker::explain_state`]: the visitor record, what
//! consent allows, what this page view has seen); the tools chunk (loaded only when asked)
//! rebuilds a tracker from the same compiled program and that state
//! ([`Tracker::from_explain_state`]) and walks the rules as [`Tracker::decide`] does, keeping
//! the reasons ([`Tracker::explain`]). The program keeps every condition's paths as written, so
//! a failing test is named by its path, the value seen and the test.

use super::Tracker;
use crate::time::Millis;
use crate::value::Value;
#[cfg(feature = "compiler")]
use {
    super::{Identity, Page},
    crate::caps::Held,
    crate::config::{Config, Placement, Trigger},
    crate::time::iso8601,
    crate::value::Map,
};

impl Tracker {
    /// What `explain()` needs of this tab: the visitor record (`record`, as stored), what
    /// consent allows, and this page view's state. Read by [`from_explain_state`]
    /// (Self::from_explain_state) in the tools chunk.
    pub fn explain_state(&self, now: Millis) -> Value {
        let e = &self.effects;
        let w = self.watch_state();
        Value::object(vec![
            ("record", Value::String(self.visitor.record(self.float))),
            ("runRules", Value::Bool(e.run_rules)),
            ("openDialogs", Value::Bool(e.open_dialogs)),
            ("useProfile", Value::Bool(e.use_profile)),
            ("shown", Value::Array(self.here.shown_rules())),
            (
                "exitAt",
                self.here
                    .exit_at
                    .map_or(Value::Null, |at| Value::Number(at as f64)),
            ),
            ("suppress", Value::Bool(self.here.suppress_dialogs)),
            ("pageStart", Value::Number(self.page_start as f64)),
            ("depth", Value::Number(f64::from(w.0))),
            ("lastInput", Value::Number(w.1 as f64)),
            ("now", Value::Number(now as f64)),
            ("userAgent", Value::from(self.identity.user_agent.as_str())),
        ])
    }
}

#[cfg(feature = "compiler")]
impl Tracker {
    /// A tracker with `config` in the state another tab's module described (`state`, from
    /// [`explain_state`](Self::explain_state), its `record` parsed).
    pub fn from_explain_state(
        config: Config,
        state: &Value,
        float: crate::json::FloatFormatter,
    ) -> Tracker {
        let flag = |k: &str| state.get(k).and_then(Value::as_bool).unwrap_or(false);
        let num = |k: &str| state.get(k).and_then(Value::as_f64).unwrap_or(0.0) as Millis;
        let identity = Identity {
            user_agent: state
                .get("userAgent")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            tab_id: "explain".into(),
            ..Identity::default()
        };
        let mut t = Tracker::new(config, identity, float);
        t.effects.run_rules = flag("runRules");
        t.effects.open_dialogs = flag("openDialogs");
        t.effects.use_profile = flag("useProfile");
        t.visitor = crate::visitor::Visitor::new(0, true);
        if let Some(record) = state.get("record") {
            t.visitor.merge("explain", record);
        }
        t.page_start = num("pageStart");
        if let Some(Value::Array(shown)) = state.get("shown") {
            for rule in shown.iter().filter_map(Value::as_str) {
                t.here.mark_shown(rule);
            }
        }
        t.here.exit_at = state
            .get("exitAt")
            .and_then(Value::as_f64)
            .map(|at| at as Millis);
        t.here.suppress_dialogs = flag("suppress");
        t.set_watch_state(num("depth") as u32, num("lastInput"));
        t
    }

    /// For every slot and overlay placement (in the order rules name them), each candidate rule
    /// in the order it is tried: `{rule, priority, shown: true}` for the one that shows, else
    /// `{rule, priority, shown: false, reason, ...}` with the reason's details:
    ///
    /// | reason | details |
    /// |---|---|
    /// | `consent` | personalization is denied: nothing shows |
    /// | `taken` | `by`: the rule that took the slot or placement first |
    /// | `dialogs` | `detail`: `consent pending`, `used up (n of m this session)` or `page suppresses dialogs` |
    /// | `trigger` | waiting for exit intent |
    /// | `schedule` | `start`, `end` (ISO 8601) |
    /// | `cap` | `cap` (`perSession`, `perWindow`, `ever`, `afterDismiss`, `afterAccept`), `until` (ISO 8601, or `null`: never again / next session) |
    /// | `goal` | its `until` condition holds |
    /// | `condition` | `path`, `seen`: the first failing test's attribute path (or history predicate) and the value there |
    /// | `text` | a placeholder has no value and no `else` |
    /// | `experiment` | `detail`: the visitor is not in the rule's experiment |
    ///
    /// A rule with an experiment, or any rule for a visitor in the holdout, also says its
    /// `variant` (`"holdout"` in the holdout); where the default content stays, the winner says
    /// `control: true` instead of a `block`.
    pub fn explain(&self, page: &Page, now: Millis) -> Value {
        let mut attributes = self.rule_attributes(page);
        if let Value::Object(m) = &mut attributes {
            if let Some(Value::Object(p)) = m.get_mut("page") {
                self.watched_attributes(p, now);
            }
        }
        let scope = self.scope(now);
        let mut pass = self.config.conditions.pass(&attributes, &scope);
        let session = self.visitor.session.id;
        let displays = &self.visitor.profile.displays;
        let used = displays.dialogs_in(session);
        let max = self.config.overlays.dialogs_per_session;
        let mut dialog_free =
            self.effects.open_dialogs && !self.here.suppress_dialogs && used < max;
        let mut winners: Vec<(Placement, &str, &str)> = Vec::new();
        let mut groups: Vec<(Placement, String, Vec<Value>)> = Vec::new();
        for &i in &self.order {
            let Some(rule) = self.config.rules.get(i) else {
                continue;
            };
            let mut entry = Map::new();
            entry.insert("rule", Value::from(rule.id.as_str()));
            entry.insert("priority", Value::Number(f64::from(rule.priority)));
            let shown = self.here.shown(&rule.id);
            let mut block = None;
            let reason: Option<(&str, Map)> = 'why: {
                if !self.effects.run_rules {
                    break 'why Some(("consent", detail("detail", "personalization denied")));
                }
                if let Some((_, _, by)) = winners
                    .iter()
                    .find(|(p, s, _)| *p == rule.placement && *s == rule.slot)
                {
                    break 'why Some(("taken", detail("by", by)));
                }
                if rule.placement == Placement::Dialog && !dialog_free && !shown {
                    let why = if !self.effects.open_dialogs {
                        "consent pending (no dialog until personalization is granted)".to_owned()
                    } else if self.here.suppress_dialogs {
                        "the page suppresses dialogs".to_owned()
                    } else if used >= max {
                        let mut s = String::from("used up (");
                        crate::text::push_u64(&mut s, u64::from(used));
                        s.push_str(" of ");
                        crate::text::push_u64(&mut s, u64::from(max));
                        s.push_str(" this session)");
                        s
                    } else {
                        "a higher-priority dialog took it".to_owned()
                    };
                    break 'why Some(("dialogs", detail("detail", &why)));
                }
                if rule.trigger == Trigger::Exit
                    && !super::decide::exit_open(self.here.exit_at, now)
                    && !shown
                {
                    break 'why Some(("trigger", detail("detail", "waiting for exit intent")));
                }
                if !rule.schedule.open(now) {
                    let mut m = Map::new();
                    m.insert("start", time_or_null(rule.schedule.start));
                    m.insert("end", time_or_null(rule.schedule.end));
                    break 'why Some(("schedule", m));
                }
                let stats = displays.of(&rule.id);
                if let Some(held) = rule.caps.held(stats, session, now, shown) {
                    let s = stats.cloned().unwrap_or_default();
                    let (cap, until) = match held {
                        Held::Session => ("perSession", 0),
                        Held::Ever => ("ever", 0),
                        Held::Window => (
                            "perWindow",
                            s.recent
                                .iter()
                                .map(|(at, _)| *at)
                                .filter(|at| *at > now - rule.caps.window_ms)
                                .min()
                                .map_or(0, |at| at + rule.caps.window_ms),
                        ),
                        Held::Dismissed => (
                            "afterDismiss",
                            rule.caps.after_dismiss.map_or(0, |q| s.dismissed + q),
                        ),
                        Held::Accepted => (
                            "afterAccept",
                            rule.caps.after_accept.map_or(0, |q| s.accepted + q),
                        ),
                    };
                    let mut m = detail("cap", cap);
                    m.insert("until", time_or_null(until));
                    break 'why Some(("cap", m));
                }
                if rule.until.is_some_and(|c| pass.holds(c)) {
                    break 'why Some(("goal", detail("detail", "its until condition holds")));
                }
                if let Some(f) = rule.condition.and_then(|c| pass.why_not(c)) {
                    let mut m = detail("path", &f.path);
                    m.insert("seen", f.seen);
                    // The test as written, where the program kept it.
                    if f.test != Value::Null {
                        m.insert("test", f.test);
                    }
                    break 'why Some(("condition", m));
                }
                let Some(arm) = self.arm(rule, false) else {
                    break 'why Some((
                        "experiment",
                        detail(
                            "detail",
                            "not in its experiment (outside its namespace or coverage, or no user id to hash)",
                        ),
                    ));
                };
                block = arm.filter(|_| !self.withheld());
                let fills = self
                    .config
                    .templates
                    .get(arm.unwrap_or(usize::MAX))
                    .is_none_or(|ts| ts.iter().all(|t| t.fill(&attributes).is_some()));
                if !fills {
                    break 'why Some((
                        "text",
                        detail("detail", "a placeholder has no value and no else"),
                    ));
                }
                if rule.placement == Placement::Dialog
                    && !shown
                    && self.config.overlays.suppress.is_some_and(|c| pass.holds(c))
                {
                    dialog_free = false;
                    break 'why Some((
                        "dialogs",
                        detail("detail", "overlays.suppressDialogs holds on this page"),
                    ));
                }
                None
            };
            match reason {
                None => {
                    entry.insert("shown", Value::Bool(true));
                    match block.and_then(|b| self.config.block(b)) {
                        Some(block) => entry.insert("block", Value::from(block)),
                        // The page's default content: a control, or the holdout.
                        None => entry.insert("control", Value::Bool(true)),
                    }
                    if let Some(variant) = self.variant_name(rule) {
                        entry.insert("variant", Value::from(variant));
                    }
                    if rule.placement == Placement::Dialog {
                        dialog_free = false;
                    }
                    winners.push((rule.placement, &rule.slot, &rule.id));
                }
                Some((why, details)) => {
                    entry.insert("shown", Value::Bool(false));
                    entry.insert("reason", Value::from(why));
                    for (k, v) in details.iter() {
                        entry.insert(k, v.clone());
                    }
                }
            }
            match groups
                .iter_mut()
                .find(|(p, s, _)| *p == rule.placement && *s == rule.slot)
            {
                Some((_, _, list)) => list.push(Value::Object(entry)),
                None => groups.push((
                    rule.placement,
                    rule.slot.clone(),
                    vec![Value::Object(entry)],
                )),
            }
        }
        Value::Array(
            groups
                .into_iter()
                .map(|(placement, slot, candidates)| {
                    Value::object(vec![
                        ("placement", Value::from(placement.name())),
                        ("slot", Value::from(slot.as_str())),
                        ("candidates", Value::Array(candidates)),
                    ])
                })
                .collect(),
        )
    }
}

#[cfg(feature = "compiler")]
fn detail(key: &str, value: &str) -> Map {
    let mut m = Map::new();
    m.insert(key, Value::from(value));
    m
}

#[cfg(feature = "compiler")]
fn time_or_null(ms: Millis) -> Value {
    if ms > 0 {
        Value::String(iso8601(ms))
    } else {
        Value::Null
    }
}
