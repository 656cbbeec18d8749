//! The page: reading where we are, and applying render plans to slots.

use std::cell::RefCell;

use js_sys::{Array, JsString, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element};

use crate::page::RawPage;
use crate::render::Node;
use crate::tracker::{Decision, Page};

/// Attribute that marks a slot.
pub const SLOT_ATTR: &str = "data-trailmark-slot";
/// Attribute set on a rendered slot: which rule filled it (explains every decision in devtools).
pub const RULE_ATTR: &str = "data-trailmark-rule";
/// Attribute set on a rendered slot: which block it shows.
pub const BLOCK_ATTR: &str = "data-trailmark-block";

thread_local! {
    /// Each rendered slot with the child nodes it had before Trailmark filled it, so the
    /// page's default content can come back (personalization denied, no rule matches any more).
    static DEFAULTS: RefCell<Vec<(Element, Array)>> = const { RefCell::new(Vec::new()) };
}

fn document() -> Option<Document> {
    web_sys::window()?.document()
}

/// Most UTF-16 units read of any page field: a fragment can be megabytes long, and only the
/// first [`MAX_URL_BYTES`](crate::privacy::MAX_URL_BYTES) survive cleaning anyway. Cut in
/// JavaScript, so a huge URL is never even copied into the module.
const RAW_FIELD_UNITS: u32 = 16 * 1024;

/// `target[key]` as a string of at most [`RAW_FIELD_UNITS`] units ("" when not a string).
fn bounded(target: &JsValue, key: &str) -> String {
    let Ok(text) = Reflect::get(target, &JsValue::from_str(key))
        .unwrap_or_default()
        .dyn_into::<JsString>()
    else {
        return String::new();
    };
    let text = if text.length() > RAW_FIELD_UNITS {
        text.slice(0, RAW_FIELD_UNITS)
    } else {
        text
    };
    text.into()
}

/// The current page, read from `location` and `document`, cleaned and bounded (see
/// [`crate::privacy`]); `redact` holds the config's extra sensitive parameter names.
pub fn current_page(redact: &[String]) -> Page {
    let (loc, doc) = match web_sys::window() {
        Some(w) => (JsValue::from(w.location()), JsValue::from(w.document())),
        None => (JsValue::UNDEFINED, JsValue::UNDEFINED),
    };
    let (url, path, search) = (
        bounded(&loc, "href"),
        bounded(&loc, "pathname"),
        bounded(&loc, "search"),
    );
    let (title, referrer) = (bounded(&doc, "title"), bounded(&doc, "referrer"));
    Page::read(
        RawPage {
            url: &url,
            path: &path,
            search: &search,
            title: &title,
            referrer: &referrer,
        },
        redact,
    )
}

/// Renders each decision into every element whose slot attribute names its slot. Idempotent:
/// a slot already showing the decided rule's block is left alone (no re-render, no flicker).
/// A rendered slot without a decision any more (personalization denied, the rule stopped
/// matching) gets the page's default content back.
/// Returns how many slots changed.
pub fn apply(decisions: &[Decision<'_>]) -> usize {
    let Some(doc) = document() else {
        return 0;
    };
    let Ok(slots) = doc.query_selector_all("[data-trailmark-slot]") else {
        return 0;
    };
    // Slots the page removed (a single-page app swapping views) are forgotten.
    DEFAULTS.with(|d| d.borrow_mut().retain(|(el, _)| el.is_connected()));
    let mut changed = 0;
    for i in 0..slots.length() {
        let Some(el) = slots.item(i).and_then(|n| n.dyn_into::<Element>().ok()) else {
            continue;
        };
        let name = el.get_attribute(SLOT_ATTR).unwrap_or_default();
        let Some(d) = decisions.iter().find(|d| d.slot == name) else {
            if el.has_attribute(RULE_ATTR) && restore_default(&el) {
                changed += 1;
            }
            continue;
        };
        if el.get_attribute(RULE_ATTR).as_deref() == Some(d.rule)
            && el.get_attribute(BLOCK_ATTR).as_deref() == Some(d.block_id)
        {
            continue;
        }
        // Build the whole tree first: if anything fails, the default content stays untouched.
        let Some(built) = build(&doc, d.block) else {
            continue;
        };
        if !el.has_attribute(RULE_ATTR) {
            let originals = Array::from(&el.child_nodes());
            DEFAULTS.with(|d| d.borrow_mut().push((el.clone(), originals)));
        }
        el.replace_children_with_node_1(&built);
        let _ = el.set_attribute(RULE_ATTR, d.rule);
        let _ = el.set_attribute(BLOCK_ATTR, d.block_id);
        changed += 1;
    }
    changed
}

/// Puts back the children `el` had before it was first rendered; false when they are unknown
/// (the slot was filled by another copy of the module).
fn restore_default(el: &Element) -> bool {
    let saved = DEFAULTS.with(|d| {
        let mut d = d.borrow_mut();
        let at = d.iter().position(|(e, _)| e.is_same_node(Some(el)))?;
        Some(d.swap_remove(at).1)
    });
    let Some(originals) = saved else {
        return false;
    };
    el.replace_children_with_node(&originals);
    let _ = el.remove_attribute(RULE_ATTR);
    let _ = el.remove_attribute(BLOCK_ATTR);
    true
}

/// Builds a detached element tree from an allowlisted node (no HTML parsing anywhere).
pub fn build(doc: &Document, node: &Node) -> Option<Element> {
    let el = doc.create_element(node.tag).ok()?;
    for (name, value) in &node.attrs {
        el.set_attribute(name, value).ok()?;
    }
    if node.tag == "a"
        && node
            .attrs
            .iter()
            .any(|(n, v)| *n == "target" && v == "_blank")
    {
        // A new tab must not get a handle on this page.
        el.set_attribute("rel", "noopener noreferrer").ok()?;
    }
    if let Some(text) = &node.text {
        el.set_text_content(Some(text));
    }
    for child in &node.children {
        el.append_child(build(doc, child)?.as_ref()).ok()?;
    }
    Some(el)
}
