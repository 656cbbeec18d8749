// The processes a cross-engine run needs besides the collector: a WebDriver server per engine
// (chromedriver, geckodriver, WebKitWebDriver) and, for WebKit, an X server (Xvfb), since
// WebKitGTK's MiniBrowser has no headless mode on Debian 12.
//
// Each is spawned in its own process group, so stopping it also ends the browser it started;
// and every process still running when Node exits (a test file that crashed, an interrupted
// run) is ended then too: a run never leaves a browser behind.
import { spawn } from "node:child_process";
import { createServer } from "node:net";

const running = new Set();

process.on("exit", () => {
  for (const child of running) killGroup(child);
});

function killGroup(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch (_) { /* already gone */ }
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Spawns `command` in a process group of its own, keeping the tail of its output for error
 * messages. `stop()` ends the whole group (the driver and the browser it launched) and resolves
 * once the process has exited.
 */
export function startProcess(command, args, { env = process.env, stdio = ["ignore", "pipe", "pipe"] } = {}) {
  const child = spawn(command, args, { env, stdio, detached: true });
  running.add(child);
  let output = "";
  const keep = (d) => { output = (output + d).slice(-4000); };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  // Resolves once: when the process exits, or when it could not be started at all.
  const exited = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
    child.on("error", (e) => {
      output += String(e);
      running.delete(child);
      resolve({ code: null, signal: null, error: String(e) });
    });
  });
  return {
    child,
    exited,
    output: () => output,
    async stop() {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try { process.kill(-child.pid, "SIGTERM"); } catch (_) { /* gone */ }
        const timer = setTimeout(() => killGroup(child), 3000);
        await exited;
        clearTimeout(timer);
      }
      // Whatever the process left in its group (a browser process that outlived its driver).
      if (child.pid !== undefined) killGroup(child);
    },
  };
}

/**
 * Starts a WebDriver server (`command` with `args(port)`) and waits until its `/status`
 * answers. Returns the process handle and the server's URL.
 */
export async function startWebDriver(command, args, { env, timeoutMs = 30_000 } = {}) {
  const port = await freePort();
  const proc = startProcess(command, args(port), { env });
  const url = `http://127.0.0.1:${port}`;
  const until = Date.now() + timeoutMs;
  let exited = null;
  proc.exited.then((e) => { exited = e; });
  while (Date.now() < until && !exited) {
    try {
      const res = await fetch(url + "/status");
      if (res.ok) return { ...proc, url };
    } catch (_) { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  await proc.stop();
  throw new Error(`${command} did not start (${exited ? "exited " + JSON.stringify(exited) : "no /status within " + timeoutMs + " ms"}): ${proc.output()}`);
}

/**
 * Starts Xvfb on a display number it picks itself (`-displayfd`: the server chooses a free one
 * and writes it back), so parallel runs and other X servers on the machine never collide.
 * Returns the process handle and `display` (":N").
 */
export async function startXvfb({ timeoutMs = 15_000 } = {}) {
  const proc = startProcess("Xvfb", ["-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"], {
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  const display = await new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error("Xvfb did not report a display: " + proc.output())), timeoutMs);
    proc.child.stdio[3].on("data", (d) => {
      text += d;
      if (text.includes("\n")) {
        clearTimeout(timer);
        resolve(":" + text.trim());
      }
    });
    proc.exited.then((e) => { clearTimeout(timer); reject(new Error("Xvfb exited " + JSON.stringify(e) + ": " + proc.output())); });
  });
  return { ...proc, display };
}
