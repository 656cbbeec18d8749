// The visitor of every measured visit: a returning shopper who, two hours ago, viewed three
// coffees and put two in the cart without checking out. Each library records that earlier
// visit its own way (Trailmark through its API; the GrowthBook page through its own visitor
// state, visitor-state.js), once, in a throwaway browser context with the page's clock set
// two hours back; what the visit left in localStorage and cookies is then given to every
// measured context. So the measured visit is a new session of a returning visitor (rules:
// `visitor.returning`, the abandoned cart, three products viewed, a cart of 2 items for $37.50)
// with an empty HTTP cache.
import { STORE_PATH } from "./rules.mjs";

const HOURS_AGO = 2;
const product = (id, name, price) => ({ product_id: id, name, price, currency: "USD", category: "Coffee", quantity: 1 });
const ETHIOPIA = product("ethiopia", "Ethiopia Yirgacheffe", 1850);
const COLOMBIA = product("colombia", "Colombia Huila", 1650);
const KENYA = product("kenya", "Kenya Nyeri", 1900);

/** The earlier visit's events, in order. */
export const PRIMING_EVENTS = [
  ["Product Viewed", ETHIOPIA], ["Product Viewed", COLOMBIA], ["Product Viewed", KENYA],
  ["Product Added", ETHIOPIA], ["Product Added", KENYA],
];

// How each library's page records an event.
const RECORD = {
  trailmark: {
    ready: () => !!(window.trailmark && window.trailmark.started),
    record: async (events) => {
      await window.trailmark.started;
      for (const [name, props] of events) window.trailmark.track(name, props);
    },
  },
  growthbook: {
    ready: () => !!window.benchVisitor,
    record: async (events) => { for (const [name, props] of events) window.benchVisitor.track(name, props); },
  },
};

/**
 * Records the earlier visit on `origin` (the site named `short`) and returns the storage state
 * it left. Trailmark's cached copy of the config is left out: a visit with an empty HTTP cache
 * fetches the config as a first visit does (the warm visit then has it again).
 */
export async function primeVisitor(browser, origin, short) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.clock.setFixedTime(Date.now() - HOURS_AGO * 3600e3);
    await page.goto(origin + STORE_PATH);
    await page.waitForFunction(RECORD[short].ready);
    await page.evaluate(RECORD[short].record, PRIMING_EVENTS);
    // Trailmark writes its profile at most once a second and when the page is hidden: leaving
    // the page (pagehide) writes what is pending.
    await page.waitForTimeout(1200);
    await page.goto("about:blank");
    return await context.storageState();
  } finally {
    await context.close();
  }
}
