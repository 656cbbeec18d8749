//! The site owner's config: wire form (a JSON value) → compiled, validated [`Config`].
//!
//! ```json
//! {
//!   "version": 1,
//!   "collector": { "url": "https://collect.example.com/v1/batch", "writeKey": "..." },
//!   "blocks": { "welcome": { "tag": "section", "children": [{ "tag": "h2", "text": "Hi" }] } },
//!   "rules": [{ "id": "home-hero", "slot": "hero", "if": { "page.path": "/" }, "show": "welcome" }]
//! }
//! ```
//!
//! Compilation never stops at the first problem: every problem becomes a
//! [`Diagnostic`](crate::diag::Diagnostic) with a stable code and a JSON path, and whatever is
//! valid is kept (a broken rule is dropped; the collector still works), so a typo in one rule
//! never stops tracking or the other rules.

mod collector;
#[cfg(feature = "compiler")]
mod consent;
#[cfg(feature = "compiler")]
mod declarative;
#[cfg(feature = "compiler")]
mod identity;
#[cfg(feature = "compiler")]
mod journeys;
#[cfg(feature = "compiler")]
mod overlays;
#[cfg(feature = "compiler")]
mod preview;
#[cfg(feature = "compiler")]
mod privacy;
#[cfg(feature = "compiler")]
mod read;
mod rules;
mod wire;

pub use collector::{Collector, WireFormat};
pub use rules::{Placement, Rule, Trigger};

#[cfg(feature = "compiler")]
use crate::diag::expected;
#[cfg(feature = "compiler")]
use crate::diag::{Diagnostic, Diagnostics, Path};
#[cfg(feature = "compiler")]
use crate::limits::MAX_BLOCKS;
#[cfg(feature = "compiler")]
use crate::render::{compile_block, Node};
use crate::rules::{ConditionId, Conditions};
#[cfg(feature = "compiler")]
use crate::template::Template;
#[cfg(feature = "compiler")]
use crate::value::{Map, Value};

/// The config version this build understands.
pub const CONFIG_VERSION: i64 = 1;

/// A compiled config.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Where events go; `None` keeps events on the device (queued) until a config names one.
    pub collector: Option<Collector>,
    /// The consent section: whether events wait for the shopper's consent
    /// (`consent.required`) and whether GPC / DNT deny analytics
    /// (`consent.honorGlobalPrivacyControl`).
    pub consent: crate::consent::Settings,
    /// The ids of the content blocks, in config order (rules name them by index). The blocks
    /// themselves travel beside the program, as JSON the page's renderer builds (see
    /// [`Compiled::blocks`]): the module only decides which one a slot shows.
    pub blocks: Vec<String>,
    /// Rules in config order; for each slot the first matching rule wins.
    pub rules: Vec<Rule>,
    /// The conditions of the rules and the journeys, compiled together (see [`Conditions`]).
    pub conditions: Conditions,
    /// Journeys, in config order.
    pub journeys: Vec<crate::journeys::Journey>,
    /// The registrable domain on which the anonymous id is also kept in a cookie
    /// (`/identity/cookieDomain`), for stores whose checkout lives on a subdomain.
    pub cookie_domain: Option<String>,
    /// Extra query parameter names whose values are redacted from every URL
    /// (`/privacy/redactParams`, normalized; see [`crate::privacy`]).
    pub redact_params: Vec<String>,
    /// How overlays share the page (`/overlays`).
    pub overlays: Overlays,
    /// The exit-intent detector's settings (`/exitIntent`, see [`crate::exit::settings`]).
    pub exit: crate::exit::ExitSettings,
    /// The texts with placeholders of each block (by block index), in the order their nodes'
    /// `f` index them (see [`crate::template`]).
    pub templates: Vec<Vec<crate::template::Template>>,
    /// The `identify` traits kept for personal text (`/identity/traits`).
    pub traits: Vec<String>,
    /// The key that turns preview and debugging on (`/preview/key`).
    pub preview_key: Option<String>,
    /// The attribute roots the conditions and texts read (the others are never built).
    pub roots: crate::visitor::Roots,
    /// What the page sampler is needed for (rules reading page state, exit rules).
    pub watching: crate::tracker::Watching,
    /// The event names a `data-trailmark-event` click or submit may record
    /// (`/declarative/events`, exact names; empty by default: markup records nothing).
    pub declarative_events: Vec<String>,
    /// The share of visitors who see no personalization (`/holdout`, see
    /// [`crate::experiments`]).
    pub holdout: Option<crate::experiments::Holdout>,
}

/// `/overlays`: how many dialogs a session may show (across tabs), and where none may open.
#[derive(Clone, Debug, PartialEq)]
pub struct Overlays {
    /// Dialogs one session may show, across tabs (default 1).
    pub dialogs_per_session: u32,
    /// Pages (a condition, e.g. the checkout) where no dialog opens.
    pub suppress: Option<ConditionId>,
}

impl Default for Overlays {
    fn default() -> Self {
        Overlays {
            dialogs_per_session: 1,
            suppress: None,
        }
    }
}

#[cfg(feature = "compiler")]
/// The result of [`compile`]: the usable part of the config and everything found wrong.
#[derive(Clone, Debug, Default)]
pub struct Compiled {
    /// What could be compiled.
    pub config: Config,
    /// Errors and warnings, in document order.
    pub diagnostics: Diagnostics,
    /// The content blocks, validated, in the order of [`Config::blocks`].
    pub blocks: Vec<Node>,
}

