// The demo store in every engine shoppers use: Chromium, Firefox and WebKit, each driven
// through WebDriver, Trailmark loaded by the store's script tag, events landing in the real
// collector's SQLite file. Each case runs once per engine (see suite.mjs) and checks what a
// shopper and a store owner would see: what the slots show, the exact events stored, the
// console.
//
//   node --test --test-concurrency=1 tests/e2e-engines/
//   TRAILMARK_ENGINES=webkit node --test tests/e2e-engines/    (one engine)
import assert from "node:assert/strict";
import { GrowthBook } from "@growthbook/growthbook";
import { engineSuite } from "./suite.mjs";
import { OUTCOME_EVENTS } from "../e2e/harness.mjs";
import {
  ready, visit, clickThrough, rendered, slot, assertStored, assertConsole, stats, sendLog, shopper, waitUntil, parsed,
  DEFAULT_HERO, WELCOME_HERO,
} from "./shop.mjs";

// The demo config's abandoned-cart journey: a visitor's first add to cart enters it, an order
// reaches its goal; each is an event.
const JOURNEY = "Journey Stage Entered";
const ETHIOPIA = "product-ethiopia.html";
const COLOMBIA = "product-colombia.html";
const ESPRESSO = "product-espresso.html";
// The demo config's overlays: the free-shipping bar (bar-top, twice a session) and the offer
// dialog of the third product viewed in a session.
const BAR = { rule: "free-shipping-bar", block: "shipping-bar", placement: "bar-top" };
const DIALOG = { rule: "third-product-offer", block: "welcome-offer", placement: "dialog" };
const BAR_TEXT = "You're $40.00 away from free delivery. Roasted Tuesday, at your door by Friday. Shop coffee";

/** How many product views the tab's visitor profile counts (its page's own included, once recorded). */
const productViews = (tab) => tab.run(() => (window.trailmark.profile().views.products || []).reduce((s, p) => s + p.count, 0));

/**
 * Waits until the profile counts `n` product views. (Seen once in WebKit, in a full run, not to
 * happen within 15 s and not again in many runs: a failure says what the profile and the
 * collector held.)
 */
async function productViewsReach(tab, shop, n) {
  try {
    await tab.waitFor((n) => (window.trailmark.profile().views.products || []).reduce((s, p) => s + p.count, 0) === n, n);
  } catch (e) {
    const profile = await tab.run(() => { const p = window.trailmark.profile(); return { products: p.views.products, session: p.session }; }).catch(String);
    const rows = shop.collector.query("SELECT type, event, tab_id, seq, session_id FROM events ORDER BY tab_id, seq");
    e.message += `\nprofile: ${JSON.stringify(profile)}\nstored: ${JSON.stringify(rows)}`;
    throw e;
  }
}

/** The stored outcome events of `rule`, in order: `[[event, properties]]`. */
const outcomesOf = (collector, rule) => collector.query(
  `SELECT event, properties FROM events WHERE event IN (${OUTCOME_EVENTS.map((e) => `'${e}'`).join(", ")}) ORDER BY tab_id, seq`)
  .map((r) => [r.event, JSON.parse(r.properties)]).filter(([, p]) => p.rule === rule);

/** A demo-shaped anonymous id GrowthBook's `run()` puts in the demo experiment's `variant` (0 control, 1 half price). */
function visitorIn(variant) {
  for (let i = 0; ; i++) {
    const id = `engine-visitor-${i}`;
    const gb = new GrowthBook({ attributes: { id } });
    const r = gb.run({ key: "roast-club-2026-12", variations: [0, 1], hashVersion: 2 });
    gb.destroy();
    if (r.inExperiment && r.value === variant) return id;
  }
}

