// One engine's browser, driven through WebDriver (selenium-webdriver), with the same small API
// in every engine: tabs that open URLs, run script, click and type like a shopper, and report
// the console messages of their pages.
//
// Console messages: over WebDriver BiDi (`log.entryAdded`) where the engine has it (Chromium,
// Firefox); WebKitGTK's driver has no BiDi, so there the store pages carry an in-page hook
// (`console-hook.js`, added to every page by `site.mjs` before any other script) that records
// console calls and uncaught errors in the tab's sessionStorage. Either way a message is
// `{ level: "log" | "info" | "warn" | "error" | "debug", text, uncaught }`; a message the
// browser itself wrote (Firefox's CSP reports) also has `browser: true`. The hook sees only
// what the page's scripts do, so in WebKit the browser's own messages are not seen.
import selenium from "selenium-webdriver";
import getLogInspector from "selenium-webdriver/bidi/logInspector.js";
import { ENGINES } from "./engines.mjs";

const { Builder, By, Key } = selenium;
/** The keys `Tab.press` knows, by their DOM names. */
const KEYS = { Escape: Key.ESCAPE, Tab: Key.TAB, Enter: Key.ENTER };

/** How long `waitFor` polls before it fails. */
export const WAIT_MS = 15_000;
const POLL_MS = 50;
/** Messages of the browser itself that BiDi delivers like script errors. */
const BROWSER_REPORT = /^Content[- ]Security[- ]Policy\b/;
/** The sessionStorage key of the in-page hook's log (see console-hook.js). */
export const HOOK_KEY = "__enginesConsole";

/** Launches `name`'s driver and browser and opens a session. */
export async function launch(name) {
  const engine = ENGINES[name];
  const server = await engine.start();
  let driver;
  try {
    driver = await new Builder()
      .disableEnvironmentOverrides()
      .usingServer(server.url)
      .withCapabilities(server.capabilities)
      .build();
    const browser = new EngineBrowser(name, engine, server, driver);
    await browser.init();
    return browser;
  } catch (e) {
    try { await driver?.quit(); } catch (_) { /* the session never started */ }
    await server.stop();
    e.message = `${name}: ${e.message}\n${server.output()}`;
    throw e;
  }
}

class EngineBrowser {
  constructor(name, engine, server, driver) {
    this.name = name;
    /** Whether console messages come over BiDi (false: the in-page hook). */
    this.bidi = engine.bidi;
    this.server = server;
    this.driver = driver;
    this.current = null;
    this.tabs = new Map();
    /** BiDi console messages by browsing context (= window handle). */
    this.logs = new Map();
  }

  async init() {
    const caps = await this.driver.getCapabilities();
    this.version = `${caps.get("browserName")} ${caps.get("browserVersion")}`;
    await this.driver.manage().setTimeouts({ script: WAIT_MS, pageLoad: 30_000 });
    if (this.bidi) {
      const inspector = await getLogInspector(this.driver);
      const add = (entry, fromScript) => {
        const context = entry.source?.browsingContextId;
        if (!this.logs.has(context)) this.logs.set(context, []);
        const text = entry.text ?? "";
        // Firefox also reports its own CSP violations as "javascript" errors: the browser
        // speaking, not an error thrown in the page.
        const browserReport = !fromScript && BROWSER_REPORT.test(text);
        const level = fromScript ? (entry.method === "warning" ? "warn" : entry.method || entry.level) : "error";
        this.logs.get(context).push({ level, text, uncaught: !fromScript && !browserReport, ...(browserReport && { browser: true }) });
      };
      await inspector.onConsoleEntry((entry) => add(entry, true));
      await inspector.onJavascriptException((entry) => add(entry, false));
    }
    const handle = await this.driver.getWindowHandle();
    this.current = handle;
    this.tabs.set(handle, new Tab(this, handle));
  }

  /** The tab the session started with (after `reset`, the only one). */
  firstTab() {
    return this.tabs.values().next().value;
  }

  /** Opens a new tab (a top-level browsing context of the same profile: shared storage). */
  async newTab() {
    await this.driver.switchTo().newWindow("tab");
    const handle = await this.driver.getWindowHandle();
    this.current = handle;
    const tab = new Tab(this, handle);
    this.tabs.set(handle, tab);
    return tab;
  }

  async focus(handle) {
    if (this.current !== handle) {
      await this.driver.switchTo().window(handle);
      this.current = handle;
    }
  }

