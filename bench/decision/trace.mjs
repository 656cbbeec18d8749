// Start-up trace: a Chrome trace (DevTools timeline, V8 compile, wasm categories) of a cold
// visit at 4x CPU (no network throttling), for each library. It reports the page's main-thread
// tasks from navigation start until a second after the decision: the longest one and what it
// is made of, how many are over 50 ms, and where all their time went. The trace is saved
// under target/ for chrome://tracing or the DevTools Performance panel.
import { writeFileSync } from "node:fs";
import { throttle } from "./conditions.mjs";
import { recordDecisions } from "./decision-observer.mjs";
import { SLOTS, STORE_PATH } from "./rules.mjs";
import { int, table } from "./stats.mjs";
import { untilDecided } from "./visit.mjs";

const CATEGORIES = [
  "devtools.timeline", "disabled-by-default-devtools.timeline", "toplevel", "loading", "blink.user_timing",
  "v8", "v8.execute", "disabled-by-default-v8.compile", "disabled-by-default-v8.gc", "v8.wasm", "disabled-by-default-v8.wasm.detailed",
];
export const LONG_TASK_MS = 50;
const AFTER_DECISION_MS = 1000;

// What a slice of main-thread time is, by the innermost trace event that says so.
const KINDS = [
  ["wasm instantiate", (e) => /Instantiate|InstanceBuilder/.test(e.name)],
  ["wasm compile", (e) => /^(wasm\.|v8\.wasm\.)/.test(e.name)],
  ["JS parse and compile", (e) => /^(V8\.(Compile|Parse|PreParse|CollectSourcePositions|OffThreadFinalization|StreamingFinalization|Maglev)|v8\.compile|v8\.produceCache|DocumentModuleScriptFetcher)/.test(e.name)],
  ["garbage collection", (e) => /GC|Scavenge|MarkCompact|MinorMS/.test(e.name)],
  ["style, layout, paint", (e) => /^(UpdateLayoutTree|Layout|Paint|PrePaint|Layerize|Commit|UpdateLayer|RecalculateStyles|HitTest)$/.test(e.name)],
  ["HTML parsing", (e) => e.name === "ParseHTML"],
  ["bench's decision observer", (e) => e.name === "FunctionCall" && e.args?.data?.functionName === "check" && !e.args.data.url],
  ["script execution (JS and wasm)", (e) => /^(EvaluateScript|v8\.run|v8\.callFunction|FunctionCall|RunMicrotasks|v8\.evaluateModule|TimerFire|EventDispatch|FireAnimationFrame|XHRLoad)$/.test(e.name)],
];
const OTHER = "other (navigation commit, loading, IPC)";
// A task runs the library's code when at least this much of it is script or wasm work (the
// pages run no other script than the library's and the bench's small observer). The page's
// own tasks (navigation commit, first layout) can be long on a slow or busy machine with no
// library at all: they are listed, but the verdict is about the library's tasks.
const CODE_KINDS = ["script execution (JS and wasm)", "JS parse and compile", "wasm compile", "wasm instantiate"];
const CODE_MS = 5;
const codeMs = (task) => CODE_KINDS.reduce((sum, k) => sum + (task.kinds[k] || 0), 0);

/** Records a cold visit of `origin` at 4x CPU; returns the parsed trace and its path. */
export async function traceColdVisit(browser, { origin, state, site }) {
  const context = await browser.newContext({ storageState: state });
  try {
    await context.addInitScript(recordDecisions, SLOTS.length);
    const page = await context.newPage();
    await throttle(page, { network: null, cpu: 4 });
    await browser.startTracing(page, { categories: CATEGORIES });
    let buffer;
    try {
      await untilDecided(page, origin + STORE_PATH);
      await page.waitForTimeout(AFTER_DECISION_MS + 200);
    } finally {
      buffer = await browser.stopTracing();
    }
    const decidedAt = await page.evaluate(() => window.__ttd.decidedAt);
    const path = `target/bench-decision-trace-${site.short}.json`;
    writeFileSync(path, buffer);
    return { trace: JSON.parse(buffer.toString()), path, decidedAt, url: origin + STORE_PATH };
  } finally {
    await context.close();
  }
}

