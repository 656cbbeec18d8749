// Experiments and the holdout, end to end: the demo store in headless Chromium against the real
// collector. The demo config's `roast-club-test` splits shoppers who looked at a product between
// the Roast Club promo as the page has it (the control: default content) and a half-price first
// bag, in the home page's `home-secondary` slot, below the fold.
//
// - two visitors land in different variants, exactly as GrowthBook's own `run()` assigns their
//   ids (`@growthbook/growthbook`, the pinned dev dependency), and a reload keeps each one's;
// - `Experiment Viewed` arrives once, only after the slot was scrolled into view (the hero's
//   `Block Viewed` proves the page was looked at long enough before), with Segment's properties;
//   the control's exposure the same way, its view a `Block Viewed` with `control: true`;
// - a visitor in the holdout sees the default content in every slot and no overlay, and is
//   exposed to the holdout;
// - preview forces a variant with the config's key, and records nothing;
// - the worked example of docs/experiments.md: twelve shoppers on the demo store, the ready query
//   (docs/experiments.sql) over the collector's SQLite file.
//
//   node --test --test-concurrency=1 tests/e2e/experiments.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { GrowthBook } from "@growthbook/growthbook";
import { startCollector, launchBrowser, stopStoreAndBrowser, routeConfig, pollUntil, quiet, watchPage, trailmarkLines } from "./harness.mjs";

const TIMEOUT = { timeout: 60_000 };
const SLOT = "[data-trailmark-slot='home-secondary']";
const KEY = "roast-club-2026-12";
const CONTROL_TEXT = /A fresh bag every two weeks, 10% off/;
const HALF_PRICE_HEADING = "Your first bag is half price";
const EXPOSURE = { experiment_id: KEY, experiment_name: "Roast Club: first bag half price", rule: "roast-club-test", slot: "home-secondary" };

let collector;
let browser;
before(async () => { browser = await launchBrowser(); });
after(() => stopStoreAndBrowser(collector, browser));

/** What GrowthBook's `run()` gives the visitor `id` in the demo's experiment (0 control, 1 half price). */
function growthbookVariant(id) {
  const gb = new GrowthBook({ attributes: { id } });
  const r = gb.run({ key: KEY, variations: [0, 1], hashVersion: 2 });
  gb.destroy();
  return r.inExperiment ? r.value : null;
}

/** The first demo-shaped anonymous id GrowthBook puts in `variant`. */
const visitorIn = (variant, from = 0) => {
  for (let i = from; ; i++) {
    const id = `e2e-visitor-${i}`;
    if (growthbookVariant(id) === variant) return id;
  }
};

/** A fresh context whose visitor's stored anonymous id is `id` (as Trailmark stores it). */
async function visitorContext(id) {
  const context = await browser.newContext();
  await context.addInitScript((aid) => {
    if (!localStorage.getItem("trailmark:aid")) localStorage.setItem("trailmark:aid", JSON.stringify({ v: 1, d: aid }));
  }, id);
  const page = await context.newPage();
  return { context, page, watch: watchPage(page) };
}

const ready = (page) => page.evaluate(() => new Promise((r) => window.trailmark.ready(() => r(true))));
const slotDecision = (page) => page.evaluate(() => window.trailmark.decisions().find((d) => d.slot === "home-secondary") || null);
/** The page's decisions, once the module decided with the config (it may still be arriving at `ready`). */
const decided = (page) => pollUntil(async () => {
  const d = await page.evaluate(() => window.trailmark.decisions());
  return d.length ? d : null;
});

/** The home page after a product page (the experiment's audience: shoppers who viewed a product). */
async function homeAfterProduct(page) {
  await page.goto(collector.store + "product-ethiopia.html");
  await ready(page);
  await decided(page);
  await page.goto(collector.store);
  await ready(page);
  await decided(page);
}

const rowsOf = (anonymousId, event) => collector.query(
  `SELECT properties FROM events WHERE anonymous_id = '${anonymousId}' AND event = '${event}' ORDER BY tab_id, seq`)
  .map((r) => JSON.parse(r.properties));

