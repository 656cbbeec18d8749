// The adapters (js/adapters.js) against their fixtures (tests/fixtures/adapters/*.json): each case
// is one payload as a store emits it and the exact Trailmark events adapt() must return for it,
// compared as JSON (every key, its order and every number). Plus: the fixtures cover every
// mapped event, no part of any fixture payload throws or yields a fractional amount, and hostile
// inputs (cycles, throwing getters and proxies, huge arrays) map safely.
//
//   node --test tests/adapters.test.mjs      (no browser, no build)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { adapt } from "../js/adapters.js";

const read = (file) => {
  const doc = JSON.parse(readFileSync(new URL(`fixtures/adapters/${file}`, import.meta.url), "utf8"));
  assert.equal(typeof doc._source, "string", `${file}: no _source note`);
  assert.ok(Array.isArray(doc.cases) && doc.cases.length > 0, `${file}: no cases`);
  return doc.cases;
};
const fixtures = { ga4: read("ga4.json"), shopify: read("shopify.json") };

// The module with its last-resort catch turned into a rethrow: parts of real payloads must be
// handled by the mapping itself, not by that catch.
const source = readFileSync(new URL("../js/adapters.js", import.meta.url), "utf8");
const strictSource = source.replace(/catch \(_\) \{\s*return \[\];\s*\}/, "catch (e) {\n    throw e;\n  }");
assert.notEqual(strictSource, source, "adapt's last-resort catch not found");
const { adapt: adaptStrict } = await import("data:text/javascript," + encodeURIComponent(strictSource));

// An adapt() result in the fixtures' form: track events name their event, page views have none.
const asFixture = (events) =>
  JSON.parse(
    JSON.stringify(
      events.map((e) => {
        if (e.kind === "page") {
          assert.equal(e.name, "", "page views have no name");
          return { kind: "page", properties: e.properties };
        }
        return { kind: e.kind, event: e.name, properties: e.properties };
      }),
    ),
  );

test("fixtures map exactly", () => {
  const failures = [];
  const tally = [];
  for (const [src, cases] of Object.entries(fixtures)) {
    let ok = 0;
    for (const c of cases) {
      const got = asFixture(adapt(src, c.input));
      try {
        assert.deepStrictEqual(got, c.expected);
        // Key order too: the properties go out in this order.
        assert.equal(JSON.stringify(got), JSON.stringify(c.expected), "same keys, other order");
        ok++;
      } catch (e) {
        failures.push(`${src}.json: ${c.name}\n  expected: ${JSON.stringify(c.expected)}\n  got:      ${JSON.stringify(got)}`);
      }
    }
    tally.push(`${src} ${ok}/${cases.length}`);
  }
  console.log(`adapters (js): ${tally.join(", ")}`);
  assert.deepEqual(failures, [], "\n" + failures.join("\n"));
});

// Every event each adapter can produce ("(page)" for page views).
const MAPPED = {
  ga4: [
    "Cart Viewed",
    "Checkout Started",
    "Order Completed",
    "Order Refunded",
    "Payment Info Entered",
    "Product Added",
    "Product Added to Wishlist",
    "Product Clicked",
    "Product List Viewed",
    "Product Removed",
    "Product Viewed",
    "Products Searched",
    "Promotion Clicked",
    "Promotion Viewed",
  ],
  shopify: [
    "(page)",
    "Cart Viewed",
    "Checkout Started",
    "Order Completed",
    "Payment Info Entered",
    "Product Added",
    "Product List Viewed",
    "Product Removed",
    "Product Viewed",
    "Products Searched",
  ],
};

test("fixtures cover every mapped event", () => {
  for (const [src, cases] of Object.entries(fixtures)) {
    const names = [...new Set(cases.flatMap((c) => c.expected).map((e) => e.event ?? "(page)"))].sort();
    assert.deepEqual(names, MAPPED[src], src);
  }
});

// Calls f on v and on every value nested in it.
const walk = (v, f) => {
  f(v);
  if (v && typeof v == "object") for (const x of Object.values(v)) walk(x, f);
};

// Every object and array stripped of its first entry, all the way down.
const strip = (v) =>
  Array.isArray(v)
    ? v.slice(1).map(strip)
    : v && typeof v == "object"
      ? Object.fromEntries(Object.entries(v).slice(1).map(([k, x]) => [k, strip(x)]))
      : v;

const MONEY = ["price", "value", "total", "revenue", "subtotal", "shipping", "tax", "discount"];

