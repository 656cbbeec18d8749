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
 * is no GrowthBook server) and the renderer.
 */
export function growthbookHead() {
  const config = `window.growthbook_config = { payload: ${JSON.stringify(growthbookPayload())}, attributes: benchVisitor.attributes(), noStreaming: true };`;
  return `<script>${minified(read("visitor-state.js") + config + read("growthbook-render.js"))}</script>\n` +
    `<script async src="${GROWTHBOOK_SCRIPT}"></script>`;
}
