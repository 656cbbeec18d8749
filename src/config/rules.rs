//! Rules: "in slot S (or an overlay placement), when condition C holds, show block B", with
//! caps, a schedule, a priority, an offer and a trigger.

#[cfg(feature = "compiler")]
use super::read;
#[cfg(feature = "compiler")]
use crate::caps::{compile_caps, compile_schedule, DEFAULT_CAPS};
use crate::caps::{Caps, Schedule};
#[cfg(feature = "compiler")]
use crate::diag::expected;
#[cfg(feature = "compiler")]
use crate::diag::{Diagnostic, Diagnostics, Path};
#[cfg(feature = "compiler")]
use crate::limits::MAX_RULES;
use crate::rules::ConditionId;
#[cfg(feature = "compiler")]
use crate::rules::Conditions;
#[cfg(feature = "compiler")]
use crate::value::Value;

/// Where a rule's block goes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Placement {
    /// Into the page's elements `data-trailmark-slot="<slot>"`.
    #[default]
    Slot,
    /// A bar fixed to the top of the viewport.
    BarTop,
    /// A bar fixed to the bottom of the viewport.
    BarBottom,
    /// A card fixed to a lower corner.
    Corner,
    /// A modal dialog (at most one open; by default one per session across tabs).
    Dialog,
}

impl Placement {
    /// The names configs use, by discriminant.
    pub const NAMES: [&'static str; 5] = ["slot", "bar-top", "bar-bottom", "corner", "dialog"];

    /// The name configs and outcome events use.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// What shows a rule's block: the page loading (deciding as it goes), or exit intent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Trigger {
    /// Whenever the rule's condition holds (the default).
    #[default]
    Always,
    /// Only once exit intent was detected on the page (see [`crate::exit`]).
    Exit,
}

/// A compiled rule.
#[derive(Clone, Debug, Default)]
pub struct Rule {
    /// The author's id, unique in the config; reported with every decision.
    pub id: String,
    /// Where the block goes.
    pub placement: Placement,
    /// The slot it fills (`data-trailmark-slot`); empty for the overlay placements.
    pub slot: String,
    /// When it applies, in [`Config::conditions`](super::Config::conditions); `None` means
    /// always.
    pub condition: Option<ConditionId>,
    /// Index into [`Config::blocks`](super::Config::blocks).
    pub block: usize,
    /// Higher first among the rules of a slot or placement (then config order).
    pub priority: i32,
    /// How often it may show (see [`crate::caps`]).
    pub caps: Caps,
    /// When it may show.
    pub schedule: Schedule,
    /// Once this condition holds, the rule never shows again.
    pub until: Option<ConditionId>,
    /// The code an `accept` action copies (public: anyone can read a config).
    pub offer: Option<String>,
    /// What shows it.
    pub trigger: Trigger,
    /// Its variants, when it splits its audience between blocks (see [`crate::experiments`]);
    /// [`block`](Self::block) is then unused.
    pub experiment: Option<crate::experiments::Experiment>,
}

#[cfg(feature = "compiler")]
const FIELDS: &[&str] = &[
    "id",
    "slot",
    "placement",
    "if",
    "show",
    "description",
    "priority",
    "caps",
    "schedule",
    "offer",
    "trigger",
    "variants",
    "experiment",
];

/// Compiles `/rules`, dropping rules with errors (and saying why). Their conditions go into
/// `conditions` (which holds the saved groups), so that deciding every slot is one
/// evaluation pass.
#[cfg(feature = "compiler")]
pub fn compile(
    raw: &Value,
    path: &Path,
    blocks: &[String],
    templates: &[Vec<crate::template::Template>],
    conditions: &mut Conditions,
    keys: &mut crate::experiments::Keys,
    diags: &mut Diagnostics,
) -> Vec<Rule> {
    let Value::Array(items) = raw else {
        diags.push(Diagnostic::error(
            "config/wrong-type",
            path,
            expected("an array of rules", raw),
        ));
        return Vec::new();
    };
    if items.len() > MAX_RULES {
        diags.push(Diagnostic::error(
            "config/too-many",
            path,
            "a config holds at most 1000 rules",
        ));
        return Vec::new();
    }
    let mut rules: Vec<Rule> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = path.index(i);
        if let Some(rule) = compile_rule(item, &at, blocks, templates, conditions, keys, diags) {
            if rules.iter().any(|r| r.id == rule.id) {
                diags.push(Diagnostic::error(
                    "rules/duplicate-id",
                    &at.key("id"),
                    "another rule already uses this id; ids must be unique",
                ));
                continue;
            }
            rules.push(rule);
        }
    }
    rules
}

