// Layout shift (CLS) of a decision (issue 14, item 9): how much the page moves when a library
// puts blocks whose height differs from the slots' default content, with and without the
// README's no-flicker snippet, cold and warm, in the time-to-decision conditions.
//
// The page is the store page's CLS variant (clsStorePage in pages.mjs): the hero's default is
// one line and its block 300 px tall; the promo's default is three lines in a padded box and
// its block one line; the note's block is shorter than its default too. Each library serves it
// at one path per variant (sites.mjs), on the same origin, with the same primed visitor, as
// the time-to-decision page:
//   plain    the page as is;
//   snippet  the no-flicker rule in the page's stylesheet and `data-trailmark-pending` on every
//            slot (Trailmark's render removes it; the GrowthBook page's growthbook-reveal.js does
//            the same after its renderer);
//   bar      Trailmark only: plain, with one more rule that shows a bar-top overlay. An overlay is
//            position: fixed, so its CLS should be plain's.
//
// Each visit records `layout-shift` entries from navigation start (a buffered
// PerformanceObserver installed before any page script, layout-shift-observer.mjs) and sums
// those without recent input up to SETTLE_MS after the decision (for `bar`, after the bar too).
// That sum is the page's CLS as web-vitals reports it whenever the shifts fall in one session
// window (gaps under 1 s, 5 s at most), which a page load to its decision does. Visits are
// cold and warm pairs as in visit.mjs, the runs interleave libraries and variants, and every
// visit must show the expected blocks (ttd.mjs's check).
import { CONDITIONS, throttle } from "./conditions.mjs";
import { recordDecisions } from "./decision-observer.mjs";
import { readLayoutShifts, recordLayoutShifts } from "./layout-shift-observer.mjs";
import { SLOTS, STORE_PATH } from "./rules.mjs";
import { int, summary, table } from "./stats.mjs";
import { PHASES, checkAgreement } from "./ttd.mjs";
import { DWELL_MS, untilDecided } from "./visit.mjs";

/** How long after the decision shifts still count. */
export const SETTLE_MS = 500;

export const CLS_VARIANTS = [
  { id: "plain", label: "no snippet", snippet: false, libs: ["trailmark", "growthbook"] },
  { id: "snippet", label: "snippet", snippet: true, libs: ["trailmark", "growthbook"] },
  { id: "bar", label: "no snippet, + a bar-top rule", snippet: false, bar: true, libs: ["trailmark"] },
];

/** Where a site serves the CLS page of `variant`. */
export const clsPath = (variant) => `/cls/${variant.id}${STORE_PATH}`;

const BAR_TIMEOUT_MS = 15_000;

/** A cold and a warm visit to `url` (as visitPair in visit.mjs), each read by readLayoutShifts. */
async function clsVisitPair(browser, url, condition, storageState, variant) {
  const context = await browser.newContext({ storageState });
  try {
    await context.addInitScript(recordDecisions, SLOTS.length);
    await context.addInitScript(recordLayoutShifts);
    const page = await context.newPage();
    await throttle(page, condition);
    const measure = async () => {
      await untilDecided(page, url);
      if (variant.bar) {
        await page.waitForFunction(() => window.__cls.overlayAt !== null, null, { timeout: BAR_TIMEOUT_MS })
          .catch(() => { throw new Error(`${url}: the bar-top overlay did not show within ${BAR_TIMEOUT_MS} ms`); });
      }
      const visit = await page.evaluate(readLayoutShifts, SETTLE_MS);
      if (!visit.supported) throw new Error("this Chromium reports no layout-shift entries");
      return visit;
    };
    const cold = await measure();
    await page.waitForLoadState("load");
    await page.waitForTimeout(DWELL_MS);
    const warm = await measure();
    return { cold, warm };
  } finally {
    await context.close();
  }
}

/** The rows of the report: each library with each of its variants. */
export function clsRows(libs) {
  return libs.flatMap((l) => CLS_VARIANTS.filter((v) => v.libs.includes(l.site.short)).map((v) => ({ lib: l, variant: v })));
}

/**
 * Runs the visits. `libs`: [{ site, origin, state }] as for runTimeToDecision. Returns
 * `cls[condition.id][lib.site.short][variant.id][phase]` = list of readLayoutShifts reports.
 */
export async function runCls(browser, libs, { runs, conditions = CONDITIONS, log = () => {} }) {
  const rows = clsRows(libs);
  const cls = {};
  for (const c of conditions) {
    cls[c.id] = {};
    for (const { lib, variant } of rows) ((cls[c.id][lib.site.short] ??= {})[variant.id] = { cold: [], warm: [] });
  }
  const reference = {};
  for (let run = 0; run < runs; run++) {
    for (const c of conditions) {
      // Which page goes first rotates run by run.
      const order = rows.map((_, i) => rows[(i + run) % rows.length]);
      for (const { lib, variant } of order) {
        const pair = await clsVisitPair(browser, lib.origin + clsPath(variant), c, lib.state, variant);
        for (const phase of PHASES) {
          checkAgreement(pair[phase], reference, `CLS page, ${lib.site.name}, ${variant.label}, ${c.label}, ${phase}, run ${run + 1}`);
          cls[c.id][lib.site.short][variant.id][phase].push(pair[phase]);
        }
      }
    }
    log(`  CLS run ${run + 1}/${runs} done`);
  }
  return cls;
}

/**
 * The page without any library (its scripts refused), plain and with the snippet: the slots'
 * default heights, and the CLS the page has by itself (the harness's zero). `lib`: Trailmark's
 * { site, origin, state }; its CLS pages are used with /trailmark/ blocked.
 */
