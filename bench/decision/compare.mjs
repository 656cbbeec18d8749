// This build against another build of Trailmark, side by side in one run: the same page, rules
// and visitor, each build from its own origin, runs interleaved. For changes whose effect is
// smaller than what a shared machine's load moves between two runs (track() costs, start-up):
// the ratio of interleaved medians is the figure to trust. Not part of scripts/test.
//
//   node bench/decision/compare.mjs BASE_PKG_DIR [--runs N] [--only track,ttd,trace]
//     BASE_PKG_DIR   the other build's pkg/ (e.g. `git worktree add ../base main`, then
//                    `scripts/build --no-check` there)
//     --runs N       rounds (default 5); each round measures both builds
import { collectorStats, launchBrowser, startCollector } from "../../tests/e2e/harness.mjs";
import { CONDITIONS } from "./conditions.mjs";
import { startBenchServer } from "./server.mjs";
import { trailmarkSite } from "./sites.mjs";
import { quantile, table } from "./stats.mjs";
import { codeBeforeDecision, longestCodeTask, traceColdVisit } from "./trace.mjs";
import { measureTrack } from "./track.mjs";
import { runTimeToDecision, ttdTable } from "./ttd.mjs";
import { primeVisitor } from "./visitor.mjs";

const args = process.argv.slice(2);
const basePkg = args[0];
if (!basePkg || basePkg.startsWith("--")) throw new Error("usage: node bench/decision/compare.mjs BASE_PKG_DIR [--runs N] [--only track,ttd,trace]");
let runs = 5;
let only = ["track", "ttd", "trace"];
for (let i = 1; i < args.length; i++) {
  if (args[i] === "--runs") runs = Number(args[++i]);
  else if (args[i] === "--only") only = args[++i].split(",");
  else throw new Error(`unknown option ${args[i]}`);
}

const median = (xs) => quantile(xs, 0.5);
const collector = await startCollector();
const sites = [
  { ...trailmarkSite(collector.collect), name: "this build", short: "trailmark" },
  { ...trailmarkSite(collector.collect, basePkg), name: "base", short: "trailmark-base" },
];
const servers = await Promise.all(sites.map((s) => startBenchServer(s.routes)));
const browser = await launchBrowser();
try {
  const libs = [];
  for (const [i, site] of sites.entries()) {
    libs.push({ site, origin: servers[i].origin, state: await primeVisitor(browser, servers[i].origin, "trailmark") });
  }
  if (only.includes("track")) {
    const got = libs.map(() => ({ p50: [], p99: [], deferred: [], decisions: [] }));
    for (let r = 0; r < runs; r++) {
      const order = r % 2 ? [1, 0] : [0, 1];
      for (const i of order) {
        const m = await measureTrack(browser, libs[i]);
        got[i].p50.push(m.p50);
        got[i].p99.push(m.p99);
        got[i].deferred.push(m.deferred);
        got[i].decisions.push(m.decisions.p50);
      }
      process.stderr.write(`[compare] track round ${r + 1}/${runs}\n`);
    }
    const row = (label, key) => {
      const [a, b] = got.map((g) => median(g[key]));
      return [label, a.toFixed(0), b.toFixed(0), (a / b).toFixed(2) + "x"];
    };
    console.log(`track(): medians of ${runs} interleaved runs of track.mjs (1,000 calls 3 ms apart each)`);
    console.log(table(["", "this build", "base", "ratio"], [
      row("track() p50, µs", "p50"), row("track() p99, µs", "p99"),
      row("deferred work, µs per event", "deferred"), row("decisions() p50, µs", "decisions"),
    ]) + "\n");
  }
  if (only.includes("ttd")) {
    const visits = await runTimeToDecision(browser, libs, { runs, conditions: CONDITIONS, log: (m) => process.stderr.write(`[compare] ${m}\n`) });
    console.log(ttdTable(visits, libs, CONDITIONS).text.replace(/<= [0-9.]+x \| (PASS|FAIL)/g, "") + "\n");
  }
  if (only.includes("trace")) {
    const longest = libs.map(() => []);
    const code = libs.map(() => ({ codeMs: [], lazyCount: [], lazyMs: [] }));
    for (let r = 0; r < runs; r++) {
      for (const i of r % 2 ? [1, 0] : [0, 1]) {
        const traced = await traceColdVisit(browser, libs[i]);
        longest[i].push(longestCodeTask(traced));
        for (const [k, v] of Object.entries(codeBeforeDecision(traced))) code[i][k].push(v);
      }
    }
    const [a, b] = longest.map(median);
    console.log(`start-up, cold at 4x CPU, longest task running script or wasm (ms), median of ${runs}: this build ${a.toFixed(1)}, base ${b.toFixed(1)}, ratio ${(a / b).toFixed(2)}x`);
    console.log(`  each run: this build ${longest[0].map((x) => x.toFixed(0)).join(", ")}; base ${longest[1].map((x) => x.toFixed(0)).join(", ")}`);
    for (const [k, label] of [["codeMs", "script and wasm work before the decision (ms)"], ["lazyCount", "wasm functions compiled lazily before it"], ["lazyMs", "their lazy compilation (ms, traced)"]]) {
      const [x, y] = code.map((c) => median(c[k]));
      console.log(`  ${label}: this build ${x.toFixed(0)}, base ${y.toFixed(0)}, ratio ${(x / y).toFixed(2)}x`);
    }
  }
  const stats = await collectorStats(collector);
  process.stderr.write(`[compare] collector: ${JSON.stringify(stats)}\n`);
} finally {
  await browser.close();
  for (const s of servers) s.close?.();
  collector.stop();
}
process.exit(0);
