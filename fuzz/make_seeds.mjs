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

// template_parse: template text, NUL, attributes, NUL, a compiled template's bytes.
const fill = read("tests/fixtures/templates/fill.json");
const templateErrors = read("tests/fixtures/templates/errors.json");
const attrsOf = (c) => (c.attributes === undefined ? fill.base : c.attributes === null || typeof c.attributes != "object" ? c.attributes : { ...fill.base, ...c.attributes });
// The program format (src/template/wire.rs): varints, strings as length and UTF-8; a part is
// its kind, the number of a relative amount, its texts ([text, other, path, else?]) and the
// names of its path.
const varint = (n) => { const out = []; do { out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0)); n = Math.floor(n / 128); } while (n > 0); return out; };
const str = (s) => { const b = Buffer.from(s); return [...varint(b.length), ...b]; };
const list = (items) => [...varint(items.length), ...items.flatMap(str)];
const part = (kind, below, texts, names) => [kind, ...varint(below), ...list(texts), ...list(names)];
write("template_parse", [
  ...fill.cases.map((c) => Buffer.concat([Buffer.from(c.text), nul, Buffer.from(JSON.stringify(attrsOf(c)))])),
  ...templateErrors.cases.map((c) => Buffer.from(c.text)),
  // "You're {{ 5000 - cart.value | money }} away", compiled.
  Buffer.concat([Buffer.from("x"), nul, nul, Buffer.from([3, ...part(0, 0, ["You're "], []),
    ...part(3 + 8, 5000, ["", "cart.currency", "cart.value"], ["cart", "value"]), ...part(0, 0, [" away"], [])])]),
  // "{{ cart.count | plural: 'item', 'items' | else: 'none' }}{{ traits.firstName }}{{ cart.value | money: 'EUR' }}", compiled.
  Buffer.concat([Buffer.from("x"), nul, Buffer.from(JSON.stringify(fill.base)), nul, Buffer.from([3,
    ...part(4, 0, ["item", "items", "cart.count", "none"], ["cart", "count"]),
    ...part(1, 0, ["", "", "traits.firstName"], ["traits", "firstName"]),
    ...part(3, 0, ["EUR", "", "cart.value"], ["cart", "value"])])]),
]);
