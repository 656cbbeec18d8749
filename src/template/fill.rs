//! Filling a template: the attributes in, the flat pieces JavaScript formats out.

use super::path::{currency, find, Leaf};
use super::{
    Part, Template, LITERAL, MAX_VALUE_BYTES, MONEY, MONEYED, NUMBER, PLAIN, PLURAL, PLURALIZED,
    RELATIVE, TEXT,
};
use crate::value::Value;

impl Template {
    /// Fills the placeholders from `attributes` (the object rules read: `page`, `visitor`,
    /// `cart`, ..., `traits`): the pieces, as one flat array of kinds and their fields
    /// (`[0, "You're ", 2, 1250, "USD", 0, " away"]`; kinds [`TEXT`], [`NUMBER`], [`MONEY`],
    /// [`PLURAL`]) for `formatPieces` (`js/template.js`). `None` when a value is missing and
    /// its placeholder has no `else`: the text cannot be shown (see the module docs).
    pub fn fill(&self, attributes: &Value) -> Option<Value> {
        let mut out = Vec::new();
        for part in &self.parts {
            if !part.fill(attributes, &mut out) {
                push(&mut out, TEXT, None, &[part.fallback()?]);
            }
        }
        Some(Value::Array(out))
    }
}

/// Pushes one piece: its kind, its number if it has one, its texts.
#[inline(never)]
fn push(out: &mut Vec<Value>, kind: u8, number: Option<f64>, texts: &[&str]) {
    out.push(Value::Number(f64::from(kind)));
    if let Some(n) = number {
        // `+ 0.0` turns `-0` (which would show as "-0") into `0`.
        out.push(Value::Number(n + 0.0));
    }
    for t in texts {
        out.push(Value::String((*t).to_owned()));
    }
}

impl Part {
    /// Pushes this part's pieces; false (nothing pushed) when its value is missing.
    fn fill(&self, attributes: &Value, out: &mut Vec<Value>) -> bool {
        let (kind, text, other) = (self.kind & !RELATIVE, self.text(), self.other());
        if kind == LITERAL {
            push(out, TEXT, None, &[text]);
            return true;
        }
        let n = match find(&self.names, attributes) {
            None => return false,
            // Quoted text is literal text, so a string here is an attribute's: shown only as
            // itself (never as a number, so not relative), and not when it is blank; cut at
            // a char boundary.
            Some(Leaf::Str(s)) => {
                if self.kind != PLAIN || s.trim_ascii().is_empty() {
                    return false;
                }
                let mut cut = s.len().min(MAX_VALUE_BYTES);
                while !s.is_char_boundary(cut) {
                    cut -= 1;
                }
                push(out, TEXT, None, &[s.get(..cut).unwrap_or("")]);
                return true;
            }
            Some(Leaf::Num(n)) => n,
        };
        let n = if self.kind & RELATIVE == 0 {
            n
        } else {
            // Clamped at 0 (`d > 0.0` is false for NaN too).
            let d = self.below as f64 - n;
            if d > 0.0 {
                d
            } else {
                0.0
            }
        };
        if !n.is_finite() {
            return false;
        }
        match kind {
            PLURALIZED => push(out, PLURAL, Some(n), &[text, other]),
            MONEYED => {
                let code = match text {
                    "" => match currency(&self.names, attributes) {
                        Some(code) => code,
                        None => return false,
                    },
                    code => code,
                };
                if !is_currency(code) {
                    return false;
                }
                push(out, MONEY, Some(n), &[code]);
            }
            _ => push(out, NUMBER, Some(n), &[]),
        }
        true
    }
}

/// Whether `code` is well-formed for `Intl.NumberFormat`'s `currency`: three ASCII letters.
pub(super) fn is_currency(code: &str) -> bool {
    let mut letters = code.len() == 3;
    for b in code.bytes() {
        letters &= b.is_ascii_alphabetic();
    }
    letters
}
