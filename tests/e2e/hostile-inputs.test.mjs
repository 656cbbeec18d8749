// The hostile-input suite, part 1: the corpus (tests/fixtures/hostile/payloads.json, 180
// script-injection and URL payloads) through every input a config, a page's calls and its URL
// give Trailmark, into every output: slots, the four overlay placements, the events the
// collector stores and its viewer. Real pages on the collector's loopback store (no CSP, so
// injected markup would run), real Chromium, the real collector.
//
// Every test asserts that nothing executed (the marker `__hostile(id)` never called, no dialog,
// no popup, no request beyond the page's, the package's and the collector's), then that the
// page still works (its own button, the `ok` slot rendered, a `track()` delivered). Payload
// counts per input are printed as test diagnostics.
//
//   node --test --test-concurrency=1 tests/e2e/hostile-inputs.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  PAYLOADS, MARKER, bytes, startHostile, inlineConfig, baseConfig, storePage, watchedContext,
  open, provoke, assertNothingRan, assertNoUncaught, assertOnlyExpectedRequests, assertPageWorks,
  trailmarkLines, checkViewer, protect, collectorQuiet,
} from "./hostile-kit.mjs";
import { compileConfig, OUTCOME_EVENTS as OUTCOME } from "./harness.mjs";

const TIMEOUT = { timeout: 60_000 };
let hostile;
before(async () => { hostile = await startHostile(); });
after(() => hostile?.stop());

/** `trailmark check --json` of a config: its diagnostics. */
function check(config) {
  const dir = mkdtempSync(join(tmpdir(), "trailmark-check-"));
  const file = join(dir, "c.json");
  writeFileSync(file, JSON.stringify(config));
  try {
    return JSON.parse(execFileSync(new URL("../../target/release/trailmark", import.meta.url).pathname, ["check", file, "--json"], { encoding: "utf8" }));
  } catch (e) {
    return JSON.parse(e.stdout);
  }
}

// ------------------------------------------------------------------------------- controls

