// Registers cross-engine cases: every case of a file runs once per engine, as a node:test
// subtest of a suite named after the engine (`chromium`, `firefox`, `webkit`), so the TAP
// output (and scripts/test's per-engine table) says which engine passed what. Engines run one
// after the other, each in one browser session shared by its cases.
//
//   engineSuite((test) => {
//     test("the hero renders", async ({ tab, store }) => {
//       const shop = await store();
//       await tab.open(shop.url("/"));
//       ...
//     });
//   });
//
// What a case gets:
// - `engine`: the engine's name, for the few expectations that differ by engine (each one
//   documented where it is asserted);
// - `browser`: the engine's browser (`newTab()`, `version`);
// - `tab`: its first tab, blank;
// - `t`: node:test's context (`t.diagnostic(...)` notes what an engine did differently);
// - `store(options)`: a fresh store for this case: the real collector (its own SQLite file)
//   and the site in front of it on a new origin (see site.mjs for `config` and `cspHeader`).
//   Returns `{ collector, site, url(path), restartCollector() }`. Everything is stopped after
//   the case.
import { describe, it, before, after, afterEach } from "node:test";
import { rmSync } from "node:fs";
import { dirname } from "node:path";
import { startCollector } from "../e2e/harness.mjs";
import { launch } from "./browser.mjs";
import { selectedEngines } from "./engines.mjs";
import { startSite } from "./site.mjs";

/** Time limit of one case in one engine. */
const CASE_MS = 90_000;

export function engineSuite(register) {
  for (const name of selectedEngines()) {
    describe(name, () => {
      let browser;
      let cleanups = [];
      before(async () => {
        browser = await launch(name);
        console.log(`${name}: ${browser.version}`);
      }, { timeout: 120_000 });
      after(async () => { await browser?.quit(); });
      afterEach(async () => {
        // The tabs first (their pagehide beacons go to this case's collector), then the servers.
        try {
          await browser?.reset();
        } finally {
          for (const stop of cleanups.splice(0).reverse()) await stop();
        }
      });

      const store = async (options = {}) => {
        const shop = await openStore(browser, options);
        cleanups.push(() => shop.stop());
        return shop;
      };
      register((title, fn) => it(title, { timeout: CASE_MS }, (t) =>
        fn({ engine: name, browser, tab: browser.firstTab(), store, t })));
    });
  }
}

/** Stops a collector and removes its temporary directory (its SQLite file). */
function discard(collector) {
  collector.stop();
  rmSync(dirname(collector.db), { recursive: true, force: true });
}

async function openStore(browser, options) {
  let collector = await startCollector();
  const site = await startSite(collector.store, { hook: !browser.bidi, ...options });
  const shop = {
    get collector() { return collector; },
    site,
    url: site.url,
    /**
     * Stops the collector and starts a fresh one (a new, empty SQLite file) on the same ports:
     * whatever it receives afterwards was sent after the restart. The store stays reachable
     * through the same origin.
     */
    async restartCollector() {
      const ports = ["--site-port", new URL(collector.store).port, "--collect-port", new URL(collector.collectOrigin).port];
      discard(collector);
      // The old process may hold its ports for a moment after SIGTERM.
      const until = Date.now() + 10_000;
      for (;;) {
        try {
          collector = await startCollector(ports);
          return collector;
        } catch (e) {
          if (Date.now() > until) throw e;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
    async stop() {
      await site.stop();
      discard(collector);
    },
  };
  return shop;
}
