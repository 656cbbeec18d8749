// Development aid (not part of the benchmark's report): a CPU profile of a returning visitor's
// cold visit at 4x CPU, from navigation to `trailmark.started`, time aggregated by function
// (inclusive and self). Build pkg/ with TRAILMARK_KEEP_NAMES=1 first so the module's functions
// have names.
//   node bench/decision/profile-startup.mjs [rate]
import { launchBrowser, startCollector } from "../../tests/e2e/harness.mjs";
import { STORE_PATH } from "./rules.mjs";
import { startBenchServer } from "./server.mjs";
import { trailmarkSite } from "./sites.mjs";
import { primeVisitor } from "./visitor.mjs";
import { printProfile } from "./profile-print.mjs";

const rate = Number(process.argv[2] || 4);
const collector = await startCollector();
const site = trailmarkSite(collector.collect);
const server = await startBenchServer(site.routes);
const browser = await launchBrowser();
try {
  const state = await primeVisitor(browser, server.origin, site.short);
  const context = await browser.newContext({ storageState: state });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate });
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  await page.goto(server.origin + STORE_PATH);
  await page.waitForFunction(() => !!(window.trailmark && window.trailmark.started));
  await page.evaluate(() => window.trailmark.started);
  const { profile } = await cdp.send("Profiler.stop");
  printProfile(profile, 1, 50);
} finally {
  await browser.close();
  server.close?.();
  collector.stop?.();
}
process.exit(0);
