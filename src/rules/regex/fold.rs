//! Case-insensitive matching: ECMAScript's `Canonicalize` for the non-unicode `i` flag.
//!
//! JS (ES2024 §22.2.2.7.3, `rer.[[IgnoreCase]]` without `u`/`v`) compares two characters by
//! mapping each to `toUppercase` of it, *unless* that uppercase is more than one UTF-16 code unit
//! (`ß` → `SS` keeps `ß`) or it would map a non-ASCII character into ASCII (`ſ` → `S` and
//! `ı` → `I` keep themselves, so `/s/i` never matches `ſ`). Characters outside the BMP are two
//! surrogates to JS and never fold.
//!
//! `char::to_uppercase` would give the same answers but links ~13 KB of tables into the browser
//! module (measured); [`RUNS`] is the same simple-uppercase mapping for the BMP, pre-filtered by
//! the two JS rules above and run-length encoded (~1 KB). A unit test checks it against
//! `char::to_uppercase` over all 65 536 code points, so a Rust Unicode update that changes a
//! mapping fails the test and prints the new table.

/// `(first, len << 1 | alternating, delta)`: code points `first ..= first + len` (every other one
/// when `alternating`, as in the upper/lower pairs of Latin Extended-A) canonicalize to
/// `(c + delta) mod 0x10000`. Sorted by `first`, non-overlapping.
#[rustfmt::skip]
const RUNS: [(u16, u16, u16); 184] = [
    (0x0061, 50, 0xFFE0), (0x00B5, 0, 0x02E7), (0x00E0, 44, 0xFFE0), (0x00F8, 12, 0xFFE0),
    (0x00FF, 0, 0x0079), (0x0101, 93, 0xFFFF), (0x0133, 9, 0xFFFF), (0x013A, 29, 0xFFFF),
    (0x014B, 89, 0xFFFF), (0x017A, 9, 0xFFFF), (0x0180, 0, 0x00C3), (0x0183, 5, 0xFFFF),
    (0x0188, 0, 0xFFFF), (0x018C, 0, 0xFFFF), (0x0192, 0, 0xFFFF), (0x0195, 0, 0x0061),
    (0x0199, 0, 0xFFFF), (0x019A, 0, 0x00A3), (0x019B, 0, 0xA641), (0x019E, 0, 0x0082),
    (0x01A1, 9, 0xFFFF), (0x01A8, 0, 0xFFFF), (0x01AD, 0, 0xFFFF), (0x01B0, 0, 0xFFFF),
    (0x01B4, 5, 0xFFFF), (0x01B9, 0, 0xFFFF), (0x01BD, 0, 0xFFFF), (0x01BF, 0, 0x0038),
    (0x01C5, 0, 0xFFFF), (0x01C6, 0, 0xFFFE), (0x01C8, 0, 0xFFFF), (0x01C9, 0, 0xFFFE),
    (0x01CB, 0, 0xFFFF), (0x01CC, 0, 0xFFFE), (0x01CE, 29, 0xFFFF), (0x01DD, 0, 0xFFB1),
    (0x01DF, 33, 0xFFFF), (0x01F2, 0, 0xFFFF), (0x01F3, 0, 0xFFFE), (0x01F5, 0, 0xFFFF),
    (0x01F9, 77, 0xFFFF), (0x0223, 33, 0xFFFF), (0x023C, 0, 0xFFFF), (0x023F, 2, 0x2A3F),
    (0x0242, 0, 0xFFFF), (0x0247, 17, 0xFFFF), (0x0250, 0, 0x2A1F), (0x0251, 0, 0x2A1C),
    (0x0252, 0, 0x2A1E), (0x0253, 0, 0xFF2E), (0x0254, 0, 0xFF32), (0x0256, 2, 0xFF33),
    (0x0259, 0, 0xFF36), (0x025B, 0, 0xFF35), (0x025C, 0, 0xA54F), (0x0260, 0, 0xFF33),
    (0x0261, 0, 0xA54B), (0x0263, 0, 0xFF31), (0x0264, 0, 0xA567), (0x0265, 0, 0xA528),
    (0x0266, 0, 0xA544), (0x0268, 0, 0xFF2F), (0x0269, 0, 0xFF2D), (0x026A, 0, 0xA544),
    (0x026B, 0, 0x29F7), (0x026C, 0, 0xA541), (0x026F, 0, 0xFF2D), (0x0271, 0, 0x29FD),
    (0x0272, 0, 0xFF2B), (0x0275, 0, 0xFF2A), (0x027D, 0, 0x29E7), (0x0280, 0, 0xFF26),
    (0x0282, 0, 0xA543), (0x0283, 0, 0xFF26), (0x0287, 0, 0xA52A), (0x0288, 0, 0xFF26),
    (0x0289, 0, 0xFFBB), (0x028A, 2, 0xFF27), (0x028C, 0, 0xFFB9), (0x0292, 0, 0xFF25),
    (0x029D, 0, 0xA515), (0x029E, 0, 0xA512), (0x0345, 0, 0x0054), (0x0371, 5, 0xFFFF),
    (0x0377, 0, 0xFFFF), (0x037B, 4, 0x0082), (0x03AC, 0, 0xFFDA), (0x03AD, 4, 0xFFDB),
    (0x03B1, 32, 0xFFE0), (0x03C2, 0, 0xFFE1), (0x03C3, 16, 0xFFE0), (0x03CC, 0, 0xFFC0),
    (0x03CD, 2, 0xFFC1), (0x03D0, 0, 0xFFC2), (0x03D1, 0, 0xFFC7), (0x03D5, 0, 0xFFD1),
    (0x03D6, 0, 0xFFCA), (0x03D7, 0, 0xFFF8), (0x03D9, 45, 0xFFFF), (0x03F0, 0, 0xFFAA),
    (0x03F1, 0, 0xFFB0), (0x03F2, 0, 0x0007), (0x03F3, 0, 0xFF8C), (0x03F5, 0, 0xFFA0),
    (0x03F8, 0, 0xFFFF), (0x03FB, 0, 0xFFFF), (0x0430, 62, 0xFFE0), (0x0450, 30, 0xFFB0),
    (0x0461, 65, 0xFFFF), (0x048B, 105, 0xFFFF), (0x04C2, 25, 0xFFFF), (0x04CF, 0, 0xFFF1),
    (0x04D1, 189, 0xFFFF), (0x0561, 74, 0xFFD0), (0x10D0, 84, 0x0BC0), (0x10FD, 4, 0x0BC0),
    (0x13F8, 10, 0xFFF8), (0x1C80, 0, 0xE792), (0x1C81, 0, 0xE793), (0x1C82, 0, 0xE79C),
    (0x1C83, 2, 0xE79E), (0x1C85, 0, 0xE79D), (0x1C86, 0, 0xE7A4), (0x1C87, 0, 0xE7DB),
    (0x1C88, 0, 0x89C2), (0x1C8A, 0, 0xFFFF), (0x1D79, 0, 0x8A04), (0x1D7D, 0, 0x0EE6),
    (0x1D8E, 0, 0x8A38), (0x1E01, 297, 0xFFFF), (0x1E9B, 0, 0xFFC5), (0x1EA1, 189, 0xFFFF),
    (0x1F00, 14, 0x0008), (0x1F10, 10, 0x0008), (0x1F20, 14, 0x0008), (0x1F30, 14, 0x0008),
    (0x1F40, 10, 0x0008), (0x1F51, 13, 0x0008), (0x1F60, 14, 0x0008), (0x1F70, 2, 0x004A),
    (0x1F72, 6, 0x0056), (0x1F76, 2, 0x0064), (0x1F78, 2, 0x0080), (0x1F7A, 2, 0x0070),
    (0x1F7C, 2, 0x007E), (0x1FB0, 2, 0x0008), (0x1FBE, 0, 0xE3DB), (0x1FD0, 2, 0x0008),
    (0x1FE0, 2, 0x0008), (0x1FE5, 0, 0x0007), (0x214E, 0, 0xFFE4), (0x2170, 30, 0xFFF0),
    (0x2184, 0, 0xFFFF), (0x24D0, 50, 0xFFE6), (0x2C30, 94, 0xFFD0), (0x2C61, 0, 0xFFFF),
    (0x2C65, 0, 0xD5D5), (0x2C66, 0, 0xD5D8), (0x2C68, 9, 0xFFFF), (0x2C73, 0, 0xFFFF),
    (0x2C76, 0, 0xFFFF), (0x2C81, 197, 0xFFFF), (0x2CEC, 5, 0xFFFF), (0x2CF3, 0, 0xFFFF),
    (0x2D00, 74, 0xE3A0), (0x2D27, 0, 0xE3A0), (0x2D2D, 0, 0xE3A0), (0xA641, 89, 0xFFFF),
    (0xA681, 53, 0xFFFF), (0xA723, 25, 0xFFFF), (0xA733, 121, 0xFFFF), (0xA77A, 5, 0xFFFF),
    (0xA77F, 17, 0xFFFF), (0xA78C, 0, 0xFFFF), (0xA791, 5, 0xFFFF), (0xA794, 0, 0x0030),
    (0xA797, 37, 0xFFFF), (0xA7B5, 29, 0xFFFF), (0xA7C8, 5, 0xFFFF), (0xA7CD, 29, 0xFFFF),
    (0xA7F6, 0, 0xFFFF), (0xAB53, 0, 0xFC60), (0xAB70, 158, 0x6830), (0xFF41, 50, 0xFFE0),
];

