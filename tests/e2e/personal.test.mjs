// Personal text and why a shopper saw what they saw, on the demo store in Chromium against the
// real collector: the free-delivery bar's amount follows the cart as products are added and
// removed (in place, no reload), a returning identified shopper is greeted by the name their
// `identify` traits gave, preview works with the config's key and is ignored without it (and
// records nothing), the debug panel lists the decisions, and `explain()` names the failing
// path; the README's `explain()` example is exactly what the demo answers.
//
//   node --test --test-concurrency=1 tests/e2e/personal.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startStoreAndBrowser, stopStoreAndBrowser, openPage, trailmarkLines } from "./harness.mjs";

const TIMEOUT = { timeout: 60_000 };
const BAR = ".tm-bar-top strong";
const HERO = "[data-trailmark-slot='hero']";
let collector;
let browser;

before(async () => ({ collector, browser } = await startStoreAndBrowser()));
after(() => stopStoreAndBrowser(collector, browser));

const ready = (page) => page.evaluate(() => window.trailmark.started);
const textOf = (page, selector) => page.locator(selector).first().textContent();
/** Waits until `selector`'s text is `want` (the page updates it after the module decides). */
async function textBecomes(page, selector, want) {
  await page.waitForFunction(([s, w]) => document.querySelector(s)?.textContent === w, [selector, want], { timeout: 5_000 })
    .catch(() => {});
  assert.equal(await textOf(page, selector), want);
}

test("the bar's remaining amount follows the cart: add, add again, remove, in place", TIMEOUT, async () => {
  const { context, page, consoleMessages, pageErrors } = await openPage(browser);
  await page.goto(collector.store + "product-colombia.html");
  await ready(page);
  await textBecomes(page, BAR, "You're $40.00 away from free delivery.");
  const bar = await page.locator(".tm-bar-top").elementHandle();
  await page.click("text=Add to cart"); // Colombia Huila, $16.50
  await textBecomes(page, BAR, "You're $23.50 away from free delivery.");
  await page.click("text=Add to cart");
  await textBecomes(page, BAR, "You're $7.00 away from free delivery.");
  // The same element all along: the text changed in place.
  assert.equal(await bar.evaluate((el) => el.isConnected), true);
  await page.evaluate(() => window.trailmark.track("Product Removed", {
    product_id: "colombia-huila", name: "Colombia Huila", price: 1650, currency: "USD", quantity: 1,
  }));
  await textBecomes(page, BAR, "You're $23.50 away from free delivery.");
  // A third bag passes $40: the other rule's text.
  await page.click("text=Add to cart");
  await page.click("text=Add to cart");
  await textBecomes(page, BAR, "Your order ships free.");
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(trailmarkLines(consoleMessages), []);
  await context.close();
});

test("a returning shopper who told us their name is greeted by it; without a name the default hero shows", TIMEOUT, async () => {
  const { context, page, consoleMessages, pageErrors } = await openPage(browser);
  await page.goto(collector.store);
  await ready(page);
  await textBecomes(page, `${HERO} h2`, "Fresh roasts, picked for you");
  // An order without a first name: the greeting cannot fill, the next rule shows.
  await page.evaluate(() => window.trailmark.track("Order Completed", { order_id: "o-1", total: 1650, revenue: 1650, currency: "USD" }));
  await page.reload();
  await ready(page);
  await textBecomes(page, `${HERO} h2`, "Fresh roasts, picked for you");
  // Only the traits the config names are kept (first_name), never added to other events.
  await page.evaluate(() => window.trailmark.identify("cust-7", { first_name: "Ana", email: "ana@example.com" }));
  await page.reload();
  await ready(page);
  await textBecomes(page, `${HERO} h2`, "Welcome back, Ana");
  assert.equal(await textOf(page, `${HERO} .tm-banner-body p:nth-of-type(2)`),
    "Your usual is roasting: 1 order with us so far. Roasted Tuesday, at your door by Friday.");
  // Hostile values are text: a name with markup shows as typed.
  await page.evaluate(() => window.trailmark.identify("cust-7", { first_name: "<img src=x onerror=alert(1)>" }));
  await page.reload();
  await ready(page);
  await textBecomes(page, `${HERO} h2`, "Welcome back, <img src=x onerror=alert(1)>");
  assert.equal(await page.locator(`${HERO} img[src='x']`).count(), 0);
  const stored = collector.query("SELECT properties FROM events WHERE event = 'Order Completed'");
  assert.ok(stored.every((r) => !r.properties.includes("Ana")), "traits are not added to other events");
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(trailmarkLines(consoleMessages), []);
  await context.close();
});