test("two visitors land in the variants GrowthBook gives their ids, and a reload keeps each one's", TIMEOUT, async () => {
  collector = await startCollector();
  const [control, halfPrice] = [visitorIn(0), visitorIn(1)];
  for (const [id, variant] of [[control, 0], [halfPrice, 1]]) {
    const { context, page, watch } = await visitorContext(id);
    await homeAfterProduct(page);
    for (const round of ["first", "after a reload"]) {
      const d = await slotDecision(page);
      if (variant === 0) {
        assert.deepEqual(d, { slot: "home-secondary", placement: "slot", rule: "roast-club-test", block: "" }, `${id} ${round}`);
        assert.match(await page.textContent(SLOT), CONTROL_TEXT);
        assert.equal(await page.locator(`${SLOT}[data-trailmark-rule]`).count(), 0, "the default content, untouched");
      } else {
        assert.deepEqual(d, { slot: "home-secondary", placement: "slot", rule: "roast-club-test", block: "club-half-price" }, `${id} ${round}`);
        assert.equal(await page.textContent(`${SLOT} h2`), HALF_PRICE_HEADING);
      }
      await page.reload();
      await ready(page);
      await decided(page);
    }
    assert.deepEqual(watch.pageErrors, []);
    assert.deepEqual(trailmarkLines(watch.consoleMessages), []);
    await context.close();
  }
  collector.stop();
});

test("Experiment Viewed arrives once, only after the slot was scrolled into view; the control's too", TIMEOUT, async () => {
  collector = await startCollector();
  for (const [id, variant] of [[visitorIn(1), { variation_id: "half-price", variation_name: "First bag half price" }],
    [visitorIn(0), { variation_id: "control", variation_name: "Roast Club promo" }]]) {
    const { context, page } = await visitorContext(id);
    await homeAfterProduct(page);
    assert.ok(await slotDecision(page), "decided");
    // The hero (in view from the start) is seen and sent: the page was looked at for well over
    // a second, and the slot below the fold was not exposed.
    await collector.waitFor(`SELECT * FROM events WHERE anonymous_id = '${id}' AND event = 'Block Viewed'`,
      (rows) => rows.some((r) => JSON.parse(r.properties).slot === "hero"));
    assert.deepEqual(rowsOf(id, "Experiment Viewed"), [], `${id}: not exposed before the slot was seen`);
    await page.locator(SLOT).scrollIntoViewIfNeeded();
    await collector.waitFor(`SELECT * FROM events WHERE anonymous_id = '${id}' AND event = 'Experiment Viewed'`, (rows) => rows.length >= 1);
    // Seen again on the same page: no second exposure.
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator(SLOT).scrollIntoViewIfNeeded();
    await pollUntil(() => page.evaluate(() => true)); // one more turn of the page
    await context.close();
    await quiet(collector);
    assert.deepEqual(rowsOf(id, "Experiment Viewed"), [{ ...EXPOSURE, ...variant }], id);
    const views = rowsOf(id, "Block Viewed").filter((p) => p.slot === "home-secondary");
    assert.deepEqual(views, [variant.variation_id === "control"
      ? { rule: "roast-club-test", control: true, placement: "slot", slot: "home-secondary" }
      : { rule: "roast-club-test", block: "club-half-price", placement: "slot", slot: "home-secondary" }]);
  }
  collector.stop();
});

test("a visitor in the holdout sees the default content everywhere, no overlay, and is exposed to the holdout", TIMEOUT, async () => {
  collector = await startCollector();
  const id = visitorIn(1);
  const { context, page, watch } = await visitorContext(id);
  // Everyone held out: the demo config with a holdout of share 1.
  await routeConfig(context, (config) => ({ ...config, holdout: { share: 1, key: "holdout-2026" } }));
  await homeAfterProduct(page);
  const decisions = await decided(page);
  assert.deepEqual(decisions.map((d) => [d.slot || d.placement, d.rule, d.block]), [
    ["hero", "home-hero-welcome", ""],
    ["home-secondary", "roast-club-test", ""],
    ["bar-top", "free-shipping-bar", ""],
  ]);
  assert.equal(await page.textContent("#hero-title"), "Small-batch coffee, roasted every Tuesday");
  assert.match(await page.textContent(SLOT), CONTROL_TEXT);
  assert.equal(await page.locator("[data-trailmark-rule], .tm-overlay").count(), 0, "nothing of Trailmark's on the page");
  await collector.waitFor(`SELECT * FROM events WHERE anonymous_id = '${id}' AND event = 'Experiment Viewed'`, (rows) => rows.length >= 2);
  await context.close();
  await quiet(collector);
  // Once per page view: the product page (its bar would have shown) and the home page.
  const exposures = rowsOf(id, "Experiment Viewed");
  assert.equal(exposures.length, 2, JSON.stringify(exposures));
  for (const p of exposures) {
    assert.equal(p.experiment_id, "holdout-2026");
    assert.equal(p.variation_id, "holdout");
  }
  assert.deepEqual(watch.pageErrors, []);
  assert.deepEqual(trailmarkLines(watch.consoleMessages), []);
  collector.stop();
});

