// Rendering through the real path: a page with slots, the compiled config inline (written by the
// real `trailmark build`), the script tag, real Chromium. The module decides; `js/render.js`
// builds the blocks. Checked against the live DOM: the exact elements, text and attributes
// built, `rel` on links that open a new browsing context, text that looks like HTML staying
// text, slots without a decision keeping their default content, idempotent re-renders (same
// nodes, no flicker), and hostile compiled blocks refused while the slot keeps its default.
//
//   node --test --test-concurrency=1 tests/e2e/render.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startStoreAndBrowser, stopStoreAndBrowser, openPage, trailmarkLines, compileConfig } from "./harness.mjs";

const TIMEOUT = { timeout: 60_000 };
let collector;
let browser;

before(async () => ({ collector, browser } = await startStoreAndBrowser()));
after(() => stopStoreAndBrowser(collector, browser));

/** A config with one rule filling the `hero` slot with the block `welcome`. */
const withBlock = (block, extra = {}) => ({
  version: 1,
  blocks: { welcome: block },
  rules: [{ id: "home-hero", slot: "hero", show: "welcome" }],
  ...extra,
});

const WELCOME = {
  tag: "section", class: "tm-hero promo",
  children: [
    { tag: "h2", text: "Welcome back" },
    { tag: "p", text: "Free shipping ", children: [{ tag: "strong", text: "today" }] },
    { tag: "a", text: "Shop the sale", class: "cta", attrs: { href: "/sale?from=hero", target: "_blank", title: "Sale" } },
    { tag: "img", attrs: { src: "https://cdn.example.com/hero.png", alt: "", width: "640" } },
  ],
};

/**
 * Opens a page of the store's origin whose body is `body` and whose head carries `compiled` (a
 * compiled config's JSON text) inline and the script tag; resolves once Trailmark runs.
 */
async function pageWith(compiled, body) {
  const opened = await openPage(browser);
  const url = collector.store + "render-test.html";
  await opened.page.route(url, (route) => route.fulfill({
    contentType: "text/html",
    body: `<!doctype html><html><head><title>render</title>
<script type="application/json" data-trailmark-config>${compiled}</script>
<script src="/pkg/trailmark.js" async></script></head><body>${body}</body></html>`,
  }));
  await opened.page.goto(url);
  await opened.page.waitForFunction(() => window.trailmark && !Array.isArray(window.trailmark));
  await opened.page.evaluate(() => window.trailmark.started);
  return opened;
}

/** `{tag, attrs: [[name, value]...], text, html}` of each element child of the first `selector`. */
const describe = (page, selector) => page.evaluate((sel) => {
  const el = document.querySelector(sel);
  return Array.from(el.children, (c) => ({
    tag: c.tagName, attrs: Array.from(c.attributes, (a) => [a.name, a.value]), html: c.innerHTML,
  }));
}, selector);

test("the block is built into every element of its slot, exactly", TIMEOUT, async () => {
  const { context, page, pageErrors, consoleMessages } = await pageWith(compileConfig(withBlock(WELCOME)),
    `<div id="a" data-trailmark-slot="hero">default</div>
     <div id="side" data-trailmark-slot="sidebar"><b>sidebar</b> default</div>
     <div id="b" data-trailmark-slot="hero">second default</div>`);
  for (const id of ["#a", "#b"]) {
    await page.waitForSelector(id + " section");
    assert.equal(await page.getAttribute(id, "data-trailmark-rule"), "home-hero");
    assert.equal(await page.getAttribute(id, "data-trailmark-block"), "welcome");
    const [section] = await describe(page, id);
    assert.equal(section.tag, "SECTION");
    assert.deepEqual(section.attrs, [["class", "tm-hero promo"]]);
    const kids = await describe(page, id + " section");
    assert.deepEqual(kids.map((k) => k.tag), ["H2", "P", "A", "IMG"]);
    assert.equal(kids[0].html, "Welcome back");
    assert.deepEqual(kids[0].attrs, []);
    assert.equal(kids[1].html, "Free shipping <strong>today</strong>");
    assert.deepEqual(kids[2].attrs, [["class", "cta"], ["href", "/sale?from=hero"], ["target", "_blank"], ["title", "Sale"],
      ["rel", "noopener noreferrer"]]);
    assert.equal(kids[2].html, "Shop the sale");
    assert.deepEqual(kids[3].attrs, [["src", "https://cdn.example.com/hero.png"], ["alt", ""], ["width", "640"]]);
  }
  assert.equal(await page.innerHTML("#side"), "<b>sidebar</b> default");
  assert.deepEqual(await page.evaluate(() => window.trailmark.decisions()), [{ slot: "hero", placement: "slot", rule: "home-hero", block: "welcome" }]);
  assert.deepEqual(pageErrors, []);
  assert.deepEqual(trailmarkLines(consoleMessages), []);
  await context.close();
});

