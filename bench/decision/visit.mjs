// One measured visit pair: a cold visit (a new browser context: empty HTTP and code caches, a
// new renderer process, the primed visitor's storage) and the warm visit that follows it in the same context (the
// second navigation: its cache revalidates with 304s, storage is what the first visit left).
import { throttle } from "./conditions.mjs";
import { readVisit, recordDecisions } from "./decision-observer.mjs";
import { STORE_PATH, SLOTS } from "./rules.mjs";

const DECISION_TIMEOUT_MS = 30_000;
// Between the two visits the shopper stays on the page a moment: its load finishes and the
// library's deferred work (stored profile, cached config, compiled code) can happen.
export const DWELL_MS = 1000;

/** Navigates `page` to `url` and waits for the observer's `ttd:decided` (see decision-observer.mjs). */
export async function untilDecided(page, url, waitUntil = "commit") {
  const decided = page.waitForEvent("console", { predicate: (m) => m.text() === "ttd:decided", timeout: DECISION_TIMEOUT_MS })
    .then(() => true, () => false);
  await page.goto(url, { waitUntil });
  if (!(await decided)) {
    const slots = await page.evaluate(() => window.__ttd.slots).catch(() => ({}));
    throw new Error(`no decision on ${url} within ${DECISION_TIMEOUT_MS} ms (slots decided: ${JSON.stringify(slots)})`);
  }
}

async function measure(page, url) {
  await untilDecided(page, url);
  return page.evaluate(readVisit);
}

/**
 * Visits the store of `site` (at `origin`) cold then warm under `condition`, as the visitor
 * `storageState`.
 * Returns `{ cold, warm }`, each what readVisit reports.
 */
export async function visitPair(browser, origin, condition, storageState) {
  const context = await browser.newContext({ storageState });
  try {
    await context.addInitScript(recordDecisions, SLOTS.length);
    const page = await context.newPage();
    await throttle(page, condition);
    const url = origin + STORE_PATH;
    const cold = await measure(page, url);
    await page.waitForLoadState("load");
    await page.waitForTimeout(DWELL_MS);
    const warm = await measure(page, url);
    return { cold, warm };
  } finally {
    await context.close();
  }
}
