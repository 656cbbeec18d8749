#!/usr/bin/env bash
# Brotli bytes exit intent adds to the core path, measured on the shipped build itself: the
# core module and loader as scripts/build makes them, against the same build with a detector
# that never fires (`--cfg trailmark_without_exit_detector`: its `feed`, `tick` and `next_wake`
# answer nothing, see src/exit/detector.rs), which lets the linker drop the detector's logic and
# the `Exit Intent Detected` event. What stays in both (and is so not counted): reading the `exitIntent` settings from the
# program, the `trigger` check in deciding and the sample entry point, which page-state rules
# use too. The page sampler (js/exit.js) is in the page-UI chunk, loaded only by pages that
# watch page state or wait for exit intent: bench/exit/size.sh measures it.
#   bench/exit/core-size.sh      (rebuilds pkg/ as scripts/build does, twice)
set -euo pipefail
cd "$(dirname "$0")/../.."
measure() { node -e '
const { readFileSync } = require("fs"); const z = require("zlib");
const br = (f) => z.brotliCompressSync(readFileSync(f), { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
console.log(br("pkg/trailmark.js") + br("pkg/trailmark_core_bg.wasm"), readFileSync("pkg/trailmark_core_bg.wasm").length);'; }
TRAILMARK_MEASURE_CFG=trailmark_without_exit_detector scripts/build --no-check > /dev/null
read -r without without_raw < <(measure)
scripts/build --no-check > /dev/null
read -r with with_raw < <(measure)
echo "| core path (loader + wasm) | wasm raw | brotli -q 11 |"
echo "|---|---:|---:|"
echo "| shipped | $with_raw | $with |"
echo "| detector that never fires | $without_raw | $without |"
echo "| **exit intent on the core path** | $((with_raw - without_raw)) | **$((with - without))** (allowance 3,000) |"
