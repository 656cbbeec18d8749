//! GrowthBook-compatible hashing and bucketing, so a visitor lands in the same variation and
//! namespace here as in any GrowthBook SDK (`packages/sdk-js/src/util.ts`; checked by the
//! conformance suite in `tests/conformance_bucketing.rs`).
//!
//! JS does the arithmetic on doubles and UTF-16 strings; each function notes how the Rust form
//! gives the same bits.

/// FNV-1a's 32-bit offset basis: the hash of the empty string.
const FNV_BASIS: u32 = 0x811c_9dc5;

/// FNV-1a hash `h` continued over the UTF-16 code units of `s`, so that hashing `a` then `b`
/// is hashing `a + b` (one function for every concatenation GrowthBook hashes: one copy in the
/// module instead of one per chain of iterators).
fn fnv_more(h: u32, s: &str) -> u32 {
    // JS: `hval ^= charCodeAt(i); hval += (hval<<1) + (hval<<4) + (hval<<7) + (hval<<8) +
    // (hval<<24)`. Every JS bit operation works modulo 2^32 and the sum is exact in a double,
    // so this is `hval * 0x01000193` (the FNV prime) with u32 wrapping; the final `>>> 0` is
    // the u32 itself.
    s.encode_utf16()
        .fold(h, |h, u| (h ^ u as u32).wrapping_mul(0x0100_0193))
}

/// GrowthBook's `hashFnv32a`: FNV-1a over the string's UTF-16 code units (JS `charCodeAt`), so
/// non-ASCII ids hash as they do in the browser, not as their UTF-8 bytes would.
pub fn fnv1a32(value: &str) -> u32 {
    fnv_more(FNV_BASIS, value)
}

/// GrowthBook's `hash(seed, value, version)`, a number in `[0, 1)`:
/// v1 = `fnv(value + seed) % 1000 / 1000`, v2 = `fnv(String(fnv(seed + value))) % 10000 / 10000`;
/// any other version gives `None` (JS `null`).
pub fn hash(seed: &str, value: &str, version: u32) -> Option<f64> {
    match version {
        1 => {
            // Hashing the two parts in sequence is hashing their concatenation.
            let h = fnv_more(fnv_more(FNV_BASIS, value), seed);
            Some((h % 1000) as f64 / 1000.0)
        }
        2 => {
            let inner = fnv_more(fnv_more(FNV_BASIS, seed), value);
            // JS `String(n)` of a u32 is its decimal digits.
            let mut digits = String::new();
            crate::text::push_u64(&mut digits, inner as u64);
            Some((fnv1a32(&digits) % 10000) as f64 / 10000.0)
        }
        _ => None,
    }
}

/// GrowthBook's `getEqualWeights(n)`: `n` weights of `1 / n`, none when `n <= 0`.
///
/// The caller bounds `n` (a config's variation count); this allocates `n` floats.
pub fn get_equal_weights(n: i32) -> Vec<f64> {
    if n <= 0 {
        return Vec::new();
    }
    vec![1.0 / n as f64; n as usize]
}

/// GrowthBook's `getBucketRanges(numVariations, coverage, weights)`: one `[start, end)` range
/// per variation. `coverage` is clamped to `[0, 1]` (pass `1.0` when the config has none);
/// weights that are missing, of the wrong length, or not summing to 0.99..=1.01 are replaced by
/// equal weights. Variation `i` starts at the sum of the weights before it and covers
/// `coverage × weight` of its slot.
pub fn get_bucket_ranges(
    num_variations: i32,
    coverage: f64,
    weights: Option<&[f64]>,
) -> Vec<(f64, f64)> {
    // Like JS's two comparisons, `clamp` leaves a NaN coverage NaN.
    let coverage = coverage.clamp(0.0, 1.0);
    let equal = get_equal_weights(num_variations);
    let mut weights = weights.unwrap_or(&equal);
    if weights.len() as i64 != num_variations as i64 {
        weights = &equal;
    }
    // JS `reduce((w, sum) => sum + w, 0)`: the element is added to the running total.
    let total = weights.iter().fold(0.0, |acc, w| w + acc);
    // Two comparisons, not `!contains`: as in JS, a NaN total keeps the weights.
    #[allow(clippy::manual_range_contains)]
    if total < 0.99 || total > 1.01 {
        weights = &equal;
    }
    let mut cumulative = 0.0;
    weights
        .iter()
        .map(|w| {
            let start = cumulative;
            cumulative += w;
            (start, start + coverage * w)
        })
        .collect()
}

/// GrowthBook's `chooseVariation(n, ranges)`: the index of the first range with
/// `start <= n < end`, or -1.
pub fn choose_variation(n: f64, ranges: &[(f64, f64)]) -> i32 {
    ranges
        .iter()
        .position(|&(start, end)| n >= start && n < end)
        .map_or(-1, |i| i as i32)
}

/// GrowthBook's `inNamespace(hashValue, [id, start, end])`: whether
/// `hash("__" + id, user_id, 1)` falls in `[start, end)`.
pub fn in_namespace(user_id: &str, namespace: (&str, f64, f64)) -> bool {
    let (id, start, end) = namespace;
    // v1 hashes `value + seed` = user_id + "__" + id; chained to avoid building the seed.
    let h = fnv_more(fnv_more(fnv_more(FNV_BASIS, user_id), "__"), id);
    let n = (h % 1000) as f64 / 1000.0;
    n >= start && n < end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_over_utf16_units() {
        assert_eq!(fnv1a32(""), 0x811c_9dc5);
        // Published FNV-1a 32 test vector.
        assert_eq!(fnv1a32("a"), 0xe40c_292c);
        // A char outside the BMP is two code units, not four UTF-8 bytes.
        let units = [0xD83D_u32, 0xDE00];
        let by_units = units
            .iter()
            .fold(FNV_BASIS, |h, u| (h ^ u).wrapping_mul(0x0100_0193));
        assert_eq!(fnv1a32("😀"), by_units);
        assert_eq!(fnv_more(fnv1a32("ab"), "c😀"), fnv1a32("abc😀"));
        assert_eq!(hash("abc", "def", 3), None);
        assert!(in_namespace("1", ("namespace1", 0.4, 1.0)));
    }
}