engineSuite((test) => {
  test("the script tag starts Trailmark and the rules fill the slots", async ({ tab, store }) => {
    const shop = await store();
    await visit(tab, shop, "/");
    assert.deepEqual(await rendered(tab, "hero"), WELCOME_HERO);
    // A slot no rule targets keeps its default content.
    assert.match(await tab.text("[data-trailmark-slot='home-secondary']"), /A fresh bag every two weeks/);
    assert.deepEqual(await tab.run(() => window.trailmark.decisions()), [
      { slot: "hero", placement: "slot", rule: "home-hero-welcome", block: "roaster-picks-hero" },
      { slot: "", placement: "bar-top", rule: "free-shipping-bar", block: "shipping-bar", text: [[0, "You're ", 2, 4000, "USD", 0, " away from free delivery."]] },
    ]);

    await visit(tab, shop, ETHIOPIA);
    assert.deepEqual(await rendered(tab, "product-inline"),
      { rule: "product-free-shipping", block: "free-shipping-note", heading: "Free shipping over $40." });
    assert.equal(await tab.text("[data-trailmark-slot='product-inline'] .tm-note > span"), "Add a second bag and we'll cover delivery.");
    // (decisions() also lists the hero's rule, whose condition holds on every page, though a
    // product page has no hero slot.)
    assert.deepEqual((await tab.run(() => window.trailmark.decisions())).filter((d) => d.slot === "product-inline"),
      [{ slot: "product-inline", placement: "slot", rule: "product-free-shipping", block: "free-shipping-note" }]);
    await assertConsole(tab);
  });

  test("a page view, an add to cart and an order arrive, in order, with their properties", async ({ tab, store }) => {
    const shop = await store();
    await visit(tab, shop, ETHIOPIA);
    await shopper.addToCart(tab);
    await clickThrough(tab, "[data-cart-link]", "/cart.html");
    await clickThrough(tab, "[data-checkout-link]", "/checkout.html");
    await tab.type("#name", "Ada Lovelace");
    await tab.type("#email", "ada@example.com");
    await tab.type("#address", "12 Analytical Row");
    await tab.type("#city", "Portland");
    await tab.type("#postal", "04101");
    await clickThrough(tab, "[data-place-order]", "/thanks.html");
    const orderId = (await tab.text("[data-order-id]")).trim();
    assert.match(orderId, /^NW-[A-Z2-9]{4}-[A-Z2-9]{4}$/);

    // (Without the outcome events the bar and the slots add: checked by the overlay cases.)
    const rows = (await assertStored(shop.collector, [
      "page /" + ETHIOPIA, "Product Viewed", "Product Added", JOURNEY, "Page Engagement",
      "page /cart.html", "Cart Viewed", "Page Engagement",
      "page /checkout.html", "Checkout Started", "identify", "Page Engagement",
      "page /thanks.html", "Order Completed", JOURNEY,
    ])).filter((r) => !OUTCOME_EVENTS.includes(r.event));
    const event = (name) => rows.find((r) => r.event === name).props;
    const added = event("Product Added");
    assert.deepEqual([added.product_id, added.price, added.quantity, added.currency], ["ethiopia-yirgacheffe", 1850, 1, "USD"]);
    const order = event("Order Completed");
    assert.deepEqual([order.order_id, order.total, order.revenue, order.shipping, order.currency], [orderId, 2350, 1850, 500, "USD"]);
    assert.deepEqual(order.products.map((p) => [p.product_id, p.quantity]), [["ethiopia-yirgacheffe", 1]]);
    // The order's customer: every event from the identify on carries the user id.
    const identified = rows.findIndex((r) => r.type === "identify");
    assert.match(rows[identified].user_id, /^cust-[A-Z2-9]{10}$/);
    rows.forEach((r, i) => assert.equal(r.user_id, i < identified ? null : rows[identified].user_id, r.event ?? r.type));
    // The tab numbers its page loads: the n-th load's events are n x 1,000,000 + 1, 2, ...
    assert.deepEqual(rows.map((r) => Math.floor(r.seq / 1e6)), [1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4]);
    await assertConsole(tab);
  });

  test("leaving the page hands what is queued to sendBeacon", async ({ tab, store }) => {
    // No timer flush: only leaving the page can deliver the category page's events.
    const shop = await store({ sendLog: true, config: (c) => { c.collector.flushIntervalMs = 600_000; } });
    await visit(tab, shop, "category.html");
    // The bar is open (its chunk loaded: WebKit once left before that, and so had no view).
    await tab.waitFor(() => !!document.querySelector(".tm-overlay.tm-bar-top"));
    assert.deepEqual(await sendLog(tab), [], "nothing sent while the page is open");
    // Away to a page of the same origin without Trailmark (the tab's send log stays readable).
    await tab.open(shop.url("/__engines/away.html"));
    await assertStored(shop.collector, ["page /category.html", "Product List Viewed", "Page Engagement"]);
    assert.deepEqual(await sendLog(tab), [{ via: "beacon", accepted: true, path: "/category.html" }]);
    // The three, and the bar's Block Viewed (recorded when the bar opens, on the category page's
    // first decision): all in the one beacon.
    assert.deepEqual(await stats(shop.collector), { events: 4, batches: 1, requests: 1, faulted: 0 });
    await assertConsole(tab);
  });

  test("gzip on: the browser compresses each batch (CompressionStream) and the collector stores it", async ({ tab, store }) => {
    const shop = await store({ config: (c) => { c.collector.gzip = true; } });
    await visit(tab, shop, ETHIOPIA);
    await shopper.addToCart(tab);
    await assertStored(shop.collector, ["page /" + ETHIOPIA, "Product Viewed", "Product Added", JOURNEY]);
    // Sent by fetch, compressed: every stored batch says so (a beacon would be plain text). (The
    // outcome events of the bar and the inline slot come in batches of their own timing.)
    const [batches] = shop.collector.query(
      "SELECT content_encoding, SUM(events) AS events, (SELECT COUNT(*) FROM events) AS stored FROM batches GROUP BY content_encoding");
    assert.deepEqual(batches, { content_encoding: "gzip", events: batches.stored, stored: batches.stored });
    assert.equal(shop.collector.query("SELECT COUNT(DISTINCT content_encoding) AS n FROM batches")[0].n, 1);
    await assertConsole(tab);
  });

  test("a Content-Security-Policy without 'wasm-unsafe-eval' leaves the page unharmed, with one warning", async ({ engine, tab, store, t }) => {
    const shop = await store({ cspHeader: (csp) => csp.replace(" 'wasm-unsafe-eval'", "") });
    await tab.open(shop.url("/"));
    await tab.waitFor(() => !!window.trailmark && !Array.isArray(window.trailmark));
    await tab.run(() => window.trailmark.started);
    // Calls are harmless no-ops.
    await tab.run(() => { window.trailmark.track("Still Fine", {}); window.trailmark.push(["page"]); });
    assert.deepEqual(await tab.run(() => window.trailmark.decisions()), []);
    assert.deepEqual(await slot(tab, "hero"), DEFAULT_HERO);
    const [warning] = await assertConsole(tab, [/WebAssembly is blocked here \(a Content-Security-Policy without 'wasm-unsafe-eval'\?\)/]);
    assert.equal(warning.level, "warn");
    // The store's own script still works: its cart count is there.
    assert.equal(await tab.text("[data-cart-count]"), "0");
    assert.deepEqual(await stats(shop.collector), { events: 0, batches: 0, requests: 0, faulted: 0 });
    // What the browser itself said about the blocked module (Firefox reports the violation; the
    // in-page hook cannot see such messages in WebKit).
    for (const m of (await tab.console()).filter((m) => m.browser)) t.diagnostic(`${engine} reports: ${m.text}`);
  });

  test("a reload restores the queue: events the collector never got are sent by the reloaded page", async ({ tab, store }) => {
    const shop = await store();
    // Every delivery fails (the connection is dropped) for the first page's whole life, its
    // pagehide beacon included.
    await shop.collector.control("/_control/fault", { mode: "drop", count: -1 });
    await visit(tab, shop, ETHIOPIA);
    await shopper.addToCart(tab);
    // A request of the page reached the collector (and was dropped): from then on delivery is
    // in doubt, so the events stay queued whatever becomes of the unload beacon.
    await waitUntil(async () => (await stats(shop.collector)).faulted >= 1, "a request of the page reached the collector");
    await tab.reload();
    await ready(tab);
    // The product page loads the page sampler's chunk (its config has an exit-intent rule);
    // restarting the server that serves it while it loads would fail the load (the runtime tries
    // again, but Firefox says so on the console).
    await tab.waitFor(() => performance.getEntriesByType("resource").some((r) => r.name.endsWith("/trailmark_ui.js")));
    // A fresh collector on the same ports: what it receives was sent after the reload, by the
    // reloaded page, from the queue the first page stored.
    const collector = await shop.restartCollector();
    await assertStored(collector, [
      "page /" + ETHIOPIA, "Product Viewed", "Product Added", JOURNEY, "Page Engagement",
      "page /" + ETHIOPIA, "Product Viewed",
    ], { timeoutMs: 30_000 });
    await assertConsole(tab);
  });

  test("consent pending, then granted: nothing leaves before the grant, then the held events in order, once", async ({ tab, store }) => {
    const shop = await store({ sendLog: true, config: (c) => { c.consent = { required: true }; } });
    await visit(tab, shop, "/");
    // Personalization pending: rules run and slots render, on the device.
    assert.deepEqual(await rendered(tab, "hero"), WELCOME_HERO);
    assert.deepEqual(await tab.run(() => window.trailmark.consent()), { analytics: "pending", personalization: "pending" });
    // A conversion event, sent at once when analytics is granted: held.
    await tab.run(() => window.trailmark.addToCart({ product_id: "colombia-huila", price: 1650, currency: "USD", quantity: 1 }));
    assert.deepEqual(await sendLog(tab), [], "nothing sent while pending");
    assert.deepEqual(await stats(shop.collector), { events: 0, batches: 0, requests: 0, faulted: 0 });

    assert.deepEqual(await tab.run(() => window.trailmark.consent({ analytics: "granted" })), { analytics: "granted", personalization: "pending" });
    await assertStored(shop.collector, ["page /", "Product List Viewed", "Product Added", JOURNEY]);

    // The choice is remembered by the next page load, which sends as usual.
    await tab.reload();
    await ready(tab);
    assert.deepEqual(await tab.run(() => window.trailmark.consent()), { analytics: "granted", personalization: "pending" });
    await assertStored(shop.collector, ["page /", "Product List Viewed", "Product Added", JOURNEY, "Page Engagement", "page /", "Product List Viewed"]);
    await assertConsole(tab);
  });

  test("the profile survives a reload and a new page: cart, views, session", async ({ tab, store }) => {
    const shop = await store();
    await visit(tab, shop, ETHIOPIA);
    await shopper.addToCart(tab);
    const cart = {
      items: [{ product_id: "ethiopia-yirgacheffe", name: "Ethiopia Yirgacheffe", price: 1850, quantity: 1, currency: "USD" }],
      count: 1, value: 1850, currency: "USD",
    };
    assert.deepEqual(await tab.run(() => window.trailmark.cart()), cart);
    const before = await tab.run(() => window.trailmark.profile());

    await tab.reload();
    await ready(tab);
    assert.deepEqual(await tab.run(() => window.trailmark.cart()), cart);
    await visit(tab, shop, "cart.html");
    const after = await tab.run(() => window.trailmark.profile());
    assert.deepEqual(after.cart, cart);
    assert.deepEqual(after.views.products.map((p) => [p.id, p.count]), [["ethiopia-yirgacheffe", 2]]);
    assert.deepEqual(after.views.pages.map((p) => [p.id, p.count]).sort(), [["/cart.html", 1], ["/product-ethiopia.html", 2]]);
    assert.equal(after.session.id, before.session.id, "one session across the page loads");
    assert.equal(after.session.pageViews, 3);
    assert.equal(after.visitor.visits, 1);
    // The journey the add to cart entered is remembered too.
    assert.equal(after.journeys["abandoned-cart"].stage, "in-cart");
    await assertConsole(tab);
  });

  test("two tabs: one visitor, a tab id each, and the cart shared through storage events", async ({ browser, tab: a, store }) => {
    const shop = await store();
    await visit(a, shop, "gear.html");
    const b = await browser.newTab();
    await visit(b, shop, ETHIOPIA);
    await shopper.addToCart(b);
    // Tab A hears of it through the stored profile's storage event.
    await a.waitFor(() => window.trailmark.cart().count === 1);
    assert.deepEqual(await a.run(() => window.trailmark.cart()), await b.run(() => window.trailmark.cart()));
    // Each tab's events, in its order. (A tab hidden while the other is shown records a Page
    // Engagement; how often that happens depends on how each engine shows two tabs.)
    const rows = await assertStored(shop.collector, [
      ["page /gear.html", "Product List Viewed"],
      ["page /" + ETHIOPIA, "Product Viewed", "Product Added", JOURNEY],
    ], { ignore: ["Page Engagement"] });
    assert.equal(new Set(rows.map((r) => r.ctx.sessionId)).size, 1, "one session");
    await assertConsole(a);
    await assertConsole(b);
  });

  test("exit intent: a pointer leaving through the top, moving up, opens the exit offer", async ({ engine, browser, tab, store, t }) => {
    const shop = await store();
    await visit(tab, shop, "product-colombia.html");
    // The config applied (the shipping bar is decided): the exit sampler is attached, since the
    // demo config has an exit rule.
    await tab.waitFor(() => window.trailmark.decisions().some((d) => d.placement === "bar-top"));
    const landed = await tab.run(() => Date.now());
    await shopper.addToCart(tab);
    // What the sampler measures, measured alongside it: the upward speed over the last ~100 ms
    // of moves before the leave (js/exit.js), from the same events.
    await tab.run(() => {
      const log = (window.__exitProbe = { outs: [] });
      let y = 0, t = -1e9, fromY = 0, fromT = -1e9;
      addEventListener("mousemove", (e) => { if (e.timeStamp - fromT > 100) { fromY = y; fromT = t; } y = e.clientY; t = e.timeStamp; }, true);
      addEventListener("mouseout", (e) => {
        if (e.relatedTarget) return;
        log.outs.push({ x: e.clientX, y: e.clientY, trusted: e.isTrusted, vy: Math.round((e.clientY - fromY) / (Math.max(e.timeStamp - fromT, 1) / 1000)) });
      }, true);
    });
    const driver = browser.driver;
    const x = 600;
    await driver.actions({ async: true }).move({ x, y: 400, origin: "viewport" }).perform();
    // Past the arming delay (1 s after landing) and the quiet time after the click (600 ms).
    await new Promise((r) => setTimeout(r, Math.max(0, 1300 - (Date.now() - landed)) + 700));
    assert.equal(await tab.run(() => document.querySelector("dialog")), null, "no dialog before the leave");
    // Up to the top row in 60 px steps, 16 ms each: trusted pointer moves in every engine.
    const up = driver.actions({ async: true });
    for (let y = 340; y > 0; y -= 60) up.move({ x, y, origin: "viewport", duration: 16 });
    up.move({ x, y: 0, origin: "viewport", duration: 16 });
    await up.perform();
    // Out through the top. WebDriver refuses a pointer move outside the viewport in every engine
    // (the spec's "move target out of bounds"), so the leave itself is what each engine allows:
    // Chromium's own input (CDP through chromedriver: a trusted mouseout), elsewhere the
    // mouseout a real leave fires (no relatedTarget, clientY -5), dispatched by script.
    await assert.rejects(driver.actions({ async: true }).move({ x, y: -5, origin: "viewport" }).perform(),
      { name: "MoveTargetOutOfBoundsError" }, "WebDriver cannot move the pointer out of the viewport");
    if (engine === "chromium") {
      await driver.sendDevToolsCommand("Input.dispatchMouseEvent", { type: "mouseMoved", x, y: -5 });
    } else {
      t.diagnostic(`${engine}: the leave through the top is a synthetic mouseout after trusted moves to the top row (WebDriver cannot move the pointer out of the viewport, and this engine's driver has no other input channel)`);
      await tab.run((px) => {
        const target = document.elementFromPoint(px, 0) || document.documentElement;
        target.dispatchEvent(new MouseEvent("mouseout", { bubbles: true, composed: true, clientX: px, clientY: -5, relatedTarget: null }));
      }, x);
    }
    const outs = await tab.waitFor(() => window.__exitProbe.outs.length && window.__exitProbe.outs);
    assert.equal(outs.length, 1);
    const [out] = outs;
    assert.deepEqual([out.x, out.y, out.trusted], [x, -5, engine === "chromium"], "the leave as the page saw it");
    assert.ok(out.vy < -50, "moving up: " + out.vy);

    // The offer: the configured block in a modal <dialog>, focus inside.
    const dialog = await tab.waitFor(() => {
      const d = document.querySelector("dialog.tm-dialog[open]");
      return d && {
        modal: d.matches(":modal"),
        rule: d.getAttribute("data-trailmark-rule"),
        block: d.getAttribute("data-trailmark-block"),
        heading: d.querySelector("h2").textContent,
        buttons: [...d.querySelectorAll("button")].map((b) => b.textContent),
        focusInside: d.contains(document.activeElement),
      };
    });
    assert.deepEqual(dialog, {
      modal: true, rule: "exit-cart-offer", block: "exit-offer", heading: "Before you go: 5% off your cart",
      buttons: ["\u00d7", "Copy code STAY5", "No thanks"], focusInside: true,
    });

    // Leaving the store delivers the rest (pagehide beacon); then the counts are final.
    await tab.open(shop.url("/__engines/away.html"));
    const rows = await shop.collector.waitFor("SELECT * FROM events ORDER BY tab_id, seq", (r) => r.some((e) => e.event === "Page Engagement"));
    const exits = rows.filter((r) => r.event === "Exit Intent Detected").map(parsed);
    assert.equal(exits.length, 1, "Exit Intent Detected once");
    assert.deepEqual(Object.keys(exits[0].props).sort(), ["scroll_depth_percent", "signal", "speed_px_s", "time_on_page_ms"]);
    assert.equal(exits[0].props.signal, "pointer-top");
    assert.equal(exits[0].props.speed_px_s, -out.vy, "the speed the page measured");
    assert.ok(Number.isInteger(exits[0].props.time_on_page_ms) && exits[0].props.time_on_page_ms >= 1000, "armed: " + exits[0].props.time_on_page_ms);
    assert.ok(exits[0].props.scroll_depth_percent > 0 && exits[0].props.scroll_depth_percent <= 100);
    const views = rows.filter((r) => r.event === "Block Viewed").map(parsed).filter((r) => r.props.rule === "exit-cart-offer");
    assert.deepEqual(views.map((r) => r.props), [{ rule: "exit-cart-offer", block: "exit-offer", placement: "dialog" }], "the offer viewed once");
    assert.ok(views[0].seq > exits[0].seq, "after the exit intent");
    await assertConsole(tab);
  });

  test("a tab closed while the collector is down: the other tab's next page sends what it left", async ({ browser, tab: a, store }) => {
    const shop = await store({ sendLog: true });
    await shop.collector.control("/_control/fault", { mode: "drop", count: -1 });
    await visit(a, shop, "gear.html");
    // Tab A's first batch went out too (and was dropped) before tab B hides it: its events stay
    // queued. (Otherwise the beacon of a tab being hidden takes them, and a collector that drops
    // a beacon loses what it carried: a beacon has no answer.)
    await a.waitFor(() => JSON.parse(sessionStorage.getItem("__enginesSendLog") || "[]").some((s) => s.via === "fetch"));
    const b = await browser.newTab();
    await visit(b, shop, ETHIOPIA);
    await shopper.addToCart(b);
    // Tab B's request went out (and was dropped): its delivery is in doubt, so its events stay
    // queued whatever becomes of its unload beacon, and are stored (README: in localStorage,
    // `trailmark:outbox:<tabId>`, at most once a second). The tab is closed once they are:
    // Firefox may cut a closing tab's pagehide handler short (see the README's "Browser
    // support"), so what a tab had not stored before it was closed is not asserted here.
    await b.waitFor(() => JSON.parse(sessionStorage.getItem("__enginesSendLog") || "[]").some((s) => s.via === "fetch"));
    await b.waitFor(() => Object.keys(localStorage).some((k) => k.startsWith("trailmark:outbox:") && localStorage.getItem(k).includes("Product Added")));
    await b.close();
    // A fresh collector on the same ports: nothing tab B sent can reach it.
    const collector = await shop.restartCollector();
    // Tab A's next page finds tab B's stored queue (its tab is gone: its Web Lock is free),
    // takes it over and sends it, with tab B's ids and order.
    await visit(a, shop, "category.html");
    await assertStored(collector, [
      ["page /gear.html", "Product List Viewed", "page /category.html", "Product List Viewed"],
      ["page /" + ETHIOPIA, "Product Viewed", "Product Added", JOURNEY],
    ], { ignore: ["Page Engagement"], timeoutMs: 30_000 });
    await assertConsole(a);
  });
  test("the free-shipping bar: its text, a region fixed at the top, not taking focus; its Block Viewed arrives once", async ({ tab, store }) => {
    const shop = await store();
    await visit(tab, shop, ETHIOPIA);
    await tab.waitFor(() => !!document.querySelector(".tm-overlay.tm-bar-top"));
    // Once its entrance animation is over (it slides in by half a rem).
    const bar = await tab.run(async () => {
      const el = document.querySelector(".tm-bar-top");
      await Promise.all(el.getAnimations().map((a) => a.finished));
      const r = el.getBoundingClientRect();
      return {
        tag: el.tagName, className: el.className, role: el.getAttribute("role"), label: el.getAttribute("aria-label"),
        position: getComputedStyle(el).position, top: r.top, left: r.left, fullWidth: r.width === document.documentElement.clientWidth,
        text: el.querySelector(".tm-shipping-bar").textContent, close: el.querySelector("button.tm-close").getAttribute("aria-label"),
        focus: document.activeElement === document.body,
      };
    });
    assert.deepEqual(bar, {
      tag: "DIV", className: "tm-overlay tm-bar tm-bar-top", role: "region", label: null, position: "fixed",
      top: 0, left: 0, fullWidth: true, text: BAR_TEXT, close: "Close", focus: true,
    });
    assert.deepEqual((await tab.run(() => window.trailmark.decisions())).filter((d) => d.placement !== "slot"),
      [{ slot: "", ...BAR, text: [[0, "You're ", 2, 4000, "USD", 0, " away from free delivery."]] }]);
    // Away: the page's pagehide beacon delivers what it still held (its Page Engagement last).
    await tab.open(shop.url("/__engines/away.html"));
    await assertStored(shop.collector, ["page /" + ETHIOPIA, "Product Viewed", "Page Engagement"]);
    assert.deepEqual(outcomesOf(shop.collector, BAR.rule), [["Block Viewed", BAR]]);
    await assertConsole(tab);
  });

  test("the third product view opens the offer dialog; Esc closes it and focus goes back where it was", async ({ tab, store }) => {
    const shop = await store();
    await visit(tab, shop, ETHIOPIA);
    await visit(tab, shop, COLOMBIA);
    await productViewsReach(tab, shop, 2);
    assert.equal(await tab.run(() => document.querySelectorAll("dialog").length), 0);
    // The shopper is in the quantity field when the page records the session's third product view.
    await tab.click("#quantity");
    assert.equal(await tab.run(() => document.activeElement.id), "quantity");
    await tab.run(() => window.trailmark.track("Product Viewed", { product_id: "house-espresso", currency: "USD" }));
    await tab.waitFor(() => { const d = document.querySelector("dialog.tm-dialog"); return !!d && d.open; });
    const dialog = await tab.run(() => {
      const d = document.querySelector("dialog.tm-dialog");
      return {
        open: d.open, modal: d.matches(":modal"), name: document.getElementById(d.getAttribute("aria-labelledby")).textContent,
        focusInside: d.contains(document.activeElement), modalClass: document.documentElement.classList.contains("tm-modal-open"),
        actions: Array.from(d.querySelectorAll("button"), (b) => b.textContent),
      };
    });
    assert.deepEqual(dialog, {
      open: true, modal: true, name: "Still deciding?", focusInside: true, modalClass: true, actions: ["×", "Copy code ROAST10", "No thanks"],
    });
    await tab.press("Escape");
    await tab.waitFor(() => document.querySelectorAll("dialog").length === 0);
    assert.deepEqual(await tab.run(() => ({ focused: document.activeElement.id, modalClass: document.documentElement.classList.contains("tm-modal-open") })),
      { focused: "quantity", modalClass: false });
    await tab.open(shop.url("/__engines/away.html"));
    await assertStored(shop.collector, ["page /" + ETHIOPIA, "Product Viewed", "Page Engagement",
      "page /" + COLOMBIA, "Product Viewed", "Product Viewed", "Page Engagement"]);
    assert.deepEqual(outcomesOf(shop.collector, DIALOG.rule), [["Block Viewed", DIALOG], ["Block Dismissed", DIALOG]]);
    await assertConsole(tab);
  });

  test("the dialog opened by the third product page: its Block Viewed arrives once, and no bar on that page", async ({ tab, store }) => {
    const shop = await store();
    for (const [i, path] of [ETHIOPIA, COLOMBIA].entries()) {
      await visit(tab, shop, path);
      await productViewsReach(tab, shop, i + 1);
      // The bar shows once the page-UI chunk is there (a bar the shopper never saw counts
      // no view).
      await tab.waitFor(() => !!document.querySelector(".tm-overlay.tm-bar-top"));
    }
    await visit(tab, shop, ESPRESSO);
    await tab.waitFor(() => { const d = document.querySelector("dialog.tm-dialog"); return !!d && d.open && d.matches(":modal"); });
    assert.equal(await productViews(tab), 3);
    // Two bars a session: none on the third page.
    assert.deepEqual(await tab.run(() => Array.from(document.querySelectorAll(".tm-overlay"), (o) => o.className)), ["tm-overlay tm-dialog"]);
    await tab.open(shop.url("/__engines/away.html"));
    await assertStored(shop.collector, [
      "page /" + ETHIOPIA, "Product Viewed", "Page Engagement", "page /" + COLOMBIA, "Product Viewed", "Page Engagement",
      "page /" + ESPRESSO, "Product Viewed", "Page Engagement",
    ]);
    assert.deepEqual(outcomesOf(shop.collector, DIALOG.rule), [["Block Viewed", DIALOG]]);
    assert.deepEqual(outcomesOf(shop.collector, BAR.rule), [["Block Viewed", BAR], ["Block Viewed", BAR]]);
    assert.deepEqual(shop.collector.query("SELECT SUM(duplicates) AS d FROM batches"), [{ d: 0 }], "nothing sent twice");
    await assertConsole(tab);
  });
  test("an A/B test: each visitor gets GrowthBook's variant, and its Experiment Viewed arrives once when the slot is seen", async ({ tab, store }) => {
    const shop = await store();
    for (const [variant, expected] of [
      [1, { variation_id: "half-price", variation_name: "First bag half price", heading: "Your first bag is half price" }],
      [0, { variation_id: "control", variation_name: "Roast Club promo", heading: "A fresh bag every two weeks, 10% off" }],
    ]) {
      const id = visitorIn(variant);
      // The visitor's stored anonymous id (as Trailmark stores it), then the experiment's audience:
      // a shopper who viewed a product, back on the home page.
      await tab.open(shop.url("/__engines/away.html"));
      await tab.run((aid) => { localStorage.clear(); localStorage.setItem("trailmark:aid", JSON.stringify({ v: 1, d: aid })); }, id);
      await visit(tab, shop, ETHIOPIA);
      // Counted before leaving (WebKit once left the product page before its view was recorded).
      await productViewsReach(tab, shop, 1);
      await visit(tab, shop, "/");
      await tab.waitFor(() => window.trailmark.decisions().some((d) => d.slot === "home-secondary"));
      assert.equal(await tab.text("[data-trailmark-slot='home-secondary'] h2"), expected.heading, id);
      await tab.run(() => document.querySelector("[data-trailmark-slot='home-secondary']").scrollIntoView());
      await shop.collector.waitFor(`SELECT * FROM events WHERE anonymous_id = '${id}' AND event = 'Experiment Viewed'`, (rows) => rows.length >= 1);
      await tab.open(shop.url("/__engines/away.html"));
      const exposures = shop.collector.query(`SELECT properties FROM events WHERE anonymous_id = '${id}' AND event = 'Experiment Viewed'`)
        .map((r) => JSON.parse(r.properties));
      assert.deepEqual(exposures, [{
        experiment_id: "roast-club-2026-12", experiment_name: "Roast Club: first bag half price",
        variation_id: expected.variation_id, variation_name: expected.variation_name, rule: "roast-club-test", slot: "home-secondary",
      }], id);
    }
    await assertConsole(tab);
  });
});
