// Overlays, end to end: the demo store in headless Chromium, Trailmark loaded by its script tag,
// the real collector and its SQLite file. What a shopper meets (a bar at the top, a corner card,
// a bar at the bottom, a modal <dialog>) and what the store owner gets (the outcome events
// `Block Viewed`, `Block Clicked`, `Block Dismissed`, `Offer Accepted`, each exactly once, with
// its properties), checked against the live DOM, the keyboard, the clipboard and the stored rows:
//
// - the demo config's `free-shipping-bar` (bar-top, at most twice a session, never on checkout /
//   thanks) and `third-product-offer` (a dialog on the third product viewed in a session, code
//   ROAST10, once ever, `dialogsPerSession: 1`, suppressed on checkout / thanks);
// - caps across reloads, pages and tabs, and two tabs racing for the session's one dialog;
// - consent (granted, pending, denied), `suppressDialogs`, a module that dies while the dialog is
//   open, axe-core on every placement, the no-flicker snippet, and screenshots of every placement
//   at a phone and a desktop size in target/screenshots/ (not committed; look at them).
//
// Each test gets a fresh collector (a new origin: empty storage, one session) and a fresh browser
// context. No sleeps: the collector is polled (`waitFor`), the page is polled (`pollUntil`), and
// "nothing more arrived" is checked after the context is closed (its pagehide beacon delivered)
// and the collector is quiet.
//
//   node --test --test-concurrency=1 tests/e2e/overlays.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  startCollector, launchBrowser, stopStoreAndBrowser, routeConfig, pollUntil, quiet, watchPage,
  trailmarkLines, collectorStats, OUTCOME_EVENTS,
} from "./harness.mjs";

const ROOT = new URL("../../", import.meta.url).pathname;
const TIMEOUT = { timeout: 90_000 };

const ETHIOPIA = "product-ethiopia.html";
const COLOMBIA = "product-colombia.html";
const ESPRESSO = "product-espresso.html";
const SENCHA = "product-sencha.html";
const MUG = "product-mug.html";

// What the demo config's rules put where (the outcome events carry exactly these properties).
const BAR = { rule: "free-shipping-bar", block: "shipping-bar", placement: "bar-top" };
const DIALOG = { rule: "third-product-offer", block: "welcome-offer", placement: "dialog" };
const INLINE = { rule: "product-free-shipping", block: "free-shipping-note", placement: "slot", slot: "product-inline" };
const HERO_DECISION = { slot: "hero", placement: "slot", rule: "home-hero-welcome", block: "roaster-picks-hero" };
const INLINE_DECISION = { slot: "product-inline", placement: "slot", rule: INLINE.rule, block: INLINE.block };
// An empty cart: $40.00 to go (the bar's text is filled from the cart).
const BAR_DECISION = { slot: "", ...BAR, text: [[0, "You're ", 2, 4000, "USD", 0, " away from free delivery."]] };
const BAR_NAME = "You're $40.00 away from free delivery.";
const DIALOG_DECISION = { slot: "", ...DIALOG, offer: "ROAST10" };
const BAR_TEXT = "You're $40.00 away from free delivery. Roasted Tuesday, at your door by Friday. Shop coffee";
const DIALOG_TEXT = "×Still deciding?Take 10% off your first bag with the code ROAST10 at checkout.Copy code ROAST10No thanks";
// The product page's inline slot, as www/product-*.html ship it.
const INLINE_DEFAULT = "Fresh, not stored. Orders placed by Monday night are roasted or packed on Tuesday and ship within 48 hours.";

// Extra rules for the two placements the demo config does not use (blocks of the demo config).
const CORNER_RULE = { id: "corner-card", placement: "corner", show: "undecided-note", if: { "page.path": { "$regex": "^/product-" } } };
const BOTTOM_RULE = { id: "bottom-bar", placement: "bar-bottom", show: "free-shipping-note", if: { "page.path": { "$regex": "^/product-" } } };
const CORNER = { rule: "corner-card", block: "undecided-note", placement: "corner" };
const BOTTOM = { rule: "bottom-bar", block: "free-shipping-note", placement: "bar-bottom" };
const withCornerAndBottom = (c) => { c.rules.push(CORNER_RULE, BOTTOM_RULE); };

const OUTCOME_SQL = `SELECT event, properties, message_id, tab_id, seq FROM events
  WHERE event IN (${OUTCOME_EVENTS.map((e) => `'${e}'`).join(", ")}) ORDER BY tab_id, seq`;

let collector;
let browser;

before(async () => {
  collector = await startCollector();
  browser = await launchBrowser();
});
after(() => stopStoreAndBrowser(collector, browser));

// ------------------------------------------------------------------------------------ helpers

/**
 * In every page of a context: the page events Trailmark dispatches (`trailmark:show|click|
 * dismiss|accept`, with their `detail`), kept in sessionStorage so a tab's log spans its page
 * loads; and the dialog claims (`navigator.locks.request("trailmark:dialog", ...)`): how many
 * this page started, how many settled, and what each resolved to. A test knows a page's claim is
 * over when `started === settled`, with no guessing about timing.
 */
function recordPage() {
  const KEY = "__tmPageEvents";
  // Writes of the visitor record (caps are folded from it), counted per page.
  const writes = { profile: 0 };
  Object.defineProperty(window, "__tmWrites", { value: writes });
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key) {
    const result = setItem.apply(this, arguments);
    if (key === "trailmark:profile") writes.profile++;
    return result;
  };
  for (const type of ["show", "click", "dismiss", "accept"]) {
    document.addEventListener("trailmark:" + type, (e) => {
      const log = JSON.parse(sessionStorage.getItem(KEY) || "[]");
      log.push({ type, path: location.pathname, detail: e.detail, profileWrites: writes.profile });
      sessionStorage.setItem(KEY, JSON.stringify(log));
    });
  }
  const claims = { started: 0, settled: 0, results: [] };
  Object.defineProperty(window, "__tmClaims", { value: claims });
  if (typeof LockManager === "function") {
    const request = LockManager.prototype.request;
    // The claim's answer is what its callback decides (a winner then holds the lock a while).
    LockManager.prototype.request = function (name, ...rest) {
      if (name !== "trailmark:dialog") return request.apply(this, arguments);
      claims.started++;
      const callback = rest[rest.length - 1];
      rest[rest.length - 1] = (lock) => {
        let r = null;
        try { r = callback(lock); } finally { claims.settled++; claims.results.push(r !== null && r !== undefined && r !== false); }
        return r;
      };
      return request.call(this, name, ...rest);
    };
  }
}

/**
 * A fresh collector (a new origin: empty storage) and a new context with the page recorder.
 * `edit`: the demo config changed (see `routeConfig`); `queued`: commands the page has in its
 * command queue before the loader runs, on every page load; the rest are context options.
 */
async function newContext({ edit, queued, ...options } = {}) {
  collector.stop();
  collector = await startCollector();
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, ...options });
  await context.addInitScript(recordPage);
  if (queued) await context.addInitScript((q) => { window.trailmark = q.slice(); }, queued);
  if (edit) await routeConfig(context, edit);
  return context;
}

/** Opens `path` in a new page of `context` and waits until Trailmark runs. */
async function open(context, path) {
  const page = await context.newPage();
  const watch = watchPage(page);
  await visit(page, path);
  return { page, ...watch };
}

/** Loads `path` of the store in `page` and waits until Trailmark runs there. */
async function visit(page, path) {
  await page.goto(collector.store + path);
  await ready(page);
}

