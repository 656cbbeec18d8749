//! Compiling a rule's `variants` and `experiment`, and the `/holdout` section.
//!
//! Like the rest of the config compiler it never stops at the first problem: every problem is a
//! diagnostic with a code from [`super::codes`] and the exact path, and an experiment with an
//! error is not returned (the caller drops the rule).

use super::codes;
use super::experiment::{
    Experiment, HashAttribute, Namespace, Variant, MAX_ID_BYTES, MAX_VARIANTS,
};
use super::holdout::{Holdout, HOLDOUT, PERSONALIZED};
use crate::diag::expected;
use crate::diag::{Diagnostic, Diagnostics, Path};
use crate::rules::bucket::{get_bucket_ranges, get_equal_weights};
use crate::value::{Map, Value};

/// The fields experiments add to a rule (the rule compiler accepts them besides its own).
pub const RULE_FIELDS: &[&str] = &["variants", "experiment"];

const VARIANT_FIELDS: &[&str] = &["id", "name", "show", "weight", "description"];
const EXPERIMENT_FIELDS: &[&str] = &[
    "key",
    "name",
    "seed",
    "hashVersion",
    "coverage",
    "namespace",
    "hashAttribute",
    "fallbackAttribute",
    "description",
];
const HOLDOUT_FIELDS: &[&str] = &[
    "share",
    "key",
    "name",
    "seed",
    "hashVersion",
    "hashAttribute",
    "fallbackAttribute",
    "description",
];

/// The experiments compiled so far in one config, to catch one key used for two different
/// experiments ([`codes::CONFLICTING_KEY`]). One per config compilation, shared by the rules
/// and the holdout.
#[derive(Debug, Default)]
pub struct Keys(Vec<Experiment>);

impl Keys {
    /// Records `e`; false (with an error at `at`) when its key names another experiment.
    fn admit(&mut self, e: &Experiment, at: &Path, diags: &mut Diagnostics) -> bool {
        let same = |o: &Experiment| {
            o.seed == e.seed
                && o.hash_version == e.hash_version
                && o.hash_attribute == e.hash_attribute
                && o.namespace == e.namespace
                && o.variants.len() == e.variants.len()
                && o.variants
                    .iter()
                    .zip(&e.variants)
                    .all(|(a, b)| a.id == b.id && a.range == b.range)
        };
        match self.0.iter().find(|o| o.key == e.key) {
            Some(o) if same(o) => true,
            Some(_) => {
                let mut msg = String::from("experiment key \"");
                msg.push_str(&e.key);
                msg.push_str(
                    "\" is already used with other settings (seed, hashVersion, hashAttribute, \
                     namespace, coverage, weights or variant ids): give this one its own key",
                );
                diags.push(Diagnostic::error(codes::CONFLICTING_KEY, at, msg));
                false
            }
            None => {
                self.0.push(e.clone());
                true
            }
        }
    }
}

/// Compiles the experiment of rule `rule` (the rule object at `path`, whose id is `rule_id`):
/// `None` without a diagnostic when the rule has no `variants` (a plain rule), `None` with
/// errors when they are invalid. `block` resolves a variant's `show` to a block index (`None`
/// reports `rules/unknown-block`).
pub fn compile_rule(
    rule: &Map,
    path: &Path,
    rule_id: Option<&str>,
    block: impl Fn(&str) -> Option<usize>,
    keys: &mut Keys,
    diags: &mut Diagnostics,
) -> Option<Experiment> {
    let errors_before = diags.errors().count();
    let Some(raw_variants) = rule.get("variants") else {
        if rule.contains_key("experiment") {
            diags.push(Diagnostic::error(
                codes::NO_VARIANTS,
                &path.key("experiment"),
                "an experiment needs \"variants\" on its rule",
            ));
        }
        return None;
    };
    if rule.contains_key("show") {
        diags.push(Diagnostic::error(
            codes::SHOW_AND_VARIANTS,
            &path.key("show"),
            "a rule shows either one block (\"show\") or variants (each with its \"show\"), \
             not both",
        ));
    }
    let (variants, weights) = compile_variants(raw_variants, &path.key("variants"), &block, diags);
    let section_path = path.key("experiment");
    let empty = Map::new();
    let section = match rule.get("experiment") {
        None => &empty,
        Some(Value::Object(m)) => m,
        Some(other) => {
            diags.push(Diagnostic::error(
                "config/wrong-type",
                &section_path,
                expected("an experiment object", other),
            ));
            &empty
        }
    };
    unknown_fields(section, EXPERIMENT_FIELDS, &section_path, diags);
    let settings = settings(section, &section_path, diags);
    let coverage = coverage(section, &section_path, diags);
    let namespace = namespace(section, &section_path, diags);
    let key_path = if section.contains_key("key") {
        section_path.key("key")
    } else {
        path.key("id")
    };
    let key = settings
        .key
        .clone()
        .or_else(|| rule_id.map(str::to_owned))?;
    if key.len() > MAX_ID_BYTES {
        too_long(&key_path, diags);
    }
    if diags.errors().count() > errors_before {
        return None;
    }
    let ranges = get_bucket_ranges(variants.len() as i32, coverage, Some(&weights));
    let experiment = settings.into_experiment(key, namespace, ranges, variants);
    keys.admit(&experiment, &key_path, diags)
        .then_some(experiment)
}

