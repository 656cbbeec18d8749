// Delivery, end to end ("Delivery and consent"): the demo store in headless Chromium, Trailmark
// loaded by its script tag, the real collector with fault injection, the real SQLite file.
//
// Every test asserts that each event the page produced arrived exactly once (the collector
// dedupes on messageId; we also count logical events), in (tab_id, seq) order matching the order
// the page produced them, with no error thrown into the page and no unexpected console error.
// The library's timers (flush interval, backoff, Retry-After) run on Playwright's page clock,
// installed and paused before the page loads and advanced explicitly: no real waiting on them.
//
//   node --test --test-concurrency=1 tests/e2e/delivery.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startCollector, trailmarkLines, collectorStats, pollUntil, installDeliveryProbe, probeLog,
  settled, driveClock, watchPage, unexpectedConsoleErrors, deliveryCost, logMark, routeConfig,
  batchRequests, startStoreAndBrowser, stopStoreAndBrowser, quiet,
  NOT_OUTCOME,
} from "./harness.mjs";

// The demo config's abandoned-cart journey: the first add to cart of a visitor enters it.
const JOURNEY = "Journey Stage Entered";
const TIMEOUT = { timeout: 30_000 };
// Outcome events (Block Viewed, ...) are checked in overlays.test.mjs.
const ALL = `SELECT * FROM events WHERE ${NOT_OUTCOME} ORDER BY tab_id, seq`;

let collector;
let browser;

before(async () => ({ collector, browser } = await startStoreAndBrowser()));
after(() => stopStoreAndBrowser(collector, browser));

// ------------------------------------------------------------------------------------ helpers

/** Waits until Trailmark runs in `page` (the loader has replaced the command-queue array). */
async function ready(page) {
  const loaded = await pollUntil(() => page.evaluate(() => !!window.trailmark && typeof window.trailmark.ready === "function"));
  assert.ok(loaded, "the Trailmark loader ran");
  await page.evaluate(() => new Promise((r) => window.trailmark.ready(r)));
}

/** A browser context with the delivery probe and (unless `clock: false`) a paused page clock. */
async function newContext({ clock = true } = {}) {
  const context = await browser.newContext();
  await installDeliveryProbe(context);
  if (clock) {
    const t = Date.now();
    await context.clock.install({ time: t });
    // Paused from the start: the 2 s flush timer and every retry wait for `runFor`.
    await context.clock.pauseAt(t + 1000);
  }
  return context;
}

/** Resets the collector, opens `path` in a fresh context and waits for Trailmark to run. */
async function open({ path = "product-ethiopia.html", clock = true, c = collector } = {}) {
  await quiet(c);
  await c.control("/_control/reset");
  const context = await newContext({ clock });
  const tab = await openTab(context, path, c);
  return { context, ...tab };
}

async function openTab(context, path, c = collector) {
  const page = await context.newPage();
  const watch = watchPage(page);
  await page.goto(c.store + path);
  await ready(page);
  return { page, ...watch };
}

const track = (page, name, properties) =>
  page.evaluate(([n, p]) => window.trailmark.push(["track", n, p]), [name, properties]);

const added = (step, product_id = "colombia-huila", price = 1650) =>
  ({ product_id, price, currency: "USD", quantity: 1, step });

/** A stored row as the page produced it: "page /path", "Event", or "Event #step". */
function key(row) {
  const props = row.properties ? JSON.parse(row.properties) : {};
  if (row.type === "page") return "page " + props.path;
  return row.event + (props.step !== undefined ? " #" + props.step : "");
}

const multiset = (keys) => keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map());

/**
 * `expected`: one list per tab, each the keys in the order that tab produced them. Checks that
 * every event arrived exactly once, one tab_id per tab, seq strictly increasing per tab, and the
 * (tab_id, seq) order equal to the production order.
 */
