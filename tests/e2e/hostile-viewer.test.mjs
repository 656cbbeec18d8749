// The collector's viewer against the hostile-input corpus (tests/fixtures/hostile/payloads.json):
// every payload as event name, ids, property key and value, page URL, referrer, title and traits,
// posted to the real collector, shown by the real viewer in real Chromium. Nothing may execute
// (the corpus calls `__hostile(id)`, `alert`, `confirm`), nothing may be added to the page (no
// element, attribute, frame or request beyond the viewer's own), the page must keep working, and
// every payload must read back as the exact text that was sent.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { startCollector, launchBrowser } from "./harness.mjs";

const corpus = JSON.parse(readFileSync(new URL("../fixtures/hostile/payloads.json", import.meta.url), "utf8"));
const PAYLOADS = corpus.payloads;
/** The viewer lists the latest 200 events: the corpus goes through in chunks below that. */
const CHUNK = 100;

let collector, browser;
before(async () => {
  collector = await startCollector();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  collector?.stop();
});

/** One event carrying the payload in every field the collector stores or shows. */
function eventFor({ id, payload: p }) {
  return {
    type: "track",
    event: p,
    messageId: `hostile-${id}`,
    anonymousId: p,
    userId: p,
    timestamp: "2026-01-01T00:00:00.000Z",
    properties: { [p]: p, url: p, referrer: p, title: p, payloadId: id },
    context: { sessionId: p, tabId: p, seq: id, page: { url: p, referrer: p, title: p } },
    traits: { [p]: p, name: p },
  };
}

/** What an HTML parser makes of a text node: NUL dropped, CR and CRLF read as LF. */
const asText = (s) => s.replace(/\r\n?/g, "\n").replace(/\0/g, "");

/** A page whose every way of running injected code is watched. */
async function watchedPage() {
  const context = await browser.newContext();
  const watch = { hits: [], dialogs: [], errors: [], requests: [] };
  // A binding, unlike an init script's function, survives navigations and runs in node.
  await context.exposeBinding(corpus.marker, (_source, id) => watch.hits.push(id));
  const page = await context.newPage();
  page.on("dialog", (d) => { watch.dialogs.push(`${d.type()}: ${d.message()}`); d.dismiss().catch(() => {}); });
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") watch.errors.push(`${m.text()} (${m.location().url})`); });
  page.on("pageerror", (e) => watch.errors.push(String(e)));
  page.on("request", (r) => watch.requests.push(r.url()));
  page.on("response", (r) => { if (r.status() >= 400) watch.errors.push(`${r.status()} ${r.url()}`); });
  page.on("popup", (p) => watch.errors.push("popup: " + p.url()));
  return { context, page, watch };
}

