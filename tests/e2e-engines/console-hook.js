// The in-page console hook, for engines whose WebDriver has no BiDi (WebKitGTK). `site.mjs`
// adds it as the first script of every store page (a same-origin file: the store's CSP allows
// it), so it runs before Trailmark. It records each console call and each uncaught error or
// unhandled rejection in the tab's sessionStorage (a reload or the next page of the tab keeps
// them; the harness reads them with `tab.console()`), and passes every call on unchanged.
(() => {
  const KEY = "__enginesConsole";
  const show = (value) => {
    if (typeof value === "string") return value;
    if (value instanceof Error) return value.name + ": " + value.message;
    try {
      return JSON.stringify(value) ?? String(value);
    } catch (_) {
      return String(value);
    }
  };
  const record = (level, text, uncaught) => {
    try {
      const log = JSON.parse(sessionStorage.getItem(KEY) || "[]");
      log.push({ level, text, uncaught });
      sessionStorage.setItem(KEY, JSON.stringify(log));
    } catch (_) { /* storage unavailable: nothing to record into */ }
  };
  for (const level of ["log", "info", "warn", "error", "debug"]) {
    const original = console[level];
    console[level] = function (...args) {
      record(level, args.map(show).join(" "), false);
      return original.apply(this, args);
    };
  }
  addEventListener("error", (e) => record("error", "Uncaught " + (e.error ? show(e.error) : e.message), true));
  addEventListener("unhandledrejection", (e) => record("error", "Unhandled rejection: " + show(e.reason), true));
})();
