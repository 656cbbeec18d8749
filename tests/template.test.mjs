// formatPieces (js/template.js) against exact strings: the `formatted` texts of the template
// fixtures (tests/fixtures/templates/fill.json, whose pieces tests/template_cases.rs checks the
// Rust fill produces), and the formatter's own cases: money in currencies of 0, 2 and 3 minor
// digits, negative and zero amounts, the locale fallback, malformed pieces, the output bound.
//
//   node --test tests/template.test.mjs      (no browser, no build)
//
// The expected strings are those of the ICU in Node 20 (and Chromium): de-DE puts a no-break
// space (U+00A0) before the currency, ja-JP writes yen as the full-width "￥".
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { formatPieces, MAX_TEXT } from "../js/template.js";

const fixture = JSON.parse(readFileSync(new URL("fixtures/templates/fill.json", import.meta.url), "utf8"));

test("the fixtures' pieces format to their exact texts", () => {
  let n = 0;
  const locales = new Set();
  for (const c of fixture.cases) {
    for (const [locale, want] of Object.entries(c.formatted || {})) {
      assert.equal(formatPieces(c.pieces, locale), want, `${c.name} (${locale})`);
      locales.add(locale);
      n++;
    }
  }
  assert.deepEqual([...locales].sort(), ["de-DE", "en-US", "fr-FR", "ja-JP"]);
  console.log(`templates (js): ${n} formatted fixture texts`);
});

const cases = [
  // [pieces, {locale: text}]
  // Money: minor units / 10^ISO digits, shown as Intl shows the currency in the locale.
  [[2, 1250, "USD"], { "en-US": "$12.50", "de-DE": "12,50\u00a0$", "ja-JP": "$12.50" }],
  [[2, 1250, "EUR"], { "en-US": "€12.50", "de-DE": "12,50\u00a0€", "ja-JP": "€12.50" }],
  [[2, 4500, "JPY"], { "en-US": "¥4,500", "de-DE": "4.500\u00a0¥", "ja-JP": "￥4,500" }],
  [[2, 12345, "KWD"], { "en-US": "KWD\u00a012.345", "de-DE": "12,345\u00a0KWD", "ja-JP": "KWD\u00a012.345" }],
  [[2, 5, "KWD"], { "en-US": "KWD\u00a00.005" }],
  // ISO digits, not Intl's: HUF and IDR are recorded in hundredths, IQD in thousandths.
  [[2, 150000, "HUF"], { "en-US": "HUF\u00a01,500", "de-DE": "1.500\u00a0HUF" }],
  [[2, 150000000, "IDR"], { "en-US": "IDR\u00a01,500,000" }],
  [[2, 1500000, "IQD"], { "en-US": "IQD\u00a01,500" }],
  [[2, 4500, "jpy"], { "en-US": "¥4,500" }],
  // Negative and zero amounts (the Rust fill clamps relative amounts at 0; a refund's revenue
  // can be negative).
  [[2, -1250, "USD"], { "en-US": "-$12.50", "de-DE": "-12,50\u00a0$", "ja-JP": "-$12.50" }],
  [[2, -1, "JPY"], { "en-US": "-¥1", "ja-JP": "-￥1" }],
  [[2, 0, "USD"], { "en-US": "$0.00", "de-DE": "0,00\u00a0$", "ja-JP": "$0.00" }],
  [[2, -0, "USD"], { "en-US": "$0.00", "de-DE": "0,00\u00a0$" }],
  [[2, 0, "KWD"], { "en-US": "KWD\u00a00.000" }],
  [[2, 0, "JPY"], { "en-US": "¥0", "ja-JP": "￥0" }],
  // Numbers.
  [[1, 1234567.891], { "en-US": "1,234,567.891", "de-DE": "1.234.567,891", "ja-JP": "1,234,567.891" }],
  [[1, -0], { "en-US": "0", "de-DE": "0" }],
  [[1, -2.5], { "en-US": "-2.5", "de-DE": "-2,5" }],
  [[1, 0.0001], { "en-US": "0" }],
  // Plurals by the locale's rules.
  [[3, 1, "item", "items"], { "en-US": "item", "de-DE": "item", "ja-JP": "items", "fr-FR": "item" }],
  [[3, 0, "item", "items"], { "en-US": "items", "fr-FR": "item" }],
  [[3, 1.5, "item", "items"], { "en-US": "items", "fr-FR": "item" }],
  [[3, 2, "item", "items"], { "en-US": "items", "fr-FR": "items" }],
  // Text is never interpreted.
  [[0, "<b>&amp;</b>", 0, "{{ cart.value }}"], { "en-US": "<b>&amp;</b>{{ cart.value }}" }],
  [[], { "en-US": "" }],
];