function assertDelivered(rows, expected) {
  const want = multiset(expected.flat());
  const got = multiset(rows.map(key));
  const missing = [];
  const extra = [];
  for (const [k, n] of want) if ((got.get(k) ?? 0) < n) missing.push(`${k} (want ${n}, got ${got.get(k) ?? 0})`);
  for (const [k, n] of got) if (n > (want.get(k) ?? 0)) extra.push(`${k} (want ${want.get(k) ?? 0}, got ${n})`);
  assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, "every event exactly once");
  assert.equal(rows.length, expected.flat().length);
  assert.equal(new Set(rows.map((r) => r.message_id)).size, rows.length, "messageIds unique");
  assert.equal(new Set(rows.map((r) => r.anonymous_id)).size, 1, "one visitor");

  const byTab = new Map();
  for (const r of rows) byTab.set(r.tab_id, [...(byTab.get(r.tab_id) ?? []), r]);
  assert.equal(byTab.size, expected.length, "one tab_id per tab: " + [...byTab.keys()].join(", "));
  const unmatched = [...expected];
  for (const [tab, tabRows] of byTab) {
    tabRows.sort((a, b) => a.seq - b.seq);
    const seqs = tabRows.map((r) => r.seq);
    for (let i = 1; i < seqs.length; i++) {
      assert.ok(Number.isInteger(seqs[i]) && seqs[i] > seqs[i - 1],
        `tab ${tab}: seq must increase strictly in production order, got ${JSON.stringify(seqs)} for ${JSON.stringify(tabRows.map(key))}`);
    }
    const keys = tabRows.map(key);
    // The expected list this tab shares the most events with.
    const overlap = (list) => list.filter((k) => keys.includes(k)).length;
    const best = unmatched.reduce((a, b) => (overlap(b) > overlap(a) ? b : a));
    unmatched.splice(unmatched.indexOf(best), 1);
    assert.deepEqual(keys, best, `tab ${tab}: (tab_id, seq) order = production order`);
  }
}

/** No error thrown into the page; no console error but the expected Trailmark lines. */
function assertClean({ consoleMessages, pageErrors }, trailmark = [], collectOrigin = collector.collectOrigin) {
  assert.deepEqual(pageErrors, [], "no error thrown into the page");
  assert.deepEqual(unexpectedConsoleErrors(consoleMessages, collectOrigin), [], "no unexpected console error");
  const lines = trailmarkLines(consoleMessages);
  assert.equal(lines.length, trailmark.length, "Trailmark console lines: " + JSON.stringify(lines));
  trailmark.forEach((re, i) => assert.match(lines[i].text, re));
}

const eventsArrived = (n, c = collector) => async () => (await collectorStats(c)).events >= n;

// -------------------------------------------------------------------------------------- tests

for (const mode of ["500", "drop"]) {
  test(`1. collector down (${mode === "500" ? "500" : "connections dropped"} x3), then up: every event once, retries with backoff`, TIMEOUT, async (t) => {
    const mark = logMark(collector);
    const tab = await open();
    const { page } = tab;
    await collector.control("/_control/fault", { mode, count: 3 });
    await page.click("text=Add to cart"); // a conversion: sent at once, and it fails
    await settled(page);
    // More orders while the collector is down.
    await track(page, "Product Added", added("down-1"));
    await track(page, "Product Added", added("down-2"));
    assert.ok(await driveClock(page, eventsArrived(5), { stepMs: 100, maxFakeMs: 60_000 }), "delivered within 60 s of page time");

    const rows = await collector.waitFor(ALL, (r) => r.length >= 5);
    assertDelivered(rows, [["page /product-ethiopia.html", "Product Viewed", "Product Added", JOURNEY, "Product Added #down-1", "Product Added #down-2"]]);
    const stats = await collectorStats(collector);
    assert.equal(stats.faulted, 3, "three requests failed");
    assert.equal(stats.requests, stats.faulted + stats.batches, "retries until delivered, and no request after that");
    // Backoff on the page clock: the k-th retry waits 0.5 s * 2^k, jittered in its upper half.
    const { fetches } = await probeLog(page);
    assert.ok(fetches.length >= 4, JSON.stringify(fetches));
    for (let k = 0; k < 3; k++) {
      const wait = fetches[k + 1].sentAt - fetches[k].settledAt;
      // + 50 ms: the page clock runs in steps and the module reads the time a moment after the
      // probe saw the response settle.
      assert.ok(wait >= 250 * 2 ** k && wait <= 500 * 2 ** k + 50, `retry ${k + 1} waited ${wait} ms`);
    }
    t.diagnostic((await deliveryCost(collector, { logFrom: mark })).text);
    assertClean(tab);
    await tab.context.close();
  });
}

