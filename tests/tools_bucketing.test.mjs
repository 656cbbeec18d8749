// GrowthBook's conformance suite (tests/fixtures/growthbook/cases.json, MIT, see the LICENSE
// beside it), the five bucketing sections, through the JavaScript-facing functions of the built
// tools chunk (pkg/trailmark_tools.js: hash, getBucketRanges, chooseVariation, getEqualWeights,
// inNamespace), called with the suite's own JavaScript values, as a page calls them. The native
// (tests/conformance_bucketing.rs) and in-wasm (tests/wasm_conformance.rs) runs call the Rust
// functions; this one checks the bindings too. Each section prints its tally and must pass in
// full.
//
//   scripts/build --no-check && node --test tests/tools_bucketing.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as tools from "../pkg/trailmark_tools.js";

tools.initSync({ module: readFileSync(new URL("../pkg/trailmark_tools_bg.wasm", import.meta.url)) });
const suite = JSON.parse(readFileSync(new URL("fixtures/growthbook/cases.json", import.meta.url), "utf8"));

// GrowthBook's own tests compare ranges and weights after this rounding.
const floor8 = (x) => Math.floor(x * 1e8) / 1e8;
const ranges8 = (ranges) => [...ranges].map((r) => [...r].map(floor8));

/** Runs `check` (a description when a case fails) on every case of `section`, prints the tally. */
function run(section, count, check) {
  const cases = suite[section];
  assert.equal(cases.length, count, `${section}: the suite has ${cases.length} cases`);
  const failures = cases.map(check).filter((f) => f !== null);
  console.log(`${section}: ${cases.length - failures.length}/${cases.length} passed (tools chunk, from JavaScript)`);
  assert.deepEqual(failures, []);
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

test("hash", () =>
  // [seed, value, version, expected or null]
  run("hash", 15, ([seed, value, version, expected]) => {
    const got = tools.hash(seed, value, version);
    return got === (expected ?? undefined) ? null : `hash(${seed}, ${value}, ${version}) = ${got}`;
  }));

test("getBucketRange", () =>
  // [name, [numVariations, coverage, weights or null], expected ranges]
  run("getBucketRange", 13, ([name, [n, coverage, weights], expected]) => {
    const got = ranges8(tools.getBucketRanges(n, coverage, weights));
    return same(got, expected) ? null : `${name}: ${JSON.stringify(got)}`;
  }));

test("chooseVariation", () =>
  // [name, n, ranges, expected index]
  run("chooseVariation", 13, ([name, n, ranges, expected]) => {
    const got = tools.chooseVariation(n, ranges);
    return got === expected ? null : `${name}: ${got}`;
  }));

test("getEqualWeights", () =>
  // [numVariations, expected]
  run("getEqualWeights", 6, ([n, expected]) => {
    const got = [...tools.getEqualWeights(n)].map(floor8);
    return same(got, expected) ? null : `${n}: ${JSON.stringify(got)}`;
  }));

test("inNamespace", () =>
  // [name, id, [namespace, start, end], expected]
  run("inNamespace", 16, ([name, id, namespace, expected]) => {
    const got = tools.inNamespace(id, namespace);
    return got === expected ? null : `${name}: ${got}`;
  }));