test("pieces format to their exact texts", () => {
  for (const [pieces, texts] of cases) {
    for (const [locale, want] of Object.entries(texts)) {
      assert.equal(formatPieces(pieces, locale), want, `${JSON.stringify(pieces)} (${locale})`);
    }
  }
});

test("a locale Intl refuses formats as the default locale", () => {
  const pieces = [0, "You're ", 2, 1250, "USD", 0, " away, ", 1, 1234.5, 0, " ", 3, 1, "item", "items"];
  const fallback = formatPieces(pieces, undefined);
  assert.equal(typeof fallback, "string");
  for (const bad of ["not a locale!", "en_US_x_", "", "x".repeat(300)]) {
    assert.equal(formatPieces(pieces, bad), fallback, JSON.stringify(bad));
  }
  // Locales and currencies in any order.
  for (let i = 0; i < 3; i++) {
    assert.equal(formatPieces([2, 100, "USD", 0, " ", 2, 100, "EUR", 0, " ", 1, 1000], "de-DE"), "1,00\u00a0$ 1,00\u00a0€ 1.000");
    assert.equal(formatPieces([2, 100, "USD", 0, " ", 1, 1000], "en-US"), "$1.00 1,000");
  }
});

test("malformed pieces give null, never a throw", () => {
  for (const bad of [
    null,
    undefined,
    [9, 1],
    [0],
    [0, 5],
    [2, 100],
    [2, 100, 7],
    [2, 100, "US"],
    [2, 100, "U$D"],
    [0, "ok", 4, 1],
    [3, 1n, "one", "other"],
  ]) {
    assert.equal(formatPieces(bad, "en-US"), null, String(bad));
  }
});

test("the output is bounded, and cut between characters", () => {
  assert.equal(MAX_TEXT, 8192);
  const long = formatPieces([0, "x".repeat(5000), 0, "y".repeat(5000)], "en-US");
  assert.ok(long === "x".repeat(5000) + "y".repeat(3192), "cut at MAX_TEXT");
  // A surrogate pair at the cut is dropped whole, not halved.
  const emoji = formatPieces([0, "a" + "😀".repeat(5000)], "en-US");
  assert.ok(emoji === "a" + "😀".repeat(4095), "cut between characters");
  // Many pieces stop once the bound is reached.
  const many = [];
  for (let i = 0; i < 100000; i++) many.push(1, 1e21);
  assert.equal(formatPieces(many, "en-US").length, MAX_TEXT);
  // Exactly the bound is not cut.
  assert.ok(formatPieces([0, "z".repeat(MAX_TEXT)], "en-US") === "z".repeat(MAX_TEXT), "not cut");
  // The largest numbers format in full.
  assert.equal(formatPieces([1, 1e308], "en-US"), "100" + ",000".repeat(102));
});

test("the minor-digit tables are the adapters' (amounts recorded one way, shown the same way)", () => {
  const grab = (file, name) => {
    const src = readFileSync(new URL(`../js/${file}`, import.meta.url), "utf8");
    const m = src.match(new RegExp(`const ${name} = (/[^/]+/);`));
    assert.ok(m, `${name} not found in ${file}`);
    return m[1];
  };
  for (const name of ["ZERO", "THREE"]) assert.equal(grab("template.js", name), grab("adapters.js", name));
});
