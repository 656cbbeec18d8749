//! Browser tests for rendering through the real path: `Trailmark::new(env)`, `configure(program)`
//! with a config compiled as `trailmark build` compiles it, and the slots of a live document.
//!
//! Rendering is where a config touches the shopper's page, so it is checked against the real
//! DOM: the exact elements, text and attributes built, `rel="noopener noreferrer"` on links that
//! open a new tab, text that looks like HTML staying text, slots without a rule keeping their
//! default content, idempotent re-renders (same nodes, no flicker), and unsafe configs rejected
//! with the right diagnostic while the slot keeps its default content.
//!
//! Each test builds its slots inside a fresh container appended to `document.body` and removes
//! it at the end (and any leftover at the start).
#![cfg(all(target_arch = "wasm32", not(feature = "tools")))]

#[path = "wasm_support/mod.rs"]
mod support;

use support::{append, document, get_str};
use trailmark::web::Trailmark;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const CONTAINER_ID: &str = "trailmark-render-test";

/// A fresh, empty container in `document.body` (any leftover from an aborted test removed).
fn container() -> Element {
    remove_container();
    let body = document().body().expect("body");
    append(&body, "div", &[("id", CONTAINER_ID)], "")
}

fn remove_container() {
    if let Some(old) = document().get_element_by_id(CONTAINER_ID) {
        old.remove();
    }
}

/// A slot element `<div data-trailmark-slot="{name}">{default}</div>` in `parent`.
fn slot(parent: &Element, name: &str, default: &str) -> Element {
    append(parent, "div", &[("data-trailmark-slot", name)], default)
}

/// The element children of `el` (text nodes skipped).
fn children(el: &Element) -> Vec<Element> {
    let list = el.child_nodes();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<Element>().ok())
        .collect()
}

