// The events the track() and memory measurements send: a shopper browsing a store. Per 20
// events: 12 Product Viewed, 4 Product List Viewed, 2 Product Clicked, 1 Promotion Viewed and
// 1 Product Added (a cart event, which Trailmark sends at once; the others wait for a batch).
// Products rotate through six, so the cart stays small whatever the count.
const PRODUCTS = [
  ["ethiopia", "Ethiopia Yirgacheffe", 1850], ["colombia", "Colombia Huila", 1650], ["kenya", "Kenya Nyeri", 1900],
  ["guatemala", "Guatemala Antigua", 1700], ["house-espresso", "House Espresso", 1550], ["decaf", "Swiss Water Decaf", 1750],
];
const CYCLE = [
  "Product Viewed", "Product Viewed", "Product List Viewed", "Product Viewed", "Product Clicked",
  "Product Viewed", "Product Viewed", "Product List Viewed", "Product Viewed", "Promotion Viewed",
  "Product Viewed", "Product Viewed", "Product List Viewed", "Product Viewed", "Product Clicked",
  "Product Viewed", "Product Viewed", "Product List Viewed", "Product Viewed", "Product Added",
];

export const EVENT_MIX = "per 20 events: 12 Product Viewed, 4 Product List Viewed, 2 Product Clicked, 1 Promotion Viewed, 1 Product Added";

/** `n` events, `[name, properties]`. */
export function storeEvents(n) {
  return Array.from({ length: n }, (_, i) => {
    const name = CYCLE[i % CYCLE.length];
    const [id, title, price] = PRODUCTS[i % PRODUCTS.length];
    if (name === "Product List Viewed") return [name, { list_id: "coffee", category: "Coffee", products: PRODUCTS.slice(0, 3).map(([p]) => ({ product_id: p })) }];
    if (name === "Promotion Viewed") return [name, { promotion_id: "winter-sale", name: "Winter sale", position: "hero" }];
    return [name, { product_id: id, name: title, price, currency: "USD", category: "Coffee", quantity: 1, position: i % 12 }];
  });
}