#[cfg(feature = "compiler")]
fn compile_rule(
    raw: &Value,
    path: &Path,
    blocks: &[String],
    templates: &[Vec<crate::template::Template>],
    conditions: &mut Conditions,
    keys: &mut crate::experiments::Keys,
    diags: &mut Diagnostics,
) -> Option<Rule> {
    let Some(obj) = raw.as_object() else {
        diags.push(Diagnostic::error(
            "config/wrong-type",
            path,
            expected("a rule object", raw),
        ));
        return None;
    };
    let errors_before = diags.errors().count();
    read::unknown_fields(obj, FIELDS, path, diags);
    let id = read::string(obj, "id", path, true, diags);
    let placement = match obj.get("placement") {
        None => Placement::Slot,
        Some(raw) => match Placement::NAMES
            .iter()
            .position(|n| raw.as_str() == Some(n))
        {
            // "slot" may be written out too (it is the default).
            Some(i) => [
                Placement::Slot,
                Placement::BarTop,
                Placement::BarBottom,
                Placement::Corner,
                Placement::Dialog,
            ][i],
            _ => {
                diags.push(Diagnostic::error(
                    "rules/bad-placement",
                    &path.key("placement"),
                    "expected \"slot\" (the default: with a \"slot\" name), \"bar-top\", \"bar-bottom\", \"corner\" or \"dialog\"",
                ));
                Placement::Slot
            }
        },
    };
    // A slot rule names its slot; an overlay rule has none.
    let slot = if placement == Placement::Slot {
        read::string(obj, "slot", path, true, diags)
    } else {
        if obj.get("slot").is_some() {
            diags.push(Diagnostic::error(
                "rules/slot-and-placement",
                &path.key("slot"),
                "a rule goes into a slot or a placement, not both",
            ));
        }
        Some(String::new())
    };
    // A rule with variants names its blocks in them (see crate::experiments).
    let split = obj.contains_key("variants");
    let show = read::string(obj, "show", path, !split, diags);
    let block = show.as_deref().and_then(|name| {
        let found = blocks.iter().position(|id| id == name);
        if found.is_none() {
            let mut msg = String::from("no block named \"");
            msg.push_str(name);
            msg.push_str("\" in /blocks (or that block has errors)");
            diags.push(Diagnostic::error(
                "rules/unknown-block",
                &path.key("show"),
                msg,
            ));
        }
        found
    });
    let experiment = crate::experiments::compile_rule(
        obj,
        path,
        id.as_deref(),
        |name| blocks.iter().position(|b| b == name),
        keys,
        diags,
    );
    // Every variant must be able to show wherever the rule applies (see the code's docs).
    for (i, v) in experiment
        .iter()
        .flat_map(|e| e.variants.iter().enumerate())
    {
        let texts = v.block.and_then(|b| templates.get(b));
        if texts.is_some_and(|ts| ts.iter().any(|t| !t.always_fills())) {
            diags.push(Diagnostic::error(
                crate::experiments::codes::TEXT_MAY_NOT_FILL,
                &path.key("variants").index(i).key("show"),
                "this block has a text whose placeholder has no else: where its value is missing it cannot show while the control would, so give each placeholder an else (`{{ traits.first_name | else: 'there' }}`)",
            ));
        }
    }
    let condition = obj
        .get("if")
        .map(|c| conditions.compile(c, &path.key("if"), diags));
    let priority = read::integer(obj, "priority", path, (-1000, 1000, 0), diags) as i32;
    let caps_path = path.key("caps");
    let caps = obj
        .get("caps")
        .map_or(DEFAULT_CAPS, |c| compile_caps(c, &caps_path, diags));
    let until = obj
        .get("caps")
        .and_then(|c| c.get("until"))
        .map(|c| conditions.compile(c, &caps_path.key("until"), diags));
    let schedule = obj
        .get("schedule")
        .map(|s| compile_schedule(s, &path.key("schedule"), diags))
        .unwrap_or_default();
    let offer = obj.get("offer").and_then(|o| {
        let code = o.get("code").and_then(Value::as_str).filter(|c| !c.is_empty() && c.len() <= 100);
        if code.is_none() || o.as_object().is_some_and(|m| m.len() != 1) {
            diags.push(Diagnostic::error(
                "rules/bad-offer",
                &path.key("offer"),
                "expected {\"code\": \"...\"}: a code of 1 to 100 bytes (it is public: anyone can read a config)",
            ));
        }
        code.map(str::to_owned)
    });
    let trigger = match obj.get("trigger").map(|t| t.as_str()) {
        None | Some(Some("load")) => Trigger::Always,
        Some(Some("exit")) => Trigger::Exit,
        Some(_) => {
            diags.push(Diagnostic::error(
                "rules/bad-trigger",
                &path.key("trigger"),
                "expected \"load\" (the default) or \"exit\" (exit intent)",
            ));
            Trigger::Always
        }
    };
    if diags.errors().count() > errors_before {
        return None;
    }
    Some(Rule {
        id: id?,
        placement,
        slot: slot?,
        condition,
        // Unused with variants (each names its own).
        block: if split { 0 } else { block? },
        priority,
        caps,
        schedule,
        until,
        offer,
        trigger,
        experiment,
    })
}
