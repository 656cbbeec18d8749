//! History predicates: conditions on what the visitor did, answered from their
//! [`History`](crate::history::History) on the device.
//!
//! ```json
//! {"$event": {"name": "Product Viewed", "where": {"category": "Coffee"}, "in": "session", "count": {"$gte": 3}}}
//! {"$event": {"name": "Product Added", "in": "7d", "sum": "price", "value": {"$gte": 5000}}}
//! {"$event": {"name": "Order Completed", "in": "all", "since": {"$gte": "30d"}}}
//! {"$sequence": {"steps": ["Product Viewed", {"name": "Product Added", "where": {"price": {"$gt": 1000}}}], "in": "session"}}
//! {"$absent": {"name": "Checkout Started", "after": "Product Added", "for": "30m"}}
//! ```
//!
//! * `$event`: the entries named `name`, passing `where` (an ordinary condition on the entry's
//!   top-level properties), within the window `in`; then one measure: `count` (default: at
//!   least one), `sum` / `max` / `last` of a numeric property with `value` (no such entry: the
//!   aggregate is missing, read as `null` as GrowthBook reads a missing attribute), `since` /
//!   `sinceFirst` (milliseconds since the last / first entry; none: false). A measure is a
//!   GrowthBook condition value on a number: `{"$gte": 3}`, `0`, `{"$in": [1, 2]}`. For
//!   `since` / `sinceFirst`, a plain value and the operands of `$eq $ne $lt $lte $gt $gte` may
//!   be durations (`"90s"`, `"30m"`, `"2h"`, `"7d"`).
//! * `$sequence`: the `steps` (2 to 8) happened in that order, not necessarily adjacent,
//!   within the window; `within` bounds the time from the first step to the last (inclusive).
//! * `$absent`: the last `after` entry in the window is at least `for` old (default 0) and no
//!   `name` entry (passing `where`) came after it.
//!
//! Windows (`in`, default `"all"`): `"page"` (this tab's entries since the page view started,
//! inclusive), `"session"` (entries of the current session), `"all"`, or a duration `d`
//! (entries with `at > now - d`: an entry exactly `d` old is out).
//!
//! `$event` with `"in": "all"`, no `where` and `count`, `since`, `sinceFirst` or `sum` (or no
//! measure) reads the all-time totals, exact forever; everything else reads the log, which
//! keeps 30 days / 500 events: over a longer window that is reported as `history/inexact`.

use super::eval::Within;
use super::tree::{Node, Test};
use crate::history::{Entry, Scope, MAX_SUMS};
use crate::time::Millis;
use crate::value::Value;

/// Most steps of a `$sequence`.
const MAX_STEPS: usize = 8;

/// Which predicate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Event,
    Sequence,
    Absent,
}

/// Which entries a predicate reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Window {
    /// Every entry.
    All,
    /// Entries of the current session.
    Session,
    /// This tab's entries since the current page view started.
    Page,
    /// Entries less than this many milliseconds old.
    Last(Millis),
}

/// What `$event` measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Of {
    /// At least one entry (no measure given).
    Any,
    Count,
    Sum,
    Max,
    Last,
    /// Milliseconds since the last entry.
    Since,
    /// Milliseconds since the first entry.
    SinceFirst,
}

/// An event name, and optionally a condition on the entry's properties.
#[derive(Clone, Debug)]
pub(super) struct Step {
    name: String,
    filter: Option<Node>,
}

/// A compiled history predicate. One shape for the three kinds keeps the module small.
#[derive(Clone, Debug)]
pub(super) struct Predicate {
    kind: Kind,
    /// `$event`: the event; `$sequence`: the steps; `$absent`: `after`, then the absent event.
    steps: Vec<Step>,
    window: Window,
    /// `$event`'s measure, the property `sum` / `max` / `last` read, and the test.
    of: Of,
    prop: String,
    test: Test,
    /// `$sequence`: `within` (`Millis::MAX` without one); `$absent`: `for`.
    span: Millis,
}

