// Trailmark's experiment assignment against GrowthBook's own `run()` (@growthbook/growthbook,
// pinned in package.json), through the built tools chunk exactly as a page calls it
// (`assignVariations(rule, [{id, userId}, ...])` in pkg/trailmark_tools.js: `assignVariation`
// for many visitors of one rule): 100,000+ ids (ASCII,
// numbers, UUIDs, accents, CJK, emoji and other astral characters, the empty id) on experiments
// covering both hash versions, partial coverage, namespaces, uneven, partial and 20-way
// weights, custom seeds, the user id as hash attribute and its fallback to the anonymous id
// (which GrowthBook honours with a sticky bucket service). Every field GrowthBook reports that
// a rule can express must be identical: inExperiment, variationId, key, hashUsed,
// hashAttribute, hashValue, bucket. Prints the count.
//
//   scripts/build --no-check && node --test tests/experiments.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { GrowthBook, StickyBucketServiceSync } from "@growthbook/growthbook";
import * as tools from "../pkg/trailmark_tools.js";

const gbVersion = JSON.parse(
  readFileSync(new URL("../node_modules/@growthbook/growthbook/package.json", import.meta.url), "utf8"),
).version;
tools.initSync({ module: readFileSync(new URL("../pkg/trailmark_tools_bg.wasm", import.meta.url)) });

// ---------------------------------------------------------------------------------------------
// Ids: deterministic (a seeded xorshift), unique.

