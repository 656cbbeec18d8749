// End-to-end harness: the real collector binary, real Chromium, the real SQLite file.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const ROOT = new URL("../../", import.meta.url).pathname;
const COLLECTOR = join(ROOT, "target/release/trailmark-collector");

/** The last value of `flag` in `args` (`--flag value` or `--flag=value`), or undefined. */
function flagValue(args, flag) {
  let value;
  args.forEach((a, i) => {
    if (a === flag) value = args[i + 1];
    else if (a.startsWith(flag + "=")) value = a.slice(flag.length + 1);
  });
  return value;
}

/**
 * Starts the collector on ephemeral loopback ports with a fresh database. Its viewer,
 * `/events.json` and `/_control/*` need the token (`--token`) or else the write key:
 * `authorization` is the header for node's `fetch`, `viewerUrl` opens the viewer in a browser
 * (it sets a session cookie and redirects to `/`).
 */
export async function startCollector(extraArgs = []) {
  if (!existsSync(COLLECTOR)) throw new Error("build the collector first: cargo build --release -p trailmark-collector");
  const dir = mkdtempSync(join(tmpdir(), "trailmark-e2e-"));
  const db = join(dir, "events.sqlite");
  const args = [
    "--site-port", "0", "--collect-port", "0",
    "--www", join(ROOT, "www"), "--pkg", join(ROOT, "pkg"), "--db", db,
    "--write-key", "demo-write-key", ...extraArgs,
  ];
  const secret = flagValue(args, "--token") ?? flagValue(args, "--write-key");
  const authorization = "Basic " + Buffer.from(secret + ":").toString("base64");
  const child = spawn(COLLECTOR, args, { stdio: ["ignore", "pipe", "pipe"] });
  const log = [];
  child.stderr.on("data", (d) => log.push(String(d)));
  const urls = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error("collector did not start: " + out + log.join(""))), 10_000);
    child.stdout.on("data", (d) => {
      out += d;
      const store = out.match(/^store: (\S+)$/m);
      const collect = out.match(/^collector: (\S+)$/m);
      if (store && collect) {
        clearTimeout(timer);
        resolve({ store: store[1], collect: collect[1] });
      }
    });
    child.on("exit", (code) => reject(new Error("collector exited " + code + ": " + log.join(""))));
  });
  const collectOrigin = new URL(urls.collect).origin;
  return {
    ...urls,
    collectOrigin,
    authorization,
    viewerUrl: collectOrigin + "/?token=" + encodeURIComponent(secret),
    db,
    log,
    /** Rows from the real SQLite file (read by the sqlite3 CLI, as another process would). */
    query(sql) {
      const out = execFileSync("sqlite3", ["-json", db, sql], { encoding: "utf8" });
      return out.trim() ? JSON.parse(out) : [];
    },
    /** Polls `sql` until `done(rows)` holds or the timeout passes; returns the last rows. */
    async waitFor(sql, done, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      let rows = [];
      while (Date.now() < until) {
        rows = existsSync(db) ? this.query(sql) : [];
        if (done(rows)) return rows;
        await new Promise((r) => setTimeout(r, 100));
      }
      return rows;
    },
    async control(path, body) {
      const res = await fetch(collectOrigin + path, {
        method: "POST", body: JSON.stringify(body ?? {}), headers: { Authorization: authorization },
      });
      if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return res.json();
    },
    stop() { child.kill("SIGTERM"); },
  };
}

/**
 * Launches the machine's Chromium headless (never a downloaded browser), with `extraArgs`
 * (e.g. a `--host-resolver-rules` mapping test host names to 127.0.0.1). Playwright turns the
 * back/forward cache off by default; `{ backForwardCache: true }` keeps it on.
 */
export function launchBrowser(extraArgs = [], { backForwardCache = false } = {}) {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    ignoreDefaultArgs: backForwardCache ? ["--disable-back-forward-cache"] : [],
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic", ...extraArgs],
  });
}

/**
 * A collector (with the demo store) and a browser for one test file:
 * `before(async () => ({ collector, browser } = await startStoreAndBrowser()));`
 * `after(() => stopStoreAndBrowser(collector, browser));`
 */
