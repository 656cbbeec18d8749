// Shared pieces of the hostile-input suite (tests/e2e/hostile-*.test.mjs): the payload corpus
// (tests/fixtures/hostile/payloads.json), a store of pages the suite writes itself (served by the
// real collector from a temporary --www directory: real loopback pages, no CSP, so injected
// markup would run and be seen), contexts whose every way of running injected code is watched,
// and the checks every test ends with.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCollector, launchBrowser, compileConfig, collectorStats } from "./harness.mjs";

const corpus = JSON.parse(readFileSync(new URL("../fixtures/hostile/payloads.json", import.meta.url), "utf8"));
/** Every payload: `{ id, category, payload }`. */
export const PAYLOADS = corpus.payloads;
/** The function every payload that runs code calls (`__hostile(id)`). */
export const MARKER = corpus.marker;

/** What an HTML parser makes of a text node: NUL dropped, CR and CRLF read as LF. */
export const asText = (s) => s.replace(/\r\n?/g, "\n").replace(/\0/g, "");

/** UTF-8 bytes of a string. */
export const bytes = (s) => Buffer.byteLength(s, "utf8");

/** The collector's placeholder, which it replaces in the .html and .json files it serves. */
const PLACEHOLDER = "{{COLLECTOR_ORIGIN}}";

/**
 * The collector (serving a fresh temporary directory as its store) and Chromium, for one test
 * file. Every host name but 127.0.0.1 resolves to nothing: a payload that got a URL requested
 * (`//evil.example/x`) can never leave the machine, and the request is still seen and reported.
 */
