// The ready query of docs/experiments.md (docs/experiments.sql), run by the sqlite3 CLI over the
// SQLite file the real collector wrote from batches posted to it over HTTP (Segment's batch
// format, as Trailmark sends them, a retried batch included). The dataset is small and built so
// that every number of the expected output can be checked by hand (see the comments).
//
//   cargo build --release -p trailmark-collector && node --test tests/experiments_sql.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { execFileSync } from "node:child_process";
import { startCollector } from "./e2e/harness.mjs";

const QUERY = readFileSync(new URL("../docs/experiments.sql", import.meta.url), "utf8");
const T0 = Date.parse("2026-12-07T10:00:00.000Z");

let seq = 0;
/** A track event as Trailmark sends it, `minute` minutes after T0. */
const track = (anonymousId, event, properties, minute, messageId = `m-${++seq}`) => ({
  type: "track",
  event,
  properties,
  anonymousId,
  userId: null,
  messageId,
  timestamp: new Date(T0 + minute * 60_000).toISOString(),
  context: { library: { name: "trailmark", version: "0.1.0" }, tabId: `tab-${anonymousId}`, seq },
});
const viewed = (who, experiment, variation, minute, rule = "home-hero", slot = "hero") =>
  track(who, "Experiment Viewed", {
    experiment_id: experiment,
    experiment_name: experiment,
    variation_id: variation,
    variation_name: variation,
    rule,
    slot,
  }, minute);
const order = (who, orderId, revenue, minute) =>
  track(who, "Order Completed", { order_id: orderId, total: revenue + 5, revenue, currency: "USD" }, minute);
const range = (n, prefix) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

function dataset() {
  const events = [];
  // hero-test (control / big-banner, 50/50).
  // control: 40 visitors exposed at minute 10, the even ones again at minute 20 (counted once);
  // c0..c7 order at minute 30 (8 converted), c0 once more (9 orders); c8 and c9 ordered at
  // minute 5 only, before their exposure (not converted). Revenue 8 x 25 + 40 = 240.
  for (const c of range(40, "c")) {
    events.push(viewed(c, "hero-test", "control", 10));
    if (Number(c.slice(1)) % 2 === 0) events.push(viewed(c, "hero-test", "control", 20));
  }
  for (const c of range(8, "c")) events.push(order(c, `o-${c}`, 25, 30));
  events.push(order("c0", "o-c0-2", 40, 45));
  events.push(order("c8", "o-c8", 25, 5), order("c9", "o-c9", 25, 5));
  // big-banner: 36 visitors; b0..b11 order (12 converted, 12 x 30 = 360); b1's order is
  // re-sent with another messageId (the same order_id: counted once).
  for (const b of range(36, "b")) events.push(viewed(b, "hero-test", "big-banner", 12));
  for (const b of range(12, "b")) events.push(order(b, `o-${b}`, 30, 50));
  events.push(order("b1", "o-b1", 30, 51));
  // x0 saw both variations: left out of hero-test (excluded 1), even though they ordered.
  events.push(viewed("x0", "hero-test", "control", 10), viewed("x0", "hero-test", "big-banner", 15));
  events.push(order("x0", "o-x0", 99, 60));
  // Orders of visitors never exposed: in no experiment.
  for (const n of range(10, "n")) events.push(order(n, `o-${n}`, 10, 30));
  // The holdout, planned 5 % / 95 % (the query's planned table): 5 held out (h0 converts),
  // 95 personalized (p0..p18 convert, 19 x 25 = 475): exactly the plan, chi-square 0.
  for (const h of range(5, "h")) events.push(viewed(h, "holdout", "holdout", 8));
  for (const p of range(95, "p")) events.push(viewed(p, "holdout", "personalized", 8));
  events.push(order("h0", "o-h0", 25, 40));
  for (const p of range(19, "p")) events.push(order(p, `o-${p}`, 25, 40));
  // exit-offer, three variations planned equal: 60 / 20 / 20 exposures. Expected 100/3 each:
  // chi-square (80/3)^2/(100/3) + 2 (40/3)^2/(100/3) = 21.33 + 10.67 = 32.0 > 13.816 (2 df).
  for (const [variation, n] of [["a", 60], ["b", 20], ["c", 20]]) {
    for (const e of range(n, `e${variation}`)) events.push(viewed(e, "exit-offer", variation, 3, "exit", "exit-offer"));
  }
  return events;
}

