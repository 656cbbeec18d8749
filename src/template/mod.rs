//! Personal text: placeholders in block text, filled from the attributes rules read.
//!
//! ```text
//! You're {{ 5000 - cart.value | money }} away from free shipping
//! Welcome back, {{ traits.firstName | else: 'there' }}
//! {{ cart.count }} {{ cart.count | plural: 'item', 'items' }} in your cart
//! Your {{ cart.items.0.name }} is waiting: {{ cart.value | money }}
//! ```
//!
//! ## Syntax
//!
//! Text outside `{{ ... }}` is shown as it is. A placeholder is a *value*, then optional
//! *formats*, each after a `|`:
//!
//! | value | meaning |
//! |---|---|
//! | `cart.value` | the attribute at that dot path, as rules read it (`cart.items.0.name`, `views.products.length`, `journeys.abandoned-cart.stage`, `traits.firstName`) |
//! | `5000 - cart.value` | a relative amount: the number (digits only, at most 15) minus the attribute, **never below 0** |
//! | `'{{'` or `"{{"` | quoted text, shown as it is: the way to write a literal `{{` |
//!
//! | format | shows |
//! |---|---|
//! | *(none)* | a string as it is, a number as `number` does |
//! | `number` | a number in the page's locale (`1,234.5`, `1.234,5`) |
//! | `money` | an amount in minor units (`1850`) in the currency beside it (`cart.value` is in `cart.currency`, `orders.revenue` in `orders.currency`, `cart.items.0.price` in `cart.items.0.currency`): `$18.50` |
//! | `money: 'EUR'` | an amount in minor units of that currency |
//! | `plural: 'item', 'items'` | the first word when the number is singular in the page's locale (`Intl.PluralRules` says `one`), else the second |
//! | `else: 'there'` | the text shown when the value is missing (combines with any format) |
//!
//! Quoted text takes single or double quotes (single quotes need no escaping inside a JSON
//! config), with `\'`, `\"` and `\\` as escapes. Spaces inside `{{ }}` are optional. A single
//! `{` or `}`, and `}}` outside a placeholder, are plain text. A path is names separated by
//! dots; a name is any text without spaces, dots or `| { } : , ' " \`.
//!
//! ## Missing values
//!
//! A value is *missing* when the attribute is absent or `null`; when it is a boolean, an array
//! or an object; when it is an empty (or all-space) string; when a number format (`number`,
//! `money`, `plural`, a relative amount) meets something other than a number (`"12"` is not a
//! number); and for `money` when there is no currency (the currency beside the amount is not
//! three letters: an empty cart has `cart.currency` `""`, so a single-currency store names it,
//! `money: 'USD'`).
//!
//! A missing value shows its `else` text. **A missing value without `else` makes the whole
//! text unfillable** ([`Template::fill`] answers `None`): the block is not shown and the slot
//! keeps what it would show without this rule. "Welcome back, !" is worse than the default
//! content, so a text only shows when every placeholder has something to say.
//!
//! A relative amount is clamped at 0 (`5000 - 6200` shows `$0.00`, never `-$12.00`): the rule
//! (`{"cart.value": {"$lt": 5000}}`) decides whether a "you're X away" banner shows; the clamp
//! keeps its text sensible in the moment between a cart change and the next decision.
//!
//! ## Always text
//!
//! Values come from the visitor (cart item names, traits) and are hostile: they are never
//! parsed again (a `{{` inside a value is text) and are shown with `textContent`, never as
//! HTML. A string value is cut at [`MAX_VALUE_BYTES`] (then `…`).
//!
//! ## Compile, fill, format
//!
//! * [`compile`] (feature `compiler`) parses a text once, checks every path against the
//!   attributes Trailmark provides ([`KNOWN_PATHS`]) and reports every problem as a
//!   [`Diagnostic`](crate::diag::Diagnostic) with a code from [`codes`] at the text's JSON path.
//! * A [`Template`] travels in the compiled program ([`crate::wire::Wire`]).
//! * [`Template::fill`] reads the attributes and answers a short list of [`Piece`]s: text,
//!   numbers, money and plural choices, no formatting. Their flat form
//!   ([`Filled::to_value`], one array: `[0, "You're ", 2, 1250, "USD", 0, " away"]`) crosses to
//!   JavaScript in one call, where `formatPieces(pieces, locale)` (`js/template.js`) formats
//!   numbers with `Intl.NumberFormat` and picks plurals with `Intl.PluralRules`. No number is
//!   ever formatted in Rust.
//! * [`Template::paths`] lists the attribute paths a template reads, so it is filled again
//!   only when one of them changes (a bar's remaining amount follows the cart).

