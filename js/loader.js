// The script-tag entry: <script src=".../trailmark.js" data-config="/trailmark.json" async>.
// Optional attributes: data-auto-page="false" (no automatic page views), data-adapters="ga4
// shopify" (capture a GA4 dataLayer and/or Shopify Web Pixel events).
//
// Calls made before this script runs are queued by the page in a plain array
// (`window.trailmark = window.trailmark || []; trailmark.push(["track", ...])`) and replayed in
// order. No eval, no inline script, no innerHTML: it runs under a strict CSP and Trusted Types.
import { createRuntime } from "./runtime.js";

(() => {
  const existing = window.trailmark;
  if (existing && !Array.isArray(existing)) return; // already running: init is idempotent
  const script = document.currentScript;
  const base = new URL(".", (script && script.src) || location.href);
  let config = script && script.getAttribute("data-config");
  const inline = document.querySelector("script[type='application/json'][data-trailmark-config]");
  if (!config && inline) {
    try { config = JSON.parse(inline.textContent); } catch (e) {
      console.error("[trailmark] inline config is not JSON (" + e.message + "); default content stays.");
      config = undefined;
    }
  }
  const load = () => import(new URL("trailmark_core.js", base).href).then(async (m) => {
    await m.default({ module_or_path: new URL("trailmark_core_bg.wasm", base) });
    return m;
  });
  const attr = (name) => (script && script.getAttribute(name)) || "";
  const api = createRuntime(load, {
    config,
    autoPage: attr("data-auto-page") !== "false",
    adapters: attr("data-adapters").split(/[\s,]+/),
    loadAdapters: () => import(new URL("trailmark_adapters.js", base).href),
  });
  window.trailmark = api;
  for (const command of existing || []) api.push(command);
})();
