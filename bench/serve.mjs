// Serves a folder and a package folder with the repository's own collector binary (it sends
// .wasm as application/wasm), on ephemeral loopback ports.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
export { launchBrowser } from "../tests/e2e/harness.mjs";

export async function startCollectorWith(www, pkg) {
  const db = join(mkdtempSync(join(tmpdir(), "trailmark-bench-")), "events.sqlite");
  const child = spawn("target/release/trailmark-collector",
    ["--site-port", "0", "--collect-port", "0", "--www", www, "--pkg", pkg, "--db", db],
    { stdio: ["ignore", "pipe", "ignore"] });
  const store = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/^store: (\S+)$/m);
      if (m) resolve(m[1]);
    });
    child.on("exit", (c) => reject(new Error("server exited " + c)));
  });
  return { store, stop: () => child.kill("SIGTERM") };
}
