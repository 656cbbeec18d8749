// The hostile-input suite, part 2: what Trailmark finds on the device. Every key it writes
// (localStorage `trailmark:aid`, `trailmark:profile`, `trailmark:consent`, `trailmark:outbox:*`,
// `trailmark:config:*`; sessionStorage `trailmark:tab`, `trailmark:loads`; the `trailmark_aid`
// cookie) holding each payload of the corpus in turn, in several shapes (the payload as the
// whole value, in a versioned envelope, in every string, key or number of a record as Trailmark
// writes it, cut short); then storage that throws, and storage filled to its quota.
//
// Reads happen when a page starts, so each payload gets a page of its own: an iframe of the
// store (sharing the top page's storage), started after the keys were written. The records come
// from the fuzz seeds (fuzz/corpus/stored_record, fuzz/corpus/queue_restore), which are records
// as the tracker writes them.
//
//   node --test --test-concurrency=1 tests/e2e/hostile-storage.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  PAYLOADS, startHostile, inlineConfig, baseConfig, storePage, watchedContext, open, provoke, protect,
  assertNothingRan, assertNoUncaught, assertOnlyExpectedRequests, assertPageWorks, trailmarkLines,
  collectorQuiet, trailmarkReady,
} from "./hostile-kit.mjs";
import { compileConfig } from "./harness.mjs";

const TIMEOUT = { timeout: 90_000 };
let hostile;
before(async () => { hostile = await startHostile(); });
after(() => hostile?.stop());

const seed = (target, name, skip = 0) => readFileSync(new URL(`../../fuzz/corpus/${target}/${name}`, import.meta.url)).subarray(skip).toString("utf8");
const VISITOR = JSON.parse(seed("stored_record", "seed-000"));
const CONSENT = JSON.parse(seed("stored_record", "seed-001"));
const QUEUE = JSON.parse(seed("queue_restore", "seed-000", 1));

/** `v` with every string (and, with `keys`, every object key; with `numbers`, every number) replaced by `p`. */
function deepReplace(v, p, { keys = false, numbers = false } = {}) {
  if (typeof v === "string") return p;
  if (typeof v === "number") return numbers ? p : v;
  if (Array.isArray(v)) return v.map((x) => deepReplace(x, p, { keys, numbers }));
  if (v && typeof v === "object") {
    const out = Object.create(null);
    let n = 0;
    for (const [k, x] of Object.entries(v)) out[keys ? (n++ ? p + n : p) : k] = deepReplace(x, p, { keys, numbers });
    return out;
  }
  return v;
}

/** The `i`th hostile shape of a stored value (`record`: one Trailmark writes) with payload `p`. */
function shape(record, p, i) {
  const text = JSON.stringify(record);
  switch (i % 8) {
    case 0: return JSON.stringify(deepReplace(record, p));
    case 1: return JSON.stringify(deepReplace(record, p, { keys: true }));
    case 2: return p;
    case 3: return JSON.stringify({ v: 1, d: p });
    case 4: return JSON.stringify(p);
    case 5: return text.slice(0, text.length >> 1) + p;
    case 6: return JSON.stringify(deepReplace(record, p, { numbers: true }));
    default: return JSON.stringify({ ...record, [p]: record, v: p });
  }
}

/** A config and the page that loads it from a file (so the config cache is used too). */
function framePages() {
  const { collector } = hostile;
  const compiled = compileConfig(baseConfig(collector));
  hostile.write("hostile.compiled.json", protect(compiled));
  hostile.write("frame.html", storePage({ scriptAttrs: `data-config="/hostile.compiled.json"` }));
  return JSON.parse(compiled);
}

