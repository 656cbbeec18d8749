// The three engines shoppers use, each driven through its own WebDriver server with the
// browser this machine has (never a downloaded one): Chromium (chromedriver), Firefox ESR
// (geckodriver) and WebKitGTK's MiniBrowser (WebKitWebDriver, under Xvfb).
//
// `scripts/setup --test` installs them all. A missing engine fails the run with the command
// that installs it: the suite never quietly skips an engine.
import { existsSync, readdirSync } from "node:fs";
import { delimiter, join } from "node:path";
import { homedir } from "node:os";
import { startWebDriver, startXvfb, freePort } from "./processes.mjs";

/** The first of `names` found on the PATH (or in `extraDirs`), or null. */
function which(names, extraDirs = []) {
  const dirs = [...(process.env.PATH || "").split(delimiter), ...extraDirs];
  for (const name of names) {
    for (const dir of dirs) {
      const path = join(dir, name);
      if (dir && existsSync(path)) return path;
    }
  }
  return null;
}

/** WebKitGTK's MiniBrowser lives in the library's multiarch directory, not on the PATH. */
function miniBrowser() {
  for (const lib of ["/usr/lib", "/usr/libexec"]) {
    const candidates = [join(lib, "webkit2gtk-4.1", "MiniBrowser")];
    try {
      for (const arch of readdirSync(lib)) candidates.push(join(lib, arch, "webkit2gtk-4.1", "MiniBrowser"));
    } catch (_) { /* no such directory */ }
    const found = candidates.find((p) => existsSync(p));
    if (found) return found;
  }
  return null;
}

function required(path, what) {
  if (!path) throw new Error(`${what} is not installed: run scripts/setup --test`);
  return path;
}

const CARGO_BIN = join(process.env.CARGO_HOME || join(homedir(), ".cargo"), "bin");

/**
 * Per engine: `start()` launches its WebDriver server (and X server) and returns
 * `{ url, capabilities, stop }`; `bidi` says whether console messages come over WebDriver BiDi
 * (otherwise an in-page hook records them).
 */
export const ENGINES = {
  chromium: {
    bidi: true,
    async start() {
      const driver = required(which(["chromedriver"]), "chromedriver (Debian chromium-driver)");
      const binary = required(which(["chromium"]), "Chromium (Debian chromium)");
      const server = await startWebDriver(driver, (port) => [`--port=${port}`]);
      return {
        ...server,
        capabilities: {
          browserName: "chrome",
          webSocketUrl: true,
          "goog:chromeOptions": {
            binary,
            // The same switches as the Playwright suite (tests/e2e/harness.mjs): headless, and
            // no background traffic on this closed network.
            args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", "--disable-quic", "--window-size=1280,900"],
          },
        },
      };
    },
  },
  firefox: {
    bidi: true,
    async start() {
      const driver = required(which(["geckodriver"], [CARGO_BIN]), "geckodriver (cargo install geckodriver)");
      const binary = required(which(["firefox-esr", "firefox"]), "Firefox (Debian firefox-esr)");
      // BiDi's WebSocket port defaults to 9222 for every geckodriver: pick a free one so
      // parallel runs never meet.
      const bidiPort = await freePort();
      const server = await startWebDriver(driver, (port) => ["--port", String(port), "--websocket-port", String(bidiPort)]);
      return {
        ...server,
        capabilities: {
          browserName: "firefox",
          webSocketUrl: true,
          "moz:firefoxOptions": {
            binary,
            args: ["-headless", "-width=1280", "-height=900"],
            prefs: {
              // Nothing but the test's own pages on the network.
              "network.captive-portal-service.enabled": false,
              "network.connectivity-service.enabled": false,
              "browser.safebrowsing.update.enabled": false,
              "app.update.enabled": false,
              "datareporting.policy.dataSubmissionEnabled": false,
              "toolkit.telemetry.enabled": false,
            },
          },
        },
      };
    },
  },
  webkit: {
    bidi: false,
    async start() {
      const driver = required(which(["WebKitWebDriver"]), "WebKitWebDriver (Debian webkit2gtk-driver)");
      const binary = required(miniBrowser(), "WebKitGTK's MiniBrowser (Debian webkit2gtk-driver)");
      required(which(["Xvfb"]), "Xvfb (Debian xvfb)");
      const x = await startXvfb();
      let server;
      try {
        server = await startWebDriver(driver, (port) => [`--port=${port}`], { env: { ...process.env, DISPLAY: x.display } });
      } catch (e) {
        await x.stop();
        throw e;
      }
      return {
        ...server,
        display: x.display,
        async stop() {
          await server.stop();
          await x.stop();
        },
        capabilities: {
          browserName: "MiniBrowser",
          "webkitgtk:browserOptions": { binary, args: ["--automation"] },
        },
      };
    },
  },
};

/**
 * The engines this run covers: every one, or those named in `TRAILMARK_ENGINES`
 * (comma-separated, e.g. `TRAILMARK_ENGINES=webkit` while working on a WebKit difference).
 */
export function selectedEngines() {
  const wanted = (process.env.TRAILMARK_ENGINES || "").split(",").map((s) => s.trim()).filter(Boolean);
  const names = wanted.length ? wanted : Object.keys(ENGINES);
  for (const n of names) if (!ENGINES[n]) throw new Error(`unknown engine ${n} in TRAILMARK_ENGINES (known: ${Object.keys(ENGINES).join(", ")})`);
  return names;
}