export async function startHostile() {
  const dir = mkdtempSync(join(tmpdir(), "trailmark-hostile-"));
  const collector = await startCollector(["--www", dir]);
  const browser = await launchBrowser(["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]);
  const store = {
    dir,
    collector,
    browser,
    /** Writes `name` into the store; returns its URL. */
    write(name, content) {
      writeFileSync(join(dir, name), content);
      return collector.store + name;
    },
    async stop() {
      await browser.close().catch(() => {});
      collector.stop();
    },
  };
  return store;
}

/**
 * The compiled config of `config` (the real CLI), as the inline tag a page carries. `{{` is
 * written `{\u007b` (it only occurs inside JSON strings), so the collector's placeholder
 * substitution leaves payloads that contain `{{COLLECTOR_ORIGIN}}` alone.
 */
export function inlineConfig(config) {
  const compiled = compileConfig(config).trim();
  return `<script type="application/json" data-trailmark-config>${protect(compiled)}</script>`;
}

/** Text of a compiled config safe from the collector's substitution. */
export const protect = (json) => json.replaceAll("{{", "{\\u007b");

/** A config with a collector that sends promptly, and `extra` merged in. */
export function baseConfig(collector, extra = {}) {
  return {
    version: 1,
    collector: { url: collector.collect, writeKey: "demo-write-key", flushIntervalMs: 100 },
    ...extra,
    blocks: { "ok-block": { tag: "p", class: "ok", text: "ok block" }, ...(extra.blocks || {}) },
    rules: [{ id: "ok-rule", slot: "ok", show: "ok-block" }, ...(extra.rules || [])],
  };
}

/**
 * A store page: `head` (the config tag, init code), a control area fixed above any overlay (the
 * page's own button and text: the page still works when they do), the `ok` slot (its default
 * text `default ok`), then `body`; the script tag last in the head (`scriptAttrs` added to it).
 */
export function storePage({ head = "", body = "", title = "hostile", scriptAttrs = "" } = {}) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
${head}
<script src="/pkg/trailmark.js" ${scriptAttrs} async></script></head><body>
<div id="controls" style="position:fixed;left:8px;top:45%;z-index:2147483647;background:#fff">
<button id="own" type="button" onclick="this.textContent = 'clicked ' + (6 * 7)">own button</button>
<span id="alive">alive</span></div>
<div id="slot-ok" data-trailmark-slot="ok">default ok</div>
${body}
</body></html>`;
}

/** Text safe inside an HTML text node or a double-quoted attribute. */
export const escapeHtml = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * A browser context with watchers on every page and frame in it: calls of the marker function
 * (`__hostile(id)`, a binding that survives navigations), dialogs, popups, uncaught errors,
 * console messages and every request. `init` (a function) runs before any page script, with
 * `initArg`.
 */
export async function watchedContext(browser, { init, initArg } = {}) {
  const context = await browser.newContext();
  const watch = { hits: [], dialogs: [], popups: [], uncaught: [], console: [], requests: [] };
  await context.exposeBinding(MARKER, (_source, id) => watch.hits.push(id));
  if (init) await context.addInitScript(init, initArg);
  // Every scripted way to open a dialog, for payloads that call them (alert(5), ...).
  const onPage = (page) => {
    page.on("dialog", (d) => { watch.dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
    page.on("console", (m) => watch.console.push({ type: m.type(), text: m.text() }));
    page.on("pageerror", (e) => watch.uncaught.push(String(e && e.stack || e)));
    page.on("popup", (p) => watch.popups.push(p.url()));
  };
  context.on("page", onPage);
  context.on("request", (r) => watch.requests.push(r.url()));
  const page = await context.newPage();
  return { context, page, watch };
}

/** Waits until Trailmark runs in `target` (a page or a frame). */
export async function trailmarkReady(target) {
  await target.waitForFunction(() => window.trailmark && !Array.isArray(window.trailmark));
  await target.evaluate(() => window.trailmark.started);
}

/** Opens `url` in `page` and waits until Trailmark runs. */
export async function open(page, url) {
  await page.goto(url);
  await trailmarkReady(page);
}

/**
 * Dispatches every event an injected handler could wait for to every element of `page` (its
 * slots, overlays, everything), and sweeps the real mouse over the viewport.
 */
export async function provoke(page) {
  await page.evaluate(() => {
    for (const el of document.querySelectorAll("body *")) {
      if (el.closest("#controls")) continue;
      for (const type of ["mouseover", "mouseenter", "focus", "focusin", "toggle", "animationstart", "animationend", "transitionend", "error", "load", "pointerdown", "input", "change"]) {
        el.dispatchEvent(new Event(type, { bubbles: true }));
      }
    }
  });
  const { width, height } = page.viewportSize();
  for (let y = 3; y < height; y += 45) await page.mouse.move(width - 12, y, { steps: 2 });
}

/** Nothing ran: no marker call, no dialog, no popup. */
export function assertNothingRan(watch, where = "") {
  assert.deepEqual([...new Set(watch.hits)].sort((a, b) => a - b), [], "no payload ran (payload ids listed) " + where);
  assert.deepEqual(watch.dialogs, [], "no dialog opened " + where);
  assert.deepEqual(watch.popups, [], "no popup " + where);
}

/** No uncaught error in the page (`allow`: patterns of errors the test's own breakage causes). */
export function assertNoUncaught(watch, allow = [], where = "") {
  const left = watch.uncaught.filter((e) => !allow.some((re) => re.test(e)));
  assert.deepEqual(left, [], "no uncaught error " + where);
}

/**
 * Every request went to the store (its own pages, the package, the configs) or to the
 * collector's batch endpoint: nothing a payload could have added (an image, a frame, a
 * stylesheet, a form post). `pages`: the store paths the test opened.
 */
export function assertOnlyExpectedRequests(watch, collector, pages = [], where = "") {
  const store = new URL(collector.store).origin;
  const collect = new URL(collector.collect);
  const unexpected = watch.requests.filter((u) => {
    let url;
    try { url = new URL(u); } catch (_) { return true; }
    if (url.origin === collect.origin) return url.pathname !== collect.pathname;
    if (url.origin !== store) return true;
    return !(url.pathname.startsWith("/pkg/") || /\.json$/.test(url.pathname) || url.pathname === "/favicon.ico" ||
      pages.includes(url.pathname));
  });
  assert.deepEqual(unexpected, [], "no request but the page's, the package's and the collector's " + where);
}

/** Trailmark's console lines (`[trailmark] ...`) of `watch`, by type. */
export const trailmarkLines = (watch, type) =>
  watch.console.filter((m) => m.text.startsWith("[trailmark]") && (!type || m.type === type)).map((m) => m.text);

/**
 * The page still works: its own script runs (a real click on its own button), the `ok` slot
 * shows its block, and `track()` delivers an event to the collector (returns that event's row).
 * `via`: "fetch" (the default: while the page stays) or "leave" (recorded, then the page is
 * closed: a beacon, or the stored queue another page sends).
 */
export async function assertPageWorks(collector, page, where = "", { slot = true } = {}) {
  await page.click("#own");
  assert.equal(await page.textContent("#own"), "clicked 42", "the page's own handler runs " + where);
  assert.equal(await page.textContent("#alive"), "alive", where);
  if (slot) {
    await page.waitForSelector("#slot-ok p.ok", { timeout: 5000 }).catch(() => {});
    assert.equal(await page.textContent("#slot-ok"), "ok block", "a slot still renders " + where);
  }
  const probe = "Probe " + Math.random().toString(36).slice(2);
  // Must not throw into the page, whatever the page broke.
  const threw = await page.evaluate((name) => {
    try { window.trailmark.track(name, { where: "probe" }); return null; } catch (e) { return String(e); }
  }, probe);
  assert.equal(threw, null, "track() does not throw " + where);
  const rows = await collector.waitFor(`SELECT event, properties FROM events WHERE event='${probe}'`, (r) => r.length > 0, 10_000);
  assert.equal(rows.length, 1, "track() delivered exactly one event to the collector " + where);
  return rows[0];
}

/** Waits until the collector has received no request for 300 ms. */
export async function collectorQuiet(collector) {
  let last = -1;
  let since = Date.now();
  const until = Date.now() + 5000;
  while (Date.now() < until) {
    const { requests } = await collectorStats(collector);
    if (requests !== last) [last, since] = [requests, Date.now()];
    if (Date.now() - since >= 300) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `s` with the collector's placeholder replaced, as the collector serves it. */
export const served = (collector, s) => s.replaceAll(PLACEHOLDER, new URL(collector.collect).origin);

/**
 * Opens the collector's viewer (the latest events, as `scripts/demo` prints its URL) in a
 * watched context and checks that nothing ran there and that it lists events; returns how many
 * rows it shows.
 */
export async function checkViewer(hostile, where = "") {
  const { collector, browser } = hostile;
  const { context, page, watch } = await watchedContext(browser);
  const res = await page.goto(collector.viewerUrl.replace("/?", "/?refresh=0&"));
  assert.equal(res.status(), 200);
  await provoke(page);
  const rows = await page.locator("tbody tr").count();
  assert.ok(rows > 0, "the viewer lists the events " + where);
  assert.equal(await page.title(), "Trailmark collector");
  assertNothingRan(watch, "in the viewer " + where);
  const foreign = watch.requests.filter((u) => new URL(u).origin !== collector.collectOrigin);
  assert.deepEqual(foreign, [], "the viewer requested nothing elsewhere " + where);
  await context.close();
  return rows;
}
