//! Compiling a rule's `caps` and `schedule` (compiler only).

use super::{Caps, Schedule, DEFAULT_CAPS, MAX_RECENT};
use crate::diag::{expected, Diagnostic, Diagnostics, Path};
use crate::time::{duration, Millis};
use crate::value::{Map, Value};

const CAPS_FIELDS: &[&str] = &[
    "perSession",
    "perWindow",
    "ever",
    "afterDismiss",
    "afterAccept",
    "until",
];
const WINDOW_FIELDS: &[&str] = &["views", "within"];
const SCHEDULE_FIELDS: &[&str] = &["start", "end"];

/// Compiles `caps` (at `path`) over [`DEFAULT_CAPS`]. Its `until` condition is compiled by the
/// caller (it goes into the config's set of conditions). Errors leave the default in place.
pub fn compile_caps(raw: &Value, path: &Path, diags: &mut Diagnostics) -> Caps {
    let mut caps = DEFAULT_CAPS;
    let Some(obj) = object(raw, path, diags) else {
        return caps;
    };
    unknown(obj, CAPS_FIELDS, path, diags);
    caps.per_session = count(obj, "perSession", path, 1_000, diags);
    caps.ever = count(obj, "ever", path, 1_000_000, diags);
    if let Some(raw) = obj.get("perWindow") {
        let at = path.key("perWindow");
        if let Some(w) = object(raw, &at, diags) {
            unknown(w, WINDOW_FIELDS, &at, diags);
            // Windows count the remembered views, so no more than are remembered.
            caps.window_views = count(w, "views", &at, MAX_RECENT as u32, diags);
            match w.get("within").map(duration) {
                Some(Some(ms)) if ms > 0 => caps.window_ms = ms,
                _ => bad(
                    diags,
                    "caps/bad-duration",
                    &at.key("within"),
                    "expected a duration such as \"7d\"",
                ),
            }
        }
    }
    for (key, slot) in [
        ("afterDismiss", &mut caps.after_dismiss),
        ("afterAccept", &mut caps.after_accept),
    ] {
        match obj.get(key) {
            None => {}
            Some(Value::String(s)) if s == "never" => *slot = None,
            Some(raw) => match duration(raw) {
                Some(ms) => *slot = Some(ms),
                None => bad(
                    diags,
                    "caps/bad-duration",
                    &path.key(key),
                    "expected \"never\" or a duration such as \"5d\"",
                ),
            },
        }
    }
    caps
}

/// Compiles `schedule` (at `path`): ISO 8601 times (`2026-12-01T00:00:00Z`, an offset such as
/// `+01:00` allowed), `start` before `end`.
pub fn compile_schedule(raw: &Value, path: &Path, diags: &mut Diagnostics) -> Schedule {
    let mut schedule = Schedule::default();
    let Some(obj) = object(raw, path, diags) else {
        return schedule;
    };
    unknown(obj, SCHEDULE_FIELDS, path, diags);
    for (key, slot) in [("start", &mut schedule.start), ("end", &mut schedule.end)] {
        let Some(raw) = obj.get(key) else { continue };
        match raw.as_str().and_then(parse_time) {
            Some(ms) => *slot = ms,
            None => bad(
                diags,
                "caps/bad-time",
                &path.key(key),
                "expected an ISO 8601 time such as \"2026-12-01T00:00:00Z\"",
            ),
        }
    }
    if schedule.end != 0 && schedule.end <= schedule.start {
        bad(
            diags,
            "caps/bad-time",
            &path.key("end"),
            "the end must come after the start",
        );
    }
    schedule
}

/// `YYYY-MM-DDTHH:MM[:SS[.fff]](Z|±HH:MM)` as epoch milliseconds (years 1970 to 9999).
pub fn parse_time(s: &str) -> Option<Millis> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let digits = b.get(from..from + len)?;
        digits.iter().try_fold(0i64, |n, d| {
            d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
        })
    };
    let sep = |at: usize, c: u8| b.get(at) == Some(&c);
    if !(sep(4, b'-') && sep(7, b'-') && (sep(10, b'T') || sep(10, b' ')) && sep(13, b':')) {
        return None;
    }
    let (y, mo, d, h, mi) = (num(0, 4)?, num(5, 2)?, num(8, 2)?, num(11, 2)?, num(14, 2)?);
    let mut at = 16;
    let mut sec = 0;
    let mut ms = 0;
    if sep(at, b':') {
        sec = num(at + 1, 2)?;
        at += 3;
        if sep(at, b'.') {
            let start = at + 1;
            at = start;
            while b.get(at).is_some_and(u8::is_ascii_digit) {
                at += 1;
            }
            let digits = (at - start).clamp(1, 3);
            ms = num(start, digits)? * [100, 10, 1][digits - 1];
        }
    }
    let offset = match b.get(at) {
        Some(b'Z') if at + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) if at + 6 == b.len() && sep(at + 3, b':') => {
            let m = num(at + 1, 2)? * 60 + num(at + 4, 2)?;
            if sign == b'+' {
                m
            } else {
                -m
            }
        }
        _ => return None,
    };
    let valid = (1970..=9999).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=days_in_month(y, mo)).contains(&d)
        && h < 24
        && mi < 60
        && sec < 60;
    valid.then(|| {
        let days = days_from_civil(y, mo, d);
        ((days * 24 + h) * 60 + mi - offset) * 60_000 + sec * 1000 + ms
    })
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn object<'a>(raw: &'a Value, path: &Path, diags: &mut Diagnostics) -> Option<&'a Map> {
    let obj = raw.as_object();
    if obj.is_none() {
        bad(diags, "caps/wrong-type", path, &expected("an object", raw));
    }
    obj
}

fn count(obj: &Map, key: &str, path: &Path, max: u32, diags: &mut Diagnostics) -> u32 {
    match obj.get(key) {
        None => 0,
        Some(Value::Number(n)) if n.fract() == 0.0 && *n >= 1.0 && *n <= f64::from(max) => {
            *n as u32
        }
        Some(_) => {
            let mut msg = String::from("expected a whole number from 1 to ");
            crate::text::push_u64(&mut msg, u64::from(max));
            bad(diags, "caps/out-of-range", &path.key(key), &msg);
            0
        }
    }
}

fn unknown(obj: &Map, fields: &[&str], path: &Path, diags: &mut Diagnostics) {
    for (key, _) in obj.iter() {
        if !fields.contains(&key) {
            let mut msg = String::from("unknown field; known fields: ");
            crate::text::push_list(&mut msg, fields);
            diags.push(Diagnostic::error("caps/unknown-field", &path.key(key), msg));
        }
    }
}

fn bad(diags: &mut Diagnostics, code: &'static str, path: &Path, msg: &str) {
    diags.push(Diagnostic::error(code, path, msg));
}
