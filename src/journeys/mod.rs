//! Journeys: named multi-stage state machines over the visitor's events, run on the device.
//!
//! A journey is entered when its `entry` condition holds (and its re-entry policy allows), moves
//! through its `stages` in order as each next stage's condition holds, and is left when its
//! `goal` or `exit` holds or its `timeout` passes. [`check`] computes the transitions due now; the
//! tracker records each as a `Journey Stage Entered` event through the normal event path (so a
//! collector, and an email platform behind it, sees every transition), and the visitor model
//! folds those events into [`Progress`] (see `crate::visitor`), which is how tabs share it.

use crate::rules::ConditionId;
use crate::time::Millis;
use crate::value::{Map, Value};

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;

/// The event every transition is recorded as.
pub const STAGE_ENTERED: &str = "Journey Stage Entered";
/// The stage recorded when the goal is reached.
pub const GOAL: &str = "goal";
/// The stage recorded when the exit condition holds.
pub const EXIT: &str = "exit";
/// The stage recorded when the journey times out.
pub const TIMEOUT: &str = "timeout";
/// Stage ids a journey may not use (they name the ways of leaving).
pub const RESERVED: [&str; 3] = [GOAL, EXIT, TIMEOUT];
/// Longest journey or stage id, in bytes.
pub const MAX_ID_BYTES: usize = 200;
/// Most journeys one visitor's progress is kept for.
pub const MAX_PROGRESS: usize = 50;

/// When a visitor who left a journey may enter it again.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reentry {
    /// Never: once per visitor.
    Never,
    /// As soon as the entry condition holds again (not in the check that left it).
    Always,
    /// This long after leaving.
    After(Millis),
}

/// One stage of a journey.
#[derive(Clone, Debug)]
pub struct Stage {
    /// Its id, reported in `Journey Stage Entered`.
    pub id: String,
    /// What moves the visitor into it from the stage before (`None` for the first stage), in
    /// [`Config::conditions`](crate::config::Config::conditions).
    pub condition: Option<ConditionId>,
}

/// A compiled journey.
#[derive(Clone, Debug)]
pub struct Journey {
    /// Its id, unique in the config.
    pub id: String,
    /// What enters it (into the first stage).
    pub entry: ConditionId,
    /// The stages, in order (at least one).
    pub stages: Vec<Stage>,
    /// What completes it.
    pub goal: Option<ConditionId>,
    /// What ends it without completing it.
    pub exit: Option<ConditionId>,
    /// The re-entry policy.
    pub reentry: Reentry,
    /// Longest time in the journey, from entry.
    pub timeout: Option<Millis>,
}

/// Where one visitor is in one journey (shared by the tabs through the visitor record).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// The journey's id.
    pub journey: String,
    /// The current stage, `None` when not in the journey.
    pub stage: Option<String>,
    /// When the journey was last entered.
    pub entered_at: Millis,
    /// When the current stage was entered.
    pub stage_at: Millis,
    /// When the journey was last left (0: never).
    pub left_at: Millis,
    /// How often it was entered.
    pub entries: u32,
}

/// A transition due now.
#[derive(Clone, Debug, PartialEq)]
pub struct Transition {
    /// The journey's id.
    pub journey: String,
    /// The stage entered (or [`GOAL`], [`EXIT`], [`TIMEOUT`]).
    pub stage: String,
    /// The stage left, `None` on entry.
    pub previous: Option<String>,
    /// How often the journey has been entered, this entry included (identifies the run).
    pub run: u32,
}

impl Transition {
    /// The event's properties: `{journey, stage, previous_stage, run}`.
    pub fn properties(&self) -> Map {
        let mut m = Map::new();
        m.insert("journey", Value::from(self.journey.as_str()));
        m.insert("stage", Value::from(self.stage.as_str()));
        m.insert(
            "previous_stage",
            self.previous.as_deref().map_or(Value::Null, Value::from),
        );
        m.insert("run", Value::Number(self.run as f64));
        m
    }
}

