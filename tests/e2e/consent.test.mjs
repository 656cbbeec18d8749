// Consent, end to end: the demo store in headless Chromium, Trailmark loaded by its script tag,
// the real collector and its SQLite file. Each test serves a variant of the demo config (the
// `consent` section, intercepted with `route`), sets the browser's opt-out signals where it
// needs them (GPC, DNT), and checks the consent matrix of `src/consent/effects.rs` on what
// really happens: the exact events stored, what every slot shows, the console, the page's
// errors, and what the library even tried to send (a send log kept in sessionStorage, so the
// unloading page's pagehide beacon of a reload is seen too).
//
// The library's timers run on Playwright's page clock, installed and paused before the page
// loads: "nothing is sent while pending" is checked after driving 30 s of page time (the demo
// config flushes within 2 s), not by waiting.
//
//   node --test --test-concurrency=1 tests/e2e/consent.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startCollector, trailmarkLines, collectorStats, pollUntil, installDeliveryProbe, probeLog,
  driveClock, watchPage, unexpectedConsoleErrors, routeConfig, installSendLog, sendLog, settled,
  startStoreAndBrowser, stopStoreAndBrowser,
} from "./harness.mjs";

// The demo config's abandoned-cart journey: the first add to cart of a visitor enters it.
const JOURNEY = "Journey Stage Entered";
const TIMEOUT = { timeout: 30_000 };
// Consent is about which events leave; the outcome events the renderer records when a block is seen
// or used (Block Viewed after a second in view, ...) depend on timing and are checked in
// overlays.test.mjs, so the exact lists here leave them out. EVERY keeps them, for "nothing left".
const OUTCOMES = "('Block Viewed', 'Block Clicked', 'Block Dismissed', 'Offer Accepted')";
const ALL = `SELECT * FROM events WHERE event IS NULL OR event NOT IN ${OUTCOMES} ORDER BY tab_id, seq`;
const EVERY = "SELECT * FROM events ORDER BY tab_id, seq";
const HERO = "[data-trailmark-slot='hero']";
// The home hero's default content, exactly as www/index.html ships it.
const DEFAULT_HERO = {
  eyebrow: "New harvest · Ethiopia Yirgacheffe",
  title: "Small-batch coffee, roasted every Tuesday",
  lede: "We roast in small batches on the Portland waterfront and ship within 48 hours, so every bag arrives at its peak.",
};
// The block the demo config's rule `home-hero-welcome` puts there.
// What the demo config decides on the home page: the hero slot and the free-shipping bar.
const HOME_DECISIONS = [
  { slot: "hero", placement: "slot", rule: "home-hero-welcome", block: "roaster-picks-hero" },
  { slot: "", placement: "bar-top", rule: "free-shipping-bar", block: "shipping-bar", text: [[0, "You're ", 2, 4000, "USD", 0, " away from free delivery."]] },
];
const PERSONALIZED_HERO = { rule: "home-hero-welcome", block: "roaster-picks-hero", title: "Fresh roasts, picked for you" };
const HOME_EVENTS = ["page /", "Product List Viewed"];

let collector;
let browser;

before(async () => ({ collector, browser } = await startStoreAndBrowser()));
after(() => stopStoreAndBrowser(collector, browser));

// ------------------------------------------------------------------------------------ helpers

const GPC = () => Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true });
const DNT = () => Object.defineProperty(Navigator.prototype, "doNotTrack", { get: () => "1", configurable: true });

/**
 * Resets the collector and makes a context: send log, delivery probe, paused page clock, the
 * given `signal` init script (GPC/DNT), `queued` commands in the command queue before the
 * loader runs, and the demo config changed by `consent` (a `consent` section, or `undefined`
 * for none).
 */
