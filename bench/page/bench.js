// Runs in one headless Chromium page: Trailmark's wasm engine against GrowthBook's JS
// evalCondition on the same 50 conditions and the same profile, event by event.
import init, { Bench } from "/pkg/trailmark_core.js";
import { evalCondition } from "/pkg/growthbook.js";
import { conditions, profile, events, TEMPLATES } from "./rules.js";

const EVENTS = 20_000;
const RUNS = 7;

function time(fn) {
  const t0 = performance.now();
  const checksum = fn();
  return { ms: performance.now() - t0, checksum };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

window.runBench = async () => {
  await init();
  // As shipped: a config's conditions in one set, identical tests shared. The control shares
  // nothing but attribute paths, to show what sharing is worth on this config.
  // Each engine returns, per event, a fingerprint of its 50 answers in rule order (FNV-1a
  // over one 0/1 per rule); the sums must be equal, so every answer must be.
  const runs = (engine) => () => {
    let sum = 0;
    for (let i = 0; i < EVENTS; i++) sum = (sum + engine.event(events[i % events.length])) >>> 0;
    return sum;
  };
  const runWasm = runs(new Bench(conditions, profile, true));
  const runUnshared = runs(new Bench(conditions, profile, false));
  const attrs = structuredClone(profile);
  const runGrowthBook = () => {
    let sum = 0;
    for (let i = 0; i < EVENTS; i++) {
      attrs.lastEvent = events[i % events.length];
      let h = 0x811c9dc5;
      for (let r = 0; r < conditions.length; r++) {
        h = Math.imul(h ^ (evalCondition(attrs, conditions[r]) ? 1 : 0), 0x01000193) >>> 0;
      }
      sum = (sum + h) >>> 0;
    }
    return sum;
  };
  // Warm all up (JIT tiers, wasm tier-up), then alternate timed runs.
  for (let k = 0; k < 2; k++) { runWasm(); runUnshared(); runGrowthBook(); }
  const w = [], u = [], g = [];
  let wc = 0, uc = 0, gc = 0;
  for (let r = 0; r < RUNS; r++) {
    const a = time(runWasm); w.push(a.ms); wc = a.checksum;
    const c = time(runUnshared); u.push(c.ms); uc = c.checksum;
    const b = time(runGrowthBook); g.push(b.ms); gc = b.checksum;
  }
  const nsPerEvent = (ms) => (ms * 1e6) / EVENTS;
  return {
    events: EVENTS, rules: conditions.length, runs: RUNS,
    agree: wc === gc && uc === gc, sumWasm: wc, sumUnshared: uc, sumGrowthBook: gc,
    wasmNsPerEvent: nsPerEvent(median(w)), unsharedNsPerEvent: nsPerEvent(median(u)),
    growthbookNsPerEvent: nsPerEvent(median(g)),
  };
};

// Where the time goes: each template's 5 rules alone, and no rules at all (the crossing and the
// profile update), per event, for both engines.
window.runBreakdown = async () => {
  await init();
  const rows = [];
  for (let t = -1; t < TEMPLATES; t++) {
    const subset = t < 0 ? [] : conditions.filter((_, i) => i % TEMPLATES === t);
    const wasm = new Bench(subset, profile, true);
    const attrs = structuredClone(profile);
    const runWasm = () => {
      let matched = 0;
      for (let i = 0; i < EVENTS; i++) matched += wasm.event(events[i % events.length]);
      return matched;
    };
    const runGrowthBook = () => {
      let matched = 0;
      for (let i = 0; i < EVENTS; i++) {
        attrs.lastEvent = events[i % events.length];
        for (let r = 0; r < subset.length; r++) if (evalCondition(attrs, subset[r])) matched++;
      }
      return matched;
    };
    runWasm(); runGrowthBook();
    const w = [], g = [];
    for (let r = 0; r < RUNS; r++) { w.push(time(runWasm).ms); g.push(time(runGrowthBook).ms); }
    rows.push({ template: t, rules: subset.length, wasm: (median(w) * 1e6) / EVENTS, growthbook: (median(g) * 1e6) / EVENTS });
  }
  return rows;
};
