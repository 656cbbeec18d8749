/*
 * Northwind Roasters demo shop.
 *
 * Plain browser JavaScript, no dependencies, no build step. It owns the shop's cart
 * (localStorage key "northwind-cart") and reports commerce events to Trailmark through
 * its documented command queue:
 *
 *   window.trailmark = window.trailmark || [];
 *   window.trailmark.push(["track", "Product Added", { ... }]);
 *
 * The queue works before and after Trailmark loads, and the shop behaves identically
 * if Trailmark never loads at all (the pushes then just sit in a plain array).
 * Money is always integer minor units (cents) plus a currency code.
 *
 * Cart changes go through Trailmark's cart helpers (["addToCart", product] and
 * ["removeFromCart", product], which record "Product Added" / "Product Removed"); placing an
 * order identifies the customer (["identify", customer_id, traits]). Page views, route changes
 * of the coffee page's roast filter (history.pushState), engagement and the clicks and forms
 * marked with data-trailmark-event in the HTML are recorded by Trailmark itself.
 */
(function () {
  "use strict";

  var CURRENCY = "USD";
  var CART_KEY = "northwind-cart"; // localStorage: {"cart_id": "...", "items": [{"product_id": "...", "quantity": 1}]}
  var ORDER_KEY = "northwind-last-order"; // localStorage: the last placed order, read by thanks.html
  var CHECKOUT_KEY = "northwind-checkout"; // sessionStorage: {"order_id", "cart_id"} fixed when checkout starts
  var CUSTOMER_KEY = "northwind-customer"; // localStorage: {"customer_id"}, made by the first order on this device
  var FREE_SHIPPING_MIN = 4000;
  var SHIPPING_FLAT = 500;
  var MAX_QTY = 99;

  /* The catalog: one object, keyed by product_id. Prices in cents. */
  var PRODUCTS = {
    "ethiopia-yirgacheffe": {"id": "ethiopia-yirgacheffe", "sku": "NW-ETH-250", "name": "Ethiopia Yirgacheffe", "category": "Coffee", "price": 1850, "url": "/product-ethiopia.html", "image": "/img/bag-ethiopia.svg", "description": "A washed heirloom coffee from smallholder farms around Kochere, in Ethiopia's Gedeo Zone. We keep the roast light to let the florals through: jasmine on the nose, bright bergamot, and a clean lemon-curd sweetness as it cools."},
    "colombia-huila": {"id": "colombia-huila", "sku": "NW-COL-250", "name": "Colombia Huila", "category": "Coffee", "price": 1650, "url": "/product-colombia.html", "image": "/img/bag-colombia.svg", "description": "Grown at 1,700 metres by the Los Naranjos growers' association in Huila. A medium roast with a round body, red-apple brightness and a long caramel finish. It's the coffee we drink every morning at the roastery."},
    "house-espresso": {"id": "house-espresso", "sku": "NW-ESP-500", "name": "Northwind House Espresso", "category": "Coffee", "price": 2400, "url": "/product-espresso.html", "image": "/img/bag-espresso.svg", "description": "Our year-round blend of Brazilian and Guatemalan coffees, built for espresso and just as good in a moka pot. Dense crema, low acidity and plenty of sweetness under milk."},
    "kyoto-sencha": {"id": "kyoto-sencha", "sku": "NW-SEN-100", "name": "Kyoto Sencha", "category": "Tea", "price": 1400, "url": "/product-sencha.html", "image": "/img/tin-sencha.svg", "description": "First-flush sencha from a family garden in Wazuka, Kyoto, steamed lightly to keep it vivid and sweet. Brew at 70 °C for one minute; the leaves give three good infusions."},
    "assam-breakfast": {"id": "assam-breakfast", "sku": "NW-ASM-100", "name": "Assam Breakfast", "category": "Tea", "price": 1200, "url": "/product-assam.html", "image": "/img/tin-assam.svg", "description": "A brisk, malty second-flush Assam from the Halmari estate that stands up to milk and a grey morning. Generous enough for a full pot."},
    "stoneware-mug": {"id": "stoneware-mug", "sku": "NW-MUG-01", "name": "Stoneware Mug", "category": "Gear", "price": 2800, "url": "/product-mug.html", "image": "/img/mug.svg", "description": "Thrown by hand in a studio down the road from the roastery and glazed a deep harbor blue, with the clay left bare at the foot. Holds 350 ml (12 oz) and sits comfortably in two hands."},
    "pour-over-dripper": {"id": "pour-over-dripper", "sku": "NW-DRP-02", "name": "Ceramic Pour-Over Dripper", "category": "Gear", "price": 3200, "url": "/product-dripper.html", "image": "/img/dripper.svg", "description": "A porcelain cone with spiral ribs for an even, steady drawdown. It takes standard size-02 paper filters and holds heat far better than plastic. Forty filters included."}
  };

  /* ------------------------------------------------------------------ money */

  var moneyFormat = null;
  try {
    moneyFormat = new Intl.NumberFormat(undefined, { style: "currency", currency: CURRENCY });
  } catch (e) {
    moneyFormat = null;
  }

  function formatMoney(cents) {
    var value = (Number(cents) || 0) / 100;
    return moneyFormat ? moneyFormat.format(value) : "$" + value.toFixed(2);
  }

  /* -------------------------------------------------------------- trailmark */

  // Every call is guarded: analytics must never break the shop.
  function send(command) {
    try {
      var tm = (window.trailmark = window.trailmark || []);
      if (tm && typeof tm.push === "function") {
        tm.push(command);
      }
    } catch (e) {
      /* ignore */
    }
  }

  function track(event, properties) {
    send(["track", event, properties]);
  }

  /* ---------------------------------------------------------------- storage */

  function probe(kind) {
    try {
      var s = window[kind];
      var k = "__northwind_probe__";
      s.setItem(k, k);
      s.removeItem(k);
      return s;
    } catch (e) {
      return null; // private mode, disabled storage, sandboxed frame...
    }
  }
  var local = probe("localStorage");
  var session = probe("sessionStorage");
  var memory = {}; // fallback so the shop still works for the current page

  function readJSON(store, key) {
    var raw = null;
    try {
      raw = store ? store.getItem(key) : memory[key];
    } catch (e) {
      raw = memory[key];
    }
    if (!raw) return null;
    try {
      return JSON.parse(raw);
    } catch (e) {
      return null;
    }
  }

  function writeJSON(store, key, value) {
    var raw = JSON.stringify(value);
    try {
      if (store) {
        store.setItem(key, raw);
        return;
      }
    } catch (e) {
      /* quota or disabled: fall through */
    }
    memory[key] = raw;
  }

  function removeKey(store, key) {
    try {
      if (store) store.removeItem(key);
    } catch (e) {
      /* ignore */
    }
    delete memory[key];
  }

  function randomId(length) {
    var alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    var out = "";
    var bytes = null;
    try {
      bytes = new Uint8Array(length);
      window.crypto.getRandomValues(bytes);
    } catch (e) {
      bytes = null;
    }
    for (var i = 0; i < length; i++) {
      var n = bytes ? bytes[i] : Math.floor(Math.random() * 256);
      out += alphabet.charAt(n % alphabet.length);
    }
    return out;
  }

  function newOrderId() {
    return "NW-" + randomId(4) + "-" + randomId(4);
  }

  /* ------------------------------------------------------------------- cart */

  function clampQty(value, min) {
    var n = Math.floor(Number(value));
    if (!isFinite(n)) n = min;
    return Math.max(min, Math.min(MAX_QTY, n));
  }

  function readCart() {
    var stored = readJSON(local, CART_KEY);
    var cart = { cart_id: "", items: [] };
    if (stored && typeof stored === "object") {
      if (typeof stored.cart_id === "string") cart.cart_id = stored.cart_id;
      if (Array.isArray(stored.items)) {
        stored.items.forEach(function (it) {
          if (!it || !Object.prototype.hasOwnProperty.call(PRODUCTS, it.product_id)) return;
          var q = clampQty(it.quantity, 0);
          if (q < 1) return;
          var existing = findItem(cart, it.product_id);
          if (existing) existing.quantity = Math.min(MAX_QTY, existing.quantity + q);
          else cart.items.push({ product_id: it.product_id, quantity: q });
        });
      }
    }
    if (!cart.cart_id) {
      cart.cart_id = "cart-" + randomId(10);
      writeJSON(local, CART_KEY, cart);
    }
    return cart;
  }

  function writeCart(cart) {
    writeJSON(local, CART_KEY, cart);
    updateCartCount(cart);
  }

  function findItem(cart, productId) {
    for (var i = 0; i < cart.items.length; i++) {
      if (cart.items[i].product_id === productId) return cart.items[i];
    }
    return null;
  }

  function cartCount(cart) {
    return cart.items.reduce(function (sum, it) {
      return sum + it.quantity;
    }, 0);
  }

  function cartSubtotal(cart) {
    return cart.items.reduce(function (sum, it) {
      return sum + PRODUCTS[it.product_id].price * it.quantity;
    }, 0);
  }

  function shippingFor(subtotal) {
    return subtotal === 0 || subtotal >= FREE_SHIPPING_MIN ? 0 : SHIPPING_FLAT;
  }

  /* ------------------------------------------------------- event properties */

  function absoluteUrl(path) {
    try {
      return new URL(path, window.location.href).href;
    } catch (e) {
      return path;
    }
  }

  // Segment e-commerce spec v2 product properties.
  function productProps(productId, quantity, position) {
    var p = PRODUCTS[productId];
    var props = {
      product_id: p.id,
      sku: p.sku,
      name: p.name,
      category: p.category,
      price: p.price,
      currency: CURRENCY
    };
    if (quantity != null) props.quantity = quantity;
    if (position != null) props.position = position;
    props.url = absoluteUrl(p.url);
    props.image_url = absoluteUrl(p.image);
    return props;
  }

  function cartProducts(cart) {
    return cart.items.map(function (it, i) {
      return productProps(it.product_id, it.quantity, i + 1);
    });
  }

  /* --------------------------------------------------------------- DOM bits */

  function $(selector, root) {
    return (root || document).querySelector(selector);
  }

  function $all(selector, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(selector));
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function setText(selector, text) {
    $all(selector).forEach(function (node) {
      node.textContent = text;
    });
  }

  function updateCartCount(cart) {
    var n = cartCount(cart || readCart());
    setText("[data-cart-count]", String(n));
    $all("[data-cart-link]").forEach(function (link) {
      link.setAttribute("aria-label", "Cart, " + n + (n === 1 ? " item" : " items"));
    });
  }

  function formatPrices(root) {
    $all("[data-price-cents]", root).forEach(function (node) {
      node.textContent = formatMoney(node.getAttribute("data-price-cents"));
    });
  }

  function renderTotals(cart) {
    var subtotal = cartSubtotal(cart);
    var shipping = shippingFor(subtotal);
    setText("[data-cart-subtotal]", formatMoney(subtotal));
    setText("[data-cart-shipping]", shipping === 0 ? "Free" : formatMoney(shipping));
    setText("[data-cart-total]", formatMoney(subtotal + shipping));
    var hint = $("[data-shipping-hint]");
    if (hint) {
      if (!hint.hasAttribute("data-default-text")) hint.setAttribute("data-default-text", hint.textContent);
      if (subtotal === 0) hint.textContent = hint.getAttribute("data-default-text");
      else if (shipping === 0) hint.textContent = "Your order ships free.";
      else hint.textContent = "Add " + formatMoney(FREE_SHIPPING_MIN - subtotal) + " more for free shipping.";
    }
    return { subtotal: subtotal, shipping: shipping, total: subtotal + shipping };
  }

  function thumb(product, size) {
    var img = el("img", "thumb media--" + product.category.toLowerCase());
    img.src = product.image;
    img.alt = "";
    img.width = size;
    img.height = size;
    return img;
  }

  /* ------------------------------------------------------------------ pages */

  // Category pages (and the home page's featured list): Product List Viewed.
  function initLists() {
    $all("[data-list-id]").forEach(function (list) {
      if (list.hasAttribute("data-no-list-event")) return;
      var products = [];
      $all("[data-product-id]", list).forEach(function (item) {
        var id = item.getAttribute("data-product-id");
        // A list opened with a filter in its URL (?roast=light) reports what it shows.
        if (PRODUCTS[id] && !item.hidden) products.push(productProps(id, null, products.length + 1));
      });
      var props = { list_id: list.getAttribute("data-list-id") };
      var category = list.getAttribute("data-list-category");
      if (category) props.category = category;
      props.products = products;
      track("Product List Viewed", props);
    });
  }

  // The coffee page's roast filter: tabs that are plain links (?roast=light), upgraded to
  // filter in place and change the URL with history.pushState, like a single-page app's
  // router (Trailmark records each new URL as a page view). Back and forward re-apply the
  // filter of the URL; a URL opened directly (or a link opened in a new tab) works too.
  function initFilters() {
    var nav = $("[data-filter]");
    var list = $("[data-list-id]");
    if (!nav || !list) return;
    var key = nav.getAttribute("data-filter");
    var tabs = $all("a[data-filter-value]", nav);
    var count = $("[data-result-count]");

    function apply() {
      var value = "";
      try {
        value = new URLSearchParams(window.location.search).get(key) || "";
      } catch (e) {
        value = "";
      }
      var known = tabs.some(function (tab) {
        return tab.getAttribute("data-filter-value") === value;
      });
      if (!known) value = "";
      tabs.forEach(function (tab) {
        if (tab.getAttribute("data-filter-value") === value) tab.setAttribute("aria-current", "true");
        else tab.removeAttribute("aria-current");
      });
      var shown = 0;
      $all("[data-product-id]", list).forEach(function (item) {
        var match = !value || item.getAttribute("data-" + key) === value;
        item.hidden = !match;
        if (match) shown++;
      });
      if (count) count.textContent = shown + (shown === 1 ? " product" : " products");
    }

    nav.addEventListener("click", function (event) {
      var tab = event.target.closest("a[data-filter-value]");
      // Modified clicks keep their browser meaning (new tab, new window...).
      if (!tab || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      if (tab.href !== window.location.href) {
        try {
          window.history.pushState({ filter: tab.getAttribute("data-filter-value") }, "", tab.href);
        } catch (e) {
          window.location.assign(tab.href);
          return;
        }
      }
      apply();
    });
    window.addEventListener("popstate", apply);
    apply();
  }

  function initProduct() {
    var productId = document.body.getAttribute("data-product-id");
    if (!productId || !PRODUCTS[productId]) return;
    var product = PRODUCTS[productId];
    track("Product Viewed", productProps(productId));

    var form = $("[data-add-to-cart]");
    var status = $("[data-cart-status]");
    if (!form) return;
    var input = form.querySelector("input[name=quantity]");

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var wanted = clampQty(input ? input.value : 1, 1);
      if (input) input.value = String(wanted);
      var cart = readCart();
      var item = findItem(cart, productId);
      var before = item ? item.quantity : 0;
      var after = Math.min(MAX_QTY, before + wanted);
      var added = after - before;
      if (status) status.textContent = "";
      if (added <= 0) {
        if (status) status.textContent = "You already have the maximum of " + MAX_QTY + " in your cart.";
        return;
      }
      if (item) item.quantity = after;
      else cart.items.push({ product_id: productId, quantity: after });
      writeCart(cart);

      var props = productProps(productId, added);
      props.cart_id = cart.cart_id;
      send(["addToCart", props]);

      if (status) {
        status.appendChild(document.createTextNode("Added " + added + " × " + product.name + " to your cart. "));
        var link = el("a", "text-link", "View cart");
        link.href = "/cart.html";
        status.appendChild(link);
      }
    });
  }

  function initCart() {
    var list = $("[data-cart-list]");
    var empty = $("[data-cart-empty]");
    var status = $("[data-cart-status]");
    var heading = $("[data-cart-heading]");
    var checkout = $("[data-checkout-link]");
    if (!list) return;

    function render(cart) {
      // Remember which control had focus so re-rendering doesn't lose the user's place.
      var active = document.activeElement;
      var focusKey = null;
      if (active && list.contains(active)) {
        var row = active.closest("[data-product-id]");
        if (row) focusKey = { id: row.getAttribute("data-product-id"), action: active.getAttribute("data-action") };
      }

      list.textContent = "";
      cart.items.forEach(function (it) {
        list.appendChild(renderRow(PRODUCTS[it.product_id], it.quantity));
      });
      var isEmpty = cart.items.length === 0;
      list.hidden = isEmpty;
      if (empty) empty.hidden = !isEmpty;
      if (checkout) {
        if (isEmpty) {
          checkout.setAttribute("aria-disabled", "true");
          checkout.classList.add("is-disabled");
        } else {
          checkout.removeAttribute("aria-disabled");
          checkout.classList.remove("is-disabled");
        }
      }
      renderTotals(cart);

      if (focusKey) {
        var target = list.querySelector(
          '[data-product-id="' + focusKey.id + '"] [data-action="' + (focusKey.action || "quantity") + '"]'
        );
        if (target) target.focus();
        else if (heading) heading.focus();
      }
    }

    function renderRow(product, quantity) {
      var li = el("li", "cart-item");
      li.setAttribute("data-product-id", product.id);

      li.appendChild(thumb(product, 96));

      var info = el("div", "cart-item__info");
      var name = el("a", "cart-item__name", product.name);
      name.href = product.url;
      info.appendChild(name);
      info.appendChild(el("p", "cart-item__meta", product.category + " · " + formatMoney(product.price) + " each"));
      var remove = el("button", "link-button", "Remove");
      remove.type = "button";
      remove.setAttribute("data-action", "remove");
      remove.appendChild(el("span", "visually-hidden", " " + product.name));
      info.appendChild(remove);
      li.appendChild(info);

      var stepper = el("div", "stepper");
      stepper.setAttribute("role", "group");
      stepper.setAttribute("aria-label", "Quantity of " + product.name);
      var minus = el("button", "stepper__button", "−");
      minus.type = "button";
      minus.setAttribute("data-action", "decrement");
      minus.setAttribute("aria-label", "Decrease quantity of " + product.name);
      var input = el("input", "stepper__input");
      input.type = "number";
      input.min = "0";
      input.max = String(MAX_QTY);
      input.step = "1";
      input.inputMode = "numeric";
      input.value = String(quantity);
      input.setAttribute("data-action", "quantity");
      input.setAttribute("aria-label", "Quantity of " + product.name);
      var plus = el("button", "stepper__button", "+");
      plus.type = "button";
      plus.setAttribute("data-action", "increment");
      plus.setAttribute("aria-label", "Increase quantity of " + product.name);
      if (quantity >= MAX_QTY) plus.disabled = true;
      stepper.appendChild(minus);
      stepper.appendChild(input);
      stepper.appendChild(plus);
      li.appendChild(stepper);

      li.appendChild(el("p", "cart-item__total", formatMoney(product.price * quantity)));
      return li;
    }

    function changeQuantity(productId, wanted) {
      var cart = readCart();
      var item = findItem(cart, productId);
      if (!item) return render(cart);
      var next = clampQty(wanted, 0);
      var delta = next - item.quantity;
      if (delta === 0) return render(cart);
      if (next === 0) cart.items.splice(cart.items.indexOf(item), 1);
      else item.quantity = next;
      writeCart(cart);

      // Segment spec: quantity changes are reported as the added / removed difference.
      var props = productProps(productId, Math.abs(delta));
      props.cart_id = cart.cart_id;
      send([delta > 0 ? "addToCart" : "removeFromCart", props]);

      var name = PRODUCTS[productId].name;
      if (status) {
        status.textContent =
          next === 0 ? "Removed " + name + " from your cart." : "Updated " + name + " to " + next + ".";
      }
      render(cart);
      if (next === 0 && heading) heading.focus();
    }

    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (!button) return;
      var row = button.closest("[data-product-id]");
      var id = row && row.getAttribute("data-product-id");
      var item = id && findItem(readCart(), id);
      if (!item) return;
      var action = button.getAttribute("data-action");
      if (action === "remove") changeQuantity(id, 0);
      else if (action === "increment") changeQuantity(id, item.quantity + 1);
      else if (action === "decrement") changeQuantity(id, item.quantity - 1);
    });

    list.addEventListener("change", function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("input[data-action=quantity]")) return;
      var row = input.closest("[data-product-id]");
      if (row) changeQuantity(row.getAttribute("data-product-id"), input.value);
    });

    if (checkout) {
      checkout.addEventListener("click", function (event) {
        if (checkout.getAttribute("aria-disabled") === "true") event.preventDefault();
      });
    }

    var cart = readCart();
    render(cart);
    track("Cart Viewed", {
      cart_id: cart.cart_id,
      value: cartSubtotal(cart),
      currency: CURRENCY,
      products: cartProducts(cart)
    });

    // Keep in sync with other tabs.
    window.addEventListener("storage", function (event) {
      if (event.key === CART_KEY || event.key === null) render(readCart());
    });
  }

  function initCheckout() {
    var form = $("[data-checkout-form]");
    var summary = $("[data-summary-list]");
    var emptyNote = $("[data-checkout-empty]");
    var status = $("[data-checkout-status]");
    var button = $("[data-place-order]");
    if (!form) return;

    var cart = readCart();
    var isEmpty = cart.items.length === 0;
    if (emptyNote) emptyNote.hidden = !isEmpty;
    if (summary) {
      summary.hidden = isEmpty;
      summary.textContent = "";
      cart.items.forEach(function (it) {
        var p = PRODUCTS[it.product_id];
        var li = el("li", "summary-item");
        li.appendChild(thumb(p, 56));
        var text = el("span", "summary-item__name", p.name);
        text.appendChild(el("span", "summary-item__qty", "Qty " + it.quantity));
        li.appendChild(text);
        li.appendChild(el("span", "summary-item__price", formatMoney(p.price * it.quantity)));
        summary.appendChild(li);
      });
    }
    var totals = renderTotals(cart);
    if (isEmpty) {
      if (button) button.disabled = true;
      if (status) status.textContent = "Add something to your cart before placing an order.";
      form.addEventListener("submit", function (event) {
        event.preventDefault();
      });
      return;
    }

    // One order id per checkout, stable across reloads of this page in this tab.
    var pending = readJSON(session, CHECKOUT_KEY);
    if (!pending || pending.cart_id !== cart.cart_id || typeof pending.order_id !== "string") {
      pending = { order_id: newOrderId(), cart_id: cart.cart_id };
      writeJSON(session, CHECKOUT_KEY, pending);
    }

    // Discount codes (the demo's offers hand these out): "Coupon Applied" carries the code, so a
    // report can tie an accepted offer to its use at checkout.
    var COUPONS = { ROAST10: 10, STAY5: 5 };
    var couponInput = $("[data-coupon-input]");
    var couponStatus = $("[data-coupon-status]");
    var couponButton = $("[data-coupon-apply]");
    var applyCoupon = function () {
      var code = String(couponInput.value).trim().toUpperCase().slice(0, 40);
      if (!code) return;
      var percent = COUPONS[code];
      if (!percent) {
        if (couponStatus) couponStatus.textContent = "\u201c" + code + "\u201d is not a valid code.";
        track("Coupon Denied", { order_id: pending.order_id, cart_id: cart.cart_id, coupon_id: code, reason: "unknown code" });
        return;
      }
      var discount = Math.round(totals.subtotal * percent / 100);
      pending.coupon = code;
      pending.discount = discount;
      writeJSON(session, CHECKOUT_KEY, pending);
      if (couponStatus) couponStatus.textContent = code + " applied: " + percent + "% off (" + formatMoney(discount) + ").";
      track("Coupon Applied", { order_id: pending.order_id, cart_id: cart.cart_id, coupon_id: code, coupon_name: code, discount: discount, currency: CURRENCY });
    };
    if (couponButton && couponInput) {
      couponButton.addEventListener("click", applyCoupon);
      couponInput.addEventListener("keydown", function (event) {
        if (event.key === "Enter") { event.preventDefault(); applyCoupon(); }
      });
    }

    track("Checkout Started", {
      order_id: pending.order_id,
      cart_id: cart.cart_id,
      value: totals.subtotal,
      revenue: totals.subtotal,
      shipping: totals.shipping,
      tax: 0,
      currency: CURRENCY,
      products: cartProducts(cart)
    });

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (typeof form.checkValidity === "function" && !form.checkValidity()) {
        if (typeof form.reportValidity === "function") form.reportValidity();
        return;
      }
      var current = readCart();
      if (current.items.length === 0) {
        if (status) status.textContent = "Your cart is empty.";
        return;
      }
      var sub = cartSubtotal(current);
      var ship = shippingFor(sub);
      var nameField = form.querySelector("[name=name]");
      var firstName = nameField ? String(nameField.value).trim().split(/\s+/)[0] : "";
      // Only what the confirmation page needs; no email or address is kept.
      var order = {
        order_id: pending.order_id,
        cart_id: current.cart_id,
        first_name: firstName.slice(0, 40),
        placed_at: new Date().toISOString(),
        currency: CURRENCY,
        subtotal: sub,
        shipping: ship,
        tax: 0,
        coupon: pending.coupon || null,
        discount: pending.discount || 0,
        total: sub + ship - (pending.discount || 0),
        items: current.items.map(function (it) {
          var p = PRODUCTS[it.product_id];
          return { product_id: p.id, sku: p.sku, name: p.name, category: p.category, price: p.price, quantity: it.quantity };
        }),
        tracked: false
      };
      writeJSON(local, ORDER_KEY, order);
      // A guest checkout makes a customer record; later events (the order's included) carry its id.
      var customer = readJSON(local, CUSTOMER_KEY);
      if (!customer || typeof customer.customer_id !== "string") {
        customer = { customer_id: "cust-" + randomId(10) };
        writeJSON(local, CUSTOMER_KEY, customer);
      }
      send(["identify", customer.customer_id, { first_name: order.first_name }]);
      writeJSON(local, CART_KEY, { cart_id: "cart-" + randomId(10), items: [] });
      removeKey(session, CHECKOUT_KEY);
      if (button) button.disabled = true;
      window.location.assign("/thanks.html");
    });
  }

  function initThanks() {
    var order = readJSON(local, ORDER_KEY);
    var details = $("[data-order]");
    var noOrder = $("[data-no-order]");
    var title = $("[data-thanks-title]");
    if (!order || typeof order.order_id !== "string" || !Array.isArray(order.items)) {
      if (title) title.textContent = "No recent order";
      if (noOrder) noOrder.hidden = false;
      return;
    }
    if (title && order.first_name) title.textContent = "Thank you for your order, " + order.first_name;
    setText("[data-order-id]", order.order_id);
    setText("[data-order-total]", formatMoney(order.total));
    var list = $("[data-order-items]");
    if (list) {
      list.textContent = "";
      order.items.forEach(function (it) {
        var p = PRODUCTS[it.product_id];
        var li = el("li", "summary-item");
        if (p) li.appendChild(thumb(p, 56));
        var text = el("span", "summary-item__name", it.name);
        text.appendChild(el("span", "summary-item__qty", "Qty " + it.quantity));
        li.appendChild(text);
        li.appendChild(el("span", "summary-item__price", formatMoney(it.price * it.quantity)));
        list.appendChild(li);
      });
    }
    if (details) details.hidden = false;

    // Report the order once, even if this page is reloaded.
    if (!order.tracked) {
      var completed = {
        order_id: order.order_id,
        cart_id: order.cart_id,
        total: order.total,
        revenue: order.subtotal,
        shipping: order.shipping,
        tax: order.tax,
        currency: order.currency,
        products: order.items.map(function (it, i) {
          return {
            product_id: it.product_id,
            sku: it.sku,
            name: it.name,
            category: it.category,
            price: it.price,
            currency: order.currency,
            quantity: it.quantity,
            position: i + 1
          };
        })
      };
      // The code of an offer used at checkout, with what it took off.
      if (order.coupon) { completed.coupon = order.coupon; completed.discount = order.discount; }
      track("Order Completed", completed);
      order.tracked = true;
      writeJSON(local, ORDER_KEY, order);
    }
  }

  /* ------------------------------------------------------------------- boot */

  function boot() {
    formatPrices();
    updateCartCount();
    var page = document.body.getAttribute("data-page");
    if (page === "category") initFilters();
    if (page === "home" || page === "category") initLists();
    if (page === "product") initProduct();
    if (page === "cart") initCart();
    if (page === "checkout") initCheckout();
    if (page === "thanks") initThanks();

    window.addEventListener("storage", function (event) {
      if (event.key === CART_KEY || event.key === null) updateCartCount();
    });
    // Coming back via the back/forward cache: the header count may be stale.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) updateCartCount();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