test("preview forces a rule with the config's key, records nothing, and is ignored without the key", TIMEOUT, async () => {
  const { context, page, consoleMessages, pageErrors } = await openPage(browser);
  const viewed = () => collector.query("SELECT properties FROM events WHERE event = 'Block Viewed'")
    .filter((r) => r.properties.includes("exit-cart-offer")).length;
  await page.goto(collector.store + "?trailmark-preview=exit-cart-offer&trailmark-key=not-the-key");
  await ready(page);
  await page.waitForTimeout(500);
  assert.equal(await page.locator("dialog[open]").count(), 0, "a wrong key changes nothing");
  await page.goto(collector.store + "?trailmark-preview=exit-cart-offer&trailmark-key=northwind-qa&trailmark-debug");
  await ready(page);
  await textBecomes(page, "dialog[open] h2", "Before you go: 5% off your cart");
  const d = await page.evaluate(() => window.trailmark.decisions().find((x) => x.placement === "dialog"));
  assert.deepEqual(d, { slot: "", placement: "dialog", rule: "exit-cart-offer", block: "exit-offer", offer: "STAY5", preview: true });
  // The debug panel lists the decisions.
  await page.waitForSelector(".tm-debug pre");
  assert.match(await textOf(page, ".tm-debug pre"), /^dialog: exit-cart-offer -> exit-offer \(preview\)$/m);
  await page.keyboard.press("Escape");
  await page.evaluate(() => window.trailmark.flush && window.trailmark.flush());
  await page.waitForTimeout(2_500);
  assert.equal(viewed(), 0, "no Block Viewed for a preview");
  assert.equal(collector.query("SELECT * FROM events WHERE event = 'Block Dismissed'").length, 0, "no Block Dismissed for a preview");
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(trailmarkLines(consoleMessages), []);
  await context.close();
});

test("explain() names the failing path and the value seen, and the README shows exactly what the demo answers", TIMEOUT, async () => {
  const { context, page, pageErrors } = await openPage(browser);
  // A fixed anonymous id: where the demo's A/B test is decided, the answer names the visitor's
  // variant, so the example is one visitor's.
  await context.addInitScript(() => localStorage.setItem("trailmark:aid", JSON.stringify({ v: 1, d: "readme-visitor-1" })));
  await page.goto(collector.store + "product-colombia.html");
  await ready(page);
  await page.waitForSelector(".tm-bar-top");
  const explained = await page.evaluate(() => window.trailmark.explain());
  const hero = explained.find((g) => g.slot === "hero").candidates;
  assert.deepEqual(hero[0], { rule: "home-hero-welcome-back", priority: 1, shown: false, reason: "condition", path: "orders.count", seen: 0 });
  assert.deepEqual(hero[1], { rule: "home-hero-welcome", priority: 0, shown: true, block: "roaster-picks-hero" });
  // The README's example (the fenced block after the marker) is this answer, exactly.
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const marker = "<!-- explain(): a first visit to /product-colombia.html -->";
  const at = readme.indexOf(marker);
  assert.ok(at >= 0, "the README has the explain() example");
  const block = readme.slice(at).match(/```json\n([\s\S]*?)\n```/)[1];
  assert.deepEqual(JSON.parse(block), explained);
  assert.deepEqual(pageErrors, []);
  await context.close();
});
