// The store's personalization, written once for both libraries: 10 rules on 3 slots, each
// rule with its Trailmark condition and the GrowthBook condition that means the same thing.
//
// Seven rules are the same test in both languages (GrowthBook reads the page's path and title
// from its own automatic attributes `path` and `pageTitle`; the cart and `visitor.returning`
// come from the state the GrowthBook page keeps, see visitor-state.js). Three test the
// visitor's history, which GrowthBook cannot: there its condition reads a boolean the page
// computed before GrowthBook started (`history.*`), from the event log the page keeps itself.
// That is the equivalent a store would have to write for GrowthBook; it answers these three
// questions only, where Trailmark's predicates are general.

/** The page every visit opens: its path and title are what the page rules test. */
export const STORE_PATH = "/coffee.html";
export const STORE_TITLE = "Coffee | Bench Roasters";

/** The history predicates, and the attribute the GrowthBook page computes for each. */
const history = {
  ordered: {
    trailmark: { $event: { name: "Order Completed", in: "all", count: { $gte: 1 } } },
    growthbook: { "history.ordered": true },
  },
  abandonedCart: {
    trailmark: { $absent: { name: "Checkout Started", after: "Product Added", for: "30m", in: "7d" } },
    growthbook: { "history.abandonedCart": true },
  },
  browsed3: {
    trailmark: { $event: { name: "Product Viewed", in: "7d", count: { $gte: 3 } } },
    growthbook: { "history.browsed3": true },
  },
};

/** In order; per slot the first rule that holds wins (both libraries work that way). */
export const rules = [
  { id: "hero-sale", slot: "hero", show: "sale-hero",
    trailmark: { "page.path": { $regex: "^/sale(/|$)" } },
    growthbook: { path: { $regex: "^/sale(/|$)" } } },
  { id: "hero-buyer", slot: "hero", show: "buyer-hero",
    trailmark: { $and: [history.ordered.trailmark, { "visitor.returning": true }] },
    growthbook: { $and: [history.ordered.growthbook, { "visitor.returning": true }] } },
  { id: "hero-abandoned", slot: "hero", show: "cart-hero",
    trailmark: { $and: [history.abandonedCart.trailmark, { "visitor.returning": true }] },
    growthbook: { $and: [history.abandonedCart.growthbook, { "visitor.returning": true }] } },
  { id: "hero-coffee", slot: "hero", show: "coffee-hero",
    trailmark: { "page.title": { $regex: "Coffee" } },
    growthbook: { pageTitle: { $regex: "Coffee" } } },
  { id: "promo-big-cart", slot: "promo", show: "gift-promo",
    trailmark: { "cart.value": { $gte: 10000 } },
    growthbook: { "cart.value": { $gte: 10000 } } },
  { id: "promo-shipping", slot: "promo", show: "shipping-promo",
    trailmark: { "cart.count": { $gte: 2 }, "cart.value": { $lt: 4000 } },
    growthbook: { "cart.count": { $gte: 2 }, "cart.value": { $lt: 4000 } } },
  { id: "promo-espresso", slot: "promo", show: "espresso-promo",
    trailmark: { "page.title": { $regexi: "espresso|decaf" } },
    growthbook: { pageTitle: { $regexi: "espresso|decaf" } } },
  { id: "note-checkout", slot: "note", show: "checkout-note",
    trailmark: { "page.path": { $regex: "^/checkout" } },
    growthbook: { path: { $regex: "^/checkout" } } },
  { id: "note-undecided", slot: "note", show: "undecided-note",
    trailmark: history.browsed3.trailmark,
    growthbook: history.browsed3.growthbook },
  { id: "note-any-page", slot: "note", show: "html-note",
    trailmark: { "page.path": { $regex: "\\.html$" } },
    growthbook: { path: { $regex: "\\.html$" } } },
];

/** What the measured visit must show (the visitor of visitor.mjs: returning, 2 items, 3 views). */
export const expected = { hero: "cart-hero", promo: "shipping-promo", note: "undecided-note" };

export const SLOTS = Object.keys(expected);

