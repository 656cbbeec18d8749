//! Time as data. The core never reads a clock: every function that needs "now" takes it as
//! milliseconds since the Unix epoch, supplied by the shell (`Date.now()`) or by a test.

use crate::text::{push_i64, push_u64_padded};

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

/// Longest duration or millisecond count a config may name (2^53, where `f64` stays exact).
pub const MAX_DURATION: Millis = 1 << 53;

/// `"90s"`, `"30m"`, `"2h"`, `"7d"` in milliseconds: 1 to 10 digits and one unit.
pub fn parse_duration(s: &str) -> Option<Millis> {
    let (&unit, digits) = s.as_bytes().split_last()?;
    let scale: Millis = match unit {
        b's' => 1_000,
        b'm' => 60_000,
        b'h' => 3_600_000,
        b'd' => 86_400_000,
        _ => return None,
    };
    if digits.is_empty() || digits.len() > 10 {
        return None;
    }
    let mut n: Millis = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        n = n * 10 + Millis::from(d - b'0');
    }
    Some(n * scale).filter(|&ms| ms <= MAX_DURATION)
}

/// A whole, non-negative number of milliseconds.
pub fn millis(raw: &crate::value::Value) -> Option<Millis> {
    let n = raw.as_f64()?;
    (n.fract() == 0.0 && (0.0..=MAX_DURATION as f64).contains(&n)).then_some(n as Millis)
}

/// A duration from a config: a string for [`parse_duration`] or a number for [`millis`].
pub fn duration(raw: &crate::value::Value) -> Option<Millis> {
    match raw {
        crate::value::Value::String(s) => parse_duration(s),
        _ => millis(raw),
    }
}

/// Formats `ms` as ISO 8601 UTC with milliseconds: `2026-11-23T19:22:01.123Z`.
pub fn iso8601(ms: Millis) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000) as u64;
    let (y, m, d) = civil_from_days(days);
    let mut out = String::with_capacity(24);
    if (0..=9999).contains(&y) {
        push_u64_padded(&mut out, y as u64, 4);
    } else {
        push_i64(&mut out, y);
    }
    out.push('-');
    push_u64_padded(&mut out, m as u64, 2);
    out.push('-');
    push_u64_padded(&mut out, d as u64, 2);
    out.push('T');
    push_u64_padded(&mut out, in_day / 3_600_000, 2);
    out.push(':');
    push_u64_padded(&mut out, in_day / 60_000 % 60, 2);
    out.push(':');
    push_u64_padded(&mut out, in_day / 1000 % 60, 2);
    out.push('.');
    push_u64_padded(&mut out, in_day % 1000, 3);
    out.push('Z');
    out
}

/// Proleptic Gregorian (year, month, day) for a day count since 1970-01-01
/// (Howard Hinnant's `civil_from_days`, exact for the whole i64 day range we accept).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(iso8601(1_795_461_721_123), "2026-11-23T19:22:01.123Z");
        assert_eq!(iso8601(-1), "1969-12-31T23:59:59.999Z");
    }
}
