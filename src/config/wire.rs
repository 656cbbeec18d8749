//! A compiled [`Config`] in the program format (see [`crate::program`]).
//!
//! Reading checks every cross-reference (rules name existing blocks and conditions, journeys
//! existing conditions), so a program edited by hand or by an attacker can at worst decide
//! differently. Content blocks are not in the program: they travel beside it as JSON, and the
//! page's renderer re-checks them (tags, attributes, URL schemes) as it builds them.

use super::{Collector, Config, Overlays, Placement, Rule, Trigger, WireFormat};
use crate::caps::{Caps, Schedule};
use crate::consent::Settings;
use crate::journeys::{Journey, Reentry, Stage};
use crate::rules::{ConditionId, Conditions};
use crate::time::Millis;
#[cfg(feature = "compiler")]
use crate::wire::Writer;
use crate::wire::{Reader, Wire};

impl Wire for Collector {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.url.put(w);
        (self.format == WireFormat::Array).put(w);
        self.write_key.put(w);
        self.flush_at.put(w);
        self.flush_interval_ms.put(w);
        self.max_batch_bytes.put(w);
        self.gzip.put(w);
        self.headers.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let url = String::get(r);
        let array = bool::get(r);
        let write_key = Option::get(r);
        // The same ranges the compiler accepts: a program cannot ask for what a config could not.
        let flush_at = usize::get(r).clamp(1, 1000);
        let flush_interval_ms = i64::get(r).clamp(0, 600_000);
        let max_batch_bytes = usize::get(r).clamp(1024, 460_800);
        let gzip = bool::get(r);
        Collector {
            url,
            format: if array {
                WireFormat::Array
            } else {
                WireFormat::Segment
            },
            write_key,
            flush_at,
            flush_interval_ms,
            max_batch_bytes,
            gzip,
            headers: Vec::get(r),
        }
    }
}

impl Wire for Settings {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.required.put(w);
        self.honor_gpc.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let required = bool::get(r);
        Settings {
            required,
            honor_gpc: bool::get(r),
        }
    }
}

impl Wire for Rule {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.id.put(w);
        w.tag(self.placement as u8);
        self.slot.put(w);
        self.condition.put(w);
        self.block.put(w);
        i64::from(self.priority).put(w);
        self.caps.put(w);
        self.schedule.put(w);
        self.until.put(w);
        self.offer.put(w);
        w.tag(self.trigger as u8);
        self.experiment.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        const PLACEMENTS: [Placement; 5] = [
            Placement::Slot,
            Placement::BarTop,
            Placement::BarBottom,
            Placement::Corner,
            Placement::Dialog,
        ];
        let id = String::get(r);
        let placement = r.tag() as usize;
        r.check(placement < PLACEMENTS.len());
        let slot = String::get(r);
        let condition = Option::get(r);
        let block = usize::get(r);
        let priority = i64::get(r).clamp(-1000, 1000) as i32;
        let caps = Caps::get(r);
        let schedule = Schedule::get(r);
        let until = Option::get(r);
        let offer = Option::get(r);
        let trigger = r.tag();
        r.check(trigger <= 1);
        Rule {
            id,
            placement: PLACEMENTS[placement % PLACEMENTS.len()],
            slot,
            condition,
            block,
            priority,
            caps,
            schedule,
            until,
            offer,
            trigger: if trigger == 1 {
                Trigger::Exit
            } else {
                Trigger::Always
            },
            experiment: Option::get(r),
        }
    }
}

impl Wire for Journey {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.id.put(w);
        self.entry.put(w);
        w.u(self.stages.len() as u64);
        for stage in &self.stages {
            stage.id.put(w);
            stage.condition.put(w);
        }
        self.goal.put(w);
        self.exit.put(w);
        match self.reentry {
            Reentry::Never => w.tag(0),
            Reentry::Always => w.tag(1),
            Reentry::After(ms) => {
                w.tag(2);
                ms.put(w);
            }
        }
        self.timeout.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let id = String::get(r);
        let entry = ConditionId::get(r);
        let stages: Vec<Stage> = r.seq(|r| {
            let id = String::get(r);
            Stage {
                id,
                condition: Option::get(r),
            }
        });
        r.check(!stages.is_empty());
        let goal = Option::get(r);
        let exit = Option::get(r);
        let reentry = match r.tag() {
            0 => Reentry::Never,
            1 => Reentry::Always,
            t => {
                r.check(t == 2);
                Reentry::After(Millis::get(r))
            }
        };
        Journey {
            id,
            entry,
            stages,
            goal,
            exit,
            reentry,
            timeout: Option::get(r),
        }
    }
}

impl Wire for Config {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.collector.put(w);
        self.consent.put(w);
        self.blocks.put(w);
        self.conditions.put(w);
        self.rules.put(w);
        self.journeys.put(w);
        self.overlays.put(w);
        self.cookie_domain.put(w);
        self.redact_params.put(w);
        self.exit.put(w);
        self.templates.put(w);
        self.traits.put(w);
        u32::from(self.roots.bits()).put(w);
        u32::from(self.watching.bits()).put(w);
        self.preview_key.put(w);
        self.declarative_events.put(w);
        self.holdout.put(w);
    }
    #[inline(never)]
    fn get(r: &mut Reader<'_>) -> Self {
        let collector = Option::get(r);
        let consent = Settings::get(r);
        let blocks: Vec<String> = Vec::get(r);
        let conditions = Conditions::get(r);
        let rules: Vec<Rule> = Vec::get(r);
        let journeys: Vec<Journey> = Vec::get(r);
        let overlays = Overlays::get(r);
        let known = |c: &Option<ConditionId>| c.is_none_or(|c| conditions.has(c));
        r.check(
            rules.iter().all(|rule| {
                rule.experiment
                    .as_ref()
                    .map_or(rule.block < blocks.len(), |e| e.blocks_below(blocks.len()))
                    && known(&rule.condition)
                    && known(&rule.until)
            }) && known(&overlays.suppress)
                && journeys.iter().all(|j| {
                    conditions.has(j.entry)
                        && known(&j.goal)
                        && known(&j.exit)
                        && j.stages.iter().all(|s| known(&s.condition))
                }),
        );
        let cookie_domain = Option::get(r);
        let redact_params = Vec::get(r);
        Config {
            collector,
            consent,
            blocks,
            rules,
            conditions,
            journeys,
            cookie_domain,
            redact_params,
            overlays,
            exit: crate::exit::ExitSettings::get(r),
            templates: Vec::get(r),
            traits: Vec::get(r),
            roots: crate::visitor::Roots::from_bits(u32::get(r) as u8),
            watching: crate::tracker::Watching::from_bits(u32::get(r) as u8),
            preview_key: Option::get(r),
            declarative_events: Vec::get(r),
            holdout: Option::get(r),
        }
    }
}

impl Wire for Overlays {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.dialogs_per_session.put(w);
        self.suppress.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let dialogs_per_session = u32::get(r);
        Overlays {
            dialogs_per_session,
            suppress: Option::get(r),
        }
    }
}