async function newContext({ consent, signal, queued } = {}) {
  // A fresh collector per test: the previous test's closing pages may still send beacons,
  // which would land in this test's counts (they now hit the stopped one, harmlessly).
  collector.stop();
  collector = await startCollector();
  const context = await browser.newContext();
  await installSendLog(context);
  await installDeliveryProbe(context);
  if (signal) await context.addInitScript(signal);
  // The queued commands are there on every load until the tab's sessionStorage has `__tmNoQueue`.
  if (queued) await context.addInitScript((q) => { if (!sessionStorage.getItem("__tmNoQueue")) window.trailmark = q.slice(); }, queued);
  await routeConfig(context, (config) => {
    assert.equal(config.consent, undefined, "the demo config has no consent section");
    if (consent !== undefined) config.consent = consent;
  });
  const t = Date.now();
  await context.clock.install({ time: t });
  await context.clock.pauseAt(t + 1000);
  return context;
}

/** Opens `path` in a new page of `context` and waits until Trailmark runs. */
async function open(context, path = "") {
  const page = await context.newPage();
  const watch = watchPage(page);
  await page.goto(collector.store + path);
  await ready(page);
  return { page, ...watch };
}

async function ready(page) {
  const loaded = await pollUntil(() => page.evaluate(() => !!window.trailmark && typeof window.trailmark.ready === "function"));
  assert.ok(loaded, "the Trailmark loader ran");
  await page.evaluate(() => new Promise((r) => window.trailmark.ready(r)));
}

/** The hero slot as the shopper sees it. */
const hero = (page) => page.evaluate((sel) => {
  const el = document.querySelector(sel);
  const text = (s) => (el.querySelector(s) ? el.querySelector(s).textContent : null);
  return {
    rule: el.getAttribute("data-trailmark-rule"),
    block: el.getAttribute("data-trailmark-block"),
    title: text("h1, h2"),
    eyebrow: text(".eyebrow"),
    lede: text(".hero__lede"),
    banner: !!el.querySelector(".tm-banner"),
  };
}, HERO);

/** Waits until the config's rule has rendered the hero (the config has been applied). */
async function heroRendered(page) {
  const ok = await pollUntil(() => page.evaluate((sel) => document.querySelector(sel).hasAttribute("data-trailmark-rule"), HERO));
  assert.ok(ok, "the hero slot was rendered");
  const h = await hero(page);
  assert.deepEqual({ rule: h.rule, block: h.block, title: h.title, banner: h.banner },
    { ...PERSONALIZED_HERO, banner: true }, "the hero shows the personalized block");
}

async function assertDefaultHero(page) {
  const h = await hero(page);
  assert.deepEqual(h, { rule: null, block: null, banner: false, ...DEFAULT_HERO }, "the hero keeps its default content");
}

const consentOf = (page, update) => page.evaluate((u) => window.trailmark.consent(u), update);
const states = (analytics, personalization) => ({ analytics, personalization });

/** Polls until `trailmark.consent()` returns `want` (e.g. once the fetched config applies). */
async function consentBecomes(page, want) {
  const got = await pollUntil(async () => {
    const s = await consentOf(page);
    return JSON.stringify(s) === JSON.stringify(want) ? s : null;
  });
  assert.deepEqual(got ?? await consentOf(page), want, "trailmark.consent()");
}

const track = (page, name, properties) =>
  page.evaluate(([n, p]) => window.trailmark.push(["track", n, p]), [name, properties]);
const added = (step) => ({ product_id: "colombia-huila", price: 1650, currency: "USD", quantity: 1, step });

/** The stored consent record and the stored event queues of the page's origin. */
const storage = (page) => page.evaluate(() => ({
  consent: JSON.parse(localStorage.getItem("trailmark:consent")),
  // The anonymous id, stored only while analytics is granted (a versioned envelope).
  aid: JSON.parse(localStorage.getItem("trailmark:aid"))?.d ?? null,
  queues: Object.keys(localStorage).filter((k) => k.startsWith("trailmark:outbox:")).map((k) => [k, localStorage.getItem(k)]),
}));