test("every key Trailmark writes holds each payload in a hostile shape, read by a page starting on it: pages start, slots render, events are delivered, nothing runs", TIMEOUT, async (t) => {
  const { collector } = hostile;
  const compiled = framePages();
  hostile.write("top.html", storePage({ head: inlineConfig(baseConfig(collector)) }));
  const { context, page, watch } = await watchedContext(hostile.browser);
  await open(page, collector.store + "top.html");
  const values = PAYLOADS.map(({ payload: p }, i) => ({
    local: {
      "trailmark:aid": [JSON.stringify({ v: 1, d: p }), p, JSON.stringify({ v: 1, d: { [p]: p } })][i % 3],
      "trailmark:profile": shape(VISITOR, p, i),
      "trailmark:consent": shape(CONSENT, p, i + 3),
      ["trailmark:outbox:" + p]: shape(QUEUE, p, i + 5),
      ["trailmark:outbox:tab-" + i]: shape(QUEUE, p, i),
      // The config cache: garbage, or a valid program with hostile blocks beside it.
      "trailmark:config:/hostile.compiled.json": i % 2
        ? shape({ v: 3, d: "x", p: compiled.program, b: compiled.blocks }, p, i)
        : JSON.stringify({ v: 3, d: p, p: compiled.program, b: { "ok-block": { t: "script", x: p }, [p]: { t: "img", a: { src: "x", onerror: p } } } }),
    },
    session: {
      "trailmark:tab": [JSON.stringify({ v: 1, d: p }), p][i % 2],
      "trailmark:loads": [JSON.stringify({ v: 1, d: p }), p, JSON.stringify({ v: 1, d: -1e308 })][i % 3],
    },
    cookie: p,
  }));
  t.diagnostic(`payloads: ${PAYLOADS.length} in each of localStorage trailmark:aid, trailmark:profile, trailmark:consent, trailmark:outbox:* (2 keys, one named by the payload), trailmark:config:*; sessionStorage trailmark:tab, trailmark:loads; the trailmark_aid cookie (8 shapes in turn)`);

  // One page after the other, each started on its payload (in the page: no round trip per frame).
  const started = Date.now();
  const failures = await page.evaluate(async (values) => {
    const failures = [];
    const until = (check, ms) => new Promise((resolve) => {
      const end = performance.now() + ms;
      const poll = () => { let ok = false; try { ok = check(); } catch (_) { /* not there yet */ } if (ok || performance.now() > end) resolve(ok); else setTimeout(poll, 2); };
      poll();
    });
    for (const [i, v] of values.entries()) {
      for (const [k, x] of Object.entries(v.local)) localStorage.setItem(k, x);
      for (const [k, x] of Object.entries(v.session)) sessionStorage.setItem(k, x);
      document.cookie = "trailmark_aid=" + v.cookie + "; path=/";
      const frame = document.createElement("iframe");
      frame.src = "/frame.html?i=" + i;
      document.body.append(frame);
      const w = frame.contentWindow;
      if (!(await until(() => w.trailmark && !Array.isArray(w.trailmark), 5000))) { failures.push([i, "no trailmark"]); continue; }
      await w.trailmark.started;
      if (!(await until(() => frame.contentDocument.querySelector("#slot-ok p.ok"), 5000))) failures.push([i, "slot not rendered"]);
      try { w.trailmark.track("Frame Probe", { i }); } catch (e) { failures.push([i, "track threw " + e]); }
      // Gone: its last events leave by beacon (or stay stored for the next page to send).
      frame.remove();
    }
    // The next page after the last one: it takes over a queue the last page left stored (when
    // its beacon did not go), as any later page of the store would.
    const last = document.createElement("iframe");
    last.src = "/frame.html?i=after";
    document.body.append(last);
    if (!(await until(() => last.contentWindow.trailmark && !Array.isArray(last.contentWindow.trailmark), 5000))) failures.push(["after", "no trailmark"]);
    else await last.contentWindow.trailmark.started;
    return failures;
  }, values);
  assert.deepEqual(failures, [], "every page started, rendered its slot and took a track() call");
  t.diagnostic(`${PAYLOADS.length} pages started on hostile storage in ${Date.now() - started} ms`);
  const probes = await collector.waitFor("SELECT properties FROM events WHERE event='Frame Probe'", (r) => new Set(r.map((x) => JSON.parse(x.properties).i)).size === PAYLOADS.length, 20_000);
  assert.equal(new Set(probes.map((x) => JSON.parse(x.properties).i)).size, PAYLOADS.length, "every page's event was delivered");
  // ... and every page's own page view: planted queue entries never cost a page its events.
  const viewed = new Set(collector.query("SELECT raw FROM events WHERE type='page'").map((r) => JSON.parse(r.raw).properties.url)
    .map((u) => (u.match(/frame\.html\?i=(\d+)$/) || [])[1]).filter(Boolean));
  assert.equal(viewed.size, PAYLOADS.length, "every page's page view was delivered");
  // The stored queues' forged events never reach the collector as anything but what they were.
  assert.equal(collector.query("SELECT COUNT(*) AS n FROM events WHERE message_id='forged'")[0].n, 0);

  // The same keys changed by "another tab" while this page runs (storage events): the profile
  // and the consent record are merged or read again, one payload after the other.
  const changed = await page.evaluate((vs) => {
    let n = 0;
    for (const v of vs) {
      for (const key of ["trailmark:profile", "trailmark:consent"]) {
        localStorage.setItem(key, v.local[key]);
        window.dispatchEvent(new StorageEvent("storage", { key, newValue: v.local[key], storageArea: localStorage }));
        n++;
      }
    }
    return n;
  }, values);
  t.diagnostic(`payloads: ${changed / 2} as profile and consent records changed by another tab (storage events)`);
  await page.evaluate(() => window.trailmark.consent({ analytics: "granted", personalization: "granted" }));
  await provoke(page);
  assertNothingRan(watch);
  assertOnlyExpectedRequests(watch, collector, ["/top.html", "/frame.html"]);
  await assertPageWorks(collector, page, "after the storage events");
  assertNoUncaught(watch);
  // Errors said on the console: a refused cached config, and planted queue entries the
  // collector refused (a planted object that is no valid event); nothing else.
  const errors = trailmarkLines(watch, "error").filter((l) => !/config .* \(cached\) was not applied|could not be read|the collector refused events/.test(l));
  assert.deepEqual(errors, [], "no error but a refused cached config or refused planted events");
  t.diagnostic("Trailmark's warnings (all pages): " + JSON.stringify([...new Set(trailmarkLines(watch, "warning").map((l) => l.replace(/storage key \S+/, "storage key K")))]));
  await context.close();
});

