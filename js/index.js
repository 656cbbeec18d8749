// The ESM entry for bundlers: `import { init } from "trailmark"`.
import initModule, * as wasm from "./trailmark_core.js";
import { createRuntime, TrailmarkError } from "./runtime.js";

let api = null;

/**
 * Starts Trailmark once (later calls return the same API). `options.config` is a config object
 * (compiled by `trailmark build`, or JSON: then the tools chunk compiles it) or a URL;
 * `options.wasm` overrides where the `.wasm` file is fetched from; `options.autoPage` (default
 * true) and `options.adapters` (`["ga4", "shopify"]`, default none) as in the README.
 */
export function init(options = {}) {
  if (!api) {
    api = createRuntime(async () => {
      await initModule(options.wasm ? { module_or_path: options.wasm } : undefined);
      return wasm;
    }, {
      ...options,
      loadAdapters: () => import("./trailmark_adapters.js"),
      loadUi: () => import("./trailmark_ui.js"),
      loadTools: () => import("./trailmark_tools.js").then(async (m) => {
        await m.default();
        return m;
      }),
    });
  }
  return api;
}

export { TrailmarkError };
