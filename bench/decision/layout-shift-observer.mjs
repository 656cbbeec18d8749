// The CLS measurement's page side (cls.mjs), next to the decision observer of
// decision-observer.mjs and, like it, installed with page.addInitScript before any page script
// runs, identically for both libraries.
//
// recordLayoutShifts: a PerformanceObserver for `layout-shift` entries (buffered, so nothing
// reported before it started is lost) and a MutationObserver that notes when an overlay of
// Trailmark's (`.tm-overlay`, added to <body>) appears, and when the no-flicker snippet's
// animation revealed a slot. It only stores entries: the sum is made after the measured
// window, in readLayoutShifts.
//
// The functions are serialized into the page: they must not use anything from this module.
export function recordLayoutShifts() {
  const state = { entries: [], overlayAt: null, revealAt: null, supported: false, observer: null };
  Object.defineProperty(window, "__cls", { value: state });
  try {
    state.supported = PerformanceObserver.supportedEntryTypes.includes("layout-shift");
    state.observer = new PerformanceObserver((list) => { for (const e of list.getEntries()) state.entries.push(e); });
    state.observer.observe({ type: "layout-shift", buffered: true });
  } catch (_) {
    state.supported = false;
  }
  // The no-flicker snippet's animation: its animationstart fires when the 400 ms delay is over
  // and a slot still pending becomes visible (never, when the decision removed the attribute
  // first).
  document.addEventListener("animationstart", (e) => {
    if (e.animationName === "trailmark-reveal" && state.revealAt === null) state.revealAt = performance.now();
  }, true);
  new MutationObserver((records) => {
    if (state.overlayAt !== null) return;
    for (const r of records) {
      for (const n of r.addedNodes) {
        if (n.classList && n.classList.contains("tm-overlay")) { state.overlayAt = performance.now(); return; }
      }
    }
  }).observe(document, { childList: true, subtree: true });
}

/**
 * The layout shift of one visit. The window runs from navigation start to `settleMs` after
 * the decision (window.__ttd.decidedAt, or the overlay's appearance if that is later; without
 * a decision, after the load event): it waits until then, two frames more, and sums the
 * `layout-shift` entries in the window that had no recent input. Also reports when the first
 * slot was filled (and the part of the sum before it, which the library cannot have caused),
 * first contentful paint, the slots' heights and each shift's largest moved nodes.
 */
export async function readLayoutShifts(settleMs) {
  const s = window.__cls;
  const ttd = window.__ttd;
  const nav = performance.getEntriesByType("navigation")[0];
  const decidedAt = ttd && ttd.decidedAt !== null ? ttd.decidedAt : null;
  const anchor = Math.max(decidedAt !== null ? decidedAt : nav.loadEventEnd, s.overlayAt || 0);
  const end = anchor + settleMs;
  while (performance.now() < end) await new Promise((r) => setTimeout(r, Math.max(1, end - performance.now())));
  await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  if (s.observer) for (const e of s.observer.takeRecords()) s.entries.push(e);
  const fills = ttd ? Object.values(ttd.slots).map((x) => x.at) : [];
  const firstFill = fills.length ? Math.min(...fills) : Infinity;
  const counted = s.entries.filter((e) => !e.hadRecentInput && e.startTime <= end);
  const sum = (list) => list.reduce((a, e) => a + e.value, 0);
  const name = (node) => {
    if (!node) return "?";
    const slot = node.getAttribute && node.getAttribute("data-trailmark-slot");
    return node.nodeName + (slot ? `[slot=${slot}]` : "") + (node.className && typeof node.className === "string" ? "." + node.className.split(/\s+/).join(".") : "");
  };
  const heights = {};
  for (const el of document.querySelectorAll("[data-trailmark-slot]")) {
    heights[el.getAttribute("data-trailmark-slot")] = Math.round(el.getBoundingClientRect().height);
  }
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return {
    supported: s.supported,
    cls: sum(counted),
    beforeFill: sum(counted.filter((e) => e.startTime < firstFill)),
    excludedInput: s.entries.filter((e) => e.hadRecentInput).length,
    shifts: counted.map((e) => ({
      at: e.startTime, value: e.value,
      sources: (e.sources || []).map((x) => ({ node: name(x.node), from: [x.previousRect.y, x.previousRect.height].map(Math.round), to: [x.currentRect.y, x.currentRect.height].map(Math.round) })),
    })),
    decidedAt, firstFill: fills.length ? firstFill : null, overlayAt: s.overlayAt, revealAt: s.revealAt, windowEnd: end,
    fcp: fcp ? fcp.startTime : null,
    slots: ttd ? ttd.slots : {},
    heights,
    viewport: { width: innerWidth, height: innerHeight },
  };
}