test("2. 429 with Retry-After: no retry before it, then delivery", TIMEOUT, async () => {
  const tab = await open();
  const { page } = tab;
  await collector.control("/_control/fault", { mode: "429", count: 2, retryAfter: 5 });
  const requests = async () => (await collectorStats(collector)).requests;

  await page.click("text=Add to cart");
  let log = await settled(page);
  assert.equal(log.fetches.length, 1);
  assert.equal(log.fetches[0].status, 429);
  // Page time is measured from when the library saw the 429 (a response can land mid-`runFor`).
  const runUntil = async (at) => page.clock.runFor(Math.max(0, at - (await page.evaluate(() => Date.now()))));
  await runUntil(log.fetches[0].settledAt + 4_900);
  await settled(page);
  assert.equal(await requests(), 1, "no retry 4.9 s into Retry-After: 5");
  // A new conversion during the wait does not jump it.
  await track(page, "Product Added", added("during-wait"));
  await runUntil(log.fetches[0].settledAt + 4_999);
  await settled(page);
  assert.equal(await requests(), 1, "no retry 4.999 s into Retry-After: 5, even with a new urgent event");
  // It retries once Retry-After has passed (at once, or within a little jitter).
  assert.ok(await driveClock(page, async () => (await requests()) >= 2, { stepMs: 50, maxFakeMs: 2_000 }), "retried after Retry-After");
  log = await settled(page);
  assert.equal(await requests(), 2);
  const wait1 = log.fetches[1].sentAt - log.fetches[0].settledAt;
  assert.ok(wait1 >= 5_000 && wait1 <= 6_000, `first retry after ${wait1} ms`);
  assert.equal(log.fetches[1].status, 429);

  await runUntil(log.fetches[1].settledAt + 4_999);
  await settled(page);
  assert.equal(await requests(), 2, "the second Retry-After is honoured too (not the shorter backoff)");
  assert.ok(await driveClock(page, async () => (await requests()) >= 3, { stepMs: 50, maxFakeMs: 2_000 }), "retried after the second Retry-After");
  log = await settled(page);
  assert.equal(log.fetches.length, 3);
  const wait2 = log.fetches[2].sentAt - log.fetches[1].settledAt;
  assert.ok(wait2 >= 5_000 && wait2 <= 6_000, `second retry after ${wait2} ms`);
  assert.equal(log.fetches[2].status, 200);

  const rows = await collector.waitFor(ALL, (r) => r.length >= 4);
  assertDelivered(rows, [["page /product-ethiopia.html", "Product Viewed", "Product Added", JOURNEY, "Product Added #during-wait"]]);
  // Six: the five above and the shipping bar's Block Viewed (it opens with the page).
  assert.deepEqual(await collectorStats(collector), { events: 6, batches: 1, requests: 3, faulted: 2 });
  assertClean(tab);
  await tab.context.close();
});

// The collector refuses bodies over 16 KiB for real (`--max-body`), as a proxy in front of a
// collector would; the library's own limit is the default 450 KiB.
const MAX_BODY = 16 * 1024;
const NOTE = "Jasmine, bergamot and lemon curd; roasted Tuesday, at your door by Friday. ".repeat(16); // ~1.2 KB

/** Runs `body(small, tab)` with a second collector that refuses bodies over MAX_BODY with 413. */
async function withSmallCollector(body) {
  const small = await startCollector(["--max-body", String(MAX_BODY)]);
  try {
    const tab = await open({ c: small });
    await body(small, tab);
    await tab.context.close();
  } finally {
    small.stop();
  }
}

test("3. 413 from the collector's body limit: the library splits the batch and everything arrives", TIMEOUT, () => withSmallCollector(async (small, tab) => {
  const { page } = tab;
  const clicks = Array.from({ length: 30 }, (_, i) => "click-" + (i + 1));
  await page.evaluate(([steps, note]) => {
    for (const step of steps) window.trailmark.push(["track", "Product Clicked", { product_id: "house-espresso", note, step }]);
  }, [clicks, NOTE]);
  await track(page, "Product Added", added("last"));
  const total = 2 + clicks.length + 1;
  assert.ok(await driveClock(page, eventsArrived(total, small), { stepMs: 250, maxFakeMs: 120_000 }),
    "delivered within 120 s of page time; stats " + JSON.stringify(await collectorStats(small)));

  const rows = await small.waitFor(ALL, (r) => r.length >= total);
  assertDelivered(rows, [["page /product-ethiopia.html", "Product Viewed", ...clicks.map((s) => "Product Clicked #" + s), "Product Added #last", JOURNEY]]);
  const stats = await collectorStats(small);
  assert.equal(stats.faulted, 0);
  assert.ok(stats.requests > stats.batches, "at least one batch was refused with 413: " + JSON.stringify(stats));
  for (const b of small.query("SELECT bytes FROM batches")) assert.ok(b.bytes <= MAX_BODY, "stored batch of " + b.bytes + " bytes");
  assertClean(tab, [], small.collectOrigin); // nothing dropped, so no "rejected" line
}));