/** Record of one explicit choice: `{choice, at, signal}` with `at` the page clock's time of it. */
function assertRecord(record, want) {
  assert.ok(record, "a consent record is stored");
  assert.deepEqual(Object.keys(record).sort(), ["v", ...Object.keys(want)].sort(), JSON.stringify(record));
  assert.equal(record.v, 1);
  for (const [category, { choice, signal }] of Object.entries(want)) {
    assert.deepEqual({ choice: record[category].choice, signal: record[category].signal }, { choice, signal }, category);
    assert.ok(Number.isInteger(record[category].at) && record[category].at > 1.6e12, `${category}.at: ${record[category].at}`);
  }
}

/**
 * Drives 30 s of page time (a flush is due within 2 s of any event when sending is allowed)
 * and checks that nothing was sent or even attempted: the send log (this tab, reloads
 * included), the probe (this page) and the collector's counters all say zero.
 */
async function assertNothingLeaves(page) {
  await driveClock(page, () => false, { stepMs: 1_000, maxFakeMs: 30_000 });
  assert.deepEqual(await sendLog(page), [], "the library never tried to send a batch");
  assert.deepEqual(await probeLog(page), { fetches: [], beacons: [] });
  assert.deepEqual(await collectorStats(collector), { events: 0, batches: 0, requests: 0, faulted: 0 });
  assert.deepEqual(collector.query(EVERY), []);
}

/** A stored row as the page produced it: "page /path", "Event", or "Event #step". */
function key(row) {
  const props = row.properties ? JSON.parse(row.properties) : {};
  if (row.type === "page") return "page " + props.path;
  return row.event + (props.step !== undefined ? " #" + props.step : "");
}

/**
 * Drives the page clock until `expected.length` events are stored, then more page time to be
 * sure nothing else comes; checks the rows are exactly `expected`, in (tab_id, seq) order, each
 * once (unique messageIds, and the collector stored no duplicate), one visitor and one tab.
 */
