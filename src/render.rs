//! Content blocks: the declarative, allowlisted node trees a slot can show (compiler side).
//!
//! A block is data, never HTML: each node names an allowlisted tag, optional class and text, and
//! allowlisted attributes. The compiler validates it here and writes it into the compiled config
//! as JSON ([`Node::to_json`]); the page's renderer (`js/render.js`) checks it again against the
//! same allowlists and builds it with `createElement`, `textContent` and `setAttribute`, so a
//! config can never inject script, and the page works under a strict CSP and Trusted Types.

use crate::diag::{expected, Diagnostic, Diagnostics, Path};
use crate::limits::{MAX_BLOCK_NODES, MAX_BLOCK_TEXT_BYTES};
use crate::template::{Template, KNOWN_PATHS};
use crate::value::Value;

/// Tags a block may use.
pub const ALLOWED_TAGS: &[&str] = &[
    "div",
    "section",
    "aside",
    "p",
    "span",
    "strong",
    "em",
    "b",
    "i",
    "h2",
    "h3",
    "h4",
    "a",
    "img",
    "button",
    "ul",
    "ol",
    "li",
    "small",
    "figure",
    "figcaption",
    "br",
];

/// Attributes a block may set (besides `class`). `data-trailmark-action` marks elements
/// Trailmark reacts to (dismiss, accept).
pub const ALLOWED_ATTRS: &[&str] = &[
    "href",
    "src",
    "alt",
    "title",
    "aria-label",
    "role",
    "target",
    "rel",
    "width",
    "height",
    "data-trailmark-action",
];

/// One element of a content block.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Tag name, always one of [`ALLOWED_TAGS`].
    pub tag: &'static str,
    /// Attributes, names from [`ALLOWED_ATTRS`] plus `class`; URL values already checked.
    pub attrs: Vec<(&'static str, String)>,
    /// Text content, set with `textContent` before the children are appended.
    pub text: Option<String>,
    /// A text with placeholders instead: its index in the block's templates (filled by the
    /// module for each decision, formatted by the page: see [`crate::template`]).
    pub template: Option<usize>,
    /// Child elements.
    pub children: Vec<Node>,
}

impl Node {
    /// The node as the compiled config carries it: `{"t": tag, "a": {attrs}, "x": text, "c":
    /// [children]}` (short keys: it is inlined in every page), empty parts left out.
    pub fn to_json(&self) -> Value {
        let mut m = crate::value::Map::new();
        m.insert("t", Value::from(self.tag));
        if !self.attrs.is_empty() {
            let mut attrs = crate::value::Map::new();
            for (name, value) in &self.attrs {
                attrs.insert(*name, Value::from(value.as_str()));
            }
            m.insert("a", Value::Object(attrs));
        }
        if let Some(text) = &self.text {
            m.insert("x", Value::from(text.as_str()));
        }
        if let Some(i) = self.template {
            m.insert("f", Value::Number(i as f64));
        }
        if !self.children.is_empty() {
            m.insert(
                "c",
                Value::Array(self.children.iter().map(Node::to_json).collect()),
            );
        }
        Value::Object(m)
    }
}

/// Compiles the block at `path`. Problems are pushed to `diags`; `None` means the block is
/// unusable (rules that show it are dropped).
///
/// A text with placeholders (`{{ cart.value | money }}`, see [`crate::template`]) is compiled
/// into the block's templates, in the order the nodes come (depth first); the node carries its
/// index.
pub fn compile_block(
    raw: &Value,
    path: &Path,
    diags: &mut Diagnostics,
) -> Option<(Node, Vec<Template>)> {
    let errors_before = diags.errors().count();
    let mut budget = MAX_BLOCK_NODES;
    let mut templates = Vec::new();
    let node = compile_node(raw, path, diags, &mut budget, 0, &mut templates);
    if diags.errors().count() > errors_before {
        None
    } else {
        node.map(|n| (n, templates))
    }
}