test("rendering again keeps the same nodes; a slot added later is filled by the next render", TIMEOUT, async () => {
  const { context, page } = await pageWith(compileConfig(withBlock(WELCOME)), `<div id="a" data-trailmark-slot="hero">default</div>`);
  await page.waitForSelector("#a section");
  await page.evaluate(() => { window.__first = document.querySelector("#a section"); });
  assert.equal(await page.evaluate(() => window.trailmark.render()), 0);
  assert.equal(await page.evaluate(() => window.trailmark.render()), 0);
  assert.equal(await page.evaluate(() => document.querySelector("#a section") === window.__first), true);
  await page.evaluate(() => {
    const late = document.createElement("div");
    late.id = "late";
    late.setAttribute("data-trailmark-slot", "hero");
    late.textContent = "late default";
    document.body.append(late);
  });
  assert.equal(await page.evaluate(() => window.trailmark.render()), 1);
  assert.equal(await page.textContent("#late h2"), "Welcome back");
  assert.equal(await page.evaluate(() => document.querySelector("#a section") === window.__first), true);
  assert.equal(await page.evaluate(() => window.trailmark.render()), 0);
  await context.close();
});

test("text that looks like HTML renders as text", TIMEOUT, async () => {
  const evil = "<img src=x onerror=alert(1)><script>alert(2)</script>";
  const { context, page, pageErrors } = await pageWith(compileConfig(withBlock({ tag: "p", class: "\"><img src=x>", text: evil })),
    `<div id="a" data-trailmark-slot="hero">default</div>`);
  await page.waitForSelector("#a p");
  assert.equal(await page.textContent("#a p"), evil);
  assert.equal(await page.evaluate(() => document.querySelector("#a p").childNodes.length), 1);
  assert.equal(await page.getAttribute("#a p", "class"), "\"><img src=x>");
  assert.equal(await page.evaluate(() => document.querySelectorAll("#a img, #a script").length), 0);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test("a link that opens another browsing context never keeps a handle on the page", TIMEOUT, async () => {
  const link = (target, rel) => ({ tag: "a", text: target, attrs: { href: "/x", target, ...(rel ? { rel } : {}) } });
  const block = { tag: "div", children: [link("_BLANK"), link("shop", "opener"), link("_self"), link("_top", "nofollow"), link("win", "nofollow opener noopener")] };
  const { context, page } = await pageWith(compileConfig(withBlock(block)), `<div id="a" data-trailmark-slot="hero">default</div>`);
  await page.waitForSelector("#a a");
  const rels = await page.evaluate(() => Array.from(document.querySelectorAll("#a a"), (a) => a.getAttribute("rel")));
  assert.deepEqual(rels, ["noopener noreferrer", "noopener noreferrer", null, "nofollow", "nofollow noopener noreferrer"]);
  await context.close();
});

test("hostile blocks in a compiled config are refused: the slot keeps its default, one warning", TIMEOUT, async () => {
  const compiled = JSON.parse(compileConfig(withBlock({ tag: "a", text: "ok", attrs: { href: "/ok" } })));
  const hostile = [
    { t: "a", a: { href: " JaVa\tScRiPt:alert(1)" }, x: "click" },
    { t: "script", x: "alert(1)" },
    { t: "img", a: { src: "/a.png", onerror: "alert(1)" } },
    { t: "section", c: [{ t: "p", x: "ok" }, { t: "iframe", a: { src: "https://evil.test/" } }] },
    { t: "a", a: { href: "data:text/html,<script>alert(1)</script>" } },
  ];
  for (const block of hostile) {
    compiled.blocks.welcome = block;
    const { context, page, consoleMessages, pageErrors } = await pageWith(JSON.stringify(compiled).replaceAll("<", "\\u003c"), `<div id="a" data-trailmark-slot="hero">default</div>`);
    await page.evaluate(() => window.trailmark.render());
    assert.equal(await page.innerHTML("#a"), "default", JSON.stringify(block));
    assert.equal(await page.getAttribute("#a", "data-trailmark-rule"), null);
    const lines = trailmarkLines(consoleMessages);
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.match(lines[0].text, /block "welcome" could not be built/);
    assert.deepEqual(pageErrors, []);
    await context.close();
  }
});

test("a slot gets its default content back when its decision goes away", TIMEOUT, async () => {
  const { context, page } = await pageWith(compileConfig(withBlock(WELCOME)), `<div id="a" data-trailmark-slot="hero"><em>default</em></div>`);
  await page.waitForSelector("#a section");
  await page.evaluate(() => window.trailmark.consent({ personalization: "denied" }));
  await page.waitForFunction(() => !document.querySelector("#a section"));
  assert.equal(await page.innerHTML("#a"), "<em>default</em>");
  assert.equal(await page.getAttribute("#a", "data-trailmark-rule"), null);
  await context.close();
});
