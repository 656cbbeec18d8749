//! JavaScript `Number(string)` (ECMAScript `StringToNumber`), correctly rounded, without
//! `str::parse::<f64>` (whose Eisel-Lemire tables cost kilobytes in the browser module).
//!
//! Most strings that reach a comparison are short integers or decimals ("8", "49.99"): those
//! take Clinger's fast path (an exact mantissa times an exact power of ten, one IEEE rounding).
//! Everything else is converted exactly with [`Big`] arithmetic and rounded half-to-even.

use super::big::Big;

/// Significant decimal digits kept; beyond them a nonzero digit only breaks ties, which a
/// trailing `1` does as well (any binary midpoint has at most 767 significant digits).
const MAX_SIG_DIGITS: usize = 800;

/// Exact powers of ten representable in an `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `Number(s)`: surrounding JS white space ignored, `""` is 0, `Infinity`, `0x`/`0o`/`0b`
/// integers, decimal literals with optional sign, fraction and exponent; anything else is NaN.
pub(crate) fn string_to_number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_space);
    if t.is_empty() {
        return 0.0;
    }
    let b = t.as_bytes();
    if let (Some(b'0'), Some(&p)) = (b.first(), b.get(1)) {
        let radix = match p {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            _ => 0,
        };
        if radix != 0 {
            return radix_integer(b.get(2..).unwrap_or(&[]), radix);
        }
    }
    let (neg, rest) = match b.first() {
        Some(b'-') => (true, b.get(1..).unwrap_or(&[])),
        Some(b'+') => (false, b.get(1..).unwrap_or(&[])),
        _ => (false, b),
    };
    let magnitude = if rest == b"Infinity" {
        f64::INFINITY
    } else {
        decimal(rest)
    };
    if neg {
        -magnitude
    } else {
        magnitude
    }
}

