//! Rules: "in slot S, when condition C holds, show block B".

#[cfg(feature = "compiler")]
use super::read;
#[cfg(feature = "compiler")]
use crate::diag::{Diagnostic, Diagnostics, Path};
#[cfg(feature = "compiler")]
use crate::limits::MAX_RULES;
#[cfg(feature = "compiler")]
use crate::render::{expected, Node};
use crate::rules::ConditionId;
#[cfg(feature = "compiler")]
use crate::rules::Conditions;
#[cfg(feature = "compiler")]
use crate::value::Value;

/// A compiled rule.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The author's id, unique in the config; reported with every decision.
    pub id: String,
    /// The slot it fills (`data-trailmark-slot`).
    pub slot: String,
    /// When it applies, in [`Config::conditions`](super::Config::conditions); `None` means
    /// always.
    pub condition: Option<ConditionId>,
    /// Index into [`Config::blocks`](super::Config::blocks).
    pub block: usize,
}

#[cfg(feature = "compiler")]
const FIELDS: &[&str] = &["id", "slot", "if", "show", "description"];

/// Compiles `/rules`, dropping rules with errors (and saying why). Their conditions go into
/// `conditions` (which holds the saved groups), so that deciding every slot is one
/// evaluation pass.
#[cfg(feature = "compiler")]
pub fn compile(
    raw: &Value,
    path: &Path,
    blocks: &[(String, Node)],
    conditions: &mut Conditions,
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
        if let Some(rule) = compile_rule(item, &at, blocks, conditions, diags) {
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
    blocks: &[(String, Node)],
    conditions: &mut Conditions,
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
    let slot = read::string(obj, "slot", path, true, diags);
    let show = read::string(obj, "show", path, true, diags);
    let block = show.as_deref().and_then(|name| {
        let found = blocks.iter().position(|(id, _)| id == name);
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
    let condition = obj
        .get("if")
        .map(|c| conditions.compile(c, &path.key("if"), diags));
    if diags.errors().count() > errors_before {
        return None;
    }
    Some(Rule {
        id: id?,
        slot: slot?,
        condition,
        block: block?,
    })
}