export async function clsBaseline(browser, lib) {
  const out = {};
  for (const variant of CLS_VARIANTS.filter((v) => !v.bar)) {
    const context = await browser.newContext({ storageState: lib.state });
    try {
      await context.route("**/trailmark/**", (route) => route.abort());
      await context.addInitScript(recordLayoutShifts);
      const page = await context.newPage();
      await page.goto(lib.origin + clsPath(variant), { waitUntil: "load" });
      out[variant.id] = await page.evaluate(readLayoutShifts, 1000);
    } finally {
      await context.close();
    }
  }
  return out;
}

const score = (n) => (Number.isFinite(n) ? n.toFixed(3) : "-");
const cellOf = (list) => {
  const s = summary(list.map((v) => v.cls));
  return `${score(s.median)} (${score(s.p25)}-${score(s.p75)})`;
};
const rowName = ({ lib, variant }, phase) => `${lib.site.name}, ${variant.label}, ${phase}`;

/** The report: CLS per row and condition; then when things happened; then what moved. */
export function clsReport(cls, libs, conditions, baseline) {
  const rows = clsRows(libs);
  const list = (c, r, phase) => cls[c.id][r.lib.site.short][r.variant.id][phase];
  const n = list(conditions[0], rows[0], "cold").length;
  const lines = [];
  const header = [`CLS to ${SETTLE_MS} ms after the decision: median (p25-p75) of ${n}`, ...conditions.map((c) => c.label)];
  const body = [];
  const timing = [];
  for (const r of rows) {
    for (const phase of PHASES) {
      body.push([rowName(r, phase), ...conditions.map((c) => cellOf(list(c, r, phase)))]);
      timing.push([rowName(r, phase), ...conditions.map((c) => {
        const l = list(c, r, phase);
        const med = (f) => int(summary(l.map(f)).median);
        return `${med((v) => v.fcp)} / ${med((v) => v.decidedAt)}` + (r.variant.bar ? ` / ${med((v) => v.overlayAt)}` : "") +
          `; ${l.filter((v) => v.cls === 0).length}` + (r.variant.snippet ? `; ${l.filter((v) => v.revealAt !== null).length}` : "");
      })]);
    }
  }
  lines.push(table(header, body));
  lines.push("");
  lines.push(table([`median ms: FCP / decided (/ bar shown); visits of ${n} without a shift; (snippet) visits revealed first`, ...conditions.map((c) => c.label)], timing));
  lines.push("(a visit without a shift decided before its first frame; \"revealed first\": the snippet's 400 ms animation showed the slots, default content, before the decision)");
  const all = rows.flatMap((r) => conditions.flatMap((c) => PHASES.flatMap((p) => list(c, r, p))));
  const before = Math.max(...all.map((v) => v.beforeFill));
  const inputs = all.reduce((a, v) => a + v.excludedInput, 0);
  const vp = all[0].viewport;
  lines.push("");
  lines.push(`viewport ${vp.width}x${vp.height}; largest shift before a slot was filled, over all ${all.length} visits: ${score(before)}; shifts excluded for recent input: ${inputs}`);
  // The blocks' heights, from one visit; the defaults', from the page without a library.
  const h = all[0].heights;
  const d = baseline && baseline.plain.heights;
  lines.push("slot heights (px), default -> block: " + SLOTS.map((s) => `${s} ${d ? d[s] : "?"} -> ${h[s]}`).join(", "));
  if (baseline) {
    lines.push("the page without a library (its script refused), to 1 s after load: CLS " +
      CLS_VARIANTS.filter((v) => !v.bar).map((v) => `${score(baseline[v.id].cls)} (${v.label})`).join(", "));
  }
  // What moved: the shifts of the first cold visit of each library, in the last condition
  // (the slowest: the snippet's slots are revealed before the decision there), with and
  // without the snippet.
  const last = conditions[conditions.length - 1];
  for (const l of libs) for (const variant of CLS_VARIANTS.filter((x) => !x.bar)) {
    const v = cls[last.id][l.site.short][variant.id].cold[0];
    const moved = (x) => `${x.node} y ${x.from[0]}->${x.to[0]} h ${x.from[1]}->${x.to[1]}`;
    const shifts = v.shifts.map((s) => `${int(s.at)} ms ${score(s.value)} [${s.sources.map(moved).join(", ")}]`).join("; ");
    const reveal = variant.snippet ? (v.revealAt !== null ? `, revealed ${int(v.revealAt)} ms` : ", not revealed before") : "";
    lines.push(`${l.site.name}, ${variant.label}, cold, ${last.label}, run 1: FCP ${int(v.fcp)} ms${reveal}, decided ${int(v.decidedAt)} ms; shifts: ${shifts || "none"}`);
  }
  return lines.join("\n");
}

/** The CLS table in markdown, for the summary (rows: library, variant, phase; columns: conditions). */
export function clsMarkdown(cls, libs, conditions) {
  const rows = clsRows(libs);
  const n = cls[conditions[0].id][rows[0].lib.site.short][rows[0].variant.id].cold.length;
  const out = [
    `| CLS to ${SETTLE_MS} ms after the decision (median of ${n}; p25-p75) | ${conditions.map((c) => c.label).join(" | ")} |`,
    `|---|${conditions.map(() => "---:").join("|")}|`,
  ];
  for (const r of rows) {
    for (const phase of PHASES) {
      out.push(`| ${rowName(r, phase)} | ${conditions.map((c) => cellOf(cls[c.id][r.lib.site.short][r.variant.id][phase])).join(" | ")} |`);
    }
  }
  return out.join("\n");
}