#[cfg(feature = "compiler")]
pub mod codes;
#[cfg(feature = "compiler")]
mod compile;
mod fill;
#[cfg(feature = "compiler")]
mod known;
mod path;
mod wire;

#[cfg(all(test, feature = "compiler", not(target_arch = "wasm32")))]
mod tests;

#[cfg(feature = "compiler")]
pub use compile::compile;
pub use fill::{Filled, Piece, MONEY, NUMBER, PLURAL, TEXT};
#[cfg(feature = "compiler")]
pub use known::KNOWN_PATHS;

use path::ValuePath;

/// Longest template text, in bytes (a block node's text limit,
/// [`crate::limits::MAX_BLOCK_TEXT_BYTES`]); literal text, quoted text, plural words and
/// `else` texts of a template together never exceed it.
pub const MAX_TEXT_BYTES: usize = crate::limits::MAX_BLOCK_TEXT_BYTES;
/// Most placeholders in one text.
pub const MAX_PLACEHOLDERS: usize = 32;
/// Most names in one path (`cart.items.0.name` has 4).
pub const MAX_PATH_NAMES: usize = 16;
/// Longest path, in bytes.
pub const MAX_PATH_BYTES: usize = 200;
/// Largest number before `-` in a relative amount (15 digits: exact as a JavaScript number).
pub const MAX_THRESHOLD: u64 = 999_999_999_999_999;
/// Longest string value shown, in bytes; a longer one is cut at a char boundary and ends
/// with `…`.
pub const MAX_VALUE_BYTES: usize = 256;

/// A compiled text with placeholders.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

/// Literal text, or one placeholder.
#[derive(Clone, Debug, PartialEq)]
enum Part {
    Text(String),
    Slot(Slot),
}

/// One placeholder: where its value comes from, how it is shown, what shows when it is
/// missing.
#[derive(Clone, Debug, PartialEq)]
struct Slot {
    source: Source,
    format: Format,
    fallback: Option<String>,
}

/// Where a placeholder's value comes from.
#[derive(Clone, Debug, PartialEq)]
enum Source {
    /// The attribute at a path.
    Path(ValuePath),
    /// `threshold - path`, clamped at 0.
    Below(u64, ValuePath),
}

/// How a placeholder's value is shown.
#[derive(Clone, Debug, PartialEq)]
enum Format {
    /// A string as it is, a number as [`Format::Number`].
    Plain,
    /// A number, formatted in JavaScript.
    Number,
    /// An amount in minor units of a currency.
    Money(Currency),
    /// The singular or the plural word, chosen in JavaScript.
    Plural(String, String),
}

/// The currency of a `money` placeholder.
#[derive(Clone, Debug, PartialEq)]
enum Currency {
    /// Named in the template (`money: 'EUR'`): three ASCII letters.
    Code(String),
    /// The `currency` beside the amount (`cart.currency` for `cart.value`).
    At(ValuePath),
}

impl Template {
    /// Every attribute path the template reads, once each, in the order they appear (a `money`
    /// placeholder without a code reads the currency beside the amount too:
    /// `cart.value | money` reads `cart.value` and `cart.currency`). A template needs filling
    /// again only when the value at one of these paths changed.
    pub fn paths(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for part in &self.parts {
            let Part::Slot(slot) = part else { continue };
            let (Source::Path(p) | Source::Below(_, p)) = &slot.source;
            let currency = match &slot.format {
                Format::Money(Currency::At(c)) => Some(c.as_str()),
                _ => None,
            };
            for path in [Some(p.as_str()), currency].into_iter().flatten() {
                if !out.contains(&path) {
                    out.push(path);
                }
            }
        }
        out
    }

    /// The text when it has no placeholder (nothing to fill: the block shows it as it is).
    pub fn as_static(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [Part::Text(t)] => Some(t),
            _ => None,
        }
    }
}
