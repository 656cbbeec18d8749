// GrowthBook's conformance suite, the five bucketing sections, through the JavaScript-facing
// functions of the built tools chunk (pkg/trailmark_tools.js), called with the suite's own
// JavaScript values, as a page calls them (the checks: tests/bucketing_sections.mjs). The native
// (tests/conformance_bucketing.rs) and in-wasm (tests/wasm_conformance.rs) runs call the Rust
// functions; this one checks the bindings too, in node; tests/e2e/bucketing.test.mjs in a page in
// Chromium. Each section prints its tally and must pass in full.
//
//   scripts/build --no-check && node --test tests/tools_bucketing.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as tools from "../pkg/trailmark_tools.js";
import { SECTIONS, failuresOf } from "./bucketing_sections.mjs";

tools.initSync({ module: readFileSync(new URL("../pkg/trailmark_tools_bg.wasm", import.meta.url)) });
const suite = JSON.parse(readFileSync(new URL("fixtures/growthbook/cases.json", import.meta.url), "utf8"));

for (const [section, count] of Object.entries(SECTIONS)) {
  test(section, async () => {
    assert.equal(suite[section].length, count, `${section}: the suite has ${suite[section].length} cases`);
    const failures = await failuresOf(section, suite, (name, args) => tools[name](...args));
    console.log(`${section}: ${count - failures.length}/${count} passed (tools chunk, from JavaScript)`);
    assert.deepEqual(failures, []);
  });
}
