//! The visitor's cart, as the store's events describe it.
//!
//! Money is an integer number of minor units (cents) plus a currency code, as everywhere in
//! Trailmark; the browser formats it for display (`Intl.NumberFormat`).

use crate::text::truncate_at_boundary;
use crate::value::{Map, Value};

/// Most distinct items kept in the cart.
pub const MAX_ITEMS: usize = 50;
/// Largest quantity of one item.
pub const MAX_QUANTITY: f64 = 9_999.0;
/// Largest amount accepted, in minor units (beyond it a value is ignored as absurd).
pub const MAX_AMOUNT: f64 = 1e13;
/// Longest product id, name or currency kept, in bytes.
const MAX_TEXT_BYTES: usize = 200;

/// One line of the cart.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// `product_id`.
    pub product_id: String,
    /// `name`.
    pub name: String,
    /// Unit price in minor units.
    pub price: f64,
    /// How many.
    pub quantity: f64,
    /// ISO 4217 code, as sent.
    pub currency: String,
}

/// The cart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cart {
    /// Its lines, in the order they were first added.
    pub items: Vec<Item>,
}

/// An amount in minor units from an event property: a finite number from 0 to
/// [`MAX_AMOUNT`], rounded to a whole number.
pub fn amount(v: Option<&Value>) -> Option<f64> {
    let n = v?.as_f64()?;
    (n.is_finite() && (0.0..=MAX_AMOUNT).contains(&n)).then(|| n.round())
}

/// A quantity from an event property (default 1; whole, 0 to [`MAX_QUANTITY`]).
fn quantity(props: &Map) -> f64 {
    match props.get("quantity").and_then(Value::as_f64) {
        Some(q) if q.is_finite() && q >= 0.0 => q.round().min(MAX_QUANTITY),
        _ => 1.0,
    }
}

/// A short text property ("" when missing or not a string; numbers are ids too).
pub fn text(props: &Map, key: &str) -> String {
    let mut s = match props.get(key) {
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(Value::Number(n)) if n.fract() == 0.0 && n.abs() < 1e15 => {
            let mut s = String::new();
            crate::text::push_i64(&mut s, *n as i64);
            s
        }
        _ => String::new(),
    };
    truncate_at_boundary(&mut s, MAX_TEXT_BYTES);
    s
}

impl Cart {
    /// `Product Added`: adds `quantity` (default 1) of the product.
    pub fn add(&mut self, props: &Map) {
        let id = text(props, "product_id");
        if id.is_empty() {
            return;
        }
        let q = quantity(props);
        let price = amount(props.get("price"));
        if let Some(item) = self.items.iter_mut().find(|i| i.product_id == id) {
            item.quantity = (item.quantity + q).min(MAX_QUANTITY);
            if let Some(p) = price {
                item.price = p;
            }
            return;
        }
        if self.items.len() >= MAX_ITEMS {
            return; // a 51st distinct product: the cart's first 50 lines stay exact
        }
        self.items.push(Item {
            product_id: id,
            name: text(props, "name"),
            price: price.unwrap_or(0.0),
            quantity: q,
            currency: text(props, "currency"),
        });
    }

    /// `Product Removed`: removes `quantity` (default 1) of the product; the line goes at 0.
    pub fn remove(&mut self, props: &Map) {
        let id = text(props, "product_id");
        let q = quantity(props);
        if let Some(at) = self.items.iter().position(|i| i.product_id == id) {
            self.items[at].quantity -= q;
            if self.items[at].quantity <= 0.0 {
                self.items.remove(at);
            }
        }
    }

    /// `Cart Viewed` / `Checkout Started` with a `products` list: the store's own view of the
    /// cart replaces ours (it is authoritative: items may have changed in another way).
    pub fn replace(&mut self, props: &Map) {
        let Some(products) = props.get("products").and_then(Value::as_array) else {
            return;
        };
        let currency = props.get("currency");
        self.items.clear();
        for p in products {
            if let Value::Object(p) = p {
                let mut line = p.clone();
                if !line.contains_key("currency") {
                    if let Some(c) = currency {
                        line.insert("currency", c.clone());
                    }
                }
                self.add(&line);
            }
        }
    }

    /// Units in the cart.
    pub fn count(&self) -> f64 {
        // A fold from +0, not `sum()`: an empty float sum is -0, which JavaScript shows as -0.
        self.items.iter().fold(0.0, |n, i| n + i.quantity)
    }

    /// The cart's currency: the first line's.
    pub fn currency(&self) -> &str {
        self.items.first().map_or("", |i| i.currency.as_str())
    }

    /// Total value in minor units of the lines in the cart's currency.
    pub fn value(&self) -> f64 {
        let currency = self.currency();
        self.items
            .iter()
            .filter(|i| i.currency == currency)
            .fold(0.0, |n, i| n + i.price * i.quantity)
    }
}
