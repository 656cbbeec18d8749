// Journeys end to end: the demo store's abandoned-cart journey (www/trailmark.json) walked in
// headless Chromium against the real collector: view a product, add it, leave, come back a day
// later. Time is an input here too: the return visit runs with the page's `Date.now` moved a
// day ahead (the module reads time only through it), so the test takes seconds, not a day.
//
//   node --test --test-concurrency=1 tests/e2e/journeys.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { trailmarkLines, startStoreAndBrowser, stopStoreAndBrowser, NOT_OUTCOME } from "./harness.mjs";

const TIMEOUT = { timeout: 60_000 };
const DAY = 86_400_000;
// Outcome events (Block Viewed, ...) are checked in overlays.test.mjs.
const ALL = `SELECT * FROM events WHERE ${NOT_OUTCOME} ORDER BY tab_id, seq`;

let collector;
let browser;

before(async () => ({ collector, browser } = await startStoreAndBrowser()));
after(() => stopStoreAndBrowser(collector, browser));

const parse = (r) => ({ ...r, props: r.properties ? JSON.parse(r.properties) : {}, ctx: JSON.parse(r.context) });
const label = (r) => (r.type === "page" ? "page " + new URL(r.props.url).pathname : r.event);

async function ready(page) {
  await page.waitForFunction(() => window.trailmark && !Array.isArray(window.trailmark));
  await page.evaluate(() => new Promise((r) => window.trailmark.ready(() => r())));
}

test("abandoned cart: view, add, leave, come back; the stages arrive in order", TIMEOUT, async () => {
  const context = await browser.newContext();
  // The clock this tab runs on: real time plus a shift kept in sessionStorage (set before the
  // return visit), applied before any script of the page runs.
  await context.addInitScript(() => {
    let shift = 0;
    try { shift = Number(sessionStorage.getItem("__tmClockShift") || 0); } catch (_) { /* about:blank */ }
    if (shift) {
      const real = Date.now;
      Date.now = () => real() + shift;
    }
  });
  const messages = [];
  const errors = [];
  const page = await context.newPage();
  page.on("console", (m) => messages.push({ type: m.type(), text: m.text() }));
  page.on("pageerror", (e) => errors.push(String(e)));

  // Day 1: a product, into the cart, and away.
  await page.goto(collector.store + "product-ethiopia.html");
  await ready(page);
  await page.click("form[data-add-to-cart] button[type=submit]");
  await page.waitForSelector("text=Added 1 × Ethiopia Yirgacheffe");
  const firstVisit = await collector.waitFor(ALL, (rows) => rows.some((r) => r.event === "Journey Stage Entered"));
  await page.evaluate((d) => sessionStorage.setItem("__tmClockShift", String(d)), DAY);
  await page.goto("about:blank");

  // Day 2: the same tab comes back to the home page.
  await page.goto(collector.store);
  await ready(page);
  await page.waitForSelector("[data-trailmark-block='cart-reminder']");
  assert.match(await page.textContent("[data-trailmark-slot='hero']"), /Your cart is still here/);
  await page.goto("about:blank");

  const rows = (await collector.waitFor(ALL, (r) => r.filter((e) => e.event === "Journey Stage Entered").length >= 3)).map(parse);
  const journey = rows.filter((r) => r.event === "Journey Stage Entered");
  assert.deepEqual(
    journey.map((r) => [r.props.journey, r.props.stage, r.props.previous_stage]),
    [
      ["abandoned-cart", "in-cart", null],
      ["abandoned-cart", "abandoned", "in-cart"],
      ["abandoned-cart", "came-back", "abandoned"],
    ],
  );
  // Where they sit among the tab's other events, in (tabId, seq) order: "in-cart" right after
  // the add; on the return, "abandoned" as soon as the page applies its (cached) config, before
  // its page view, and "came-back" with the page view, which starts the new session.
  const labels = rows.map(label);
  const added = labels.indexOf("Product Added");
  assert.deepEqual(
    labels.slice(added, added + 6),
    ["Product Added", "Journey Stage Entered", "Page Engagement", "Journey Stage Entered", "page /", "Journey Stage Entered"],
    labels.join(", "),
  );
  const back = added + 4;
  // The return is a new session, a day later; all of it is one tab.
  assert.equal(new Set(rows.map((r) => r.tab_id)).size, 1);
  assert.notEqual(rows[back].ctx.sessionId, rows[added].ctx.sessionId);
  assert.ok(Date.parse(rows[back].timestamp) - Date.parse(rows[added].timestamp) >= DAY);
  assert.ok(firstVisit.length > 0);
  assert.deepEqual(errors, []);
  assert.deepEqual(trailmarkLines(messages), []);
  await context.close();
});