#[cfg(feature = "compiler")]
impl Predicate {
    /// The predicate as `explain()` names it: `$event Product Viewed`, `$sequence A, B`,
    /// `$absent B`.
    pub(in crate::rules) fn describe(&self) -> String {
        let mut out = String::from(match self.kind {
            Kind::Event => "$event ",
            Kind::Sequence => "$sequence ",
            Kind::Absent => "$absent ",
        });
        let names: Vec<&str> = self.steps.iter().map(|s| s.name.as_str()).collect();
        out.push_str(&names.join(", "));
        out
    }
}

#[cfg(feature = "compiler")]
mod compile;
#[cfg(feature = "compiler")]
pub(super) use self::compile::compile;

// ---------------------------------------------------------------------------------------------
// Evaluation

impl Window {
    fn holds(self, e: &Entry, scope: &Scope) -> bool {
        match self {
            Window::All => true,
            Window::Session => e.session == scope.session,
            Window::Page => e.tab == scope.tab && e.at >= scope.page_start,
            Window::Last(d) => e.at > scope.now.saturating_sub(d),
        }
    }
}

impl Step {
    fn matches(&self, e: &Entry) -> bool {
        e.name == self.name
            && self
                .filter
                .as_ref()
                .is_none_or(|f| f.eval_within(Within::Props(&e.props)))
    }
}

impl crate::wire::Wire for Step {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut crate::wire::Writer) {
        self.name.put(w);
        self.filter.put(w);
    }
    #[inline(never)]
    fn get(r: &mut crate::wire::Reader<'_>) -> Self {
        let name = String::get(r);
        Step {
            name,
            filter: Option::get(r),
        }
    }
}

impl crate::wire::Wire for Predicate {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut crate::wire::Writer) {
        w.tag(self.kind as u8);
        self.steps.put(w);
        match self.window {
            Window::All => w.tag(0),
            Window::Session => w.tag(1),
            Window::Page => w.tag(2),
            Window::Last(ms) => {
                w.tag(3);
                ms.put(w);
            }
        }
        w.tag(self.of as u8);
        self.prop.put(w);
        self.test.put(w);
        self.span.put(w);
    }
    #[inline(never)]
    fn get(r: &mut crate::wire::Reader<'_>) -> Self {
        const KINDS: [Kind; 3] = [Kind::Event, Kind::Sequence, Kind::Absent];
        const OFS: [Of; 7] = [
            Of::Any,
            Of::Count,
            Of::Sum,
            Of::Max,
            Of::Last,
            Of::Since,
            Of::SinceFirst,
        ];
        let kind = r.tag() as usize;
        r.check(kind < KINDS.len());
        let steps: Vec<Step> = Vec::get(r);
        // Evaluation reads the steps it needs by position: a predicate without any is none.
        r.check(!steps.is_empty());
        let window = match r.tag() {
            0 => Window::All,
            1 => Window::Session,
            2 => Window::Page,
            t => {
                r.check(t == 3);
                Window::Last(Millis::get(r))
            }
        };
        let of = r.tag() as usize;
        r.check(of < OFS.len());
        let prop = String::get(r);
        let test = Test::get(r);
        Predicate {
            kind: KINDS[kind % KINDS.len()],
            steps,
            window,
            of: OFS[of % OFS.len()],
            prop,
            test,
            span: Millis::get(r),
        }
    }
}

impl Predicate {
    /// Whether the answer comes from the all-time totals.
    fn exact(&self) -> bool {
        self.kind == Kind::Event
            && self.window == Window::All
            && self.steps.first().is_some_and(|s| s.filter.is_none())
            && !matches!(self.of, Of::Max | Of::Last)
    }