/// Compiles `/holdout`: `{"share": 0.05}` plus optional `key` (default `"holdout"`), `name`,
/// `seed`, `hashVersion`, `hashAttribute`, `fallbackAttribute`.
pub fn compile_holdout(
    raw: &Value,
    path: &Path,
    keys: &mut Keys,
    diags: &mut Diagnostics,
) -> Option<Holdout> {
    let Some(obj) = raw.as_object() else {
        diags.push(Diagnostic::error(
            "config/wrong-type",
            path,
            expected("a holdout object", raw),
        ));
        return None;
    };
    let errors_before = diags.errors().count();
    unknown_fields(obj, HOLDOUT_FIELDS, path, diags);
    let share = match obj.get("share") {
        Some(Value::Number(s)) if (0.0..=1.0).contains(s) => Some(*s),
        None => {
            missing("share", path, diags);
            None
        }
        Some(_) => {
            diags.push(Diagnostic::error(
                codes::BAD_SHARE,
                &path.key("share"),
                "expected the share of visitors held out, a number from 0 to 1 (0.05 is 5 %)",
            ));
            None
        }
    };
    let settings = settings(obj, path, diags);
    let key_path = if obj.contains_key("key") {
        path.key("key")
    } else {
        path.clone()
    };
    let share = share?;
    if diags.errors().count() > errors_before {
        return None;
    }
    let group = |id: &str| Variant {
        id: id.to_owned(),
        name: id.to_owned(),
        block: None,
        range: (0.0, 0.0),
    };
    let ranges = get_bucket_ranges(2, 1.0, Some(&[share, 1.0 - share]));
    let key = settings.key.clone().unwrap_or_else(|| HOLDOUT.to_owned());
    let experiment =
        settings.into_experiment(key, None, ranges, vec![group(HOLDOUT), group(PERSONALIZED)]);
    keys.admit(&experiment, &key_path, diags)
        .then_some(Holdout { experiment })
}

/// The variants, and the weight of each (the rest of 1 shared by those without one).
fn compile_variants(
    raw: &Value,
    path: &Path,
    block: &impl Fn(&str) -> Option<usize>,
    diags: &mut Diagnostics,
) -> (Vec<Variant>, Vec<f64>) {
    let Value::Array(items) = raw else {
        diags.push(Diagnostic::error(
            "config/wrong-type",
            path,
            expected("an array of variants", raw),
        ));
        return (Vec::new(), Vec::new());
    };
    if items.len() < 2 {
        diags.push(Diagnostic::error(
            codes::TOO_FEW_VARIANTS,
            path,
            "an experiment needs at least two variants (one may be the control: no \"show\")",
        ));
    }
    if items.len() > MAX_VARIANTS {
        diags.push(Diagnostic::error(
            codes::TOO_MANY_VARIANTS,
            path,
            "an experiment has at most 20 variants",
        ));
        return (Vec::new(), Vec::new());
    }
    let mut variants = Vec::new();
    let mut weights: Vec<Option<f64>> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = path.index(i);
        let Some(obj) = item.as_object() else {
            diags.push(Diagnostic::error(
                "config/wrong-type",
                &at,
                expected("a variant object", item),
            ));
            continue;
        };
        unknown_fields(obj, VARIANT_FIELDS, &at, diags);
        let id = id_string(obj, "id", &at, true, diags);
        if let Some(id) = &id {
            if variants.iter().any(|v: &Variant| v.id == *id) {
                diags.push(Diagnostic::error(
                    codes::DUPLICATE_VARIANT,
                    &at.key("id"),
                    "another variant of this rule already uses this id",
                ));
            }
        }
        let name = id_string(obj, "name", &at, false, diags);
        let shown = id_string(obj, "show", &at, false, diags).and_then(|name| {
            let found = block(&name);
            if found.is_none() {
                let mut msg = String::from("no block named \"");
                msg.push_str(&name);
                msg.push_str("\" in /blocks (or that block has errors)");
                diags.push(Diagnostic::error(
                    "rules/unknown-block",
                    &at.key("show"),
                    msg,
                ));
            }
            found
        });
        weights.push(match obj.get("weight") {
            None => None,
            Some(Value::Number(w)) if (0.0..=1.0).contains(w) => Some(*w),
            Some(_) => {
                diags.push(Diagnostic::error(
                    codes::BAD_WEIGHT,
                    &at.key("weight"),
                    "expected a weight from 0 to 1 (the share of the experiment's visitors)",
                ));
                None
            }
        });
        if let Some(id) = id {
            variants.push(Variant {
                name: name.unwrap_or_else(|| id.clone()),
                id,
                block: shown,
                range: (0.0, 0.0),
            });
        }
    }
    let weights = resolve_weights(&weights, path, diags);
    (variants, weights)
}