test("3b. a 413 (injected once): the batch is split, not dropped", TIMEOUT, async () => {
  const tab = await open();
  const { page } = tab;
  await collector.control("/_control/fault", { mode: "413", count: 1 });
  const clicks = Array.from({ length: 6 }, (_, i) => "click-" + (i + 1));
  for (const step of clicks) await track(page, "Product Clicked", { product_id: "house-espresso", step });
  await page.click("text=Add to cart");
  const total = 2 + clicks.length + 1;
  assert.ok(await driveClock(page, eventsArrived(total), { stepMs: 250, maxFakeMs: 60_000 }),
    "delivered within 60 s of page time; stats " + JSON.stringify(await collectorStats(collector)));
  const rows = await collector.waitFor(ALL, (r) => r.length >= total);
  assertDelivered(rows, [["page /product-ethiopia.html", "Product Viewed", ...clicks.map((s) => "Product Clicked #" + s), "Product Added", JOURNEY]]);
  const stats = await collectorStats(collector);
  assert.equal(stats.faulted, 1);
  assert.ok(stats.batches >= 2, "the refused batch went out again in parts: " + JSON.stringify(stats));
  assert.equal(stats.requests, stats.faulted + stats.batches);
  assertClean(tab);
  await tab.context.close();
});

test("3c. an event too large for the collector even alone: dropped with the one documented console error, the rest arrives", TIMEOUT, () => withSmallCollector(async (small, tab) => {
  const { page } = tab;
  // Three 7 KB strings (each under the 8 KiB property limit): ~21 KB for this one event.
  const big = "x".repeat(7 * 1024);
  await track(page, "Product Clicked", { step: "before" });
  await track(page, "Product Clicked", { step: "huge", a: big, b: big, c: big });
  await track(page, "Product Clicked", { step: "after" });
  await page.click("text=Add to cart");
  assert.ok(await driveClock(page, eventsArrived(5, small), { stepMs: 250, maxFakeMs: 120_000 }),
    "delivered within 120 s of page time; stats " + JSON.stringify(await collectorStats(small)));
  // Let the page clock run on: nothing more may arrive, and the library must not loop on the refusal.
  await driveClock(page, () => false, { stepMs: 5_000, maxFakeMs: 60_000 });
  const rows = small.query(ALL);
  assertDelivered(rows, [["page /product-ethiopia.html", "Product Viewed", "Product Clicked #before", "Product Clicked #after", "Product Added", JOURNEY]]);
  const stats = await collectorStats(small);
  assert.ok(stats.requests - stats.batches <= 8, "a bounded number of refused requests: " + JSON.stringify(stats));
  assertClean(tab, [/rejected|refused|too large|413/i], small.collectOrigin);
}));

test("4. reload with a batch in flight: the reloaded page sends it again (durable queue), once", TIMEOUT, async () => {
  const tab = await open();
  const { page } = tab;
  // The collector hangs every request (then answers 503) until the reloaded page is running.
  await collector.control("/_control/fault", { mode: "stall", count: -1, stallMs: 3_000 });
  await page.click("text=Add to cart");
  assert.ok(await pollUntil(async () => (await collectorStats(collector)).requests >= 1), "the batch reached the collector");
  const [inFlight] = (await probeLog(page)).fetches;
  assert.equal(inFlight.settled, false, "the batch is in flight");
  assert.equal(inFlight.ids.length, 5); // page, Product Viewed, the bar's Block Viewed, Product Added, its journey entry

  await page.reload();
  await ready(page);
  // The first page's unload beacon (if it sends one) is stalled too; give it time to land.
  await pollUntil(async () => (await collectorStats(collector)).requests >= 2, { timeoutMs: 2_000 });
  await collector.control("/_control/fault", { mode: "ok" });
  assert.ok(await driveClock(page, eventsArrived(5), { stepMs: 250, maxFakeMs: 60_000 }),
    "delivered within 60 s of page time; stats " + JSON.stringify(await collectorStats(collector)) +
    "; stored " + JSON.stringify(collector.query(ALL).map(key)));

  // All six: the reloaded page's own page view and Product Viewed may land after the five resent.
  const rows = await collector.waitFor(ALL, (r) => r.length >= 6);
  assertDelivered(rows, [["page /product-ethiopia.html", "Product Viewed", "Product Added", JOURNEY, "page /product-ethiopia.html", "Product Viewed"]]);
  // They were sent again by the reloaded page, from the durable queue.
  const resent = (await probeLog(page)).fetches.filter((f) => f.status >= 200 && f.status < 300).flatMap((f) => f.ids);
  for (const id of inFlight.ids) assert.ok(resent.includes(id), `event ${id} of the first page was delivered by the reloaded page`);
  const stats = await collectorStats(collector);
  assert.ok(stats.faulted >= 1, JSON.stringify(stats));
  assertClean(tab);
  await tab.context.close();
});

