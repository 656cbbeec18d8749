// The GrowthBook page's renderer (the "ten-line renderer"; inlined into that page,
// before GrowthBook's script): each slot's feature value is the block to show, built with
// createElement/textContent as Trailmark builds its blocks. GrowthBook fires `growthbookdata`
// when its features are ready.
window.growthbook_queue = [function (gb) {
  var build = function (n) {
    var el = document.createElement(n.tag);
    if (n.class) el.className = n.class;
    for (var k in n.attrs || {}) el.setAttribute(k, n.attrs[k]);
    if (n.text) el.textContent = n.text;
    (n.children || []).forEach(function (c) { el.appendChild(build(c)); });
    return el;
  };
  var render = function () {
    document.querySelectorAll("[data-trailmark-slot]").forEach(function (slot) {
      var block = gb.getFeatureValue("slot-" + slot.getAttribute("data-trailmark-slot"), null);
      if (block && slot.getAttribute("data-block") !== block.class) {
        slot.replaceChildren(build(block));
        slot.setAttribute("data-block", block.class);
      }
    });
  };
  document.addEventListener("growthbookdata", render);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", render);
  render();
}];
