// The script-tag entry: <script src=".../trailmark.js" async></script>, with the config inline
// (<script type="application/json" data-trailmark-config>, compiled or JSON) or named by
// data-config="/trailmark.compiled.json". Optional attributes: data-auto-page="false" (no
// automatic page views), data-adapters="ga4 shopify" (capture a GA4 dataLayer and/or Shopify
// Web Pixel events).
//
// The module's JavaScript glue is bundled into this file, and the .wasm is requested the moment
// this script runs (a <link rel="preload"> lets the browser start even earlier), so a page waits
// for two downloads side by side, never a chain of three.
//
// Calls made before this script runs are queued by the page in a plain array
// (`window.trailmark = window.trailmark || []; trailmark.push(["track", ...])`) and replayed in
// order. No eval, no inline script, no innerHTML: it runs under a strict CSP and Trusted Types.
import initCore, * as core from "trailmark-core-glue";
import { createRuntime } from "./runtime.js";

(() => {
  const existing = window.trailmark;
  if (existing && !Array.isArray(existing)) return; // already running: init is idempotent
  const script = document.currentScript;
  const base = new URL(".", (script && script.src) || location.href);
  const wasm = new URL("trailmark_core_bg.wasm", base);
  // At once: the download overlaps everything below (and the page's own work). Where the
  // page's fetch throws or fails (replaced, wrapped, blocked), XMLHttpRequest brings the bytes.
  const xhr = () => new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open("GET", wasm);
    x.responseType = "arraybuffer";
    x.onload = () => (x.status == 200 ? resolve(x.response) : reject(new Error("HTTP " + x.status)));
    x.onerror = reject;
    x.send();
  });
  let response = null;
  try { response = typeof WebAssembly === "object" ? fetch(wasm).catch(xhr) : null; } catch (_) { response = xhr(); }
  if (response) response.catch(() => { /* reported when the module loads */ });
  // The first touch of each storage area is the browser loading it (several ms at 4x CPU in
  // Chromium's profiles of the module's start-up task): done here, it overlaps the download.
  try { localStorage.length; sessionStorage.length; } catch (_) { /* disabled: the module says so */ }
  let config = script && script.getAttribute("data-config");
  const inline = document.querySelector("script[type='application/json'][data-trailmark-config]");
  // Parsed by the browser's own parser (Response.json), not the page's JSON.parse, which a page
  // may have replaced; the runtime waits for it.
  if (!config && inline) {
    config = new Response(inline.textContent).json().catch((e) => {
      console.error("[trailmark] inline config is not JSON (" + e.message + "); default content stays.");
    });
  }
  const load = async () => {
    await initCore({ module_or_path: response || wasm });
    return core;
  };
  // Optional chunks, next to this file: fetched only on pages that need them.
  const chunk = (name) => import(new URL(name, base).href);
  const attr = (name) => (script && script.getAttribute(name)) || "";
  const api = createRuntime(load, {
    config,
    autoPage: attr("data-auto-page") !== "false",
    adapters: attr("data-adapters").split(/[\s,]+/),
    loadAdapters: () => chunk("trailmark_adapters.js"),
    loadUi: () => chunk("trailmark_ui.js"),
    loadTools: () => chunk("trailmark_tools.js").then(async (m) => {
      await m.default({ module_or_path: new URL("trailmark_tools_bg.wasm", base) });
      return m;
    }),
  });
  window.trailmark = api;
  for (const command of existing || []) api.push(command);
})();
