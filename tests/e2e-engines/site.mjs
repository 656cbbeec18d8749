// The store as each test's browser sees it: a small HTTP server on its own loopback port that
// passes every request through to the collector's site (the demo store in www/ and the built
// package at /pkg/, served by the real collector binary) and changes only what a test asks for:
//
// - `hook`: adds the in-page console hook (console-hook.js) as the first script of every page,
//   for engines without WebDriver BiDi;
// - `sendLog`: adds send-log.js after it (every engine): each batch the page hands to `fetch`
//   or `sendBeacon`, recorded in the tab's sessionStorage (read it with `sendLog(tab)`);
// - `config(config)`: edits the demo config, e.g. a consent section: `/trailmark.json` as the
//   collector serves it, edited, is what the pages' compiled config (`/trailmark.compiled.json`)
//   becomes, compiled by the real CLI (`trailmark build`); `/trailmark.json` itself too;
// - `cspHeader(metaCsp)`: moves the page's Content-Security-Policy from its `<meta>` to a
//   response header, as the function returns it (a store's usual way of sending one).
//
// A fresh port per test is a fresh origin: every test starts with empty localStorage,
// sessionStorage and config cache in an engine session that runs many tests.
//
// It also serves `/__engines/away.html`, a page of the same origin without Trailmark: where a
// tab goes when a test "leaves" the store and still wants to read the tab's console hook log.
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { compileConfig } from "../e2e/harness.mjs";

const HOOK_PATH = "/__engines/console-hook.js";
const SEND_LOG_PATH = "/__engines/send-log.js";
const FILES = {
  [HOOK_PATH]: readFileSync(new URL("./console-hook.js", import.meta.url)),
  [SEND_LOG_PATH]: readFileSync(new URL("./send-log.js", import.meta.url)),
};
const META_CSP = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">\s*/;

/** Starts the site in front of the collector's store (`storeUrl`, e.g. "http://127.0.0.1:4123/"). */
export async function startSite(storeUrl, { hook = false, sendLog = false, config, cspHeader } = {}) {
  const upstream = new URL(storeUrl).origin;
  // The test's own scripts, first in every page's head: before Trailmark's script tag.
  const scripts = [hook && HOOK_PATH, sendLog && SEND_LOG_PATH].filter(Boolean)
    .map((src) => `<script src="${src}"></script>`).join("");
  const awayPage = `<!doctype html><html lang="en"><head><meta charset="utf-8">${scripts}` +
    "<title>Elsewhere</title></head><body><p>Not the store.</p></body></html>";

  const server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url, "http://site").pathname;
      if (FILES[path]) return send(res, 200, { "content-type": "text/javascript" }, FILES[path]);
      if (path === "/__engines/away.html") return send(res, 200, { "content-type": "text/html; charset=utf-8" }, awayPage);

      if (config && path === "/trailmark.compiled.json") {
        const demo = await (await fetch(upstream + "/trailmark.json")).json();
        return send(res, 200, { "content-type": "application/json", "cache-control": "no-cache" },
          Buffer.from(compileConfig(config(demo) ?? demo)));
      }
      const up = await fetch(upstream + req.url, { method: req.method, redirect: "manual", headers: { accept: req.headers.accept || "*/*" } });
      const headers = {};
      for (const name of ["content-type", "cache-control", "x-content-type-options", "location"]) {
        const value = up.headers.get(name);
        if (value !== null) headers[name] = value;
      }
      let body = Buffer.from(await up.arrayBuffer());
      const type = headers["content-type"] || "";
      if (up.ok && type.startsWith("text/html")) {
        let html = body.toString("utf8");
        if (cspHeader) {
          const meta = html.match(META_CSP);
          headers["content-security-policy"] = cspHeader(meta ? meta[1] : "");
          html = html.replace(META_CSP, "");
        }
        if (scripts) html = html.replace(/<head>/i, `<head>\n  ${scripts}`);
        body = Buffer.from(html);
      } else if (up.ok && config && path === "/trailmark.json") {
        const parsed = JSON.parse(body.toString("utf8"));
        body = Buffer.from(JSON.stringify(config(parsed) ?? parsed));
      }
      send(res, up.status, headers, req.method === "HEAD" ? null : body);
    } catch (e) {
      send(res, 502, { "content-type": "text/plain" }, "site proxy: " + e);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    /** The absolute URL of `path` on this site ("/", "product-ethiopia.html", ...). */
    url: (path = "/") => new URL(path, origin + "/").href,
    stop: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function send(res, status, headers, body) {
  if (body !== null) headers["content-length"] = String(body.length);
  res.writeHead(status, headers);
  res.end(body ?? undefined);
}
