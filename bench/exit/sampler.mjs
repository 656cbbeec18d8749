// What the exit-intent sampler (js/exit.js) costs the page's main thread per input event, in
// headless Chromium: the same stream of synthetic events dispatched to a page without and with
// the sampler attached (interleaved runs, medians), so the difference is the sampler's
// listeners. `feed` is a plain function here; the shell's feed crosses into wasm with six
// numbers (~0.03 us a call, TOOLCHAIN.md), and the sampler calls it only for the few samples
// the detector needs (a leave, an entry, a scroll position every 100 ms, ...), never per move.
//
//   node bench/exit/sampler.mjs            (about 20 s)
//
// Not part of the tests: a benchmark prints figures, it does not assert them.
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const SAMPLER = readFileSync(new URL("../../js/exit.js", import.meta.url), "utf8").replace("export function", "function");
const EVENTS = 200_000;
const RUNS = 7;

const page = `<!doctype html><html><body style="margin:0"><main style="height:20000px"></main><script>
${SAMPLER}
let fed = 0, detach = null;
const feed = () => { fed++; };
// One run: EVENTS events of one kind dispatched on the document, timed. The events are made
// first, so only dispatching (and the listeners) is timed.
window.run = (kind, withSampler) => {
  if (withSampler && !detach) detach = attachExitSampler(feed, {});
  if (!withSampler && detach) { detach(); detach = null; }
  const events = [];
  for (let i = 0; i < ${EVENTS}; i++) {
    events.push(kind === "scroll" ? new Event("scroll", { bubbles: true })
      : kind === "mouseout" ? new MouseEvent("mouseout", { bubbles: true, clientX: 300, clientY: -3, relatedTarget: null })
      : new MouseEvent("mousemove", { bubbles: true, clientX: i % 800, clientY: 200 + (i % 300) }));
  }
  fed = 0;
  const target = kind === "scroll" ? document : document.body;
  const t0 = performance.now();
  for (let i = 0; i < events.length; i++) target.dispatchEvent(events[i]);
  const us = (performance.now() - t0) * 1000 / events.length;
  return { us, fed };
};
</script></body></html>`;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
const p = await (await browser.newContext()).newPage();
await p.route("http://bench.test/**", (r) => r.fulfill({ contentType: "text/html", body: page }));
await p.goto("http://bench.test/");

const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
console.log(`exit sampler: main-thread cost per dispatched event, ${EVENTS.toLocaleString("en-US")} events x ${RUNS} interleaved runs, median`);
console.log("| event | without the sampler | with the sampler | the sampler's share | feed calls per event |");
console.log("|---|---:|---:|---:|---:|");
for (const kind of ["mousemove", "scroll", "mouseout"]) {
  const base = [], withIt = [];
  let fed = 0;
  await p.evaluate(([k]) => { window.run(k, false); window.run(k, true); }, [kind]); // warm up
  for (let i = 0; i < RUNS; i++) {
    base.push((await p.evaluate(([k]) => window.run(k, false), [kind])).us);
    const r = await p.evaluate(([k]) => window.run(k, true), [kind]);
    withIt.push(r.us);
    fed = r.fed;
  }
  const b = median(base), w = median(withIt);
  console.log(`| ${kind} | ${b.toFixed(3)} us | ${w.toFixed(3)} us | ${(w - b).toFixed(3)} us | ${(fed / EVENTS).toFixed(4)} |`);
}
await browser.close();