#[cfg(feature = "compiler")]
const FIELDS: &[&str] = &[
    "$schema",
    "version",
    "collector",
    "consent",
    "savedGroups",
    "blocks",
    "rules",
    "journeys",
    "identity",
    "privacy",
    "overlays",
    "exitIntent",
    "preview",
    "declarative",
    "holdout",
];

/// Compiles a parsed config.
#[cfg(feature = "compiler")]
pub fn compile(raw: &Value) -> Compiled {
    let mut diags = Diagnostics::default();
    let root = Path::root();
    let Some(obj) = raw.as_object() else {
        diags.push(Diagnostic::error(
            "config/wrong-type",
            &root,
            expected("a config object", raw),
        ));
        return Compiled {
            diagnostics: diags,
            ..Compiled::default()
        };
    };
    read::unknown_fields(obj, FIELDS, &root, &mut diags);
    match obj.get("version") {
        None => diags.push(Diagnostic::warning(
            "config/missing-version",
            &root.key("version"),
            "no version given; reading it as version 1",
        )),
        Some(Value::Number(n)) if *n == CONFIG_VERSION as f64 => {}
        Some(_) => diags.push(Diagnostic::error(
            "config/unsupported-version",
            &root.key("version"),
            "this build of Trailmark reads config version 1",
        )),
    }

    let collector = read::object(obj, "collector", &root, &mut diags)
        .and_then(|c| collector::compile(c, &root.key("collector"), &mut diags));
    let consent = read::object(obj, "consent", &root, &mut diags)
        .map(|c| consent::compile(c, &root.key("consent"), &mut diags))
        .unwrap_or_default();
    let empty = Map::new();
    let groups = read::object(obj, "savedGroups", &root, &mut diags).unwrap_or(&empty);
    let (block_ids, compiled_blocks): (Vec<String>, Vec<(Node, Vec<Template>)>) =
        compile_blocks(obj, &root, &mut diags).into_iter().unzip();
    let (block_trees, templates): (Vec<Node>, Vec<Vec<Template>>) =
        compiled_blocks.into_iter().unzip();
    let mut conditions = Conditions::new(groups);
    let mut keys = crate::experiments::Keys::default();
    let rules = match obj.get("rules") {
        None => Vec::new(),
        Some(raw) => rules::compile(
            raw,
            &root.key("rules"),
            &block_ids,
            &templates,
            &mut conditions,
            &mut keys,
            &mut diags,
        ),
    };
    let holdout = obj.get("holdout").and_then(|h| {
        crate::experiments::compile_holdout(h, &root.key("holdout"), &mut keys, &mut diags)
    });
    let identity_section = read::object(obj, "identity", &root, &mut diags);
    let cookie_domain =
        identity_section.and_then(|i| identity::compile(i, &root.key("identity"), &mut diags));
    let traits = identity_section
        .map(|i| identity::compile_traits(i, &root.key("identity"), &mut diags))
        .unwrap_or_default();
    let redact_params = read::object(obj, "privacy", &root, &mut diags)
        .map(|p| privacy::compile(p, &root.key("privacy"), &mut diags))
        .unwrap_or_default();
    let overlays = read::object(obj, "overlays", &root, &mut diags)
        .map(|o| overlays::compile(o, &root.key("overlays"), &mut conditions, &mut diags))
        .unwrap_or_default();
    let preview_key = read::object(obj, "preview", &root, &mut diags)
        .and_then(|p| preview::compile(p, &root.key("preview"), &mut diags));
    let exit = obj
        .get("exitIntent")
        .map(|e| crate::exit::compile(e, &root.key("exitIntent"), &mut diags))
        .unwrap_or_default();
    let declarative_events = read::object(obj, "declarative", &root, &mut diags)
        .map(|d| declarative::compile(d, &root.key("declarative"), &mut diags))
        .unwrap_or_default();
    let journeys = match obj.get("journeys") {
        None => Vec::new(),
        Some(raw) => journeys::compile(raw, &root.key("journeys"), &mut conditions, &mut diags),
    };
    let mut config = Config {
        collector,
        consent,
        blocks: block_ids,
        rules,
        conditions,
        journeys,
        cookie_domain,
        redact_params,
        overlays,
        exit,
        templates,
        traits,
        preview_key,
        declarative_events,
        holdout,
        ..Config::default()
    };
    // Worked out here once, so the module carries no code for it.
    let texts = config.templates.iter().flatten().flat_map(|t| t.paths());
    config.roots = crate::visitor::Roots::of_paths(config.conditions.paths().chain(texts));
    let exit = config
        .rules
        .iter()
        .any(|r| r.trigger == rules::Trigger::Exit);
    config.watching = crate::tracker::Watching::of(config.conditions.paths(), exit);
    Compiled {
        config,
        diagnostics: diags,
        blocks: block_trees,
    }
}

#[cfg(feature = "compiler")]
fn compile_blocks(
    obj: &Map,
    root: &Path,
    diags: &mut Diagnostics,
) -> Vec<(String, (Node, Vec<crate::template::Template>))> {
    let at = root.key("blocks");
    let Some(raw) = read::object(obj, "blocks", root, diags) else {
        return Vec::new();
    };
    if raw.len() > MAX_BLOCKS {
        diags.push(Diagnostic::error(
            "config/too-many",
            &at,
            "a config holds at most 500 blocks",
        ));
        return Vec::new();
    }
    raw.iter()
        .filter_map(|(id, b)| compile_block(b, &at.key(id), diags).map(|n| (id.to_owned(), n)))
        .collect()
}

impl Config {
    /// The id of the block at `index`.
    pub fn block(&self, index: usize) -> Option<&str> {
        self.blocks.get(index).map(String::as_str)
    }
}