/// Weights for every variant: equal when none is given; as given when all are (adding up to 1
/// within GrowthBook's tolerance); otherwise the rest of 1 shared equally by the others.
fn resolve_weights(given: &[Option<f64>], path: &Path, diags: &mut Diagnostics) -> Vec<f64> {
    let n = given.len();
    let missing = given.iter().filter(|w| w.is_none()).count();
    // Summed as GrowthBook's `reduce` sums.
    let total = given.iter().flatten().fold(0.0, |acc, w| acc + w);
    if missing == n {
        return get_equal_weights(n as i32);
    }
    let ok = if missing == 0 {
        (0.99..=1.01).contains(&total)
    } else {
        total <= 1.0
    };
    if !ok {
        diags.push(Diagnostic::error(
            codes::WEIGHTS_SUM,
            path,
            if missing == 0 {
                "the variants' weights must add up to 1 (from 0.99 to 1.01)"
            } else {
                "the given weights add up to more than 1, leaving nothing for the variants \
                 without one"
            },
        ));
    }
    let rest = (1.0 - total).max(0.0) / missing.max(1) as f64;
    given.iter().map(|w| w.unwrap_or(rest)).collect()
}

/// What experiments and the holdout share: key, name, seed, hash version and attribute.
struct Settings {
    key: Option<String>,
    name: Option<String>,
    seed: Option<String>,
    hash_version: u32,
    hash_attribute: HashAttribute,
}

impl Settings {
    fn into_experiment(
        self,
        key: String,
        namespace: Option<Namespace>,
        ranges: Vec<(f64, f64)>,
        mut variants: Vec<Variant>,
    ) -> Experiment {
        for (v, range) in variants.iter_mut().zip(ranges) {
            v.range = range;
        }
        Experiment {
            name: self.name.unwrap_or_else(|| key.clone()),
            // GrowthBook: `seed || key`.
            seed: self.seed.unwrap_or_else(|| key.clone()),
            key,
            hash_version: self.hash_version,
            hash_attribute: self.hash_attribute,
            namespace,
            variants,
        }
    }
}