// Amounts are whole minor units within ±1e13, in the event and in its products; every other
// number is finite.
const checkAmounts = (props) => {
  assert.ok(props && typeof props == "object" && !Array.isArray(props), "properties are an object");
  for (const [k, v] of Object.entries(props)) {
    if (typeof v == "number" && MONEY.includes(k)) {
      assert.ok(Number.isInteger(v) && Math.abs(v) <= 1e13 && !Object.is(v, -0), `${k}: ${v}`);
    } else if (typeof v == "number") {
      assert.ok(Number.isFinite(v), `${k}: ${v}`);
    } else if (Array.isArray(v)) {
      v.forEach(checkAmounts);
    } else {
      assert.ok(typeof v == "string", `${k}: ${typeof v}`);
    }
  }
};

const checkEvents = (events, src) => {
  assert.ok(Array.isArray(events));
  for (const e of events) {
    assert.ok(e.kind === "track" || e.kind === "page", e.kind);
    assert.ok(MAPPED[src].includes(e.kind === "page" ? "(page)" : e.name), `${src}: ${e.name}`);
    if (e.kind === "page") assert.equal(e.name, "");
    checkAmounts(e.properties);
  }
};

test("any part of any payload is safe", () => {
  let calls = 0;
  for (const cases of Object.values(fixtures)) {
    for (const c of cases) {
      for (const payload of [c.input, strip(c.input)]) {
        walk(payload, (part) => {
          for (const src of ["ga4", "shopify"]) {
            calls++;
            checkEvents(adaptStrict(src, part), src); // throws if the mapping threw
          }
        });
      }
    }
  }
  assert.ok(calls > 1000, String(calls));
});

// What the unit tests of the former Rust helpers checked, through adapt: minor units by currency,
// rounding, unusable amounts, decimal strings, source names and currency codes.
const price = (amount, currency) => {
  const [e] = adaptStrict("ga4", ["event", "view_item", { currency, items: [{ item_id: "x", price: amount }] }]);
  return e.properties.price;
};

test("money in minor units, like the Rust helpers", () => {
  assert.equal(price(18.5, "USD"), 1850);
  assert.equal(price(18.5, undefined), 1850);
  assert.equal(price(1500, "JPY"), 1500);
  assert.equal(price(1500.4, "jpy"), 1500);
  assert.equal(price(12.345, "KWD"), 12345);
  assert.equal(price(7.5, "BHD"), 7500);
  assert.equal(price(1, "XXXX"), 100);
  // Rounding away float noise; a true half is decided by the double; halves away from zero.
  assert.equal(price(19.99, "USD"), 1999);
  assert.equal(price(0.1 + 0.2, "USD"), 30);
  assert.equal(price(3 * 19.99, "EUR"), 5997);
  assert.equal(price(1.015, "USD"), 101);
  assert.equal(price(-4.5, "USD"), -450);
  assert.equal(price(-2.5, "JPY"), -3);
  assert.equal(price(2.5, "JPY"), 3);
  assert.ok(Object.is(price(-0.001, "USD"), 0));
  // Unusable amounts are left out.
  for (const bad of [NaN, Infinity, -Infinity, 1e11 + 0.01, -2e11, 1e300]) assert.equal(price(bad, "USD"), undefined, String(bad));
  assert.equal(price(1e11, "USD"), 10_000_000_000_000);
  assert.equal(price(1e300, "JPY"), undefined);
});

test("numbers and decimal strings, like the Rust helpers", () => {
  assert.equal(price("18.50", "USD"), 1850);
  assert.equal(price(" 1 ", "USD"), 100);
  assert.equal(price("\u0085\u00a0 2\u3000\n", "USD"), 200); // Rust's white space
  assert.equal(price("-0.25", "USD"), -25);
  assert.equal(price(".5", "USD"), 50);
  assert.equal(price("5.", "USD"), 500);
  assert.equal(price("0".repeat(5000), "USD"), 0);
  assert.equal(price("0." + "0".repeat(5000) + "1", "USD"), 0);
  for (const bad of ["", ".", "-", "1e3", "1,50", "$5", "1.2.3", "+1", "--1", "99999999999999999999", "\ufeff1", "1\ufeff", "0x10", "١"]) {
    assert.equal(price(bad, "USD"), undefined, JSON.stringify(bad));
  }
  assert.equal(price("9007199254740991", "JPY"), undefined); // beyond ±1e13 minor units
  assert.equal(price(true, "USD"), undefined);
  assert.equal(price(null, "USD"), undefined);
  // Counts: numbers or decimal strings from 0 to 1e9.
  const count = (quantity) =>
    adaptStrict("ga4", ["event", "view_item", { items: [{ item_id: "x", quantity }] }])[0].properties.quantity;
  assert.equal(count("2"), 2);
  assert.equal(count(1e9), 1e9);
  assert.equal(count(1e9 + 1), undefined);
  assert.equal(count(-1), undefined);
  assert.equal(count(2.5), 2.5);
});

