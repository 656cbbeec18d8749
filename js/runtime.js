// The Trailmark runtime shared by the script-tag loader and the ESM entry.
//
// It never throws into the page: every call into the module is wrapped, a failure turns the
// whole API into no-ops after one console message, and slots keep their default content.

import { isCompiled, programOf, base64 } from "./config.js";
import { createRenderer } from "./render.js";

const PREFIX = "[trailmark] ";
const CONFIG_CACHE = "trailmark:config:";
const CONSENT_KEY = "trailmark:consent";
const QUEUE_PREFIX = "trailmark:outbox:";
const PROFILE_KEY = "trailmark:profile";
const EVENT_ATTR = "data-trailmark-event";

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

// Lets the browser run what waits (input, rendering) before going on: `scheduler.yield()`
// where there is one (the continuation keeps its place ahead of other tasks), and a task in
// any case (a page's own `scheduler` may never answer).
const yieldToPage = () => new Promise((r) => {
  setTimeout(r, 0);
  try { scheduler.yield().then(r, r); } catch (_) { /* no scheduler.yield */ }
});

// The shopper's IANA time zone, for each event's context. Temporal answers at once, where
// `Intl.DateTimeFormat`'s first use loads locale data: 50-120 ms of a cold start at 4x CPU in
// Chromium (measured), the largest single piece of it. Intl where there is no Temporal.
const timeZone = () => {
  try {
    const id = typeof Temporal == "object" && Temporal.Now.timeZoneId();
    if (typeof id == "string") return id;
  } catch (_) { /* a partial Temporal polyfill */ }
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
};
// A chunk whose loading a navigation cut off is no problem worth a warning.
let leaving = false;
try {
  addEventListener("pagehide", () => { leaving = true; });
  addEventListener("pageshow", () => { leaving = false; });
} catch (_) { /* no window */ }
const warnUnlessLeaving = (m) => { if (!leaving) warn(m); };
const kind = (x) => Object.prototype.toString.call(x);
// The module's methods, in the order of its one entry's numbers (`call(op, args)`,
// src/web/dispatch.rs). A method a module lacks (a loader newer than its module) does nothing.
const OPS = Object.create(null);
{
  const names = ("onDecisions configure page track declared decisions hide queueKey adopt consent consentChanged " +
    "identify reset profile profileChanged resumed claimDialog suppressDialogs watching sample preview explainState queued").split(" ");
  for (let i = 0; i < names.length; i++) OPS[names[i]] = i;
}

/**
 * Creates the public API. `loadModule()` resolves to the wasm-bindgen module, initialized.
 * `options.config` is a config object (compiled, or JSON), a URL string, or absent;
 * `options.autoPage` (default true) turns automatic page views on; `options.adapters` names the
 * adapters to run ("ga4", "shopify") and `options.loadAdapters()` resolves to their chunk
 * (`{ adapt }`); `options.loadTools()` resolves to the tools chunk (compiler, validator,
 * `evalCondition`, bucketing), initialized.
 */
