// Bytes a first visit downloads for each library, read from the network (the page's resource
// timing: the encoded, i.e. brotli, body size of every response), not from a list of files:
// whatever the install path makes the page load (script, glue, wasm, config, optional chunks)
// is counted. What the library puts inline in the page (GrowthBook's payload, state and
// renderer) is counted too: the document's encoded size minus that of the same page without
// the library's snippet, compressed the same way. Headers are not counted; neither are the
// collector's responses (to the library's events, not part of installing it).
import { brotli } from "./server.mjs";
import { storePage } from "./pages.mjs";
import { SLOTS, STORE_PATH } from "./rules.mjs";
import { readVisit, recordDecisions } from "./decision-observer.mjs";
import { int, table } from "./stats.mjs";

// After the decision, how long to keep listening for late requests (chunks loaded lazily).
const LATE_MS = 2000;

/** Brotli bytes of the store page with no library at all. */
export const bareDocumentBytes = () => brotli(storePage("")).length;

/** A cold visit of `origin` as the primed visitor; returns the responses that count. */
export async function firstVisitBytes(browser, { origin, state }) {
  const context = await browser.newContext({ storageState: state });
  try {
    await context.addInitScript(recordDecisions, SLOTS.length);
    const page = await context.newPage();
    await page.goto(origin + STORE_PATH, { waitUntil: "load" });
    await page.evaluate(() => window.__ttd.done);
    await page.waitForTimeout(LATE_MS);
    const visit = await page.evaluate(readVisit);
    const files = visit.resources
      .filter((r) => r.url.startsWith(origin + "/"))
      .map((r) => ({ path: new URL(r.url).pathname, type: r.type, bytes: r.encoded }));
    const other = visit.resources.filter((r) => !r.url.startsWith(origin + "/")).length;
    const inline = visit.document.encoded - bareDocumentBytes();
    return { files, inline, document: visit.document.encoded, other, total: inline + files.reduce((s, f) => s + f.bytes, 0) };
  } finally {
    await context.close();
  }
}

/** One table per library, and the Trailmark-to-GrowthBook ratio and the target. */
export function bytesReport(results, libs, target) {
  const lines = [];
  for (const [i, l] of libs.entries()) {
    const r = results[i];
    const rows = r.files.map((f) => [f.path, f.type, int(f.bytes)]);
    rows.push(["(inline in the page: document minus the bare page)", "document", int(r.inline)]);
    rows.push(["total", "", int(r.total)]);
    lines.push(table([`${l.site.name}: responses of a first visit`, "initiator", "brotli bytes"], rows));
    if (r.other) lines.push(`  (${r.other} request(s) to the collector not counted)`);
    lines.push("");
  }
  const [tm, gb] = results;
  lines.push(`bytes: Trailmark ${int(tm.total)}, GrowthBook ${int(gb.total)}, ratio ${(tm.total / gb.total).toFixed(2)}x; ` +
    `target Trailmark <= ${int(target)}: ${tm.total <= target ? "PASS" : "FAIL"}`);
  return { text: lines.join("\n"), pass: tm.total <= target };
}