test("positive control: on these pages the watchers see injected code run and foreign requests go out", TIMEOUT, async () => {
  const url = hostile.write("control.html", storePage({
    body: `<img src="data:," onerror="${MARKER}(0)"><script>alert(7)</script><img src="//evil.example/x.png">`,
  }));
  const { context, page, watch } = await watchedContext(hostile.browser);
  await open(page, url);
  await page.waitForFunction(() => true);
  for (let i = 0; i < 40 && watch.hits.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(watch.hits, [0]);
  assert.deepEqual(watch.dialogs, ["alert: 7"]);
  assert.throws(() => assertOnlyExpectedRequests(watch, hostile.collector, ["/control.html"]), /evil\.example/);
  await context.close();
});

// ------------------------------------------------------------------ config blocks -> slots

/** A clean collector for the next test: earlier pages' last beacons in first, then a reset. */
async function freshCollector() {
  await collectorQuiet(hostile.collector);
  await hostile.collector.control("/_control/reset");
}

test("config blocks: every payload as block and rule id, text, title, aria-label, alt, class, link target and rel, and (where the compiler allows) href, in 180 slots and the four overlay placements: shown as text, nothing runs", TIMEOUT, async (t) => {
  await freshCollector();
  const { collector } = hostile;
  // Which payloads the compiler takes as a link: relative ones and http(s)/mailto/tel; the
  // others (javascript:, data:, vbscript:, ...) must be refused with the exact path.
  const links = { version: 1, blocks: Object.fromEntries(PAYLOADS.map((p) => ["l" + p.id, { tag: "a", attrs: { href: p.payload } }])) };
  const refused = new Set(check(links).filter((d) => d.code === "blocks/unsafe-url").map((d) => Number(d.path.match(/^\/blocks\/l(\d+)\/attrs\/href$/)[1])));
  for (const p of PAYLOADS) {
    if (/^[\0-\x20]*j[\s\0]*a[\s\0]*v[\s\0]*a[\s\0]*s[\s\0]*c[\s\0]*r[\s\0]*i[\s\0]*p[\s\0]*t[\s\0]*:/i.test(p.payload)) assert.ok(refused.has(p.id), `javascript: link ${p.id} refused`);
  }

  // Block text is a template: `{{` opens a placeholder (README, "Personal text"), so a payload
  // with `{{` written raw is a config error, not text (checked here with the exact path), and
  // written as quoted text (`{{ '{{' }}`) it shows as it is.
  const templated = PAYLOADS.filter((p) => p.payload.includes("{{"));
  for (const p of templated) {
    const d = check({ version: 1, blocks: { b: { tag: "p", text: p.payload } } });
    assert.ok(d.some((x) => x.code.startsWith("templates/") && x.path === "/blocks/b/text"), `raw {{ in text refused: payload ${p.id}: ${JSON.stringify(d)}`);
  }
  const lit = (s) => s.split("{{").join("{{ '{{' }}");
  const blocks = Object.create(null); // a payload is "__proto__": an own key, like the others
  const rules = [];
  for (const { id, payload: p } of PAYLOADS) {
    blocks[p] = {
      tag: "section", class: p, attrs: { title: p, "aria-label": p },
      children: [
        { tag: "h2", text: lit(p) },
        { tag: "p", attrs: { title: p }, text: lit(p) },
        { tag: "img", attrs: { alt: p, title: p, width: p, height: p } },
        { tag: "a", attrs: { href: refused.has(id) ? "/safe.html" : p, title: p, target: p, rel: p }, text: lit(p) },
        { tag: "button", attrs: { "data-trailmark-action": p, "aria-label": p }, text: lit(p) },
      ],
    };
    rules.push({ id: p, slot: "s" + id, show: p });
  }
  // The overlays: each placement's block holds every payload as text and title.
  const many = (tag) => ({ tag: "div", children: PAYLOADS.map(({ payload: p }) => ({ tag, attrs: { title: p }, text: lit(p) })) });
  for (const placement of ["bar-top", "bar-bottom", "corner"]) {
    blocks["ov-" + placement] = many("span");
    rules.push({ id: "ov-" + placement, placement, show: "ov-" + placement });
  }
  const code = PAYLOADS.find((p) => bytes(p.payload) <= 100 && p.payload.includes("<script")).payload;
  blocks["ov-dialog"] = { tag: "div", children: [{ tag: "h2", text: lit(code) }, many("small"), { tag: "button", attrs: { "data-trailmark-action": "accept" }, text: lit("Copy " + code) }] };
  rules.push({ id: "ov-dialog", placement: "dialog", show: "ov-dialog", offer: { code } });
  const config = baseConfig(collector, { blocks, rules });
  const slots = PAYLOADS.map((p) => `<div class="slot" id="s-${p.id}" data-trailmark-slot="s${p.id}">default ${p.id}</div>`).join("\n");
  const url = hostile.write("blocks.html", storePage({ head: inlineConfig(config), body: slots }));
  t.diagnostic(`${templated.length} payloads with {{ refused as raw text with a templates/ code; `);
  t.diagnostic(`payloads: ${PAYLOADS.length} per block field (ids, text, title, aria-label, alt, class, width, height, target, rel, action), ` +
    `${PAYLOADS.length - refused.size} as href (the compiler refused the other ${refused.size}), ${PAYLOADS.length} per overlay placement (4), 1 offer code`);

  const { context, page, watch } = await watchedContext(hostile.browser);
  await open(page, url);
  await page.waitForSelector("dialog.tm-dialog[open]");
  const placed = await page.evaluate((ids) => ids.map((id) => {
    const el = document.getElementById("s-" + id);
    const section = el.firstElementChild;
    return {
      rule: el.getAttribute("data-trailmark-rule"),
      block: el.getAttribute("data-trailmark-block"),
      children: el.children.length,
      tags: Array.from(el.querySelectorAll("*"), (n) => n.localName).join(" "),
      attrs: [...new Set(Array.from(el.querySelectorAll("*"), (n) => Array.from(n.attributes, (a) => a.name)).flat())].sort().join(" "),
      texts: section ? Array.from(section.children, (c) => c.textContent) : [],
      title: section && section.getAttribute("title"),
      cls: section && section.getAttribute("class"),
      alt: section && section.querySelector("img").getAttribute("alt"),
      link: section && (({ protocol, target, rel }) => ({ protocol, target, rel }))(section.querySelector("a")),
      href: section && section.querySelector("a").getAttribute("href"),
    };
  }), PAYLOADS.map((p) => p.id));
  for (const [i, { id, payload: p }] of PAYLOADS.entries()) {
    const got = placed[i];
    const where = `payload ${id}`;
    assert.equal(got.rule, p, where);
    assert.equal(got.block, p, where);
    assert.equal(got.children, 1, where);
    assert.equal(got.tags, "section h2 p img a button", where);
    assert.equal(got.attrs, "alt aria-label class data-trailmark-action height href rel target title width", where);
    // textContent: exactly the payload (no HTML parser: NUL and CR are kept as they were).
    assert.deepEqual(got.texts, [p, p, "", p, p], where);
    assert.equal(got.title, p, where);
    assert.equal(got.cls, p, where);
    assert.equal(got.alt, p, where);
    assert.equal(got.href, refused.has(id) ? "/safe.html" : p, where);
    assert.ok(["http:", "https:", "mailto:", "tel:"].includes(got.link.protocol), `${where}: href protocol ${got.link.protocol}`);
    // A target that opens another browsing context never gets a handle on this page.
    if (!["", "_self", "_parent", "_top"].includes(p.toLowerCase())) {
      assert.ok(/(^| )noopener( |$)/.test(got.link.rel) && /(^| )noreferrer( |$)/.test(got.link.rel), `${where}: rel ${got.link.rel}`);
    }
    assert.ok(!/(^| )opener( |$)/i.test(got.link.rel), where);
  }
  const overlays = await page.evaluate(() => Array.from(document.querySelectorAll(".tm-overlay"), (o) => ({
    cls: o.className, open: o.localName !== "dialog" || o.open,
    texts: Array.from(o.querySelectorAll("span, small"), (s) => s.textContent),
    titles: Array.from(o.querySelectorAll("span, small"), (s) => s.getAttribute("title")),
  })));
  assert.deepEqual(overlays.map((o) => o.cls).sort(), ["tm-overlay tm-bar tm-bar-bottom", "tm-overlay tm-bar tm-bar-top", "tm-overlay tm-corner", "tm-overlay tm-dialog"]);
  for (const o of overlays) {
    assert.ok(o.open, o.cls);
    assert.deepEqual(o.texts, PAYLOADS.map((p) => p.payload), o.cls);
    assert.deepEqual(o.titles, PAYLOADS.map((p) => p.payload), o.cls);
  }
  // The offer: the code is copied, or shown in a read-only field where the clipboard is refused.
  await page.click("dialog.tm-dialog button[data-trailmark-action=accept]");
  await page.waitForFunction(() => !document.querySelector("dialog.tm-dialog[open]") || document.querySelector("dialog input.tm-code"));
  const shownCode = await page.evaluate(() => { const i = document.querySelector("dialog input.tm-code"); return i ? i.value : null; });
  if (shownCode !== null) assert.equal(shownCode, code);
  await provoke(page);
  if (await page.$("dialog.tm-dialog[open]")) await page.keyboard.press("Escape");
  await page.waitForSelector("dialog.tm-dialog", { state: "detached" });
  await provoke(page);
  // Block Viewed of the slots in view (a second at half visible), with payload rule and block ids.
  await page.waitForTimeout(1200);
  assertNothingRan(watch);
  assertOnlyExpectedRequests(watch, collector, ["/blocks.html"]);
  await assertPageWorks(collector, page, "after the blocks");
  assertNoUncaught(watch);
  assert.deepEqual(trailmarkLines(watch, "error"), []);
  const outcomes = collector.query("SELECT event, properties FROM events WHERE event IN ('Block Viewed', 'Offer Accepted')").map((r) => ({ event: r.event, ...JSON.parse(r.properties) }));
  assert.ok(outcomes.some((o) => o.event === "Offer Accepted" && o.code === code), "the accepted offer, with its code, reached the collector");
  assert.ok(outcomes.filter((o) => o.event === "Block Viewed" && PAYLOADS.some((p) => p.payload === o.rule)).length > 0, "slot views with payload ids");
  await context.close();
  await checkViewer(hostile, "after the blocks");
});

test("a compiled config edited after compiling: hostile blocks (script, handlers, javascript: and data: URLs, style, frames, too deep, too large) are refused by the renderer, their slots keep their default content; a corrupt program changes nothing", TIMEOUT, async (t) => {
  await freshCollector();
  const { collector } = hostile;
  const config = baseConfig(collector, {
    blocks: Object.fromEntries(PAYLOADS.map((p) => ["h" + p.id, { tag: "p", text: "placeholder" }])),
    rules: PAYLOADS.map((p) => ({ id: "h" + p.id, slot: "h" + p.id, show: "h" + p.id })),
  });
  const compiled = JSON.parse(compileConfig(config));
  const deep = (n) => (n === 0 ? { t: "p", x: "deep" } : { t: "div", c: [deep(n - 1)] });
  // The renderer's own URL rule (js/render.js safeUrl): control characters and spaces dropped,
  // then any scheme but http(s) (and mailto/tel for links) refused.
  const urlRefused = (u) => {
    const m = /^([^:/?#]*):/.exec(u.replace(/[\0-\x20\x7f]/g, ""));
    return !!m && !["http", "https", "mailto", "tel"].includes(m[1].toLowerCase());
  };
  // [shape, refused]: each payload goes into one shape, in turn.
  const shapes = [
    [(p) => ({ t: "script", x: p }), true],
    [(p) => ({ t: "p", x: "x", a: { onclick: p } }), true],
    [(p) => ({ t: "a", a: { href: p }, x: "link" }), "url"],
    [(p) => ({ t: "img", a: { src: p, onerror: `${MARKER}(0)` } }), true],
    [(p) => ({ t: "iframe", a: { srcdoc: p } }), true],
    [(p) => ({ t: "div", a: { style: p } }), true],
    [(p) => ({ t: "div", c: [{ t: "p", x: "ok" }, { t: "svg", x: p }] }), true],
    [(p) => ({ t: "a", a: { href: "javascript:" + p }, x: p }), true],
    [(p) => ({ t: "img", a: { src: "data:text/html," + p } }), true],
    [(p) => ({ t: "p", a: { "xlink:href": p } }), true],
    [(p) => ({ t: "div", c: Array.from({ length: 250 }, () => ({ t: "span", x: p })) }), true],
    [() => deep(20), true],
    [(p) => JSON.parse(`{"t":"p","x":"ok","a":{"__proto__":${JSON.stringify({ onclick: p })}}}`), true],
    [(p) => ({ t: "a", a: { href: "/ok", target: "_blank", rel: "opener " + p }, x: p }), false],
    [(p) => ({ t: "p", x: { toString: p } }), false],
  ];
  const expectRefused = new Map();
  for (const [i, { id, payload: p }] of PAYLOADS.entries()) {
    const [shape, refused] = shapes[i % shapes.length];
    compiled.blocks["h" + id] = shape(p);
    expectRefused.set(id, refused === "url" ? urlRefused(p) : refused);
  }
  const hostileBlocks = [...expectRefused.values()].filter(Boolean).length;
  const slots = PAYLOADS.map((p) => `<div id="h-${p.id}" data-trailmark-slot="h${p.id}">default ${p.id}</div>`).join("\n");
  const tag = (json) => `<script type="application/json" data-trailmark-config>${protect(JSON.stringify(json).replace(/</g, "\\u003c"))}</script>`;
  const url = hostile.write("edited.html", storePage({ head: tag(compiled), body: slots }));
  t.diagnostic(`payloads: ${PAYLOADS.length} in compiled blocks edited after compiling (${shapes.length} shapes), ${hostileBlocks} of them hostile (refused), the others harmless (shown)`);
  const { context, page, watch } = await watchedContext(hostile.browser);
  await open(page, url);
  await page.waitForSelector("#slot-ok p.ok");
  const states = await page.evaluate(() => Array.from(document.querySelectorAll("[id^=h-]"), (el) => ({
    id: Number(el.id.slice(2)), text: el.textContent, rule: el.getAttribute("data-trailmark-rule"),
    tags: Array.from(el.querySelectorAll("*"), (n) => n.localName), attrs: Array.from(el.querySelectorAll("*"), (n) => Array.from(n.attributes, (a) => a.name)).flat(),
  })));
  for (const s of states) {
    if (expectRefused.get(s.id)) {
      assert.equal(s.text, `default ${s.id}`, `payload ${s.id}: the hostile block was refused, the default stays`);
      assert.equal(s.rule, null, `payload ${s.id}`);
    } else {
      assert.equal(s.rule, "h" + s.id, `payload ${s.id}: the harmless block shows`);
    }
  }
  // A link opening another browsing context never keeps `opener`.
  const rels = await page.evaluate(() => Array.from(document.querySelectorAll("[id^=h-] a[target]"), (a) => a.rel));
  assert.ok(rels.length > 0);
  for (const rel of rels) assert.ok(/\bnoopener\b/.test(rel) && !/(^| )opener( |$)/.test(rel), rel);
  for (const s of states) {
    for (const tag of s.tags) assert.ok(["p", "a", "div", "span"].includes(tag), `payload ${s.id}: <${tag}>`);
    for (const a of s.attrs) assert.ok(!/^on|^style$|^src$|^srcdoc$|xlink/i.test(a), `payload ${s.id}: ${a}`);
  }
  const warnings = trailmarkLines(watch, "warning");
  assert.equal(warnings.filter((w) => /could not be built/.test(w)).length, 1, "one warning for every refused block: " + JSON.stringify(warnings));
  await provoke(page);
  assertNothingRan(watch);
  assertOnlyExpectedRequests(watch, collector, ["/edited.html"]);
  await assertPageWorks(collector, page, "with hostile compiled blocks");
  assertNoUncaught(watch);
  await context.close();

  // A program that is not base64, and one of random bytes: refused as a whole, the page keeps
  // its default content and tracking goes on.
  for (const program of ["<script>" + MARKER + "(0)</script>", Buffer.from(PAYLOADS.map((p) => p.payload).join("")).toString("base64")]) {
    const url2 = hostile.write("corrupt.html", storePage({ head: tag({ ...compiled, program }) }));
    const w = await watchedContext(hostile.browser);
    await open(w.page, url2);
    assert.equal(await w.page.textContent("#slot-ok"), "default ok");
    assert.equal(trailmarkLines(w.watch, "error").length, 1, JSON.stringify(w.watch.console));
    assertNothingRan(w.watch);
    assertNoUncaught(w.watch);
    await w.context.close();
  }
});

// ------------------------------------------------- calls: event names, properties, traits, ids

test("page calls: every payload as event name, property key and value (flat and nested), product fields, user id and traits, consent keys and command names: recorded exactly, rules still decide, nothing runs here or in the viewer", TIMEOUT, async (t) => {
  await freshCollector();
  const { collector } = hostile;
  const config = baseConfig(collector, {
    blocks: { "traits-block": { tag: "p", class: "traits", text: "traits read" }, "cart-block": { tag: "p", class: "cart", text: "cart read" } },
    rules: [
      { id: "traits-rule", slot: "traits", if: { "visitor.userId": { $regex: "script" } }, show: "traits-block" },
      { id: "cart-rule", slot: "cart", if: { "cart.count": { $gt: 0 } }, show: "cart-block" },
    ],
  });
  const url = hostile.write("calls.html", storePage({
    head: inlineConfig(config),
    body: `<div id="slot-traits" data-trailmark-slot="traits">default traits</div><div id="slot-cart" data-trailmark-slot="cart">default cart</div>`,
  }));
  const { context, page, watch } = await watchedContext(hostile.browser);
  await open(page, url);
  const payloads = PAYLOADS.map((p) => p.payload);
  const threw = await page.evaluate((ps) => {
    const errors = [];
    const tm = window.trailmark;
    const safe = (f) => { try { f(); } catch (e) { errors.push(String(e)); } };
    ps.forEach((p, i) => safe(() => tm.track(p, { payload: p, i })));
    safe(() => tm.track("Hostile Properties", Object.fromEntries(ps.map((p) => [p, p]))));
    // Two events, each under 32 KB (a larger one is sent as a stub of its size).
    safe(() => tm.track("Hostile Nested", { list: ps, nested: { deeper: ps.slice(0, 60).map((p) => ({ [p]: [p, { [p]: p }] })) } }));
    safe(() => tm.track("Hostile Nested", { nested: { deeper: ps.slice(60).map((p) => ({ [p]: [p, { [p]: p }] })) } }));
    ps.forEach((p) => safe(() => tm.track("Product Viewed", { product_id: p, name: p, category: p, price: 1850, currency: "USD" })));
    // An order empties the cart: before the cart lines.
    safe(() => tm.track("Order Completed", { order_id: ps[0], total: 1, currency: "USD", products: ps.slice(0, 10).map((p) => ({ product_id: p, name: p })) }));
    ps.slice(0, 30).forEach((p) => safe(() => tm.addToCart({ product_id: p, name: p, price: 1850, currency: "USD", quantity: 1 })));
    ps.forEach((p) => safe(() => tm.identify(p, { name: p, [p]: p })));
    safe(() => tm.identify(ps[0], Object.fromEntries(ps.map((p) => [p, p]))));
    ps.forEach((p) => safe(() => tm.push([p, p])));
    ps.slice(0, 20).forEach((p) => safe(() => tm.consent({ [p]: p })));
    return errors;
  }, payloads);
  assert.deepEqual(threw, [], "no call threw into the page");
  // Rust's trim (Unicode White_Space), which the module applies: not JavaScript's (which also
  // trims U+FEFF and not U+0085).
  const rustTrim = (s) => s.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, "");
  const names = payloads.filter((p) => rustTrim(p) && bytes(p) <= 200);
  const userIds = names.map(rustTrim); // the same limits, trimmed
  t.diagnostic(`payloads: ${PAYLOADS.length} as event names (${names.length} recorded; longer than 200 bytes or blank are refused), ` +
    `${PAYLOADS.length} as property keys and values (flat and nested), ${PAYLOADS.length} as product id, name and category, 30 in the cart, ` +
    `${PAYLOADS.length} as user ids (${userIds.length} recorded) and trait keys and values, ${PAYLOADS.length} as command names, 20 as consent keys`);

  // From the raw JSON: the sqlite3 CLI prints text columns as C strings (cut at a NUL).
  const all = (await collector.waitFor("SELECT type, event, raw FROM events ORDER BY seq", (r) => r.filter((e) => e.type === "identify").length >= userIds.length + 1 && r.some((e) => e.event === "Order Completed"), 20_000))
    .map((r) => { const e = JSON.parse(r.raw); return { type: e.type, event: e.event, user_id: e.userId, properties: JSON.stringify(e.properties), traits: JSON.stringify(e.traits) }; });
  const tracked = all.filter((r) => r.type === "track" && r.properties && JSON.parse(r.properties).payload !== undefined).map((r) => r.event);
  assert.deepEqual(tracked, names, "every event name recorded exactly, in order");
  const props = JSON.parse(all.find((r) => r.event === "Hostile Properties").properties);
  assert.deepEqual(props, Object.fromEntries(payloads.map((p) => [p, p])), "every property key and value exactly");
  const nested = all.filter((r) => r.event === "Hostile Nested").map((r) => JSON.parse(r.properties));
  assert.deepEqual(nested[0].list, payloads);
  assert.deepEqual([...nested[0].nested.deeper, ...nested[1].nested.deeper], payloads.map((p) => ({ [p]: [p, { [p]: p }] })));
  const identified = all.filter((r) => r.type === "identify").map((r) => r.user_id);
  assert.deepEqual(identified, [...userIds, payloads[0]], "every user id recorded exactly");
  const traits = JSON.parse(all.filter((r) => r.type === "identify").at(-1).traits);
  for (const p of payloads) assert.equal(traits[p], p);
  // Rules read the hostile user id and cart: the slots decide and render.
  await page.waitForSelector("#slot-traits p.traits", { timeout: 5000 });
  await page.waitForSelector("#slot-cart p.cart", { timeout: 5000 });
  const cart = await page.evaluate(() => window.trailmark.cart());
  assert.ok(cart.items.length > 0 && cart.items.every((i) => payloads.includes(i.name) && payloads.includes(i.product_id)), JSON.stringify(cart));
  await provoke(page);
  assertNothingRan(watch);
  assertOnlyExpectedRequests(watch, collector, ["/calls.html"]);
  await assertPageWorks(collector, page, "after the calls");
  assertNoUncaught(watch);
  await context.close();
  await checkViewer(hostile, "after the calls");
});

// ---------------------------------------------------------------- declarative attributes

test("markup: every payload as a data-trailmark-event name, its data-trailmark-props and a form field: the names the config lists are recorded exactly, once per click, the others refused with one warning each; nothing runs", TIMEOUT, async (t) => {
  await freshCollector();
  const { collector } = hostile;
  const OWN = ["Page Engagement", "Block Viewed", "Block Clicked", "Block Dismissed", "Offer Accepted", "Journey Stage Entered", "Experiment Viewed", "Trailmark Events Dropped"];
  const valid = PAYLOADS.filter((p) => p.payload.trim() && bytes(p.payload) <= 200 && !OWN.includes(p.payload));
  const listed = valid.slice(0, 100); // the most a config lists
  const config = baseConfig(collector, { declarative: { events: listed.map((p) => p.payload) } });
  const url = hostile.write("markup.html", storePage({ head: inlineConfig(config), body: `<div id="ugc"></div>` }));
  const { context, page, watch } = await watchedContext(hostile.browser);
  await open(page, url);
  // Built with setAttribute: exactly the payload in each attribute, as a sanitizer would keep it.
  await page.evaluate((ps) => {
    const ugc = document.getElementById("ugc");
    for (const { id, payload: p } of ps) {
      const form = document.createElement("form");
      form.id = "m" + id;
      form.setAttribute("data-trailmark-event", p);
      form.setAttribute("data-trailmark-props", JSON.stringify({ payload: p, [p]: p, id }));
      form.setAttribute("data-trailmark-fields", "q " + p);
      form.addEventListener("submit", (e) => e.preventDefault());
      const input = document.createElement("input");
      input.name = "q";
      input.value = p;
      const button = document.createElement("button");
      button.setAttribute("data-trailmark-event", p);
      button.setAttribute("data-trailmark-props", p); // not JSON: recorded without props
      button.type = "button";
      button.textContent = "x";
      form.append(input, button);
      ugc.append(form);
    }
  }, PAYLOADS);
  await page.evaluate(async (ids) => {
    for (const id of ids) {
      const form = document.getElementById("m" + id);
      form.querySelector("button").click();
      form.requestSubmit();
    }
  }, PAYLOADS.map((p) => p.id));
  t.diagnostic(`payloads: ${PAYLOADS.length} as data-trailmark-event names (${listed.length} listed in declarative.events), props and form field values, each clicked and submitted once`);
  const expected = listed.length * 2;
  const rows = (await collector.waitFor("SELECT raw FROM events WHERE type='track' ORDER BY seq", (r) => r.map((x) => JSON.parse(x.raw)).filter((e) => e.event !== "Page Engagement" && !OUTCOME.includes(e.event)).length >= expected, 15_000))
    .map((x) => JSON.parse(x.raw)).filter((e) => !OUTCOME.includes(e.event) && e.event !== "Page Engagement");
  const got = rows.map((e) => e.event);
  assert.deepEqual(got, listed.flatMap((p) => [p.payload, p.payload]), "each listed name twice (click, submit), in order; no other");
  for (const [i, p] of listed.entries()) {
    assert.deepEqual(rows[2 * i].properties, {}, `payload ${p.id}: props not JSON, recorded without`);
    // (A text field's value has its line breaks stripped by the browser.)
    assert.deepEqual(rows[2 * i + 1].properties, { payload: p.payload, [p.payload]: p.payload, id: p.id, q: p.payload.replace(/[\r\n]/g, "") }, `payload ${p.id}`);
  }
  const refusedWarnings = trailmarkLines(watch, "warning").filter((l) => l.includes("ignored: not in the config's declarative.events"));
  const unlisted = new Set(PAYLOADS.filter((p) => !listed.includes(p)).map((p) => p.payload));
  assert.equal(refusedWarnings.length, unlisted.size, "one warning per refused name");
  await provoke(page);
  assertNothingRan(watch);
  assertOnlyExpectedRequests(watch, collector, ["/markup.html"]);
  await assertPageWorks(collector, page, "after the markup");
  assertNoUncaught(watch);
  await context.close();
});

// ----------------------------------------------------------- URL, fragment, title, referrer

test("the page's URL (query, UTM parameters, fragment route), title and referrer hold each payload in turn, one route change each: page views recorded, rules reading them decide, nothing runs", TIMEOUT, async (t) => {
  await freshCollector();
  const { collector } = hostile;
  const config = baseConfig(collector, {
    blocks: { "url-block": { tag: "p", class: "url", text: "url read" } },
    rules: [{ id: "url-rule", slot: "url", if: { $or: [{ "page.url": { $regex: "script" } }, { "page.title": { $regex: "<" } }, { "page.referrer": { $regex: "evil" } }, { "session.campaign.source": { $exists: true } }] }, show: "url-block" }],
  });
  const first = PAYLOADS.find((p) => p.payload.includes("<script")).payload;
  const path = "url.html";
  hostile.write(path, storePage({ head: inlineConfig(config), body: `<div id="slot-url" data-trailmark-slot="url">default url</div>` }));
  // A page can make `document.referrer` say anything: here, what the test puts in
  // window.__referrer (read by Trailmark at every page view).
  const { context, page, watch } = await watchedContext(hostile.browser, {
    init: () => {
      const real = Object.getOwnPropertyDescriptor(Document.prototype, "referrer").get;
      Object.defineProperty(Document.prototype, "referrer", { configurable: true, get() { return window.__referrer ?? real.call(this); } });
    },
  });
  const start = `${collector.store}${path}?q=${encodeURIComponent(first)}&utm_source=${encodeURIComponent(first)}#/${encodeURIComponent(first)}`;
  await open(page, start);
  const routes = await page.evaluate(async (ps) => {
    const tick = () => new Promise((r) => setTimeout(r, 0));
    let pushed = 0;
    for (const p of ps) {
      window.__referrer = p;
      document.title = p;
      const e = encodeURIComponent(p);
      try {
        history.pushState(null, "", `?q=${e}&utm_source=${e}&utm_campaign=${e}&email=${e}&x-${e}=${e}#/${p}`);
        pushed++;
      } catch (_) { /* a URL the parser refuses */ }
      await tick();
      await tick();
    }
    return pushed;
  }, PAYLOADS.map((p) => p.payload));
  t.diagnostic(`payloads: ${PAYLOADS.length} as page title and referrer, ${routes} as query values, UTM source and campaign, parameter name and fragment route (pushState refused ${PAYLOADS.length - routes})`);
  const pages = await collector.waitFor("SELECT properties, context FROM events WHERE type='page'", (r) => r.length >= routes + 1, 20_000);
  assert.ok(pages.length >= routes + 1, `${pages.length} page views for ${routes} routes`);
  const titles = pages.map((r) => JSON.parse(r.properties).title);
  // Titles go through as text (document.title collapses whitespace: compare the browser's own).
  const expectedTitles = await page.evaluate((ps) => ps.map((p) => { document.title = p; return document.title; }), PAYLOADS.map((p) => p.payload));
  for (const title of expectedTitles) assert.ok(titles.includes(title.slice(0, 1024)) || bytes(title) > 1024, `title ${JSON.stringify(title)}`);
  // Every recorded URL is the page's own, cleaned: http(s), sensitive values redacted. (The
  // referrer is whatever the page's document.referrer says: text, recorded as text.)
  for (const r of pages) {
    const p = JSON.parse(r.properties);
    assert.ok(p.url.startsWith(collector.store + path), p.url);
    assert.ok(!/[?&]email=(?!redacted(&|#|$))/.test(p.url), "the email parameter is redacted: " + p.url);
  }
  await page.waitForSelector("#slot-url p.url");
  await provoke(page);
  assertNothingRan(watch);
  assertOnlyExpectedRequests(watch, collector, ["/" + path]);
  await assertPageWorks(collector, page, "after the route changes");
  assertNoUncaught(watch);
  await context.close();
  await checkViewer(hostile, "after the page views");
});
