//! JavaScript `String.prototype.toLowerCase`, for `$ini`, `$nini` and `$alli`.
//!
//! In the browser the module asks JavaScript itself for any text that is not ASCII (exact by
//! definition, and about 1 KB brotli less: no table in what a shopper downloads; see
//! `src/web/case.rs`). Natively (the CLI, the tests, the fuzzers) it is done here:
//!
//! `str::to_lowercase` would be exact but links Rust's Unicode case tables (~13 KB measured for
//! the uppercase direction) into every shopper's download. JS `toLowerCase` is the Unicode
//! default full lowercase mapping: the simple mapping of every code point ([`RUNS`], ~2 KB,
//! generated from and unit-tested against `char::to_lowercase` over all code points), plus
//! the two special cases that are not one-to-one:
//!
//! * `İ` (U+0130) becomes `i` + U+0307 (unconditional, as in JS);
//! * `Σ` (U+03A3) becomes final `ς` at the end of a word (Unicode's `Final_Sigma`). Its exact
//!   condition needs the `Cased` and `Case_Ignorable` tables; here "cased" is "has a case
//!   mapping in either direction" and "case-ignorable" is a short list of apostrophes, periods,
//!   combining and modifier marks, which decides every ordinary Greek word the same way.

#[cfg(not(target_arch = "wasm32"))]
/// `(first, (len - 1) << 1 | alternating, delta)`: code points `first`, `first + step`, ...
/// (`step` 2 when alternating, as in Latin Extended-A's upper/lower pairs, else 1) lowercase to
/// `c + delta` (wrapping). Sorted by `first`, non-overlapping; `İ` is handled separately.
#[rustfmt::skip]
const RUNS: [(u32, u16, u32); 185] = [
    (0x0041, 50, 0x20), (0x00C0, 44, 0x20), (0x00D8, 12, 0x20), (0x0100, 47, 0x1),
    (0x0132, 5, 0x1), (0x0139, 15, 0x1), (0x014A, 45, 0x1), (0x0178, 0, 0xFFFFFF87),
    (0x0179, 5, 0x1), (0x0181, 0, 0xD2), (0x0182, 3, 0x1), (0x0186, 0, 0xCE), (0x0187, 0, 0x1),
    (0x0189, 2, 0xCD), (0x018B, 0, 0x1), (0x018E, 0, 0x4F), (0x018F, 0, 0xCA), (0x0190, 0, 0xCB),
    (0x0191, 0, 0x1), (0x0193, 0, 0xCD), (0x0194, 0, 0xCF), (0x0196, 0, 0xD3), (0x0197, 0, 0xD1),
    (0x0198, 0, 0x1), (0x019C, 0, 0xD3), (0x019D, 0, 0xD5), (0x019F, 0, 0xD6), (0x01A0, 5, 0x1),
    (0x01A6, 0, 0xDA), (0x01A7, 0, 0x1), (0x01A9, 0, 0xDA), (0x01AC, 0, 0x1), (0x01AE, 0, 0xDA),
    (0x01AF, 0, 0x1), (0x01B1, 2, 0xD9), (0x01B3, 3, 0x1), (0x01B7, 0, 0xDB), (0x01B8, 0, 0x1),
    (0x01BC, 0, 0x1), (0x01C4, 0, 0x2), (0x01C5, 0, 0x1), (0x01C7, 0, 0x2), (0x01C8, 0, 0x1),
    (0x01CA, 0, 0x2), (0x01CB, 17, 0x1), (0x01DE, 17, 0x1), (0x01F1, 0, 0x2), (0x01F2, 3, 0x1),
    (0x01F6, 0, 0xFFFFFF9F), (0x01F7, 0, 0xFFFFFFC8), (0x01F8, 39, 0x1), (0x0220, 0, 0xFFFFFF7E),
    (0x0222, 17, 0x1), (0x023A, 0, 0x2A2B), (0x023B, 0, 0x1), (0x023D, 0, 0xFFFFFF5D),
    (0x023E, 0, 0x2A28), (0x0241, 0, 0x1), (0x0243, 0, 0xFFFFFF3D), (0x0244, 0, 0x45),
    (0x0245, 0, 0x47), (0x0246, 9, 0x1), (0x0370, 3, 0x1), (0x0376, 0, 0x1), (0x037F, 0, 0x74),
    (0x0386, 0, 0x26), (0x0388, 4, 0x25), (0x038C, 0, 0x40), (0x038E, 2, 0x3F), (0x0391, 32, 0x20),
    (0x03A3, 16, 0x20), (0x03CF, 0, 0x8), (0x03D8, 23, 0x1), (0x03F4, 0, 0xFFFFFFC4),
    (0x03F7, 0, 0x1), (0x03F9, 0, 0xFFFFFFF9), (0x03FA, 0, 0x1), (0x03FD, 4, 0xFFFFFF7E),
    (0x0400, 30, 0x50), (0x0410, 62, 0x20), (0x0460, 33, 0x1), (0x048A, 53, 0x1), (0x04C0, 0, 0xF),
    (0x04C1, 13, 0x1), (0x04D0, 95, 0x1), (0x0531, 74, 0x30), (0x10A0, 74, 0x1C60),
    (0x10C7, 0, 0x1C60), (0x10CD, 0, 0x1C60), (0x13A0, 158, 0x97D0), (0x13F0, 10, 0x8),
    (0x1C89, 0, 0x1), (0x1C90, 84, 0xFFFFF440), (0x1CBD, 4, 0xFFFFF440), (0x1E00, 149, 0x1),
    (0x1E9E, 0, 0xFFFFE241), (0x1EA0, 95, 0x1), (0x1F08, 14, 0xFFFFFFF8), (0x1F18, 10, 0xFFFFFFF8),
    (0x1F28, 14, 0xFFFFFFF8), (0x1F38, 14, 0xFFFFFFF8), (0x1F48, 10, 0xFFFFFFF8),
    (0x1F59, 7, 0xFFFFFFF8), (0x1F68, 14, 0xFFFFFFF8), (0x1F88, 14, 0xFFFFFFF8),
    (0x1F98, 14, 0xFFFFFFF8), (0x1FA8, 14, 0xFFFFFFF8), (0x1FB8, 2, 0xFFFFFFF8),
    (0x1FBA, 2, 0xFFFFFFB6), (0x1FBC, 0, 0xFFFFFFF7), (0x1FC8, 6, 0xFFFFFFAA),
    (0x1FCC, 0, 0xFFFFFFF7), (0x1FD8, 2, 0xFFFFFFF8), (0x1FDA, 2, 0xFFFFFF9C),
    (0x1FE8, 2, 0xFFFFFFF8), (0x1FEA, 2, 0xFFFFFF90), (0x1FEC, 0, 0xFFFFFFF9),
    (0x1FF8, 2, 0xFFFFFF80), (0x1FFA, 2, 0xFFFFFF82), (0x1FFC, 0, 0xFFFFFFF7),
    (0x2126, 0, 0xFFFFE2A3), (0x212A, 0, 0xFFFFDF41), (0x212B, 0, 0xFFFFDFBA), (0x2132, 0, 0x1C),
    (0x2160, 30, 0x10), (0x2183, 0, 0x1), (0x24B6, 50, 0x1A), (0x2C00, 94, 0x30), (0x2C60, 0, 0x1),
    (0x2C62, 0, 0xFFFFD609), (0x2C63, 0, 0xFFFFF11A), (0x2C64, 0, 0xFFFFD619), (0x2C67, 5, 0x1),
    (0x2C6D, 0, 0xFFFFD5E4), (0x2C6E, 0, 0xFFFFD603), (0x2C6F, 0, 0xFFFFD5E1),
    (0x2C70, 0, 0xFFFFD5E2), (0x2C72, 0, 0x1), (0x2C75, 0, 0x1), (0x2C7E, 2, 0xFFFFD5C1),
    (0x2C80, 99, 0x1), (0x2CEB, 3, 0x1), (0x2CF2, 0, 0x1), (0xA640, 45, 0x1), (0xA680, 27, 0x1),
    (0xA722, 13, 0x1), (0xA732, 61, 0x1), (0xA779, 3, 0x1), (0xA77D, 0, 0xFFFF75FC),
    (0xA77E, 9, 0x1), (0xA78B, 0, 0x1), (0xA78D, 0, 0xFFFF5AD8), (0xA790, 3, 0x1),
    (0xA796, 19, 0x1), (0xA7AA, 0, 0xFFFF5ABC), (0xA7AB, 0, 0xFFFF5AB1), (0xA7AC, 0, 0xFFFF5AB5),
    (0xA7AD, 0, 0xFFFF5ABF), (0xA7AE, 0, 0xFFFF5ABC), (0xA7B0, 0, 0xFFFF5AEE),
    (0xA7B1, 0, 0xFFFF5AD6), (0xA7B2, 0, 0xFFFF5AEB), (0xA7B3, 0, 0x3A0), (0xA7B4, 15, 0x1),
    (0xA7C4, 0, 0xFFFFFFD0), (0xA7C5, 0, 0xFFFF5ABD), (0xA7C6, 0, 0xFFFF75C8), (0xA7C7, 3, 0x1),
    (0xA7CB, 0, 0xFFFF5A99), (0xA7CC, 15, 0x1), (0xA7DC, 0, 0xFFFF59BF), (0xA7F5, 0, 0x1),
    (0xFF21, 50, 0x20), (0x10400, 78, 0x28), (0x104B0, 70, 0x28), (0x10570, 20, 0x27),
    (0x1057C, 28, 0x27), (0x1058C, 12, 0x27), (0x10594, 2, 0x27), (0x10C80, 100, 0x40),
    (0x10D50, 42, 0x20), (0x118A0, 62, 0x20), (0x16E40, 62, 0x20), (0x16EA0, 48, 0x1B),
    (0x1E900, 66, 0x22),
];