fn compile_node(
    raw: &Value,
    path: &Path,
    diags: &mut Diagnostics,
    budget: &mut usize,
    depth: usize,
    templates: &mut Vec<Template>,
) -> Option<Node> {
    let Some(obj) = raw.as_object() else {
        diags.push(Diagnostic::error(
            "blocks/wrong-type",
            path,
            expected("an object like {\"tag\": \"div\", \"text\": \"...\"}", raw),
        ));
        return None;
    };
    if *budget == 0 || depth > 16 {
        diags.push(Diagnostic::error(
            "blocks/too-large",
            path,
            "block has too many or too deeply nested nodes (limit 200 nodes, depth 16)",
        ));
        return None;
    }
    *budget -= 1;

    let tag = match obj.get("tag") {
        None => "div",
        Some(Value::String(t)) => match ALLOWED_TAGS.iter().find(|a| **a == t.as_str()) {
            Some(a) => a,
            None => {
                let mut msg = String::from("tag \"");
                msg.push_str(t);
                msg.push_str("\" is not allowed; use one of: ");
                crate::text::push_list(&mut msg, ALLOWED_TAGS);
                diags.push(Diagnostic::error(
                    "blocks/tag-not-allowed",
                    &path.key("tag"),
                    msg,
                ));
                return None;
            }
        },
        Some(other) => {
            diags.push(Diagnostic::error(
                "blocks/wrong-type",
                &path.key("tag"),
                expected("a string", other),
            ));
            return None;
        }
    };

    let mut node = Node {
        tag,
        attrs: Vec::new(),
        text: None,
        template: None,
        children: Vec::new(),
    };
    for (key, value) in obj.iter() {
        let at = path.key(key);
        match key {
            "tag" => {}
            "class" => {
                if let Some(s) = string_field(value, &at, diags) {
                    node.attrs.push(("class", s));
                }
            }
            "text" => {
                if let Some(s) = string_field(value, &at, diags) {
                    if s.len() > MAX_BLOCK_TEXT_BYTES {
                        diags.push(Diagnostic::error(
                            "blocks/too-large",
                            &at,
                            "text is longer than 4096 bytes",
                        ));
                    } else if s.contains("{{") {
                        let t = crate::template::compile(&s, &at, KNOWN_PATHS, diags);
                        match t.as_ref().and_then(|t| t.as_static()) {
                            // Only quoted text: a plain text after all.
                            Some(plain) => node.text = Some(plain.to_owned()),
                            None => {
                                if let Some(t) = t {
                                    node.template = Some(templates.len());
                                    templates.push(t);
                                }
                            }
                        }
                    } else {
                        node.text = Some(s);
                    }
                }
            }
            "attrs" => compile_attrs(value, &at, diags, &mut node),
            "children" => match value {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if let Some(child) =
                            compile_node(item, &at.index(i), diags, budget, depth + 1, templates)
                        {
                            node.children.push(child);
                        }
                    }
                }
                other => diags.push(Diagnostic::error(
                    "blocks/wrong-type",
                    &at,
                    expected("an array of nodes", other),
                )),
            },
            _ => diags.push(Diagnostic::error(
                "blocks/unknown-field",
                &at,
                "unknown field; a node has tag, class, text, attrs and children",
            )),
        }
    }
    Some(node)
}

fn compile_attrs(raw: &Value, path: &Path, diags: &mut Diagnostics, node: &mut Node) {
    let Some(obj) = raw.as_object() else {
        diags.push(Diagnostic::error(
            "blocks/wrong-type",
            path,
            expected("an object of attribute names to strings", raw),
        ));
        return;
    };
    for (name, value) in obj.iter() {
        let at = path.key(name);
        let Some(allowed) = ALLOWED_ATTRS.iter().find(|a| **a == name) else {
            let mut msg = String::from("attribute \"");
            msg.push_str(name);
            msg.push_str("\" is not allowed; use one of: ");
            crate::text::push_list(&mut msg, ALLOWED_ATTRS);
            diags.push(Diagnostic::error("blocks/attribute-not-allowed", &at, msg));
            continue;
        };
        let Some(text) = string_field(value, &at, diags) else {
            continue;
        };
        if matches!(*allowed, "href" | "src") && !is_safe_url(&text, *allowed == "href") {
            diags.push(Diagnostic::error(
                "blocks/unsafe-url",
                &at,
                "URL must be relative or use http:, https: (or mailto:, tel: for links)",
            ));
            continue;
        }
        node.attrs.push((allowed, text));
    }
}

fn string_field(value: &Value, path: &Path, diags: &mut Diagnostics) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        other => {
            diags.push(Diagnostic::error(
                "blocks/wrong-type",
                path,
                expected("a string", other),
            ));
            None
        }
    }
}

/// Whether `url` is safe to put in `href`/`src`: relative, or an allowed scheme.
/// Browsers ignore ASCII whitespace and control characters inside a scheme
/// (`java\tscript:`), so those are removed before the scheme is read.
pub fn is_safe_url(url: &str, is_link: bool) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
        .collect();
    let scheme_end = cleaned.find([':', '/', '?', '#']);
    let scheme = match scheme_end {
        Some(i) if cleaned[i..].starts_with(':') => cleaned[..i].to_ascii_lowercase(),
        _ => return true, // no scheme: relative
    };
    match scheme.as_str() {
        "http" | "https" => true,
        "mailto" | "tel" => is_link,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_urls_are_refused() {
        for bad in [
            "javascript:alert(1)",
            " JaVa\tScRiPt:alert(1)",
            "data:text/html,x",
            "vbscript:x",
        ] {
            assert!(!is_safe_url(bad, true), "{bad}");
        }
        for good in [
            "/cart",
            "cart.html",
            "https://x.test/a",
            "#top",
            "?a=b:c",
            "mailto:a@b",
        ] {
            assert!(is_safe_url(good, true), "{good}");
        }
        assert!(!is_safe_url("mailto:a@b", false));
    }
}