export function createRuntime(loadModule, options) {
  let mod = null;
  let core = null;
  let dead = false;
  const pending = [];
  const readyCallbacks = [];
  const auto = options.autoPage !== false;
  let adapt = null; // the adapters chunk's adapt(source, payload), once loaded
  let chunk = null; // its loading, when a store turned an adapter on
  let blocks = {}; // the content blocks of the config in use, by id
  let program = null; // the compiled program in use (explain() hands it to the tools chunk)
  // The session's dialog is claimed across tabs: the module checks the visitor record and
  // records the dialog's view there while this tab holds the Web Lock. A record written in one
  // tab can reach another tab's process late (Chromium: ~100 ms), so the winner keeps the lock
  // for CLAIM_HOLD_MS after a successful claim, and a tab that finds the lock taken does not
  // open its dialog: two tabs never both open it (without Web Locks: the record alone).
  const CLAIM_HOLD_MS = 5000;
  const claim = (d) => {
    // A preview opens without claiming (nothing about it is recorded).
    if (d.preview) return Promise.resolve(true);
    const ask = () => !!call("claimDialog", [d.rule, d.block]);
    try {
      if (navigator.locks) {
        // Resolves as soon as the claim is decided, not when the lock is let go.
        return new Promise((resolve) => {
          navigator.locks.request("trailmark:dialog", { ifAvailable: true }, (lock) => {
            const won = !!lock && ask();
            resolve(won);
            return won ? new Promise((r) => setTimeout(r, CLAIM_HOLD_MS)) : null;
          }).catch(() => resolve(false));
        });
      }
    } catch (_) { /* locks refused here */ }
    return Promise.resolve(ask());
  };
  // Outcome events go straight to the module (a page that replaced trailmark.track cannot
  // break or see them).
  const renderer = createRenderer(warn, { warnUnlessLeaving, track: (name, props) => call("track", [name, props]), claim, loadUi: options.loadUi });
  // The module's decisions, built into the slots (the module hands over new decisions whenever
  // they change; `render()` asks for them).
  const render = (decisions) => (core && !dead ? renderer(decisions || call("decisions", []) || [], blocks) : 0);

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
      pending[pending.length] = [method, args]; // (no push: a page may have broken it)
      return undefined;
    }
    // An adapter's payload, in its place among the other calls: the events it maps to.
    if (method === "adapt") {
      for (const e of adapt ? adapt(...args) : []) call(e.kind, e.kind === "page" ? [e.properties] : [e.name, e.properties]);
      return undefined;
    }
    try {
      const op = OPS[method];
      return op === undefined ? undefined : core.call(op, args);
    } catch (e) {
      die(e);
      return undefined;
    }
  };

  const report = (diags, source) => {
    const errors = [];
    for (const d of diags || []) {
      if (d.severity === "error") errors[errors.length] = new TrailmarkError(d);
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

  // The tools chunk, loaded once, on first need (a JSON config, validateConfig, ...).
  let toolsChunk = null;
  const tools = () => (toolsChunk = toolsChunk || options.loadTools());

  // Applies a program and its blocks; says once why it was refused (another format version,
  // corrupt). The blocks are in place before the module announces its first decisions.
  const apply = (newProgram, newBlocks, source) => {
    const previous = blocks;
    blocks = newBlocks && typeof newBlocks === "object" ? newBlocks : {};
    const problem = call("configure", [newProgram]);
    if (!problem) program = newProgram;
    if (problem) {
      blocks = previous;
      console.error(PREFIX + "config " + source + " was not applied: " + problem + "; default content stays, tracking goes on.");
    } else {
      // The module announces decisions that changed; blocks that changed under the same ids
      // (a fresh config after the cached one) are built again here.
      api.render();
    }
    adoptOrphans();
    if (!problem) { watch(); unlock(); }
    return !problem;
  };

  // Preview and debugging (README, "Preview and debugging"): only with the config's key in the
  // URL; a wrong or missing key changes nothing and says nothing.
  let unlocked = false;
  const unlock = () => {
    let q;
    try { q = new URLSearchParams(location.search); } catch (_) { return; }
    const key = q.get("trailmark-key") || q.get("trailmark-debug");
    if (unlocked || !key || !call("preview", [key, q.get("trailmark-preview") || "", q.get("trailmark-variant") || ""])) return;
    unlocked = true;
    if (q.has("trailmark-debug")) options.loadUi().then((ui) => ui.showDebug(api)).catch(() => {});
  };

  // The page sampler (exit.js) runs only for a config with a rule that reads what the shopper
  // does on the page (`page.scrollDepth`, `page.idle`) or waits for exit intent. A touch-first
  // device is a phone to the exit-intent detector.
  let sampling = false;
  const watch = () => {
    if (sampling || !call("watching", [])) return;
    sampling = true;
    // Tried twice, a second apart: a navigation can cut the first load off (no warning then).
    const attach = (again) => options.loadUi().then((ui) => {
      const phone = matchMedia("(hover: none) and (pointer: coarse)").matches;
      ui.attachExitSampler((kind, t, a, b, c, d) => call("sample", [kind, t, a, b, c, d]), { touch: phone });
    }).catch((e) => {
      if (again) setTimeout(() => attach(false), 1000);
      else warnUnlessLeaving("the page sampler could not be loaded (" + e + "); rules that wait for page state or exit intent do not show");
    });
    attach(true);
  };

  const unreadable = (source, e) => {
    console.error(PREFIX + "config " + source + " could not be read (" + e + "); default content stays, tracking goes on.");
    return null;
  };

  // Applies `config` and resolves to its program (null when nothing applied). A compiled config
  // applies at once, synchronously: before the first page view and the first decision. A JSON
  // config is compiled by the tools chunk first (its problems reported once).
  const configure = (config, source) => {
    if (isCompiled(config)) {
      let program = null;
      try { program = programOf(config); } catch (e) { return Promise.resolve(unreadable(source, e)); }
      return Promise.resolve(apply(program, config.blocks, source) ? { program, blocks: config.blocks } : null);
    }
    return tools().then((t) => {
      const out = t.compileConfig(config);
      report(out.diagnostics, source);
      return out.program && apply(out.program, out.blocks, source) ? { program: out.program, blocks: out.blocks } : null;
    }).catch((e) => unreadable(source, e));
  };

  // ------------------------------------------------------------------ automatic capture
  //
  // Page views (when `autoPage` is on): one at start, one per back/forward-cache restore, and
  // one per route change of a single-page app (history.pushState/replaceState, popstate,
  // hashchange) whose URL differs from the last one recorded: a URL is never counted twice in
  // a row (replaceState to the same URL, pushState followed by hashchange).
  //
  // Engagement of each page view: how long the page was visible and how far down it was seen
  // (the bottom of the viewport, in % of the page's height), recorded as "Page Engagement"
  // when the page is hidden or left (before `hide`, so it goes in the same beacon) and, for
  // the previous route, on a route change. A page hidden, shown again and left records one
  // more only if it was visible in between, with the visible time not yet reported: the
  // `visible_ms` of a page view's events add up to its visible time (the profile sums them),
  // and `max_scroll_percent` is the deepest point so far.
  let lastUrl = ""; // the URL of the last page view; empty before the first
  let shown = 0; // visible ms of this page view up to `since`
  let since = null; // performance.now() when the page was last shown; null while hidden
  let reported = 0; // visible ms of this page view already in a Page Engagement
  let depth = 0; // how far down this page view was seen, %
  let measuring = 0; // a scroll measurement is scheduled

  const clock = () => performance.now();
  // The URL a page view is about. A fragment that is not a single-page-app route (`#reviews`,
  // `#access_token=...`) is not part of it: jumping to an anchor is no new page view, and the
  // module drops such fragments from every URL it records anyway (README "Privacy").
  const here = () => location.href.replace(/#(?![/!])[\s\S]*$/, "");
  const measure = () => {
    measuring = 0;
    const h = (document.documentElement || {}).scrollHeight;
    depth = Math.max(depth, Math.min(100, Math.round((scrollY + innerHeight) * 100 / h)) || 0);
  };
  const engage = () => {
    if (!lastUrl) return;
    measure();
    const ms = Math.round(shown + (since === null ? 0 : clock() - since)) - reported;
    if (ms > 0) {
      reported += ms;
      // `url`: the page view this belongs to (on a route change the page already shows the next).
      call("track", ["Page Engagement", { visible_ms: ms, max_scroll_percent: depth, url: lastUrl }]);
    }
  };
  const view = (properties) => {
    engage();
    renderer.newPage();
    lastUrl = here();
    shown = reported = depth = 0;
    since = document.hidden ? null : clock();
    call("page", [properties]);
  };
  // A page view that does not end one: the first, and one after a back/forward-cache restore
  // (the page view before it ended at pagehide; the time since the restore is this one's).
  const fresh = () => { lastUrl = ""; view(); };
  // Deferred a task: a router calls pushState before it renders, so the title and the slots of
  // the new route are there when the page view is recorded and the slots are rendered.
  const route = () => setTimeout(() => { if (here() !== lastUrl) view(); }, 0);
  const leave = () => {
    if (since !== null) shown += clock() - since;
    since = null;
    // Recording the engagement only queues it; `hide` stores the whole queue before it
    // beacons it (a browser may stop this handler at any point: Firefox was seen doing so).
    engage();
    call("hide", []);
  };

  // Declarative events: `data-trailmark-event` (+ `data-trailmark-props`, JSON) on any clicked
  // element or submitted form; a form adds the fields named in `data-trailmark-fields`. Any
  // markup can carry the attribute (a review, a comment: sanitizers keep `data-*`), so the
  // module records one only when the config lists its name in `declarative.events`: checked
  // once the first config has applied (or failed to), and each name refused is said once.
  const refused = new Set();
  let configSettle;
  const configSettled = new Promise((r) => (configSettle = r));
  const declared = (el, form) => {
    const name = el.getAttribute(EVENT_ATTR);
    const raw = el.getAttribute("data-trailmark-props");
    let props = {};
    if (raw) {
      try {
        props = JSON.parse(raw);
        if (kind(props) !== "[object Object]") throw 0;
      } catch (_) {
        props = {};
        warn("data-trailmark-props of \"" + name + "\" is not a JSON object; tracked without it");
      }
    }
    if (form) {
      for (const field of (el.getAttribute("data-trailmark-fields") || "").split(/[\s,]+/)) {
        const input = field && el.elements.namedItem(field);
        // Only the fields listed, as strings; never an email or a password field.
        if (input && !/email|password/.test(input.type)) props[field] = String(input.value);
      }
    }
    configSettled.then(() => {
      if (call("declared", [name, props]) === false && !refused.has(name)) {
        refused.add(name);
        warn("data-trailmark-event \"" + name + "\" ignored: not in the config's declarative.events");
      }
    });
  };

  const api = {
    version: "__VERSION__",
    /** Records an event: `track("Product Added", { product_id, price, currency })`. */
    track: (name, properties) => { call("track", [name, properties]); },
    /** Records a page view (one is recorded automatically on load and on route changes). */
    page: (properties) => view(properties),
    /** Names the shopper: `identify("customer-42", { plan: "club" })`; later events carry the id. */
    identify: (userId, traits) => { call("identify", [userId, traits]); },
    /** Sign-out: sends what is queued under the old identity, then forgets ids, profile and history. */
    reset: () => { call("reset", []); },
    /** The visitor profile as rules see it (`undefined` until Trailmark runs). */
    profile: () => call("profile", []),
    /** `track("Product Added", product)`. */
    addToCart: (product) => api.track("Product Added", product),
    /** `track("Product Removed", product)`. */
    removeFromCart: (product) => api.track("Product Removed", product),
    /** The cart as Trailmark knows it from cart events: `{ items, count, value, currency }`. */
    cart: () => (api.profile() || {}).cart || { items: [], count: 0, value: 0, currency: "" },
    /** Re-evaluates rules and renders slots. */
    render: () => { try { return render(); } catch (e) { die(e); return 0; } },
    /**
     * Asks that no dialog open (`true`: while the page's own consent banner is open, on the
     * checkout, ...) or lifts that (`false`). An open dialog stays open.
     */
    suppressDialogs: (on) => { call("suppressDialogs", [!!on]); },
    /** What each slot and overlay shows: `[{ slot, placement, rule, block, offer?, text?, preview? }]`. */
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
      if (core) { try { fn(api); } catch (e) { console.error(e); } } else readyCallbacks[readyCallbacks.length] = fn;
    },
    /**
     * The tools chunk, loaded on first use: `compileConfig`, `validateConfig`, `evalCondition`,
     * and GrowthBook's bucketing (`hash`, `getBucketRanges`, `chooseVariation`,
     * `getEqualWeights`, `inNamespace`). Resolves to null where it cannot load.
     */
    tools: () => tools().catch((e) => { warn("the tools chunk could not be loaded (" + e + ")"); return null; }),
    /** Validates a config without applying it: resolves to a list of `TrailmarkError`s (empty when valid). */
    validateConfig: async (config) => {
      const t = await api.tools();
      try { return t ? t.validateConfig(config).filter((d) => d.severity === "error").map((d) => new TrailmarkError(d)) : []; } catch (e) { warn("validateConfig failed (" + e + ")"); return []; }
    },
    /** GrowthBook-compatible `evalCondition(attributes, condition, savedGroups)`: resolves to a boolean. */
    evalCondition: async (attributes, condition, savedGroups) => {
      const t = await api.tools();
      try { return t ? t.evalCondition(attributes, condition, savedGroups || {}) : false; } catch (e) { warn("evalCondition failed (" + e + ")"); return false; }
    },
    /**
     * Why this page shows what it shows: resolves to, per slot and overlay placement, every
     * candidate rule in the order they are tried, with why it showed or did not (README,
     * "Why a shopper saw what they saw"). Worked out by the tools chunk, loaded on first use.
     */
    explain: async () => {
      await api.started;
      const state = program && call("explainState", []);
      const t = state && (await api.tools());
      if (!t) return [];
      try {
        state.record = JSON.parse(state.record);
        return t.explain(program, state) || [];
      } catch (e) { warn("explain failed (" + e + ")"); return []; }
    },
  };

  // Listeners that work before the module is there (their calls wait in memory).
  try {
    for (const type of ["click", "submit"]) {
      document.addEventListener(type, (e) => {
        const form = type === "submit";
        const el = e.target.closest?.(form ? "form[" + EVENT_ATTR + "]" : "[" + EVENT_ATTR + "]:not(form)");
        if (el) declared(el, form);
      });
    }
    const adapters = options.adapters || [];
    for (const a of adapters) if (a && a !== "ga4" && a !== "shopify") warn("unknown adapter ignored: " + a);
    // The mappings are an optional chunk, fetched only here (next to the module); its payloads
    // wait in order with every other call until both are there.
    if (adapters.includes("ga4") || adapters.includes("shopify")) {
      chunk = options.loadAdapters().catch((e) => {
        warn("the adapters could not be loaded (" + e + "); their events are not recorded");
        return {};
      });
    }
    // Shopify: the store's custom Web Pixel posts each event to the storefront window.
    if (adapters.includes("shopify")) {
      addEventListener("message", (e) => {
        const d = e.data;
        if (d && d.trailmark === "shopify-pixel" && d.v === 1) call("adapt", ["shopify", d.event]);
      });
    }
    // GA4: what the page pushed to its dataLayer before Trailmark ran, then every later push.
    if (adapters.includes("ga4")) {
      const ga4 = (entry) => call("adapt", ["ga4", kind(entry) === "[object Arguments]" ? Array.from(entry) : entry]);
      const layer = (window.dataLayer = window.dataLayer || []);
      const push = layer.push;
      layer.forEach(ga4);
      layer.push = function () {
        const result = push.apply(this, arguments);
        for (const entry of arguments) ga4(entry);
        return result;
      };
    }
  } catch (_) { /* no DOM here (server-side rendering), or a dataLayer that is not an array */ }

  const start = async () => {
    if (typeof WebAssembly !== "object") {
      warn("this browser has no WebAssembly; Trailmark is off and the page keeps its default content.");
      dead = true;
      return;
    }
    // (An inline config comes as a promise of its parsed JSON: see the loader.)
    const configSource = await options.config;
    const configText = typeof configSource === "string" ? fetchConfig(configSource) : null;
    // The program of the last visit (stale while revalidate), read while the module loads: it
    // applies right after the first page view, in the same task.
    const cache = configText && readCache(configSource);
    let instance;
    try {
      mod = await loadModule();
      if (chunk) adapt = (await chunk).adapt;
      // A prerendered page starts when the shopper opens it: nothing is recorded, stored or
      // rendered for a page never shown; calls wait in memory until then.
      if (document.prerendering) await new Promise((r) => document.addEventListener("prerenderingchange", r));
      // What the module does not read itself, for each event's context: time zone and screen.
      // Until the yield below is over and the calls made before are replayed, the page's calls
      // wait in `pending` (`core` is set then), so they keep their order.
      instance = new mod.Trailmark({
        timezone: timeZone(),
        screen: { width: screen.width, height: screen.height, density: devicePixelRatio },
        userAgent: navigator.userAgent,
        locale: navigator.language,
      });
      // Announced from inside a call into the module: built right away, with no call back in
      // (the renderer only touches the page).
      instance.call(OPS.onDecisions, [(decisions) => { try { render(decisions); } catch (e) { die(e); } }]);
      // This tab is alive while the page lives: other tabs leave its stored queue alone. The
      // lock is let go while the page sits in the back/forward cache (a held lock would keep
      // it out of that cache) and taken again when it comes back.
      let releaseLock = null;
      const holdLock = () => {
        try {
          if (!navigator.locks || releaseLock) return;
          navigator.locks.request(instance.call(OPS.queueKey, []), () => new Promise((r) => { releaseLock = r; })).catch(() => {});
        } catch (_) { /* no locks */ }
      };
      holdLock();
      addEventListener("pagehide", (e) => { if (e.persisted && releaseLock) { releaseLock(); releaseLock = null; } });
      // Restored from the back/forward cache: a new page load for `seq` and the visitor record,
      // and a new page view of the same page.
      // Consent given or withdrawn on the pages in between applies before anything is recorded.
      addEventListener("pageshow", (e) => { if (e.persisted) { holdLock(); afterConsent(call("resumed", [])); if (auto) fresh(); } });
    } catch (e) {
      dead = true;
      warn((String(e).includes("wasm-unsafe-eval") || (e && e.name === "CompileError")
        ? "WebAssembly is blocked here (a Content-Security-Policy without 'wasm-unsafe-eval'?)"
        : "the module could not be loaded (" + e + ")") +
        "; Trailmark is off and the page keeps its default content.");
      return;
    }
    const cached = await cache;
    // The rest (the page view, the config, the first decision and its rendering) runs in a task
    // of its own: the module's start-up (its functions compile on their first call) and the
    // first decision were one long task that kept the page from answering input (issue 13).
    await yieldToPage();
    core = instance;
    // Consent and identity given before the script ran apply before anything is recorded.
    const queued = pending.splice(0);
    const early = (method) => method === "consent" || method === "identify";
    for (const [method, args] of queued) {
      if (early(method)) {
        const states = call(method, args);
        if (method === "consent") afterConsent(states);
      }
    }
    // (A page() queued before the script ran is recorded after this one, not measured.)
    if (auto) fresh();
    // The config applies right after the automatic page view is recorded (so the first
    // decision already counts this visit: a new session, a returning visitor), before the
    // page's queued calls are replayed: a compiled config at once, a JSON one as soon as the
    // tools chunk has compiled it.
    // Declarative events wait for the first config applied (or failed): `settling`.
    const settling = [];
    if (configSource && typeof configSource === "object") settling[0] = configure(configSource, "(inline)");
    if (configText) {
      // Stale while revalidate: the program of the last visit applies at once (a JSON config's
      // compiled program, so a warm visit never needs the tools chunk), the fetched text next.
      const warm = cached && apply(cached.program, cached.blocks, configSource + " (cached)");
      if (cached && !warm) cached.text = null;
      const fetched = configText.then(async (text) => {
        if (text === null || (cached && cached.text === text)) return;
        let parsed;
        try { parsed = await new Response(text).json(); } catch (e) {
          console.error(PREFIX + "config " + configSource + " is not JSON (" + e.message + "); default content stays, tracking goes on.");
          return;
        }
        const applied = await configure(parsed, configSource);
        if (applied) writeCache(configSource, text, applied);
      });
      if (!warm) settling[settling.length] = fetched;
    }
    Promise.all(settling).then(configSettle, configSettle);
    for (const [method, args] of queued) if (!early(method)) call(method, args);
    addEventListener("storage", (e) => {
      // A consent choice made in another tab applies here too; so does its profile.
      if (e.key === CONSENT_KEY) afterConsent(call("consentChanged", []));
      if (e.key === PROFILE_KEY) call("profileChanged", []);
    });
    addEventListener("pagehide", leave);
    document.addEventListener("visibilitychange", () => {
      if (document.hidden) leave();
      else if (since === null) since = clock();
    });
    // Scroll depth, measured at most every 250 ms while scrolling (and when engagement is recorded).
    addEventListener("scroll", () => { measuring = measuring || setTimeout(measure, 250); }, { passive: true });
    if (auto) {
      addEventListener("popstate", route);
      addEventListener("hashchange", route);
      for (const name of ["pushState", "replaceState"]) {
        const original = history[name];
        history[name] = function () {
          const result = original.apply(this, arguments);
          route();
          return result;
        };
      }
    }
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

// Stale-while-revalidate cache of the config text and what applying it took (its program and
// blocks), in a versioned envelope. `v` moves with the program's format version
// (src/program.rs FORMAT + 2): a program cached by an older module is never offered to this one.
const CACHE_VERSION = 5;
async function readCache(url) {
  try {
    const raw = await new Response(localStorage.getItem(CONFIG_CACHE + url)).json();
    if (raw && raw.v === CACHE_VERSION && typeof raw.d === "string" && typeof raw.p === "string" && raw.b && typeof raw.b === "object") {
      return { text: raw.d, program: programOf({ program: raw.p }), blocks: raw.b };
    }
  } catch (_) { /* unavailable or corrupt: fetch fresh */ }
  return null;
}

function writeCache(url, text, applied) {
  try {
    localStorage.setItem(CONFIG_CACHE + url, JSON.stringify({ v: CACHE_VERSION, d: text, p: base64(applied.program), b: applied.blocks }));
  } catch (_) { /* full or disabled */ }
}
