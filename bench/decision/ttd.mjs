// Time to decision: `runs` cold+warm visit pairs per library and condition, Trailmark and
// GrowthBook interleaved run by run (and which one goes first alternates, so a slow moment of
// the machine does not always fall on the same library). Every visit must show the expected
// blocks, with the same text for both libraries: a benchmark of wrong answers is worthless.
import { CONDITIONS } from "./conditions.mjs";
import { expected } from "./rules.mjs";
import { int, ratio, summary, table } from "./stats.mjs";
import { visitPair } from "./visit.mjs";

export const PHASES = ["cold", "warm"];

/**
 * What each visit is scored on, one entry per column group of the report. A later measure
 * taken on these same visits is one more entry here plus the field readVisit
 * (decision-observer.mjs) reports for it; the tables and the summary follow. (CLS is not: it
 * needs its own page, whose blocks differ in height from the defaults, and its own visits;
 * see cls.mjs.)
 */
export const METRICS = [
  {
    id: "ttd", label: "time to decision", unit: "ms", format: int,
    read: (visit) => visit.decidedAt,
    // Trailmark's median at most this many times GrowthBook's.
    target: { cold: 1.25, warm: 1.0 },
  },
];

/** Checks a visit's blocks against the expectation and the other library's text. */
export function checkAgreement(visit, reference, where) {
  for (const [slot, block] of Object.entries(expected)) {
    const got = visit.slots[slot];
    if (!got || got.block !== block) throw new Error(`${where}: slot ${slot} shows ${got ? got.block : "nothing"}, expected ${block}`);
    if (reference[slot] === undefined) reference[slot] = got.text;
    else if (reference[slot] !== got.text) throw new Error(`${where}: slot ${slot} text differs between libraries:\n  ${JSON.stringify(got.text)}\n  ${JSON.stringify(reference[slot])}`);
  }
}

/**
 * Runs the visits. `libs`: [{ site, origin, state }] (state: the primed visitor). Returns
 * `visits[condition.id][lib.site.short][phase]` = list of readVisit reports.
 */
export async function runTimeToDecision(browser, libs, { runs, conditions = CONDITIONS, log = () => {} }) {
  const visits = {};
  const reference = {};
  for (const c of conditions) {
    visits[c.id] = {};
    for (const l of libs) visits[c.id][l.site.short] = { cold: [], warm: [] };
  }
  for (let run = 0; run < runs; run++) {
    for (const c of conditions) {
      const order = run % 2 ? [...libs].reverse() : libs;
      for (const l of order) {
        const pair = await visitPair(browser, l.origin, c, l.state);
        for (const phase of PHASES) {
          checkAgreement(pair[phase], reference, `${l.site.name}, ${c.label}, ${phase}, run ${run + 1}`);
          visits[c.id][l.site.short][phase].push(pair[phase]);
        }
      }
    }
    log(`  run ${run + 1}/${runs} done`);
  }
  return visits;
}

/** The results table: per condition and phase, each library's median (p25-p75), the ratio, the verdict. */
export function ttdTable(visits, libs, conditions = CONDITIONS) {
  const [tm, gb] = libs.map((l) => l.site.short);
  const rows = [];
  const verdicts = [];
  for (const m of METRICS) {
    for (const c of conditions) {
      for (const phase of PHASES) {
        const a = summary(visits[c.id][tm][phase].map(m.read));
        const b = summary(visits[c.id][gb][phase].map(m.read));
        const r = a.median / b.median;
        const limit = m.target[phase];
        const pass = r <= limit;
        verdicts.push({ metric: m.id, condition: c.id, phase, ratio: r, limit, pass });
        const cell = (s) => `${m.format(s.median)} (${m.format(s.p25)}-${m.format(s.p75)})`;
        rows.push([`${m.label} (${m.unit}), ${phase}, ${c.label}`, cell(a), cell(b), ratio(r), `<= ${limit.toFixed(2)}x`, pass ? "PASS" : "FAIL"]);
      }
    }
  }
  const n = visits[conditions[0].id][tm].cold.length;
  const header = [`median (p25-p75), ${n} runs each`, libs[0].site.name, libs[1].site.name, "ratio", "target", "verdict"];
  return { text: table(header, rows), verdicts };
}

/**
 * Where the time goes: for one library, per condition and phase, the median start and end of
 * each request (ms since navigation start; a 304 counts as its request) and the decision.
 */
export function chainTable(visits, lib, conditions = CONDITIONS) { // lib: { site, origin }
  const rows = [];
  for (const c of conditions) {
    for (const phase of PHASES) {
      const list = visits[c.id][lib.site.short][phase];
      const own = (r) => r.url.startsWith(lib.origin + "/"); // the collector's requests are not the page's
      const paths = [...new Set(list.flatMap((v) => v.resources.filter(own).map((r) => new URL(r.url).pathname)))];
      const pick = (v, p) => v.resources.find((r) => r.url.startsWith(lib.origin) && new URL(r.url).pathname === p);
      const parts = [`document ${int(summary(list.map((v) => v.document.responseEnd)).median)}`];
      for (const p of paths) {
        const hits = list.map((v) => pick(v, p)).filter(Boolean);
        if (!hits.length) continue;
        parts.push(`${p.split("/").pop()} ${int(summary(hits.map((h) => h.start)).median)}-${int(summary(hits.map((h) => h.end)).median)}`);
      }
      parts.push(`decided ${int(summary(list.map((v) => v.decidedAt)).median)}`);
      rows.push([`${phase}, ${c.label}`, parts.join(" | ")]);
    }
  }
  return table([`${lib.site.name}: median ms since navigation start`, "requests (start-end) and decision"], rows, "ll");
}