async function ready(page) {
  const loaded = await pollUntil(() => page.evaluate(() => !!window.trailmark && typeof window.trailmark.ready === "function"));
  assert.ok(loaded, "the Trailmark loader ran");
  await page.evaluate(() => new Promise((r) => window.trailmark.ready(r)));
}

/**
 * Waits until the page has decided with the config (`decided`: decisions() is not empty; the
 * hero rule holds everywhere), counted `products` product views in its profile (the page's own
 * Product Viewed, which shop.js sends, is recorded: the decision after it is made in the same
 * task), and every dialog claim it started is settled. Returns the page's state.
 */
async function settled(page, { products, decided = true } = {}) {
  const state = await pollUntil(() => page.evaluate(({ products, decided }) => {
    const t = window.trailmark;
    if (decided && t.decisions().length === 0) return null;
    if (products !== undefined) {
      const p = t.profile();
      const views = p && p.views ? p.views.products.reduce((s, x) => s + x.count, 0) : 0;
      if (views < products) return null;
    }
    // Bars and corner cards decided are on the page (the page-UI chunk has loaded).
    const shown = (d) => document.querySelector(`.tm-overlay[data-trailmark-rule="${d.rule}"]`);
    if (decided && t.decisions().some((d) => (d.placement === "bar-top" || d.placement === "bar-bottom" || d.placement === "corner") && !shown(d))) return null;
    const c = window.__tmClaims;
    // A dialog decided is claimed once the page-UI chunk is there.
    if (decided && c.started === 0 && t.decisions().some((d) => d.placement === "dialog")) return null;
    return c.started === c.settled ? { claims: { ...c, results: [...c.results] } } : null;
  }, { products, decided }));
  assert.ok(state, `the page decided${products ? ` after ${products} product views` : ""} and settled its dialog claims`);
  return state;
}

/** What the page's overlays are: `[{ tag, className, rule, block, placement }]`, and the dialog's state. */
const overlays = (page) => page.evaluate(() => ({
  list: Array.from(document.querySelectorAll(".tm-overlay"), (el) => ({
    tag: el.tagName, className: el.className, rule: el.getAttribute("data-trailmark-rule"), block: el.getAttribute("data-trailmark-block"),
  })),
  dialogs: Array.from(document.querySelectorAll("dialog"), (d) => ({ open: d.open, modal: d.matches(":modal") })),
  modalClass: document.documentElement.classList.contains("tm-modal-open"),
}));

const decisions = (page) => page.evaluate(() => window.trailmark.decisions());
const placements = async (page) => (await decisions(page)).filter((d) => d.placement !== "slot").map((d) => d.placement);

/** Where focus is: `{ tag, className, id, text, inDialog, body }`. */
const focused = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return {
    tag: a ? a.tagName : null, className: a ? a.className : null, id: a ? a.id : null,
    text: a && a !== document.body ? a.textContent.trim() : "",
    inDialog: !!(a && a.closest && a.closest("dialog")), body: a === document.body,
  };
});

/** Waits until every animation of the overlay(s) matching `selector` finished (the entrance animation). */
const animationsDone = (page, selector) => page.evaluate((s) => Promise.all(Array.from(document.querySelectorAll(s))
  .flatMap((el) => el.getAnimations({ subtree: true }).map((a) => a.finished))).then(() => true), selector);

/** The outcome events stored, parsed: `[{ event, props, messageId, tab, seq }]`. */
const outcomeRows = () => collector.query(OUTCOME_SQL)
  .map((r) => ({ event: r.event, props: JSON.parse(r.properties), messageId: r.message_id, tab: r.tab_id, seq: r.seq }));

/** Polls the collector until `n` outcome events matching `pred` are stored; returns them all. */
async function outcomesArrived(pred, n) {
  const rows = await collector.waitFor(OUTCOME_SQL, (rs) => rs.map((r) => ({ event: r.event, props: JSON.parse(r.properties) })).filter(pred).length >= n);
  return rows.length;
}

/**
 * Closes the context (its pages' pagehide beacons deliver what was queued) and waits until the
 * collector is quiet: after this, the stored rows are all there will ever be.
 */
async function finish(context) {
  await context.close();
  await quiet(collector);
}

/** `(event, props)` counts of the stored outcome events of `placement`'s rule, e.g. `{"Block Viewed": 1}`. */
function countsOf(rows, props) {
  const out = {};
  for (const r of rows) {
    if (r.props.rule !== props.rule) continue;
    out[r.event] = (out[r.event] || 0) + 1;
  }
  return out;
}

/** The page events this tab's pages dispatched (see `recordPage`): `[{ type, path, detail }]`. */
const pageEvents = async (page) => (await page.evaluate(() => JSON.parse(sessionStorage.getItem("__tmPageEvents") || "[]")))
  .map(({ type, path, detail }) => ({ type, path, detail }));

/**
 * Waits until the page stored the visitor record after its last `trailmark:show` (the view is in
 * the record then: the event is recorded before it is announced). The record is written at
 * most once a second (src/web/pump.rs), so another tab may not know of a view for up to a second.
 */
async function viewStored(page) {
  const ok = await pollUntil(() => page.evaluate(() => {
    const log = JSON.parse(sessionStorage.getItem("__tmPageEvents") || "[]").filter((e) => e.type === "show" && e.path === location.pathname);
    return log.length > 0 && window.__tmWrites.profile > log[log.length - 1].profileWrites;
  }), { timeoutMs: 5000 });
  assert.ok(ok, "the visitor record was stored after the last view");
}

/** No uncaught page error and no Trailmark console line (unless `lines` says which). */
function assertQuiet({ pageErrors, consoleMessages }, lines = []) {
  assert.deepEqual(pageErrors, [], "no uncaught error in the page");
  const got = trailmarkLines(consoleMessages);
  assert.equal(got.length, lines.length, "Trailmark's console lines: " + JSON.stringify(got));
  lines.forEach((re, i) => assert.match(got[i].text, re));
}

/** `track("Product Viewed", ...)` from the page, as shop.js does on a product page. */
const viewProduct = (page, id) => page.evaluate((product_id) => window.trailmark.track("Product Viewed", { product_id, currency: "USD" }), id);

/** Visits three product pages in `page` (one session); resolves once the third page's dialog is open. */
async function toDialog(page) {
  for (const [i, path] of [ETHIOPIA, COLOMBIA].entries()) {
    await visit(page, path);
    await settled(page, { products: i + 1 });
    assert.deepEqual((await overlays(page)).dialogs, [], `no dialog on product view ${i + 1}`);
  }
  await visit(page, ESPRESSO);
  await page.waitForSelector("dialog.tm-dialog[open]");
}

// ------------------------------------------------------------------------------------ the bar

