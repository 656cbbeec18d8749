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
//! HTML. A string value is cut at [`MAX_VALUE_BYTES`] (at a char boundary).
//!
//! ## Compile, fill, format
//!
//! * [`compile`] (feature `compiler`) parses a text once, checks every path against the
//!   attributes Trailmark provides ([`KNOWN_PATHS`]) and reports every problem as a
//!   [`Diagnostic`](crate::diag::Diagnostic) with a code from [`codes`] at the text's JSON path.
//! * A [`Template`] travels in the compiled program ([`crate::wire::Wire`]).
//! * [`Template::fill`] reads the attributes and answers the *pieces*: text, numbers, money and
//!   plural choices, unformatted, as one flat array that crosses to JavaScript in one call
//!   (`[0, "You're ", 2, 1250, "USD", 0, " away"]`, see [`TEXT`]), where
//!   `formatPieces(pieces, locale)` (`js/template.js`) formats numbers with
//!   `Intl.NumberFormat` and picks plurals with `Intl.PluralRules`. No number is ever formatted
//!   in Rust.
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
#[cfg(feature = "compiler")]
pub use known::KNOWN_PATHS;

/// Kind of a text piece: `0, text`, shown as it is.
pub const TEXT: u8 = 0;
/// Kind of a number piece: `1, number`, shown with `Intl.NumberFormat(locale)`. Always finite,
/// never `-0`.
pub const NUMBER: u8 = 1;
/// Kind of a money piece: `2, minor units, currency code` (three ASCII letters, any case),
/// shown with `Intl.NumberFormat(locale, {style: "currency", currency})` after dividing by
/// 10^(the currency's ISO 4217 minor digits).
pub const MONEY: u8 = 2;
/// Kind of a plural piece: `3, number, singular, plural`: the singular word when
/// `Intl.PluralRules(locale)` selects `one` for the number, else the plural word.
pub const PLURAL: u8 = 3;

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
/// Longest string value shown, in bytes; a longer one is cut at a char boundary.
pub const MAX_VALUE_BYTES: usize = 256;

/// A compiled text with placeholders: literal texts and placeholders, in order (never two
/// texts in a row).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

// What a part is (`Part::kind`; not the kinds of pieces above).
/// Literal text.
const LITERAL: u8 = 0;
/// A placeholder without a format: a string as it is, a number as a number.
const PLAIN: u8 = 1;
/// `| number`.
#[cfg(feature = "compiler")]
const NUMBERED: u8 = 2;
/// `| money`, `| money: 'EUR'`.
const MONEYED: u8 = 3;
/// `| plural: 'item', 'items'`.
const PLURALIZED: u8 = 4;
/// Added to a placeholder's kind when its value is `below - path`, clamped at 0.
const RELATIVE: u8 = 8;

/// A literal text or one placeholder, flat: one shape for every kind, its texts and names in
/// lists of strings, keeps the module's reader and filler small (no nested enums to build,
/// match and drop; lists of strings are read by code the module has anyway).
#[derive(Clone, Debug, Default, PartialEq)]
struct Part {
    /// [`LITERAL`], or a placeholder: [`PLAIN`] (a string as it is, a number as a number),
    /// [`NUMBERED`], [`MONEYED`] or [`PLURALIZED`], plus [`RELATIVE`] for `below - path`.
    kind: u8,
    /// The number a relative amount is taken from.
    below: u64,
    /// `[text, other, path]`, then the `else` text if there is one (see the accessors); a
    /// literal has only its text.
    texts: Vec<String>,
    /// The names of the value's path (`["cart", "value"]`; none for a literal). Money without
    /// a code reads the currency beside the amount: the same path with `currency` as its last
    /// name.
    names: Vec<String>,
}

/// Text `i` of `texts`, `""` when there is none (one function for every field: the module
/// carries one copy).
fn field(texts: &[String], i: usize) -> &str {
    texts.get(i).map_or("", String::as_str)
}

impl Part {
    /// The literal text; the singular word; the currency code (`""`: the currency beside the
    /// amount, the second path).
    #[inline(always)]
    fn text(&self) -> &str {
        field(&self.texts, 0)
    }

    /// The plural word; for money in the currency beside the amount, that currency's path
    /// (`cart.currency`).
    #[inline(always)]
    fn other(&self) -> &str {
        field(&self.texts, 1)
    }

    /// The value's path as written (`cart.value`; the names are in `names`).
    #[inline(always)]
    fn path(&self) -> &str {
        field(&self.texts, 2)
    }

    /// The `else` text.
    fn fallback(&self) -> Option<&str> {
        self.texts.get(3).map(String::as_str)
    }
}

impl Template {
    /// Every attribute path the template reads, once each, in the order they appear (a `money`
    /// placeholder without a code reads the currency beside the amount too:
    /// `cart.value | money` reads `cart.value` and `cart.currency`). A template needs filling
    /// again only when the value at one of these paths changed.
    pub fn paths(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for part in self.parts.iter().filter(|p| p.kind != LITERAL) {
            let beside = part.kind & !RELATIVE == MONEYED && part.text().is_empty();
            for path in [Some(part.path()), beside.then(|| part.other())]
                .into_iter()
                .flatten()
            {
                if !out.contains(&path) {
                    out.push(path);
                }
            }
        }
        out
    }

    /// Whether it fills whatever the attributes hold: every placeholder has an `else`.
    #[cfg(feature = "compiler")]
    pub fn always_fills(&self) -> bool {
        self.parts
            .iter()
            .all(|p| p.kind == LITERAL || p.fallback().is_some())
    }

    /// The text when it has no placeholder (nothing to fill: the block shows it as it is).
    pub fn as_static(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [p] if p.kind == LITERAL => Some(p.text()),
            _ => None,
        }
    }
}
