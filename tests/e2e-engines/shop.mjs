// What the cross-engine cases check, in the demo store's terms: Trailmark running on a page,
// what a slot shows, the events the collector stored (as "page /path" or the event name), the
// console, and the send log. Only public behaviour: the store's pages, `window.trailmark`, the
// collector's SQLite file.
import assert from "node:assert/strict";
import { WAIT_MS } from "./browser.mjs";
import { collectorStats, OUTCOME_EVENTS } from "../e2e/harness.mjs";

/** Every stored event, in the order its tab produced it. */
export const ALL = "SELECT * FROM events ORDER BY tab_id, seq";

/** Waits until Trailmark runs in `tab` (the loader replaced the command queue, and it is ready). */
export async function ready(tab) {
  await tab.waitFor(() => !!window.trailmark && !Array.isArray(window.trailmark) && typeof window.trailmark.ready === "function");
  await tab.run(() => new Promise((resolve) => window.trailmark.ready(() => resolve(true))));
}

/** Clicks a link or button that leads to `path`, and waits until Trailmark runs there. */
export async function clickThrough(tab, selector, path) {
  await tab.click(selector);
  await tab.waitFor((p) => location.pathname === p && document.readyState !== "loading", path);
  await ready(tab);
}

/** Opens `path` of `shop` in `tab` and waits until Trailmark runs there. */
export async function visit(tab, shop, path) {
  await tab.open(shop.url(path));
  await ready(tab);
}

/** A stored row as the page produced it: "page /path", "identify" or the event name. */
export function label(row) {
  if (row.type === "page") return "page " + JSON.parse(row.properties).path;
  return row.type === "track" ? row.event : row.type;
}

/** The row with its JSON columns parsed (`props`, `ctx`). */
export const parsed = (row) => ({ ...row, props: JSON.parse(row.properties || "{}"), ctx: JSON.parse(row.context || "{}") });

/**
 * Waits until the collector stored at least `count` events (at most `timeoutMs`), then returns
 * them all, in (tab, seq) order.
 */
export async function storedEvents(collector, count, timeoutMs = WAIT_MS) {
  return collector.waitFor(ALL, (rows) => rows.length >= count, timeoutMs);
}

/**
 * Checks that the collector holds exactly `expected` ("page /path" or event names), in the
 * order the tab produced them, each once, from one visitor. `expected` is one list for one tab,
 * or a list of lists for several tabs (each tab's events in its order; tabs in any order).
 * `ignore`: names left out of the comparison (e.g. "Page Engagement" where the number of times
 * a tab was hidden is up to the harness). The outcome events the renderer records when a block
 * is seen or used (`Block Viewed`, ...: their timing depends on the layout) are left out too,
 * unless `outcomes` is true; the overlay cases check them exactly. Returns every stored row, parsed.
 */
export async function assertStored(collector, expected, { timeoutMs = WAIT_MS, ignore: names = [], outcomes = false } = {}) {
  const ignore = outcomes ? names : [...names, ...OUTCOME_EVENTS];
  const perTab = Array.isArray(expected[0]) ? expected : [expected];
  const count = perTab.flat().length;
  const all = await collector.waitFor(ALL, (rows) => rows.filter((r) => !ignore.includes(label(r))).length >= count, timeoutMs);
  const rows = all.filter((r) => !ignore.includes(label(r)));
  const byTab = new Map();
  for (const r of rows) byTab.set(r.tab_id, [...(byTab.get(r.tab_id) || []), label(r)]);
  const order = (lists) => [...lists].sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y)));
  assert.deepEqual(order([...byTab.values()]), order(perTab), "the stored events of each tab, in (tab, seq) order");
  assert.equal(new Set(all.map((r) => r.message_id)).size, all.length, "each event once");
  assert.equal(new Set(all.map((r) => r.anonymous_id)).size, 1, "one visitor");
  return all.map(parsed);
}

/** Polls `check()` (in Node) until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(check, what, timeoutMs = WAIT_MS) {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() >= until) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The collector's counters: `{ events, batches, requests, faulted }`. */
export const stats = collectorStats;

/** What a slot shows: the rule and block that filled it (null: its default content) and its heading. */
export function slot(tab, name) {
  return tab.run((n) => {
    const el = document.querySelector(`[data-trailmark-slot='${n}']`);
    const heading = el.querySelector("h1, h2, strong");
    return {
      rule: el.getAttribute("data-trailmark-rule"),
      block: el.getAttribute("data-trailmark-block"),
      heading: heading ? heading.textContent : null,
    };
  }, name);
}

/** Waits until the slot `name` was filled by a rule; returns what it shows. */
export async function rendered(tab, name) {
  await tab.waitFor((n) => document.querySelector(`[data-trailmark-slot='${n}']`).hasAttribute("data-trailmark-rule"), name);
  return slot(tab, name);
}

/** The home hero's default content, exactly as www/index.html ships it. */
export const DEFAULT_HERO = { rule: null, block: null, heading: "Small-batch coffee, roasted every Tuesday" };
/** The block the demo config's rule `home-hero-welcome` puts in the hero. */
export const WELCOME_HERO = { rule: "home-hero-welcome", block: "roaster-picks-hero", heading: "Fresh roasts, picked for you" };

/** The lines Trailmark wrote to the console (they all start with "[trailmark]"). */
export const trailmarkLines = (messages) => messages.filter((m) => m.text.startsWith("[trailmark]"));

/**
 * No uncaught error in the tab's pages, and exactly the Trailmark console lines `expected`
 * (regular expressions, in order; none by default). Console messages may arrive a moment after
 * the action that logged them (BiDi is an event stream), so this waits until there are at
 * least as many as expected before comparing.
 */
export async function assertConsole(tab, expected = []) {
  const until = Date.now() + WAIT_MS;
  let messages = await tab.console();
  while (trailmarkLines(messages).length < expected.length && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 50));
    messages = await tab.console();
  }
  assert.deepEqual(messages.filter((m) => m.uncaught), [], "no uncaught error in the page");
  const lines = trailmarkLines(messages);
  assert.equal(lines.length, expected.length, "Trailmark's console lines: " + JSON.stringify(lines));
  expected.forEach((re, i) => assert.match(lines[i].text, re));
  return lines;
}

/** The tab's send log (see send-log.js): `[{ via: "fetch" | "beacon", accepted?, path }]`. */
export const sendLog = (tab) => tab.run(() => JSON.parse(sessionStorage.getItem("__enginesSendLog") || "[]"));

/** Demo-store steps a shopper takes. */
export const shopper = {
  /** On a product page: "Add to cart", and waits for the store's confirmation. */
  async addToCart(tab) {
    await tab.click("form[data-add-to-cart] button[type=submit]");
    await tab.waitFor(() => /^Added \d+ × /.test(document.querySelector("[data-cart-status]").textContent));
  },
};