fn settings(obj: &Map, path: &Path, diags: &mut Diagnostics) -> Settings {
    let key = id_string(obj, "key", path, false, diags);
    let name = id_string(obj, "name", path, false, diags);
    let seed = id_string(obj, "seed", path, false, diags);
    let hash_version = match obj.get("hashVersion") {
        None => 2,
        Some(Value::Number(v)) if *v == 1.0 || *v == 2.0 => *v as u32,
        Some(_) => {
            diags.push(Diagnostic::error(
                codes::BAD_HASH_VERSION,
                &path.key("hashVersion"),
                "expected 1 or 2 (GrowthBook's hash versions; 2 is unbiased and the default)",
            ));
            2
        }
    };
    let attribute = obj.get("hashAttribute");
    let user = match attribute {
        None => false,
        Some(Value::String(s)) if s == "id" || s == "userId" => s == "userId",
        Some(_) => {
            diags.push(Diagnostic::error(
                codes::BAD_HASH_ATTRIBUTE,
                &path.key("hashAttribute"),
                "expected \"id\" (the anonymous id, the default) or \"userId\" (the id given \
                 to identify)",
            ));
            false
        }
    };
    let fallback = match obj.get("fallbackAttribute") {
        None => false,
        Some(Value::String(s)) if s == "id" && user => true,
        Some(_) => {
            diags.push(Diagnostic::error(
                codes::BAD_HASH_ATTRIBUTE,
                &path.key("fallbackAttribute"),
                "only \"id\" is accepted, and only with \"hashAttribute\": \"userId\" (the \
                 anonymous id until the user id is known)",
            ));
            false
        }
    };
    Settings {
        key,
        name,
        seed,
        hash_version,
        hash_attribute: match (user, fallback) {
            (false, _) => HashAttribute::Id,
            (true, false) => HashAttribute::UserId,
            (true, true) => HashAttribute::UserIdElseId,
        },
    }
}

fn coverage(obj: &Map, path: &Path, diags: &mut Diagnostics) -> f64 {
    match obj.get("coverage") {
        None => 1.0,
        Some(Value::Number(c)) if (0.0..=1.0).contains(c) => *c,
        Some(_) => {
            diags.push(Diagnostic::error(
                codes::BAD_COVERAGE,
                &path.key("coverage"),
                "expected the share of matching visitors in the experiment, a number from 0 to 1",
            ));
            1.0
        }
    }
}

fn namespace(obj: &Map, path: &Path, diags: &mut Diagnostics) -> Option<Namespace> {
    let raw = obj.get("namespace")?;
    let at = path.key("namespace");
    let parts = raw.as_array().filter(|a| a.len() == 3);
    let id = parts.and_then(|a| a[0].as_str()).filter(|s| !s.is_empty());
    let start = parts.and_then(|a| a[1].as_f64());
    let end = parts.and_then(|a| a[2].as_f64());
    match (id, start, end) {
        (Some(id), Some(start), Some(end)) if 0.0 <= start && start < end && end <= 1.0 => {
            if id.len() > MAX_ID_BYTES {
                too_long(&at.index(0), diags);
                return None;
            }
            Some(Namespace {
                id: id.to_owned(),
                start,
                end,
            })
        }
        _ => {
            diags.push(Diagnostic::error(
                codes::BAD_NAMESPACE,
                &at,
                "expected [\"namespace id\", start, end] with 0 <= start < end <= 1",
            ));
            None
        }
    }
}

/// Reads `obj[key]` as a non-empty string of at most [`MAX_ID_BYTES`].
fn id_string(
    obj: &Map,
    key: &str,
    path: &Path,
    required: bool,
    diags: &mut Diagnostics,
) -> Option<String> {
    let at = path.key(key);
    match obj.get(key) {
        Some(Value::String(s)) if s.is_empty() => {
            diags.push(Diagnostic::error("config/empty", &at, "must not be empty"));
            None
        }
        Some(Value::String(s)) if s.len() > MAX_ID_BYTES => {
            too_long(&at, diags);
            None
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(other) => {
            diags.push(Diagnostic::error(
                "config/wrong-type",
                &at,
                expected("a string", other),
            ));
            None
        }
        None => {
            if required {
                missing(key, path, diags);
            }
            None
        }
    }
}

fn too_long(at: &Path, diags: &mut Diagnostics) {
    diags.push(Diagnostic::error(
        codes::TOO_LONG,
        at,
        "at most 200 bytes (keys and variant ids are stored on the device)",
    ));
}

fn missing(key: &str, path: &Path, diags: &mut Diagnostics) {
    let mut msg = String::from("required field \"");
    msg.push_str(key);
    msg.push_str("\" is missing");
    diags.push(Diagnostic::error("config/missing", &path.key(key), msg));
}

/// Warns about fields not in `known`, as the rest of the config compiler does.
fn unknown_fields(obj: &Map, known: &[&str], path: &Path, diags: &mut Diagnostics) {
    for (key, _) in obj.iter() {
        if !known.contains(&key) {
            let mut msg = String::from("unknown field is ignored; known fields: ");
            crate::text::push_list(&mut msg, known);
            diags.push(Diagnostic::warning(
                "config/unknown-field",
                &path.key(key),
                msg,
            ));
        }
    }
}
