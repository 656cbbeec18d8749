// Rendering: the blocks the module chose, built into the page's slots.
//
// The module decides (which rule's block each slot shows); this builds. A block is data, never
// HTML: `{t: tag, a: {attributes}, x: text, c: [children]}` as `trailmark build` writes it. It is
// checked again here against the same allowlists the compiler uses (a compiled config is
// someone else's file), built with createElement / setAttribute / textContent only (no HTML
// parsing: safe under a strict CSP and Trusted Types), and a block that fails the checks is not
// shown: the slot keeps its default content.

import { createOverlays } from "./overlays.js";

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

/**
 * Builds block `node` for `doc`; throws on anything the allowlists refuse. The tree is made in
 * an inert document (no browsing context: an `img` there loads nothing) and adopted into `doc`
 * only once all of it passed, so a refused block never makes a request.
 */
let inert = null;
export function build(doc, node) {
  inert = inert || doc.implementation.createHTMLDocument("");
  return doc.adoptNode(make(inert, node, { nodes: MAX_NODES }, 0));
}

function make(doc, node, budget, depth) {
  if (!node || typeof node !== "object" || depth > MAX_DEPTH || --budget.nodes < 0 || !TAGS.has(node.t)) throw new Error("block refused");
  const el = doc.createElement(node.t);
  const attrs = node.a || {};
  const rel = [];
  for (const name of Object.keys(attrs)) {
    const value = attrs[name];
    if (!ATTRS.has(name) || typeof value !== "string" || ((name === "href" || name === "src") && !safeUrl(value, name === "href"))) {
      throw new Error("block refused");
    }
    // `rel="opener"` would hand the new page a handle on this one: never kept. (Arrays grow by
    // index here: a page may have broken Array.prototype.push.)
    if (name === "rel") for (const r of value.split(/\s+/)) { if (r && r.toLowerCase() !== "opener") rel[rel.length] = r; }
    else el.setAttribute(name, value);
  }
  if (typeof attrs.target === "string" && !SAME_CONTEXT.has(attrs.target.toLowerCase())) {
    for (const r of ["noopener", "noreferrer"]) if (!rel.includes(r)) rel[rel.length] = r;
  }
  if (rel.length) el.setAttribute("rel", rel.join(" "));
  if (typeof node.x === "string") el.textContent = node.x;
  for (const child of Array.isArray(node.c) ? node.c : []) el.appendChild(make(doc, child, budget, depth + 1));
  return el;
}

/** The outcome events, and the page events (`trailmark:<type>`) they are announced as. */
const EVENTS = { viewed: ["Block Viewed", "show"], clicked: ["Block Clicked", "click"], dismissed: ["Block Dismissed", "dismiss"], accepted: ["Offer Accepted", "accept"] };

/**
 * A renderer for one page: `render(decisions, blocks)` puts each slot decision's block into
 * every element of its slot, gives a slot without a decision its default content back, and
 * shows the overlay decisions (see overlays.js); returns how many slots changed. Idempotent:
 * a slot already showing the decided block is left alone (same nodes, no flicker).
 *
 * It records what each block did, as events (`hooks.track`) and as DOM events on `document`
 * (`trailmark:show`, `trailmark:click`, `trailmark:dismiss`, `trailmark:accept`, with the
 * decision in `detail`): a slot's block is viewed once at least half of it was visible for a
 * second (once per page per slot), an overlay when it opens. `hooks.claim(decision)` claims the
 * session's dialog across tabs.
 */