test("preview forces a variant with the config's key, records nothing, and is ignored without the key", TIMEOUT, async () => {
  collector = await startCollector();
  const id = visitorIn(0);
  const { context, page } = await visitorContext(id);
  await homeAfterProduct(page);
  const preview = "?trailmark-preview=roast-club-test&trailmark-variant=half-price";
  await page.goto(collector.store + preview + "&trailmark-key=wrong-key-1");
  await ready(page);
  await decided(page);
  assert.equal((await slotDecision(page)).block, "", "a wrong key changes nothing");
  await page.goto(collector.store + preview + "&trailmark-key=northwind-qa");
  await ready(page);
  await decided(page);
  assert.deepEqual(await slotDecision(page),
    { slot: "home-secondary", placement: "slot", rule: "roast-club-test", block: "club-half-price", preview: true });
  // Seen: the page hears of it (`trailmark:show`), the collector must not.
  const shown = page.evaluate(() => new Promise((resolve) => document.addEventListener("trailmark:show",
    (e) => { if (e.detail.rule === "roast-club-test") resolve(e.detail); })));
  await page.locator(SLOT).scrollIntoViewIfNeeded();
  assert.equal(await page.textContent(`${SLOT} h2`), HALF_PRICE_HEADING);
  assert.deepEqual(await shown, { rule: "roast-club-test", block: "club-half-price", placement: "slot", slot: "home-secondary" });
  await context.close();
  await quiet(collector);
  assert.deepEqual(rowsOf(id, "Experiment Viewed").filter((p) => p.variation_id === "half-price"), []);
  assert.deepEqual(rowsOf(id, "Block Viewed").filter((p) => p.block === "club-half-price"), []);
  collector.stop();
});

test("the ready query over the demo store: exposures, conversions and the sample-ratio check per variant", { timeout: 180_000 }, async (t) => {
  collector = await startCollector();
  // Six shoppers in each variant (as GrowthBook assigns them); of the half-price ones two order
  // after seeing it, of the control one, and one control shopper orders before ever seeing it
  // (not a conversion: it came before the exposure).
  const shoppers = [];
  for (const variant of [0, 1]) {
    let from = 0;
    for (let n = 0; n < 6; n++) {
      const id = visitorIn(variant, from);
      from = Number(id.split("-").pop()) + 1;
      shoppers.push({ id, variant, orders: variant === 1 ? n < 2 : n < 1, early: variant === 0 && n === 5 });
    }
  }
  let orderNumber = 0;
  const order = (page) => page.evaluate((n) => window.trailmark.track("Order Completed",
    { order_id: "demo-" + n, total: 3300, revenue: 3300, currency: "USD" }), ++orderNumber);
  for (const s of shoppers) {
    const { context, page } = await visitorContext(s.id);
    if (s.early) {
      await page.goto(collector.store);
      await ready(page);
      await order(page);
    }
    await homeAfterProduct(page);
    await page.locator(SLOT).scrollIntoViewIfNeeded();
    await collector.waitFor(`SELECT * FROM events WHERE anonymous_id = '${s.id}' AND event = 'Experiment Viewed'`, (rows) => rows.length >= 1);
    if (s.orders) await order(page);
    await context.close();
  }
  await quiet(collector);
  const query = readFileSync(new URL("../../docs/experiments.sql", import.meta.url), "utf8");
  const table = execFileSync("sqlite3", ["-header", "-column", collector.db], { input: query, encoding: "utf8" });
  t.diagnostic("docs/experiments.sql over the demo store's collector:\n" + table);
  const rows = JSON.parse(execFileSync("sqlite3", ["-json", collector.db], { input: query, encoding: "utf8" }));
  assert.deepEqual(rows.map((r) => [r.experiment_id, r.variation_id, r.exposed, r.converted, r.conversion_rate, r.orders, r.revenue, r.srm, r.excluded]), [
    [KEY, "control", 6, 1, 0.1667, 1, 3300, "ok", 0],
    [KEY, "half-price", 6, 2, 0.3333, 2, 6600, "ok", 0],
  ]);
  collector.stop();
});