test("a bar on a product page: its text, a region fixed at the top, the page's layout not shifted, focus not moved", TIMEOUT, async (t) => {
  // The page's layout: boxes of what is in the flow, and the document's size.
  const layout = (page) => page.evaluate(() => {
    const boxes = {};
    for (const s of [".announcement", ".site-header", "main", ".breadcrumb", "#product-title", ".product__price",
      "[data-trailmark-slot='product-inline']", ".related", ".site-footer"]) {
      const r = document.querySelector(s).getBoundingClientRect();
      boxes[s] = [r.x, r.y, r.width, r.height];
    }
    return { boxes, scrollHeight: document.documentElement.scrollHeight, scrollWidth: document.documentElement.scrollWidth, scrollY };
  });

  // The same page with the demo config less the bar's rule.
  const bare = await newContext({ edit: (c) => { c.rules = c.rules.filter((r) => r.id !== BAR.rule); } });
  const { page: barePage } = await open(bare, ETHIOPIA);
  await settled(barePage, { products: 1 });
  assert.deepEqual((await overlays(barePage)).list, []);
  const without = await layout(barePage);
  await bare.close();

  const context = await newContext();
  const watched = await open(context, ETHIOPIA);
  const { page } = watched;
  await settled(page, { products: 1 });
  assert.deepEqual(await decisions(page), [HERO_DECISION, INLINE_DECISION, BAR_DECISION]);
  assert.deepEqual((await overlays(page)).list, [{ tag: "DIV", className: "tm-overlay tm-bar tm-bar-top", rule: BAR.rule, block: BAR.block }]);
  await animationsDone(page, ".tm-overlay");

  const bar = await page.evaluate(() => {
    const el = document.querySelector(".tm-bar-top");
    const r = el.getBoundingClientRect();
    const close = el.querySelector(".tm-close");
    const link = el.querySelector(".tm-shipping-bar a");
    return {
      role: el.getAttribute("role"), label: el.getAttribute("aria-label"), position: getComputedStyle(el).position,
      top: r.top, left: r.left, width: r.width, viewport: document.documentElement.clientWidth,
      text: el.querySelector(".tm-shipping-bar").textContent, strong: el.querySelector(".tm-shipping-bar strong").textContent,
      link: [link.getAttribute("href"), link.textContent],
      close: [close.tagName, close.type, close.getAttribute("aria-label"), close.textContent, !!close.closest("form")],
      parent: el.parentElement.tagName,
    };
  });
  assert.deepEqual(bar, {
    role: "region", label: null, position: "fixed", top: 0, left: 0, width: bar.viewport, viewport: bar.viewport,
    text: BAR_TEXT, strong: BAR_NAME, link: ["/category.html", "Shop coffee"],
    close: ["BUTTON", "button", "Close", "×", false], parent: "BODY",
  });
  // Named by its first text (aria-labelledby): it follows the amount.
  assert.equal(await page.getByRole("region", { name: BAR_NAME, exact: true }).count(), 1);
  // Fixed: everything in the page's flow is exactly where it is without the bar.
  assert.deepEqual(await layout(page), without);
  // It never takes focus.
  assert.deepEqual(await focused(page), { tag: "BODY", className: "", id: "", text: "", inDialog: false, body: true });
  // What it covers (fixed at the top, over the page's own first rows): noted, not asserted.
  const covered = await page.evaluate(() => {
    const r = document.querySelector(".tm-bar-top").getBoundingClientRect();
    return [...new Set(document.elementsFromPoint(r.width / 2, r.height / 2).filter((e) => !e.closest(".tm-overlay"))
      .map((e) => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ")[0] : "")))].slice(0, 3);
  });
  t.diagnostic(`the bar (${(await page.locator(".tm-bar-top").boundingBox()).height}px high) lies over: ${covered.join(" > ")}`);

  await outcomesArrived((r) => r.event === "Block Viewed" && r.props.rule === BAR.rule, 1);
  assertQuiet(watched);
  await finish(context);
  assert.deepEqual(outcomeRows().filter((r) => r.props.placement !== "slot").map((r) => [r.event, r.props]), [["Block Viewed", BAR]]);
});

// ------------------------------------------------------------------------------------ the dialog

test("the third product view of a session opens a modal <dialog> named by its heading; Tab stays inside, Esc closes it, focus returns", TIMEOUT, async (t) => {
  const context = await newContext();
  const page = await context.newPage();
  const watched = watchPage(page);
  await toDialog(page);
  await settled(page, { products: 3 });

  assert.deepEqual(await overlays(page), {
    list: [{ tag: "DIALOG", className: "tm-overlay tm-dialog", rule: DIALOG.rule, block: DIALOG.block }],
    dialogs: [{ open: true, modal: true }],
    modalClass: true,
  });
  // No bar on the third page: two a session.
  assert.deepEqual(await decisions(page), [HERO_DECISION, INLINE_DECISION, DIALOG_DECISION]);
  const dialog = page.getByRole("dialog", { name: "Still deciding?", exact: true });
  assert.equal(await dialog.count(), 1, "a dialog named 'Still deciding?'");
  assert.equal(await dialog.textContent(), DIALOG_TEXT);
  assert.equal(await page.evaluate(() => {
    const d = document.querySelector("dialog");
    return document.getElementById(d.getAttribute("aria-labelledby")).outerHTML.replace(/ id="[^"]+"/, "");
  }), "<h2>Still deciding?</h2>");
  assert.equal(await dialog.ariaSnapshot(), [
    '- dialog "Still deciding?":',
    '  - button "Close": ×',
    '  - heading "Still deciding?" [level=2]',
    "  - paragraph: Take 10% off your first bag with the code ROAST10 at checkout.",
    "  - paragraph:",
    '    - button "Copy code ROAST10"',
    '    - button "No thanks"',
  ].join("\n"));
  // The close button works without script: a <form method="dialog"> submit button.
  assert.deepEqual(await page.evaluate(() => {
    const b = document.querySelector("dialog .tm-close");
    return [b.type, b.form && b.form.method, b.getAttribute("aria-label")];
  }), ["submit", "dialog", "Close"]);

  // Focus moved in: to its first control.
  assert.deepEqual(await focused(page), { tag: "BUTTON", className: "tm-close", id: "", text: "×", inDialog: true, body: false });
  // Tab and Shift+Tab cycle through the dialog's controls; focus never reaches the page behind
  // (inert). Chromium lets focus leave a modal dialog for the browser's own UI once per cycle
  // (document.activeElement is then <body>: no element of the page has focus), as the HTML
  // standard allows; the next Tab comes back to the dialog's first control.
  for (const key of ["Tab", "Shift+Tab"]) {
    const seen = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press(key);
      const f = await focused(page);
      assert.ok(f.inDialog || f.body, `${key} ${i + 1}: focus on ${JSON.stringify(f)}, outside the dialog`);
      seen.push(f.inDialog ? f.text : "(browser UI)");
    }
    assert.deepEqual(new Set(seen.filter((s) => s !== "(browser UI)")), new Set(["×", "Copy code ROAST10", "No thanks"]), `${key} reaches every control`);
    t.diagnostic(`${key} x8: ${seen.join(" -> ")}`);
  }

  await page.keyboard.press("Escape");
  await page.waitForSelector("dialog", { state: "detached" });
  assert.deepEqual(await overlays(page), { list: [], dialogs: [], modalClass: false });
  // Back where it was when the dialog opened: nothing was focused on the fresh page.
  assert.equal((await focused(page)).body, true);

  assert.deepEqual((await pageEvents(page)).filter((e) => e.path === "/" + ESPRESSO && e.detail.placement === "dialog"),
    [{ type: "show", path: "/" + ESPRESSO, detail: DIALOG }, { type: "dismiss", path: "/" + ESPRESSO, detail: DIALOG }]);
  await outcomesArrived((r) => r.event === "Block Dismissed", 1);
  assertQuiet(watched);
  await finish(context);
  assert.deepEqual(outcomeRows().filter((r) => r.props.rule === DIALOG.rule).map((r) => [r.event, r.props]),
    [["Block Viewed", DIALOG], ["Block Dismissed", DIALOG]]);
});

test("closing the dialog gives focus back to the element that had it when the dialog opened", TIMEOUT, async () => {
  const context = await newContext();
  const { page, ...watch } = await open(context, ETHIOPIA);
  await settled(page, { products: 1 });
  await visit(page, COLOMBIA);
  await settled(page, { products: 2 });
  await page.focus("#quantity");
  // The third product view of the session, recorded by the page while the shopper is in the field.
  await viewProduct(page, "house-espresso");
  await page.waitForSelector("dialog.tm-dialog[open]");
  assert.equal((await focused(page)).inDialog, true);
  await page.keyboard.press("Escape");
  await page.waitForSelector("dialog", { state: "detached" });
  assert.deepEqual(await focused(page), { tag: "INPUT", className: "", id: "quantity", text: "", inDialog: false, body: false });
  assertQuiet({ page, ...watch });
  await context.close();
});

test("a reload and a fourth product do not open the dialog again (ever: 1, dialogsPerSession: 1); the bar stops after two views a session", TIMEOUT, async () => {
  const context = await newContext();
  const { page, ...watch } = await open(context, ETHIOPIA);
  await settled(page, { products: 1 });
  assert.deepEqual(await placements(page), ["bar-top"]);
  await visit(page, COLOMBIA);
  await settled(page, { products: 2 });
  assert.deepEqual(await placements(page), ["bar-top"]);
  await visit(page, ESPRESSO);
  await page.waitForSelector("dialog.tm-dialog[open]");
  await settled(page, { products: 3 });
  // The third page: no bar (two a session), the dialog.
  assert.deepEqual(await placements(page), ["dialog"]);
  assert.deepEqual((await overlays(page)).list.map((o) => o.className), ["tm-overlay tm-dialog"]);
  await outcomesArrived((r) => r.event === "Block Viewed" && r.props.rule === DIALOG.rule, 1);

  // Reloaded while the dialog is open (never dismissed: only the view caps hold it back).
  await page.reload();
  await ready(page);
  const reloaded = await settled(page, { products: 4 });
  assert.deepEqual(await placements(page), []);
  assert.deepEqual(await overlays(page), { list: [], dialogs: [], modalClass: false });
  assert.equal(reloaded.claims.started, 0, "no claim was even tried");

  await visit(page, SENCHA);
  const fourth = await settled(page, { products: 5 });
  assert.deepEqual(await decisions(page), [HERO_DECISION, INLINE_DECISION]);
  assert.deepEqual(await overlays(page), { list: [], dialogs: [], modalClass: false });
  assert.equal(fourth.claims.started, 0);
  assertQuiet({ page, ...watch });

  await finish(context);
  const rows = outcomeRows();
  assert.deepEqual(countsOf(rows, BAR), { "Block Viewed": 2 });
  assert.deepEqual(countsOf(rows, DIALOG), { "Block Viewed": 1 });
  assert.deepEqual(rows.filter((r) => r.props.placement !== "slot").map((r) => r.props.placement), ["bar-top", "bar-top", "dialog"]);
});

test("the bar's cap holds in a second tab of the same context", TIMEOUT, async () => {
  const context = await newContext();
  const a = await open(context, ETHIOPIA);
  await settled(a.page, { products: 1 });
  await visit(a.page, "category.html");
  await settled(a.page);
  assert.deepEqual(await placements(a.page), ["bar-top"]);
  // Seen twice in tab A, and stored; a second tab of the same shopper opens.
  await viewStored(a.page);
  const b = await open(context, "/");
  await settled(b.page);
  assert.deepEqual(await decisions(b.page), [HERO_DECISION]);
  assert.deepEqual((await overlays(b.page)).list, []);
  await visit(b.page, "gear.html");
  await settled(b.page);
  assert.deepEqual((await overlays(b.page)).list, []);
  // And tab A's next page.
  await visit(a.page, "tea.html");
  await settled(a.page);
  assert.deepEqual((await overlays(a.page)).list, []);
  assertQuiet(a);
  assertQuiet(b);
  await finish(context);
  assert.deepEqual(countsOf(outcomeRows(), BAR), { "Block Viewed": 2 });
});

test("a second tab opened within a second of the bar's second view shows no third bar", { ...TIMEOUT }, async () => {
  const context = await newContext();
  const a = await open(context, ETHIOPIA);
  await settled(a.page, { products: 1 });
  await viewStored(a.page);
  await visit(a.page, "category.html");
  await settled(a.page);
  assert.deepEqual(await placements(a.page), ["bar-top"]);
  // At once: before tab A's next write of the record.
  const b = await open(context, "gear.html");
  await settled(b.page);
  const third = (await overlays(b.page)).list;
  await finish(context);
  assert.deepEqual({ third, views: countsOf(outcomeRows(), BAR) }, { third: [], views: { "Block Viewed": 2 } });
});

test("two tabs reach their third product view at the same moment: exactly one dialog opens, one Block Viewed arrives", { ...TIMEOUT }, async (t) => {
  const rounds = [];
  for (let round = 1; round <= 6; round++) {
    const context = await newContext();
    const a = await open(context, ETHIOPIA);
    await settled(a.page, { products: 1 });
    await visit(a.page, COLOMBIA);
    await settled(a.page, { products: 2 });
    const b = await open(context, "category.html");
    await settled(b.page);
    // Both tabs to a product page at once: each one's third (or fourth) product view.
    await Promise.all([visit(a.page, ESPRESSO), visit(b.page, SENCHA)]);
    const [sa, sb] = await Promise.all([settled(a.page, { products: 3 }), settled(b.page, { products: 3 })]);
    const dialogs = [...(await overlays(a.page)).dialogs, ...(await overlays(b.page)).dialogs];
    assertQuiet(a);
    assertQuiet(b);
    await finish(context);
    const viewed = countsOf(outcomeRows(), DIALOG)["Block Viewed"] || 0;
    rounds.push({ dialogs: dialogs.length, viewed, won: [...sa.claims.results, ...sb.claims.results].filter((r) => r === true).length });
    t.diagnostic(`round ${round}: tab A claims ${JSON.stringify(sa.claims.results)}, tab B claims ${JSON.stringify(sb.claims.results)}: ` +
      `${dialogs.length} open dialog(s), ${viewed} Block Viewed at the collector`);
  }
  // Every round: one open dialog across both tabs, one claim won, one Block Viewed stored.
  assert.deepEqual(rounds, rounds.map(() => ({ dialogs: 1, viewed: 1, won: 1 })));
});

// ------------------------------------------------------------------------------------ the offer

test("accept copies the code: the clipboard holds ROAST10, the dialog closes, Offer Accepted arrives once", TIMEOUT, async () => {
  const context = await newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: new URL(collector.store).origin });
  const page = await context.newPage();
  const watched = watchPage(page);
  await toDialog(page);
  await page.getByRole("button", { name: "Copy code ROAST10", exact: true }).click();
  await page.waitForSelector("dialog", { state: "detached" });
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "ROAST10");
  assert.deepEqual(await overlays(page), { list: [], dialogs: [], modalClass: false });
  assert.equal((await focused(page)).body, true);
  assert.deepEqual((await pageEvents(page)).filter((e) => e.detail.placement === "dialog").map((e) => [e.type, e.detail]),
    [["show", DIALOG], ["accept", { ...DIALOG, code: "ROAST10" }]]);
  await outcomesArrived((r) => r.event === "Offer Accepted", 1);
  assertQuiet(watched);
  await finish(context);
  // Accepted, not dismissed.
  assert.deepEqual(outcomeRows().filter((r) => r.props.rule === DIALOG.rule).map((r) => [r.event, r.props]),
    [["Block Viewed", DIALOG], ["Offer Accepted", { ...DIALOG, code: "ROAST10" }]]);
});