test("sources and currencies, like the Rust helpers", () => {
  const push = { event: "view_item", ecommerce: { currency: "eur", items: [{ item_id: "x", price: 1 }] } };
  assert.equal(adapt("GA4", push)[0].properties.currency, "EUR");
  assert.equal(adapt("Shopify", { name: "page_viewed" })[0].kind, "page");
  for (const src of ["segment", "", "ga4 ", null, undefined, 4, {}, ["ga4"], Symbol("ga4")]) assert.deepEqual(adapt(src, push), []);
  for (const cur of ["US$", "€", "EURO", "", 978]) {
    const [e] = adapt("ga4", { event: "view_item", ecommerce: { currency: cur, items: [{ item_id: "x", price: 1 }] } });
    assert.deepEqual(e.properties, { product_id: "x", price: 100 }, String(cur));
  }
});

test("read as the module's conversion read it", () => {
  // A missing key falls back to the first item; a null one does not.
  const list = (item_list_id) => adapt("ga4", { event: "view_item_list", ecommerce: { item_list_id, items: [{ item_list_id: "first" }] } })[0].properties;
  assert.equal(list(undefined).list_id, "first");
  assert.equal(list(() => "f").list_id, "first");
  assert.equal(list(null).list_id, undefined);
  assert.equal(list(NaN).list_id, undefined);
  assert.equal(list(Symbol("s")).list_id, undefined);
  // Dates are their ISO strings; inherited and non-enumerable keys are not read.
  const when = new Date(Date.UTC(2024, 5, 12));
  assert.equal(adapt("ga4", ["event", "view_item", { items: [{ item_id: when }] }])[0].properties.product_id, "2024-06-12T00:00:00.000Z");
  assert.deepEqual(adapt("ga4", ["event", "view_item", { items: [{ item_id: new Date(NaN) }] }]), []);
  assert.deepEqual(adapt("ga4", Object.create({ event: "purchase" })), []);
  assert.deepEqual(adapt("ga4", Object.defineProperty({}, "event", { value: "purchase" })), []); // not enumerable
  assert.deepEqual(adapt("ga4", ["event", "view_item", { items: [Object.create({ item_id: "x" })] }]), []);
  // An arguments object the caller did not turn into an array is an object without "event".
  const args = (function () {
    return arguments;
  })("event", "purchase", {});
  assert.deepEqual(adapt("ga4", args), []);
  assert.equal(adapt("ga4", Array.from(args))[0].name, "Order Completed");
  // Shopify discount codes: separators after the first non-empty title, as Rust joined them.
  const coupon = (titles) =>
    adapt("shopify", {
      name: "checkout_started",
      data: { checkout: { discountApplications: titles.map((title) => ({ type: "DISCOUNT_CODE", title })) } },
    })[0].properties.coupon;
  assert.equal(coupon(["", "A", "", "B", ""]), "A,,B,");
  assert.equal(coupon(["", ",X"]), ",X");
  assert.equal(coupon(["", ""]), undefined);
  // A checkout's amounts: each in its own currency, the checkout's currency first, else the first
  // amount's.
  const checkout = (c) => adapt("shopify", { name: "checkout_completed", data: { checkout: c } })[0].properties;
  assert.deepEqual(checkout({ currencyCode: "eur", totalPrice: { amount: 10, currencyCode: "JPY" }, subtotalPrice: { amount: 5 } }), {
    total: 10,
    subtotal: 500,
    revenue: 500,
    currency: "EUR",
  });
  assert.deepEqual(checkout({ totalPrice: { currencyCode: "KWD" }, subtotalPrice: { amount: "1.5" }, totalTax: { amount: 1, currencyCode: "USD" } }), {
    subtotal: 1500,
    revenue: 1500,
    tax: 100,
    currency: "KWD",
  });
});

