// Size report and size test: raw, gzip -9 and brotli -q 11 bytes of everything a page loads.
// Fails (exit 1) when the brotli total of the core path exceeds the budget in size-budget.json,
// which only ever goes down. Optional chunks (imported only when a store enables them) are listed
// in a table of their own, outside the total and the budget. Writes target/size-report.md for
// the README.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const budget = JSON.parse(readFileSync("size-budget.json", "utf8"));
// The script tag's loader (the module's glue bundled in) and the module; a compiled config
// comes inline or beside them and depends on the site (the benchmarks count the demo's).
const corePath = ["pkg/trailmark.js", "pkg/trailmark_core_bg.wasm"];
// Loaded only when needed: the page-UI chunk (overlays and the page sampler, on pages that show
// an overlay or watch page state), the adapters (data-adapters="ga4 shopify"), the tools chunk (a JSON
// config compiled in the page, validateConfig, evalCondition, bucketing), and the glue on its
// own for the ESM entry (a bundler's build loads index.js + trailmark_core.js instead of
// trailmark.js).
const optional = ["pkg/trailmark_ui.js", "pkg/trailmark_adapters.js", "pkg/trailmark_tools.js", "pkg/trailmark_tools_bg.wasm",
  "pkg/index.js", "pkg/trailmark_core.js"];

const measure = (file) => {
  const bytes = readFileSync(file);
  return {
    file,
    raw: bytes.length,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 11,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }).length,
  };
};
const rows = corePath.map(measure);
const total = rows.reduce((t, r) => ({ raw: t.raw + r.raw, gzip: t.gzip + r.gzip, brotli: t.brotli + r.brotli }),
  { raw: 0, gzip: 0, brotli: 0 });

const fmt = (n) => n.toLocaleString("en-US");
const row = (r) => `| \`${r.file.replace("pkg/", "")}\` | ${fmt(r.raw)} | ${fmt(r.gzip)} | ${fmt(r.brotli)} |`;
const lines = [
  "| file (core path: what a page loads) | raw | gzip -9 | brotli -q 11 |",
  "|---|---:|---:|---:|",
  ...rows.map(row),
  `| **total** | **${fmt(total.raw)}** | **${fmt(total.gzip)}** | **${fmt(total.brotli)}** |`,
  "",
  "| optional chunks (loaded only when needed) and the ESM entry's files | raw | gzip -9 | brotli -q 11 |",
  "|---|---:|---:|---:|",
  ...optional.map(measure).map(row),
];
const table = lines.join("\n");
mkdirSync("target", { recursive: true });
writeFileSync("target/size-report.md", table + "\n");
console.log(table);

const over = total.brotli > budget.coreBrotliBytes;
console.log(`size budget: ${fmt(total.brotli)} of ${fmt(budget.coreBrotliBytes)} brotli bytes ` +
  `(goal ${fmt(budget.goalBrotliBytes)}) ${over ? "OVER BUDGET" : "ok"}`);
if (over && !process.argv.includes("--report-only")) {
  console.error("size check failed: the core path grew past size-budget.json; shrink it (a feature may raise the budget only by its measured bytes, recorded in the README)");
  process.exit(1);
}
