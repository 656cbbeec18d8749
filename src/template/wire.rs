//! Templates in the program format (see [`crate::wire`]).
//!
//! A template is its parts, each written whole, flat: its kind (a byte), the number of a relative
//! amount, its texts (`[text, other, path]`, then the `else` text if any) and the names of its
//! path.
//!
//! Reading refuses unknown kinds and bounds the work of a fill: at most [`MAX_PLACEHOLDERS`]
//! placeholders and one text before, between and after them. Nothing else needs checking,
//! because filling relies on nothing else: a path of any length is walked name by name (no
//! recursion), any number converts to a finite `f64`, a currency code is checked as it is
//! filled (a code from the attributes must be checked then anyway), and the texts a fill
//! copies are the program's own (bounded by its size; `formatPieces` bounds what is shown).

use super::{Part, Template, LITERAL, MAX_PLACEHOLDERS, PLURALIZED, RELATIVE};
#[cfg(feature = "compiler")]
use crate::wire::Writer;
use crate::wire::{Reader, Wire};

impl Wire for Template {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.u(self.parts.len() as u64);
        for p in &self.parts {
            w.tag(p.kind);
            p.below.put(w);
            p.texts.put(w);
            p.names.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let mut slots = 0;
        let parts = r.seq(|r| {
            let kind = r.tag();
            let p = Part {
                kind,
                below: u64::get(r),
                texts: Vec::get(r),
                names: Vec::get(r),
            };
            let base = kind & !RELATIVE;
            slots += usize::from(kind != LITERAL);
            r.check(base <= PLURALIZED && (kind == base || base != LITERAL));
            p
        });
        // The compiler writes a text between placeholders at most.
        r.check(slots <= MAX_PLACEHOLDERS && parts.len() <= 2 * slots + 1);
        Template { parts }
    }
}
