// The init script (page.addInitScript) that times a decision, installed before any page script
// runs, identical for both libraries. A MutationObserver watches the document; the moment a
// slot (`[data-trailmark-slot]`) contains a block (`.blk`, the root class of every block in
// rules.mjs), it records performance.now() (ms since navigation start) and the block's id.
// Time to decision = when the last of the `slotCount` slots got its block. It then says so on
// the console (`ttd:decided`), which the runner waits for: nothing is evaluated in the page
// before the decision, so the measurement does not run Playwright's code on the main thread
// while the library starts.
//
// The function is serialized into the page: it must not use anything from this module.
export function recordDecisions(slotCount) {
  let resolve;
  const state = { slots: {}, decidedAt: null, done: new Promise((r) => { resolve = r; }) };
  Object.defineProperty(window, "__ttd", { value: state });
  // Cheap on purpose (it runs while the page parses, for both libraries): only mutations
  // inside a slot are looked at.
  const check = (records) => {
    for (const r of records) {
      const slot = r.target.closest ? r.target.closest("[data-trailmark-slot]") : null;
      if (!slot) continue;
      const name = slot.getAttribute("data-trailmark-slot");
      const block = slot.querySelector(".blk");
      if (!block || state.slots[name]) continue;
      const id = [...block.classList].find((c) => c.startsWith("blk-")).slice(4);
      state.slots[name] = { at: performance.now(), block: id, text: slot.textContent.trim() };
    }
    const decided = Object.values(state.slots);
    if (state.decidedAt === null && decided.length >= slotCount) {
      state.decidedAt = Math.max(...decided.map((s) => s.at));
      resolve(state.decidedAt);
      console.debug("ttd:decided");
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
}

/** What a measured visit reports, read from the page once it has decided. */
export function readVisit() {
  const nav = performance.getEntriesByType("navigation")[0];
  return {
    decidedAt: window.__ttd.decidedAt,
    slots: window.__ttd.slots,
    document: { encoded: nav.encodedBodySize, responseEnd: nav.responseEnd, domContentLoaded: nav.domContentLoadedEventEnd },
    resources: performance.getEntriesByType("resource").map((r) => ({
      url: r.name, type: r.initiatorType, start: r.startTime, responseStart: r.responseStart, end: r.responseEnd,
      encoded: r.encodedBodySize, decoded: r.decodedBodySize, transfer: r.transferSize,
    })),
  };
}