test("where the clipboard refuses, the code is shown selected in a read-only field and the dialog stays open", TIMEOUT, async (t) => {
  const context = await newContext();
  await context.addInitScript(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException("Write permission denied.", "NotAllowedError"));
  });
  const page = await context.newPage();
  const watched = watchPage(page);
  await toDialog(page);
  await page.getByRole("button", { name: "Copy code ROAST10", exact: true }).click();
  await page.waitForSelector("dialog input.tm-code");
  const field = () => page.evaluate(() => {
    const inputs = document.querySelectorAll("dialog input.tm-code");
    const i = inputs[0];
    return {
      count: inputs.length, value: i.value, readOnly: i.readOnly, label: i.getAttribute("aria-label"),
      selection: [i.selectionStart, i.selectionEnd], focused: document.activeElement === i,
      after: i.previousElementSibling.textContent,
    };
  });
  assert.deepEqual(await field(), {
    count: 1, value: "ROAST10", readOnly: true, label: "Your code", selection: [0, 7], focused: true, after: "Copy code ROAST10",
  });
  assert.deepEqual((await overlays(page)).dialogs, [{ open: true, modal: true }]);
  await outcomesArrived((r) => r.event === "Offer Accepted", 1);
  assertQuiet(watched);
  // A second click (the shopper tries again) and what follows are noted: see the next test.
  await page.getByRole("button", { name: "Copy code ROAST10", exact: true }).click();
  t.diagnostic(`after a second click on the copy button: ${(await field()).count} code field(s)`);
  await context.close();
});

