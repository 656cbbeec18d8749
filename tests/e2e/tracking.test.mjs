// Automatic capture, end to end: the demo store in headless Chromium, Trailmark loaded by its
// script tag, the real collector and its SQLite file. A whole shopping journey (campaign
// landing, category, a pushState filter, two products, cart, checkout, order) is checked event
// by event: the exact sequence, the commerce properties (money in cents) and the context
// (campaign, session, tab, time zone, screen, seq). Then each capture path on its own:
// single-page-app route changes, engagement across hide/show, declarative attributes, the GA4
// and Shopify adapters, identify/reset, the cart across tabs, prerendering and the
// back/forward cache.
//
//   node --test --test-concurrency=1 tests/e2e/tracking.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startCollector, launchBrowser, trailmarkLines, pollUntil, startStoreAndBrowser,
  stopStoreAndBrowser, routeConfig,
  NOT_OUTCOME,
} from "./harness.mjs";

const TIMEOUT = { timeout: 60_000 };
// Outcome events (Block Viewed, ...) are checked in overlays.test.mjs.
const ALL = `SELECT * FROM events WHERE ${NOT_OUTCOME} ORDER BY tab_id, seq`;
const UTM = "?utm_source=newsletter&utm_medium=email&utm_campaign=spring";
// What each test's browser context emulates, so the context fields are not the defaults.
const TIMEZONE = "America/Chicago";
const SCREEN = { width: 1440, height: 900, density: 2 };

let collector;
let browser;

before(async () => ({ collector, browser } = await startStoreAndBrowser()));
after(() => stopStoreAndBrowser(collector, browser));

// ------------------------------------------------------------------------------------ helpers

/**
 * A fresh collector (the previous test's closing pages may still send beacons; they now hit
 * the stopped one) and a browser context with a known time zone and screen, recording console
 * messages and page errors of every page.
 */
async function newContext() {
  collector.stop();
  collector = await startCollector();
  const context = await browser.newContext({
    timezoneId: TIMEZONE,
    locale: "en-US",
    viewport: { width: 1280, height: 720 },
    screen: { width: SCREEN.width, height: SCREEN.height },
    deviceScaleFactor: SCREEN.density,
  });
  const consoleMessages = [];
  const pageErrors = [];
  context.on("page", (p) => watch(p, consoleMessages, pageErrors));
  return { context, consoleMessages, pageErrors };
}

function watch(page, consoleMessages, pageErrors) {
  page.on("console", (m) => consoleMessages.push({ type: m.type(), text: m.text() }));
  page.on("pageerror", (e) => pageErrors.push(String(e)));
}

/** Waits until Trailmark runs in `page`. */
async function ready(page) {
  await page.waitForFunction(() => window.trailmark && !Array.isArray(window.trailmark));
  await page.evaluate(() => new Promise((r) => window.trailmark.ready(() => r())));
}