async function assertDelivered(page, expected) {
  const arrived = await driveClock(page, async () => (await collectorStats(collector)).events >= expected.length,
    { stepMs: 500, maxFakeMs: 30_000 });
  assert.ok(arrived, "delivered within 30 s of page time; stored " + JSON.stringify(collector.query(ALL).map(key)));
  await driveClock(page, () => false, { stepMs: 2_000, maxFakeMs: 10_000 });
  const rows = collector.query(ALL);
  assert.deepEqual(rows.map(key), expected, "exactly these events, in production order");
  assert.equal(new Set(rows.map((r) => r.message_id)).size, rows.length, "messageIds unique");
  assert.equal(new Set(rows.map((r) => r.anonymous_id)).size, 1, "one visitor");
  assert.equal(new Set(rows.map((r) => r.tab_id)).size, 1, "one tab");
  const seqs = rows.map((r) => r.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  assert.equal(new Set(seqs).size, seqs.length, "seq strictly increasing");
  const stats = await collectorStats(collector);
  const every = collector.query(EVERY);
  assert.equal(new Set(every.map((r) => r.message_id)).size, every.length, "messageIds unique, outcome events too");
  assert.equal(stats.events, every.length, "no duplicate stored");
  assert.equal(stats.requests, stats.batches, "every request stored, none refused or repeated");
  return rows;
}

/** No error thrown into the page; no console error; exactly these Trailmark console lines. */
function assertClean({ consoleMessages, pageErrors }, trailmark = []) {
  assert.deepEqual(pageErrors, [], "no error thrown into the page");
  assert.deepEqual(unexpectedConsoleErrors(consoleMessages, collector.collectOrigin), [], "no unexpected console error");
  const lines = trailmarkLines(consoleMessages).map((m) => m.text);
  assert.equal(lines.length, trailmark.length, "Trailmark console lines: " + JSON.stringify(lines));
  trailmark.forEach((re, i) => assert.match(lines[i], re));
}

// -------------------------------------------------------------------------------------- tests

test("a. no consent section: events flow, the slot renders, consent() says granted", TIMEOUT, async () => {
  const context = await newContext();
  const tab = await open(context);
  const { page } = tab;
  await heroRendered(page);
  assert.deepEqual(await consentOf(page), states("granted", "granted"));
  assert.deepEqual(await page.evaluate(() => window.trailmark.decisions()),
    HOME_DECISIONS);
  await track(page, "Product Added", added("a"));
  await assertDelivered(page, [...HOME_EVENTS, "Product Added #a", JOURNEY]);
  assert.equal((await storage(page)).consent, null, "no choice made, none stored");
  assertClean(tab);
  await context.close();
});

test("b. consent.required: nothing leaves while pending, the slot renders; a grant releases the held events in order, once", TIMEOUT, async () => {
  const context = await newContext({ consent: { required: true } });
  const tab = await open(context);
  const { page } = tab;
  await heroRendered(page); // personalization pending: rules run and slots render
  assert.deepEqual(await consentOf(page), states("pending", "pending"));
  await track(page, "Product Added", added("held")); // a conversion: would be sent at once
  await assertNothingLeaves(page);
  assert.deepEqual(await storage(page), { consent: null, aid: null, queues: [] }, "pending: nothing persisted, no choice stored, no id");

  assert.deepEqual(await consentOf(page, { analytics: "granted" }), states("granted", "pending"));
  const rows = await assertDelivered(page, [...HOME_EVENTS, "Product Added #held", JOURNEY]);
  assert.equal(rows[0].type, "page", "the page view first");
  assertRecord((await storage(page)).consent, { analytics: { choice: "granted", signal: false } });
  assert.equal((await storage(page)).aid, rows[0].anonymous_id, "granted: the id the events carry is stored now");
  assert.deepEqual(await hero(page).then((h) => h.rule), PERSONALIZED_HERO.rule, "still rendered");

  // Events after the grant go out normally, and the held ones are not sent again.
  await track(page, "Product Added", added("after"));
  await assertDelivered(page, [...HOME_EVENTS, "Product Added #held", JOURNEY, "Product Added #after"]);
  assertClean(tab);
  await context.close();
});

test("c. consent.required, then analytics denied (push): nothing ever arrives, even after reload; the choice persists", TIMEOUT, async () => {
  const context = await newContext({ consent: { required: true } });
  const tab = await open(context);
  const { page } = tab;
  await heroRendered(page);
  await track(page, "Product Added", added("before-denial"));
  await page.evaluate(() => window.trailmark.push(["consent", { analytics: "denied" }]));
  assert.deepEqual(await consentOf(page), states("denied", "pending"));
  await track(page, "Product Added", added("after-denial"));
  await assertNothingLeaves(page);
  let stored = await storage(page);
  assertRecord(stored.consent, { analytics: { choice: "denied", signal: false } });
  assert.deepEqual(stored.queues, [], "nothing persisted");
  assert.equal(stored.aid, null, "denied: no anonymous id in storage");

  await page.reload(); // pagehide: nothing to beacon either (the send log would show it)
  await ready(page);
  await heroRendered(page); // personalization is still pending: rules run
  assert.deepEqual(await consentOf(page), states("denied", "pending"), "the denial was remembered");
  await track(page, "Product Added", added("after-reload"));
  await assertNothingLeaves(page);
  stored = await storage(page);
  assertRecord(stored.consent, { analytics: { choice: "denied", signal: false } });
  assert.deepEqual(stored.queues, []);
  assertClean(tab);
  await context.close();
});

test("d. personalization denied (queued before load): the hero keeps its default content, decisions() is empty, analytics flows", TIMEOUT, async () => {
  const context = await newContext({ queued: [["consent", { personalization: "denied" }]] });
  const tab = await open(context);
  const { page } = tab;
  // Analytics turns granted once the fetched config (no consent section) applies.
  await consentBecomes(page, states("granted", "denied"));
  assert.equal(await page.evaluate(() => window.trailmark.render()), 0, "render() changes nothing");
  assert.deepEqual(await page.evaluate(() => window.trailmark.decisions()), []);
  await assertDefaultHero(page);
  assertRecord((await storage(page)).consent, { personalization: { choice: "denied", signal: false } });
  await assertDelivered(page, HOME_EVENTS);

  // Remembered across a reload without the queued call.
  await page.evaluate(() => sessionStorage.setItem("__tmNoQueue", "1"));
  await page.reload();
  await ready(page);
  assert.deepEqual(await consentOf(page), states("granted", "denied"));
  assert.deepEqual(await page.evaluate(() => window.trailmark.decisions()), []);
  await assertDefaultHero(page);
  // Leaving a page records its engagement (js/runtime.js), sent with the page's last beacon.
  await assertDelivered(page, [...HOME_EVENTS, "Page Engagement", ...HOME_EVENTS]);
  // Product pages: the regex rule's slot keeps its default too.
  await page.goto(collector.store + "product-ethiopia.html");
  await ready(page);
  assert.deepEqual(await page.evaluate(() => window.trailmark.decisions()), []);
  assert.equal(await page.locator("[data-trailmark-slot='product-inline'][data-trailmark-rule]").count(), 0);
  assert.equal(await page.locator("[data-trailmark-slot] .tm-note, [data-trailmark-slot] .tm-banner").count(), 0);
  await assertDelivered(page, [...HOME_EVENTS, "Page Engagement", ...HOME_EVENTS, "Page Engagement", "page /product-ethiopia.html", "Product Viewed"]);
  assertClean(tab);
  await context.close();
});

test("d2. personalization denied after the hero rendered: the slot goes back to its default content (matrix: \"nothing renders, default content only\")", TIMEOUT, async () => {
  const context = await newContext();
  const tab = await open(context);
  const { page } = tab;
  await heroRendered(page);
  assert.deepEqual(await consentOf(page, { personalization: "denied" }), states("granted", "denied"));
  assert.deepEqual(await page.evaluate(() => window.trailmark.decisions()), []);
  try {
    await assertDefaultHero(page);
  } finally {
    await context.close();
  }
});

for (const [name, signal] of [["GPC", GPC], ["DNT", DNT]]) {
  test(`${name === "GPC" ? "e" : "g"}. ${name} on, honorGlobalPrivacyControl by default: local-only, no event leaves, the hero still renders`, TIMEOUT, async () => {
    const context = await newContext({ signal });
    const tab = await open(context);
    const { page } = tab;
    assert.deepEqual(await page.evaluate(() => [navigator.globalPrivacyControl, navigator.doNotTrack]),
      name === "GPC" ? [true, null] : [undefined, "1"], "the signal as the page sees it");
    await heroRendered(page);
    assert.deepEqual(await consentOf(page), states("denied", "granted"));
    assert.deepEqual(await page.evaluate(() => window.trailmark.decisions()),
      HOME_DECISIONS);
    await track(page, "Product Added", added("local"));
    await assertNothingLeaves(page);
    assert.deepEqual(await storage(page), { consent: null, aid: null, queues: [] }, "no choice stored, nothing persisted, no id");
    // Across a reload too (and the unloading page's pagehide sends nothing).
    await page.reload();
    await ready(page);
    await heroRendered(page);
    await assertNothingLeaves(page);
    assertClean(tab);
    await context.close();
  });
}

test("f. GPC on with honorGlobalPrivacyControl: false: events flow, on the first load and after a reload", TIMEOUT, async () => {
  const context = await newContext({ signal: GPC, consent: { honorGlobalPrivacyControl: false } });
  const tab = await open(context);
  const { page } = tab;
  await heroRendered(page);
  assert.deepEqual(await consentOf(page), states("granted", "granted"));
  await track(page, "Product Added", added("f"));
  await assertDelivered(page, [...HOME_EVENTS, "Product Added #f", JOURNEY]);
  // A second load (the config now comes from the loader's cache, applied before the page view).
  await page.reload();
  await ready(page);
  await heroRendered(page);
  assert.deepEqual(await consentOf(page), states("granted", "granted"));
  await track(page, "Product Added", added("f-reload"));
  await assertDelivered(page, [...HOME_EVENTS, "Product Added #f", JOURNEY, "Page Engagement", ...HOME_EVENTS, "Product Added #f-reload"]);
  assertClean(tab);
  await context.close();
});

test("f2. GPC on with honorGlobalPrivacyControl: false: the first load's page view and queued calls arrive too", TIMEOUT, async () => {
  const context = await newContext({ signal: GPC, consent: { honorGlobalPrivacyControl: false } });
  try {
    const { page } = await open(context);
    await heroRendered(page);
    await assertDelivered(page, HOME_EVENTS);
  } finally {
    await context.close();
  }
});

test("h. GPC on, then the shopper grants analytics through the API: the grant stands (made under the signal), events flow, also after reload", TIMEOUT, async () => {
  const context = await newContext({ signal: GPC });
  const tab = await open(context);
  const { page } = tab;
  await heroRendered(page);
  assert.deepEqual(await consentOf(page), states("denied", "granted"));
  await track(page, "Product Added", added("before-grant")); // analytics denied: discarded
  assert.deepEqual(await consentOf(page, { analytics: "granted" }), states("granted", "granted"));
  assertRecord((await storage(page)).consent, { analytics: { choice: "granted", signal: true } });
  await track(page, "Product Added", added("after-grant"));
  // What was recorded while analytics was denied is gone (discarded); what follows is sent.
  await assertDelivered(page, ["Product Added #after-grant"]);

  await page.reload();
  await ready(page);
  await heroRendered(page);
  assert.deepEqual(await consentOf(page), states("granted", "granted"), "the grant made under GPC persists");
  // The first load's engagement is recorded when it is left, analytics granted by then.
  await assertDelivered(page, ["Product Added #after-grant", "Page Engagement", ...HOME_EVENTS]);
  assertClean(tab);
  await context.close();
});

test("h2. a grant made before GPC appeared yields to it: analytics denied on the next load, nothing leaves", TIMEOUT, async () => {
  // GPC is on only once the tab's sessionStorage says so (set between the two loads).
  const context = await newContext({
    signal: () => {
      if (sessionStorage.getItem("__tmGpc") === "1") Object.defineProperty(Navigator.prototype, "globalPrivacyControl", { get: () => true, configurable: true });
    },
  });
  const tab = await open(context);
  const { page } = tab;
  await heroRendered(page);
  assert.deepEqual(await consentOf(page, { analytics: "granted" }), states("granted", "granted"));
  await assertDelivered(page, HOME_EVENTS);
  assertRecord((await storage(page)).consent, { analytics: { choice: "granted", signal: false } });

  await page.evaluate(() => sessionStorage.setItem("__tmGpc", "1"));
  const before = (await sendLog(page)).length;
  await page.reload();
  await ready(page);
  assert.equal(await page.evaluate(() => navigator.globalPrivacyControl), true);
  await heroRendered(page);
  assert.deepEqual(await consentOf(page), states("denied", "granted"), "the older grant yields to the newer signal");
  await track(page, "Product Added", added("under-gpc"));
  await driveClock(page, () => false, { stepMs: 1_000, maxFakeMs: 30_000 });
  // The unloading page (analytics granted) beacons its own Page Engagement; nothing after.
  assert.deepEqual((await sendLog(page)).slice(before).map((s) => s.via), ["beacon"], "nothing sent after the reload");
  assert.deepEqual((await probeLog(page)).fetches, []);
  assert.deepEqual(collector.query(ALL).map(key), [...HOME_EVENTS, "Page Engagement"], "nothing from the second load");
  assertClean(tab);
  await context.close();
});

// ------------------------------------------------------------------ several tabs of one visitor

const PRODUCT = "product-ethiopia.html";
const PRODUCT_EVENTS = ["page /" + PRODUCT, "Product Viewed"];

/** The tab id Trailmark keeps in the tab's sessionStorage (versioned envelope). */
const tabIdOf = (page) => page.evaluate(() => JSON.parse(sessionStorage.getItem("trailmark:tab")).d);

/**
 * Drives the context's page clock (one clock for every page of the context) in `stepMs` steps,
 * letting every batch request of every page in `pages` settle before each step, until `done()`
 * holds or `maxFakeMs` of page time has passed. Returns whether `done()` held.
 */
async function driveTabs(pages, done, { stepMs = 500, maxFakeMs = 30_000 } = {}) {
  for (let spent = 0; ; spent += stepMs) {
    for (const p of pages) await settled(p);
    if (await done()) return true;
    if (spent >= maxFakeMs) return false;
    await pages[0].clock.runFor(stepMs);
  }
}

/** Stored rows grouped by tab: `{ [tabId]: ["page /", ...] }`, each tab's in seq order. */
function rowsByTab() {
  const out = {};
  for (const row of collector.query(ALL)) (out[row.tab_id] ??= []).push(key(row));
  return out;
}

/**
 * Opens the home page (tab A) and a product page (tab B) in one context with no consent
 * section, and checks both tabs' first events arrive: exactly these rows, one visitor, each
 * request stored once.
 */
async function twoTabsDelivered(context) {
  const a = await open(context);
  const b = await open(context, PRODUCT);
  await consentBecomes(a.page, states("granted", "granted"));
  await consentBecomes(b.page, states("granted", "granted"));
  const ids = { a: await tabIdOf(a.page), b: await tabIdOf(b.page) };
  assert.notEqual(ids.a, ids.b, "two tabs, two tab ids");
  const want = HOME_EVENTS.length + PRODUCT_EVENTS.length;
  const arrived = await driveTabs([a.page, b.page], async () => (await collectorStats(collector)).events >= want);
  assert.ok(arrived, "both tabs delivered; stored " + JSON.stringify(rowsByTab()));
  await driveTabs([a.page, b.page], () => false, { stepMs: 2_000, maxFakeMs: 10_000 });
  assert.deepEqual(rowsByTab(), { [ids.a]: HOME_EVENTS, [ids.b]: PRODUCT_EVENTS }, "exactly these events, per tab");
  const rows = collector.query(ALL);
  assert.equal(new Set(rows.map((r) => r.message_id)).size, rows.length, "messageIds unique");
  assert.equal(new Set(rows.map((r) => r.anonymous_id)).size, 1, "one visitor");
  const stats = await collectorStats(collector);
  const every = collector.query(EVERY);
  assert.equal(new Set(every.map((r) => r.message_id)).size, every.length, "messageIds unique, outcome events too");
  assert.equal(stats.events, every.length, "no duplicate stored");
  assert.equal(stats.requests, stats.batches, "every request stored, none refused or repeated");
  return { a, b, ids };
}

test("i. analytics denied in one tab stops every tab", TIMEOUT, async () => {
  const context = await newContext();
  try {
    const { a, b, ids } = await twoTabsDelivered(context);
    const rowsBefore = collector.query(EVERY);
    const statsBefore = await collectorStats(collector);
    const sentBefore = { a: (await sendLog(a.page)).length, b: (await sendLog(b.page)).length };
    const probeBefore = { a: await probeLog(a.page), b: await probeLog(b.page) };

    assert.deepEqual(await consentOf(a.page, { analytics: "denied" }), states("denied", "granted"));
    assertRecord((await storage(a.page)).consent, { analytics: { choice: "denied", signal: false } });
    // Tab B learns of the choice through the `storage` event.
    await consentBecomes(b.page, states("denied", "granted"));

    await track(b.page, "Product Added", added("b-after-denial"));
    await track(a.page, "Product Added", added("a-after-denial"));
    await driveTabs([a.page, b.page], () => false, { stepMs: 1_000, maxFakeMs: 30_000 });

    assert.deepEqual(collector.query(EVERY), rowsBefore, "nothing new stored from either tab");
    assert.deepEqual(rowsByTab(), { [ids.a]: HOME_EVENTS, [ids.b]: PRODUCT_EVENTS });
    assert.deepEqual(await collectorStats(collector), statsBefore, "no request reached the collector");
    assert.deepEqual((await sendLog(b.page)).slice(sentBefore.b), [], "tab B never tried to send after the denial");
    assert.deepEqual((await sendLog(a.page)).slice(sentBefore.a), [], "tab A never tried to send after the denial");
    assert.deepEqual(await probeLog(b.page), probeBefore.b);
    assert.deepEqual(await probeLog(a.page), probeBefore.a);
    assert.deepEqual(await consentOf(b.page), states("denied", "granted"), "tab B: analytics denied");
    assert.deepEqual(await consentOf(a.page), states("denied", "granted"), "tab A: analytics denied");
    assert.deepEqual((await storage(b.page)).queues, [], "no stored queue left");
    assert.deepEqual((await storage(a.page)).queues, []);
    assertClean(a);
    assertClean(b);
  } finally {
    await context.close();
  }
});

test("j. a stored queue of a tab is removed when analytics is denied", TIMEOUT, async () => {
  const context = await newContext();
  try {
    const { a, b, ids } = await twoTabsDelivered(context);
    const rowsBefore = collector.query(EVERY);

    // Every delivery fails from now on: tab B's next event stays queued and is stored.
    await collector.control("/_control/fault", { mode: "500", count: -1 });
    await track(b.page, "Product Added", added("stored"));
    const ownKey = "trailmark:outbox:" + ids.b;
    const stored = await driveTabs([a.page, b.page], async () => {
      const { queues } = await storage(b.page);
      const faulted = (await collectorStats(collector)).faulted;
      return faulted >= 1 && queues.some(([k, v]) => k === ownKey && v.includes("Product Added"));
    }, { stepMs: 250, maxFakeMs: 10_000 });
    assert.ok(stored, "tab B's queue was stored: " + JSON.stringify((await storage(b.page)).queues));
    assert.deepEqual((await storage(a.page)).queues.map(([k]) => k), [ownKey], "only tab B's queue is stored");

    const sentBefore = { a: (await sendLog(a.page)).length, b: (await sendLog(b.page)).length };
    const statsBefore = await collectorStats(collector);
    assert.deepEqual(await consentOf(a.page, { analytics: "denied" }), states("denied", "granted"));
    assert.deepEqual((await storage(a.page)).queues, [], "every stored queue is removed at the denial");
    await consentBecomes(b.page, states("denied", "granted"));
    assert.deepEqual((await storage(b.page)).queues, [], "tab B does not write its queue back");

    // The collector works again: still nothing from tab B (its queued event was dropped).
    await collector.control("/_control/fault", { mode: "ok" });
    await driveTabs([a.page, b.page], () => false, { stepMs: 1_000, maxFakeMs: 30_000 });
    assert.deepEqual(collector.query(EVERY), rowsBefore, "nothing new stored");
    assert.deepEqual(rowsByTab(), { [ids.a]: HOME_EVENTS, [ids.b]: PRODUCT_EVENTS });
    const stats = await collectorStats(collector);
    assert.deepEqual({ requests: stats.requests, events: stats.events }, { requests: statsBefore.requests, events: statsBefore.events },
      "no request after the denial");
    assert.deepEqual((await sendLog(b.page)).slice(sentBefore.b), [], "tab B never tried to send after the denial");
    assert.deepEqual((await sendLog(a.page)).slice(sentBefore.a), [], "tab A never tried to send after the denial");
    assert.deepEqual((await storage(b.page)).queues, [], "still no stored queue");
    assertClean(a);
    assertClean(b);
  } finally {
    await context.close();
  }
});
