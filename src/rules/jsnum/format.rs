//! JavaScript `String(number)` (ECMAScript `Number::toString(x, 10)`) with integer arithmetic
//! only: Rust's float formatting costs ~9 KB in the browser module.
//!
//! Integers below 2^53 print their digits directly. Everything else uses the free-format
//! shortest-digits algorithm of Steele & White / Burger & Dybvig on exact [`Big`] integers:
//! the fewest digits that read back to the same double, the closest such digits when several
//! qualify, ties on the last digit to even (as V8's `bignum-dtoa` does).

use super::big::Big;
use super::NumText;
use core::cmp::Ordering;

/// `String(x)` as JavaScript prints it: `"0"` for both zeros, `"NaN"`, `"Infinity"`,
/// plain notation for `1e-7 < |x| < 1e21`, exponent notation (`"1e+21"`, `"1.5e-7"`) outside.
pub(crate) fn number_to_string(x: f64) -> NumText {
    // Integers (zeros included, `-0` prints as "0") are their digits.
    let magnitude = x.abs();
    if magnitude < 9_007_199_254_740_992.0 && (magnitude as u64) as f64 == magnitude {
        return NumText::integer(x < 0.0, magnitude as u64);
    }
    let mut out = NumText::new();
    if x.is_nan() {
        out.push_all(b"NaN");
        return out;
    }
    if x < 0.0 {
        out.push(b'-');
    }
    let x = x.abs();
    if x.is_infinite() {
        out.push_all(b"Infinity");
        return out;
    }
    let mut digits = [0u8; 20];
    let (count, point) = shortest_digits(x, &mut digits);
    layout(&mut out, digits.get(..count).unwrap_or(&[]), point);
    out
}

/// Shortest round-trip digits of a positive finite `x`: `x ~ 0.d1 d2 ... dn x 10^point`.
fn shortest_digits(x: f64, digits: &mut [u8; 20]) -> (usize, i32) {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7FF) as i32;
    let fraction = bits & ((1 << 52) - 1);
    let (f, e) = if biased == 0 {
        (fraction, -1074)
    } else {
        (fraction | (1 << 52), biased - 1075)
    };
    // At a power of two the gap below is half the gap above.
    let lower_closer = fraction == 0 && biased > 1;
    // Round-half-even reading: the interval's ends belong to it when the mantissa is even.
    let even = f & 1 == 0;
    // x = r / s; the neighbours' midpoints are at (r - m_minus) / s and (r + m_plus) / s.
    let (mut r, mut s, mut m_plus, mut m_minus);
    if e >= 0 {
        let (up, sh) = if lower_closer { (2u64, 2) } else { (1, 1) };
        r = Big::from_u64(f);
        r.shl(e as usize + sh);
        s = Big::from_u64(1 << sh);
        m_plus = Big::from_u64(up);
        m_plus.shl(e as usize);
        m_minus = Big::from_u64(1);
        m_minus.shl(e as usize);
    } else {
        let (up, sh) = if lower_closer { (2u64, 2) } else { (1, 1) };
        r = Big::from_u64(f << sh);
        s = Big::from_u64(1);
        s.shl((sh - e) as usize);
        m_plus = Big::from_u64(up);
        m_minus = Big::from_u64(1);
    }
    // Estimate k = ceil(log10(x)) from below with floor(x * log10(2)) ~ (x * 78913) >> 18,
    // then correct upwards.
    let bit_len = 64 - f.leading_zeros() as i32;
    let mut k = ((i64::from(e + bit_len - 1) * 78_913) >> 18) as i32;
    if k >= 0 {
        s.mul_pow10(k as u32);
    } else {
        let up = k.unsigned_abs();
        r.mul_pow10(up);
        m_plus.mul_pow10(up);
        m_minus.mul_pow10(up);
    }
    let high_reaches = |r: &Big, m_plus: &Big, s: &Big| match r.sum_cmp(m_plus, s) {
        Ordering::Greater => true,
        Ordering::Equal => even,
        Ordering::Less => false,
    };
    for _ in 0..4 {
        if !high_reaches(&r, &m_plus, &s) {
            break;
        }
        s.mul_add_small(10, 0);
        k += 1;
    }
    let mut count = 0;
    for slot in digits.iter_mut().take(18) {
        r.mul_add_small(10, 0);
        m_plus.mul_add_small(10, 0);
        m_minus.mul_add_small(10, 0);
        let mut d = 0u8;
        while d < 10 && r.cmp(&s) != Ordering::Less {
            r.sub(&s);
            d += 1;
        }
        let low = match r.cmp(&m_minus) {
            Ordering::Less => true,
            Ordering::Equal => even,
            Ordering::Greater => false,
        };
        let high = high_reaches(&r, &m_plus, &s);
        count += 1;
        *slot = d;
        if !low && !high {
            continue;
        }
        let round_up = match (low, high) {
            (true, false) => false,
            (false, _) => true,
            (true, true) => match r.sum_cmp(&r, &s) {
                Ordering::Less => false,
                Ordering::Greater => true,
                Ordering::Equal => d & 1 == 1,
            },
        };
        if round_up {
            *slot = d + 1;
        }
        break;
    }
    carry(digits, count, k)
}

