// The GrowthBook page's own visitor state (inlined into that page, runs before GrowthBook).
// GrowthBook evaluates attributes the page hands it and keeps no history, so a store that
// wants "returning visitor with an abandoned cart" must keep a log itself and compute the
// answers before GrowthBook starts. This is that code, as small as it can honestly be: the
// same session rule as Trailmark (a new session after 30 minutes without an event), the cart
// from Product Added / Product Removed, and the three history answers rules.mjs names.
(function () {
  var KEY = "bench:visitor", MIN = 60e3, DAY = 24 * 60 * MIN;
  var s = null;
  try { s = JSON.parse(localStorage.getItem(KEY)); } catch (e) { /* fresh visitor */ }
  s = s || { sessions: 0, last: 0, cart: { count: 0, value: 0 }, log: [] };
  var save = function () { try { localStorage.setItem(KEY, JSON.stringify(s)); } catch (e) { /* full */ } };
  var track = function (name, p) {
    var now = Date.now();
    if (now - s.last > 30 * MIN) s.sessions++;
    s.last = now;
    s.log.push({ n: name, t: now });
    if (s.log.length > 500) s.log.shift();
    var units = (p && p.quantity) || 1, money = ((p && p.price) || 0) * units;
    if (name === "Product Added") { s.cart.count += units; s.cart.value += money; }
    if (name === "Product Removed") { s.cart.count -= units; s.cart.value -= money; }
    if (name === "Order Completed") s.cart = { count: 0, value: 0 };
    save();
  };
  var count = function (name, ms) {
    var now = Date.now();
    return s.log.filter(function (e) { return e.n === name && now - e.t < ms; }).length;
  };
  // Trailmark's $absent: the last `after` event is at least `minAge` old and no `name` event
  // came after it, within the window.
  var absent = function (name, after, minAge, windowMs) {
    var now = Date.now(), lastAfter = -1;
    for (var i = 0; i < s.log.length; i++) if (s.log[i].n === after && now - s.log[i].t < windowMs) lastAfter = i;
    if (lastAfter < 0 || now - s.log[lastAfter].t < minAge) return false;
    for (var j = lastAfter + 1; j < s.log.length; j++) if (s.log[j].n === name) return false;
    return true;
  };
  window.benchVisitor = {
    track: track,
    attributes: function () {
      return {
        cart: { count: s.cart.count, value: s.cart.value },
        visitor: { returning: s.sessions >= 2 },
        history: {
          ordered: count("Order Completed", Infinity) >= 1,
          abandonedCart: absent("Checkout Started", "Product Added", 30 * MIN, 7 * DAY),
          browsed3: count("Product Viewed", 7 * DAY) >= 3,
        },
      };
    },
  };
  track("$page");
})();