test("5. offline, then online: every event arrives once", TIMEOUT, async (t) => {
  const tab = await open();
  const { page, context } = tab;
  // Rules on this page that wait for page state may come due while the clock is driven
  // offline (the retries' jitter decides how far it goes); the page-UI chunk they need is
  // imported then, and its failed import is (rightly) reported on the console. Imported here
  // first, it comes from the module map then.
  await page.evaluate(() => import(new URL("trailmark_ui.js", document.querySelector("script[src*='trailmark.js']").src).href));
  await context.setOffline(true);
  await page.click("text=Add to cart");
  await track(page, "Product Added", added("offline-1"));
  // Page time passes offline: the library may retry (and fail) meanwhile.
  await driveClock(page, async () => (await probeLog(page)).fetches.length >= 3, { stepMs: 250, maxFakeMs: 10_000 });
  const attempts = (await probeLog(page)).fetches.length;
  t.diagnostic(`attempts while offline: ${attempts}`);
  assert.equal((await collectorStats(collector)).requests, 0, "nothing reached the collector while offline");
  await track(page, "Product Added", added("offline-2"));

  await context.setOffline(false);
  assert.ok(await driveClock(page, eventsArrived(5), { stepMs: 500, maxFakeMs: 120_000 }),
    "delivered within 120 s of page time after going online");
  const rows = await collector.waitFor(ALL, (r) => r.length >= 5);
  assertDelivered(rows, [["page /product-ethiopia.html", "Product Viewed", "Product Added", JOURNEY, "Product Added #offline-1", "Product Added #offline-2"]]);
  const stats = await collectorStats(collector);
  assert.equal(stats.requests, stats.batches, "no request after delivery");
  assertClean(tab);
  await context.close();
});

const ORDER = { order_id: "NW-TEST-0001", total: 3700, revenue: 3500, shipping: 200, tax: 0, currency: "USD", step: "order" };

test("6. a tab closed right after an order: the order arrives (beacon on pagehide)", TIMEOUT, async () => {
  const tab = await open();
  const { page, context } = tab;
  await track(page, "Order Completed", ORDER);
  await page.close({ runBeforeUnload: true });
  const rows = await collector.waitFor(ALL, (r) => r.length >= 3);
  if (rows.length < 3) {
    console.log("test 6 diagnostics:", JSON.stringify(await collectorStats(collector)), collector.log.join("").slice(-1500));
  }
  assertDelivered(rows, [["page /product-ethiopia.html", "Product Viewed", "Order Completed #order"]]);
  const stats = await collectorStats(collector);
  assert.equal(stats.faulted, 0);
  assert.deepEqual(JSON.parse(rows.find((r) => r.event === "Order Completed").properties), ORDER);
  assertClean(tab);
  await context.close();
});