#[cfg(not(target_arch = "wasm32"))]
/// The simple lowercase of `c` (`c` itself when it has none).
fn simple_lower(c: char) -> char {
    let cp = c as u32;
    let at = RUNS.partition_point(|&(first, _, _)| first <= cp);
    let Some(&(first, packed, delta)) = at.checked_sub(1).and_then(|i| RUNS.get(i)) else {
        return c;
    };
    let step = if packed & 1 == 1 { 2 } else { 1 };
    let offset = cp - first;
    if offset % step == 0 && offset / step <= u32::from(packed >> 1) {
        char::from_u32(cp.wrapping_add(delta)).unwrap_or(c)
    } else {
        c
    }
}

#[cfg(not(target_arch = "wasm32"))]
/// Whether some code point lowercases to `c` (linear: only asked around a capital sigma).
fn is_lower_image(c: char) -> bool {
    let cp = c as u32;
    RUNS.iter().any(|&(first, packed, delta)| {
        let src = cp.wrapping_sub(delta);
        let step = if packed & 1 == 1 { 2 } else { 1 };
        src >= first && (src - first) % step == 0 && (src - first) / step <= u32::from(packed >> 1)
    })
}

#[cfg(not(target_arch = "wasm32"))]
/// Approximates Unicode `Cased`: letters with a case mapping in either direction.
fn is_cased(c: char) -> bool {
    c.is_ascii_alphabetic() || simple_lower(c) != c || c == '\u{130}' || is_lower_image(c)
}

