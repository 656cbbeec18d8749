// The one store page, and each library's install snippet for its <head>.
//
// trailmarkHead() is THE place that says how a store installs Trailmark: it follows the path the
// README's "Install on a site" describes first. When that path changes (a compiled config,
// inline or fetched; preload tags; other file names in pkg/), change this function and
// trailmarkSite() in sites.mjs, nothing else: the byte count and the timings are taken from
// the network, whatever files the page ends up loading.
import { existsSync, readFileSync } from "node:fs";
import { transformSync } from "esbuild";
import { growthbookPayload } from "./rules.mjs";

const HERE = new URL("./", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
const read = (name) => readFileSync(HERE + name, "utf8");
// Inline code is minified as a store's build would (its comments are for this repository).
const minified = (code) => transformSync(code, { minify: true, target: "es2020" }).code.trim();

/** Where the files of pkg/ are served (the README's example puts them under /trailmark/). */
export const TRAILMARK_BASE = "/trailmark/";
/** Where GrowthBook's script-tag bundle is served. */
export const GROWTHBOOK_SCRIPT = "/growthbook/auto.min.js";

/** The store page with `head` (a library's snippet) in its <head>. */
export function storePage(head) {
  return read("store.html").replace("<!--LIBRARY-->", head);
}

/** The no-flicker snippet, exactly as the README's "No flicker" section gives it. */
export const NO_FLICKER_CSS = "[data-trailmark-pending]{visibility:hidden;animation:trailmark-reveal 0s 400ms forwards}@keyframes trailmark-reveal{to{visibility:visible}}";

// The CLS page's slot defaults: the hero's is one line (its block is 300 px tall, as a hero
// with a picture would be), the promo's is three lines in a padded box (its block is one line).
const CLS_DEFAULTS = [
  [
    '<section class="default"><h1>Coffee</h1><p>Single origins and blends, roasted every Tuesday.</p></section>',
    '<p class="default">Coffee: single origins and blends, roasted every Tuesday.</p>',
  ],
  [
    '<p class="default">Subscribe and save 10% on every bag.</p>',
    '<div class="default"><p><strong>Subscribe and save 10% on every bag.</strong></p><p>Pick a coffee and how often; we roast it the Tuesday before it ships.</p><p>Pause, skip or cancel any time from your account.</p></div>',
  ],
];
const CLS_CSS = "\n  /* CLS page: a 16 px gap after each slot (no margins inside), a 300 px hero block */\n" +
  "  [data-trailmark-slot] { margin-bottom: 16px; }\n" +
  "  [data-trailmark-slot] > *, [data-trailmark-slot] .default p { margin: 0; }\n" +
  '  [data-trailmark-slot="hero"] .blk { min-height: 300px; box-sizing: border-box; }\n';

/**
 * The CLS variant of the store page (cls.mjs): the same page whose personalized blocks are
 * taller (hero) or shorter (promo, note) than the slots' default content. With `snippet`,
 * the page's stylesheet has the no-flicker rule and every slot carries `data-trailmark-pending`,
 * as the README's "No flicker" section says.
 */
export function clsStorePage(head, { snippet }) {
  let html = storePage(head);
  for (const [from, to] of CLS_DEFAULTS) {
    if (!html.includes(from)) throw new Error(`store.html changed: the CLS page cannot find ${from}`);
    html = html.replace(from, to);
  }
  html = html.replace("</style>", CLS_CSS + (snippet ? "  " + NO_FLICKER_CSS + "\n" : "") + "</style>");
  if (snippet) html = html.replace(/<div data-trailmark-slot="[a-z]+"/g, "$& data-trailmark-pending");
  return html;
}

/**
 * Trailmark, installed as the README says first: a preload of the module, the compiled config
 * inline (what `trailmark build --inline` writes; `compiled` is its JSON), and one async script
 * tag.
 */
export function trailmarkHead(compiled) {
  if (!existsSync(ROOT + "pkg/trailmark.js")) throw new Error("pkg/trailmark.js is missing: run scripts/build");
  return `<link rel="preload" href="${TRAILMARK_BASE}trailmark_core_bg.wasm" as="fetch" type="application/wasm" crossorigin>\n` +
    `<script type="application/json" data-trailmark-config>${compiled.trim()}</script>\n` +
    `<script src="${TRAILMARK_BASE}trailmark.js" async></script>`;
}

/**
 * GrowthBook's script tag (async, as its docs show it), after the page's own visitor state,
 * the inline payload (window.growthbook_config: features, attributes; no streaming, since there
 * is no GrowthBook server) and the renderer; with `reveal` (the CLS page with the no-flicker
 * snippet), also growthbook-reveal.js.
 */
export function growthbookHead({ reveal = false } = {}) {
  const config = `window.growthbook_config = { payload: ${JSON.stringify(growthbookPayload())}, attributes: benchVisitor.attributes(), noStreaming: true };`;
  const code = read("visitor-state.js") + config + read("growthbook-render.js") + (reveal ? read("growthbook-reveal.js") : "");
  return `<script>${minified(code)}</script>\n` +
    `<script async src="${GROWTHBOOK_SCRIPT}"></script>`;
}