    /// Whether the visitor's history in `scope` satisfies the predicate.
    pub(super) fn eval(&self, scope: &Scope) -> bool {
        let log = scope.history.log();
        let (Some(first), Some(last)) = (self.steps.first(), self.steps.last()) else {
            return false;
        };
        match self.kind {
            Kind::Event => {
                if self.exact() {
                    if let Some(answer) = self.by_totals(&first.name, scope) {
                        return answer;
                    }
                }
                self.by_log(first, scope)
            }
            Kind::Sequence => self.sequence(scope),
            Kind::Absent => {
                // `first` is `after`, `last` the event that must not follow it.
                let found = log
                    .iter()
                    .rposition(|e| self.window.holds(e, scope) && first.matches(e));
                let Some(i) = found else {
                    return false;
                };
                let at = log.get(i).map_or(0, |e| e.at);
                scope.now.saturating_sub(at) >= self.span
                    && !log
                        .get(i + 1..)
                        .unwrap_or_default()
                        .iter()
                        .any(|e| self.window.holds(e, scope) && last.matches(e))
            }
        }
    }

    /// `$event` from the totals; `None` when they cannot answer (a property sum past the cap).
    fn by_totals(&self, name: &str, scope: &Scope) -> Option<bool> {
        let total = scope.history.total(name);
        let mut agg = None;
        if let (Of::Sum, Some(t)) = (self.of, total) {
            match t.sums.iter().find(|(k, _)| *k == self.prop) {
                Some((_, sum)) => agg = Some(*sum),
                None if t.sums.len() >= MAX_SUMS => return None,
                None => {}
            }
        }
        let (count, first, last) =
            total.map_or((0, None, None), |t| (t.count, Some(t.first), Some(t.last)));
        Some(self.measured(count, first, last, agg, scope.now))
    }

    /// `$event` from the log.
    fn by_log(&self, step: &Step, scope: &Scope) -> bool {
        let aggregate = matches!(self.of, Of::Sum | Of::Max | Of::Last);
        let (mut count, mut first, mut last, mut agg) = (0, None, None, None);
        for e in scope.history.log() {
            if !self.window.holds(e, scope) || !step.matches(e) {
                continue;
            }
            count += 1;
            first = first.or(Some(e.at));
            last = Some(e.at);
            if let (true, Some(Value::Number(n))) = (aggregate, e.props.get(&self.prop)) {
                agg = Some(match (self.of, agg) {
                    (Of::Sum, Some(sum)) => sum + n,
                    (Of::Max, Some(max)) => f64::max(max, *n),
                    _ => *n,
                });
            }
        }
        self.measured(count, first, last, agg, scope.now)
    }

    /// Applies the measure to what was found.
    fn measured(
        &self,
        count: u64,
        first: Option<Millis>,
        last: Option<Millis>,
        agg: Option<f64>,
        now: Millis,
    ) -> bool {
        let value = match self.of {
            Of::Any => return count > 0,
            Of::Count => Value::Number(count as f64),
            Of::Since | Of::SinceFirst => {
                let at = if self.of == Of::Since { last } else { first };
                let Some(at) = at else {
                    return false;
                };
                Value::Number(now.saturating_sub(at) as f64)
            }
            Of::Sum | Of::Max | Of::Last => agg.map_or(Value::Null, Value::Number),
        };
        self.test.eval(&value)
    }

    /// Whether the steps happened in order within the window (and at most `span` from the
    /// first step to the last). One pass: `start[j]` is the latest time a chain through step
    /// `j` could have started, so the shortest chain ending at each entry is known.
    fn sequence(&self, scope: &Scope) -> bool {
        let mut start: [Option<Millis>; MAX_STEPS] = [None; MAX_STEPS];
        let last = self.steps.len().saturating_sub(1);
        for e in scope.history.log() {
            if !self.window.holds(e, scope) {
                continue;
            }
            // Backwards, so one entry never serves two steps.
            for (j, step) in self.steps.iter().enumerate().rev() {
                if !step.matches(e) {
                    continue;
                }
                let from = match j {
                    0 => Some(e.at),
                    _ => start.get(j - 1).copied().flatten(),
                };
                let Some(from) = from else { continue };
                if j == last {
                    if e.at.saturating_sub(from) <= self.span {
                        return true;
                    }
                } else if let Some(slot) = start.get_mut(j) {
                    *slot = (*slot).max(Some(from));
                }
            }
        }
        false
    }
}
