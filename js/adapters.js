// Adapters: commerce events a store already emits, mapped to Trailmark's (docs/adapters.md).
//
// An optional chunk: the runtime imports it only when a store turns an adapter on
// (data-adapters="ga4 shopify"), so shoppers of every other store never download it.
//
//   adapt(source, payload) -> [{ kind: "track" | "page", name, properties }]
//
// source: "ga4" (one dataLayer push: a GTM object, or gtag()'s arguments as an array) or
// "shopify" (one Web Pixels standard event, {name, data}), in any case; anything else maps to
// nothing. name is the Segment v2 event name ("" for page views); money in properties is an
// integer in minor units plus an uppercase ISO 4217 currency. Anything not recognised (other
// events, GTM's own pushes, malformed or hostile payloads) maps to []: adapt never throws.
//
// The payload is read as JSON.stringify would see it (and as the module's own conversion did):
// own enumerable keys only, functions and undefined are absent, NaN, infinities, symbols and
// bigints are null, a Date is its ISO string, and a throwing getter hides that key only.

const MAX_ITEMS = 200;
// Most entries read from any other list (the module's per-array limit for event properties).
const MAX_LIST = 1000;

const isObj = (v) => v !== null && typeof v == "object" && !Array.isArray(v);

// A value read from the page as JSON sees it (undefined: absent, null: present but null).
const norm = (v) => {
  const t = typeof v;
  return t == "function"
    ? undefined
    : t == "symbol" || t == "bigint" || (t == "number" && !isFinite(v))
      ? null
      : v instanceof Date
        ? isFinite(v.getTime()) ? v.toISOString() : null
        : v;
};

const own = {}.propertyIsEnumerable;

// o[k] as JSON sees it; undefined (absent) when reading it throws, and, when key is set, unless
// o is an object with k as an own enumerable key.
const read = (o, k, key) => {
  try {
    return !key || (isObj(o) && own.call(o, k)) ? norm(o[k]) : undefined;
  } catch (_) {
    // absent
  }
};

// obj[key] for objects, undefined otherwise (and for arrays).
const get = (o, k) => read(o, k, 1);

// The value at a dotted path ("shippingLine.price").
const at = (v, path) => path.split(".").reduce(get, v);

// The first n entries of an array, undefined when v is not one.
const list = (v, n) => {
  try {
    if (Array.isArray(v)) {
      const r = [];
      for (let i = 0; i < n && i < v.length; i++) r.push(read(v, i));
      return r;
    }
  } catch (_) {
    // not a list
  }
};

// A number, or a plain decimal string ("18.50"; surrounding white space, an optional leading
// "-"). Anything else, exponents and "+" included, is undefined.
const num = (v) => {
  if (typeof v == "number") return v;
  // Rust's trim: JavaScript's, plus U+0085 and minus U+FEFF (which is then never a digit).
  const [, sign, int, frac] =
    (typeof v == "string" && /^(-?)(\d*)\.?(\d*)$/.exec(v.replace(/\uFEFF/g, "x").replace(/\x85/g, " ").trim())) || [];
  const digits = int + frac; // "undefinedundefined" without a match
  // Exact below 2^53, so the one division below rounds correctly; 10^d as Rust's f64::powi
  // computes it (repeated squaring).
  if (digits && +digits < 2 ** 53) {
    let p = 1;
    for (let d = frac.length, a = 10; d; d >>= 1, a *= a) if (d & 1) p *= a;
    return (sign ? -digits : +digits) / p;
  }
};

// An ISO 4217 code (three ASCII letters), uppercased.
const currency = (v) => (typeof v == "string" && /^[a-z]{3}$/i.test(v) ? v.toUpperCase() : undefined);

// Currencies with 0 and 3 minor digits (tested on a code that is three uppercase letters or
// absent, so an alternative matches only the whole code).
const ZERO = /BIF|CLP|DJF|GNF|ISK|JPY|KMF|KRW|PYG|RWF|UGX|UYI|VND|VUV|XAF|XOF|XPF/;
const THREE = /BHD|IQD|JOD|KWD|LYD|OMR|TND/;

// A decimal amount in integer minor units of cur: 0, 3 or 2 digits, rounded half away from zero
// after scaling; undefined for no amount and for anything beyond ±1e13 minor units.
const minor = (a, cur) => {
  const x = a * (ZERO.test(cur) ? 1 : THREE.test(cur) ? 1e3 : 100);
  const r = Math.round(Math.abs(x));
  if (r <= 1e13) return x < 0 ? 0 - r : r; // 0 - r: never -0
};