/// The transitions due at `now` for every journey, in config order; `holds` evaluates a
/// condition against the visitor as of now. Within one journey a check can enter it and move
/// through several stages (a shopper who comes back after abandoning a cart is past both
/// stages at once), each recorded in order.
pub fn check(
    journeys: &[Journey],
    progress: &[Progress],
    now: Millis,
    holds: &mut dyn FnMut(ConditionId) -> bool,
) -> Vec<Transition> {
    let mut out = Vec::new();
    for j in journeys {
        let p = progress.iter().find(|p| p.journey == j.id);
        let mut run = p.map_or(0, |p| p.entries);
        let (mut index, entered_at) = match p.and_then(|p| Some((p.stage.as_deref()?, p))) {
            Some((stage, p)) => match j.stages.iter().position(|s| s.id == stage) {
                Some(i) => (i, p.entered_at),
                // The config no longer has that stage: the journey is left as timed out.
                None => {
                    out.push(leave(j, TIMEOUT, stage, run));
                    continue;
                }
            },
            None => {
                let may_enter = match (p, j.reentry) {
                    (None, _) | (Some(Progress { entries: 0, .. }), _) => true,
                    (Some(_), Reentry::Never) => false,
                    (Some(_), Reentry::Always) => true,
                    (Some(p), Reentry::After(d)) => now - p.left_at >= d,
                };
                if !may_enter || !holds(j.entry) {
                    continue;
                }
                run += 1;
                out.push(Transition {
                    journey: j.id.clone(),
                    stage: j.stages[0].id.clone(),
                    previous: None,
                    run,
                });
                (0, now)
            }
        };
        let here = |i: usize| j.stages[i].id.as_str();
        if j.goal.is_some_and(&mut *holds) {
            out.push(leave(j, GOAL, here(index), run));
        } else if j.exit.is_some_and(&mut *holds) {
            out.push(leave(j, EXIT, here(index), run));
        } else if j.timeout.is_some_and(|t| now - entered_at >= t) {
            out.push(leave(j, TIMEOUT, here(index), run));
        } else {
            while let Some(next) = j.stages.get(index + 1) {
                if !next.condition.is_some_and(&mut *holds) {
                    break;
                }
                out.push(Transition {
                    journey: j.id.clone(),
                    stage: next.id.clone(),
                    previous: Some(here(index).to_owned()),
                    run,
                });
                index += 1;
            }
        }
    }
    out
}

fn leave(j: &Journey, how: &str, from: &str, run: u32) -> Transition {
    Transition {
        journey: j.id.clone(),
        stage: how.to_owned(),
        previous: Some(from.to_owned()),
        run,
    }
}

/// Folds a recorded `Journey Stage Entered` event (its properties, at `at`) into `progress`.
/// Idempotent for the same transition, so a transition two tabs both recorded counts once; a
/// transition of an earlier run, or older than the current stage (replayed from another tab),
/// changes nothing. Ids longer than [`MAX_ID_BYTES`] are not journeys of any config (a page
/// script may track anything): ignored.
pub fn apply(progress: &mut Vec<Progress>, props: &Map, at: Millis) {
    let text = |k| {
        props
            .get(k)
            .and_then(Value::as_str)
            .filter(|s| s.len() <= MAX_ID_BYTES)
    };
    let (Some(journey), Some(stage)) = (text("journey"), text("stage")) else {
        return;
    };
    let run = props.get("run").and_then(Value::as_f64);
    let i = match progress.iter().position(|p| p.journey == journey) {
        Some(i) => i,
        None => {
            if progress.len() >= MAX_PROGRESS {
                // The journey left longest ago makes room (never one in progress first).
                // (A plain loop, the first of the least: `min_by_key` is code of its own.)
                let key = |p: &Progress| (p.stage.is_some(), p.left_at);
                let mut victim = 0;
                for (i, p) in progress.iter().enumerate() {
                    if progress.get(victim).is_some_and(|v| key(p) < key(v)) {
                        victim = i;
                    }
                }
                progress.remove(victim);
            }
            progress.push(Progress {
                journey: journey.to_owned(),
                ..Progress::default()
            });
            progress.len() - 1
        }
    };
    let p = &mut progress[i];
    let entering = p.stage.is_none() && !RESERVED.contains(&stage);
    let expected_run = if entering { p.entries + 1 } else { p.entries };
    if run.is_some_and(|r| r != expected_run as f64) || (!entering && at < p.stage_at) {
        return;
    }
    if RESERVED.contains(&stage) {
        if p.stage.is_some() {
            p.stage = None;
            p.left_at = at;
        }
        return;
    }
    if p.stage.as_deref() == Some(stage) {
        return; // the same transition recorded again (another tab)
    }
    if p.stage.is_none() {
        p.entries = p.entries.saturating_add(1);
        p.entered_at = at;
    }
    p.stage = Some(stage.to_owned());
    p.stage_at = at;
}

/// The `journeys` attribute: `{<id>: {stage, enteredAt, stageAt, leftAt, entries}}`.
pub fn attributes(progress: &[Progress]) -> Value {
    let mut m = Map::new();
    for p in progress {
        let num = |n: Millis| Value::Number(n as f64);
        m.insert(
            p.journey.as_str(),
            Value::object(vec![
                ("stage", p.stage.as_deref().map_or(Value::Null, Value::from)),
                ("enteredAt", num(p.entered_at)),
                ("stageAt", num(p.stage_at)),
                ("leftAt", num(p.left_at)),
                ("entries", Value::Number(p.entries as f64)),
            ]),
        );
    }
    Value::Object(m)
}