export async function startStoreAndBrowser(browserArgs = []) {
  return { collector: await startCollector(allowMappedHosts(browserArgs)), browser: await launchBrowser(browserArgs) };
}

/**
 * The collector answers only loopback `Host` names: every name `browserArgs` maps to 127.0.0.1
 * with `--host-resolver-rules=MAP <name> 127.0.0.1` becomes an `--allow-host <name>`.
 */
export function allowMappedHosts(browserArgs) {
  return browserArgs
    .flatMap((a) => (a.startsWith("--host-resolver-rules=") ? a.slice(22).split(",") : []))
    .map((rule) => rule.trim().match(/^MAP\s+(\S+)\s+127\.0\.0\.1$/))
    .filter(Boolean)
    .flatMap((m) => ["--allow-host", m[1]]);
}

/** Closes what `startStoreAndBrowser` started (either may already be gone or never started). */
export async function stopStoreAndBrowser(collector, browser) {
  await browser?.close();
  collector?.stop();
}

/** A page that records console messages and uncaught page errors. */
export async function openPage(browser) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const consoleMessages = [];
  const pageErrors = [];
  page.on("console", (m) => consoleMessages.push({ type: m.type(), text: m.text() }));
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  return { context, page, consoleMessages, pageErrors };
}

/** Console lines Trailmark wrote (they all start with "[trailmark]"). */
export const trailmarkLines = (messages) => messages.filter((m) => m.text.startsWith("[trailmark]"));

// ---------------------------------------------------------------------------------------------
// Delivery helpers (tests/e2e/delivery.test.mjs). Additive: nothing above depends on them.

