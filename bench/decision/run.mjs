// Time-to-decision benchmark of issue 13: Trailmark (installed as the README says first) against
// GrowthBook's script-tag SDK deciding the same 3 slots with the same 10 rules, in headless
// Chromium, each library from its own brotli-serving origin. Prints every figure with the peer
// measured in the same run and the ratio, then a markdown summary (also written to
// target/bench-decision.md). Not a test: it fails (exit 1) only when the harness cannot
// measure, e.g. when the libraries do not show the expected blocks.
//
//   node bench/decision/run.mjs [--runs N] [--quick] [--smoke] [--only ttd,cls,bytes,trace,track,memory]
//     --runs N   visit pairs per library and condition (default 15)
//     --quick    3 runs (development)
//     --smoke    checks the harness works: 1 run, no throttling only, short track() and memory loops
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { collectorStats, launchBrowser, startCollector } from "../../tests/e2e/harness.mjs";
import { bytesReport, firstVisitBytes } from "./bytes.mjs";
import { clsBaseline, clsReport, clsRows, runCls } from "./cls.mjs";
import { CONDITIONS } from "./conditions.mjs";
import { measureMemory, memoryReport } from "./memory.mjs";
import { startBenchServer } from "./server.mjs";
import { growthbookSite, growthbookVersion, trailmarkSite } from "./sites.mjs";
import { summaryMarkdown } from "./summary.mjs";
import { traceColdVisit, traceReport } from "./trace.mjs";
import { measureTrack, trackReport } from "./track.mjs";
import { chainTable, runTimeToDecision, ttdTable } from "./ttd.mjs";
import { primeVisitor } from "./visitor.mjs";

const BYTES_TARGET = 50_000;
const SECTIONS = ["bytes", "ttd", "cls", "trace", "track", "memory"];

function options(argv) {
  const o = { runs: 15, smoke: false, only: SECTIONS };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runs") o.runs = Number(argv[++i]);
    else if (a === "--quick") o.runs = 3;
    else if (a === "--smoke") o.smoke = true;
    else if (a === "--only") o.only = argv[++i].split(",");
    else throw new Error(`unknown option ${a}; see the top of bench/decision/run.mjs`);
  }
  if (o.smoke) o.runs = 1;
  if (!(o.runs >= 1)) throw new Error("--runs needs a positive number");
  for (const s of o.only) if (!SECTIONS.includes(s)) throw new Error(`unknown section ${s}; one of ${SECTIONS.join(",")}`);
  return o;
}

const progress = (m) => process.stderr.write(`[bench-decision] ${m}\n`);
const out = (text) => console.log(text + "\n");
const load = () => loadavg().map((x) => x.toFixed(2)).join(", ");
const git = (...args) => { try { return execFileSync("git", args, { encoding: "utf8" }).trim(); } catch (_) { return "?"; } };

const o = options(process.argv.slice(2));
const loadBefore = load();
const conditions = o.smoke ? CONDITIONS.slice(0, 1) : CONDITIONS;
const collector = await startCollector();
const sites = [trailmarkSite(collector.collect), growthbookSite()];
const servers = await Promise.all(sites.map((s) => startBenchServer(s.routes)));
const browser = await launchBrowser();
const results = { conditions };
try {
  progress(`load average at start (1, 5, 15 min): ${loadBefore} on ${cpus().length} cores`);
  const libs = [];
  for (const [i, site] of sites.entries()) {
    libs.push({ site, origin: servers[i].origin, state: await primeVisitor(browser, servers[i].origin, site.short) });
  }
  results.libs = libs;
  const [trailmark] = libs;

  if (o.only.includes("bytes")) {
    progress("bytes of a first visit");
    results.bytes = [];
    for (const l of libs) results.bytes.push(await firstVisitBytes(browser, l));
    out(bytesReport(results.bytes, libs, BYTES_TARGET).text);
  }
  if (o.only.includes("ttd")) {
    progress(`time to decision: ${o.runs} run(s) x ${conditions.length} condition(s) x 2 libraries, cold + warm`);
    results.visits = await runTimeToDecision(browser, libs, { runs: o.runs, conditions, log: progress });
    out(ttdTable(results.visits, libs, conditions).text);
    out("blocks shown: the expected ones on every visit, same text for both libraries (checked)");
    for (const l of libs) out(chainTable(results.visits, l, conditions));
  }
  if (o.only.includes("cls")) {
    progress(`layout shift (CLS page): ${o.runs} run(s) x ${conditions.length} condition(s) x ${clsRows(libs).length} pages, cold + warm`);
    const baseline = await clsBaseline(browser, trailmark);
    results.cls = await runCls(browser, libs, { runs: o.runs, conditions, log: progress });
    out(clsReport(results.cls, libs, conditions, baseline));
  }
  if (o.only.includes("trace")) {
    progress("start-up traces at 4x CPU");
    results.traces = [];
    for (const l of libs) {
      const report = traceReport(l, await traceColdVisit(browser, l));
      results.traces.push(report);
      out(report.text);
    }
  }
  if (o.only.includes("track")) {
    progress("track() cost");
    results.track = await measureTrack(browser, trailmark, o.smoke ? { calls: 100, warmup: 20 } : {});
    out(trackReport(results.track).text);
  }
  if (o.only.includes("memory")) {
    progress("wasm memory");
    results.memory = [];
    for (const cpu of o.smoke ? [1] : [1, 4]) results.memory.push(await measureMemory(browser, trailmark, cpu, o.smoke ? { events: 1000 } : {}));
    out(memoryReport(results.memory).text);
  }

  // Trailmark's events went somewhere real: the repository's collector on loopback.
  const stats = await collectorStats(collector);
  out(`collector (the repository's, on loopback): ${stats.events} Trailmark events stored in ${stats.batches} batches from ${stats.requests} requests`);

  const dirty = git("status", "--porcelain", "--", "src", "js", "Cargo.toml", "Cargo.lock") ? " + uncommitted changes" : "";
  results.bytesTarget = BYTES_TARGET;
  // The build measured: the last commit that changed what goes into pkg/.
  const build = git("log", "-1", "--format=%h", "--", "src", "js", "Cargo.toml", "Cargo.lock", "scripts/build");
  results.header = `Measured ${new Date().toISOString().slice(0, 10)}, Trailmark build ${build}${dirty}, ` +
    `Chromium ${browser.version()} headless, GrowthBook ${growthbookVersion()} auto.min.js; ${cpus().length} cores, ` +
    `load average (1, 5, 15 min) ${loadBefore} at start, ${load()} at end${o.smoke ? "; SMOKE RUN (not a measurement)" : ""}.`;
  const md = summaryMarkdown(results);
  mkdirSync("target", { recursive: true });
  writeFileSync("target/bench-decision.md", md + "\n");
  out("summary (also in target/bench-decision.md):\n\n" + md);
} catch (e) {
  process.exitCode = 1;
  console.error(e);
} finally {
  await browser.close();
  for (const s of servers) await s.close();
  collector.stop();
}
