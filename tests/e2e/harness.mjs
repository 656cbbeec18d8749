// End-to-end harness: the real collector binary, real Chromium, the real SQLite file.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const ROOT = new URL("../../", import.meta.url).pathname;
const COLLECTOR = join(ROOT, "target/release/trailmark-collector");

/** Starts the collector on ephemeral loopback ports with a fresh database. */
export async function startCollector(extraArgs = []) {
  if (!existsSync(COLLECTOR)) throw new Error("build the collector first: cargo build --release -p trailmark-collector");
  const dir = mkdtempSync(join(tmpdir(), "trailmark-e2e-"));
  const db = join(dir, "events.sqlite");
  const child = spawn(COLLECTOR, [
    "--site-port", "0", "--collect-port", "0",
    "--www", join(ROOT, "www"), "--pkg", join(ROOT, "pkg"), "--db", db,
    "--write-key", "demo-write-key", ...extraArgs,
  ], { stdio: ["ignore", "pipe", "pipe"] });
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
      const res = await fetch(collectOrigin + path, { method: "POST", body: JSON.stringify(body ?? {}) });
      return res.json();
    },
    stop() { child.kill("SIGTERM"); },
  };
}

/** Launches the machine's Chromium headless (never a downloaded browser). */
export function launchBrowser() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
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