/** The main-thread tasks of the page's renderer from navigation start, each with its breakdown. */
export function mainThreadTasks({ trace, url, decidedAt }) {
  const events = trace.traceEvents || trace;
  const nav = events.find((e) => e.name === "navigationStart" && e.args?.data?.documentLoaderURL === url);
  if (!nav) throw new Error("the trace has no navigationStart for " + url);
  const t0 = nav.ts;
  const end = t0 + (decidedAt + AFTER_DECISION_MS) * 1000;
  const main = events.filter((e) => e.pid === nav.pid && e.tid === nav.tid && e.ph === "X" && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const tasks = [];
  const stack = []; // [event, kind, task]
  for (const e of main) {
    while (stack.length && stack[stack.length - 1][0].ts + stack[stack.length - 1][0].dur <= e.ts) stack.pop();
    const parent = stack[stack.length - 1];
    const isTask = e.name === "RunTask" && e.cat.includes("devtools.timeline");
    if (!parent && !isTask) continue; // outside any task (e.g. the scheduler's own slices)
    let task = parent ? parent[2] : null;
    if (!parent) {
      if (e.ts < t0 || e.ts > end) continue;
      task = { start: (e.ts - t0) / 1000, dur: e.dur / 1000, kinds: {} };
      tasks.push(task);
    }
    const own = KINDS.find(([, test]) => test(e));
    const kind = own ? own[0] : parent ? parent[1] : OTHER;
    // Self time: this event's duration; its children take theirs back from it as they come.
    task.kinds[kind] = (task.kinds[kind] || 0) + e.dur / 1000;
    if (parent) parent[2].kinds[parent[1]] -= e.dur / 1000;
    stack.push([e, kind, task]);
  }
  return tasks;
}

const breakdown = (kinds) => Object.entries(kinds).filter(([, ms]) => ms >= 0.5).sort((a, b) => b[1] - a[1])
  .map(([k, ms]) => `${k} ${ms.toFixed(1)}`).join(", ");

/** The longest main-thread task running the library's code (script or wasm), in ms. */
export const longestCodeTask = (traced) =>
  Math.max(0, ...mainThreadTasks(traced).filter((t) => codeMs(t) >= CODE_MS).map((t) => t.dur));

/**
 * The main thread's script and wasm work from navigation start to the decision, in ms (less
 * sensitive to how the work was cut into tasks than the longest task), and the wasm functions
 * compiled lazily on their first call in that time (Chromium compiles each on the main thread).
 */
export function codeBeforeDecision(traced) {
  const tasks = mainThreadTasks(traced).filter((t) => t.start <= traced.decidedAt);
  const events = traced.trace.traceEvents || traced.trace;
  const nav = events.find((e) => e.name === "navigationStart" && e.args?.data?.documentLoaderURL === traced.url);
  const lazy = events.filter((e) => e.name === "wasm.CompileLazy" && e.ph === "X" && e.pid === nav.pid &&
    (e.ts - nav.ts) / 1000 <= traced.decidedAt);
  return {
    codeMs: tasks.reduce((sum, t) => sum + codeMs(t), 0),
    lazyCount: lazy.length,
    lazyMs: lazy.reduce((sum, e) => sum + e.dur / 1000, 0),
  };
}

/** The report for one library's trace. */
export function traceReport(lib, traced) {
  const tasks = mainThreadTasks(traced);
  const long = tasks.filter((t) => t.dur > LONG_TASK_MS);
  const longestOf = (list) => list.reduce((a, b) => (b.dur > a.dur ? b : a), { dur: 0, kinds: {} });
  const code = tasks.filter((t) => codeMs(t) >= CODE_MS);
  const longest = longestOf(code);
  const total = {};
  for (const t of tasks.filter((t) => t.start <= traced.decidedAt)) {
    for (const [k, ms] of Object.entries(t.kinds)) total[k] = (total[k] || 0) + ms;
  }
  const rows = long.map((t) => [`${int(t.start)} ms`, t.dur.toFixed(1), codeMs(t) >= CODE_MS ? "yes" : "no", breakdown(t.kinds)]);
  return {
    longest: longest.dur,
    longCount: code.filter((t) => t.dur > LONG_TASK_MS).length,
    text: [
      `${lib.site.name}, cold visit at 4x CPU: decided at ${int(traced.decidedAt)} ms; ${tasks.length} main-thread tasks, ` +
        `${long.length} over ${LONG_TASK_MS} ms (${code.filter((t) => t.dur > LONG_TASK_MS).length} running script or wasm); ` +
        `longest running script or wasm ${longest.dur.toFixed(1)} ms, longest of all ${longestOf(tasks).dur.toFixed(1)} ms (trace: ${traced.path})`,
      table(["task start", "ms", "script/wasm", "made of (ms of main-thread time)"], rows, "rrrl"),
      `  main thread from navigation start to the decision: ${breakdown(total)}`,
    ].join("\n"),
  };
}