export function createRenderer(warn, hooks) {
  const defaults = new WeakMap(); // slot element -> the child nodes it had before
  const viewed = new Set(); // slots (and overlays) whose block was viewed on this page
  const timers = new Map(); // slot element -> the pending one-second view check
  const live = new Map(); // slot element -> its decision
  const made = new WeakMap(); // slot element -> the block (as the config has it) it shows
  let warned = false;

  const outcome = (kind, d, extra) => {
    const detail = { rule: d.rule, block: d.block, placement: d.placement, ...(d.slot ? { slot: d.slot } : {}), ...extra };
    if (kind !== "viewed" || d.placement !== "dialog") hooks.track(EVENTS[kind][0], detail);
    try { document.dispatchEvent(new CustomEvent("trailmark:" + EVENTS[kind][1], { detail })); } catch (_) { /* no CustomEvent */ }
  };
  const seen = (d) => {
    const key = d.slot || d.placement;
    if (!viewed.has(key)) { viewed.add(key); outcome("viewed", d, {}); }
  };
  // The code of an offer: copied to the clipboard, or shown selected where the clipboard is
  // refused (then the block stays open, so the shopper can copy it).
  const accept = (target, d, close) => {
    const code = d.offer;
    outcome("accepted", d, code ? { code } : {});
    const link = target.closest("a[href]");
    const fallback = () => {
      const input = document.createElement("input");
      input.readOnly = true;
      input.value = code;
      input.className = "tm-code";
      input.setAttribute("aria-label", "Your code");
      target.after(input);
      input.select();
    };
    if (!code) { if (!link) close("accept"); return; }
    try {
      navigator.clipboard.writeText(code).then(() => { if (!link) close("accept"); }, fallback);
    } catch (_) { fallback(); }
  };
  const actions = (root, d, close) => root.addEventListener("click", (e) => {
    const target = e.target && e.target.closest ? e.target.closest("a,button,[data-trailmark-action]") : null;
    if (!target || !root.contains(target)) return;
    const action = target.getAttribute("data-trailmark-action");
    if (action === "accept") accept(target, d, close);
    // A dialog's own close button closes it natively (it works with no script).
    else if (action === "dismiss") { if (!target.closest("form")) close("dismiss"); }
    else outcome("clicked", d, target.href ? { href: target.href } : {});
  });
  const overlays = createOverlays({
    build: (block) => build(document, block),
    claim: hooks.claim,
    shown: (d) => seen(d),
    closed: (d, how) => { if (how !== "accept") outcome("dismissed", d, {}); },
    actions,
  });
  // A slot's block is viewed once at least half of it was visible for a second.
  const observer = typeof IntersectionObserver === "function" ? new IntersectionObserver((entries) => {
    for (const e of entries) {
      clearTimeout(timers.get(e.target));
      if (e.intersectionRatio >= 0.5) {
        timers.set(e.target, setTimeout(() => { const d = live.get(e.target); if (d) seen(d); }, 1000));
      }
    }
  }, { threshold: 0.5 }) : null;

  const restore = (el) => {
    const saved = defaults.get(el);
    live.delete(el);
    if (observer) observer.unobserve(el);
    if (!saved) return false; // filled by another copy of Trailmark: not ours to undo
    el.replaceChildren(...saved);
    defaults.delete(el);
    el.removeAttribute(RULE);
    el.removeAttribute(BLOCK);
    return true;
  };
  const render = (decisions, blocks) => {
    const bySlot = new Map();
    for (const d of decisions) if (d.placement === "slot") bySlot.set(d.slot, d);
    let changed = 0;
    for (const el of document.querySelectorAll("[" + SLOT + "]")) {
      // Decided: whatever the page marked as waiting for the decision (the no-flicker snippet)
      // shows now.
      el.removeAttribute("data-trailmark-pending");
      const d = bySlot.get(el.getAttribute(SLOT));
      if (!d) {
        if (el.hasAttribute(RULE) && restore(el)) changed++;
        continue;
      }
      // Shown already (a newer config's block of the same id is built again).
      if (el.getAttribute(RULE) === d.rule && el.getAttribute(BLOCK) === d.block && made.get(el) === blocks[d.block]) continue;
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
      actions(built, d, () => { outcome("dismissed", d, {}); restore(el); });
      live.set(el, d);
      made.set(el, blocks[d.block]);
      if (observer) observer.observe(el);
      changed++;
    }
    overlays.sync(decisions, blocks);
    return changed;
  };
  /** A new page view (a route of a single-page app): blocks may be viewed again. */
  render.newPage = () => { viewed.clear(); overlays.newPage(); };
  return render;
}