/** `GET /_control/stats`: `{events, batches, requests, faulted}` (no byte counts). */
export async function collectorStats(collector) {
  const res = await fetch(collector.collectOrigin + "/_control/stats", { headers: { Authorization: collector.authorization } });
  if (!res.ok) throw new Error(`GET /_control/stats: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Waits until no request has reached `c` for 250 ms (at most 3 s). A context the previous test
 * closed may still be delivering its pagehide beacon (a Page Engagement); landing after the
 * next reset, it would count as that test's event. Call before `/_control/reset`.
 */
export async function quiet(c) {
  let last = -1;
  let since = Date.now();
  await pollUntil(async () => {
    const { requests } = await collectorStats(c);
    if (requests !== last) [last, since] = [requests, Date.now()];
    return Date.now() - since >= 250;
  }, { timeoutMs: 3000, intervalMs: 50 });
}

/**
 * Polls `check()` (sync or async) every `intervalMs` of real time until it returns a truthy
 * value or `timeoutMs` passes; returns the last value. Polling, never a fixed sleep.
 */
export async function pollUntil(check, { timeoutMs = 10_000, intervalMs = 25 } = {}) {
  const until = Date.now() + timeoutMs;
  let value;
  for (;;) {
    value = await check();
    if (value || Date.now() >= until) return value;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Records, in every page of `context`, what Trailmark hands to the network for `/v1/batch`:
 * each `fetch` (page-clock time sent and settled, status or error, event messageIds) and each
 * `sendBeacon`. The wrappers pass calls straight through; the library's own `then` runs right
 * after the probe's, in the same microtask checkpoint, so once `settled` is set the library has
 * seen the outcome by the time any later `page.evaluate` runs.
 */
export async function installDeliveryProbe(context) {
  await context.addInitScript(() => {
    const log = { fetches: [], beacons: [] };
    Object.defineProperty(window, "__tmProbe", { value: log });
    const isBatch = (u) => {
      try {
        const href = typeof u === "string" ? u : (u && u.url) || String(u);
        return new URL(href, location.href).pathname.endsWith("/v1/batch");
      } catch (_) { return false; }
    };
    const describe = (body) => {
      const out = { bytes: null, ids: [] };
      if (typeof body === "string") {
        out.bytes = new TextEncoder().encode(body).length;
        try {
          const v = JSON.parse(body);
          out.ids = (Array.isArray(v) ? v : v.batch || []).map((e) => e && e.messageId);
        } catch (_) { /* compressed or not JSON */ }
      } else if (body && typeof body.byteLength === "number") out.bytes = body.byteLength;
      else if (body && typeof body.size === "number") out.bytes = body.size;
      return out;
    };
    const realFetch = window.fetch;
    window.fetch = function (input, init) {
      const promise = realFetch.apply(this, arguments);
      if (!isBatch(input)) return promise;
      const entry = { sentAt: Date.now(), settled: false, settledAt: null, status: null, error: null,
        ...describe(init && init.body) };
      log.fetches.push(entry);
      return promise.then(
        (res) => { Object.assign(entry, { settled: true, settledAt: Date.now(), status: res.status }); return res; },
        (err) => { Object.assign(entry, { settled: true, settledAt: Date.now(), error: String(err) }); throw err; },
      );
    };
    const realBeacon = navigator.sendBeacon;
    if (typeof realBeacon === "function") {
      navigator.sendBeacon = function (url, data) {
        const ok = realBeacon.call(navigator, url, data);
        if (isBatch(url)) log.beacons.push({ sentAt: Date.now(), ok, ...describe(data) });
        return ok;
      };
    }
  });
}

/** The probe's log in `page` (see `installDeliveryProbe`). */
export const probeLog = (page) => page.evaluate(() => JSON.parse(JSON.stringify(window.__tmProbe || { fetches: [], beacons: [] })));

/** Waits (real time) until no batch `fetch` of `page` is in flight; returns the probe log. */
export async function settled(page, timeoutMs = 10_000) {
  const log = await pollUntil(async () => {
    const l = await probeLog(page);
    return l.fetches.every((f) => f.settled) ? l : null;
  }, { timeoutMs });
  if (!log) throw new Error("a batch request of the page was still in flight after " + timeoutMs + " ms");
  return log;
}

/**
 * Drives the page clock (installed with `clock.install` and paused) in `stepMs` steps, letting
 * every batch request settle before each step, until `done()` holds or `maxFakeMs` of page time
 * has passed. Returns whether `done()` held. Backoff and Retry-After then cost no real time.
 */
export async function driveClock(page, done, { stepMs = 250, maxFakeMs = 120_000, settleMs = 10_000 } = {}) {
  for (let spent = 0; ; spent += stepMs) {
    await settled(page, settleMs);
    if (await done()) return true;
    if (spent >= maxFakeMs) return false;
    await page.clock.runFor(stepMs);
  }
}

/** Like `openPage`, but console messages also keep the URL they are about (`url`). */
export function watchPage(page) {
  const consoleMessages = [];
  const pageErrors = [];
  page.on("console", (m) => consoleMessages.push({ type: m.type(), text: m.text(), url: (m.location() && m.location().url) || "" }));
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  return { consoleMessages, pageErrors };
}

/**
 * Console errors other than Trailmark's own lines and the browser's network log for requests to
 * the collector ("Failed to load resource: ..." about `collectOrigin`, which injected faults and
 * offline mode cause by design).
 */
export function unexpectedConsoleErrors(messages, collectOrigin) {
  return messages.filter((m) => m.type === "error" && !m.text.startsWith("[trailmark]") &&
    !(/^Failed to load resource\b/.test(m.text) && (m.url.startsWith(collectOrigin) || /ERR_INTERNET_DISCONNECTED/.test(m.text))));
}

/**
 * What delivery costs, per 100 stored events: requests (from `/_control/stats`, faulted and
 * refused ones included) and bytes. The stats expose no byte counts, so bytes come from the
 * collector's request log (`in=` of every `POST /v1/batch`, exact wire bytes, retries included)
 * and from `batches.bytes` (stored batches only). "With gzip" is measured when the library sent
 * `Content-Encoding: gzip`; otherwise it is estimated by gzipping each stored batch rebuilt from
 * its events' `raw` JSON (same content, keys re-sorted by the collector). `logFrom`: a
 * `logMark(collector)` taken right after `/_control/reset`, so earlier tests' requests don't count.
 */
export async function deliveryCost(collector, { logFrom = 0 } = {}) {
  const { gzipSync } = await import("node:zlib");
  const stats = await collectorStats(collector);
  const wire = collector.log.join("").slice(logFrom).split("\n")
    .map((l) => l.match(/^\[collect\] POST \/v1\/batch (\d{3}|dropped) in=(\d+)/))
    .filter(Boolean)
    .map((m) => ({ status: m[1], bytes: Number(m[2]) }));
  const batches = collector.query("SELECT id, bytes, content_encoding FROM batches ORDER BY id");
  let storedBytes = 0, identityBytes = 0, gzipBytes = 0, gzipMeasured = 0;
  for (const b of batches) {
    storedBytes += b.bytes;
    const raws = collector.query(`SELECT raw FROM events WHERE batch_id=${Number(b.id)} ORDER BY id`).map((r) => r.raw);
    const rebuilt = Buffer.from('{"batch":[' + raws.join(",") + '],"sentAt":"2026-01-01T00:00:00.000Z","writeKey":"demo-write-key"}');
    if (/gzip/i.test(b.content_encoding || "")) {
      gzipMeasured++;
      gzipBytes += b.bytes;
      identityBytes += rebuilt.length;
    } else {
      identityBytes += b.bytes;
      gzipBytes += gzipSync(rebuilt, { level: 6 }).length;
    }
  }
  const per100 = (x) => (stats.events ? Math.round((x * 100 * 10) / stats.events) / 10 : NaN);
  const wireBytes = wire.reduce((s, r) => s + r.bytes, 0);
  const report = {
    events: stats.events,
    requests: stats.requests,
    faulted: stats.faulted,
    batches: stats.batches,
    statsExposeBytes: Object.keys(stats).some((k) => /byte/i.test(k)),
    requestsPer100: per100(stats.requests),
    wireBytesPer100: per100(wireBytes),
    storedBytesPer100: per100(storedBytes),
    identityBytesPer100: per100(identityBytes),
    gzipBytesPer100: per100(gzipBytes),
    gzip: gzipMeasured === batches.length && batches.length ? "measured" : gzipMeasured ? "partly measured" : "estimated (library sends identity)",
  };
  report.text =
    `${report.events} events: ${report.requestsPer100} requests/100 events (${report.requests} requests, ${report.faulted} faulted, ${report.batches} stored batches); ` +
    `bytes/100 events: ${report.wireBytesPer100} on the wire incl. retries, ${report.identityBytesPer100} without gzip, ` +
    `${report.gzipBytesPer100} with gzip [${report.gzip}]` + (report.statsExposeBytes ? "" : "; /_control/stats has no byte counters (bytes from the collector log and batches table)");
  return report;
}

/** The current length of the collector's log, for `deliveryCost(collector, { logFrom })`. */
export const logMark = (collector) => collector.log.join("").length;

// ---------------------------------------------------------------------------------------------
// Consent and config-variant helpers (tests/e2e/consent.test.mjs, the delivery cost test).
// Additive: nothing above depends on them.

const CLI = join(ROOT, "target/release/trailmark");

/**
 * The compiled config (`{"trailmark":"compiled",...}`) of a config object, written by the real
 * `trailmark build` (the CLI binary: `cargo build --release --bin trailmark`). Throws with the
 * CLI's message when the config has errors.
 */
export function compileConfig(config) {
  if (!existsSync(CLI)) throw new Error("build the CLI first: cargo build --release --bin trailmark");
  const dir = mkdtempSync(join(tmpdir(), "trailmark-config-"));
  const file = join(dir, "trailmark.json");
  writeFileSync(file, JSON.stringify(config));
  return execFileSync(CLI, ["build", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * Serves every compiled-config request of `target` (a page or a browser context) as the demo
 * config (`trailmark.json` as the collector serves it, its `{{COLLECTOR_ORIGIN}}` already
 * substituted) changed by `edit(config)` (which may mutate it or return a new object), compiled
 * by the real CLI. Reloads get the variant too. Returns a function that removes the route.
 */
export async function routeConfig(target, edit) {
  const handler = async (route) => {
    const res = await route.fetch({ url: route.request().url().replace(/\.compiled\.json$/, ".json") });
    const config = await res.json();
    const changed = edit(config) ?? config;
    await route.fulfill({ status: 200, contentType: "application/json", body: compileConfig(changed) });
  };
  await target.route("**/trailmark.compiled.json", handler);
  // While any route is active, Playwright answers CORS preflights itself (they never reach the
  // collector): measurements that count preflights unroute once the config has been served.
  return () => target.unroute("**/trailmark.compiled.json", handler);
}

/**
 * Records, in sessionStorage (so the log survives reloads of the tab, the unloading page's
 * pagehide beacon included), every attempt of a page of `context` to send a batch to
 * `/v1/batch`: `{ via: "fetch" | "beacon", at, path }`. Read it with `sendLog(page)`. Written
 * synchronously at the moment of the call, before the request leaves: an empty log means the
 * library never tried to send anything, whatever happened on the network afterwards.
 */
export async function installSendLog(context) {
  await context.addInitScript(() => {
    const KEY = "__tmSendLog";
    const isBatch = (u) => {
      try {
        const href = typeof u === "string" ? u : (u && u.url) || String(u);
        return new URL(href, location.href).pathname.endsWith("/v1/batch");
      } catch (_) { return false; }
    };
    const note = (via) => {
      try {
        const log = JSON.parse(sessionStorage.getItem(KEY) || "[]");
        log.push({ via, at: Date.now(), path: location.pathname });
        sessionStorage.setItem(KEY, JSON.stringify(log));
      } catch (_) { /* storage unavailable: the collector's counters still tell */ }
    };
    const realFetch = window.fetch;
    window.fetch = function (input) {
      if (isBatch(input)) note("fetch");
      return realFetch.apply(this, arguments);
    };
    const realBeacon = navigator.sendBeacon;
    if (typeof realBeacon === "function") {
      navigator.sendBeacon = function (url) {
        if (isBatch(url)) note("beacon");
        return realBeacon.apply(navigator, arguments);
      };
    }
  });
}

/** The send log of `page`'s tab (see `installSendLog`). */
export const sendLog = (page) => page.evaluate(() => JSON.parse(sessionStorage.getItem("__tmSendLog") || "[]"));

/**
 * What the collector's request log says about `/v1/batch` since `logFrom` (a `logMark`):
 * every `POST` with its status and `in=` (the request body as read off the socket after HTTP
 * framing, before any `Content-Encoding` is decoded: the bytes as sent, gzipped when gzipped;
 * headers not included), and how many CORS preflights (`OPTIONS`) there were.
 */
export function batchRequests(collector, { logFrom = 0 } = {}) {
  const lines = collector.log.join("").slice(logFrom).split("\n");
  const posts = lines
    .map((l) => l.match(/^\[collect\] POST \/v1\/batch (\d{3}|dropped) in=(\d+)/))
    .filter(Boolean)
    .map((m) => ({ status: m[1], bytes: Number(m[2]) }));
  const preflights = lines.filter((l) => /^\[collect\] OPTIONS \/v1\/batch\b/.test(l)).length;
  return { posts, preflights, bytes: posts.reduce((s, p) => s + p.bytes, 0) };
}

/**
 * The outcome events the renderer records when a block is seen or used (`Block Viewed` once half
 * of a slot's block was visible for a second, ...). Their timing depends on the page's layout,
 * so tests about other things leave them out of their exact lists (`WHERE ${NOT_OUTCOME}`);
 * overlays.test.mjs checks them exactly.
 */
// `Experiment Viewed` (a rule's experiment or the holdout, exposed when its slot is seen) comes
// with a `Block Viewed`, with the same layout-dependent timing; experiments.test.mjs checks it.
export const OUTCOME_EVENTS = ["Block Viewed", "Block Clicked", "Block Dismissed", "Offer Accepted", "Experiment Viewed"];
export const NOT_OUTCOME = `(event IS NULL OR event NOT IN (${OUTCOME_EVENTS.map((e) => `'${e}'`).join(", ")}))`;