test("where the clipboard refuses, a second click on the copy button adds no second code field and no second Offer Accepted", { ...TIMEOUT }, async () => {
  const context = await newContext();
  await context.addInitScript(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException("Write permission denied.", "NotAllowedError"));
  });
  const page = await context.newPage();
  await toDialog(page);
  const copy = page.getByRole("button", { name: "Copy code ROAST10", exact: true });
  await copy.click();
  await page.waitForSelector("dialog input.tm-code");
  await copy.click();
  await pollUntil(() => page.evaluate(() => window.__tmClaims && JSON.parse(sessionStorage.getItem("__tmPageEvents") || "[]")
    .filter((e) => e.type === "accept").length >= 2), { timeoutMs: 2000 });
  await page.keyboard.press("Escape");
  await page.waitForSelector("dialog", { state: "detached" });
  const accepted = (await pageEvents(page)).filter((e) => e.type === "accept").length;
  await finish(context);
  const rows = outcomeRows().filter((r) => r.props.rule === DIALOG.rule);
  assert.deepEqual({ accepted, stored: rows.map((r) => r.event) },
    { accepted: 1, stored: ["Block Viewed", "Offer Accepted"] });
});

// ------------------------------------------------------------------------------------ outcome events

test("every outcome event arrives exactly once, and each is announced to the page as a trailmark:* event with the same detail", TIMEOUT, async () => {
  // Tall enough that the product page's inline slot is wholly in view (its Block Viewed: half of
  // it visible for a second).
  const context = await newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const watched = watchPage(page);
  const shown = (n) => pollUntil(() => page.evaluate((n) => JSON.parse(sessionStorage.getItem("__tmPageEvents") || "[]")
    .filter((e) => e.type === "show").length >= n, n));

  await visit(page, ETHIOPIA);
  assert.ok(await shown(2), "page 1: the bar and the inline slot viewed");
  await visit(page, COLOMBIA);
  assert.ok(await shown(4), "page 2: the bar and the inline slot viewed");
  // The bar's link: a Block Clicked, then the next page.
  await Promise.all([page.waitForURL("**/category.html"), page.click(".tm-bar-top a")]);
  await ready(page);
  await settled(page);
  assert.deepEqual((await overlays(page)).list, [], "no third bar");
  await visit(page, ESPRESSO);
  await page.waitForSelector("dialog.tm-dialog[open]");
  assert.ok(await shown(6), "page 3: the dialog and the inline slot viewed");
  await page.getByRole("button", { name: "No thanks", exact: true }).click();
  await page.waitForSelector("dialog", { state: "detached" });
  const events = await pageEvents(page);
  assertQuiet(watched);
  await finish(context);

  const href = new URL("category.html", collector.store).href;
  const expected = [
    ["Block Viewed", BAR], ["Block Viewed", INLINE],
    ["Block Viewed", BAR], ["Block Viewed", INLINE], ["Block Clicked", { ...BAR, href }],
    ["Block Viewed", DIALOG], ["Block Viewed", INLINE], ["Block Dismissed", DIALOG],
  ];
  const rows = outcomeRows();
  assert.deepEqual(rows.map((r) => [r.event, r.props]), expected);
  assert.equal(new Set(rows.map((r) => r.messageId)).size, rows.length, "unique message ids");
  assert.deepEqual(collector.query("SELECT SUM(duplicates) AS d FROM batches"), [{ d: 0 }], "no event was sent twice");
  assert.equal(new Set(rows.map((r) => r.tab)).size, 1);
  // The page heard of each one, in the same order, with the same detail.
  const name = { show: "Block Viewed", click: "Block Clicked", dismiss: "Block Dismissed", accept: "Offer Accepted" };
  assert.deepEqual(events.map((e) => [name[e.type], e.detail]), expected);
  assert.deepEqual(events.map((e) => e.path), ["/" + ETHIOPIA, "/" + ETHIOPIA, "/" + COLOMBIA, "/" + COLOMBIA, "/" + COLOMBIA,
    "/" + ESPRESSO, "/" + ESPRESSO, "/" + ESPRESSO]);
});

// ------------------------------------------------------------------------------------ consent

/** One product page and two more product views in it: the dialog's condition holds. */
async function threeViews(page) {
  await visit(page, ETHIOPIA);
  await viewProduct(page, "colombia-huila");
  await viewProduct(page, "house-espresso");
}

test("consent: personalization granted (no consent section): the bar and the dialog", TIMEOUT, async () => {
  const context = await newContext();
  const page = await context.newPage();
  const watched = watchPage(page);
  await threeViews(page);
  await page.waitForSelector("dialog.tm-dialog[open]");
  await settled(page, { products: 3 });
  assert.deepEqual((await overlays(page)).list.map((o) => o.className), ["tm-overlay tm-bar tm-bar-top", "tm-overlay tm-dialog"]);
  assert.equal(await page.getAttribute("[data-trailmark-slot='product-inline']", "data-trailmark-rule"), INLINE.rule);
  assertQuiet(watched);
  await finish(context);
  assert.deepEqual(outcomeRows().filter((r) => r.props.placement !== "slot").map((r) => [r.event, r.props]),
    [["Block Viewed", BAR], ["Block Viewed", DIALOG]]);
});

