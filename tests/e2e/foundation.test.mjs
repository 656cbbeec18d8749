// The foundation, end to end: the demo store in real Chromium, Trailmark loaded by its script
// tag, events landing in the real collector's SQLite file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { openPage, trailmarkLines, startStoreAndBrowser, stopStoreAndBrowser, quiet, pollUntil, NOT_OUTCOME } from "./harness.mjs";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HERO_H2 = "[data-trailmark-slot='hero'] h2";

let collector;
let browser;

before(async () => ({ collector, browser } = await startStoreAndBrowser()));
after(() => stopStoreAndBrowser(collector, browser));

const events = (where = "1=1") =>
  collector.query(`SELECT * FROM events WHERE ${where} ORDER BY tab_id, seq`);

/** Serves `url`'s HTML with its CSP meta rewritten by `edit`. */
async function rewriteCsp(page, edit) {
  await page.route((u) => u.pathname.endsWith(".html") || u.pathname === "/", async (route) => {
    const res = await route.fetch();
    const body = (await res.text()).replace(/(http-equiv="Content-Security-Policy" content=")([^"]*)"/, (_, a, csp) => a + edit(csp) + '"');
    await route.fulfill({ response: res, body });
  });
}

test("home: the hero slot shows the config's block and the page view row is stored", async () => {
  await quiet(collector);
  await collector.control("/_control/reset");
  const { context, page, consoleMessages, pageErrors } = await openPage(browser);
  await page.goto(collector.store);
  await page.waitForSelector(HERO_H2);
  assert.equal(await page.textContent(HERO_H2), "Fresh roasts, picked for you");
  const hero = page.locator("[data-trailmark-slot='hero']");
  assert.equal(await hero.getAttribute("data-trailmark-rule"), "home-hero-welcome");
  assert.equal(await hero.getAttribute("data-trailmark-block"), "roaster-picks-hero");
  assert.equal(await page.textContent("[data-trailmark-slot='hero'] a.tm-button"), "Shop the roast");
  // A slot no rule targets keeps its default content.
  assert.match(await page.textContent("[data-trailmark-slot='home-secondary']"), /A fresh bag every two weeks/);

  const rows = await collector.waitFor("SELECT * FROM events WHERE type='page'", (r) => r.length === 1);
  assert.equal(rows.length, 1, "exactly one page view");
  const row = rows[0];
  assert.match(row.message_id, UUID);
  assert.match(row.anonymous_id, UUID);
  assert.match(row.timestamp, ISO);
  assert.equal(row.user_id, null);
  assert.match(row.tab_id, UUID);
  assert.equal(row.seq, 1_000_001, "first event of the tab's first page load");
  const ctx = JSON.parse(row.context);
  assert.deepEqual(ctx.library, { name: "trailmark", version: "0.1.0" });
  assert.equal(ctx.page.path, "/");
  assert.equal(ctx.page.url, collector.store);
  assert.equal(ctx.page.title, await page.title());
  assert.equal(typeof ctx.userAgent, "string");
  assert.equal(ctx.tabId, row.tab_id);
  const properties = JSON.parse(row.properties);
  assert.equal(properties.path, "/");
  assert.equal(properties.url, collector.store);
  // The home page's own queued call arrives after the page view, in order.
  const listViewed = await collector.waitFor("SELECT * FROM events WHERE event='Product List Viewed'", (r) => r.length === 1);
  assert.equal(listViewed[0].seq, 1_000_002);
  assert.equal(listViewed[0].anonymous_id, row.anonymous_id);

  assert.deepEqual(pageErrors, []);
  assert.deepEqual(trailmarkLines(consoleMessages), []);
  await context.close();
});