/// Propagates a digit that reached 10 and drops trailing zeros.
fn carry(digits: &mut [u8; 20], mut count: usize, mut point: i32) -> (usize, i32) {
    let mut i = count;
    while i > 0 && digits[i - 1] >= 10 {
        digits[i - 1] = 0;
        if i >= 2 {
            digits[i - 2] += 1;
        } else {
            // All nines: 0.999.. x 10^k becomes 0.1 x 10^(k+1).
            digits[0] = 1;
            point += 1;
        }
        i -= 1;
    }
    while count > 1 && digits[count - 1] == 0 {
        count -= 1;
    }
    (count, point)
}

/// ECMAScript `Number::toString` step 5-12: where the point and the exponent go.
fn layout(out: &mut NumText, digits: &[u8], n: i32) {
    let k = digits.len() as i32;
    let put = |out: &mut NumText, ds: &[u8]| {
        for &d in ds {
            out.push(b'0' + d);
        }
    };
    if k <= n && n <= 21 {
        put(out, digits);
        for _ in k..n {
            out.push(b'0');
        }
    } else if 0 < n && n <= 21 {
        let (int, frac) = digits.split_at(n as usize);
        put(out, int);
        out.push(b'.');
        put(out, frac);
    } else if -6 < n && n <= 0 {
        out.push_all(b"0.");
        for _ in n..0 {
            out.push(b'0');
        }
        put(out, digits);
    } else {
        let (first, rest) = digits.split_at(1);
        put(out, first);
        if !rest.is_empty() {
            out.push(b'.');
            put(out, rest);
        }
        out.push(b'e');
        let exp = n - 1;
        out.push(if exp < 0 { b'-' } else { b'+' });
        let mut tmp = [0u8; 4];
        let mut v = exp.unsigned_abs();
        let mut len = 0;
        loop {
            tmp[len] = (v % 10) as u8;
            v /= 10;
            len += 1;
            if v == 0 || len == tmp.len() {
                break;
            }
        }
        for &d in tmp.iter().take(len).rev() {
            out.push(b'0' + d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::number_to_string;

    fn js(x: f64) -> String {
        number_to_string(x).as_str().to_owned()
    }

    #[test]
    fn matches_javascript_layout() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-42.0, "-42"),
            (0.1, "0.1"),
            (49.99, "49.99"),
            (1.0 / 3.0, "0.3333333333333333"),
            (100.0, "100"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789012345680000.0, "123456789012345680000"),
            (2f64.powi(60), "1152921504606847000"),
            (9007199254740993.0, "9007199254740992"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (-1.2345678901234567e-5, "-0.000012345678901234568"),
            // An exact tie between two shortest candidates: ECMA-262 asks for the even one.
            (165_793_407_361_858.0 + 0.125, "165793407361858.12"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (1e23, "1e+23"),
            (9.5, "9.5"),
            (0.3, "0.3"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
        ];
        for &(x, want) in cases {
            assert_eq!(js(x), want, "{x:e}");
        }
    }

    #[test]
    fn shortest_digits_agree_with_std() {
        let mut x = 0x2545_F491_4F6C_DD1Du64;
        for i in 0..20_000u32 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Mix random bit patterns with short decimals, which stress the tie rules.
            let v = if i % 2 == 0 {
                f64::from_bits(x & !(1 << 63))
            } else {
                (x % 1_000_000) as f64 / 1000.0 * 10f64.powi((x >> 40) as i32 % 30 - 15)
            };
            if !v.is_finite() || v == 0.0 {
                continue;
            }
            // std's `{:e}` prints the same shortest digits; compare mantissa digits and exponent.
            let std = format!("{v:e}");
            let (mant, exp) = std.split_once('e').unwrap();
            let want_digits: String = mant.chars().filter(char::is_ascii_digit).collect();
            let ours = js(v);
            let (omant, oexp) = match ours.split_once('e') {
                Some((m, e)) => (m.to_owned(), e.parse::<i32>().unwrap()),
                None => {
                    // Plain notation: recover digits and exponent.
                    let digits: String = ours.chars().filter(char::is_ascii_digit).collect();
                    let lead = digits.trim_start_matches('0');
                    let int_len = ours.split('.').next().unwrap().len() as i32;
                    let skipped = (digits.len() - lead.len()) as i32;
                    let e = if ours.starts_with("0.") {
                        -skipped
                    } else {
                        int_len - 1
                    };
                    (lead.trim_end_matches('0').to_owned(), e)
                }
            };
            let odigits: String = omant.chars().filter(char::is_ascii_digit).collect();
            let (ours_d, want_d) = (
                odigits.trim_end_matches('0'),
                want_digits.trim_end_matches('0'),
            );
            if ours_d != want_d {
                // std breaks exact ties upwards, ECMA-262 (and V8) to the even digit.
                let (a, b) = (ours_d.as_bytes(), want_d.as_bytes());
                let same_prefix = a.len() == b.len() && a[..a.len() - 1] == b[..b.len() - 1];
                let last = (a[a.len() - 1], b[b.len() - 1]);
                assert!(
                    same_prefix && last.1 == last.0 + 1 && last.0 % 2 == 0,
                    "{v:e} printed as {ours}"
                );
            }
            assert_eq!(oexp, exp.parse::<i32>().unwrap(), "{v:e} printed as {ours}");
            assert_eq!(super::super::string_to_number(&ours).to_bits(), v.to_bits());
        }
    }
}