for (const [name, consent, queued, sent] of [
  ["consent.required: both pending", { required: true }, undefined, false],
  ["consent.required, analytics granted", { required: true }, [["consent", { analytics: "granted" }]], true],
]) {
  test(`consent: personalization pending (${name}): the bar and the slots render, no dialog even on the third product view`, TIMEOUT, async () => {
    const context = await newContext({ edit: (c) => { c.consent = consent; }, queued });
    const page = await context.newPage();
    const watched = watchPage(page);
    await threeViews(page);
    const state = await settled(page, { products: 3 });
    assert.deepEqual(await page.evaluate(() => window.trailmark.consent()),
      { analytics: sent ? "granted" : "pending", personalization: "pending" });
    assert.deepEqual(await decisions(page), [HERO_DECISION, INLINE_DECISION, BAR_DECISION]);
    assert.deepEqual(await overlays(page), {
      list: [{ tag: "DIV", className: "tm-overlay tm-bar tm-bar-top", rule: BAR.rule, block: BAR.block }], dialogs: [], modalClass: false,
    });
    assert.equal(await page.getAttribute("[data-trailmark-slot='product-inline']", "data-trailmark-rule"), INLINE.rule);
    assert.equal(state.claims.started, 0, "no dialog was claimed");
    if (sent) await outcomesArrived((r) => r.props.rule === BAR.rule, 1);
    assertQuiet(watched);
    await finish(context);
    if (sent) {
      assert.deepEqual(outcomeRows().filter((r) => r.props.placement !== "slot").map((r) => [r.event, r.props]), [["Block Viewed", BAR]]);
    } else {
      assert.deepEqual(await collectorStats(collector), { events: 0, batches: 0, requests: 0, faulted: 0 }, "analytics pending: nothing leaves");
    }
  });
}

test("consent: personalization denied: no bar, no dialog, the slots keep their default content; no outcome event", TIMEOUT, async () => {
  const context = await newContext({ queued: [["consent", { personalization: "denied" }]] });
  const page = await context.newPage();
  const watched = watchPage(page);
  await threeViews(page);
  await settled(page, { decided: false });
  // Analytics still flows: the three product views arrive.
  await collector.waitFor("SELECT * FROM events WHERE event = 'Product Viewed'", (rows) => rows.length >= 3);
  assert.deepEqual(await page.evaluate(() => window.trailmark.consent()), { analytics: "granted", personalization: "denied" });
  assert.deepEqual(await decisions(page), []);
  assert.deepEqual(await overlays(page), { list: [], dialogs: [], modalClass: false });
  assert.equal(await page.getAttribute("[data-trailmark-slot='product-inline']", "data-trailmark-rule"), null);
  assert.equal((await page.textContent("[data-trailmark-slot='product-inline']")).trim(), INLINE_DEFAULT);
  assert.equal((await page.evaluate(() => window.__tmClaims)).started, 0);
  assertQuiet(watched);
  await finish(context);
  assert.deepEqual(outcomeRows(), []);
  assert.equal(collector.query("SELECT * FROM events WHERE event = 'Product Viewed'").length, 3);
});

// ------------------------------------------------------------------------------------ suppression

test("suppressDialogs(true) before the third product view: no dialog; lifting it opens the dialog", TIMEOUT, async () => {
  const context = await newContext();
  const { page, ...watch } = await open(context, ETHIOPIA);
  await settled(page, { products: 1 });
  await visit(page, COLOMBIA);
  await settled(page, { products: 2 });
  // On the third product page, the page asks before anything else runs (the command queue).
  await page.addInitScript((path) => { if (location.pathname === path) window.trailmark = [["suppressDialogs", true]]; }, "/" + ESPRESSO);
  await visit(page, ESPRESSO);
  const state = await settled(page, { products: 3 });
  assert.deepEqual(await placements(page), []);
  assert.deepEqual(await overlays(page), { list: [], dialogs: [], modalClass: false });
  assert.deepEqual(state.claims.results.filter((r) => r === true), []);
  // The suppression was what held it back.
  await page.evaluate(() => window.trailmark.suppressDialogs(false));
  await page.waitForSelector("dialog.tm-dialog[open]");
  assertQuiet({ page, ...watch });
  await finish(context);
  assert.deepEqual(countsOf(outcomeRows(), DIALOG), { "Block Viewed": 1 });
});

test("the checkout and thanks pages never show the bar or a dialog, though both may show elsewhere", TIMEOUT, async () => {
  const context = await newContext();
  const { page, ...watch } = await open(context, ETHIOPIA);
  // One bar view, and three product views without using the session's dialog.
  await page.evaluate(() => window.trailmark.suppressDialogs(true));
  await viewProduct(page, "colombia-huila");
  await viewProduct(page, "house-espresso");
  await settled(page, { products: 3 });
  assert.deepEqual(await placements(page), ["bar-top"]);
  for (const path of ["checkout.html", "thanks.html"]) {
    await visit(page, path);
    const state = await settled(page, { products: 3 });
    assert.deepEqual(await decisions(page), [HERO_DECISION], path);
    assert.deepEqual(await overlays(page), { list: [], dialogs: [], modalClass: false }, path);
    assert.equal(state.claims.started, 0, path);
  }
  // Both were still allowed: the cart page shows the second bar and opens the dialog.
  await visit(page, "cart.html");
  await page.waitForSelector("dialog.tm-dialog[open]");
  await settled(page, { products: 3 });
  assert.deepEqual(await placements(page), ["bar-top", "dialog"]);
  assertQuiet({ page, ...watch });
  await context.close();
});

// ------------------------------------------------------------------------------------ corner, bottom bar

test("a corner card and a bar at the bottom: fixed, in their places, not taking focus, each viewed once", TIMEOUT, async (t) => {
  const context = await newContext({ edit: withCornerAndBottom });
  const { page, ...watch } = await open(context, ETHIOPIA);
  await settled(page, { products: 1 });
  assert.deepEqual(await placements(page), ["bar-top", "corner", "bar-bottom"]);
  await animationsDone(page, ".tm-overlay");
  const geometry = await page.evaluate(() => {
    const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
    const vw = document.documentElement.clientWidth;
    const vh = document.documentElement.clientHeight;
    const describe = (el) => {
      const r = el.getBoundingClientRect();
      return {
        tag: el.tagName, className: el.className, role: el.getAttribute("role"), label: el.getAttribute("aria-label"),
        position: getComputedStyle(el).position, left: r.left, right: vw - r.right, bottom: vh - r.bottom, width: r.width,
        text: el.lastElementChild.textContent, close: el.querySelector(".tm-close").getAttribute("aria-label"),
      };
    };
    const corner = document.querySelector(".tm-corner");
    const bottom = document.querySelector(".tm-bar-bottom");
    const a = corner.getBoundingClientRect();
    const b = bottom.getBoundingClientRect();
    const overlap = Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top)) * Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left));
    return { rem, vw, corner: describe(corner), bottom: describe(bottom), overlap };
  });
  const { rem, vw } = geometry;
  assert.deepEqual(geometry.corner, {
    tag: "ASIDE", className: "tm-overlay tm-corner", role: "region", label: null, position: "fixed",
    left: vw - rem - Math.min(22 * rem, vw - 2 * rem), right: rem, bottom: rem, width: Math.min(22 * rem, vw - 2 * rem),
    text: "Can't decide?You've looked at a few of our coffees. Our roasters' tasting notes are on every bag; reply to any order email and we'll help you pick.",
    close: "Close",
  });
  assert.deepEqual(geometry.bottom, {
    tag: "DIV", className: "tm-overlay tm-bar tm-bar-bottom", role: "region", label: null, position: "fixed",
    left: 0, right: 0, bottom: 0, width: vw, text: "Free shipping over $40.Add a second bag and we'll cover delivery.", close: "Close",
  });
  t.diagnostic(`the corner card and the bottom bar overlap by ${Math.round(geometry.overlap)} px² when both show`);
  assert.deepEqual(await focused(page), { tag: "BODY", className: "", id: "", text: "", inDialog: false, body: true });
  // Their close buttons dismiss them (a plain button, no form).
  await page.click(".tm-corner .tm-close");
  await page.waitForSelector(".tm-corner", { state: "detached" });
  assertQuiet({ page, ...watch });
  await outcomesArrived((r) => r.event === "Block Dismissed", 1);
  await finish(context);
  const rows = outcomeRows().filter((r) => r.props.placement !== "slot").map((r) => [r.event, r.props]);
  assert.deepEqual(rows, [["Block Viewed", BAR], ["Block Viewed", BOTTOM], ["Block Viewed", CORNER], ["Block Dismissed", CORNER]]);
});

