// What of a URL leaves the device, and what a hostile URL cannot do (issue 11, findings 1 and
// 2), end to end: the demo store in headless Chromium, the real collector and its SQLite file.
//
//   node --test --test-concurrency=1 tests/e2e/privacy.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startStoreAndBrowser, stopStoreAndBrowser, startCollector, openPage, trailmarkLines } from "./harness.mjs";

const TIMEOUT = { timeout: 60_000 };
let collector;
let browser;

before(async () => ({ collector, browser } = await startStoreAndBrowser()));
after(() => stopStoreAndBrowser(collector, browser));

const parse = (r) => ({ ...r, props: JSON.parse(r.properties || "{}"), ctx: JSON.parse(r.context || "{}") });

/** A fresh collector for each test: an earlier page's late beacon cannot land in this one's rows. */
async function freshCollector() {
  collector.stop();
  collector = await startCollector();
}

async function ready(page) {
  await page.waitForFunction(() => window.trailmark && !Array.isArray(window.trailmark));
  await page.evaluate(() => new Promise((r) => window.trailmark.ready(() => r())));
}

test("a megabyte URL fragment: track() returns, the event arrives without it", TIMEOUT, async () => {
  await freshCollector();
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(collector.store + "gear.html?q=tea#" + "x".repeat(1_100_000));
  await ready(page);
  await page.evaluate(() => window.trailmark.track("Order Completed", { order_id: "F1", total: 1200, currency: "USD" }));
  const rows = (await collector.waitFor("SELECT * FROM events WHERE event='Order Completed'", (r) => r.length === 1)).map(parse);
  assert.equal(rows.length, 1, "the order arrived");
  assert.equal(rows[0].ctx.page.url, collector.store + "gear.html?q=tea");
  // The page view of the same page arrived too, once, and nothing was dropped.
  await page.goto("about:blank");
  const pages = (await collector.waitFor("SELECT * FROM events WHERE type='page'", (r) => r.length >= 1)).map(parse);
  assert.deepEqual(pages.map((p) => p.props.url), [collector.store + "gear.html?q=tea"]);
  assert.deepEqual(collector.query("SELECT * FROM events WHERE event='Trailmark Events Dropped'"), []);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test("sensitive query values and non-route fragments never leave the device", TIMEOUT, async () => {
  await freshCollector();
  const { context, page, pageErrors, consoleMessages } = await openPage(browser);
  // A GET login form's fields, a reset token, an email as a search term, and an OAuth fragment.
  const query = "?user=ana&password=hunter2&reset_token=t0k&q=ana%40example.com&utm_source=mail";
  await page.goto(collector.store + "gear.html" + query + "#access_token=SECRET");
  await ready(page);
  await page.evaluate(() => window.trailmark.track("Product Viewed", { product_id: "mug" }));
  await page.goto("about:blank"); // the engagement event goes out by beacon
  const rows = (await collector.waitFor("SELECT * FROM events ORDER BY seq", (r) => r.length >= 3)).map(parse);
  const clean = "?user=ana&password=redacted&reset_token=redacted&q=redacted&utm_source=mail";
  const page_ = rows.find((r) => r.type === "page");
  assert.equal(page_.props.url, collector.store + "gear.html" + clean);
  assert.equal(page_.props.search, clean);
  const engagement = rows.find((r) => r.event === "Page Engagement");
  assert.equal(engagement.props.url, collector.store + "gear.html" + clean);
  for (const r of rows) {
    assert.equal(r.ctx.page.url, collector.store + "gear.html" + clean, r.event || r.type);
    assert.equal(r.ctx.page.search, clean, r.event || r.type);
    assert.equal(r.ctx.campaign.source, "mail", "utm parameters still read");
  }
  // Nothing anywhere in what was stored carries a secret.
  const everything = JSON.stringify(collector.query("SELECT * FROM events"));
  for (const secret of ["hunter2", "t0k", "ana%40example.com", "ana@example.com", "SECRET"]) {
    assert.ok(!everything.includes(secret), secret + " reached the collector");
  }
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(trailmarkLines(consoleMessages), []);
  await context.close();
});
