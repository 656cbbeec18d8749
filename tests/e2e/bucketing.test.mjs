// GrowthBook's conformance suite, the five bucketing sections, through `trailmark.tools()` in a
// real page in headless Chromium: the demo store loads the tools chunk on request, and every
// case calls its function there, as a site's own script would (the checks:
// tests/bucketing_sections.mjs). Each section prints its tally and must pass in full.
//
//   node --test tests/e2e/bucketing.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startStoreAndBrowser, stopStoreAndBrowser, openPage, trailmarkLines } from "./harness.mjs";
import { SECTIONS, failuresOf } from "../bucketing_sections.mjs";

const suite = JSON.parse(readFileSync(new URL("../fixtures/growthbook/cases.json", import.meta.url), "utf8"));
let collector;
let browser;
before(async () => ({ collector, browser } = await startStoreAndBrowser()));
after(() => stopStoreAndBrowser(collector, browser));

test("the bucketing sections pass through trailmark.tools() in Chromium", { timeout: 60_000 }, async (t) => {
  const { context, page, consoleMessages, pageErrors } = await openPage(browser);
  await page.goto(collector.store);
  // A call in the page: the result as plain values (typed arrays as arrays).
  const call = (name, args) => page.evaluate(async ([n, a]) => {
    const tools = await window.trailmark.tools();
    const plain = (v) => (v && typeof v === "object" && typeof v.length === "number" ? Array.from(v, plain) : v);
    return plain(tools[n](...a));
  }, [name, args]);
  for (const [section, count] of Object.entries(SECTIONS)) {
    const failures = await failuresOf(section, suite, call);
    t.diagnostic(`${section}: ${count - failures.length}/${count} passed (trailmark.tools() in Chromium)`);
    assert.deepEqual(failures, [], section);
  }
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(trailmarkLines(consoleMessages), []);
  await context.close();
});
