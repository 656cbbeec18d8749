// A realistic rule set: 50 targeting conditions of a store's personalization config, in the
// GrowthBook language, over a visitor profile. Deterministic (no randomness), so both engines
// see exactly the same work.
const COUNTRIES = ["US", "CA", "GB", "DE", "FR", "AU", "NL", "SE"];
const CATEGORIES = ["Coffee", "Tea", "Gear", "Gifts", "Subscriptions"];
const SOURCES = ["newsletter", "google", "instagram", "partner", "affiliate"];

const templates = [
  (i) => ({ "page.url": { $regex: "^https://shop\\.example\\.com/(cart|checkout)(/|\\?|$)" }, "cart.value": { $gt: 1000 + i * 100 } }),
  (i) => ({ "visitor.pageViews": { $gte: 1 + (i % 9) }, "visitor.returning": true }),
  (i) => ({ "visitor.country": { $in: COUNTRIES.slice(0, 2 + (i % 6)) }, "visitor.device": i % 2 ? "mobile" : "desktop" }),
  (i) => ({ "cart.categories": { $elemMatch: { $eq: CATEGORIES[i % CATEGORIES.length] } } }),
  (i) => ({ $or: [{ "visitor.utmSource": SOURCES[i % SOURCES.length] }, { "visitor.orders": { $gte: 2 + (i % 3) } }] }),
  (i) => ({ "page.path": { $regex: i % 2 ? "^/product-" : "^/(category|tea|gear)\\.html" }, "visitor.sessions": { $lt: 3 + (i % 4) } }),
  (i) => ({ "visitor.revenue": { $gte: 2000 + i * 250 }, "visitor.daysSinceLastOrder": { $gt: 20 + i } }),
  (i) => ({ $and: [{ "lastEvent": { $in: ["Product Added", "Cart Viewed", "Checkout Started"] } }, { "cart.items": { $gte: 1 + (i % 4) } }] }),
  (i) => ({ "visitor.country": { $nin: ["RU", "BY"] }, "visitor.appVersion": { $vgte: "2." + (i % 5) + ".0" } }),
  (i) => ({ $not: { "visitor.optedOut": true }, "cart.value": { $lte: 20000 - i * 150 }, "visitor.device": { $exists: true } }),
];

/** How many templates: rule i uses template i % TEMPLATES. */
export const TEMPLATES = templates.length;

/** The 50 conditions. */
export const conditions = Array.from({ length: 50 }, (_, i) => templates[i % templates.length](i));

/** The visitor profile the conditions are evaluated against. */
export const profile = {
  page: { url: "https://shop.example.com/cart?ref=mini", path: "/product-ethiopia.html" },
  cart: { value: 7400, items: 3, categories: ["Coffee", "Gear"] },
  visitor: {
    pageViews: 7, sessions: 3, returning: true, country: "DE", device: "mobile", orders: 1,
    revenue: 5200, utmSource: "newsletter", daysSinceLastOrder: 40, appVersion: "2.3.1", optedOut: false,
  },
  lastEvent: "Page Viewed",
};

/** The events that arrive, cycled. */
export const events = ["Product Viewed", "Product Added", "Cart Viewed", "Checkout Started", "Product Removed"];