let state = 0x9e3779b9;
const rand = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
};
const pick = (s) => s[Math.floor(rand() * s.length)];
const hex = (n) => Array.from({ length: n }, () => pick("0123456789abcdef")).join("");
const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-${pick("89ab")}${hex(3)}-${hex(12)}`;
// Code points from the given ranges (never a lone surrogate: pages pass well-formed strings).
const fromRanges = (ranges, len) =>
  Array.from({ length: len }, () => {
    const [lo, hi] = pick(ranges);
    return String.fromCodePoint(lo + Math.floor(rand() * (hi - lo + 1)));
  }).join("");
const ACCENTED = [[0xc0, 0xff], [0x100, 0x17f]];
const CJK = [[0x4e00, 0x9fff], [0x3040, 0x30ff], [0xac00, 0xd7a3]];
const EMOJI = [[0x1f300, 0x1f5ff], [0x1f600, 0x1f64f], [0x1f900, 0x1f9ff], [0x20000, 0x2a6df]];
const ANY = [[0x20, 0x7e], ...ACCENTED, ...CJK, ...EMOJI, [0x0400, 0x04ff], [0x0600, 0x06ff]];

function makeIds() {
  const ids = new Set(["", " ", "0", "null", "undefined"]);
  const add = (n, make) => {
    for (let target = ids.size + n; ids.size < target; ) ids.add(make(ids.size));
  };
  add(10_000, (i) => String(i)); // short numeric ids, as in GrowthBook's own tests
  add(40_000, () => uuid()); // what Trailmark's anonymous ids are
  add(15_000, () => `${pick(["user", "shopper", "cust"])}-${Math.floor(rand() * 1e9)}@${pick(["example.com", "shop.test"])}`);
  add(10_000, () => `${pick(["josé", "Zoë", "François", "Ærøskøbing", "Łódź"])}-${fromRanges(ACCENTED, 6)}`);
  add(10_000, () => `${pick(["用户", "ユーザー", "사용자"])}${fromRanges(CJK, 1 + Math.floor(rand() * 8))}`);
  add(10_000, () => `${pick(["😀", "🛒", "🎉", "𠀋"])}${fromRanges(EMOJI, 1 + Math.floor(rand() * 5))}`);
  add(10_000, () => fromRanges(ANY, 1 + Math.floor(rand() * 24)));
  return [...ids];
}

// ---------------------------------------------------------------------------------------------
// Experiments, as Trailmark rules; each becomes a GrowthBook experiment below.

const v = (id, extra = {}) => ({ id, ...extra });
const rules = [
  { id: "v1-even", variants: [v("control"), v("b", { show: "x" })], experiment: { hashVersion: 1 } },
  { id: "v2-uneven", variants: [v("a", { weight: 0.2 }), v("b", { weight: 0.3 }), v("c", { weight: 0.5 })] },
  { id: "v2-coverage", variants: [v("a", { weight: 0.7 }), v("b", { weight: 0.3 })], experiment: { coverage: 0.6, seed: "cov-seed" } },
  {
    id: "v1-namespace",
    variants: [v("a"), v("b", { weight: 0.1 }), v("c", { weight: 0.4 }), v("d")],
    experiment: { key: "ns-exp", hashVersion: 1, coverage: 0.9, namespace: ["ns-a", 0.2, 0.7] },
  },
  { id: "v2-namespace", variants: [v("a"), v("b")], experiment: { seed: "🌱 seed é", namespace: ["ns-b", 0, 0.5] } },
  { id: "v2-tolerance", variants: [v("a", { weight: 0.495 }), v("b", { weight: 0.5 })], experiment: { key: "tolerance" } },
  { id: "v2-twenty", variants: Array.from({ length: 20 }, (_, i) => v(`v${i}`)), experiment: { coverage: 0.75 } },
  { id: "holdout-like", variants: [v("holdout", { weight: 0.05 }), v("personalized", { weight: 0.95 })], experiment: { key: "holdout", seed: "holdout-2026" } },
  { id: "user", variants: [v("a"), v("b"), v("c")], experiment: { hashAttribute: "userId", hashVersion: 1 } },
  {
    id: "user-fallback",
    variants: [v("a", { weight: 0.25 }), v("b", { weight: 0.75 })],
    experiment: { hashAttribute: "userId", fallbackAttribute: "id", coverage: 0.8 },
  },
];

/** The weights Trailmark's compiler gives the variants (src/experiments/compile.rs). */
function weightsOf(variants) {
  const given = variants.map((x) => x.weight);
  const missing = given.filter((w) => w === undefined).length;
  if (missing === variants.length) return undefined; // GrowthBook's equal weights
  const total = given.filter((w) => w !== undefined).reduce((acc, w) => acc + w, 0);
  const rest = Math.max(1 - total, 0) / Math.max(missing, 1);
  return given.map((w) => (w === undefined ? rest : w));
}

/** The rule as a GrowthBook experiment: every setting explicit (run() defaults to v1). */
function growthbookExperiment(rule) {
  const e = rule.experiment ?? {};
  const exp = {
    key: e.key ?? rule.id,
    variations: rule.variants.map((_, i) => i),
    meta: rule.variants.map((x) => ({ key: x.id })),
    hashVersion: e.hashVersion ?? 2,
    hashAttribute: e.hashAttribute ?? "id",
  };
  for (const field of ["seed", "coverage", "namespace", "fallbackAttribute"]) {
    if (e[field] !== undefined) exp[field] = e[field];
  }
  const weights = weightsOf(rule.variants);
  if (weights) exp.weights = weights;
  return exp;
}

// GrowthBook applies `fallbackAttribute` only with a sticky bucket service; this one stores
// nothing (every id is new, so no sticky assignment could be found anyway).
class NoStickyBuckets extends StickyBucketServiceSync {
  getAssignmentsSync() {
    return null;
  }
  saveAssignmentsSync() {}
}

const FIELDS = ["inExperiment", "variationId", "key", "hashUsed", "hashAttribute", "hashValue", "bucket"];
const pickFields = (r) => Object.fromEntries(FIELDS.map((f) => [f, r[f]]));

test("every assignment matches GrowthBook's run()", () => {
  const ids = makeIds();
  assert.ok(ids.length >= 100_000, `${ids.length} ids`);
  const nonAscii = ids.filter((id) => /[^\x00-\x7f]/.test(id)).length;
  const astral = ids.filter((id) => /[\u{10000}-\u{10ffff}]/u.test(id)).length;
  assert.ok(nonAscii >= 30_000 && astral >= 10_000, `${nonAscii} non-ASCII, ${astral} astral`);
  const experiments = rules.map(growthbookExperiment);
  const sticky = new NoStickyBuckets();
  // Half the visitors are signed in, with a user id of their own (unique, also non-ASCII).
  const visitors = ids.map((id, n) => (n % 2 === 0 ? { id, userId: `u:${id}` } : { id, userId: null }));
  // Trailmark: each rule compiled once, every visitor assigned (assignVariations).
  const trailmark = rules.map((rule) => {
    const { results, diagnostics } = tools.assignVariations(rule, visitors);
    assert.deepEqual([...diagnostics], [], rule.id);
    return results;
  });
  let compared = 0;
  const mismatches = [];
  const inExperiment = new Array(rules.length).fill(0);
  for (const [n, visitor] of visitors.entries()) {
    const attributes = visitor.userId === null ? { id: visitor.id } : visitor;
    const gb = new GrowthBook({ attributes });
    const gbSticky = new GrowthBook({ attributes, stickyBucketService: sticky, stickyBucketAssignmentDocs: {} });
    for (const [i, rule] of rules.entries()) {
      const exp = experiments[i];
      const expected = pickFields((exp.fallbackAttribute ? gbSticky : gb).run(exp));
      const got = pickFields(trailmark[i][n]);
      compared++;
      if (got.inExperiment) inExperiment[i]++;
      if (JSON.stringify(got) !== JSON.stringify(expected) && mismatches.length < 10) {
        mismatches.push(`${rule.id} ${JSON.stringify(visitor.id)}: trailmark ${JSON.stringify(got)}, growthbook ${JSON.stringify(expected)}`);
      }
    }
  }
  console.log(
    `experiments: ${compared} assignments (${ids.length} ids: ${nonAscii} non-ASCII, ${astral} with astral characters; ` +
      `${rules.length} experiments) identical to @growthbook/growthbook ${gbVersion} run(), ${mismatches.length} different`,
  );
  console.log(`experiments: in the experiment per rule: ${rules.map((r, i) => `${r.id} ${inExperiment[i]}`).join(", ")}`);
  assert.deepEqual(mismatches, []);
  // Each experiment really splits: some ids in, some out where coverage or a namespace applies.
  for (const [i, count] of inExperiment.entries()) assert.ok(count > 1000, `${rules[i].id}: ${count} in`);
  assert.ok(inExperiment[2] < ids.length * 0.7 && inExperiment[4] < ids.length * 0.6);
});

test("one visitor: the same answer as GrowthBook's run()", () => {
  const rule = rules[1];
  const got = tools.assignVariation(rule, { id: "visitor-1" });
  const expected = new GrowthBook({ attributes: { id: "visitor-1" } }).run(growthbookExperiment(rule));
  assert.deepEqual(pickFields(got), pickFields(expected));
  assert.deepEqual([...got.diagnostics], []);
});

test("an invalid rule answers with its diagnostics, never throws", () => {
  const r = tools.assignVariation({ id: "r", variants: [{ id: "only" }], experiment: { hashVersion: 3 } }, { id: "1" });
  assert.equal(r.inExperiment, false);
  assert.deepEqual(
    [...r.diagnostics].map((d) => [d.code, d.path]),
    [
      ["experiments/too-few-variants", "/variants"],
      ["experiments/bad-hash-version", "/experiment/hashVersion"],
    ],
  );
  assert.equal(tools.assignVariation(null, null).inExperiment, false);
  assert.deepEqual([...tools.assignVariations({ id: "r" }, "not a list").results], []);
});
