// The anonymous id across subdomains: localStorage is per origin, so a checkout on
// `checkout.shop.test` would see a new visitor; with `identity.cookieDomain` the id is also kept
// in a first-party cookie on `shop.test`, which the checkout reads. Chromium resolves the
// `*.shop.test` names to 127.0.0.1 (`--host-resolver-rules`): nothing leaves the machine.
//
//   node --test --test-concurrency=1 tests/e2e/identity.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { trailmarkLines, startStoreAndBrowser, stopStoreAndBrowser, compileConfig, NOT_OUTCOME } from "./harness.mjs";

const TIMEOUT = { timeout: 60_000 };
// Outcome events (Block Viewed, ...) are checked in overlays.test.mjs.
const ALL = `SELECT * FROM events WHERE ${NOT_OUTCOME} ORDER BY timestamp`;

let collector;
let browser;

before(async () => ({ collector, browser } = await startStoreAndBrowser(["--host-resolver-rules=MAP *.shop.test 127.0.0.1"])));
after(() => stopStoreAndBrowser(collector, browser));

/**
 * Serves the demo config with `identity.cookieDomain` to `context`. (The harness's
 * `routeConfig` fetches from Node, which cannot resolve the mapped names; this fetches the
 * config from 127.0.0.1.)
 */
async function withCookieDomain(context, domain) {
  await context.route("**/trailmark.compiled.json", async (route) => {
    const config = await (await fetch(collector.store + "trailmark.json")).json();
    config.identity = { cookieDomain: domain };
    await route.fulfill({ contentType: "application/json", body: compileConfig(config) });
  });
}

/** The store's URL `path` on host `host` (same port: one server answers every name). */
const on = (host, path) => {
  const u = new URL(collector.store);
  u.hostname = host;
  return new URL(path, u).href;
};

async function visit(context, url) {
  const page = await context.newPage();
  const messages = [];
  const errors = [];
  page.on("console", (m) => messages.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => window.trailmark && !Array.isArray(window.trailmark));
  await page.evaluate(() => window.trailmark.started);
  await page.evaluate(() => new Promise((r) => window.trailmark.ready(() => r())));
  return { page, messages, errors };
}

/** Anonymous ids of the page events stored for each host, in order. */
async function idsByHost(n) {
  const rows = await collector.waitFor(ALL, (r) => r.filter((e) => e.type === "page").length >= n);
  return rows
    .filter((r) => r.type === "page")
    .map((r) => [new URL(JSON.parse(r.properties).url).hostname, r.anonymous_id]);
}

for (const withCookie of [true, false]) {
  test(`the checkout subdomain ${withCookie ? "sees the same visitor with" : "sees a new visitor without"} identity.cookieDomain`, TIMEOUT, async () => {
    await collector.control("/_control/reset");
    const context = await browser.newContext();
    if (withCookie) await withCookieDomain(context, "shop.test");
    const store = await visit(context, on("www.shop.test", "/"));
    // The config arrives after the module starts; once its first event reached the collector,
    // the config (and its cookie domain) applied. The id is in the cookie once analytics allows
    // (no consent section here: granted).
    await idsByHost(1);
    const cookies = await context.cookies(on("checkout.shop.test", "/"));
    const aid = cookies.find((c) => c.name === "trailmark_aid");
    if (withCookie) {
      assert.ok(aid, "cookie set: " + JSON.stringify(cookies));
      assert.equal(aid.domain, ".shop.test");
      assert.equal(aid.sameSite, "Lax");
    } else {
      assert.equal(aid, undefined);
    }
    const checkout = await visit(context, on("checkout.shop.test", "/checkout.html"));
    const ids = await idsByHost(2);
    assert.deepEqual(ids.map(([host]) => host), ["www.shop.test", "checkout.shop.test"]);
    if (withCookie) {
      assert.equal(ids[1][1], ids[0][1], "one visitor across the subdomains");
      assert.equal(ids[0][1], aid.value);
    } else {
      assert.notEqual(ids[1][1], ids[0][1], "localStorage is per origin: two visitors");
    }
    for (const p of [store, checkout]) {
      assert.deepEqual(p.errors, []);
      assert.deepEqual(trailmarkLines(p.messages.map((text) => ({ text }))), []);
    }
    await context.close();
  });
}

test("denying analytics removes the cookie", TIMEOUT, async () => {
  const context = await browser.newContext();
  await withCookieDomain(context, "shop.test");
  await collector.control("/_control/reset");
  const { page } = await visit(context, on("www.shop.test", "/"));
  await idsByHost(1); // the config applied (see above)
  assert.ok((await context.cookies(on("www.shop.test", "/"))).some((c) => c.name === "trailmark_aid"));
  await page.evaluate(() => window.trailmark.consent({ analytics: "denied" }));
  assert.deepEqual((await context.cookies(on("www.shop.test", "/"))).filter((c) => c.name === "trailmark_aid"), []);
  await context.close();
});
