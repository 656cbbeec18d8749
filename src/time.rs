//! Time as data. The core never reads a clock: every function that needs "now" takes it as
//! milliseconds since the Unix epoch, supplied by the shell (`Date.now()`) or by a test.

use crate::text::{push_i64, push_u64_padded};

/// Milliseconds since 1970-01-01T00:00:00Z.
pub type Millis = i64;

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
