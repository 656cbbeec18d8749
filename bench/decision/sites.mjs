// What each library's origin serves. Each library gets its own server (its own origin), so the
// two never share storage, cookies or cache, and both serve the store page at the same path.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { GROWTHBOOK_SCRIPT, TRAILMARK_BASE, clsStorePage, growthbookHead, storePage, trailmarkHead } from "./pages.mjs";
import { compileConfig } from "../../tests/e2e/harness.mjs";
import { CLS_VARIANTS, clsPath } from "./cls.mjs";
import { STORE_PATH, trailmarkConfig } from "./rules.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;

/**
 * Trailmark's site: the store page with its compiled config inline (compiled by the real
 * `trailmark build`), and every file of pkg/ (so whatever the loader asks for, chunks included,
 * is there, and the page's requests decide what is downloaded). Also the CLS pages (cls.mjs),
 * one path per variant. `pkg`: another build's pkg/ directory (compare.mjs).
 */
export function trailmarkSite(collectorUrl, pkg = join(ROOT, "pkg")) {
  const compiled = compileConfig(trailmarkConfig(collectorUrl));
  const routes = new Map([[STORE_PATH, storePage(trailmarkHead(compiled))]]);
  for (const v of CLS_VARIANTS.filter((v) => v.libs.includes("trailmark"))) {
    const config = v.bar ? compileConfig(trailmarkConfig(collectorUrl, { withBar: true })) : compiled;
    routes.set(clsPath(v), clsStorePage(trailmarkHead(config), v));
  }
  for (const name of readdirSync(pkg)) {
    if (statSync(join(pkg, name)).isFile()) routes.set(TRAILMARK_BASE + name, readFileSync(join(pkg, name)));
  }
  return { name: "Trailmark", short: "trailmark", routes };
}

/**
 * GrowthBook's site: the store page (payload inline) and the script-tag bundle from npm; also
 * the CLS pages (cls.mjs).
 */
export function growthbookSite() {
  const bundle = join(ROOT, "node_modules/@growthbook/growthbook/dist/bundles/auto.min.js");
  const routes = new Map([
    [STORE_PATH, storePage(growthbookHead())],
    [GROWTHBOOK_SCRIPT, readFileSync(bundle)],
  ]);
  for (const v of CLS_VARIANTS.filter((v) => v.libs.includes("growthbook"))) {
    routes.set(clsPath(v), clsStorePage(growthbookHead({ reveal: v.snippet }), v));
  }
  return { name: "GrowthBook", short: "growthbook", routes };
}

/** The npm version of GrowthBook served (for the report). */
export const growthbookVersion = () =>
  JSON.parse(readFileSync(join(ROOT, "node_modules/@growthbook/growthbook/package.json"), "utf8")).version;
