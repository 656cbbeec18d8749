// The benchmark's HTTP server (dev-only, loopback, ephemeral port). It serves a fixed set of
// routes as a production CDN would: every body precompressed with brotli (quality 11) and sent
// with `Content-Encoding: br`, a strong ETag, and `Cache-Control: no-cache`, so a second visit
// revalidates and gets 304s. A page requested with `?isolated` also gets COOP/COEP headers (a
// cross-origin-isolated page: `performance.now()` at 5 µs resolution).
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { brotliCompressSync, constants } from "node:zlib";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".ts": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
};
const typeOf = (path) => TYPES[(path.match(/\.[a-z]+$/) || [""])[0]] || "application/octet-stream";

/** Brotli quality 11, as a build would precompress (the same call the size report makes). */
export function brotli(body) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return brotliCompressSync(buf, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
  });
}

/**
 * Starts a server for `routes` (a Map of path -> body, a string or a Buffer). Returns
 * `{ origin, close() }`.
 */
export async function startBenchServer(routes) {
  const files = new Map();
  for (const [path, body] of routes) {
    const raw = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const br = brotli(raw);
    files.set(path, { raw, br, type: typeOf(path), etag: '"' + createHash("sha256").update(raw).digest("hex").slice(0, 32) + '"' });
  }
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://bench");
    const file = files.get(url.pathname);
    if (!file || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "Content-Type": "text/plain", "Cache-Control": "no-store" });
      res.end("not found");
      return;
    }
    const headers = { "Content-Type": file.type, "Cache-Control": "no-cache", ETag: file.etag, Vary: "Accept-Encoding" };
    if (url.searchParams.has("isolated")) {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
    }
    if (req.headers["if-none-match"] === file.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const useBr = /\bbr\b/.test(req.headers["accept-encoding"] || "");
    const body = useBr ? file.br : file.raw;
    if (useBr) headers["Content-Encoding"] = "br";
    headers["Content-Length"] = body.length;
    res.writeHead(200, headers);
    res.end(req.method === "HEAD" ? undefined : body);
  });
  // Keep-alive as a CDN would; the default 5 s timeout is fine between a cold and a warm visit.
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}
