// The cost of trailmark.track() on the page's main thread, in a cross-origin-isolated page
// (COOP + COEP: performance.now() has 5 µs resolution there instead of 100 µs).
//
// Synchronous cost: after a warm-up, `calls` track() calls spaced a few ms apart (setTimeout),
// each timed with performance.now() around the call: p50, p99, max.
// Deferred cost: the main thread's total task time (CDP Performance.getMetrics TaskDuration)
// over the window of those calls plus a tail in which the deferred work (batches, stored
// queue and profile, decisions) happens, minus the same for an identical window whose loop
// calls nothing (the mean of one before and one after), minus the synchronous call time;
// divided by the number of calls.
import { EVENT_MIX, storeEvents } from "./events.mjs";
import { STORE_PATH } from "./rules.mjs";
import { int, quantile, table } from "./stats.mjs";

export const TARGETS = { p50: 15, p99: 50, deferred: 50 }; // µs per call / per event
const SPACING_MS = 3;
const TAIL_MS = 3000; // longer than Trailmark's 2 s batch interval and 1 s storage write delay

// Runs in the page: `events.length` iterations spaced SPACING_MS apart, each calling `call`
// ("track"; "none" for the idle window; "render" or "decisions" for the diagnostics), then
// waits the tail. Returns each call's µs.
function loop({ events, call, spacing, tail }) {
  return new Promise((resolve) => {
    const us = [];
    let i = 0;
    const step = () => {
      if (i === events.length) { setTimeout(() => resolve(us), tail); return; }
      const [name, props] = events[i++];
      const t0 = performance.now();
      if (call === "track") window.trailmark.track(name, props);
      else if (call === "stringify") JSON.stringify(props);
      else if (call !== "none") window.trailmark[call]();
      us.push((performance.now() - t0) * 1000);
      setTimeout(step, spacing);
    };
    setTimeout(step, spacing);
  });
}

export async function measureTrack(browser, { origin, state }, { calls = 1000, warmup = 200 } = {}) {
  const context = await browser.newContext({ storageState: state });
  try {
    const page = await context.newPage();
    await page.goto(origin + STORE_PATH + "?isolated");
    const isolated = await page.evaluate(() => self.crossOriginIsolated);
    if (!isolated) throw new Error("the track() page is not cross-origin isolated: timings would be 100 µs coarse");
    await page.waitForFunction(() => !!(window.trailmark && window.trailmark.started));
    await page.evaluate(() => window.trailmark.started);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const taskSeconds = async () => (await cdp.send("Performance.getMetrics")).metrics.find((m) => m.name === "TaskDuration").value;
    const events = storeEvents(calls);
    const measureWindow = async (call) => {
      const before = await taskSeconds();
      const us = await page.evaluate(loop, { events, call, spacing: SPACING_MS, tail: TAIL_MS });
      return { us, taskUs: ((await taskSeconds()) - before) * 1e6 };
    };
    await page.evaluate(loop, { events: storeEvents(warmup), call: "track", spacing: SPACING_MS, tail: TAIL_MS });
    const idle1 = await measureWindow("none");
    const busy = await measureWindow("track");
    const idle2 = await measureWindow("none");
    const syncUs = busy.us.reduce((a, b) => a + b, 0);
    const idleUs = (idle1.taskUs + idle2.taskUs) / 2;
    // Diagnostics, not targets: track() decides the slots again after every event; what that
    // costs alone: render() (rules evaluated, slots checked, already showing their blocks) and
    // decisions() (rules evaluated, no DOM).
    const diag = async (call) => {
      const us = await page.evaluate(loop, { events: events.slice(0, 200), call, spacing: SPACING_MS, tail: 0 });
      return { p50: quantile(us, 0.5), p99: quantile(us, 0.99) };
    };
    const render = await diag("render");
    const decisions = await diag("decisions");
    // The machine's floor for a call spaced like these: the first code in a task after a few
    // idle milliseconds runs far slower than the same code in a hot loop (caches, a virtual
    // CPU's wake-up), so a trivial call already costs tens of µs on a shared host.
    const stringify = await diag("stringify");
    const byName = {};
    events.forEach(([name], i) => (byName[name] = byName[name] || []).push(busy.us[i]));
    return {
      calls,
      p50: quantile(busy.us, 0.5), p99: quantile(busy.us, 0.99), max: Math.max(...busy.us),
      mean: syncUs / calls,
      deferred: (busy.taskUs - idleUs - syncUs) / calls,
      render, decisions, stringify,
      byName: Object.entries(byName).map(([name, us]) => ({ name, n: us.length, p50: quantile(us, 0.5), p99: quantile(us, 0.99) })),
      windowMs: { busy: busy.taskUs / 1000, idle1: idle1.taskUs / 1000, idle2: idle2.taskUs / 1000 },
    };
  } finally {
    await context.close();
  }
}

export function trackReport(r) {
  const verdict = (v, limit) => (v <= limit ? "PASS" : "FAIL");
  const rows = [
    ["track() p50, µs per call", r.p50.toFixed(0), `<= ${TARGETS.p50}`, verdict(r.p50, TARGETS.p50)],
    ["track() p99, µs per call", r.p99.toFixed(0), `<= ${TARGETS.p99}`, verdict(r.p99, TARGETS.p99)],
    ["track() max, µs per call", r.max.toFixed(0), "", ""],
    ["track() mean, µs per call", r.mean.toFixed(1), "", ""],
    ["deferred main-thread work, µs per event", r.deferred.toFixed(0), `<= ${TARGETS.deferred}`, verdict(r.deferred, TARGETS.deferred)],
  ];
  return {
    pass: r.p50 <= TARGETS.p50 && r.p99 <= TARGETS.p99 && r.deferred <= TARGETS.deferred,
    text: [
      `track(): ${r.calls} calls ${SPACING_MS} ms apart after a warm-up, cross-origin-isolated page, 1x CPU (${EVENT_MIX})`,
      table(["", "measured", "target", "verdict"], rows),
      `  by event: ${r.byName.map((e) => `${e.name} p50 ${e.p50.toFixed(0)} / p99 ${e.p99.toFixed(0)} µs (${e.n})`).join("; ")}`,
      `  for comparison (track() decides the slots again after each event): render() p50 ${r.render.p50.toFixed(0)} / p99 ${r.render.p99.toFixed(0)} µs, ` +
        `decisions() (no DOM) p50 ${r.decisions.p50.toFixed(0)} / p99 ${r.decisions.p99.toFixed(0)} µs`,
      `  the machine's floor for a call spaced so: JSON.stringify of the same properties p50 ${r.stringify.p50.toFixed(0)} / p99 ${r.stringify.p99.toFixed(0)} µs`,
      `  main-thread task time: ${int(r.windowMs.busy)} ms with the calls, ${int(r.windowMs.idle1)} / ${int(r.windowMs.idle2)} ms in the idle windows before / after (each window: the loop plus a ${TAIL_MS / 1000} s tail)`,
    ].join("\n"),
  };
}
