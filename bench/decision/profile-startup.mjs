// Development aid (not part of the benchmark's report): a CPU profile of a returning visitor's
// cold visit at 4x CPU, from navigation to `trailmark.started`, time aggregated by function
// (inclusive and self). Build pkg/ with TRAILMARK_KEEP_NAMES=1 first so the module's functions
// have names.
//   node bench/decision/profile-startup.mjs [rate]
import { printProfile, withPrimedPage } from "./profile-kit.mjs";
import { STORE_PATH } from "./rules.mjs";

const rate = Number(process.argv[2] || 4);
await withPrimedPage(async ({ origin, context, page }) => {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate });
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 100 });
  await cdp.send("Profiler.start");
  await page.goto(origin + STORE_PATH);
  await page.waitForFunction(() => !!(window.trailmark && window.trailmark.started));
  await page.evaluate(() => window.trailmark.started);
  const { profile } = await cdp.send("Profiler.stop");
  printProfile(profile, 1, 50);
});
process.exit(0);
