// The hostile-input suite, part 3: pages that break the globals Trailmark uses, before it loads
// (an init script) or while it runs. Each page still works: nothing executes, no call into
// Trailmark throws into the page, the page's own script runs, the `ok` slot renders and a
// `track()` reaches the collector (by request, by beacon when the page goes, or from the
// stored queue on the next page, depending on what is broken).
//
//   node --test --test-concurrency=1 tests/e2e/hostile-globals.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startHostile, inlineConfig, baseConfig, storePage, watchedContext, open, provoke,
  assertNothingRan, assertNoUncaught, assertOnlyExpectedRequests, assertPageWorks, trailmarkLines, collectorQuiet,
} from "./hostile-kit.mjs";

const TIMEOUT = { timeout: 60_000 };
let hostile;
before(async () => { hostile = await startHostile(); });
after(() => hostile?.stop());

/** Opens a store page (inline compiled config, the `ok` slot) with `init` run before any script. */
async function brokenPage(name, init, initArg) {
  const { collector } = hostile;
  hostile.write(name, storePage({ head: inlineConfig(baseConfig(collector)) }));
  const w = await watchedContext(hostile.browser, { init, initArg });
  await open(w.page, collector.store + name);
  return w;
}

/** Records `name` and leaves the page (to a page without Trailmark): what was queued leaves by beacon. */
async function trackAndLeave(page, name) {
  await page.evaluate((n) => window.trailmark.track(n, { left: true }), name);
  hostile.write("away.html", "<!doctype html><title>away</title>");
  await page.goto(hostile.collector.store + "away.html");
}

const delivered = (name) => hostile.collector.waitFor(`SELECT COUNT(*) AS n FROM events WHERE event='${name}'`, (r) => r[0].n > 0, 10_000)
  .then((r) => r[0].n);

// Each case: the breakage (an init script), how the probe event travels, and the uncaught
// errors the breakage itself causes in the page's own code (none of them Trailmark's).
const CASES = [
  {
    name: "fetch throws for every request (replaced before Trailmark loads)",
    init: () => { window.fetch = function () { throw new TypeError("fetch is blocked on this page"); }; },
    via: "beacon",
  },
  {
    name: "fetch never settles for the collector (a wrapper that swallows analytics requests)",
    init: () => {
      const real = window.fetch;
      window.fetch = function (url, init) { return String(url).includes("/v1/batch") ? new Promise(() => {}) : real.call(this, url, init); };
    },
    via: "beacon",
  },
  {
    name: "fetch resolves to something that is not a Response",
    init: () => {
      const real = window.fetch;
      window.fetch = function (url, init) {
        if (String(url).includes("/v1/batch")) return Promise.resolve({ status: "<script>", ok: "yes", headers: null, json: () => { throw 1; } });
        return real.call(this, url, init);
      };
    },
    via: "beacon",
  },
  {
    name: "JSON.parse throws",
    init: () => { JSON.parse = () => { throw new SyntaxError("JSON.parse is broken on this page"); }; },
    via: "fetch",
  },
  {
    name: "JSON.parse returns a Proxy whose every read throws",
    init: () => {
      const real = JSON.parse;
      JSON.parse = function (text) {
        real(text);
        return new Proxy({}, { get() { throw new Error("no"); }, ownKeys() { throw new Error("no"); }, getOwnPropertyDescriptor() { throw new Error("no"); } });
      };
    },
    via: "fetch",
  },
  {
    name: "Array.prototype.push throws",
    init: () => { Array.prototype.push = function () { throw new Error("push is broken on this page"); }; },
    via: "fetch",
  },
  {
    name: "navigator.sendBeacon throws",
    init: () => { Navigator.prototype.sendBeacon = function () { throw new TypeError("sendBeacon is blocked"); }; },
    via: "fetch",
    leave: "stored",
  },
  {
    name: "the localStorage getter throws",
    init: () => { Object.defineProperty(window, "localStorage", { configurable: true, get() { throw new DOMException("denied", "SecurityError"); } }); },
    via: "fetch",
  },
  {
    name: "scheduler.yield never settles (Trailmark yields to the page once while starting)",
    init: () => { Object.defineProperty(window, "scheduler", { configurable: true, value: { yield: () => new Promise(() => {}) } }); },
    via: "fetch",
  },
  {
    name: "a Temporal polyfill throws (Trailmark asks it for the time zone)",
    init: () => { window.Temporal = { Now: { timeZoneId() { throw new Error("Temporal is broken on this page"); } } }; },
    via: "fetch",
  },
  {
    name: "console.warn and console.error throw",
    init: () => { console.warn = console.error = () => { throw new Error("console is broken on this page"); }; },
    via: "fetch",
  },
  {
    name: "console.warn calls back into Trailmark (re-entrant)",
    init: () => {
      const real = console.warn;
      console.warn = function (...args) { try { window.trailmark.track("Warned", { text: String(args[0]).slice(0, 80) }); } catch (_) { /* no API yet */ } return real.apply(this, args); };
    },
    via: "fetch",
  },
];

for (const c of CASES) {
  test(`a page where ${c.name}: nothing runs, the page works, a slot renders, track() is delivered`, TIMEOUT, async (t) => {
    await collectorQuiet(hostile.collector);
    const file = "broken-" + CASES.indexOf(c) + ".html";
    const { context, page, watch } = await brokenPage(file, c.init);
    // The calls a page makes, with hostile arguments too: none may throw into the page.
    const threw = await page.evaluate(() => {
      const out = [];
      const tm = window.trailmark;
      for (const f of [
        () => tm.track("Broken Page", { a: [1, 2, { b: "<img src=x onerror=__hostile(0)>" }] }),
        () => tm.page({ title: "x" }),
        () => tm.identify("u-1", { name: "<script>__hostile(0)</script>" }),
        () => tm.addToCart({ product_id: "p", price: 100, currency: "USD" }),
        () => tm.push(["track", "Pushed", {}]),
        () => tm.profile(),
        () => tm.cart(),
        () => tm.decisions(),
        () => tm.render(),
        () => tm.consent({ analytics: "granted" }),
      ]) {
        try { f(); } catch (e) { out[out.length] = String(e); } // (a page may have broken push)
      }
      return out;
    });
    assert.deepEqual(threw, [], "no call threw into the page");
    await provoke(page);
    assertNothingRan(watch);
    if (c.via === "fetch") {
      await assertPageWorks(hostile.collector, page, c.name);
    } else {
      // Requests are what is broken: the page works, and the events leave by beacon with it.
      await page.click("#own");
      assert.equal(await page.textContent("#own"), "clicked 42");
      assert.equal(await page.textContent("#slot-ok"), "ok block", "a slot still renders");
    }
    assertNoUncaught(watch, [], c.name);
    const name = "Left " + CASES.indexOf(c);
    await trackAndLeave(page, name);
    if (c.leave === "stored") {
      // No beacon: the queue stayed stored; the next page of the site sends it.
      hostile.write("next.html", storePage({ head: inlineConfig(baseConfig(hostile.collector)) }));
      await open(page, hostile.collector.store + "next.html");
    }
    assert.equal(await delivered(name), 1, "the event recorded as the page went away was delivered");
    assertOnlyExpectedRequests(watch, hostile.collector, ["/" + file, "/away.html", "/next.html"]);
    t.diagnostic(`${c.name}: Trailmark said ${JSON.stringify([...new Set(trailmarkLines(watch))])}`);
    await context.close();
  });
}
