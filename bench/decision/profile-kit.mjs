// What the development aids profile-*.mjs share: the benchmark's Trailmark site with its primed
// returning visitor, and a CDP CPU profile printed as time per function, inclusive (every
// function on a sample's stack, once) and self, in ms of sampled time.
import { launchBrowser, startCollector } from "../../tests/e2e/harness.mjs";
import { startBenchServer } from "./server.mjs";
import { trailmarkSite } from "./sites.mjs";
import { primeVisitor } from "./visitor.mjs";

/**
 * Serves the Trailmark site, primes its returning visitor, and calls `run({ origin, context,
 * page })` with a fresh page in a context holding that visitor's storage; cleans up after.
 */
export async function withPrimedPage(run) {
  const collector = await startCollector();
  const site = trailmarkSite(collector.collect);
  const server = await startBenchServer(site.routes);
  const browser = await launchBrowser();
  try {
    const state = await primeVisitor(browser, server.origin, site.short);
    const context = await browser.newContext({ storageState: state });
    await run({ origin: server.origin, context, page: await context.newPage() });
  } finally {
    await browser.close();
    server.close?.();
    collector.stop?.();
  }
}
const keyOf = (f) => (f.functionName || "(anonymous)") + (f.url ? " " + f.url.split("/").pop() + ":" + f.lineNumber + ":" + f.columnNumber : "");
const clean = (k) => k.replace(/\[[0-9a-f]{16}\]/g, "").slice(0, 200);

/** Prints the top `top` functions of `profile`; `per` divides the totals (e.g. per call). */
export function printProfile(profile, per = 1, top = 40) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const incl = new Map();
  const self = new Map();
  // PROFILE_FOCUS=regex: only the samples whose stack has a frame matching it.
  const focus = process.env.PROFILE_FOCUS && new RegExp(process.env.PROFILE_FOCUS);
  const inFocus = (id) => { for (let x = id; x !== undefined; x = parent.get(x)) if (focus.test(keyOf(byId.get(x).callFrame))) return true; return false; };
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] || 0;
    if (focus && !inFocus(id)) return;
    const own = keyOf(byId.get(id).callFrame);
    self.set(own, (self.get(own) || 0) + dt);
    const seen = new Set();
    for (let x = id; x !== undefined; x = parent.get(x)) {
      const key = keyOf(byId.get(x).callFrame);
      if (!seen.has(key)) { seen.add(key); incl.set(key, (incl.get(key) || 0) + dt); }
    }
  });
  const busy = [...self].filter(([k]) => k !== "(idle)").reduce((t, [, v]) => t + v, 0);
  console.log(`non-idle sampled time ${(busy / 1000).toFixed(1)} ms` + (per > 1 ? ` (${(busy / per).toFixed(0)} µs per call over ${per})` : ""));
  const show = (title, m) => {
    console.log(title);
    for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log((v / 1000).toFixed(2).padStart(9), "ms ", clean(k));
  };
  show("inclusive:", incl);
  show("self:", self);
}