/// Whether `c` is one of the code points `run` maps.
fn run_hit(run: &(u16, u16, u16), c: u32) -> bool {
    let off = c.wrapping_sub(run.0 as u32);
    off <= (run.1 >> 1) as u32 && (run.1 & 1 == 0 || off & 1 == 0)
}

/// JS `Canonicalize(ch)` for a case-insensitive, non-unicode regex.
pub(super) fn canon(c: u32) -> u32 {
    let i = RUNS.partition_point(|r| r.0 as u32 <= c);
    match i.checked_sub(1).map(|i| RUNS[i]) {
        Some(run) if c <= 0xFFFF && run_hit(&run, c) => (c + run.2 as u32) & 0xFFFF,
        _ => c,
    }
}

/// Fills `out` with every code point whose canonical form equals `canon(c)` (`c` included):
/// a case-insensitive class matches `c` when it contains any of them (JS `CharacterSetMatcher`).
pub(super) fn equivalents(c: u32, out: &mut Vec<u32>) {
    let k = canon(c);
    out.clear();
    out.push(k);
    if k < 0x80 {
        // Nothing outside ASCII folds into ASCII (the rule above), so only the lower case remains.
        if (0x41..=0x5A).contains(&k) {
            out.push(k + 32);
        }
        return;
    }
    if k > 0xFFFF {
        return;
    }
    for run in RUNS.iter() {
        let m = k.wrapping_sub(run.2 as u32) & 0xFFFF;
        if run_hit(run, m) {
            out.push(m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JS definition, straight from the standard library's full tables.
    fn js_canon(c: u32) -> u32 {
        let Some(ch) = char::from_u32(c) else {
            return c;
        };
        let mut up = ch.to_uppercase();
        match (up.len(), up.next()) {
            (1, Some(u)) if (u as u32) <= 0xFFFF && !(c >= 0x80 && (u as u32) < 0x80) => u as u32,
            _ => c,
        }
    }

    /// The run table for `js_canon`, as Rust source (printed when the table is stale).
    fn generate() -> String {
        let maps: Vec<(u32, u32)> = (0..=0xFFFF)
            .filter(|&c| js_canon(c) != c)
            .map(|c| (c, js_canon(c).wrapping_sub(c) & 0xFFFF))
            .collect();
        let mut out = String::new();
        let mut i = 0;
        while i < maps.len() {
            let (first, delta) = maps[i];
            let run = |step: u32| {
                let mut j = i;
                while j + 1 < maps.len() && maps[j + 1] == (maps[j].0 + step, delta) {
                    j += 1;
                }
                j
            };
            let (one, two) = (run(1), run(2));
            let (last, alt) = if two > one { (two, 1) } else { (one, 0) };
            let len = (maps[last].0 - first) << 1 | alt;
            out.push_str(&format!("(0x{first:04X}, {len}, 0x{delta:04X}),\n"));
            i = last + 1;
        }
        out
    }

    #[test]
    fn table_matches_std_case_mapping() {
        let table: String = RUNS
            .iter()
            .map(|(a, b, c)| format!("(0x{a:04X}, {b}, 0x{c:04X}),\n"))
            .collect();
        let fresh = generate();
        assert!(table == fresh, "stale RUNS table; regenerate:\n{fresh}");
        for c in 0..=0x10FFFF {
            assert_eq!(canon(c), js_canon(c), "canon({c:#x})");
        }
    }

    #[test]
    fn equivalents_are_exactly_the_canonical_class() {
        let mut classes: std::collections::HashMap<u32, Vec<u32>> = Default::default();
        for c in 0..=0xFFFF {
            classes.entry(js_canon(c)).or_default().push(c);
        }
        let mut out = Vec::new();
        for c in 0..=0xFFFF {
            let k = js_canon(c);
            assert_eq!(js_canon(k), k, "canon is idempotent at {c:#x}");
            equivalents(c, &mut out);
            out.sort_unstable();
            out.dedup();
            assert_eq!(out, classes[&k], "equivalents({c:#x})");
        }
        equivalents(0x1F600, &mut out);
        assert_eq!(out, [0x1F600]);
    }
}