test("the watchers see injected code run (positive control, a page without CSP)", async () => {
  const { context, page, watch } = await watchedPage();
  await page.setContent(`<img src="data:," onerror="${corpus.marker}(0)"><script>alert(7)</script>`);
  for (let i = 0; i < 100 && watch.hits.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(watch.hits, [0]);
  assert.deepEqual(watch.dialogs, ["alert: 7"]);
  await context.close();
});

for (let start = 0; start < PAYLOADS.length; start += CHUNK) {
  const chunk = PAYLOADS.slice(start, start + CHUNK);
  const ids = `${chunk[0].id}-${chunk[chunk.length - 1].id}`;

  test(`hostile payloads ${ids} show as text in the viewer and in events.json, and nothing runs`, async () => {
    await collector.control("/_control/reset");
    const sent = chunk.map(eventFor);
    const res = await fetch(collector.collect, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ batch: sent, sentAt: "2026-01-01T00:00:01.000Z", writeKey: "demo-write-key" }),
    });
    assert.deepEqual(await res.json(), { ok: true, stored: chunk.length, duplicates: 0 });

    const { context, page, watch } = await watchedPage();
    // The URL scripts/demo prints: the token opens a cookie session and redirects to the page.
    const first = await page.goto(collector.viewerUrl.replace("/?", "/?refresh=0&"));
    assert.equal(first.status(), 200);
    assert.equal(page.url(), collector.collectOrigin + "/?refresh=0");

    // Interact: sweep the real mouse over the page and click, then send every element (links
    // aside) the events injected handlers wait for. Any handler that existed would run now.
    const { width, height } = page.viewportSize();
    for (let y = 5; y < height; y += 40) await page.mouse.move(width - 5, y, { steps: 4 });
    await page.mouse.click(width / 2, height / 2);
    await page.evaluate(() => {
      for (const el of document.querySelectorAll("body *:not(a)")) {
        for (const type of ["mouseover", "mouseenter", "click", "focus", "toggle", "animationstart"]) {
          el.dispatchEvent(new Event(type, { bubbles: true }));
        }
      }
    });

    // Nothing was added to the page: only the viewer's own elements, attributes and links.
    const shape = await page.evaluate(() => {
      const tags = new Set();
      const handlers = [];
      for (const el of document.querySelectorAll("*")) {
        tags.add(el.localName);
        for (const a of el.attributes) if (/^on/i.test(a.name) || /^(src|srcdoc|formaction|xlink:href|style|autofocus)$/i.test(a.name)) handlers.push(`${el.localName} ${a.name}`);
      }
      return {
        tags: [...tags].sort(),
        handlers,
        links: [...document.querySelectorAll("a")].map((a) => a.getAttribute("href")),
        frames: window.frames.length,
        title: document.title,
        bodyVisible: getComputedStyle(document.body).display !== "none",
      };
    });
    assert.deepEqual(shape.tags, ["a", "body", "code", "div", "h1", "head", "html", "link", "meta", "style", "table", "tbody", "td", "th", "thead", "title", "tr"]);
    assert.deepEqual(shape.handlers, []);
    assert.deepEqual(shape.links, ["/", "/events.json"]);
    assert.equal(shape.frames, 0);
    assert.equal(shape.title, "Trailmark collector");
    assert.ok(shape.bodyVisible);
    assert.ok(await page.locator("h1").isVisible(), "the heading is visible");
    assert.match(await page.locator(".totals").textContent(), new RegExp(`^${chunk.length} events in 1 batches`));

    // Every payload reads back as exactly the text that was sent, in every column.
    const rows = await page.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((td) => td.textContent)));
    assert.equal(rows.length, chunk.length);
    const stored = new Map(collector.query("SELECT message_id, properties, traits FROM events").map((r) => [r.message_id, r]));
    const seen = new Set();
    for (const cells of rows) {
      const [, , type, event, who, idsCell, pageUrl, props, traits] = cells;
      const id = Number(idsCell.slice(idsCell.lastIndexOf(" / ") + 3));
      const p = PAYLOADS.find((x) => x.id === id);
      assert.ok(p, "row for a known payload: " + idsCell);
      seen.add(id);
      const text = asText(p.payload);
      const sentEvent = sent.find((e) => e.messageId === `hostile-${id}`);
      const where = `payload ${id} (${p.category})`;
      assert.equal(type, "track", where);
      assert.equal(event, text, where);
      assert.equal(who, `${text} (user ${text})`, where);
      assert.equal(idsCell, `${text} / ${text} / ${id}`, where);
      assert.equal(pageUrl, text, where);
      // The JSON cells show the stored text (elided after 2000 characters), which is the JSON
      // that was sent.
      const row = stored.get(`hostile-${id}`);
      for (const [cell, column, value] of [[props, row.properties, sentEvent.properties], [traits, row.traits, sentEvent.traits]]) {
        assert.deepEqual(JSON.parse(column), value, where);
        const chars = Array.from(column);
        assert.equal(cell, chars.length > 2000 ? chars.slice(0, 2000).join("") + "…" : column, where);
      }
    }
    assert.equal(seen.size, chunk.length);

    // events.json through the same cookie session: every stored event exactly as sent.
    const json = await page.goto(collector.collectOrigin + "/events.json?limit=5000");
    assert.equal(json.headers()["content-type"], "application/json");
    const back = await json.json();
    assert.deepEqual(back.map((e) => e.raw), sent);

    // The refreshing viewer (the default) too: load it, let it reload itself once.
    await page.goto(collector.collectOrigin + "/");
    await page.waitForEvent("load", { timeout: 15_000 });
    assert.equal(await page.locator("tbody tr").count(), chunk.length);

    assert.deepEqual(watch.hits, [], "no payload ran (ids listed)");
    assert.deepEqual(watch.dialogs, [], "no dialog opened");
    assert.deepEqual(watch.errors, [], "no console error or warning (a CSP violation would be one)");
    const foreign = watch.requests.filter((u) => !/^http:\/\/127\.0\.0\.1:\d+\/(\?(refresh=0&)?(token=[^&]*|refresh=0)|events\.json\?limit=5000)?$/.test(u));
    assert.deepEqual(foreign, [], "no request but the viewer's own");
    await context.close();
  });
}
