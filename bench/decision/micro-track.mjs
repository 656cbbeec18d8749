// Development aid (not part of the benchmark's report): what one synchronous track() call costs,
// in a tight loop of `calls` calls (the deferred work runs after the loop), against the same loop
// calling an empty function, in the primed page. Medians of `rounds` loops, µs per call.
//   node bench/decision/micro-track.mjs [calls] [rounds]
import { storeEvents } from "./events.mjs";
import { withPrimedPage } from "./profile-kit.mjs";
import { STORE_PATH } from "./rules.mjs";

const calls = Number(process.argv[2] || 2000);
const rounds = Number(process.argv[3] || 9);
await withPrimedPage(async ({ origin, page }) => {
  await page.goto(origin + STORE_PATH + "?isolated");
  await page.waitForFunction(() => !!(window.trailmark && window.trailmark.started));
  await page.evaluate(() => window.trailmark.started);
  const events = storeEvents(calls);
  const once = (what) => page.evaluate(async ({ events, what }) => {
    const noop = () => {};
    const tm = window.trailmark;
    const t0 = performance.now();
    for (const [name, props] of events) {
      if (what === "track") tm.track(name, props);
      else if (what === "bare") tm.track(name);
      else noop(name, props);
    }
    const us = ((performance.now() - t0) * 1000) / events.length;
    await new Promise((r) => setTimeout(r, 3000)); // the deferred work, off the clock
    return us;
  }, { events, what });
  const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const out = { track: [], bare: [], loop: [] };
  for (let i = 0; i < rounds; i++) for (const what of Object.keys(out)) out[what].push(await once(what));
  for (const [what, xs] of Object.entries(out)) console.log(what.padEnd(6), med(xs).toFixed(2), "µs per call");
});
process.exit(0);
