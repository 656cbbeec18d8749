//! The visitor profile: what rules know about the shopper, rolled up from their events.

use super::cart::{amount, text, Cart};
use super::counts::Counts;
use super::Op;
use crate::event::Kind;
use crate::history::History;
use crate::journeys::{self, Progress, STAGE_ENTERED};
use crate::time::Millis;
use crate::value::{Map, Value};

/// Most page paths kept with their counts.
pub const MAX_PAGES: usize = 50;
/// Most product ids kept with their counts.
pub const MAX_PRODUCTS: usize = 50;
/// Most categories kept with their counts.
pub const MAX_CATEGORIES: usize = 20;

/// Everything the profile keeps (see the README's attribute table).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Profile {
    /// Sessions started.
    pub visits: u32,
    /// First event ever (0 before any).
    pub first_seen: Millis,
    /// Latest event.
    pub last_seen: Millis,
    /// Events observed, all time.
    pub events: u32,
    /// Page views by path.
    pub pages: Counts,
    /// `Product Viewed` by `product_id`.
    pub products: Counts,
    /// `Product List Viewed` and `Product Viewed` by `category`.
    pub categories: Counts,
    /// The cart.
    pub cart: Cart,
    /// `Order Completed` events.
    pub orders: u32,
    /// Sum of their totals, minor units, in `revenue_currency`.
    pub revenue: f64,
    /// The currency of the first order (later orders in another currency are counted, not summed).
    pub revenue_currency: String,
    /// The latest order.
    pub last_order: Millis,
    /// The first campaign the visitor came from.
    pub first_touch: Option<Map>,
    /// The latest campaign.
    pub last_touch: Option<Map>,
    /// The referrer of the first session's landing page.
    pub first_referrer: String,
    /// Time pages were visible, summed (`Page Engagement` events).
    pub engaged_ms: f64,
    /// Deepest scroll seen on any page, in percent.
    pub max_scroll: f64,
    /// Where the visitor is in each journey (from `Journey Stage Entered` events).
    pub journeys: Vec<Progress>,
    /// The event history that history predicates read.
    pub history: History,
    /// What each rule's blocks did (views, dismissals, acceptances), for caps.
    pub displays: crate::caps::Displays,
    /// The `identify` traits kept for personal text (only those `/identity/traits` names).
    pub traits: Map,
    /// Sticky experiment assignments and the assignment key (see [`crate::experiments`]).
    pub assignments: crate::experiments::Assignments,
}

impl Profile {
    /// Keeps `traits` (strings cut at 200 bytes, finite numbers, booleans; `null` forgets one),
    /// at most [`super::MAX_TRAITS`] names.
    pub fn keep_traits(&mut self, traits: &Map) {
        for (name, value) in traits.iter() {
            let value = match value {
                Value::String(s) => {
                    let mut s = s.clone();
                    crate::text::truncate_at_boundary(&mut s, super::MAX_TEXT_BYTES);
                    Value::String(s)
                }
                Value::Number(n) if n.is_finite() => Value::Number(*n),
                Value::Bool(b) => Value::Bool(*b),
                Value::Null => {
                    self.traits.remove(name);
                    continue;
                }
                _ => continue,
            };
            if self.traits.len() < super::MAX_TRAITS || self.traits.get(name).is_some() {
                self.traits.insert(name, value);
            }
        }
    }

    /// Rolls one event into the profile; `new_session` says it started a session.
    pub fn apply(&mut self, op: &Op, new_session: bool) {
        let at = op.at;
        if self.first_seen == 0 || at < self.first_seen {
            self.first_seen = at;
        }
        self.last_seen = self.last_seen.max(at);
        self.events = self.events.saturating_add(1);
        if new_session {
            self.visits = self.visits.saturating_add(1);
            if self.visits == 1 {
                self.first_referrer = op.referrer.clone();
            }
        }
        if let Some(c) = &op.campaign {
            if self.first_touch.is_none() {
                self.first_touch = Some(c.clone());
            }
            self.last_touch = Some(c.clone());
        }
        let p = &op.properties;
        if op.kind == Kind::Page {
            self.pages.bump(&op.path, at, MAX_PAGES);
            return;
        }
        match op.name.as_str() {
            "Product Viewed" => {
                self.products.bump(&text(p, "product_id"), at, MAX_PRODUCTS);
                self.categories
                    .bump(&text(p, "category"), at, MAX_CATEGORIES);
            }
            "Product List Viewed" => self
                .categories
                .bump(&text(p, "category"), at, MAX_CATEGORIES),
            "Product Added" => self.cart.add(p),
            "Product Removed" => self.cart.remove(p),
            "Cart Viewed" | "Checkout Started" => self.cart.replace(p),
            "Order Completed" => self.order(p, at),
            STAGE_ENTERED => journeys::apply(&mut self.journeys, p, at),
            super::ENGAGEMENT => {
                let n = |k| p.get(k).and_then(Value::as_f64).filter(|n| n.is_finite());
                if let Some(ms) = n("visible_ms").filter(|ms| (0.0..=8.64e7).contains(ms)) {
                    self.engaged_ms += ms.round();
                }
                if let Some(s) = n("max_scroll_percent") {
                    self.max_scroll = self.max_scroll.max(s.clamp(0.0, 100.0).round());
                }
            }
            _ => {}
        }
    }

    fn order(&mut self, p: &Map, at: Millis) {
        self.orders = self.orders.saturating_add(1);
        self.last_order = self.last_order.max(at);
        self.cart = Cart::default();
        let total = ["total", "revenue", "value"]
            .iter()
            .find_map(|k| amount(p.get(k)));
        let currency = text(p, "currency");
        if self.revenue_currency.is_empty() {
            self.revenue_currency = currency.clone();
        }
        if let (Some(total), true) = (total, currency == self.revenue_currency) {
            self.revenue += total;
        }
    }
}
