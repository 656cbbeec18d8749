// What exit intent costs the main thread per input event on the demo store's product page, in
// headless Chromium, with Trailmark loaded by its script tag and the demo config: with its exit
// rule (the page sampler js/exit.js attached, feeding the module) against the same config
// without it (no rule reads page.scrollDepth / page.idle either: the sampler is not attached).
// The difference is the sampler and what it hands to the module.
//
// Two measures, each on both pages, interleaved, medians:
//
// 1. In the page: N synthetic events dispatched in a loop, performance.now() around the loop.
//    mousemove: MouseEvents dispatched on window. scroll: Events dispatched on document (the
//    target of a page scroll; the sampler ignores others), created ~17 ms apart beforehand
//    (one per frame), so its 100 ms throttle passes about one in six into the module, as for a
//    real scroll. resize: Events on window, each of which the sampler passes to the module
//    (no throttle): the cost of one sample crossing into the module. (performance.now() is coarsened to 100 us in a page that is not cross-origin
//    isolated: each loop lasts milliseconds, and the median of many is taken.)
// 2. Trusted input: N page.mouse.move / page.mouse.wheel calls (CDP input through the
//    browser's input pipeline: hit testing, event dispatch, scrolling), and the page's main
//    thread time spent running script over them, from CDP Performance.getMetrics
//    (ScriptDuration), divided by N.
//
//   nice node bench/exit/input-cost.mjs          (about a minute; needs pkg/ and the collector)
//
// Not a test: it prints figures, and fails only if the sampler is not attached where expected.
import { startCollector, launchBrowser, routeConfig } from "../../tests/e2e/harness.mjs";

const MOVES = 2000;
const SCROLLS = 200;
const ROUNDS = Number(process.env.ROUNDS || 15);
const TRUSTED_ROUNDS = Number(process.env.TRUSTED_ROUNDS || 3);

