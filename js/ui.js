// The page-UI chunk (pkg/trailmark_ui.js): what only some pages need, loaded the first time one
// does: the overlays (bars, corner cards, the dialog, with their styles) when a decision places
// a block in one, the page sampler when a rule reads page state or waits for exit intent, and
// the debug panel (?trailmark-debug=KEY).
export { createOverlays } from "./overlays.js";
export { attachExitSampler } from "./exit.js";
export { showDebug } from "./debug.js";
