//! Templates in the program format (see [`crate::wire`]).
//!
//! A template is its parts: tag 0 and a string (literal text), or tag 1 and a placeholder:
//! its source (tag 0 and a path, or tag 1, a threshold and a path), its format (tag 0 plain,
//! 1 number, 2 money and a currency: tag 0 and a code or tag 1 and a path, 3 plural and two
//! words) and its `else` (an option of a string). A path is written as its dotted text.
//!
//! Reading re-checks what the compiler guaranteed and bounds what filling produces: at most
//! [`MAX_PLACEHOLDERS`] placeholders and one text before, between and after them,
//! [`MAX_TEXT_BYTES`] of text in all (literals, words,
//! `else` texts), thresholds up to [`MAX_THRESHOLD`], paths of at most [`MAX_PATH_NAMES`]
//! names, currency codes of three ASCII letters.

use super::fill::is_currency;
use super::{
    Currency, Format, Part, Slot, Source, Template, ValuePath, MAX_PATH_NAMES, MAX_PLACEHOLDERS,
    MAX_TEXT_BYTES, MAX_THRESHOLD,
};
#[cfg(feature = "compiler")]
use crate::wire::Writer;
use crate::wire::{Reader, Wire};

impl Wire for ValuePath {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.as_str().to_owned().put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let path = ValuePath::new(String::get(r));
        r.check(path.len() <= MAX_PATH_NAMES);
        path
    }
}

impl Wire for Template {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.u(self.parts.len() as u64);
        for part in &self.parts {
            match part {
                Part::Text(t) => {
                    w.tag(0);
                    t.put(w);
                }
                Part::Slot(s) => {
                    w.tag(1);
                    s.put(w);
                }
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let parts = r.seq(|r| match r.tag() {
            0 => Part::Text(String::get(r)),
            t => {
                r.check(t == 1);
                Part::Slot(Slot::get(r))
            }
        });
        let mut slots = 0;
        let mut text = 0;
        for part in &parts {
            match part {
                Part::Text(t) => text += t.len(),
                Part::Slot(s) => {
                    slots += 1;
                    text += s.fallback.as_ref().map_or(0, String::len);
                    if let Format::Plural(one, other) = &s.format {
                        text += one.len() + other.len();
                    }
                }
            }
        }
        // The compiler writes a text between placeholders at most.
        r.check(
            slots <= MAX_PLACEHOLDERS && parts.len() <= 2 * slots + 1 && text <= MAX_TEXT_BYTES,
        );
        Template { parts }
    }
}

impl Wire for Slot {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        match &self.source {
            Source::Path(p) => {
                w.tag(0);
                p.put(w);
            }
            Source::Below(t, p) => {
                w.tag(1);
                t.put(w);
                p.put(w);
            }
        }
        match &self.format {
            Format::Plain => w.tag(0),
            Format::Number => w.tag(1),
            Format::Money(Currency::Code(c)) => {
                w.tag(2);
                w.tag(0);
                c.put(w);
            }
            Format::Money(Currency::At(p)) => {
                w.tag(2);
                w.tag(1);
                p.put(w);
            }
            Format::Plural(one, other) => {
                w.tag(3);
                one.put(w);
                other.put(w);
            }
        }
        self.fallback.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let source = match r.tag() {
            0 => Source::Path(ValuePath::get(r)),
            t => {
                r.check(t == 1);
                let threshold = u64::get(r);
                r.check(threshold <= MAX_THRESHOLD);
                Source::Below(threshold, ValuePath::get(r))
            }
        };
        let format = match r.tag() {
            0 => Format::Plain,
            1 => Format::Number,
            2 => Format::Money(match r.tag() {
                0 => {
                    let code = String::get(r);
                    r.check(is_currency(&code));
                    Currency::Code(code)
                }
                t => {
                    r.check(t == 1);
                    Currency::At(ValuePath::get(r))
                }
            }),
            t => {
                r.check(t == 3);
                let one = String::get(r);
                Format::Plural(one, String::get(r))
            }
        };
        Slot {
            source,
            format,
            fallback: Option::get(r),
        }
    }
}