#[cfg(not(target_arch = "wasm32"))]
/// Approximates Unicode `Case_Ignorable`: what may sit inside a word without ending it.
fn is_case_ignorable(c: char) -> bool {
    matches!(c,
        '\'' | '.' | ':' | '^' | '`' | '\u{A8}' | '\u{AD}' | '\u{AF}' | '\u{B4}' | '\u{B7}'
        | '\u{B8}' | '\u{2B0}'..='\u{36F}' | '\u{374}' | '\u{375}' | '\u{37A}' | '\u{384}'
        | '\u{385}' | '\u{387}' | '\u{483}'..='\u{489}' | '\u{200B}'..='\u{200F}'
        | '\u{2018}' | '\u{2019}' | '\u{2024}' | '\u{2027}')
}

#[cfg(not(target_arch = "wasm32"))]
/// Whether the `Σ` between `before` and `after` ends a word (Unicode `Final_Sigma`).
fn is_final_sigma(before: &str, after: &str) -> bool {
    let mut back = before.chars().rev().filter(|&c| !is_case_ignorable(c));
    let mut ahead = after.chars().filter(|&c| !is_case_ignorable(c));
    back.next().is_some_and(is_cased) && !ahead.next().is_some_and(is_cased)
}

/// Appends JS `s.toLowerCase()`.
pub(crate) fn push_lower(out: &mut String, s: &str) {
    if s.is_ascii() {
        for b in s.bytes() {
            out.push(char::from(b.to_ascii_lowercase()));
        }
        return;
    }
    #[cfg(target_arch = "wasm32")]
    out.push_str(&crate::web::case::to_lower_case(s));
    #[cfg(not(target_arch = "wasm32"))]
    for (i, c) in s.char_indices() {
        match c {
            '\u{130}' => out.push_str("i\u{307}"),
            '\u{3A3}' => {
                let before = s.get(..i).unwrap_or("");
                let after = s.get(i + c.len_utf8()..).unwrap_or("");
                out.push(if is_final_sigma(before, after) {
                    '\u{3C2}'
                } else {
                    '\u{3C3}'
                });
            }
            c => out.push(simple_lower(c)),
        }
    }
}