test("overlays shown at once have distinct accessible names (axe: landmark-unique)", { ...TIMEOUT }, async () => {
  const context = await newContext({ edit: withCornerAndBottom });
  const { page } = await open(context, ETHIOPIA);
  await settled(page, { products: 1 });
  const names = [];
  for (const selector of [".tm-bar-top", ".tm-bar-bottom", ".tm-corner"]) {
    const el = page.locator(selector);
    names.push(await el.getAttribute("aria-label") ?? await el.evaluate((e) => document.getElementById(e.getAttribute("aria-labelledby")).textContent));
  }
  await context.close();
  assert.equal(new Set(names).size, 3, "names: " + JSON.stringify(names));
});

// ------------------------------------------------------------------------------------ the module dies

/**
 * Makes the module's next call trap, once `window.__tmTrap` is set: every wasm export is
 * wrapped; the first call after the flag throws a `WebAssembly.RuntimeError` (what a panic is,
 * in the shipped module) and clears the flag. The runtime catches it and turns itself off.
 */
function trapHook() {
  const wrap = (result) => {
    const inner = result.instance || result;
    const exports = {};
    for (const [k, v] of Object.entries(inner.exports)) {
      exports[k] = typeof v !== "function" ? v : function () {
        if (window.__tmTrap) { window.__tmTrap = false; throw new WebAssembly.RuntimeError("unreachable"); }
        return v.apply(this, arguments);
      };
    }
    const instance = Object.create(WebAssembly.Instance.prototype, { exports: { value: exports } });
    return result.instance ? { instance, module: result.module } : instance;
  };
  const streaming = WebAssembly.instantiateStreaming;
  WebAssembly.instantiateStreaming = function () { return streaming.apply(this, arguments).then(wrap); };
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = function () { return instantiate.apply(this, arguments).then(wrap); };
}

for (const how of ["Escape", "the close button"]) {
  test(`the module dies while the dialog is open: ${how} still closes it, focus returns, the page scrolls again`, TIMEOUT, async () => {
    const context = await newContext();
    await context.addInitScript(trapHook);
    const page = await context.newPage();
    const watched = watchPage(page);
    await toDialog(page);
    // The next call into the module traps.
    await page.evaluate(() => { window.__tmTrap = true; window.trailmark.track("After Trap", {}); });
    assert.deepEqual(await decisions(page), [], "the instance is off");
    if (how === "Escape") await page.keyboard.press("Escape");
    else await page.click("dialog .tm-close");
    await page.waitForSelector("dialog", { state: "detached" });
    assert.deepEqual(await overlays(page), { list: [], dialogs: [], modalClass: false });
    assert.equal((await focused(page)).body, true);
    assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).overflow), "visible");
    assertQuiet(watched, [/^\[trailmark\] stopped after an internal error; the page keeps its default content\./]);
    await context.close();
  });
}

test("every trailmark method made to throw while the dialog is open: Esc and the close button still close it", TIMEOUT, async (t) => {
  for (const how of ["Escape", "close button"]) {
    const context = await newContext();
    const page = await context.newPage();
    const watched = watchPage(page);
    await toDialog(page);
    await page.evaluate(() => {
      for (const k of Object.keys(window.trailmark)) {
        if (typeof window.trailmark[k] === "function") window.trailmark[k] = () => { throw new Error("trailmark is broken"); };
      }
    });
    if (how === "Escape") await page.keyboard.press("Escape");
    else await page.click("dialog .tm-close");
    await page.waitForSelector("dialog", { state: "detached" });
    assert.deepEqual(await overlays(page), { list: [], dialogs: [], modalClass: false }, how);
    assert.equal((await focused(page)).body, true, how);
    // The renderer records the dismissal through the page-visible `trailmark.track`: a page that
    // replaced it sees its own error from inside Trailmark's close handler (after the dialog closed).
    t.diagnostic(`${how}: uncaught errors in the page: ${JSON.stringify(watched.pageErrors)}`);
    await context.close();
  }
});

// ------------------------------------------------------------------------------------ axe-core

test("axe-core finds no violation in any placement: bar-top, bar-bottom, corner, dialog", TIMEOUT, async (t) => {
  const AXE = readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");
  // The store's CSP allows no inline script: the test's own injection bypasses it.
  const context = await newContext({ edit: withCornerAndBottom, bypassCSP: true });
  const page = await context.newPage();
  const watched = watchPage(page);
  const audit = async (selector) => {
    await animationsDone(page, selector);
    await page.addScriptTag({ content: AXE });
    const r = await page.evaluate(async (s) => {
      const out = await window.axe.run(s ? document.querySelector(s) : document, { resultTypes: ["violations", "incomplete"] });
      const brief = (list) => list.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(" ")) }));
      return {
        violations: brief(out.violations), incomplete: brief(out.incomplete),
        checked: out.passes.length + out.violations.length + out.incomplete.length, inapplicable: out.inapplicable.length,
      };
    }, selector);
    return r;
  };
  await visit(page, ETHIOPIA);
  await settled(page, { products: 1 });
  for (const [name, selector] of [["bar-top", ".tm-bar-top"], ["bar-bottom", ".tm-bar-bottom"], ["corner", ".tm-corner"]]) {
    const r = await audit(selector);
    t.diagnostic(`${name}: ${r.checked} rules checked (${r.inapplicable} inapplicable), violations ${JSON.stringify(r.violations)}, needs review ${JSON.stringify(r.incomplete)}`);
    assert.deepEqual(r.violations, [], name);
  }
  // The whole page with its three overlays: reported, not asserted (the store's own markup).
  const whole = await audit(null);
  t.diagnostic(`whole product page with bar-top, bar-bottom and corner: ${whole.checked} rules checked, violations ${JSON.stringify(whole.violations)}`);
  await visit(page, COLOMBIA);
  await settled(page, { products: 2 });
  await visit(page, ESPRESSO);
  await page.waitForSelector("dialog.tm-dialog[open]");
  const r = await audit("dialog.tm-dialog");
  t.diagnostic(`dialog: ${r.checked} rules checked (${r.inapplicable} inapplicable), violations ${JSON.stringify(r.violations)}, needs review ${JSON.stringify(r.incomplete)}`);
  assert.deepEqual(r.violations, [], "dialog");
  const page3 = await audit(null);
  t.diagnostic(`whole product page with the dialog open: ${page3.checked} rules checked, violations ${JSON.stringify(page3.violations)}`);
  assert.deepEqual(watched.pageErrors, []);
  await context.close();
});

// ------------------------------------------------------------------------------------ no flicker

// The snippet the README gives sites: slots marked pending stay hidden until Trailmark decides,
// and show their default content after 400 ms whatever happens.
const NO_FLICKER_CSS = "[data-trailmark-pending]{visibility:hidden;animation:trailmark-reveal 0s 400ms forwards}@keyframes trailmark-reveal{to{visibility:visible}}";

/**
 * The home page with its hero slot marked `data-trailmark-pending` and the snippet in the site's
 * stylesheet (the store's CSP allows no inline style). The page records, every frame, whether
 * the hero is visible: `__tmHero = { styled, firstPaint, visibleAt, attributeGoneAt, shownDefault }`
 * (times from navigation start; `styled`: when the snippet first applied to it).
 */
