// The GrowthBook page's part of the no-flicker snippet (only on the CLS page that has the
// snippet, see cls.mjs): once the renderer (growthbook-render.js, queued before this) has put
// a block into a slot, the slot's `data-trailmark-pending` goes, as Trailmark's render does.
// A slot no feature fills keeps the attribute: the snippet's 400 ms animation shows it.
window.growthbook_queue.push(function () {
  var reveal = function () {
    document.querySelectorAll("[data-trailmark-slot][data-block]").forEach(function (slot) {
      slot.removeAttribute("data-trailmark-pending");
    });
  };
  document.addEventListener("growthbookdata", reveal);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", reveal);
  reveal();
});