test("6b. the order's request hangs and the tab closes: the pagehide beacon delivers it", TIMEOUT, async () => {
  const tab = await open();
  const { page, context } = tab;
  await collector.control("/_control/fault", { mode: "stall", count: 1, stallMs: 15_000 });
  await track(page, "Order Completed", ORDER);
  assert.ok(await pollUntil(async () => (await collectorStats(collector)).requests >= 1), "the order's fetch reached the collector");
  await page.close({ runBeforeUnload: true });
  const rows = await collector.waitFor(ALL, (r) => r.length >= 3);
  if (rows.length < 3) {
    console.log("test 6 diagnostics:", JSON.stringify(await collectorStats(collector)), collector.log.join("").slice(-1500));
  }
  assertDelivered(rows, [["page /product-ethiopia.html", "Product Viewed", "Order Completed #order"]]);
  const stats = await collectorStats(collector);
  assert.deepEqual({ faulted: stats.faulted, batches: stats.batches }, { faulted: 1, batches: 1 });
  assert.match(collector.query("SELECT content_type FROM batches")[0].content_type, /^text\/plain/);
  assertClean(tab);
  await context.close();
});

test("7. three tabs at once in one browser context: each its own tab_id, seq increasing per tab", TIMEOUT, async () => {
  await collector.control("/_control/reset");
  const context = await newContext();
  const paths = ["product-ethiopia.html", "product-colombia.html", "product-sencha.html"];
  // The first tab loads first, so the visitor exists; the other two load at the same time.
  // (Two first-ever page loads at the same instant can each mint an anonymousId: see the report.)
  const first = await openTab(context, paths[0]);
  const tabs = [first, ...(await Promise.all(paths.slice(1).map((p) => openTab(context, p))))];
  await Promise.all(tabs.map(({ page }, i) => page.evaluate((i) => {
    for (let k = 1; k <= 3; k++) window.trailmark.push(["track", "Product Clicked", { step: `tab${i}-${k}` }]);
    window.trailmark.push(["track", "Product Added", { product_id: "kyoto-sencha", price: 1400, currency: "USD", quantity: 1, step: `tab${i}-add` }]);
  }, i)));
  const expected = paths.map((p, i) => ["page /" + p, "Product Viewed",
    `Product Clicked #tab${i}-1`, `Product Clicked #tab${i}-2`, `Product Clicked #tab${i}-3`, `Product Added #tab${i}-add`]);
  const all = await collector.waitFor(ALL, (r) => r.length >= 19);
  // The visitor enters the demo's abandoned-cart journey once: the tab whose add is first
  // records the transition (if two tabs decide it at once, both copies carry the same derived
  // messageId and the collector keeps one), so it belongs to no tab in particular.
  const journeyRows = all.filter((r) => r.event === JOURNEY);
  assert.equal(journeyRows.length, 1, "one journey entry for the visitor");
  const rows = all.filter((r) => r.event !== JOURNEY);
  assertDelivered(rows, expected);
  assert.equal((await collectorStats(collector)).faulted, 0);
  for (const tab of tabs) assertClean(tab);
  await context.close();
});

test("8. one tab, three page loads: the same tab_id and seq increasing across loads", TIMEOUT, async () => {
  const tab = await open();
  const { page } = tab;
  await page.click("text=Add to cart");
  await page.goto(collector.store + "cart.html");
  await ready(page);
  await page.goto(collector.store + "category.html");
  await ready(page);
  await track(page, "Product Added", added("last"));
  const expected = [["page /product-ethiopia.html", "Product Viewed", "Product Added", JOURNEY, "page /cart.html", "Cart Viewed",
    "page /category.html", "Product List Viewed", "Product Added #last"]];
  const rows = await collector.waitFor(ALL, (r) => r.length >= 8);
  assertDelivered(rows, expected);
  assertClean(tab);
  await tab.context.close();
});

