// Drives bench/page in headless Chromium against the bench build in target/bench-pkg and prints
// figures and the ratios. Not a test: it asserts only that the engines agree on every answer.
import { launchBrowser, startCollectorWith } from "./serve.mjs";

const server = await startCollectorWith("bench/page", "target/bench-pkg");
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.goto(server.store);
  await page.waitForFunction(() => typeof window.runBench === "function");
  const r = await page.evaluate(() => window.runBench());
  const version = await page.evaluate(() => navigator.userAgent.match(/Chrome\/(\S+)/)?.[1]);
  const f = (n) => n.toFixed(0).padStart(8);
  console.log(`Chromium ${version}, headless; ${r.rules} rules x ${r.events} events, median of ${r.runs} runs`);
  const x = (ns) => (r.growthbookNsPerEvent / ns).toFixed(1);
  console.log(`engine                                ns/event   ns/rule   vs GrowthBook`);
  console.log(`Trailmark (wasm, 1 crossing)          ${f(r.wasmNsPerEvent)}  ${f(r.wasmNsPerEvent / r.rules)}   ${x(r.wasmNsPerEvent)}x`);
  console.log(`  control: identical tests not shared ${f(r.unsharedNsPerEvent)}  ${f(r.unsharedNsPerEvent / r.rules)}   ${x(r.unsharedNsPerEvent)}x`);
  console.log(`GrowthBook evalCondition (JS)         ${f(r.growthbookNsPerEvent)}  ${f(r.growthbookNsPerEvent / r.rules)}`);
  console.log(`ratio: Trailmark is ${x(r.wasmNsPerEvent)}x GrowthBook per event`);
  const hex = (n) => n.toString(16).padStart(8, "0");
  console.log(`agreement on every answer: ${r.agree ? "yes" : "NO"} (answer fingerprints ${hex(r.sumWasm)}, control ${hex(r.sumUnshared)}, GrowthBook ${hex(r.sumGrowthBook)})`);
  if (!r.agree) process.exitCode = 1;
  if (process.argv.includes("--breakdown")) {
    console.log(`\nbreakdown, ns per event (template -1: no rules, the crossing and profile update)`);
    console.log(`template  rules      wasm  growthbook`);
    for (const row of await page.evaluate(() => window.runBreakdown())) {
      console.log(`${String(row.template).padStart(8)} ${String(row.rules).padStart(6)} ${f(row.wasm)}  ${f(row.growthbook)}`);
    }
  }
} finally {
  await browser.close();
  server.stop();
}