// Sets an id, a text, an amount or a currency: a non-empty string, or a number.
const put = (m, k, v) => {
  if (typeof v == "number" || (v && typeof v == "string")) m[k] = v;
};

// A count (quantity, position): a number from 0 to 1e9.
const putCount = (m, k, v) => {
  const n = num(v);
  if (n >= 0 && n <= 1e9) m[k] = n;
};

// products from an input array (left out when it is not one), skipping rejected entries.
const putProducts = (m, v, product) => {
  const l = list(v, MAX_ITEMS);
  if (l) m.products = l.map(product).filter(Boolean);
};

// Segment products need an id or a name (false: rejected).
const named = (p) => ("product_id" in p || "name" in p) && p;

const total = (name) => (name == "Order Completed" || name == "Order Refunded" ? "total" : "value");

const track = (name, properties) => ({ kind: "track", name, properties });

// GA4 event, Trailmark event, shape: items read (1: the first item's fields at the top level,
// MAX_ITEMS: one event per item), or 0: one event with event-level fields and products.
const GA4 = [
  ["view_item", "Product Viewed", 1],
  ["select_item", "Product Clicked", 1],
  ["add_to_cart", "Product Added", MAX_ITEMS],
  ["remove_from_cart", "Product Removed", MAX_ITEMS],
  ["add_to_wishlist", "Product Added to Wishlist", MAX_ITEMS],
  ["view_item_list", "Product List Viewed", 0],
  ["view_cart", "Cart Viewed", 0],
  ["begin_checkout", "Checkout Started", 0],
  ["add_payment_info", "Payment Info Entered", 0],
  ["purchase", "Order Completed", 0],
  ["refund", "Order Refunded", 0],
  ["search", "Products Searched", 0],
  ["view_promotion", "Promotion Viewed", 0],
  ["select_promotion", "Promotion Clicked", 0],
];

// Event-level parameter, Trailmark property, whether the first item may carry it instead.
const GA4_FIELDS = [
  ["transaction_id", "order_id"],
  ["item_list_id", "list_id", 1],
  ["item_list_name", "category", 1],
  ["promotion_id", "promotion_id", 1],
  ["promotion_name", "name", 1],
  ["creative_name", "creative", 1],
  ["creative_slot", "position", 1],
  ["search_term", "query"],
  ["coupon", "coupon"],
  ["payment_type", "payment_method"],
];

const GA4_ITEM = [
  ["item_id", "product_id"],
  ["item_name", "name"],
  ["item_brand", "brand"],
  ["item_variant", "variant"],
  ["coupon", "coupon"],
];

const CATEGORIES = ["", 2, 3, 4, 5].map((i) => "item_category" + i);

// One GA4 item as a Segment product; its price in its own currency, else the event's.
const ga4Item = (it, eventCurrency) => {
  const p = {};
  for (const [from, to] of GA4_ITEM) put(p, to, get(it, from));
  const category = CATEGORIES.map((k) => get(it, k)).filter((s) => s && typeof s == "string");
  put(p, "category", category.join("/"));
  const cur = currency(get(it, "currency")) || eventCurrency;
  put(p, "price", minor(num(get(it, "price")), cur));
  put(p, "currency", cur);
  putCount(p, "quantity", get(it, "quantity"));
  putCount(p, "position", get(it, "index"));
  return named(p);
};

const ga4 = (payload) => {
  // gtag("event", name, params) as an array, or GTM's {event, ecommerce} (parameters from the
  // push itself when it has no ecommerce object).
  const ecommerce = get(payload, "ecommerce");
  const [cmd, event, params] = list(payload, 3) || [
    "event",
    get(payload, "event"),
    isObj(ecommerce) ? ecommerce : payload,
  ];
  const e = cmd === "event" && GA4.find((e) => e[0] === event);
  if (!e) return [];
  const [, name, shape] = e;
  const cur = currency(get(params, "currency"));
  const items = list(get(params, "items"), MAX_ITEMS);
  const product = (it) => ga4Item(it, cur);
  if (shape) return (items || []).map(product).filter(Boolean).slice(0, shape).map((p) => track(name, p));
  const m = {};
  const first = items && items[0];
  for (const [from, to, onItems] of GA4_FIELDS) {
    let v = get(params, from);
    if (v === undefined && onItems) v = get(first, from);
    put(m, to, v);
  }
  // GA4's value is without tax and shipping: the revenue, and the total as well.
  const value = num(get(params, "value"));
  put(m, total(name), minor(value, cur));
  if (name == "Order Completed") put(m, "revenue", minor(value, cur));
  for (const k of ["tax", "shipping"]) put(m, k, minor(num(get(params, k)), cur));
  put(m, "currency", cur);
  if (items) m.products = items.map(product).filter(Boolean);
  return [track(name, m)];
};

