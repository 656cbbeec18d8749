#!/usr/bin/env bash
# Brotli bytes of the exit-intent feature on the core path: the detector in wasm (a module with
# its calls minus the same module with stand-ins, both opt-level z + LTO + wasm-opt -Oz, as
# scripts/build ships) and the sampler (js/exit.js minified by esbuild, as the loader bundles JS).
#   bench/exit/size.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root/bench/exit/size"
out="$root/target/exit-size"
mkdir -p "$out"
for variant in base detector; do
  features=(); [ "$variant" = detector ] && features=(--features detector)
  # The shipped module's flags (scripts/build): std rebuilt with panics that abort at once.
  RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none" \
    cargo build --release --target wasm32-unknown-unknown --target-dir "$out/target" "${features[@]}" -q \
    -Zbuild-std=std,panic_abort
  "$root/node_modules/.bin/wasm-opt" -Oz --strip-debug --strip-producers --enable-bulk-memory \
    --enable-nontrapping-float-to-int --enable-sign-ext \
    "$out/target/wasm32-unknown-unknown/release/exit_size.wasm" -o "$out/$variant.wasm"
done
"$root/node_modules/.bin/esbuild" "$root/js/exit.js" --minify --format=esm --log-level=warning > "$out/exit.min.js"
node -e '
const { readFileSync } = require("fs"); const z = require("zlib");
const br = (f) => z.brotliCompressSync(readFileSync(f), { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const d = process.argv[1];
const base = br(d + "/base.wasm"), det = br(d + "/detector.wasm"), js = br(d + "/exit.min.js");
const raw = (f) => readFileSync(f).length;
console.log("| piece | raw | brotli -q 11 |\n|---|---:|---:|");
console.log("| detector in wasm (with its calls) | " + (raw(d + "/detector.wasm") - raw(d + "/base.wasm")) + " | " + (det - base) + " |");
console.log("| sampler js/exit.js, minified | " + raw(d + "/exit.min.js") + " | " + js + " |");
console.log("| **total** | | **" + (det - base + js) + "** (budget 3,000) |");
' "$out"