/// ECMAScript `StrWhiteSpaceChar`: `WhiteSpace` (TAB, VT, FF, ZWNBSP, every `Zs`) and
/// `LineTerminator`. Unlike `char::is_whitespace`, NEL (U+0085) is not space and U+FEFF is.
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{B}' | '\u{C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// A `0x`/`0o`/`0b` literal's digits (no sign, no fraction, at least one digit).
fn radix_integer(digits: &[u8], radix: u32) -> f64 {
    let bits_per_digit = radix.trailing_zeros() as usize;
    let significant = digits.iter().skip_while(|&&d| d == b'0').count();
    if digits.is_empty() || !digits.iter().all(|&d| (d as char).is_digit(radix)) {
        return f64::NAN;
    }
    // At least 2^1024: past the largest double even after rounding.
    if significant.saturating_sub(1) * bits_per_digit >= 1024 {
        return f64::INFINITY;
    }
    let mut big = Big::from_u64(0);
    for &d in digits {
        big.mul_add_small(radix, (d as char).to_digit(radix).unwrap_or(0));
    }
    let (q, exp, sticky) = big.top_u64();
    compose(q, i64::from(exp), sticky)
}

/// An unsigned `StrDecimalLiteral` (without `Infinity`), or NaN.
fn decimal(b: &[u8]) -> f64 {
    let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let (int, mut rest) = b.split_at(int_len);
    let mut frac: &[u8] = &[];
    if let Some((b'.', after)) = rest.split_first() {
        let n = after.iter().take_while(|c| c.is_ascii_digit()).count();
        (frac, rest) = after.split_at(n);
    }
    if int.is_empty() && frac.is_empty() {
        return f64::NAN;
    }
    let mut exp: i64 = 0;
    if let Some((b'e' | b'E', after)) = rest.split_first() {
        let (neg, digits) = match after.split_first() {
            Some((b'-', d)) => (true, d),
            Some((b'+', d)) => (false, d),
            _ => (false, after),
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return f64::NAN;
        }
        // Saturate: anything past a million is zero or infinity however many digits follow.
        for &d in digits {
            exp = (exp * 10 + i64::from(d - b'0')).min(1_000_000_000);
        }
        if neg {
            exp = -exp;
        }
        rest = &[];
    }
    if !rest.is_empty() {
        return f64::NAN;
    }
    let digits = int.iter().chain(frac.iter());
    // Value = significant digits x 10^e10, leading and trailing zeros dropped.
    let total = int.len() + frac.len();
    let lead = digits.clone().take_while(|&&d| d == b'0').count();
    if lead == total {
        return 0.0;
    }
    let trail = int
        .iter()
        .chain(frac.iter())
        .rev()
        .take_while(|&&d| d == b'0')
        .count();
    let n = total - lead - trail;
    let e10 = exp - frac.len() as i64 + trail as i64;
    let sig = digits.skip(lead).take(n);
    // 10^(n-1+e10) <= value < 10^(n+e10).
    let n64 = n as i64;
    if n64 + e10 > 310 {
        return f64::INFINITY;
    }
    if n64 + e10 < -324 {
        return 0.0;
    }
    if n <= 15 && e10.abs() <= 22 {
        // Clinger's fast path: both operands exact, so the one rounding is the correct one.
        let m = sig.fold(0u64, |acc, &d| acc * 10 + u64::from(d - b'0')) as f64;
        let p = POW10
            .get(e10.unsigned_abs() as usize)
            .copied()
            .unwrap_or(1.0);
        return if e10 >= 0 { m * p } else { m / p };
    }
    slow(sig, n, e10)
}

/// Exact conversion of `digits x 10^e10` (`n` digits, first and last nonzero).
fn slow<'a>(digits: impl Iterator<Item = &'a u8>, n: usize, mut e10: i64) -> f64 {
    let mut big = Big::from_u64(0);
    for &d in digits.take(MAX_SIG_DIGITS) {
        big.mul_add_small(10, u32::from(d - b'0'));
    }
    if n > MAX_SIG_DIGITS {
        // Dropped digits end in a nonzero one: stand in for them with a single trailing 1.
        big.mul_add_small(10, 1);
        e10 += (n - MAX_SIG_DIGITS) as i64 - 1;
    }
    if e10 >= 0 {
        big.mul_pow10(e10 as u32);
        let (q, exp, sticky) = big.top_u64();
        return compose(q, i64::from(exp), sticky);
    }
    // value = big / 10^m: scale so the quotient has 55 or 56 bits, divide, keep the remainder
    // as the sticky bit.
    let mut div = Big::from_u64(1);
    div.mul_pow10(e10.unsigned_abs() as u32);
    let shift = div.bit_len() as i64 - big.bit_len() as i64 + 55;
    if shift >= 0 {
        big.shl(shift as usize);
    } else {
        div.shl(shift.unsigned_abs() as usize);
    }
    let q = big.div_rem_small_quotient(&div, 57);
    compose(q, -shift, !big.is_zero())
}

/// Rounds `(q + e) * 2^exp2` half-to-even to an `f64`, where `0 <= e < 1` and `e != 0`
/// exactly when `sticky`. Handles subnormals, overflow to infinity and underflow to zero.
pub(super) fn compose(q: u64, exp2: i64, sticky: bool) -> f64 {
    if q == 0 {
        return 0.0;
    }
    let bits = i64::from(64 - q.leading_zeros());
    let lead = bits - 1 + exp2; // binary exponent of the leading bit
    if lead > 1023 {
        return f64::INFINITY;
    }
    // Precision available at this magnitude: 53 bits for normals, fewer for subnormals.
    let keep = if lead >= -1022 { 53 } else { lead + 1075 };
    if keep < 0 {
        return 0.0; // below half the smallest subnormal
    }
    let drop = bits - keep;
    let (mut m, mut e) = if drop <= 0 {
        (q << (-drop) as u32, exp2 + drop)
    } else {
        let drop = drop as u32; // 1..=64
        let kept = q.checked_shr(drop).unwrap_or(0);
        let mask = u64::MAX.checked_shr(64 - drop).unwrap_or(0);
        let rem = q & mask;
        let half = 1u64 << (drop - 1);
        let up = rem > half || (rem == half && (sticky || kept & 1 == 1));
        (kept + u64::from(up), exp2 + i64::from(drop))
    };
    if m == 1 << 53 {
        m >>= 1;
        e += 1;
    }
    if m >= 1 << 52 {
        let biased = e + 52 + 1023;
        if biased >= 2047 {
            return f64::INFINITY;
        }
        f64::from_bits(((biased as u64) << 52) | (m & ((1 << 52) - 1)))
    } else {
        // Subnormal: by construction e == -1074 here.
        f64::from_bits(m)
    }
}