// Measured, not estimated: the same 100 events twice, each time on a fresh collector, once with
// the demo config and once with `collector.gzip: true` (the config served through `route`).
// Bytes are the collector log's `in=` of every `POST /v1/batch`: the request body as read off
// the socket (after Content-Length/chunked framing, before Content-Encoding is decoded), so the
// gzipped size when gzipped; HTTP headers are not included. A gzipped batch carries
// `Content-Encoding: gzip`, which makes the cross-origin request preflighted: the CORS
// preflights (`OPTIONS`, no body) are counted apart.
test("delivery cost: requests and request-body bytes per 100 events, gzip off and on (measured)", { timeout: 60_000 }, async () => {
  // 95 clicks: with the page view, Product Viewed, the shipping bar's Block Viewed, the add and
  // the journey entry it causes, 100.
  const steps = Array.from({ length: 95 }, (_, i) => "c" + (i + 1));
  const expected = [["page /product-ethiopia.html", "Product Viewed", ...steps.map((s) => "Product Clicked #" + s), "Product Added #last", JOURNEY]];
  const runs = {};
  for (const gzip of [false, true]) {
    const c = await startCollector();
    try {
      const context = await newContext();
      const unroute = gzip ? await routeConfig(context, (config) => { config.collector.gzip = true; }) : null;
      const tab = await openTab(context, "product-ethiopia.html", c);
      const { page } = tab;
      if (unroute) {
        // The loader caches a config once it applied it; this context never saw another config.
        assert.ok(await pollUntil(() => page.evaluate(() => {
          const cached = JSON.parse(localStorage.getItem("trailmark:config:/trailmark.compiled.json"));
          // (`v`: the cache's version, CACHE_VERSION in js/runtime.js, which moves with the
          // program format.)
          return !!cached && cached.v === 5;
        })),
          "the gzip config was applied");
        // No route from here on: CORS preflights reach the collector (Playwright answers them itself while routing).
        await unroute();
      }
      await page.evaluate((steps) => {
        for (const step of steps) {
          window.trailmark.push(["track", "Product Clicked", {
            product_id: "ethiopia-yirgacheffe", sku: "NW-ETH-250", name: "Ethiopia Yirgacheffe", category: "Coffee",
            price: 1850, currency: "USD", position: 3, list_id: "coffee", url: location.origin + "/product-ethiopia.html", step,
          }]);
        }
      }, steps);
      await track(page, "Product Added", added("last"));
      assert.ok(await driveClock(page, eventsArrived(100, c), { stepMs: 500, maxFakeMs: 60_000 }), "delivered within 60 s of page time");
      // More page time: nothing else may be sent.
      await driveClock(page, () => false, { stepMs: 2_000, maxFakeMs: 10_000 });
      const rows = await c.waitFor(ALL, (r) => r.length >= 99);
      assertDelivered(rows, expected);
      const stats = await collectorStats(c);
      assert.deepEqual({ events: stats.events, faulted: stats.faulted }, { events: 100, faulted: 0 });
      assert.equal(stats.requests, stats.batches, "every request stored: no retry inflates the count");
      // The log line is written just after the response: wait until every request has its line.
      const wire = await pollUntil(() => {
        const w = batchRequests(c);
        return w.posts.length === stats.requests ? w : null;
      });
      assert.ok(wire, "the collector logged every POST /v1/batch: " + JSON.stringify(batchRequests(c)));
      assert.ok(wire.posts.every((p) => p.status === "200"), JSON.stringify(wire.posts));
      const batches = c.query("SELECT content_encoding, bytes FROM batches ORDER BY id");
      assert.deepEqual(batches.map((b) => b.content_encoding), batches.map(() => (gzip ? "gzip" : null)),
        gzip ? "every batch gzipped (Content-Encoding: gzip)" : "no batch gzipped");
      // Sizes compared as sorted lists: the collector serves requests on several threads, so its
      // log lines, its rows and the page's fetches need not come in the same order.
      const sorted = (xs) => [...xs].sort((a, b) => a - b);
      assert.deepEqual(sorted(batches.map((b) => b.bytes)), sorted(wire.posts.map((p) => p.bytes)), "in= is the body as stored, byte for byte");
      const fetches = (await probeLog(page)).fetches;
      assert.equal(fetches.length, stats.requests);
      assert.deepEqual(sorted(fetches.map((f) => f.bytes)), sorted(wire.posts.map((p) => p.bytes)), "in= equals the body the page handed to fetch");
      runs[gzip ? "on" : "off"] = { requests: stats.requests, bytes: wire.bytes, preflights: wire.preflights };
      const line = `gzip ${gzip ? "on" : "off"}: ${stats.requests} requests / 100 events, ${wire.bytes.toLocaleString("en-US")} bytes` +
        ` (request bodies on the wire; + ${wire.preflights} CORS preflight${wire.preflights === 1 ? "" : "s"})`;
      console.log(line);
      assertClean(tab, [], c.collectOrigin);
      await context.close();
    } finally {
      c.stop();
    }
  }
  assert.equal(runs.off.preflights, 0, "identity batches are CORS-simple requests: no preflight");
  assert.ok(runs.on.bytes < runs.off.bytes, `gzip on sends fewer bytes: ${runs.on.bytes} < ${runs.off.bytes}`);
  assert.ok(runs.on.preflights >= 1, "a gzipped batch (Content-Encoding: gzip) is preflighted cross-origin");
});
