// Rendering: the blocks the module chose, built into the page's slots.
//
// The module decides (which rule's block each slot shows); this builds. A block is data, never
// HTML: `{t: tag, a: {attributes}, x: text, c: [children]}` as `trailmark build` writes it. It is
// checked again here against the same allowlists the compiler uses (a compiled config is
// someone else's file), built with createElement / setAttribute / textContent only (no HTML
// parsing: safe under a strict CSP and Trusted Types), and a block that fails the checks is not
// shown: the slot keeps its default content.

import { formatPieces } from "./template.js";

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
 * only once all of it passed, so a refused block never makes a request. A node with a text with
 * placeholders (`f`: its index among the block's texts) gets `holes.text(f)`, and is listed in
 * `holes.els` to be filled again when the amounts change.
 */
let inert = null;
export function build(doc, node, holes) {
  inert = inert || doc.implementation.createHTMLDocument("");
  return doc.adoptNode(make(inert, node, holes, { nodes: MAX_NODES }, 0));
}

function make(doc, node, holes, budget, depth) {
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
  else if (typeof node.f === "number") {
    const text = holes && holes.text(node.f);
    if (typeof text !== "string") throw new Error("block refused");
    el.textContent = text;
    holes.els[holes.els.length] = [el, node.f];
  }
  for (const child of Array.isArray(node.c) ? node.c : []) el.appendChild(make(doc, child, holes, budget, depth + 1));
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
 * session's dialog across tabs; `hooks.loadUi()` loads the page-UI chunk (js/ui.js).
 */
export function createRenderer(warn, hooks) {
  const defaults = new WeakMap(); // slot element -> the child nodes it had before
  const viewed = new Set(); // slots (and overlays) whose block was viewed on this page
  const timers = new Map(); // slot element -> the pending one-second view check
  const live = new Map(); // slot element -> its decision
  const filled = new WeakMap(); // slot element -> the elements of its texts with placeholders
  const made = new WeakMap(); // slot element -> the block (as the config has it) it shows
  let warned = false;

  const outcome = (kind, d, extra) => {
    // A decision without a block is an experiment's control (or the holdout): the default
    // content in view where the rule would have shown, recorded (it counts toward the caps and
    // exposes the visitor) but not announced to the page, which sees nothing new.
    const detail = { rule: d.rule, ...(d.block ? { block: d.block } : { control: true }), placement: d.placement, ...(d.slot ? { slot: d.slot } : {}), ...extra };
    // A preview records nothing; a dialog's view is recorded by its claim.
    if (!d.preview && (kind !== "viewed" || d.placement !== "dialog")) hooks.track(EVENTS[kind][0], detail);
    if (d.block) try { document.dispatchEvent(new CustomEvent("trailmark:" + EVENTS[kind][1], { detail })); } catch (_) { /* no CustomEvent */ }
  };
  const seen = (d) => {
    const key = d.slot || d.placement;
    if (!viewed.has(key)) { viewed.add(key); outcome("viewed", d, {}); }
  };
  // The code of an offer: copied to the clipboard, or shown selected where the clipboard is
  // refused (then the block stays open, so the shopper can copy it).
  // Rules whose offer was accepted on this page: recorded once, and closing the block after
  // that is no dismissal.
  const accepted = new Set();
  const accept = (target, d, close) => {
    const code = d.offer;
    if (!accepted.has(d.rule)) outcome("accepted", d, code ? { code } : {});
    accepted.add(d.rule);
    const link = target.closest("a[href]");
    const fallback = () => {
      const shown = target.nextElementSibling;
      if (shown && shown.classList.contains("tm-code")) { shown.select(); return; }
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
  // The page's language formats amounts and picks plurals (the browser's when it has none).
  const locale = () => document.documentElement.lang || undefined;
  // The filled texts of decision `d`, and the elements showing them.
  const holesOf = (d) => ({ els: [], text: (f) => (Array.isArray(d.text) && Array.isArray(d.text[f]) ? formatPieces(d.text[f], locale()) : null) });
  // Same rule and block, new amounts ("$12.50 away" after an add to cart): the texts change in
  // place; false when one cannot be shown (the caller builds the block again or gives up).
  const refill = (holes, d) => {
    const next = holesOf(d);
    for (const [el, f] of holes.els) {
      const text = next.text(f);
      if (typeof text !== "string") return false;
      if (el.textContent !== text) el.textContent = text;
    }
    holes.text = next.text;
    return true;
  };
  // The overlays come with the page-UI chunk, loaded the first time a decision needs one; the
  // latest decisions are shown once it is there.
  let overlays = null;
  let latest = null;
  let chunkWarned = 0; // failed loads of the page-UI chunk
  const syncOverlays = (decisions, blocks) => {
    latest = [decisions, blocks];
    if (overlays) return overlays.sync(decisions, blocks);
    if (overlays === false || !decisions.some((d) => d.placement !== "slot")) return;
    overlays = false;
    hooks.loadUi().then((ui) => {
      overlays = ui.createOverlays({
        build: (block, d) => { const holes = holesOf(d); return [build(document, block, holes), holes]; },
        refill,
        claim: hooks.claim,
        shown: (d) => seen(d),
        closed: (d, how) => { if (how !== "accept" && !accepted.has(d.rule)) outcome("dismissed", d, {}); },
        actions,
      });
      overlays.sync(...latest);
    }).catch(() => {
      // Tried again with the next decisions (offline now, online later).
      // Said on the second failure: the first is often a navigation cutting the load off
      // (Firefox aborts it before pagehide), and the next decisions try again.
      overlays = null;
      if (chunkWarned === 1) hooks.warnUnlessLeaving("the overlays could not be loaded; bars and dialogs do not show");
      chunkWarned++;
    });
  };
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
      if (!d || !d.block) {
        if (el.hasAttribute(RULE) && restore(el)) changed++;
        // A control keeps the default content, watched for its view like a block; a slot that
        // stops being watched is let go, so it is seen afresh if a control comes back.
        const was = live.get(el);
        if (was && (!d || was.rule !== d.rule)) {
          live.delete(el);
          clearTimeout(timers.get(el));
          if (observer) observer.unobserve(el);
        }
        if (d) { live.set(el, d); if (observer) observer.observe(el); }
        continue;
      }
      // Shown already: the texts follow new amounts in place (a newer config's block of the
      // same id is built again).
      if (el.getAttribute(RULE) === d.rule && el.getAttribute(BLOCK) === d.block && made.get(el) === blocks[d.block] &&
        (!filled.has(el) || refill(filled.get(el), d))) {
        live.set(el, d);
        continue;
      }
      let built;
      const holes = holesOf(d);
      try {
        if (!Object.prototype.hasOwnProperty.call(blocks, d.block)) throw new Error("no such block");
        built = build(document, blocks[d.block], holes);
      } catch (_) {
        if (!warned) warn("block \"" + d.block + "\" could not be built (not in the compiled config, or refused); its slot keeps its default content");
        warned = true;
        continue;
      }
      if (!el.hasAttribute(RULE)) defaults.set(el, Array.from(el.childNodes));
      el.replaceChildren(built);
      el.setAttribute(RULE, d.rule);
      el.setAttribute(BLOCK, d.block);
      filled.set(el, holes);
      actions(built, d, (how) => { if (how !== "accept") outcome("dismissed", d, {}); restore(el); });
      live.set(el, d);
      made.set(el, blocks[d.block]);
      // Observed afresh: a slot that was a control's is in view already, and is seen again.
      if (observer) { observer.unobserve(el); observer.observe(el); }
      changed++;
    }
    // A control's overlay (or the holdout's) does not open; the moment it would have is its
    // view: a dialog is claimed, so it uses up the session's dialog as one that opened.
    const open = [];
    for (const d of decisions) {
      if (d.placement === "slot" || d.block) open[open.length] = d;
      else if (!viewed.has(d.placement)) {
        viewed.add(d.placement);
        if (d.placement === "dialog") hooks.claim(d); else outcome("viewed", d, {});
      }
    }
    syncOverlays(open, blocks);
    return changed;
  };
  /** A new page view (a route of a single-page app): blocks may be viewed again. */
  render.newPage = () => { viewed.clear(); accepted.clear(); if (overlays) overlays.newPage(); };
  return render;
}
