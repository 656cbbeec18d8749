// The Trailmark runtime shared by the script-tag loader and the ESM entry.
//
// It never throws into the page: every call into the module is wrapped, a failure turns the
// whole API into no-ops after one console message, and slots keep their default content.

const PREFIX = "[trailmark] ";
const CONFIG_CACHE = "trailmark:config:";
const CONSENT_KEY = "trailmark:consent";
const QUEUE_PREFIX = "trailmark:outbox:";

/** A config problem, with a stable `code` and the JSON `path` it points at. */
export class TrailmarkError extends Error {
  constructor(d) {
    super(d.code + " at " + (d.path || "/") + ": " + d.message);
    this.name = "TrailmarkError";
    this.code = d.code;
    this.path = d.path;
    this.severity = d.severity;
  }
}

const warn = (m) => console.warn(PREFIX + m);

/**
 * Creates the public API. `loadModule()` resolves to the wasm-bindgen module, initialized.
 * `options.config` is a config object, a URL string, or absent.
 */
export function createRuntime(loadModule, options) {
  let mod = null;
  let core = null;
  let dead = false;
  const pending = [];
  const readyCallbacks = [];

  const die = (e) => {
    if (dead) return;
    dead = true;
    // A panic may already have explained itself through the panic hook (builds that keep it);
    // anything else is said here, once.
    let explained = false;
    try { explained = !!(mod && mod.panicReported()); } catch (_) { /* module unusable */ }
    if (!explained) console.error(PREFIX + "stopped after an internal error; the page keeps its default content.", e);
  };

  const call = (method, args) => {
    if (dead) return undefined;
    if (!core) {
      pending.push([method, args]);
      return undefined;
    }
    try {
      return core[method](...args);
    } catch (e) {
      die(e);
      return undefined;
    }
  };

  const report = (diags, source) => {
    const errors = [];
    for (const d of diags || []) {
      if (d.severity === "error") errors.push(new TrailmarkError(d));
    }
    if (errors.length) {
      console.error(PREFIX + "config " + source + " has " + errors.length +
        " error(s); the parts with errors are ignored, the rest applies:\n" +
        errors.map((e) => "  " + e.message).join("\n"));
    }
    return errors;
  };

  // Stored queues of tabs that are gone. Each tab holds a Web Lock named after its queue's key
  // for as long as it lives; a queue whose lock is free belongs to a closed tab, and this tab
  // takes it over (the module merges it and removes the key). Without Web Locks every other
  // tab's queue is taken: a live tab rewrites its own on its next change, and a collector that
  // dedupes on messageId drops the events sent twice. Nothing is lost either way.
  const adoptOrphans = () => {
    try {
      const own = call("queueKey", []);
      if (!own) return;
      const prefix = own.slice(0, own.lastIndexOf(":") + 1);
      const orphans = Object.keys(localStorage).filter((k) => k.startsWith(prefix) && k !== own);
      const locks = navigator.locks;
      for (const key of orphans) {
        if (!locks) { call("adopt", [key]); continue; }
        locks.request(key, { ifAvailable: true }, (lock) => { if (lock) call("adopt", [key]); })
          .catch(() => { /* locks unavailable here: the queue stays for a later page */ });
      }
    } catch (_) { /* storage disabled: nothing stored to adopt */ }
  };

  // After every consent change. Analytics denied: no tab's stored queue may leave the device,
  // not only this tab's.
  const afterConsent = (states) => {
    // Granted: queues of closed tabs waiting for this choice may now be taken over and sent.
    if (states && states.analytics === "granted") adoptOrphans();
    if (!states || states.analytics !== "denied") return states;
    try {
      for (const key of Object.keys(localStorage)) if (key.startsWith(QUEUE_PREFIX)) localStorage.removeItem(key);
    } catch (_) { /* storage disabled: nothing stored */ }
    return states;
  };

  const configure = (config, source) => {
    const errors = report(call("configure", [config]), source);
    adoptOrphans();
    return errors;
  };

  const api = {
    version: "__VERSION__",
    /** Records an event: `track("Product Added", { product_id, price, currency })`. */
    track: (name, properties) => { call("track", [name, properties]); },
    /** Records a page view (one is recorded automatically on load). */
    page: (properties) => { call("page", [properties]); },
    /** Re-evaluates rules and renders slots. */
    render: () => call("render", []) || 0,
    /** Which rule and block each slot gets: `[{ slot, rule, block }]`. */
    decisions: () => call("decisions", []) || [],
    /** Consent: `consent({ analytics: "granted", personalization: "denied" })`; returns the states. */
    consent: (update) => afterConsent(call("consent", [update])),
    /** Command-queue entry point: `push(["track", "Order Completed", {...}])`. */
    push: (command) => {
      try {
        const name = Array.isArray(command) && typeof command[0] === "string" ? command[0] : "";
        if (!Object.prototype.hasOwnProperty.call(api, name) || typeof api[name] !== "function" || name === "push") {
          warn("unknown command ignored: " + (name || typeof (command && command[0])));
          return;
        }
        api[name](...command.slice(1));
      } catch (e) {
        warn("a command failed and was ignored (" + e + ")");
      }
    },
    /** Calls `fn(api)` once Trailmark is running (at once if it already is). */
    ready: (fn) => {
      if (core) { try { fn(api); } catch (e) { console.error(e); } } else readyCallbacks.push(fn);
    },
    /** Validates a config without applying it: a list of `TrailmarkError`s (empty when valid). */
    validateConfig: (config) => {
      if (!mod || dead) return [];
      try { return mod.validateConfig(config).filter((d) => d.severity === "error").map((d) => new TrailmarkError(d)); } catch (e) { die(e); return []; }
    },
    /** GrowthBook-compatible `evalCondition(attributes, condition, savedGroups)`. */
    evalCondition: (attributes, condition, savedGroups) => {
      if (!mod || dead) return false;
      try { return mod.evalCondition(attributes, condition, savedGroups || {}); } catch (e) { die(e); return false; }
    },
  };

  const start = async () => {
    if (typeof WebAssembly !== "object") {
      warn("this browser has no WebAssembly; Trailmark is off and the page keeps its default content.");
      dead = true;
      return;
    }
    const configSource = options.config;
    const configText = typeof configSource === "string" ? fetchConfig(configSource) : null;
    try {
      mod = await loadModule();
      core = new mod.Trailmark();
      // This tab is alive while the page lives: other tabs leave its stored queue alone. The
      // lock is let go while the page sits in the back/forward cache (a held lock would keep
      // it out of that cache) and taken again when it comes back.
      let releaseLock = null;
      const holdLock = () => {
        try {
          if (!navigator.locks || releaseLock) return;
          navigator.locks.request(core.queueKey(), () => new Promise((r) => { releaseLock = r; })).catch(() => {});
        } catch (_) { /* no locks */ }
      };
      holdLock();
      addEventListener("pagehide", (e) => { if (e.persisted && releaseLock) { releaseLock(); releaseLock = null; } });
      addEventListener("pageshow", (e) => { if (e.persisted) holdLock(); });
    } catch (e) {
      dead = true;
      warn((String(e).includes("wasm-unsafe-eval") || (e && e.name === "CompileError")
        ? "WebAssembly is blocked here (a Content-Security-Policy without 'wasm-unsafe-eval'?)"
        : "the module could not be loaded (" + e + ")") +
        "; Trailmark is off and the page keeps its default content.");
      return;
    }
    if (configSource && typeof configSource === "object") configure(configSource, "(inline)");
    if (configText) {
      const cached = readCache(configSource);
      if (cached) configure(cached.config, configSource + " (cached)");
      configText.then((text) => {
        if (text === null || (cached && cached.text === text)) return;
        let parsed;
        try { parsed = JSON.parse(text); } catch (e) {
          console.error(PREFIX + "config " + configSource + " is not JSON (" + e.message + "); default content stays, tracking goes on.");
          return;
        }
        writeCache(configSource, text);
        configure(parsed, configSource);
      });
    }
    // Consent given before the script ran applies before anything is recorded.
    const queued = pending.splice(0);
    for (const [method, args] of queued) if (method === "consent") afterConsent(call(method, args));
    if (options.autoPage !== false) call("page", []);
    for (const [method, args] of queued) if (method !== "consent") call(method, args);
    // A choice made in another tab applies here too.
    addEventListener("storage", (e) => { if (e.key === CONSENT_KEY) afterConsent(call("consentChanged", [])); });
    addEventListener("pagehide", () => call("hide", []));
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") call("hide", []);
    });
    for (const fn of readyCallbacks.splice(0)) api.ready(fn);
  };

  api.started = start().catch(die);
  return api;
}

// Resolves to the config text, or null after logging one clear error.
async function fetchConfig(url) {
  try {
    const res = await fetch(url, { credentials: "same-origin", cache: "no-cache" });
    if (res.ok) return await res.text();
    console.error(PREFIX + "config " + url + " could not be loaded (HTTP " + res.status + "); default content stays, tracking goes on.");
  } catch (e) {
    console.error(PREFIX + "config " + url + " could not be loaded (" + e.message + "); default content stays, tracking goes on.");
  }
  return null;
}

// Stale-while-revalidate cache of the config text, in a versioned envelope.
function readCache(url) {
  try {
    const raw = JSON.parse(localStorage.getItem(CONFIG_CACHE + url));
    if (raw && raw.v === 1 && typeof raw.d === "string") return { text: raw.d, config: JSON.parse(raw.d) };
  } catch (_) { /* unavailable or corrupt: fetch fresh */ }
  return null;
}

function writeCache(url, text) {
  try { localStorage.setItem(CONFIG_CACHE + url, JSON.stringify({ v: 1, d: text })); } catch (_) { /* full or disabled */ }
}