/// Every attribute of `el` as `(name, value)`, in document order.
fn attributes(el: &Element) -> Vec<(String, String)> {
    let names = el.get_attribute_names();
    names
        .iter()
        .filter_map(|n| n.as_string())
        .map(|n| {
            let v = el.get_attribute(&n).unwrap_or_default();
            (n, v)
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Compiles `config` as `trailmark build` does, applies the program to `tm` (which must accept
/// it), and returns each diagnostic as `(severity, code, path)`.
fn configure(tm: &Trailmark, config: &str) -> Vec<(String, String, String)> {
    let (program, diags) = support::compile(config);
    assert!(
        tm.configure(&program).is_undefined(),
        "the program was refused"
    );
    diags
}

fn diag(severity: &str, code: &str, path: &str) -> (String, String, String) {
    (severity.into(), code.into(), path.into())
}

/// A config with one rule filling the `hero` slot with the block `welcome`.
fn config_with_block(block: &str) -> String {
    format!(
        r#"{{"version": 1,
            "blocks": {{"welcome": {block}}},
            "rules": [{{"id": "home-hero", "slot": "hero", "show": "welcome"}}]}}"#
    )
}

const WELCOME: &str = r#"{
    "tag": "section", "class": "tm-hero promo",
    "children": [
        {"tag": "h2", "text": "Welcome back"},
        {"tag": "p", "text": "Free shipping ", "children": [{"tag": "strong", "text": "today"}]},
        {"tag": "a", "text": "Shop the sale", "class": "cta",
         "attrs": {"href": "/sale?from=hero", "target": "_blank", "title": "Sale"}},
        {"tag": "img", "attrs": {"src": "https://cdn.example.com/hero.png", "alt": "", "width": "640"}}
    ]
}"#;

/// Checks that `el` is an unrendered slot still showing `default`.
fn assert_untouched(el: &Element, default: &str) {
    assert_eq!(el.inner_html(), default);
    assert_eq!(el.get_attribute("data-trailmark-rule"), None);
    assert_eq!(el.get_attribute("data-trailmark-block"), None);
}

/// Checks the `welcome` block as rendered into `el`; returns its root `<section>`.
fn assert_welcome(el: &Element) -> Element {
    assert_eq!(
        el.get_attribute("data-trailmark-rule").as_deref(),
        Some("home-hero")
    );
    assert_eq!(
        el.get_attribute("data-trailmark-block").as_deref(),
        Some("welcome")
    );
    assert_eq!(el.child_nodes().length(), 1, "default content replaced");
    let root = children(el).remove(0);
    assert_eq!(root.tag_name(), "SECTION");
    assert_eq!(attributes(&root), pairs(&[("class", "tm-hero promo")]));

    let kids = children(&root);
    let tags: Vec<String> = kids.iter().map(Element::tag_name).collect();
    assert_eq!(tags, ["H2", "P", "A", "IMG"]);
    let [h2, p, a, img] = &kids[..] else {
        unreachable!()
    };
    assert_eq!(h2.text_content().as_deref(), Some("Welcome back"));
    assert!(attributes(h2).is_empty());
    // Text first, then the children: "Free shipping " + <strong>today</strong>.
    assert_eq!(p.inner_html(), "Free shipping <strong>today</strong>");
    assert_eq!(
        attributes(a),
        pairs(&[
            ("class", "cta"),
            ("href", "/sale?from=hero"),
            ("target", "_blank"),
            ("title", "Sale"),
            ("rel", "noopener noreferrer"),
        ])
    );
    assert_eq!(a.text_content().as_deref(), Some("Shop the sale"));
    assert_eq!(
        attributes(img),
        pairs(&[
            ("src", "https://cdn.example.com/hero.png"),
            ("alt", ""),
            ("width", "640"),
        ])
    );
    assert_eq!(img.child_nodes().length(), 0);
    root
}

#[wasm_bindgen_test]
fn configure_renders_the_block_into_every_element_of_the_slot() {
    let page = container();
    let hero = slot(&page, "hero", "default");
    let sidebar = slot(&page, "sidebar", "");
    // The sidebar's default is markup, not just text: it must stay exactly as the page wrote it.
    sidebar.set_inner_html("<b>sidebar</b> default");
    let hero_again = slot(&page, "hero", "second default");

    let tm = Trailmark::new(JsValue::UNDEFINED);
    assert_eq!(configure(&tm, &config_with_block(WELCOME)), []);

    assert_welcome(&hero);
    assert_welcome(&hero_again);
    assert_untouched(&sidebar, "<b>sidebar</b> default");

    let decisions = tm.decisions();
    assert_eq!(decisions.length(), 1);
    let d = decisions.get(0);
    assert_eq!(
        (
            get_str(&d, "slot"),
            get_str(&d, "rule"),
            get_str(&d, "block")
        ),
        ("hero".into(), "home-hero".into(), "welcome".into())
    );
    remove_container();
}

#[wasm_bindgen_test]
fn rendering_again_is_a_no_op_that_keeps_the_same_nodes() {
    let page = container();
    let hero = slot(&page, "hero", "default");
    let tm = Trailmark::new(JsValue::UNDEFINED);
    assert_eq!(configure(&tm, &config_with_block(WELCOME)), []);
    let first = assert_welcome(&hero);
    let first_link = hero.query_selector("a").expect("query").expect("a link");

    assert_eq!(tm.render(), 0);
    assert_eq!(tm.render(), 0);
    let now = assert_welcome(&hero);
    assert!(now.is_same_node(Some(&first)), "the block was rebuilt");
    let link = hero.query_selector("a").expect("query").expect("a link");
    assert!(link.is_same_node(Some(&first_link)));

    // A slot added later is picked up by the next render, and only it changes.
    let late = slot(&page, "hero", "late default");
    assert_eq!(tm.render(), 1);
    assert_welcome(&late);
    assert!(assert_welcome(&hero).is_same_node(Some(&first)));
    assert_eq!(tm.render(), 0);
    remove_container();
}

#[wasm_bindgen_test]
fn text_that_looks_like_html_renders_as_text() {
    let page = container();
    let hero = slot(&page, "hero", "default");
    let tm = Trailmark::new(JsValue::UNDEFINED);
    let evil = "<img src=x onerror=alert(1)><script>alert(2)</script>";
    let block = format!(
        r#"{{"tag": "p", "class": "\"><img src=x>", "text": {}}}"#,
        support::stringify(&evil.into())
    );
    assert_eq!(configure(&tm, &config_with_block(&block)), []);

    let p = children(&hero).remove(0);
    assert_eq!(p.tag_name(), "P");
    assert_eq!(p.text_content().as_deref(), Some(evil));
    assert_eq!(p.child_nodes().length(), 1, "a single text node");
    assert!(children(&p).is_empty(), "no element was parsed");
    assert_eq!(p.get_attribute("class").as_deref(), Some("\"><img src=x>"));
    assert_eq!(
        page.query_selector_all("img, script")
            .expect("query")
            .length(),
        0
    );
    assert_eq!(
        p.inner_html(),
        "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;"
    );
    remove_container();
}

/// Configures a block that must be rejected; checks the diagnostics and the untouched slot.
fn assert_rejected(block: &str, expected: &[(String, String, String)]) {
    let page = container();
    let hero = slot(&page, "hero", "default");
    let tm = Trailmark::new(JsValue::UNDEFINED);
    let got = configure(&tm, &config_with_block(block));
    assert_eq!(got, expected, "block {block}");
    assert_untouched(&hero, "default");
    assert_eq!(tm.render(), 0);
    assert_eq!(tm.decisions().length(), 0);
    remove_container();
}

/// The rule that shows a rejected block is dropped, and says why.
fn unknown_block() -> (String, String, String) {
    diag("error", "rules/unknown-block", "/rules/0/show")
}

#[wasm_bindgen_test]
fn a_javascript_url_is_rejected_and_the_slot_keeps_its_default() {
    assert_rejected(
        r#"{"tag": "a", "text": "click", "attrs": {"href": "javascript:alert(1)"}}"#,
        &[
            diag("error", "blocks/unsafe-url", "/blocks/welcome/attrs/href"),
            unknown_block(),
        ],
    );
    // Browsers ignore case, tabs and leading spaces in a scheme; so does the check.
    assert_rejected(
        r#"{"tag": "div", "children": [{"tag": "a", "attrs": {"href": " JaVa\tScRiPt:alert(1)"}}]}"#,
        &[
            diag(
                "error",
                "blocks/unsafe-url",
                "/blocks/welcome/children/0/attrs/href",
            ),
            unknown_block(),
        ],
    );
}

#[wasm_bindgen_test]
fn a_script_tag_is_rejected_and_the_slot_keeps_its_default() {
    assert_rejected(
        r#"{"tag": "script", "text": "alert(1)"}"#,
        &[
            diag("error", "blocks/tag-not-allowed", "/blocks/welcome/tag"),
            unknown_block(),
        ],
    );
    assert_rejected(
        r#"{"tag": "section", "children": [{"tag": "p", "text": "ok"}, {"tag": "script"}]}"#,
        &[
            diag(
                "error",
                "blocks/tag-not-allowed",
                "/blocks/welcome/children/1/tag",
            ),
            unknown_block(),
        ],
    );
    // Event-handler attributes are not on the allowlist either.
    assert_rejected(
        r#"{"tag": "img", "attrs": {"src": "/a.png", "onerror": "alert(1)"}}"#,
        &[
            diag(
                "error",
                "blocks/attribute-not-allowed",
                "/blocks/welcome/attrs/onerror",
            ),
            unknown_block(),
        ],
    );
}

/// A program edited by hand (or by an attacker) to carry what the compiler refuses is refused
/// whole when read: the slot keeps its default content.
#[wasm_bindgen_test]
fn a_hostile_program_with_an_unsafe_block_is_refused() {
    use trailmark::render::Node;
    let page = container();
    let hero = slot(&page, "hero", "default");
    let tm = Trailmark::new(JsValue::UNDEFINED);
    let (program, _) = support::compile(&config_with_block(
        r#"{"tag": "a", "text": "x", "attrs": {"href": "/ok"}}"#,
    ));
    let mut config = trailmark::program::decode(&program).expect("a valid program");
    config.blocks[0].1 = Node {
        tag: "a",
        attrs: vec![("href", " javascript:alert(1)".into())],
        text: Some("click".into()),
        children: Vec::new(),
    };
    let hostile = trailmark::program::encode(&config);
    let refused = tm.configure(&hostile).as_string().unwrap_or_default();
    assert_eq!(refused, "a corrupt compiled config");
    assert_untouched(&hero, "default");
    assert_eq!(tm.decisions().length(), 0);
    // The genuine program still applies afterwards.
    assert!(tm.configure(&program).is_undefined());
    assert_eq!(tm.decisions().length(), 1);
    remove_container();
}