// A block's root carries the class `blk blk-<id>`: that is how the decision observer (and the
// agreement check) recognises which block a slot shows, whichever library rendered it.
const banner = (id, eyebrow, title, text, href, cta) => ({
  tag: "section", class: `blk blk-${id}`, attrs: { "aria-label": title }, children: [
    { tag: "p", class: "eyebrow", text: eyebrow },
    { tag: "h2", text: title },
    { tag: "p", text },
    { tag: "a", class: "button", attrs: { href }, text: cta },
  ],
});
const note = (id, strong, text) => ({
  tag: "div", class: `blk blk-${id}`, children: [{ tag: "strong", text: strong }, { tag: "span", text }],
});

/** The content blocks, by id (Trailmark's block format; the GrowthBook renderer builds the same). */
export const blocks = {
  "sale-hero": banner("sale-hero", "This week only", "The winter sale is on", "Twenty per cent off every bag of single-origin coffee until Sunday.", "/sale/", "Shop the sale"),
  "buyer-hero": banner("buyer-hero", "Welcome back", "Your next bag is ready to roast", "Reorder in one click: same grind, same roast, at your door by Friday.", "/account/orders.html", "Reorder"),
  "cart-hero": banner("cart-hero", "Welcome back", "Your cart is still here", "We kept what you picked last time. Roasted Tuesday, at your door by Friday; free shipping over $40.", "/cart.html", "Back to your cart"),
  "coffee-hero": banner("coffee-hero", "Roaster's picks", "Fresh roasts, picked for you", "From a bright, floral Ethiopia to a chocolatey Colombia: what our roasters drink this week.", "/coffee.html#picks", "Shop the roast"),
  "gift-promo": note("gift-promo", "A gift for you.", "Orders over $100 get a free tasting set."),
  "shipping-promo": note("shipping-promo", "Free shipping over $40.", "Add one more bag and we cover delivery."),
  "espresso-promo": note("espresso-promo", "Espresso lovers:", "our new decaf pulls a proper shot."),
  "checkout-note": note("checkout-note", "Secure checkout.", "Your payment details never touch our servers."),
  "undecided-note": note("undecided-note", "Can't decide?", "You've looked at a few of our coffees. Reply to any order email and our roasters will help you pick."),
  "html-note": note("html-note", "Roasted to order.", "Every bag leaves the roastery within two days of roasting."),
};

/**
 * A bar at the top of the page, for the CLS measurement's check that an overlay (fixed, laid
 * over the page) shifts nothing: a rule that holds on every page, a one-line block.
 */
const bar = {
  block: { tag: "p", class: "bench-bar", children: [{ tag: "strong", text: "Free shipping over $40." }, { tag: "span", text: " Roasted Tuesday, at your door by Friday." }] },
  rule: { id: "bar-everywhere", placement: "bar-top", show: "bench-bar", if: { "page.path": { $regex: "\\.html$" } } },
};

/**
 * Trailmark's config: rules and blocks; `collectorUrl` is the repository's collector. With
 * `withBar`, also the bar-top rule above (the CLS page's overlay check).
 */
export function trailmarkConfig(collectorUrl, { withBar = false } = {}) {
  const config = {
    version: 1,
    collector: { url: collectorUrl, writeKey: "demo-write-key" },
    blocks,
    rules: rules.map((r) => ({ id: r.id, slot: r.slot, if: r.trailmark, show: r.show })),
  };
  if (withBar) {
    config.blocks = { ...blocks, "bench-bar": bar.block };
    config.rules.push(bar.rule);
  }
  return config;
}

/**
 * GrowthBook's payload: one JSON feature per slot whose value is the block to show (the
 * renderer builds it), with a force rule per Trailmark rule, in the same order.
 */
export function growthbookPayload() {
  const features = {};
  for (const slot of SLOTS) {
    features["slot-" + slot] = {
      defaultValue: null,
      rules: rules.filter((r) => r.slot === slot).map((r) => ({ id: r.id, condition: r.growthbook, force: blocks[r.show] })),
    };
  }
  return { features };
}
