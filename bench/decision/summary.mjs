// The summary block: one markdown table with every figure, its peer, the ratio and the verdict,
// ready to paste into the README (and written to target/bench-decision.md).
import { clsMarkdown } from "./cls.mjs";
import { METRICS, PHASES } from "./ttd.mjs";
import { LONG_TASK_MS } from "./trace.mjs";
import { TARGETS as TRACK } from "./track.mjs";
import { TARGET_BYTES } from "./memory.mjs";
import { int, mib, ratio, summary } from "./stats.mjs";

const verdict = (pass) => (pass === undefined ? "" : pass ? "PASS" : "FAIL");

/**
 * `r`: { header, libs, conditions, visits, cls, bytes, traces, track, memory, bytesTarget }
 * (parts may be missing). CLS has no peer ratio or target: its table (rows: library, snippet,
 * cold/warm; columns: conditions) follows the main one.
 */
export function summaryMarkdown(r) {
  const rows = [];
  const row = (what, tm, gb, rat, target, pass) => rows.push(`| ${what} | ${tm} | ${gb} | ${rat} | ${target} | ${verdict(pass)} |`);
  const [tm, gb] = r.libs.map((l) => l.site.short);
  if (r.visits) {
    const n = r.visits[r.conditions[0].id][tm].cold.length;
    for (const m of METRICS) {
      for (const phase of PHASES) {
        for (const c of r.conditions) {
          const a = summary(r.visits[c.id][tm][phase].map(m.read));
          const b = summary(r.visits[c.id][gb][phase].map(m.read));
          const x = a.median / b.median;
          row(`${m.label}, ${phase}, ${c.label} (${m.unit}, median of ${n}; p25-p75)`,
            `${m.format(a.median)} (${m.format(a.p25)}-${m.format(a.p75)})`, `${m.format(b.median)} (${m.format(b.p25)}-${m.format(b.p75)})`,
            ratio(x), `<= ${m.target[phase].toFixed(2)}x`, x <= m.target[phase]);
        }
      }
    }
  }
  if (r.bytes) {
    const [a, b] = r.bytes;
    row("bytes a first visit downloads (brotli; files, config, inline code)", int(a.total), int(b.total), ratio(a.total / b.total), `<= ${int(r.bytesTarget)}`, a.total <= r.bytesTarget);
  }
  if (r.traces) {
    const [a, b] = r.traces;
    row(`start-up, cold at 4x CPU: longest main-thread task running script or wasm (ms); such tasks over ${LONG_TASK_MS} ms`, `${int(a.longest)}; ${a.longCount}`, `${int(b.longest)}; ${b.longCount}`,
      ratio(a.longest / b.longest), `<= ${LONG_TASK_MS} ms`, a.longest <= LONG_TASK_MS);
  }
  if (r.track) {
    const t = r.track;
    row("track() p50 (µs per call, cross-origin-isolated page)", t.p50.toFixed(0), "", "", `<= ${TRACK.p50}`, t.p50 <= TRACK.p50);
    row("track() p99 (µs per call)", t.p99.toFixed(0), "", "", `<= ${TRACK.p99}`, t.p99 <= TRACK.p99);
    row("deferred main-thread work (µs per event)", t.deferred.toFixed(0), "", "", `<= ${TRACK.deferred}`, t.deferred <= TRACK.deferred);
  }
  for (const m of r.memory || []) {
    row(`wasm memory after ${m.events.toLocaleString("en-US")} events, ${m.cpu}x CPU (MiB)`, mib(m.end), "", "", `<= ${mib(TARGET_BYTES)}`, m.end <= TARGET_BYTES);
  }
  return [
    r.header,
    ...(rows.length ? ["", "| | Trailmark | GrowthBook | ratio | target | |", "|---|---:|---:|---:|---|---|", ...rows] : []),
    ...(r.cls ? ["", clsMarkdown(r.cls, r.libs, r.conditions)] : []),
  ].join("\n");
}
