// Development aid (not part of the benchmark's report): a CPU profile of the track() loop of
// track.mjs, self time aggregated by function. Build pkg/ with TRAILMARK_KEEP_NAMES=1 first so
// the module's functions have names.
//   node bench/decision/profile-track.mjs [calls]
import { launchBrowser, startCollector } from "../../tests/e2e/harness.mjs";
import { storeEvents } from "./events.mjs";
import { STORE_PATH } from "./rules.mjs";
import { startBenchServer } from "./server.mjs";
import { trailmarkSite } from "./sites.mjs";
import { primeVisitor } from "./visitor.mjs";
import { printProfile } from "./profile-print.mjs";

const calls = Number(process.argv[2] || 1000);
const collector = await startCollector();
const site = trailmarkSite(collector.collect);
const server = await startBenchServer(site.routes);
const browser = await launchBrowser();
try {
  const state = await primeVisitor(browser, server.origin, site.short);
  const context = await browser.newContext({ storageState: state });
  const page = await context.newPage();
  await page.goto(server.origin + STORE_PATH + "?isolated");
  await page.waitForFunction(() => !!(window.trailmark && window.trailmark.started));
  await page.evaluate(() => window.trailmark.started);
  const loop = ({ events, tail }) => new Promise((resolve) => {
    let i = 0;
    const step = () => {
      if (i === events.length) { setTimeout(resolve, tail); return; }
      const [name, props] = events[i++];
      window.trailmark.track(name, props);
      setTimeout(step, 3);
    };
    setTimeout(step, 3);
  });
  await page.evaluate(loop, { events: storeEvents(200), tail: 3000 });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
  await cdp.send("Profiler.start");
  await page.evaluate(loop, { events: storeEvents(calls), tail: 3000 });
  const { profile } = await cdp.send("Profiler.stop");
  printProfile(profile, calls, 45);
} finally {
  await browser.close();
  server.close?.();
  collector.stop?.();
}
process.exit(0);