test("product page: a queued call, then an add to cart sent at once", async () => {
  await quiet(collector);
  await collector.control("/_control/reset");
  const { context, page, pageErrors } = await openPage(browser);
  await page.goto(collector.store + "product-ethiopia.html");
  await page.evaluate(() => new Promise((r) => window.trailmark.ready(r)));
  await page.click("text=Add to cart");
  const added = await collector.waitFor("SELECT * FROM events WHERE event='Product Added'", (r) => r.length === 1, 1500);
  assert.equal(added.length, 1, "Product Added is a conversion event: it is sent without waiting for the 2 s flush");
  const props = JSON.parse(added[0].properties);
  assert.equal(props.product_id, "ethiopia-yirgacheffe");
  assert.equal(props.price, 1850);
  assert.equal(props.currency, "USD");
  assert.equal(props.quantity, 1);
  const viewed = events("event='Product Viewed'");
  assert.equal(viewed.length, 1, "the page's queued Product Viewed went out with the urgent batch");
  assert.ok(viewed[0].seq < added[0].seq);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test("product pages: the regex rule shows the free-shipping note; the home page does not", async () => {
  const { context, page, consoleMessages, pageErrors } = await openPage(browser);
  const slot = "[data-trailmark-slot='product-inline']";
  const note = "Free shipping over $40.";
  // Every product page of the store matches `^/product-`.
  const products = readdirSync(new URL("../../www/", import.meta.url)).filter((f) => /^product-.+\.html$/.test(f)).sort();
  assert.ok(products.length >= 2, "the demo store has product pages: " + products);
  for (const file of products) {
    await page.goto(collector.store + file);
    await page.waitForSelector(`${slot}[data-trailmark-rule]`);
    const rendered = page.locator(slot);
    assert.equal(await rendered.count(), 1, file);
    assert.equal(await rendered.getAttribute("data-trailmark-rule"), "product-free-shipping", file);
    assert.equal(await rendered.getAttribute("data-trailmark-block"), "free-shipping-note", file);
    // The block's headline is exactly the configured text, set as text (no markup parsed).
    assert.equal(await page.textContent(`${slot} .tm-note > strong`), note, file);
    assert.equal(await page.textContent(`${slot} .tm-note > span`), "Add a second bag and we'll cover delivery.", file);
    assert.equal(await page.locator(`${slot} .tm-note`).count(), 1, file);
    assert.equal(await page.getByText(note, { exact: true }).count(), 1, file);
    // The block replaced the slot's default content.
    assert.doesNotMatch(await rendered.textContent(), /Fresh, not stored/, file);
    const decisions = await page.evaluate(() => window.trailmark.decisions());
    assert.deepEqual(
      decisions.filter((d) => d.slot === "product-inline"),
      [{ slot: "product-inline", placement: "slot", rule: "product-free-shipping", block: "free-shipping-note" }],
      file,
    );
  }

  // The home page: rules have run (the hero is rendered), and the note is nowhere. (Its own
  // static copy says "Free shipping over $40" without the full stop; that is not the block.)
  await page.goto(collector.store);
  await page.waitForSelector(HERO_H2);
  assert.equal(await page.getByText(note, { exact: true }).count(), 0);
  assert.equal(await page.locator(".tm-note").count(), 0);
  assert.equal(await page.locator("[data-trailmark-rule='product-free-shipping']").count(), 0);
  const decisions = await page.evaluate(() => window.trailmark.decisions());
  // (The Roast Club A/B test is decided for a shopper who viewed a product, in either variant.)
  assert.deepEqual(decisions.map((d) => d.rule), ["home-hero-welcome", "roast-club-test"]);

  assert.deepEqual(pageErrors, []);
  assert.deepEqual(trailmarkLines(consoleMessages), []);
  await context.close();
});

test("leaving the page hands queued events to sendBeacon", async () => {
  await quiet(collector);
  await collector.control("/_control/reset");
  const { context, page } = await openPage(browser);
  // A frozen clock: the 2 s flush timer never fires, so only the pagehide beacon can deliver.
  await page.clock.install();
  await page.goto(collector.store + "category.html");
  await page.evaluate(() => new Promise((r) => window.trailmark.ready(r)));
  // The config (fetched: data-config) brings the consent defaults that let events leave: left
  // before it applied, the page has nothing it may send. (Polled from here: the frozen clock
  // holds the page's timers.)
  assert.ok(await pollUntil(() => page.evaluate(() => window.trailmark.decisions().length > 0)), "the config applied");
  assert.equal(events().length, 0, "nothing sent before the flush interval");
  await page.goto("about:blank");
  // (The shipping bar's Block Viewed goes in the same beacon; outcome events are checked in
  // overlays.test.mjs.)
  const rows = await collector.waitFor(`SELECT * FROM events WHERE ${NOT_OUTCOME} ORDER BY seq`, (r) => r.length === 3);
  // The page's engagement, recorded as it is left, goes in the same beacon.
  assert.deepEqual(rows.map((r) => r.type + ":" + (r.event ?? "")), ["page:", "track:Product List Viewed", "track:Page Engagement"]);
  const batch = collector.query("SELECT * FROM batches");
  assert.equal(batch.length, 1);
  assert.match(batch[0].content_type, /^text\/plain/);
  await context.close();
});

test("a CSP without 'wasm-unsafe-eval' leaves the page unharmed with one warning", async () => {
  const { context, page, consoleMessages, pageErrors } = await openPage(browser);
  await rewriteCsp(page, (csp) => csp.replace(" 'wasm-unsafe-eval'", ""));
  await page.goto(collector.store);
  await page.waitForFunction(() => window.trailmark && !Array.isArray(window.trailmark));
  await page.evaluate(() => window.trailmark.started);
  // Calls are harmless no-ops.
  await page.evaluate(() => { window.trailmark.track("Still Fine", {}); window.trailmark.push(["page"]); });
  assert.match(await page.textContent("[data-trailmark-slot='hero']"), /Small-batch coffee, roasted every Tuesday/);
  const lines = trailmarkLines(consoleMessages);
  assert.equal(lines.length, 1, JSON.stringify(lines));
  assert.equal(lines[0].type, "warning");
  assert.match(lines[0].text, /wasm-unsafe-eval/);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test("under Trusted Types the loader and rendering still work", async () => {
  const { context, page, consoleMessages, pageErrors } = await openPage(browser);
  await rewriteCsp(page, (csp) => csp + "; require-trusted-types-for 'script'; trusted-types 'none'");
  await page.goto(collector.store);
  await page.waitForSelector(HERO_H2);
  assert.equal(await page.textContent(HERO_H2), "Fresh roasts, picked for you");
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(consoleMessages.filter((m) => m.type === "error"), []);
  await context.close();
});

test("a missing config keeps default content, logs one error and keeps tracking", async () => {
  const { context, page, consoleMessages, pageErrors } = await openPage(browser);
  await page.route("**/trailmark.compiled.json", (route) => route.fulfill({ status: 404, body: "not here" }));
  await page.goto(collector.store);
  await page.evaluate(() => window.trailmark.started);
  await page.waitForFunction(() => document.readyState === "complete");
  await page.waitForTimeout(300);
  assert.match(await page.textContent("[data-trailmark-slot='hero']"), /Small-batch coffee/);
  const lines = trailmarkLines(consoleMessages);
  assert.equal(lines.length, 1, JSON.stringify(lines));
  assert.equal(lines[0].type, "error");
  assert.match(lines[0].text, /config \/trailmark\.compiled\.json could not be loaded \(HTTP 404\)/);
  // Tracking goes on: the events wait on the device for a config that names a collector.
  await page.evaluate(() => window.trailmark.track("Still Tracking", { n: 1 }));
  assert.equal(await page.evaluate(() => window.trailmark.decisions().length), 0);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

// A JSON config (not compiled) where a compiled one is expected: the tools chunk compiles it in
// the page and reports its problems.
test("an invalid JSON config names each error's code and path; the valid parts still apply", async () => {
  await quiet(collector);
  await collector.control("/_control/reset");
  const { context, page, consoleMessages, pageErrors } = await openPage(browser);
  let heroRule = -1;
  let brokenRule = -1;
  await page.route("**/trailmark.compiled.json", async (route) => {
    const res = await route.fetch({ url: collector.store + "trailmark.json" });
    const config = JSON.parse((await res.text()).replaceAll("{{COLLECTOR_ORIGIN}}", collector.collectOrigin));
    config.blocks["roaster-picks-hero"].tag = "script";
    config.rules.push({ id: "broken", slot: "home-secondary", show: "no-such-block" });
    heroRule = config.rules.findIndex((r) => r.id === "home-hero-welcome");
    brokenRule = config.rules.length - 1;
    await route.fulfill({ response: res, body: JSON.stringify(config) });
  });
  await page.goto(collector.store);
  await page.evaluate(() => window.trailmark.started);
  const lines = await (async () => {
    for (let i = 0; i < 50; i++) {
      const l = trailmarkLines(consoleMessages);
      if (l.length) return l;
      await page.waitForTimeout(100);
    }
    return [];
  })();
  assert.equal(lines.length, 1, JSON.stringify(lines));
  assert.equal(lines[0].type, "error");
  assert.match(lines[0].text, /blocks\/tag-not-allowed at \/blocks\/roaster-picks-hero\/tag/);
  assert.match(lines[0].text, new RegExp(`rules/unknown-block at /rules/${heroRule}/show`));
  assert.match(lines[0].text, new RegExp(`rules/unknown-block at /rules/${brokenRule}/show`)); // the rule pushed after the demo's
  assert.match(await page.textContent("[data-trailmark-slot='hero']"), /Small-batch coffee/);
  // The collector part was valid: the page view still arrives.
  const rows = await collector.waitFor("SELECT * FROM events WHERE type='page'", (r) => r.length === 1);
  assert.equal(rows.length, 1);
  assert.deepEqual(pageErrors, []);
  await context.close();
});