test("hostile input never throws", () => {
  const boom = () => {
    throw new Error("boom");
  };
  const thrower = new Proxy({}, { get: boom, has: boom, ownKeys: boom, getOwnPropertyDescriptor: boom, getPrototypeOf: boom });
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const cyclic = { event: "purchase", ecommerce: { currency: "USD", value: 1, items: [] } };
  cyclic.self = cyclic;
  cyclic.ecommerce.items.push(cyclic.ecommerce, { item_id: "a", again: cyclic });
  const getters = {
    event: "add_to_cart",
    ecommerce: {
      currency: "USD",
      items: [
        {
          item_id: "a",
          get price() {
            return boom();
          },
        },
        Object.defineProperty([], "0", { get: boom }),
      ],
    },
  };
  const throwingItems = {
    event: "add_to_cart",
    ecommerce: { items: Object.defineProperty([{ item_id: "a" }, {}, { item_id: "c" }], "1", { get: boom }) },
  };
  const long = new Proxy([], { get: (t, k) => (k === "length" ? 2 ** 32 - 1 : { item_id: "p" + String(k) }) });
  const inputs = [
    null,
    undefined,
    0,
    NaN,
    -Infinity,
    "purchase",
    "",
    true,
    Symbol("x"),
    10n,
    boom,
    new Date(),
    new Date(NaN),
    Object.create(null),
    new String("event"),
    [],
    [null],
    ["event"],
    ["event", "purchase"],
    ["event", "purchase", thrower],
    ["event", thrower, {}],
    thrower,
    revocable.proxy,
    [revocable.proxy, "x"],
    { event: "purchase", ecommerce: thrower },
    { event: "purchase", ecommerce: revocable.proxy },
    { event: "view_item", ecommerce: { items: thrower } },
    { event: "view_item", ecommerce: { items: [thrower, revocable.proxy] } },
    { name: "checkout_completed", data: thrower },
    { name: "checkout_completed", data: { checkout: thrower } },
    { name: "checkout_completed", data: { checkout: { totalPrice: thrower, lineItems: [thrower], discountApplications: thrower } } },
    { name: "cart_viewed", data: { cart: { cost: revocable.proxy, lines: [revocable.proxy] } } },
    { name: thrower },
    { get name() {
      return boom();
    } },
    cyclic,
    getters,
    throwingItems,
    { event: "add_to_cart", ecommerce: { items: long } },
    { event: "add_to_cart", ecommerce: { items: new Array(2 ** 32 - 1) } },
    { event: "add_to_cart", ecommerce: { items: new Array(1e6).fill({ item_id: "z", price: "1".repeat(1e6) }) } },
    { event: "search", search_term: " ".repeat(1e6) + "x", value: " ".repeat(1e6) + "x" },
    { name: "checkout_completed", data: { checkout: { discountApplications: new Array(1e6).fill({ type: "DISCOUNT_CODE", title: "X" }) } } },
  ];
  const started = Date.now();
  for (const payload of inputs) {
    for (const src of ["ga4", "shopify", "GA4", "Shopify"]) {
      const events = adapt(src, payload);
      checkEvents(events, src.toLowerCase());
      JSON.stringify(events); // plain data, no cycles
    }
  }
  for (const src of [thrower, revocable.proxy, { toString: boom }, { toLowerCase: boom }]) assert.deepEqual(adapt(src, cyclic), []);
  assert.ok(Date.now() - started < 10_000, "hostile inputs took too long");

  // What still maps: cycles are never followed, a throwing getter hides only its key.
  const [order] = adapt("ga4", cyclic);
  assert.deepEqual(order.properties, { total: 100, revenue: 100, currency: "USD", products: [{ product_id: "a", currency: "USD" }] });
  assert.deepEqual(
    adapt("ga4", getters).map((e) => e.properties),
    [{ product_id: "a", currency: "USD" }],
  );
  assert.deepEqual(
    adapt("ga4", throwingItems).map((e) => e.properties),
    [{ product_id: "a" }, { product_id: "c" }],
  );
  // Items are read up to 200, whatever the array says its length is; discount codes up to 1,000.
  assert.equal(adapt("ga4", { event: "add_to_cart", ecommerce: { items: long } }).length, 200);
  assert.equal(adapt("ga4", { event: "add_to_cart", ecommerce: { items: new Array(1e6).fill({ item_id: "z" }) } }).length, 200);
  const [completed] = adapt("shopify", inputs.at(-1));
  assert.equal(completed.properties.coupon, new Array(1000).fill("X").join(","));
});
