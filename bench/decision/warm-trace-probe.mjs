// Development aid: how many wasm functions a warm visit still compiles lazily (V8's compiled-code
// cache for the module either serves them or not), against the cold visit before it.
//   node bench/decision/warm-trace-probe.mjs [dwell_ms]
import { launchBrowser, startCollector } from "../../tests/e2e/harness.mjs";
import { throttle } from "./conditions.mjs";
import { recordDecisions } from "./decision-observer.mjs";
import { STORE_PATH, SLOTS } from "./rules.mjs";
import { startBenchServer } from "./server.mjs";
import { trailmarkSite } from "./sites.mjs";
import { untilDecided } from "./visit.mjs";
import { primeVisitor } from "./visitor.mjs";

const dwell = Number(process.argv[2] || 1000);
const collector = await startCollector();
const server = await startBenchServer(trailmarkSite(collector.collect).routes);
const browser = await launchBrowser();
try {
  const state = await primeVisitor(browser, server.origin, "trailmark");
  const context = await browser.newContext({ storageState: state });
  await context.addInitScript(recordDecisions, SLOTS.length);
  const page = await context.newPage();
  await throttle(page, { network: null, cpu: 4 });
  for (const visit of ["cold", "warm"]) {
    await browser.startTracing(page, { categories: ["devtools.timeline", "v8.wasm", "disabled-by-default-v8.wasm.detailed"] });
    await untilDecided(page, server.origin + STORE_PATH);
    const buffer = await browser.stopTracing();
    const events = JSON.parse(buffer.toString()).traceEvents;
    const count = (name) => events.filter((e) => e.name === name).length;
    const ms = (name) => events.filter((e) => e.name === name).reduce((s, e) => s + (e.dur || 0) / 1000, 0);
    const names = [...new Set(events.filter((e) => /wasm/i.test(e.name) && !/Lazy|Baseline|AddCompiled|PublishCode/.test(e.name)).map((e) => e.name))];
    console.log(`${visit}: CompileLazy ${count("wasm.CompileLazy")} (${ms("wasm.CompileLazy").toFixed(1)} ms); other wasm events: ${names.join(", ")}`);
    await page.waitForLoadState("load");
    await page.waitForTimeout(dwell);
  }
} finally {
  await browser.close();
  server.close?.();
  collector.stop();
}
process.exit(0);
