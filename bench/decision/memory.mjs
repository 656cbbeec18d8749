// Trailmark's wasm memory after many events, found from outside the library (wasm-probe.mjs),
// at 1x and at 4x CPU: a cold visit as the primed visitor, then `events` track() calls, ten per
// task, then a pause in which deferred work (batches to the collector, stored queue) runs.
import { throttle } from "./conditions.mjs";
import { EVENT_MIX, storeEvents } from "./events.mjs";
import { STORE_PATH } from "./rules.mjs";
import { mib, table } from "./stats.mjs";
import { probeWasmMemory, wasmMemoryBytes } from "./wasm-probe.mjs";

export const TARGET_BYTES = 4 * 1048576;
const PER_TASK = 10;
const TAIL_MS = 3000;

// Runs in the page: the events, PER_TASK per task, then the tail.
function send({ events, perTask, tail }) {
  return new Promise((resolve) => {
    let i = 0;
    const step = () => {
      for (let k = 0; k < perTask && i < events.length; k++, i++) window.trailmark.track(events[i][0], events[i][1]);
      setTimeout(i < events.length ? step : resolve, i < events.length ? 0 : tail);
    };
    step();
  });
}

export async function measureMemory(browser, { origin, state }, cpu, { events = 10_000 } = {}) {
  const context = await browser.newContext({ storageState: state });
  try {
    await context.addInitScript(probeWasmMemory);
    const page = await context.newPage();
    await throttle(page, { network: null, cpu });
    await page.goto(origin + STORE_PATH);
    await page.waitForFunction(() => !!(window.trailmark && window.trailmark.started));
    await page.evaluate(() => window.trailmark.started);
    const start = await page.evaluate(wasmMemoryBytes);
    if (!start) throw new Error("no WebAssembly memory found on the page");
    await page.evaluate(send, { events: storeEvents(events), perTask: PER_TASK, tail: TAIL_MS });
    return { cpu, events, start, end: await page.evaluate(wasmMemoryBytes) };
  } finally {
    await context.close();
  }
}

export function memoryReport(results) {
  const rows = results.map((r) => [`${r.cpu}x CPU`, mib(r.start), mib(r.end), `<= ${mib(TARGET_BYTES)}`, r.end <= TARGET_BYTES ? "PASS" : "FAIL"]);
  return {
    pass: results.every((r) => r.end <= TARGET_BYTES),
    text: [`wasm memory (MiB) after ${results[0].events.toLocaleString("en-US")} events, ${PER_TASK} per task (${EVENT_MIX})`,
      table(["", "after start", "after the events", "target", "verdict"], rows)].join("\n"),
  };
}
