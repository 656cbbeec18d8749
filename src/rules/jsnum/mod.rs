//! JavaScript's number <-> string conversions, exact, in integer arithmetic.
//!
//! GrowthBook's conditions lean on JavaScript coercions: `"8" > 5` reads the string as a
//! number, `{"price": "49.99"}` compares `String(49.99)` with the text. The browser module must
//! not link Rust's float formatting (~9 KB) or `str::parse::<f64>`'s tables, so both directions
//! are done here with a small fixed-size big integer. Nothing here is rule-specific; the JSON
//! writer could use [`number_to_string`] instead of a host formatter.

mod big;
mod format;
mod parse;

pub(crate) use format::{number_to_string, NumText};
pub(crate) use parse::string_to_number;