// Path in a ProductVariant, Trailmark product property.
const VARIANT = [
  ["product.id", "product_id"],
  ["sku", "sku"],
  ["product.title", "name"],
  ["product.vendor", "brand"],
  ["product.type", "category"],
  ["title", "variant"],
  ["product.url", "url"],
  ["image.src", "image_url"],
];

// Path of a MoneyV2 in a Checkout, Trailmark property (after totalPrice).
const CHECKOUT_MONEY = [
  ["subtotalPrice", "subtotal"],
  ["subtotalPrice", "revenue"],
  ["shippingLine.price", "shipping"],
  ["totalTax", "tax"],
  ["discountsAmount", "discount"],
];

// A MoneyV2 under k, in its own currencyCode (else fallback); returns the currency used.
const money = (m, k, v, fallback) => {
  const cur = currency(get(v, "currencyCode")) || fallback;
  put(m, k, minor(num(get(v, "amount")), cur));
  return cur;
};

// A ProductVariant as a Segment product.
const product = (v, quantity) => {
  const p = {};
  for (const [path, to] of VARIANT) put(p, to, at(v, path));
  // What Shopify calls the only variant of a product without options.
  if (p.variant === "Default Title") delete p.variant;
  put(p, "currency", money(p, "price", get(v, "price")));
  putCount(p, "quantity", quantity);
  return named(p);
};

// A CartLine: its merchandise with its quantity.
const line = (l) => product(get(l, "merchandise"), get(l, "quantity"));

// The properties of each object a Shopify event is about.
const collection = (d, m) => {
  put(m, "list_id", get(d, "id"));
  put(m, "category", get(d, "title"));
  putProducts(m, get(d, "productVariants"), (v) => product(v));
  return m;
};

const cart = (d, m) => {
  put(m, "cart_id", get(d, "id"));
  put(m, "currency", money(m, "value", at(d, "cost.totalAmount")));
  putProducts(m, get(d, "lines"), line);
  return m;
};

const checkout = (d, m, event) => {
  put(m, "order_id", at(d, "order.id"));
  put(m, "checkout_id", get(d, "token"));
  // The checkout's currency, else the first amount's.
  let cur = currency(get(d, "currencyCode"));
  for (const [path, to] of [["totalPrice", total(event)], ...CHECKOUT_MONEY]) {
    const used = money(m, to, at(d, path), cur);
    cur = cur || used;
  }
  // Discount codes (not automatic discounts), comma-separated; the separator goes before every
  // title after the first non-empty one (as Rust's push_joined did).
  const codes = (list(get(d, "discountApplications"), MAX_LIST) || [])
    .map((a) => get(a, "type") === "DISCOUNT_CODE" && get(a, "title"))
    .filter((t) => typeof t == "string");
  put(m, "coupon", codes.slice(codes.findIndex((t) => t)).join(","));
  put(m, "currency", cur);
  putProducts(m, get(d, "lineItems"), (li) => product(get(li, "variant"), get(li, "quantity")));
  return m;
};

// Shopify event, Trailmark event, the object in data it is about, its properties.
const SHOPIFY = [
  ["product_viewed", "Product Viewed", "productVariant", (d) => product(d)],
  ["product_added_to_cart", "Product Added", "cartLine", line],
  ["product_removed_from_cart", "Product Removed", "cartLine", line],
  ["collection_viewed", "Product List Viewed", "collection", collection],
  ["search_submitted", "Products Searched", "searchResult", (d, m) => (put(m, "query", get(d, "query")), m)],
  ["cart_viewed", "Cart Viewed", "cart", cart],
  ["checkout_started", "Checkout Started", "checkout", checkout],
  ["payment_info_submitted", "Payment Info Entered", "checkout", checkout],
  ["checkout_completed", "Order Completed", "checkout", checkout],
];

const shopify = (payload) => {
  const name = get(payload, "name");
  if (name === "page_viewed") return [{ kind: "page", name: "", properties: {} }];
  const e = SHOPIFY.find((e) => e[0] === name);
  if (!e) return [];
  const [, event, key, properties] = e;
  const d = get(get(payload, "data"), key);
  const m = isObj(d) && properties(d, {}, event);
  return m ? [track(event, m)] : [];
};

export const adapt = (source, payload) => {
  try {
    const s = typeof source == "string" && source.toLowerCase();
    payload = norm(payload);
    return s == "ga4" ? ga4(payload) : s == "shopify" ? shopify(payload) : [];
  } catch (_) {
    return [];
  }
};