const median = (xs) => { const s = xs.slice().sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const f = (us) => us.toFixed(3).padStart(8);

const collector = await startCollector();
const browser = await launchBrowser();
try {
  const version = "Chromium " + browser.version();
  const pages = {};
  for (const variant of ["with", "without"]) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    if (variant === "without") {
      await routeConfig(context, (c) => { c.rules = c.rules.filter((r) => r.trigger !== "exit"); });
    }
    const page = await context.newPage();
    await page.goto(collector.store + "product-colombia.html");
    await page.evaluate(() => new Promise((r) => window.trailmark.ready(r)));
    // The config applied: the shipping bar is decided.
    await page.waitForFunction(() => window.trailmark.decisions().some((d) => d.placement === "bar-top"));
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    // The listeners on window, as DevTools lists them: the sampler's are capturing and passive.
    const { result } = await cdp.send("Runtime.evaluate", { expression: "window" });
    const { listeners } = await cdp.send("DOMDebugger.getEventListeners", { objectId: result.objectId });
    const sampler = listeners.filter((l) => l.useCapture && l.passive && ["mousemove", "mouseout", "scroll", "scrollend"].includes(l.type)).length;
    pages[variant] = { page, cdp, sampler };
    console.error(`${variant} the exit rule: ${sampler} capturing passive pointer/scroll listeners on window`);
  }
  if (pages.with.sampler !== 4 || pages.without.sampler !== 0) {
    console.error("the sampler is not attached as expected (with: 4 listeners, without: 0)");
    process.exitCode = 1;
  }

  // ---------------------------------------------------------------- 1. in-page dispatch
  const inPage = { mousemove: { with: [], without: [] }, scroll: { with: [], without: [] }, resize: { with: [], without: [] } };
  for (const { page } of Object.values(pages)) {
    await page.evaluate(() => {
      window.__bench = {
        moves(n) {
          const events = [];
          for (let i = 0; i < n; i++) events.push(new MouseEvent("mousemove", { clientX: 200 + (i % 800), clientY: 100 + (i % 500), bubbles: true }));
          const t0 = performance.now();
          for (let i = 0; i < n; i++) window.dispatchEvent(events[i]);
          return ((performance.now() - t0) * 1000) / n;
        },
        // Scroll events one frame apart (their timeStamps), then dispatched in one loop.
        async scrolls(n) {
          const events = [];
          while (events.length < n) {
            events.push(new Event("scroll"));
            await new Promise((r) => setTimeout(r, 17));
          }
          let passed = 0, last = -1e9; // how many the sampler's 100 ms throttle lets through
          for (const e of events) if (e.timeStamp - last >= 100) { passed++; last = e.timeStamp; }
          const t0 = performance.now();
          for (let i = 0; i < n; i++) document.dispatchEvent(events[i]);
          return { us: ((performance.now() - t0) * 1000) / n, passed };
        },
        resizes(n) {
          const events = [];
          for (let i = 0; i < n; i++) events.push(new Event("resize"));
          const t0 = performance.now();
          for (let i = 0; i < n; i++) window.dispatchEvent(events[i]);
          return ((performance.now() - t0) * 1000) / n;
        },
      };
    });
  }
  let passed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of round % 2 ? ["without", "with"] : ["with", "without"]) {
      const { page } = pages[variant];
      inPage.mousemove[variant].push(await page.evaluate((n) => window.__bench.moves(n), MOVES));
      const s = await page.evaluate((n) => window.__bench.scrolls(n), SCROLLS);
      inPage.scroll[variant].push(s.us);
      passed = s.passed;
      inPage.resize[variant].push(await page.evaluate((n) => window.__bench.resizes(n), SCROLLS));
    }
  }

  // ------------------------------------------------------- 2. trusted input, script time
  const scriptTime = async (cdp) => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    const get = (name) => metrics.find((m) => m.name === name).value;
    return { script: get("ScriptDuration"), task: get("TaskDuration") };
  };
  const trusted = { mousemove: { with: [], without: [] }, wheel: { with: [], without: [] } };
  const wall = { mousemove: { with: [], without: [] }, wheel: { with: [], without: [] } };
  for (let round = 0; round < TRUSTED_ROUNDS; round++) {
    for (const variant of round % 2 ? ["without", "with"] : ["with", "without"]) {
      const { page, cdp } = pages[variant];
      await page.evaluate(() => window.scrollTo(0, 0));
      await page.mouse.move(640, 400);
      let before = await scriptTime(cdp);
      let t0 = Date.now();
      for (let i = 0; i < MOVES; i++) await page.mouse.move(200 + (i % 800), 100 + ((i * 7) % 500));
      let after = await scriptTime(cdp);
      trusted.mousemove[variant].push(((after.script - before.script) * 1e6) / MOVES);
      wall.mousemove[variant].push(((Date.now() - t0) * 1000) / MOVES);
      // Down and up the page, 100 px a notch.
      before = await scriptTime(cdp);
      t0 = Date.now();
      for (let i = 0; i < SCROLLS; i++) await page.mouse.wheel(0, i % 20 < 10 ? 100 : -100);
      await page.waitForTimeout(300); // the last scrollend
      after = await scriptTime(cdp);
      trusted.wheel[variant].push(((after.script - before.script) * 1e6) / SCROLLS);
      wall.wheel[variant].push(((Date.now() - t0) * 1000) / SCROLLS);
    }
  }

  const { cpus, loadavg } = await import("node:os");
  console.log(`${cpus().length} CPUs, load average ${loadavg().map((x) => x.toFixed(1)).join(" ")} at the end`);
  console.log(`${version}, headless; demo product page, Trailmark by script tag, demo config with and without its exit rule`);
  console.log(`\n1. in the page: synthetic events dispatched in a loop, performance.now() around it; median of ${ROUNDS} loops each`);
  console.log(`event         N   without (us/event)  with (us/event)  difference (us/event)`);
  for (const [kind, n, what] of [["mousemove", MOVES, "on window"], ["scroll", SCROLLS, `on document; ${passed} of ${SCROLLS} pass the sampler's 100 ms throttle into the module`],
    ["resize", SCROLLS, "on window; every one is a sample into the module"]]) {
    const w = median(inPage[kind].with), wo = median(inPage[kind].without);
    console.log(`${kind.padEnd(10)} ${String(n).padStart(5)}   ${f(wo)}            ${f(w)}         ${f(w - wo)}    (${what})`);
  }
  console.log(`   all loops (us/event): ` + Object.entries(inPage).map(([k, v]) => `${k} with [${v.with.map((x) => x.toFixed(2)).join(" ")}] without [${v.without.map((x) => x.toFixed(2)).join(" ")}]`).join("; "));
  console.log(`\n2. trusted input (page.mouse.move / page.mouse.wheel): the page's script time (CDP ScriptDuration) per event; median of ${TRUSTED_ROUNDS} runs each`);
  console.log(`input         N   without (us/event)  with (us/event)  difference (us/event)`);
  for (const [kind, n] of [["mousemove", MOVES], ["wheel", SCROLLS]]) {
    const w = median(trusted[kind].with), wo = median(trusted[kind].without);
    console.log(`${kind.padEnd(10)} ${String(n).padStart(5)}   ${f(wo)}            ${f(w)}         ${f(w - wo)}    (a call took ${(median(wall[kind].with) / 1000).toFixed(1)} ms of wall time)`);
  }
  console.log(`   all runs (us/event): ` + Object.entries(trusted).map(([k, v]) => `${k} with [${v.with.map((x) => x.toFixed(2)).join(" ")}] without [${v.without.map((x) => x.toFixed(2)).join(" ")}]`).join("; "));
} finally {
  await browser.close();
  collector.stop();
}