let collector;
before(async () => {
  collector = await startCollector();
  const events = dataset();
  const post = (batch) =>
    fetch(collector.collect, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ batch, sentAt: new Date(T0 + 3_600_000).toISOString(), writeKey: "demo-write-key" }),
    }).then((r) => assert.equal(r.status, 200, "the collector accepts the batch"));
  for (let i = 0; i < events.length; i += 100) await post(events.slice(i, i + 100));
  // A retried batch (same messageIds): the collector stores nothing twice.
  await post(events.slice(0, 100));
  const stored = collector.query("SELECT COUNT(*) AS n FROM events")[0].n;
  assert.equal(stored, events.length);
});
after(() => {
  collector?.stop();
  if (collector) rmSync(dirname(collector.db), { recursive: true, force: true });
});

const run = (sql) => JSON.parse(execFileSync("sqlite3", ["-json", collector.db], { input: sql, encoding: "utf8" }) || "[]");
const row = (experiment_id, variation_id, exposed, converted, conversion_rate, orders, revenue, planned_share, expected_exposed, srm_chi2, srm, excluded) =>
  ({ experiment_id, variation_id, exposed, converted, conversion_rate, orders, revenue, planned_share, expected_exposed, srm_chi2, srm, excluded });

test("per variation: exposures, conversions, rate, orders, revenue and the sample-ratio check", () => {
  const rows = run(QUERY);
  console.log("experiments.sql:\n" + rows.map((r) => "  " + JSON.stringify(r)).join("\n"));
  assert.deepEqual(rows, [
    row("exit-offer", "a", 60, 0, 0.0, 0, 0, 0.3333, 33.33, 32.0, "SRM", 0),
    row("exit-offer", "b", 20, 0, 0.0, 0, 0, 0.3333, 33.33, 32.0, "SRM", 0),
    row("exit-offer", "c", 20, 0, 0.0, 0, 0, 0.3333, 33.33, 32.0, "SRM", 0),
    // (40 - 38)^2/38 + (36 - 38)^2/38 = 0.21
    row("hero-test", "big-banner", 36, 12, 0.3333, 12, 360, 0.5, 38.0, 0.21, "ok", 1),
    row("hero-test", "control", 40, 8, 0.2, 9, 240, 0.5, 38.0, 0.21, "ok", 1),
    row("holdout", "holdout", 5, 1, 0.2, 1, 25, 0.05, 5.0, 0.0, "ok", 0),
    row("holdout", "personalized", 95, 19, 0.2, 19, 475, 0.95, 95.0, 0.0, "ok", 0),
  ]);
});

test("a planned variation nobody saw is reported, and flags the sample ratio", () => {
  const start = QUERY.indexOf("-- planned:begin");
  const end = QUERY.indexOf("-- planned:end");
  assert.ok(start > 0 && end > start, "the planned table is marked");
  const edited =
    QUERY.slice(0, start) +
    "planned(experiment_id, variation_id, share) AS (\n  VALUES ('hero-test', 'control', 0.4), ('hero-test', 'big-banner', 0.4), ('hero-test', 'third', 0.2)\n),\n" +
    QUERY.slice(end);
  const hero = run(edited).filter((r) => r.experiment_id === "hero-test");
  // Expected 30.4, 30.4, 15.2 of 76: (36-30.4)^2/30.4 + (40-30.4)^2/30.4 + 15.2 = 19.26 > 13.816.
  assert.deepEqual(hero, [
    row("hero-test", "big-banner", 36, 12, 0.3333, 12, 360, 0.4, 30.4, 19.26, "SRM", 1),
    row("hero-test", "control", 40, 8, 0.2, 9, 240, 0.4, 30.4, 19.26, "SRM", 1),
    row("hero-test", "third", 0, 0, null, 0, 0, 0.2, 15.2, 19.26, "SRM", 1),
  ]);
});
