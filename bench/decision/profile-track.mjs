// Development aid (not part of the benchmark's report): a CPU profile of the track() loop of
// track.mjs (calls 3 ms apart after a warm-up), time aggregated by function (inclusive and
// self). Build pkg/ with TRAILMARK_KEEP_NAMES=1 first so the module's functions have names.
//   node bench/decision/profile-track.mjs [calls]
import { storeEvents } from "./events.mjs";
import { printProfile, withPrimedPage } from "./profile-kit.mjs";
import { STORE_PATH } from "./rules.mjs";

const calls = Number(process.argv[2] || 1000);
await withPrimedPage(async ({ origin, context, page }) => {
  await page.goto(origin + STORE_PATH + "?isolated");
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
});
process.exit(0);