/** A page on `hostile.collector` that starts with `init` run first; returns its watchers. */
async function pageWith(name, init, initArg) {
  const { collector } = hostile;
  hostile.write(name, storePage({ head: inlineConfig(baseConfig(collector)) }));
  const w = await watchedContext(hostile.browser, { init, initArg });
  await open(w.page, collector.store + name);
  return w;
}

test("storage that throws: the localStorage and sessionStorage getters, every Storage method and document.cookie throw; Trailmark keeps its state for the page, says so once, renders and delivers", TIMEOUT, async () => {
  await collectorQuiet(hostile.collector);
  const { context, page, watch } = await pageWith("throwing.html", () => {
    const denied = () => { throw new DOMException("The operation is insecure.", "SecurityError"); };
    for (const name of ["localStorage", "sessionStorage"]) Object.defineProperty(window, name, { configurable: true, get: denied });
    for (const m of ["getItem", "setItem", "removeItem", "key", "clear"]) Storage.prototype[m] = denied;
    Object.defineProperty(Document.prototype, "cookie", { configurable: true, get: denied, set: denied });
  });
  await page.evaluate(() => { window.trailmark.identify("u-1"); window.trailmark.consent({ analytics: "granted" }); });
  await provoke(page);
  assertNothingRan(watch);
  await assertPageWorks(hostile.collector, page, "with throwing storage");
  assertNoUncaught(watch);
  const warnings = trailmarkLines(watch, "warning");
  assert.deepEqual(warnings, ["[trailmark] storage is unavailable; Trailmark keeps its state for this page only"]);
  await context.close();
});

test("storage filled to its quota: writes fail, Trailmark says so once, renders and delivers (by request while the page stays, by beacon when it goes)", TIMEOUT, async () => {
  await collectorQuiet(hostile.collector);
  const { collector } = hostile;
  hostile.write("full.html", storePage({ head: inlineConfig(baseConfig(collector)) }));
  const { context, page, watch } = await watchedContext(hostile.browser);
  // Fill this origin's storage before Trailmark's page runs (on a page without it).
  hostile.write("filler.html", "<!doctype html><title>filler</title>");
  await page.goto(collector.store + "filler.html");
  const filled = await page.evaluate(() => {
    localStorage.clear();
    let size = 1 << 20;
    let i = 0;
    let total = 0;
    while (size >= 1) {
      try { localStorage.setItem("filler:" + i++, "x".repeat(size)); total += size; } catch (_) { size >>= 1; }
    }
    sessionStorage.clear();
    size = 1 << 20;
    while (size >= 1) {
      try { sessionStorage.setItem("filler:" + i++, "x".repeat(size)); } catch (_) { size >>= 1; }
    }
    return total;
  });
  assert.ok(filled > 1e6, `filled ${filled} chars`);
  await open(page, collector.store + "full.html");
  await page.evaluate(() => { window.trailmark.identify("u-1", { plan: "club" }); window.trailmark.addToCart({ product_id: "p", price: 100, currency: "USD" }); });
  await provoke(page);
  assertNothingRan(watch);
  await assertPageWorks(collector, page, "with storage full");
  // Leaving: what is queued leaves by beacon, since it cannot be stored.
  await page.evaluate(() => window.trailmark.track("Last Words", { full: true }));
  await page.goto(collector.store + "filler.html");
  const last = await collector.waitFor("SELECT COUNT(*) AS n FROM events WHERE event='Last Words'", (r) => r[0].n === 1);
  assert.equal(last[0].n, 1, "the last event left by beacon");
  assertNoUncaught(watch);
  const warnings = trailmarkLines(watch, "warning");
  assert.deepEqual(warnings, ["[trailmark] storage is full or refused a write; Trailmark keeps that state for this page only"]);
  await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
  await context.close();
});