/** Opens `path` of the store in `page` and waits until Trailmark runs. */
async function open(page, path) {
  await page.goto(collector.store + path.replace(/^\//, ""));
  await ready(page);
}

/** Clicks `selector`, which navigates to a URL matching `url`, and waits until Trailmark runs there. */
async function clickThrough(page, selector, url) {
  await Promise.all([page.waitForURL(url), page.click(selector)]);
  await ready(page);
}

const parse = (r) => ({
  ...r,
  props: r.properties ? JSON.parse(r.properties) : {},
  ctx: r.context ? JSON.parse(r.context) : {},
  traitsOf: r.traits ? JSON.parse(r.traits) : null,
});

/** Stored events in (tab, seq) order, parsed. */
const stored = (sql = ALL) => collector.query(sql).map(parse);

/** Polls the collector until `done(rows)` holds (rows parsed); returns the last rows. */
async function storedWhen(done, timeoutMs = 15_000, sql = ALL) {
  const rows = await collector.waitFor(sql, (r) => done(r.map(parse)), timeoutMs);
  return rows.map(parse);
}

/** The store-relative URL of a page event ("/category.html?roast=light"). */
const where = (url) => { const u = new URL(url); return u.pathname + u.search + u.hash; };
/** "page /path?query", "identify" or the event name. */
const label = (r) => (r.type === "page" ? "page " + where(r.props.url) : r.type === "track" ? r.event : r.type);

const named = (rows, name) => rows.filter((r) => r.event === name);

// -------------------------------------------------------------------------------- the journey

test("a shopping journey: every event in order, with its properties and context", TIMEOUT, async () => {
  const { context, consoleMessages, pageErrors } = await newContext();
  const page = await context.newPage();

  // 1. Landing on the home page from the newsletter.
  await open(page, "/" + UTM);
  const browserTimezone = await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const browserScreen = await page.evaluate(() => ({ width: screen.width, height: screen.height, density: devicePixelRatio }));
  assert.equal(browserTimezone, TIMEZONE);
  assert.deepEqual(browserScreen, SCREEN);

  // 2. The coffee category, from the header.
  await clickThrough(page, ".site-nav a[href='/category.html']", /\/category\.html$/);
  assert.equal(await page.locator(".product-card:not([hidden])").count(), 3);

  // 3. The "Light" roast filter: a pushState route change, no page load.
  const loadsBefore = await page.evaluate(() => performance.getEntriesByType("navigation").length + ":" + performance.timeOrigin);
  await page.click(".filter-tabs a[data-filter-value='light']");
  await page.waitForURL(/\/category\.html\?roast=light$/);
  assert.equal(await page.evaluate(() => performance.getEntriesByType("navigation").length + ":" + performance.timeOrigin), loadsBefore, "same document");
  assert.equal(await page.locator(".product-card:not([hidden])").count(), 1);
  assert.equal(await page.getAttribute(".filter-tabs a[data-filter-value='light']", "aria-current"), "true");
  assert.equal(await page.textContent("[data-result-count]"), "1 product");

  // 4. The first product, from the filtered list; read it to the end, then back to the top.
  await clickThrough(page, ".product-card[data-product-id='ethiopia-yirgacheffe'] .product-card__link", /product-ethiopia\.html$/);
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.waitForTimeout(600); // scroll depth is measured at most every 250 ms
  await page.evaluate(() => window.scrollTo(0, 0));
  // 5. Into the cart (one bag).
  await page.click("form[data-add-to-cart] button[type=submit]");
  await page.waitForSelector("text=Added 1 × Ethiopia Yirgacheffe");

  // 6. The second product, from "You might also like"; two bags of it.
  await clickThrough(page, ".related a[href='/product-colombia.html']", /product-colombia\.html$/);
  await page.fill("#quantity", "2");
  await page.click("form[data-add-to-cart] button[type=submit]");
  await page.waitForSelector("text=Added 2 × Colombia Huila");

  // 7. The cart: the first product removed.
  await clickThrough(page, "[data-cart-link]", /cart\.html$/);
  await page.click("li[data-product-id='ethiopia-yirgacheffe'] button[data-action='remove']");
  await page.waitForSelector("li[data-product-id='ethiopia-yirgacheffe']", { state: "detached" });

  // 8. Checkout, and the order.
  await clickThrough(page, "[data-checkout-link]", /checkout\.html$/);
  await page.fill("#name", "Ada Lovelace");
  await page.fill("#email", "ada@example.com");
  await page.fill("#address", "12 Analytical Row");
  await page.fill("#city", "Portland");
  await page.fill("#postal", "04101");
  await clickThrough(page, "[data-place-order]", /thanks\.html$/);
  const orderId = (await page.textContent("[data-order-id]")).trim();
  assert.match(orderId, /^NW-[A-Z2-9]{4}-[A-Z2-9]{4}$/);

  const expected = [
    "page /" + UTM,
    "Product List Viewed",
    "Page Engagement",
    "page /category.html",
    "Product List Viewed",
    // The filter tab's click is tracked at once; the route change it makes is recorded a task
    // later (after the router rendered): the unfiltered route's engagement, then the new view.
    "Product List Filtered",
    "Page Engagement",
    "page /category.html?roast=light",
    "Product Clicked",
    "Page Engagement",
    "page /product-ethiopia.html",
    "Product Viewed",
    "Product Added",
    "Journey Stage Entered", // the demo's abandoned-cart journey: in-cart
    "Product Clicked",
    "Page Engagement",
    "page /product-colombia.html",
    "Product Viewed",
    "Product Added",
    "Page Engagement",
    "page /cart.html",
    "Cart Viewed",
    "Product Removed",
    "Page Engagement",
    "page /checkout.html",
    "Checkout Started",
    "identify",
    "Page Engagement",
    "page /thanks.html",
    "Order Completed",
    "Journey Stage Entered", // its goal
  ];
  const rows = await storedWhen((r) => r.length >= expected.length && r.some((e) => e.event === "Order Completed"));
  assert.deepEqual(rows.map(label), expected);

  // ---- commerce properties: money in cents plus a currency code
  const [homeList, coffeeList] = named(rows, "Product List Viewed");
  assert.equal(homeList.props.list_id, "home-featured");
  assert.equal(coffeeList.props.list_id, "coffee");
  assert.deepEqual(coffeeList.props.products.map((p) => [p.product_id, p.price, p.currency]),
    [["ethiopia-yirgacheffe", 1850, "USD"], ["colombia-huila", 1650, "USD"], ["house-espresso", 2400, "USD"]]);
  assert.deepEqual(named(rows, "Product List Filtered")[0].props,
    { list_id: "coffee", category: "Coffee", filters: [{ type: "roast", value: "light" }] });
  const pick = (p, keys) => Object.fromEntries(keys.map((k) => [k, p[k]]));
  const CLICK = ["product_id", "price", "currency", "position", "list_id"];
  assert.deepEqual(named(rows, "Product Clicked").map((r) => pick(r.props, CLICK)), [
    { product_id: "ethiopia-yirgacheffe", price: 1850, currency: "USD", position: 1, list_id: "coffee" },
    { product_id: "colombia-huila", price: 1650, currency: "USD", position: 1, list_id: "related-ethiopia-yirgacheffe" },
  ]);
  assert.deepEqual(named(rows, "Product Viewed").map((r) => pick(r.props, ["product_id", "price", "currency"])), [
    { product_id: "ethiopia-yirgacheffe", price: 1850, currency: "USD" },
    { product_id: "colombia-huila", price: 1650, currency: "USD" },
  ]);
  const LINE = ["product_id", "price", "quantity", "currency"];
  const added = named(rows, "Product Added");
  assert.deepEqual(added.map((r) => pick(r.props, LINE)), [
    { product_id: "ethiopia-yirgacheffe", price: 1850, quantity: 1, currency: "USD" },
    { product_id: "colombia-huila", price: 1650, quantity: 2, currency: "USD" },
  ]);
  const cartId = added[0].props.cart_id;
  assert.match(cartId, /^cart-[A-Z2-9]{10}$/);
  assert.equal(added[1].props.cart_id, cartId);
  const cartViewed = named(rows, "Cart Viewed")[0].props;
  assert.equal(cartViewed.value, 1850 + 2 * 1650);
  assert.equal(cartViewed.currency, "USD");
  assert.deepEqual(cartViewed.products.map((p) => [p.product_id, p.quantity]), [["ethiopia-yirgacheffe", 1], ["colombia-huila", 2]]);
  const removed = named(rows, "Product Removed")[0].props;
  assert.deepEqual(pick(removed, LINE), { product_id: "ethiopia-yirgacheffe", price: 1850, quantity: 1, currency: "USD" });
  assert.equal(removed.cart_id, cartId);
  const checkout = named(rows, "Checkout Started")[0].props;
  assert.deepEqual(pick(checkout, ["order_id", "cart_id", "value", "shipping", "currency"]),
    { order_id: orderId, cart_id: cartId, value: 3300, shipping: 500, currency: "USD" });
  const order = named(rows, "Order Completed")[0].props;
  assert.deepEqual(pick(order, ["order_id", "cart_id", "total", "revenue", "shipping", "tax", "currency"]),
    { order_id: orderId, cart_id: cartId, total: 3800, revenue: 3300, shipping: 500, tax: 0, currency: "USD" });
  assert.deepEqual(order.products.map((p) => pick(p, LINE)), [{ product_id: "colombia-huila", price: 1650, quantity: 2, currency: "USD" }]);

  // ---- identity: one anonymous id; the customer id from the order on
  const identify = rows.find((r) => r.type === "identify");
  assert.match(identify.user_id, /^cust-[A-Z2-9]{10}$/);
  assert.deepEqual(identify.traitsOf, { first_name: "Ada" });
  const identifiedAt = rows.indexOf(identify);
  rows.forEach((r, i) => {
    assert.equal(r.anonymous_id, rows[0].anonymous_id, label(r));
    assert.equal(r.user_id, i < identifiedAt ? null : identify.user_id, label(r));
  });

  // ---- engagement: one per page view, for the page view it measures
  const engagements = named(rows, "Page Engagement");
  const pageViews = rows.filter((r) => r.type === "page");
  assert.equal(engagements.length, pageViews.length - 1, "every page view but the last one left");
  engagements.forEach((e, i) => {
    assert.deepEqual(Object.keys(e.props).sort(), ["max_scroll_percent", "url", "visible_ms"]);
    assert.ok(Number.isInteger(e.props.visible_ms) && e.props.visible_ms > 0, JSON.stringify(e.props));
    assert.ok(Number.isInteger(e.props.max_scroll_percent) && e.props.max_scroll_percent > 0 && e.props.max_scroll_percent <= 100, JSON.stringify(e.props));
    assert.equal(e.props.url, pageViews[i].props.url, "measures the page view before it");
  });
  // The SPA route change: recorded while the page already shows the next route.
  assert.equal(where(engagements[1].ctx.page.url), "/category.html?roast=light");
  assert.equal(where(engagements[1].props.url), "/category.html");
  // The first product page was read to its end (then scrolled back up before leaving).
  assert.equal(engagements[3].props.max_scroll_percent, 100);
  // The home page is longer than the viewport and was not scrolled.
  assert.ok(engagements[0].props.max_scroll_percent < 100, JSON.stringify(engagements[0].props));

  // ---- context
  const session = rows[0].ctx.sessionId;
  assert.equal(typeof session, "number");
  let previousSeq = -Infinity;
  for (const r of rows) {
    const l = label(r);
    assert.equal(r.ctx.sessionId, session, l);
    assert.equal(r.ctx.tabId, rows[0].tab_id, l);
    assert.equal(r.tab_id, rows[0].tab_id, l);
    assert.equal(r.ctx.timezone, browserTimezone, l);
    assert.deepEqual(r.ctx.screen, browserScreen, l);
    assert.equal(r.ctx.seq, r.seq, l);
    assert.ok(r.seq > previousSeq, l + ": seq strictly increasing");
    previousSeq = r.seq;
    // The landing page's events carry the campaign, Segment's names (utm_campaign -> name).
    if (r.ctx.page.path === "/") assert.deepEqual(r.ctx.campaign, { source: "newsletter", medium: "email", name: "spring" }, l);
    else assert.equal(r.ctx.campaign, undefined, l);
  }
  assert.equal(rows.filter((r) => r.ctx.campaign).length, 3, "page, Product List Viewed and Page Engagement of the landing page");

  assert.deepEqual(pageErrors, []);
  assert.deepEqual(trailmarkLines(consoleMessages), []);
  await context.close();
});

// ------------------------------------------------------------------- single-page-app routes

test("route changes: one page view per new URL, never twice for the same one", TIMEOUT, async () => {
  const { context, consoleMessages, pageErrors } = await newContext();
  const page = await context.newPage();
  await open(page, "/gear.html");
  const steps = [
    // Same URL: not a page view.
    () => history.replaceState({ n: 1 }, "", location.href),
    // A new query: a page view; the patched method keeps its `this`, arguments and result.
    () => { const r = history.pushState({ n: 2 }, "", "/gear.html?sort=price"); return [r, history.state.n]; },
    // A route fragment: popstate and hashchange both fire, one page view.
    () => { location.hash = "#/mugs"; },
  ];
  assert.equal(await page.evaluate(steps[0]), undefined);
  assert.deepEqual(await page.evaluate(steps[1]), [undefined, 2]);
  await page.evaluate(steps[2]);
  await page.waitForFunction(() => location.hash === "#/mugs");
  // Back: popstate and hashchange again, one page view of the earlier URL.
  await page.evaluate(() => new Promise((r) => { addEventListener("hashchange", () => setTimeout(r, 50), { once: true }); history.back(); }));
  assert.equal(await page.evaluate(() => location.href), collector.store + "gear.html?sort=price");
  // An anchor (not a route) is the same page: no page view, and it never leaves the device.
  await page.evaluate(() => new Promise((r) => { addEventListener("hashchange", () => setTimeout(r, 50), { once: true }); location.hash = "#reviews"; }));
  await page.evaluate(() => history.back());
  // replaceState to the URL already recorded: nothing.
  await page.evaluate(() => history.replaceState(null, "", "/gear.html?sort=price"));
  // A cross-origin URL still throws to its caller, as without Trailmark; nothing recorded.
  const thrown = await page.evaluate(() => { try { history.pushState(null, "", "https://elsewhere.example/"); return "no error"; } catch (e) { return e.name; } });
  assert.equal(thrown, "SecurityError");
  await page.goto("about:blank"); // leave: everything queued goes by beacon

  const expectedPages = ["page /gear.html", "page /gear.html?sort=price", "page /gear.html?sort=price#/mugs", "page /gear.html?sort=price"];
  const pages = "SELECT * FROM events WHERE type='page' ORDER BY tab_id, seq";
  await storedWhen((r) => r.length >= expectedPages.length, 15_000, pages);
  await new Promise((r) => setTimeout(r, 500)); // nothing more arrives
  assert.deepEqual(stored(pages).map(label), expectedPages);
  // Each page view's engagement names that page view's URL.
  const rows = stored();
  for (const e of named(rows, "Page Engagement")) {
    const before = rows.slice(0, rows.indexOf(e)).filter((r) => r.type === "page").at(-1);
    assert.equal(e.props.url, before.props.url);
  }
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(trailmarkLines(consoleMessages), []);
  await context.close();
});

// ------------------------------------------------------------------------------ engagement

test("engagement: sent when hidden, again only after new visible time, never for hidden time", TIMEOUT, async () => {
  const { context, pageErrors } = await newContext();
  // The page's visibility, driven by the test (a headless page is always visible).
  await context.addInitScript(() => {
    let hidden = false;
    Object.defineProperty(Document.prototype, "hidden", { get: () => hidden, configurable: true });
    Object.defineProperty(Document.prototype, "visibilityState", { get: () => (hidden ? "hidden" : "visible"), configurable: true });
    window.__setHidden = (h) => { hidden = h; document.dispatchEvent(new Event("visibilitychange")); };
  });
  const page = await context.newPage();
  await open(page, "/gear.html");
  await page.waitForTimeout(300);
  await page.evaluate(() => window.__setHidden(true)); // first hide: engagement #1
  await page.evaluate(() => window.__setHidden(true)); // hidden again, nothing new
  await page.waitForTimeout(1000); // hidden time does not count
  await page.evaluate(() => window.__setHidden(false));
  await page.waitForTimeout(250);
  await page.evaluate(() => window.__setHidden(true)); // engagement #2: the new visible time only
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.goto("about:blank"); // left while hidden: nothing new to report

  const rows = await storedWhen((r) => named(r, "Page Engagement").length >= 2);
  await new Promise((r) => setTimeout(r, 500));
  const engagements = named(stored(), "Page Engagement");
  assert.equal(engagements.length, 2, JSON.stringify(engagements.map((e) => e.props)));
  const [first, second] = engagements.map((e) => e.props);
  assert.ok(first.visible_ms >= 300, JSON.stringify(first));
  assert.ok(second.visible_ms >= 250 && second.visible_ms < 1000, "only the visible 250 ms: " + JSON.stringify(second));
  assert.equal(first.url, collector.store + "gear.html");
  assert.ok(second.max_scroll_percent >= first.max_scroll_percent);
  assert.deepEqual(rows.slice(0, 2).map(label), ["page /gear.html", "Product List Viewed"]);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

// ------------------------------------------------------------------ declarative attributes

test("declarative attributes: clicks and forms; bad JSON warns once; only listed fields, never email or password", TIMEOUT, async () => {
  const { context, consoleMessages, pageErrors } = await newContext();
  // The demo's allowlist plus the two events this test's own markup records.
  await routeConfig(context, (c) => { c.declarative.events.push("Broken Props", "Club Signup"); });
  const page = await context.newPage();
  await open(page, "/");
  await page.evaluate(() => {
    const broken = document.createElement("button");
    broken.type = "button";
    broken.id = "broken";
    broken.setAttribute("data-trailmark-event", "Broken Props");
    broken.setAttribute("data-trailmark-props", "{not json");
    const signup = document.createElement("form");
    signup.id = "signup";
    signup.setAttribute("data-trailmark-event", "Club Signup");
    signup.setAttribute("data-trailmark-props", '{"list":"weekly"}');
    signup.setAttribute("data-trailmark-fields", "query, email pw missing");
    for (const [name, type, value] of [["query", "text", "kenya"], ["email", "email", "ada@example.com"], ["pw", "password", "secret"], ["other", "text", "not listed"]]) {
      const input = document.createElement("input");
      Object.assign(input, { name, type, value });
      signup.append(input);
    }
    // The page's own handler keeps it on the page; Trailmark never prevents anything itself.
    signup.addEventListener("submit", (e) => e.preventDefault());
    const inner = document.createElement("span");
    inner.id = "inner";
    inner.textContent = "inside";
    broken.append(inner);
    document.querySelector("main").append(broken, signup);
  });
  await page.click("#inner"); // delegation: the click lands on a child of the marked element
  await page.evaluate(() => document.getElementById("signup").requestSubmit());
  // The Roast Club form of the home page: a real GET form, submitted and followed.
  await page.selectOption("#club-roast", "light");
  await clickThrough(page, ".promo__form button[type=submit]", /\/category\.html\?roast=light$/);
  assert.equal(await page.locator(".product-card:not([hidden])").count(), 1);

  const rows = await storedWhen((r) => r.some((e) => e.type === "page" && e.props.url.endsWith("?roast=light")) && named(r, "Product List Viewed").length >= 2);
  const labels = rows.map(label);
  assert.deepEqual(labels.slice(0, 6), ["page /", "Product List Viewed", "Broken Props", "Club Signup", "Promotion Clicked", "Page Engagement"]);
  assert.deepEqual(labels.slice(6, 8), ["page /category.html?roast=light", "Product List Viewed"]);
  assert.deepEqual(named(rows, "Broken Props")[0].props, {});
  assert.deepEqual(named(rows, "Club Signup")[0].props, { list: "weekly", query: "kenya" });
  assert.deepEqual(named(rows, "Promotion Clicked")[0].props,
    { promotion_id: "roast-club", name: "The Tuesday Roast Club", creative: "roast-finder", position: "home-secondary", roast: "light" });
  // A list opened with a filter reports the products it shows.
  assert.deepEqual(named(rows, "Product List Viewed")[1].props.products.map((p) => p.product_id), ["ethiopia-yirgacheffe"]);
  const lines = trailmarkLines(consoleMessages);
  assert.equal(lines.length, 1, JSON.stringify(lines));
  assert.equal(lines[0].type, "warning");
  assert.match(lines[0].text, /^\[trailmark\] data-trailmark-props of "Broken Props" is not a JSON object/);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test("declarative events: only names in declarative.events; a review's Order Completed records nothing (issue 11, finding 6)", TIMEOUT, async () => {
  const { context, consoleMessages, pageErrors } = await newContext();
  await routeConfig(context, (c) => { c.declarative.events.push("Newsletter Signup"); });
  const page = await context.newPage();
  await open(page, "/product-ethiopia.html");
  // A shopper's review, as a sanitizer lets it through: data-* attributes kept. Its link and
  // form name commerce events; the store's own signup button names an allowlisted one.
  await page.evaluate(() => {
    const review = document.createElement("article");
    review.className = "review";
    review.innerHTML = `<p>Lovely coffee! <a id="forged-order" href="#more" data-trailmark-event="Order Completed"
      data-trailmark-props='{"order_id":"forged-1","total":99999,"revenue":99999,"currency":"USD"}'>read more</a></p>
      <form id="forged-add" data-trailmark-event="Product Added" data-trailmark-props='{"product_id":"x","price":1,"currency":"USD"}'>
      <button type="submit">helpful</button></form>
      <span id="forged-nested" data-trailmark-event="order completed"><b id="forged-inner">case differs</b></span>`;
    review.querySelector("form").addEventListener("submit", (e) => e.preventDefault());
    const signup = document.createElement("button");
    signup.type = "button";
    signup.id = "signup";
    signup.textContent = "Sign up";
    signup.setAttribute("data-trailmark-event", "Newsletter Signup");
    signup.setAttribute("data-trailmark-props", '{"list":"weekly"}');
    document.querySelector("main").append(review, signup);
  });
  await page.click("#forged-order");
  await page.click("#forged-order"); // refused again, warned once
  await page.click("#forged-add button");
  await page.click("#forged-inner");
  await page.click("#signup");
  // Everything above was recorded (or not) before this one, and it flushes at once.
  await page.evaluate(() => window.trailmark.track("Checkout Started", { step: "probe" }));
  const rows = await storedWhen((r) => named(r, "Checkout Started").length === 1);
  assert.equal(named(rows, "Newsletter Signup").length, 1, "the allowlisted event, exactly once");
  assert.deepEqual(named(rows, "Newsletter Signup")[0].props, { list: "weekly" });
  for (const name of ["Order Completed", "Product Added", "order completed"]) assert.equal(named(rows, name).length, 0, name);
  assert.equal(collector.query("SELECT COUNT(*) AS n FROM events WHERE event IN ('Order Completed', 'Product Added', 'order completed')")[0].n, 0);
  // The on-device profile saw no order and no cart line either.
  const profile = await page.evaluate(() => window.trailmark.profile());
  assert.equal(profile.cart.count, 0, JSON.stringify(profile.cart));
  assert.equal(JSON.stringify(profile).includes("forged"), false);
  const warnings = trailmarkLines(consoleMessages).map((m) => m.text);
  assert.deepEqual(warnings, [
    `[trailmark] data-trailmark-event "Order Completed" ignored: not in the config's declarative.events`,
    `[trailmark] data-trailmark-event "Product Added" ignored: not in the config's declarative.events`,
    `[trailmark] data-trailmark-event "order completed" ignored: not in the config's declarative.events`,
  ]);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

// --------------------------------------------------------------------------------- adapters

test("adapters: a GA4 dataLayer (earlier pushes replayed, later ones and gtag arguments forwarded) and Shopify pixel messages", TIMEOUT, async () => {
  const { context, consoleMessages, pageErrors } = await newContext();
  // The store opts in on its script tag: the attribute is added as the parser inserts the tag,
  // before the async script runs. (Serving rewritten HTML through Playwright's route would
  // make Chromium treat the page as outside the loopback address space and refuse its requests
  // to the collector.)
  await context.addInitScript(() => {
    new MutationObserver((records, observer) => {
      for (const r of records) for (const n of r.addedNodes) {
        if (n.nodeName === "SCRIPT" && /\/pkg\/trailmark\.js$/.test(n.src)) {
          n.setAttribute("data-adapters", "ga4 shopify");
          observer.disconnect();
        }
      }
    }).observe(document, { childList: true, subtree: true });
  });
  // What the page pushed before Trailmark ran (a GTM container start and a list view).
  await context.addInitScript(() => {
    window.dataLayer = [
      { event: "gtm.js", "gtm.start": 1 },
      { event: "view_item_list", ecommerce: { item_list_id: "category_tea", item_list_name: "Tea", items: [
        { item_id: "kyoto-sencha", item_name: "Kyoto Sencha", item_category: "Tea", index: 0, price: 14, quantity: 1 },
      ] } },
    ];
  });
  const page = await context.newPage();
  // thanks.html without an order: the shop itself records nothing there.
  await open(page, "/thanks.html");
  const pushed = await page.evaluate(() => {
    function gtag() { window.dataLayer.push(arguments); } // GA4's own snippet: an Arguments object
    const before = window.dataLayer.length;
    gtag("event", "add_to_cart", { currency: "USD", value: 28, items: [{ item_id: "stoneware-mug", item_name: "Stoneware Mug", item_category: "Gear", price: 28, quantity: 1 }] });
    const length = window.dataLayer.push({ ecommerce: null }); // push keeps its result
    return { before, length, last: window.dataLayer[window.dataLayer.length - 1] };
  });
  assert.deepEqual(pushed, { before: 2, length: 4, last: { ecommerce: null } });
  await page.evaluate(() => {
    const event = { name: "product_viewed", data: { productVariant: {
      id: "44012345678901", price: { amount: 18.5, currencyCode: "USD" }, sku: "NW-ETH-250", title: "250 g / Whole bean",
      product: { id: "8123456789012", title: "Ethiopia Yirgacheffe", type: "Coffee", vendor: "Northwind Coffee" },
    } } };
    window.postMessage({ trailmark: "shopify-pixel", v: 2, event }, "*"); // another version: ignored
    window.postMessage({ pixel: "something else", event }, "*"); // not ours: ignored
    window.postMessage({ trailmark: "shopify-pixel", v: 1, event }, "*");
  });
  const rows = await storedWhen((r) => named(r, "Product Viewed").length >= 1 && named(r, "Product Added").length >= 1);
  await page.goto("about:blank");
  await new Promise((r) => setTimeout(r, 500));
  const all = stored().filter((r) => r.event !== "Page Engagement");
  assert.deepEqual(all.map(label), ["page /thanks.html", "Product List Viewed", "Product Added", "Journey Stage Entered", "Product Viewed"]);
  assert.deepEqual(named(rows, "Product List Viewed")[0].props.products.map((p) => [p.product_id, p.price]), [["kyoto-sencha", 1400]]);
  const add = named(rows, "Product Added")[0].props;
  assert.deepEqual([add.product_id, add.price, add.currency, add.quantity], ["stoneware-mug", 2800, "USD", 1]);
  const viewed = named(rows, "Product Viewed")[0].props;
  assert.deepEqual([viewed.product_id, viewed.sku, viewed.price, viewed.currency], ["8123456789012", "NW-ETH-250", 1850, "USD"]);
  assert.deepEqual(trailmarkLines(consoleMessages), []);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

// --------------------------------------------------------------------------- identity, cart

test("identify and reset; a queued identify applies to the first page view", TIMEOUT, async () => {
  const { context, pageErrors } = await newContext();
  await context.addInitScript(() => {
    if (location.protocol !== "http:" || sessionStorage.getItem("__once")) return;
    window.trailmark = [["identify", "user-early", { plan: "club" }]];
    sessionStorage.setItem("__once", "1");
  });
  const page = await context.newPage();
  await open(page, "/thanks.html");
  await page.evaluate(() => {
    window.trailmark.identify("user-7", { plan: "club" });
    window.trailmark.track("After Identify", {});
    window.trailmark.reset();
    window.trailmark.track("After Reset", {});
  });
  await page.goto("about:blank");
  const rows = await storedWhen((r) => named(r, "After Reset").length === 1);
  const main = rows.filter((r) => r.event !== "Page Engagement");
  assert.deepEqual(main.map(label), ["identify", "page /thanks.html", "identify", "After Identify", "After Reset"]);
  assert.deepEqual(main.map((r) => r.user_id), ["user-early", "user-early", "user-7", "user-7", null]);
  assert.deepEqual(main[2].traitsOf, { plan: "club" });
  assert.equal(main[3].anonymous_id, main[0].anonymous_id);
  assert.notEqual(main[4].anonymous_id, main[3].anonymous_id, "reset forgets the anonymous id");
  assert.notEqual(main[4].ctx.sessionId, main[3].ctx.sessionId, "and starts a new session");
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test("the cart follows cart events, across tabs", TIMEOUT, async () => {
  const { context, pageErrors } = await newContext();
  const a = await context.newPage();
  const b = await context.newPage();
  await open(a, "/gear.html");
  await open(b, "/gear.html");
  const empty = await a.evaluate(() => window.trailmark.cart());
  const mug = { product_id: "stoneware-mug", name: "Stoneware Mug", price: 2800, currency: "USD", quantity: 2 };
  await b.evaluate((p) => window.trailmark.addToCart(p), mug);
  assert.deepEqual(await b.evaluate(() => window.trailmark.cart()),
    { items: [{ product_id: "stoneware-mug", name: "Stoneware Mug", price: 2800, quantity: 2, currency: "USD" }], count: 2, value: 5600, currency: "USD" });
  // The other tab hears of it through the stored profile's storage event.
  const seen = await pollUntil(() => a.evaluate(() => window.trailmark.cart().count === 2), { timeoutMs: 5000 });
  assert.ok(seen, "tab A's cart: " + JSON.stringify(await a.evaluate(() => window.trailmark.cart())));
  assert.deepEqual(await a.evaluate(() => window.trailmark.profile().cart), await b.evaluate(() => window.trailmark.cart()));
  await b.evaluate((p) => window.trailmark.removeFromCart({ ...p, quantity: 1 }), mug);
  const one = await pollUntil(() => a.evaluate(() => window.trailmark.cart().count === 1), { timeoutMs: 5000 });
  assert.ok(one, "tab A's cart after the removal: " + JSON.stringify(await a.evaluate(() => window.trailmark.cart())));
  const rows = await storedWhen((r) => named(r, "Product Removed").length === 1);
  assert.deepEqual(named(rows, "Product Added").map((r) => [r.props.product_id, r.props.quantity]), [["stoneware-mug", 2]]);
  assert.deepEqual(pageErrors, []);
  await context.close();
  // The empty cart, as the profile has it before any cart event.
  assert.deepEqual(empty, { items: [], count: 0, value: 0, currency: "" });
});

// ------------------------------------------------------------------ prerender, bfcache

test("a prerendered page records nothing until it is shown; then its page view comes first", TIMEOUT, async () => {
  const { context, pageErrors } = await newContext();
  await context.addInitScript(() => {
    let prerendering = true;
    Object.defineProperty(Document.prototype, "prerendering", { get: () => prerendering, configurable: true });
    window.__activate = () => { prerendering = false; document.dispatchEvent(new Event("prerenderingchange")); };
  });
  const page = await context.newPage();
  await page.goto(collector.store + "gear.html");
  // The module is loaded (evalCondition works without an instance), the instance waits.
  assert.ok(await pollUntil(() => page.evaluate(() => !Array.isArray(window.trailmark) && window.trailmark.evalCondition({ a: 1 }, { a: 1 }))));
  await page.waitForTimeout(500);
  assert.equal(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.startsWith("trailmark")).length), 0, "no instance yet");
  assert.deepEqual(stored(), []);
  await page.evaluate(() => window.__activate());
  await ready(page);
  const rows = await storedWhen((r) => r.length >= 2);
  assert.deepEqual(rows.map(label), ["page /gear.html", "Product List Viewed"]);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test("back/forward cache: a restored page is a new page view", TIMEOUT, async () => {
  // Playwright turns the back/forward cache off by default: this test starts its own Chromium
  // with it on.
  collector.stop();
  collector = await startCollector();
  const bfBrowser = await launchBrowser([], { backForwardCache: true });
  try {
    const context = await bfBrowser.newContext();
    const pageErrors = [];
    await context.addInitScript(() => {
      addEventListener("pageshow", (e) => { if (e.persisted) window.__restored = (window.__restored || 0) + 1; });
    });
    const page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await open(page, "/gear.html");
    await clickThrough(page, ".site-nav a[href='/tea.html']", /tea\.html$/);
    // A restore fires no load event.
    await page.goBack({ waitUntil: "commit" });
    assert.ok(await pollUntil(() => page.evaluate(() => window.__restored === 1)), "restored from the back/forward cache");
    await page.waitForTimeout(200);
    await page.goto("about:blank");
    const rows = await storedWhen((r) => r.filter((e) => e.type === "page").length >= 3 && named(r, "Page Engagement").length >= 3);
    await new Promise((r) => setTimeout(r, 500));
    const all = stored();
    // The restore counts as the tab's third page load: its events are numbered 3 000 00x, after
    // tea's 2 000 00x, so (tab, seq) order is the order the shopper saw the pages in.
    assert.deepEqual(all.map(label), [
      "page /gear.html", "Product List Viewed", "Page Engagement",
      "page /tea.html", "Product List Viewed", "Page Engagement",
      "page /gear.html", "Page Engagement",
    ]);
    assert.deepEqual(all.map((r) => Math.floor(r.seq / 1_000_000)), [1, 1, 1, 2, 2, 2, 3, 3]);
    // The engagement after the restore measures the restored page view, not the earlier one.
    assert.ok(all[7].props.visible_ms >= 200, JSON.stringify(all[7].props));
    assert.equal(rows.filter((r) => r.type === "page").length, 3);
    assert.deepEqual(pageErrors, []);
    await context.close();
  } finally {
    await bfBrowser.close();
  }
});

test("back/forward cache: a consent denial made on another page applies to the restored page", TIMEOUT, async () => {
  collector.stop();
  collector = await startCollector();
  const bfBrowser = await launchBrowser([], { backForwardCache: true });
  try {
    const context = await bfBrowser.newContext();
    await context.addInitScript(() => {
      addEventListener("pageshow", (e) => { if (e.persisted) window.__restored = (window.__restored || 0) + 1; });
    });
    const page = await context.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await open(page, "/gear.html");
    await clickThrough(page, ".site-nav a[href='/tea.html']", /tea\.html$/);
    // On the tea page the shopper withdraws consent; the gear page sits in the cache meanwhile.
    await page.evaluate(() => window.trailmark.consent({ analytics: "denied", personalization: "denied" }));
    await page.goBack({ waitUntil: "commit" });
    assert.ok(await pollUntil(() => page.evaluate(() => window.__restored === 1)), "restored from the back/forward cache");
    assert.deepEqual(await page.evaluate(() => window.trailmark.consent()), { analytics: "denied", personalization: "denied" });
    await page.evaluate(() => window.trailmark.track("Product Clicked", { after: "denial" }));
    await page.waitForTimeout(300);
    await page.goto("about:blank");
    await new Promise((r) => setTimeout(r, 800));
    const labels = stored().map(label);
    // What gear and tea recorded before the denial arrived; nothing after it: no second gear
    // page view, no click, no engagement of the restored page.
    assert.equal(labels.filter((l) => l === "page /gear.html").length, 1, labels.join(", "));
    assert.equal(labels.includes("Product Clicked"), false, labels.join(", "));
    assert.deepEqual(await context.cookies(), []);
    assert.deepEqual(pageErrors, []);
    await context.close();
  } finally {
    await bfBrowser.close();
  }
});