  /** Back to one blank tab, between tests. */
  async reset() {
    const handles = await this.driver.getAllWindowHandles();
    for (const handle of handles.slice(1)) {
      await this.driver.switchTo().window(handle);
      await this.driver.close();
      this.tabs.delete(handle);
    }
    await this.driver.switchTo().window(handles[0]);
    this.current = handles[0];
    await this.driver.get("about:blank");
    this.tabs.clear();
    this.tabs.set(handles[0], new Tab(this, handles[0]));
    this.logs.clear();
  }

  async quit() {
    try {
      await this.driver.quit();
    } finally {
      await this.server.stop();
    }
  }
}

class Tab {
  constructor(browser, handle) {
    this.browser = browser;
    this.handle = handle;
    /** The hook's log as last read (kept while the tab shows a page that cannot be read). */
    this.hookLog = [];
  }

  get driver() {
    return this.browser.driver;
  }

  /** Loads `url` in this tab and waits for its load event (WebDriver's page load strategy). */
  async open(url) {
    await this.browser.focus(this.handle);
    await this.readHookLog();
    await this.driver.get(url);
  }

  /** Reloads the page. */
  async reload() {
    await this.browser.focus(this.handle);
    await this.readHookLog();
    await this.driver.navigate().refresh();
  }

  async url() {
    await this.browser.focus(this.handle);
    return this.driver.getCurrentUrl();
  }

  /** Runs `fn(...args)` in the page and returns its (JSON-able) result; a promise is awaited. */
  async run(fn, ...args) {
    await this.browser.focus(this.handle);
    const result = await this.driver.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       const args = Array.prototype.slice.call(arguments, 0, -1);
       Promise.resolve().then(() => (${fn}).apply(null, args)).then(
         (value) => done({ value: value === undefined ? null : JSON.parse(JSON.stringify(value)) }),
         (e) => done({ error: String(e && e.stack || e) }));`,
      ...args,
    );
    if (result && "error" in result) throw new Error(`script failed in ${this.browser.name}: ${result.error}\n${fn}`);
    return result.value;
  }

  /**
   * Polls `fn(...args)` in the page until it returns a truthy value (returned) or `WAIT_MS`
   * passes (then it fails, naming `fn` and its last value). A page that is loading counts as
   * not yet.
   */
  async waitFor(fn, ...args) {
    const until = Date.now() + WAIT_MS;
    let last;
    for (;;) {
      try {
        last = await this.run(fn, ...args);
        if (last) return last;
      } catch (e) {
        last = e.message;
      }
      if (Date.now() >= until) throw new Error(`${this.browser.name}: not true within ${WAIT_MS} ms: ${fn}\nlast: ${JSON.stringify(last)}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  /** Clicks the element like a shopper would (WebDriver scrolls it into view and moves the pointer). */
  async click(selector) {
    await this.browser.focus(this.handle);
    await this.driver.findElement(By.css(selector)).click();
  }

  /** Types `text` into the field, as keystrokes, after clearing it. */
  async type(selector, text) {
    await this.browser.focus(this.handle);
    const field = await this.driver.findElement(By.css(selector));
    await field.clear();
    await field.sendKeys(text);
  }

  /** Presses `key` ("Escape", "Tab", "Enter") wherever focus is, as a shopper at the keyboard would. */
  async press(key) {
    if (!KEYS[key]) throw new Error(`press: unknown key ${key} (known: ${Object.keys(KEYS).join(", ")})`);
    await this.browser.focus(this.handle);
    await this.driver.actions().sendKeys(KEYS[key]).perform();
  }

  /** The text content of the first element matching `selector` (null when there is none). */
  text(selector) {
    return this.run((s) => { const el = document.querySelector(s); return el ? el.textContent : null; }, selector);
  }

  /** Console messages of this tab's pages since it opened (see the top of this file). */
  async console() {
    if (this.browser.bidi) return [...(this.browser.logs.get(this.handle) || [])];
    await this.readHookLog();
    return [...this.hookLog];
  }

  /** Reads the hook's log from the page, when the page is one of the store's. */
  async readHookLog() {
    if (this.browser.bidi) return;
    try {
      await this.browser.focus(this.handle);
      const log = await this.driver.executeScript(`try { return sessionStorage.getItem(${JSON.stringify(HOOK_KEY)}); } catch (_) { return null; }`);
      if (log) this.hookLog = JSON.parse(log);
    } catch (_) { /* about:blank or another origin: keep what was read before */ }
  }

  /** Closes the tab (its page gets `pagehide`, as when a shopper closes it). */
  async close() {
    await this.browser.focus(this.handle);
    await this.driver.close();
    this.browser.tabs.delete(this.handle);
    const [next] = this.browser.tabs.keys();
    if (next) {
      await this.driver.switchTo().window(next);
      this.browser.current = next;
    } else {
      this.browser.current = null;
    }
  }
}
