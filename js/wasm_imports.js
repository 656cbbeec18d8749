// The JavaScript the wasm module imports: every helper the shell (src/web/) declares with
// `#[wasm_bindgen(module = "/js/wasm_imports.js")]`, in one module. Each is total: nothing it
// does throws into the module (an exception crossing it would leave the tracker borrowed).
//
// One module, not one `inline_js` snippet per Rust file: wasm-bindgen's test runner serves each
// snippet as a module of its own, and a fifth one made headless Chromium's test pages stop
// answering in most runs (2026-12-07). The shipped loader bundles this file (esbuild), so the
// split never cost a request; each Rust file documents the helpers it declares.

// ---- src/web/convert.rs: what the walk asks of a value ----

// `Date.prototype.getTime` is the Date brand check (no Proxy trap, no getter, unlike
// `instanceof`), asked only of objects that do not say they are plain: it throws for anything
// that is not a Date, and a thrown error captures a stack trace, which cost more than the rest
// of a `track()` call when every object of the properties was asked.
const tag = Object.prototype.toString, time = Date.prototype.getTime;
export function dateTime(v) {
    try { return tag.call(v) === '[object Object]' ? undefined : time.call(v); } catch (e) { return undefined; }
}

// ---- src/web/cookie.rs: document.cookie (a sandboxed document throws on it) ----

export function getCookie(name) {
    try {
        for (const part of document.cookie.split('; ')) {
            if (part.startsWith(name + '=')) return part.slice(name.length + 1);
        }
    } catch (e) { /* cookies unavailable */ }
    return '';
}
export function setCookie(text) {
    try { document.cookie = text + (location.protocol === 'https:' ? '; Secure' : ''); } catch (e) { /* unavailable */ }
}

// ---- src/web/page.rs: where we are ----

// Both cut what they read to 16 Ki UTF-16 units: a fragment can be megabytes long, and only the
// first MAX_URL_BYTES (src/privacy.rs) survive cleaning anyway, so a huge URL is never copied
// into the module, kept, or compared whole on every call.
let href, title;
export function pageMoved() {
    try {
        const h = location.href.slice(0, 16384), t = document.title.slice(0, 16384);
        if (h === href && t === title) return false;
        href = h;
        title = t;
    } catch (e) {}
    return true;
}
const FIELDS = ['href', 'pathname', 'search', 'title', 'referrer'];
export function pageField(i) {
    try {
        const v = (i < 3 ? location : document)[FIELDS[i]];
        return typeof v == 'string' ? v.slice(0, 16384) : '';
    } catch (e) {
        return '';
    }
}

// ---- src/web/storage.rs: stored JSON, parsed where it lies ----

// `JSON.parse(area.getItem(key))`: the text (a visitor record is tens of KB) is never copied
// into the module and back. `undefined` when there is no such key (or reading it threw), `null`
// when its text is not JSON.
export function storedJson(area, key) {
    let text;
    try {
        text = area.getItem(key);
    } catch (e) {
        return undefined;
    }
    if (text === null) return undefined;
    try {
        return JSON.parse(text);
    } catch (e) {
        return null;
    }
}

// ---- src/web/fetch.rs: the transport's fetch side, and the module's callbacks ----

let inFlight = 0;
let failed = false;
export function safe(f, what) {
    return function (...args) {
        try {
            return f(...args);
        } catch (e) {
            if (!failed) {
                failed = true;
                console.error('[trailmark] stopped after an internal error (in ' + what + '); the page keeps its default content.', e);
            }
        }
    };
}
export function soon(f, what) {
    Promise.resolve().then(() => f(-1, 0, -1));
}
export async function gz(s) {
    return new Response(new Blob([s]).stream().pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
}
export function keepaliveLeft(budget) {
    return budget - inFlight;
}
export async function post(url, text, len, gzip, budget, extra, id, settled) {
    const headers = { 'Content-Type': 'text/plain;charset=UTF-8' };
    const pairs = extra ? extra.split('\n') : [];
    for (let i = 0; i + 1 < pairs.length; i += 2) headers[pairs[i]] = pairs[i + 1];
    let body = text;
    if (gzip) {
        try {
            body = await gz(text);
            headers['Content-Encoding'] = 'gzip';
            len = body.byteLength;
        } catch (e) {
            body = text;
        }
    }
    const keepalive = len <= budget - inFlight;
    if (keepalive) inFlight += len;
    // A network error (or a fetch that does not answer with a Response) is status 0: retried.
    let status = 0, wait = -1;
    try {
        // A collector that never finishes answering must not hold the one request slot (and
        // keepalive budget) forever: after 30 s the request fails and is retried.
        const signal = AbortSignal.timeout ? AbortSignal.timeout(30000) : undefined;
        const res = await fetch(url, { method: 'POST', body, headers, credentials: 'omit', keepalive, signal });
        if (res instanceof Response) {
            // Chromium counts a keepalive request against the page's 64 KB until its response
            // body is read: unread 4xx bodies would starve every later keepalive request.
            await res.arrayBuffer().catch(() => {});
            status = res.status;
            wait = retryAfter(res.headers.get('Retry-After'));
        }
    } catch (e) {
        // a network error
    } finally {
        if (keepalive) inFlight -= len;
    }
    settled(id, status, wait);
}
// `Retry-After` in ms (delta-seconds or an HTTP date; -1 when absent or unreadable), honoured up
// to an hour: a broken or hostile header must not stop delivery for good.
export function retryAfter(value) {
    value = (value || '').trim();
    const ms = /^[0-9]{1,9}$/.test(value) ? value * 1000 : Date.parse(value) - Date.now();
    return ms === ms && value ? Math.min(Math.max(ms, 0), 3600000) : -1;
}