async function noFlickerContext(context) {
  await context.route("**/index.html", async (route) => {
    const res = await route.fetch();
    const html = (await res.text()).replace('data-trailmark-slot="hero"', 'data-trailmark-slot="hero" data-trailmark-pending');
    await route.fulfill({ response: res, body: html });
  });
  await context.route("**/styles.css", async (route) => {
    const res = await route.fetch();
    await route.fulfill({ response: res, body: (await res.text()) + "\n" + NO_FLICKER_CSS + "\n" });
  });
  await context.addInitScript(() => {
    const log = { styled: null, firstHidden: null, visibleAt: null, attributeGoneAt: null, shownDefault: false };
    Object.defineProperty(window, "__tmHero", { value: log });
    const frame = () => {
      const el = document.querySelector("[data-trailmark-slot='hero']");
      const now = performance.now();
      if (el) {
        const style = getComputedStyle(el);
        if (log.styled === null && style.animationName === "trailmark-reveal") log.styled = now;
        if (log.styled !== null && log.firstHidden === null && style.visibility === "hidden") log.firstHidden = now;
        if (log.attributeGoneAt === null && !el.hasAttribute("data-trailmark-pending")) log.attributeGoneAt = now;
        if (style.visibility === "visible" && log.visibleAt === null) {
          log.visibleAt = now;
          log.shownDefault = !el.hasAttribute("data-trailmark-rule");
        }
      }
      if (log.visibleAt === null || log.attributeGoneAt === null) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

test("no-flicker snippet, module working: the hero shows the personalized block and loses data-trailmark-pending", TIMEOUT, async (t) => {
  const context = await newContext();
  await noFlickerContext(context);
  const { page, ...watch } = await open(context, "index.html");
  await pollUntil(() => page.evaluate(() => document.querySelector("[data-trailmark-slot='hero']").hasAttribute("data-trailmark-rule")));
  const hero = await page.evaluate(() => {
    const el = document.querySelector("[data-trailmark-slot='hero']");
    return { pending: el.hasAttribute("data-trailmark-pending"), rule: el.getAttribute("data-trailmark-rule"), title: el.querySelector("h2").textContent, visibility: getComputedStyle(el).visibility };
  });
  assert.deepEqual(hero, { pending: false, rule: "home-hero-welcome", title: "Fresh roasts, picked for you", visibility: "visible" });
  const log = await pollUntil(() => page.evaluate(() => (window.__tmHero.visibleAt !== null ? window.__tmHero : null)));
  t.diagnostic(`snippet applied at ${Math.round(log.styled)} ms, attribute removed at ${Math.round(log.attributeGoneAt)} ms, hero first visible at ${Math.round(log.visibleAt)} ms, ${log.shownDefault ? "showing its DEFAULT content first (a flash)" : "already personalized"}`);
  assertQuiet({ page, ...watch });
  await context.close();
});

test("no-flicker snippet, module blocked: the default hero becomes visible by itself, hidden at first paint and visible within a second", TIMEOUT, async (t) => {
  const context = await newContext();
  await noFlickerContext(context);
  const blocked = [];
  for (const pattern of ["**/trailmark*.js", "**/*.wasm"]) {
    await context.route(pattern, (route) => { blocked.push(new URL(route.request().url()).pathname); return route.abort(); });
  }
  const page = await context.newPage();
  await page.goto(collector.store + "index.html");
  const log = await pollUntil(() => page.evaluate(() => (window.__tmHero.visibleAt !== null ? window.__tmHero : null)), { timeoutMs: 5000 });
  assert.ok(log, "the hero became visible");
  assert.ok(blocked.includes("/pkg/trailmark.js"), "the loader was blocked: " + JSON.stringify(blocked));
  assert.equal(await page.evaluate(() => Array.isArray(window.trailmark)), true, "Trailmark never ran (the page's queue is a plain array)");
  // Hidden when the snippet first applied (the first frames), visible by the animation's end.
  assert.notEqual(log.styled, null, "the snippet applied");
  assert.equal(log.firstHidden, log.styled, "hidden at the first frame the snippet applied");
  const fcp = await page.evaluate(() => (performance.getEntriesByName("first-contentful-paint")[0] || {}).startTime ?? null);
  assert.ok(fcp !== null && fcp < log.visibleAt, `the page painted (FCP ${fcp} ms) while the hero was hidden (visible at ${log.visibleAt} ms)`);
  // (The animation starts when the hero's style is first computed, which may be a little before
  // the first frame that could see it: no lower bound is asserted.)
  const waited = log.visibleAt - log.styled;
  assert.ok(waited > 0 && waited <= 1000, `visible ${Math.round(waited)} ms after the snippet applied (CSS: 400 ms)`);
  t.diagnostic(`snippet applied at ${Math.round(log.styled)} ms, first paint ${Math.round(fcp)} ms, default hero visible at ${Math.round(log.visibleAt)} ms`);
  const hero = await page.evaluate(() => {
    const el = document.querySelector("[data-trailmark-slot='hero']");
    return { pending: el.hasAttribute("data-trailmark-pending"), rule: el.getAttribute("data-trailmark-rule"), title: el.querySelector("h1").textContent, visibility: getComputedStyle(el).visibility };
  });
  // The attribute stays (nothing decided), and the snippet's animation keeps it visible.
  assert.deepEqual(hero, { pending: true, rule: null, title: "Small-batch coffee, roasted every Tuesday", visibility: "visible" });
  await context.close();
});

// ------------------------------------------------------------------------------------ screenshots

test("screenshots of every placement at a phone and a desktop size (target/screenshots/)", TIMEOUT, async (t) => {
  const dir = join(ROOT, "target/screenshots");
  mkdirSync(dir, { recursive: true });
  const sizes = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } };
  const only = (placementRule) => (c) => {
    c.rules = c.rules.filter((r) => r.id !== BAR.rule);
    c.rules.push(placementRule);
  };
  const shots = [];
  for (const [size, viewport] of Object.entries(sizes)) {
    const phone = size === "phone";
    const options = { viewport, deviceScaleFactor: phone ? 2 : 1, isMobile: phone, hasTouch: phone, reducedMotion: "reduce" };
    for (const [name, edit] of [["bar-top", undefined], ["bar-bottom", only(BOTTOM_RULE)], ["corner", only(CORNER_RULE)]]) {
      const context = await newContext({ edit, ...options });
      const { page } = await open(context, ETHIOPIA);
      await settled(page, { products: 1 });
      await page.waitForSelector(".tm-overlay");
      const file = join(dir, `${name}-${size}.png`);
      await page.screenshot({ path: file });
      shots.push(file);
      await context.close();
    }
    const context = await newContext({ ...options });
    await context.addInitScript(() => {
      navigator.clipboard.writeText = () => Promise.reject(new DOMException("Write permission denied.", "NotAllowedError"));
    });
    const page = await context.newPage();
    await toDialog(page);
    await page.screenshot({ path: join(dir, `dialog-${size}.png`) });
    await page.getByRole("button", { name: "Copy code ROAST10", exact: true }).click();
    await page.waitForSelector("dialog input.tm-code");
    await page.screenshot({ path: join(dir, `dialog-code-${size}.png`) });
    shots.push(join(dir, `dialog-${size}.png`), join(dir, `dialog-code-${size}.png`));
    await context.close();
  }
  t.diagnostic("screenshots: " + shots.map((f) => f.slice(ROOT.length)).join(", "));
});
