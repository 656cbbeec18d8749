// Writes the seed corpus fuzz/corpus/<target>/seed-NNN from the project's fixtures.
//
//   node fuzz/make_seeds.mjs
//
// Formats: see fuzz/harness.rs. libFuzzer's own discoveries go to fuzz/work/ (git-ignored), so
// the committed corpus stays these few dozen readable files.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const fuzz = dirname(fileURLToPath(import.meta.url));
const repo = join(fuzz, "..");
const read = (p) => JSON.parse(readFileSync(join(repo, p), "utf8"));

function write(target, inputs) {
  const dir = join(fuzz, "corpus", target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  inputs.forEach((buf, i) => writeFileSync(join(dir, `seed-${String(i).padStart(3, "0")}`), buf));
  console.log(`${target}: ${inputs.length} seeds`);
}

const every = (list, n) => list.filter((_, i) => i % Math.max(1, Math.floor(list.length / n)) === 0).slice(0, n);
const nul = Buffer.from([0]);

// regex_compile_match: flags byte, pattern, NUL, haystack.
const regex = (pattern, flags, hay) =>
  Buffer.concat([Buffer.from([flags === "i" ? 1 : 0]), Buffer.from(pattern), nul, Buffer.from(hay)]);
const cases = read("tests/fixtures/regex/cases.json");
const errors = read("tests/fixtures/regex/errors.json").filter(([p]) => p.length < 100);
write("regex_compile_match", [
  ...every(cases, 36).map(([p, f, h]) => regex(p, f, h)),
  ...every(errors, 10).map(([p, f]) => regex(p, f, "abc")),
  regex("(a*)*b", "", "a".repeat(200)),
  regex("^(?:[a-z0-9-]+\\.)*shop\\.example$", "i", "EU.Shop.Example"),
]);

// condition_eval: condition, NUL, attributes, NUL, saved groups.
const gb = read("tests/fixtures/growthbook/cases.json").evalCondition;
write("condition_eval", every(gb, 40).map(([, cond, attrs, , groups]) =>
  Buffer.concat([Buffer.from(JSON.stringify(cond)), nul, Buffer.from(JSON.stringify(attrs)), nul,
    Buffer.from(JSON.stringify(groups ?? {}))])));

// config_compile: the demo config and variations on it, valid and not.
const demo = read("www/trailmark.json");
const clone = (x) => JSON.parse(JSON.stringify(x));
const variants = [demo, {}, [], null, { version: 2 }, { version: 1 }];
const tweak = (f) => { const c = clone(demo); f(c); variants.push(c); };
tweak((c) => { c.consent = { required: true }; });
tweak((c) => { c.savedGroups = { vip: ["u1", "u2"] }; c.rules[0].if = { id: { $inGroup: "vip" } }; });
tweak((c) => { c.rules[1].if = { "page.path": { $regex: "(a" } }; });
tweak((c) => { c.rules[1].if = { "page.path": { $regexi: "(?=x)" } }; });
tweak((c) => { c.rules[0].show = "missing-block"; });
tweak((c) => { c.rules.push({ id: "x", slot: "hero", if: { $or: [{ "cart.value": { $gt: 40 } }, { $not: { device: "mobile" } }] }, show: "free-shipping-note" }); });
tweak((c) => { c.rules.push({ id: "home-hero-welcome", slot: "hero", show: "roaster-picks-hero" }); });
tweak((c) => { c.collector.url = "http://insecure.example/v1"; });
tweak((c) => { delete c.collector; });
tweak((c) => { c.collector = "nope"; });
tweak((c) => { c.blocks["free-shipping-note"].tag = "script"; });
tweak((c) => { c.blocks["free-shipping-note"].attrs = { onclick: "x()", href: "javascript:alert(1)" }; });
tweak((c) => { c.blocks.deep = { tag: "div", children: [{ tag: "div", children: [{ tag: "div", children: [{ tag: "p", text: "x" }] }] }] }; });
tweak((c) => { c.rules = {}; });
tweak((c) => { c.unknown = 1; c.rules[0].extra = true; });
tweak((c) => { c.rules[1].if = { $and: [{ "page.path": { $exists: true } }, { tags: { $elemMatch: { $eq: "x" } } }] }; });
tweak((c) => { c.rules[1].if = { version: { $vgt: "1.2.3" }, n: { $in: [1, "1", null] }, s: { $size: { $gte: 2 } } }; });
write("config_compile", variants.map((v) => Buffer.from(JSON.stringify(v, null, 1))));
