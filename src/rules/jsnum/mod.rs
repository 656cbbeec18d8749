//! JavaScript's number <-> string conversions.
//!
//! GrowthBook's conditions lean on JavaScript coercions: `"8" > 5` reads the string as a
//! number, `{"price": "49.99"}` compares `String(49.99)` with the text. Natively (the CLI, the
//! tests, the fuzzers) both directions are done exactly here, in integer arithmetic with a small
//! fixed-size big integer (`big.rs`, `format.rs`, `parse.rs`). In the browser the module asks
//! JavaScript itself, which is exact by definition and keeps about 3 KB brotli of conversion
//! code out of what a shopper downloads (see `src/web/jsnum.rs`); integers, the common case,
//! are printed here without crossing. The conformance suite runs against both.

#[cfg(not(target_arch = "wasm32"))]
mod big;
#[cfg(not(target_arch = "wasm32"))]
mod format;
#[cfg(not(target_arch = "wasm32"))]
mod parse;

#[cfg(target_arch = "wasm32")]
pub(crate) use crate::web::jsnum::{number_to_string, string_to_number};
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use format::number_to_string;
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use parse::string_to_number;

/// A number's JS text, on the stack (the longest is 25 bytes: `-0.0000012345678901234567`).
pub(crate) struct NumText {
    buf: [u8; 32],
    len: usize,
}

impl NumText {
    pub(crate) fn new() -> Self {
        NumText {
            buf: [0; 32],
            len: 0,
        }
    }

    /// Appends one ASCII byte (ignored past the buffer, which no number text reaches).
    pub(crate) fn push(&mut self, b: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
    }

    /// Appends ASCII bytes.
    #[cfg(not(target_arch = "wasm32"))]
    pub(crate) fn push_all(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.push(b);
        }
    }

    /// The text.
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII is ever pushed.
        core::str::from_utf8(self.buf.get(..self.len).unwrap_or(&[])).unwrap_or("")
    }

    /// `String(v)` of an integer `v` below 2^53 in magnitude: digits, no crossing, no floats.
    pub(crate) fn integer(negative: bool, mut v: u64) -> Self {
        let mut out = NumText::new();
        if negative && v != 0 {
            out.push(b'-');
        }
        let mut digits = [0u8; 20];
        let mut n = 0;
        loop {
            if let Some(d) = digits.get_mut(n) {
                *d = b'0' + (v % 10) as u8;
            }
            n += 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        for i in (0..n).rev() {
            out.push(digits.get(i).copied().unwrap_or(b'0'));
        }
        out
    }
}
