// The send log: added by `site.mjs` (option `sendLog`) before Trailmark runs, it records in
// the tab's sessionStorage each attempt of the page to send a batch to `/v1/batch`: by `fetch`
// or by `sendBeacon` (with what the browser answered: whether it accepted the beacon), and the
// page it was sent from. Calls pass through unchanged. Written at the moment of the call, so a
// beacon of a page being left is in the log even though the page is gone; the next page of
// the tab on the same origin reads it (`/__engines/away.html`).
(() => {
  const KEY = "__enginesSendLog";
  const isBatch = (target) => {
    try {
      const href = typeof target === "string" ? target : (target && target.url) || String(target);
      return new URL(href, location.href).pathname.endsWith("/v1/batch");
    } catch (_) {
      return false;
    }
  };
  const note = (entry) => {
    try {
      const log = JSON.parse(sessionStorage.getItem(KEY) || "[]");
      log.push({ ...entry, path: location.pathname });
      sessionStorage.setItem(KEY, JSON.stringify(log));
    } catch (_) { /* storage unavailable: the collector still tells what arrived */ }
  };
  const realFetch = window.fetch;
  window.fetch = function (input) {
    if (isBatch(input)) note({ via: "fetch" });
    return realFetch.apply(this, arguments);
  };
  const realBeacon = navigator.sendBeacon;
  if (typeof realBeacon === "function") {
    navigator.sendBeacon = function (url) {
      const accepted = realBeacon.apply(navigator, arguments);
      if (isBatch(url)) note({ via: "beacon", accepted });
      return accepted;
    };
  }
})();
