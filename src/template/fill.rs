//! Filling a template: the attributes in, the pieces JavaScript formats out.

use super::path::Leaf;
use super::{Currency, Format, Part, Slot, Source, Template, MAX_VALUE_BYTES};
use crate::value::Value;

/// Kind of a text piece in the flat form: `0, text`.
pub const TEXT: u8 = 0;
/// Kind of a number piece in the flat form: `1, number`.
pub const NUMBER: u8 = 1;
/// Kind of a money piece in the flat form: `2, minor units, currency code`.
pub const MONEY: u8 = 2;
/// Kind of a plural piece in the flat form: `3, number, singular word, plural word`.
pub const PLURAL: u8 = 3;

/// One piece of a filled template. Nothing here is formatted yet: numbers stay numbers, for
/// `formatPieces` (`js/template.js`) to format in the page's locale.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece<'a> {
    /// Text shown as it is: the template's own text, a string value, an `else` text.
    Text(&'a str),
    /// A number (`Intl.NumberFormat(locale)`); always finite, never `-0`.
    Number(f64),
    /// An amount in minor units and its currency code (three ASCII letters, any case), shown
    /// with `Intl.NumberFormat(locale, {style: "currency", currency})` after dividing by
    /// 10^(the currency's ISO 4217 minor digits).
    Money(f64, &'a str),
    /// A number and two words: the first when `Intl.PluralRules(locale)` says `one`.
    Plural(f64, &'a str, &'a str),
}

/// A filled template.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filled<'a> {
    /// The pieces, in order.
    pub pieces: Vec<Piece<'a>>,
}

impl Filled<'_> {
    /// The flat form that crosses to JavaScript in one call: one array of kinds and their
    /// fields, `[0, "You're ", 2, 1250, "USD", 0, " away", 3, 2, "item", "items"]` (kinds
    /// [`TEXT`], [`NUMBER`], [`MONEY`], [`PLURAL`]). `formatPieces(pieces, locale)` in
    /// `js/template.js` reads it.
    pub fn to_value(&self) -> Value {
        let mut out = Vec::with_capacity(self.pieces.len() * 3);
        let num = |n: f64| Value::Number(n);
        let text = |s: &str| Value::String(s.to_owned());
        for piece in &self.pieces {
            match *piece {
                Piece::Text(s) => out.extend([num(0.0), text(s)]),
                Piece::Number(n) => out.extend([num(1.0), num(n)]),
                Piece::Money(n, c) => out.extend([num(2.0), num(n), text(c)]),
                Piece::Plural(n, one, other) => {
                    out.extend([num(3.0), num(n), text(one), text(other)]);
                }
            }
        }
        Value::Array(out)
    }
}

impl Template {
    /// Fills the placeholders from `attributes` (the object rules read: `page`, `visitor`,
    /// `cart`, ..., `traits`). `None` when a value is missing and its placeholder has no
    /// `else`: the text cannot be shown (see the module docs).
    pub fn fill<'a>(&'a self, attributes: &'a Value) -> Option<Filled<'a>> {
        let mut pieces = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            match part {
                Part::Text(t) => pieces.push(Piece::Text(t)),
                Part::Slot(slot) => match slot.piece(attributes) {
                    Some(Piece::Text(s)) if s.len() > MAX_VALUE_BYTES => {
                        let mut cut = MAX_VALUE_BYTES;
                        while !s.is_char_boundary(cut) {
                            cut -= 1;
                        }
                        pieces.push(Piece::Text(s.get(..cut).unwrap_or("")));
                        pieces.push(Piece::Text("…"));
                    }
                    Some(p) => pieces.push(p),
                    None => pieces.push(Piece::Text(slot.fallback.as_deref()?)),
                },
            }
        }
        Some(Filled { pieces })
    }
}

impl Slot {
    /// This placeholder's piece, `None` when its value is missing.
    fn piece<'a>(&'a self, attributes: &'a Value) -> Option<Piece<'a>> {
        let (leaf, threshold) = match &self.source {
            Source::Path(p) => (p.find(attributes)?, None),
            Source::Below(t, p) => (p.find(attributes)?, Some(*t)),
        };
        let n = match leaf {
            // Quoted text is literal text, so a string here is an attribute's: shown only
            // as itself, never as a number, and not when it is blank.
            Leaf::Str(s) => {
                let blank = s.bytes().all(|b| b.is_ascii_whitespace());
                return (self.format == Format::Plain && threshold.is_none() && !blank)
                    .then_some(Piece::Text(s));
            }
            Leaf::Num(n) => n,
        };
        let n = match threshold {
            // Clamped at 0; `x > 0.0` is false for NaN too.
            Some(t) => {
                let d = t as f64 - n;
                if d > 0.0 {
                    d
                } else {
                    0.0
                }
            }
            None => n,
        };
        if !n.is_finite() {
            return None;
        }
        // `-0` would show as "-0".
        let n = n + 0.0;
        Some(match &self.format {
            Format::Plain | Format::Number => Piece::Number(n),
            Format::Plural(one, other) => Piece::Plural(n, one, other),
            Format::Money(currency) => {
                let code = match currency {
                    Currency::Code(c) => c.as_str(),
                    Currency::At(p) => match p.find(attributes)? {
                        Leaf::Str(s) => s,
                        Leaf::Num(_) => return None,
                    },
                };
                if !is_currency(code) {
                    return None;
                }
                Piece::Money(n, code)
            }
        })
    }
}

/// Whether `code` is well-formed for `Intl.NumberFormat`'s `currency`: three ASCII letters.
pub(super) fn is_currency(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic())
}
