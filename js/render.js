// Rendering: the blocks the module chose, built into the page's slots.
//
// The module decides (which rule's block each slot shows); this builds. A block is data, never
// HTML: `{t: tag, a: {attributes}, x: text, c: [children]}` as `trailmark build` writes it. It is
// checked again here against the same allowlists the compiler uses (a compiled config is
// someone else's file), built with createElement / setAttribute / textContent only (no HTML
// parsing: safe under a strict CSP and Trusted Types), and a block that fails the checks is not
// shown: the slot keeps its default content.

export const SLOT = "data-trailmark-slot";
const RULE = "data-trailmark-rule";
const BLOCK = "data-trailmark-block";
const TAGS = new Set("div section aside p span strong em b i h2 h3 h4 a img button ul ol li small figure figcaption br".split(" "));
const ATTRS = new Set("href src alt title aria-label role target rel width height data-trailmark-action class".split(" "));
const MAX_NODES = 200;
const MAX_DEPTH = 16;
// Targets that keep the link in this browsing context: anything else opens a new one, which
// must not get a handle on this page.
const SAME_CONTEXT = new Set(["", "_self", "_parent", "_top"]);

/**
 * Whether `url` may go in href/src: relative, http(s), or (links only) mailto/tel. Browsers drop
 * ASCII whitespace and control characters inside a scheme (`java\tscript:`), so they are removed
 * before the scheme is read, as the compiler does.
 */
export function safeUrl(url, isLink) {
  const scheme = /^([^:/?#]*):/.exec(url.replace(/[\0-\x20\x7f]/g, ""));
  if (!scheme) return true;
  const s = scheme[1].toLowerCase();
  return s === "http" || s === "https" || (isLink && (s === "mailto" || s === "tel"));
}

/** Builds block `node` in `doc`; throws on anything the allowlists refuse. */
export function build(doc, node, budget = { nodes: MAX_NODES }, depth = 0) {
  if (!node || typeof node !== "object" || depth > MAX_DEPTH || --budget.nodes < 0 || !TAGS.has(node.t)) throw new Error("block refused");
  const el = doc.createElement(node.t);
  const attrs = node.a || {};
  const rel = [];
  for (const name of Object.keys(attrs)) {
    const value = attrs[name];
    if (!ATTRS.has(name) || typeof value !== "string" || ((name === "href" || name === "src") && !safeUrl(value, name === "href"))) {
      throw new Error("block refused");
    }
    // `rel="opener"` would hand the new page a handle on this one: never kept.
    if (name === "rel") rel.push(...value.split(/\s+/).filter((r) => r && r.toLowerCase() !== "opener"));
    else el.setAttribute(name, value);
  }
  if (typeof attrs.target === "string" && !SAME_CONTEXT.has(attrs.target.toLowerCase())) {
    for (const r of ["noopener", "noreferrer"]) if (!rel.includes(r)) rel.push(r);
  }
  if (rel.length) el.setAttribute("rel", rel.join(" "));
  if (typeof node.x === "string") el.textContent = node.x;
  for (const child of Array.isArray(node.c) ? node.c : []) el.appendChild(build(doc, child, budget, depth + 1));
  return el;
}

/**
 * A renderer for one page: `render(decisions, blocks)` puts each decision's block into every
 * element of its slot and gives a slot without a decision its default content back; returns
 * how many slots changed. Idempotent: a slot already showing the decided block is left alone
 * (same nodes, no flicker).
 */
export function createRenderer(warn) {
  const defaults = new WeakMap(); // slot element -> the child nodes it had before
  let warned = false;
  const restore = (el) => {
    const saved = defaults.get(el);
    if (!saved) return false; // filled by another copy of Trailmark: not ours to undo
    el.replaceChildren(...saved);
    defaults.delete(el);
    el.removeAttribute(RULE);
    el.removeAttribute(BLOCK);
    return true;
  };
  return (decisions, blocks) => {
    const bySlot = new Map();
    for (const d of decisions) bySlot.set(d.slot, d);
    let changed = 0;
    for (const el of document.querySelectorAll("[" + SLOT + "]")) {
      const d = bySlot.get(el.getAttribute(SLOT));
      if (!d) {
        if (el.hasAttribute(RULE) && restore(el)) changed++;
        continue;
      }
      if (el.getAttribute(RULE) === d.rule && el.getAttribute(BLOCK) === d.block) continue;
      let built;
      try {
        if (!Object.prototype.hasOwnProperty.call(blocks, d.block)) throw new Error("no such block");
        built = build(document, blocks[d.block]);
      } catch (_) {
        if (!warned) warn("block \"" + d.block + "\" could not be built (not in the compiled config, or refused); its slot keeps its default content");
        warned = true;
        continue;
      }
      if (!el.hasAttribute(RULE)) defaults.set(el, Array.from(el.childNodes));
      el.replaceChildren(built);
      el.setAttribute(RULE, d.rule);
      el.setAttribute(BLOCK, d.block);
      changed++;
    }
    return changed;
  };
}
