// The five bucketing sections of GrowthBook's conformance suite (tests/fixtures/growthbook/
// cases.json, MIT, see the LICENSE beside it), checked through the JavaScript-facing functions of
// the tools chunk (hash, getBucketRanges, chooseVariation, getEqualWeights, inNamespace). One
// checker for every place they run: node (tests/tools_bucketing.test.mjs) and a real page in
// Chromium (tests/e2e/bucketing.test.mjs). `call(name, args)` calls the tools chunk's function
// `name` (sync or async) and returns its result as plain values (typed arrays as arrays).

/** The sections and how many cases each has in the suite. */
export const SECTIONS = { hash: 15, getBucketRange: 13, chooseVariation: 13, getEqualWeights: 6, inNamespace: 16 };

// GrowthBook's own tests compare ranges and weights after this rounding.
const floor8 = (x) => Math.floor(x * 1e8) / 1e8;
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** One case of `section`: null when it passes, else what went wrong. */
const CHECKS = {
  // [seed, value, version, expected or null]
  hash: async (call, [seed, value, version, expected]) => {
    const got = await call("hash", [seed, value, version]);
    return got === (expected ?? undefined) ? null : `hash(${seed}, ${value}, ${version}) = ${got}`;
  },
  // [name, [numVariations, coverage, weights or null], expected ranges]
  getBucketRange: async (call, [name, [n, coverage, weights], expected]) => {
    const got = [...(await call("getBucketRanges", [n, coverage, weights]))].map((r) => [...r].map(floor8));
    return same(got, expected) ? null : `${name}: ${JSON.stringify(got)}`;
  },
  // [name, n, ranges, expected index]
  chooseVariation: async (call, [name, n, ranges, expected]) => {
    const got = await call("chooseVariation", [n, ranges]);
    return got === expected ? null : `${name}: ${got}`;
  },
  // [numVariations, expected]
  getEqualWeights: async (call, [n, expected]) => {
    const got = [...(await call("getEqualWeights", [n]))].map(floor8);
    return same(got, expected) ? null : `${n}: ${JSON.stringify(got)}`;
  },
  // [name, id, [namespace, start, end], expected]
  inNamespace: async (call, [name, id, namespace, expected]) => {
    const got = await call("inNamespace", [id, namespace]);
    return got === expected ? null : `${name}: ${got}`;
  },
};

/** The failures of `section` of `suite` (every case checked, in order). */
export async function failuresOf(section, suite, call) {
  const failures = [];
  for (const c of suite[section]) {
    const f = await CHECKS[section](call, c);
    if (f !== null) failures.push(f);
  }
  return failures;
}