#[cfg(test)]
mod tests {
    use super::string_to_number as num;

    #[test]
    fn js_number_edge_cases() {
        assert_eq!(num("8"), 8.0);
        assert_eq!(num("  -12.5e1 \n"), -125.0);
        assert_eq!(num(""), 0.0);
        assert_eq!(num(" \u{FEFF}\u{3000}"), 0.0);
        assert!(num("\u{85}1").is_nan(), "NEL is not JS white space");
        assert_eq!(num(".5"), 0.5);
        assert_eq!(num("5."), 5.0);
        assert!(num(".").is_nan());
        assert!(num("e5").is_nan());
        assert!(num("5e").is_nan());
        assert!(num("5e+").is_nan());
        assert!(num("1_000").is_nan());
        assert!(num("12px").is_nan());
        assert!(num("0x").is_nan());
        assert!(num("-0x10").is_nan(), "no sign on non-decimal literals");
        assert_eq!(num("0x1F"), 31.0);
        assert_eq!(num("0B101"), 5.0);
        assert_eq!(num("0o17"), 15.0);
        assert_eq!(num("-Infinity"), f64::NEG_INFINITY);
        assert!(num("infinity").is_nan());
        assert!(num("-0").is_sign_negative());
        assert_eq!(num("1e400"), f64::INFINITY);
        assert_eq!(num("1e-400"), 0.0);
        assert_eq!(num("00012"), 12.0);
        assert_eq!(num("1e1000000000000000000000"), f64::INFINITY);
        assert_eq!(num("0e1000000000000000000000"), 0.0);
        assert_eq!(num("0x10000000000000000000001"), 2f64.powi(88));
    }

    #[test]
    fn correctly_rounded_hard_cases() {
        for s in [
            "9007199254740993",
            "9007199254740992.5",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "4.9406564584124654e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "0.1",
            "123456789012345678901234567890",
            "3.14159265358979323846264338327950288419716939937510582097494459",
            "7.038531e-26",
            "1448997445238699",
            "8.988465674311580536566680e307",
        ] {
            assert_eq!(num(s).to_bits(), s.parse::<f64>().unwrap().to_bits(), "{s}");
        }
        let long = format!("0.{}1e5", "0".repeat(900));
        assert_eq!(num(&long), long.parse::<f64>().unwrap());
        let halfway = format!("9007199254740993{}1", "0".repeat(850));
        assert_eq!(num(&halfway), halfway.parse::<f64>().unwrap());
    }

    #[test]
    fn agrees_with_std_on_random_decimals() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..10_000 {
            let r = next();
            let digits = 1 + (r % 25) as usize;
            let mut s = String::new();
            for _ in 0..digits {
                s.push(char::from(b'0' + (next() % 10) as u8));
            }
            if r & (1 << 40) != 0 {
                let at = (next() as usize) % (s.len() + 1);
                s.insert(at, '.');
            }
            let e = (next() % 700) as i64 - 350;
            s.push('e');
            s.push_str(&e.to_string());
            let want = s.parse::<f64>().unwrap();
            assert_eq!(num(&s).to_bits(), want.to_bits(), "{s}");
        }
        // Every bit pattern printed by std reads back to itself.
        for _ in 0..10_000 {
            let v = f64::from_bits(next() & !(1 << 63));
            if v.is_finite() {
                let s = format!("{v:e}");
                assert_eq!(num(&s).to_bits(), v.to_bits(), "{s}");
            }
        }
    }
}