/// JS `s.toLowerCase()`.
pub(crate) fn to_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_lower(&mut out, s);
    out
}

/// `a.toLowerCase() === lower`, where `lower` is already lowercased; ASCII without allocating.
pub(crate) fn lower_eq(a: &str, lower: &str) -> bool {
    if a.is_ascii() {
        return a.len() == lower.len()
            && a.bytes()
                .zip(lower.bytes())
                .all(|(x, y)| x.to_ascii_lowercase() == y);
    }
    to_lower(a) == lower
}

#[cfg(all(test, feature = "compiler", not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn table_matches_std_for_every_code_point() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if c == '\u{130}' {
                continue;
            }
            let mut std = c.to_lowercase();
            let want = std.next().unwrap_or(c);
            assert!(std.next().is_none(), "{c:?} has a multi-char mapping");
            assert_eq!(simple_lower(c), want, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn javascript_to_lower_case() {
        assert_eq!(to_lower("HeLLo"), "hello");
        assert_eq!(to_lower("ÄÖÜ STRASSE ß"), "äöü strasse ß");
        assert_eq!(to_lower("İstanbul"), "i\u{307}stanbul");
        // Final sigma (U+03C2) at the end of a word, medial sigma (U+03C3) elsewhere.
        assert_eq!(to_lower("ΟΔΟΣ"), "οδο\u{3C2}");
        assert_eq!(to_lower("ΟΔΟΣ ΣΟΦΙΑΣ."), "οδο\u{3C2} \u{3C3}οφια\u{3C2}.");
        assert_eq!(to_lower("Σ"), "σ", "a lone sigma is not final");
        assert_eq!(
            to_lower("ΑΣ'Α"),
            "α\u{3C3}'α",
            "an apostrophe does not end the word"
        );
        assert_eq!(to_lower("МОСКВА"), "москва");
        assert_eq!(to_lower("\u{10400}"), "\u{10428}");
        assert!(lower_eq("US", "us"));
        assert!(!lower_eq("USA", "us"));
        assert!(lower_eq("ÉTÉ", "été"));
    }
}
