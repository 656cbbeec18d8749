//! Version comparison: GrowthBook's `paddedVersionString`, compared as JS compares strings.
//!
//! GrowthBook turns `"v1.2.3-rc.1+build"` into `"    1-    2-    3-rc-    1"`: drop a leading
//! `v` and a `+build` suffix, split on `-` and `.`, append `~` to a plain `x.y.z` (so a release
//! sorts after its pre-releases: `~` is the largest ASCII char), left-pad all-digit parts with
//! spaces to 5 chars, join with `-`. The strings are then compared by UTF-16 code units. Here
//! the attribute's padded string is never built: its code units are produced one by one and
//! compared as they come, so comparing an attribute costs no allocation.

use super::coerce::JsText;
use super::jsnum::number_to_string;
use crate::value::Value;
use core::cmp::Ordering;

/// The text GrowthBook pads: `String(n)` for numbers, the string itself when non-empty, and
/// `"0"` for everything else (`null`, `""`, booleans, arrays, objects).
pub(super) fn version_text(v: &Value) -> JsText<'_> {
    match v {
        Value::Number(n) => JsText::Number(number_to_string(*n)),
        Value::String(s) if !s.is_empty() => JsText::Borrowed(s),
        _ => JsText::Borrowed("0"),
    }
}

/// `input.replace(/(^v|\+.*$)/g, "")`. `.` stops at line terminators and `$` is the end of
/// input, so the suffix starts at the first `+` after the last line terminator.
fn strip(input: &str) -> &str {
    let s = input.strip_prefix('v').unwrap_or(input);
    let last_line = s
        .char_indices()
        .rev()
        .find(|&(_, c)| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let plus = s.bytes().skip(last_line).position(|b| b == b'+');
    plus.and_then(|p| s.get(..last_line + p)).unwrap_or(s)
}

/// A non-empty run of ASCII digits (a plain loop: `all` is code of its own per closure).
fn all_digits(part: &[u8]) -> bool {
    let mut digits = !part.is_empty();
    for b in part {
        digits &= b.is_ascii_digit();
    }
    digits
}

/// Feeds the UTF-16 code units of `paddedVersionString(text)` to `sink` until it returns
/// false. Push-based (and `dyn`), because adapter chains cost several KB of wasm here.
fn for_each_unit(text: &str, sink: &mut dyn FnMut(u16) -> bool) {
    let s = strip(text);
    let is_sep = |b: u8| b == b'-' || b == b'.';
    let mut parts = 1;
    for b in s.bytes() {
        parts += usize::from(is_sep(b));
    }
    let mut start = 0;
    for index in 0..parts {
        // Separators are ASCII, so every split point is a char boundary.
        let len = s
            .bytes()
            .skip(start)
            .position(is_sep)
            .unwrap_or(s.len() - start);
        let part = s.get(start..start + len).unwrap_or("");
        start += len + 1;
        if index > 0 && !sink(u16::from(b'-')) {
            return;
        }
        let numeric = all_digits(part.as_bytes());
        let pad = if numeric {
            5usize.saturating_sub(part.len())
        } else {
            0
        };
        for _ in 0..pad {
            if !sink(u16::from(b' ')) {
                return;
            }
        }
        let mut buf = [0u16; 2];
        for c in part.chars() {
            for &unit in c.encode_utf16(&mut buf).iter() {
                if !sink(unit) {
                    return;
                }
            }
        }
    }
    // A plain `x.y.z` sorts after its pre-releases.
    if parts == 3 && sink(u16::from(b'-')) {
        sink(u16::from(b'~'));
    }
}

#[cfg(feature = "compiler")]
/// The UTF-16 code units of `paddedVersionString(text)` (for operands, once).
pub(super) fn padded_units(text: &str) -> Vec<u16> {
    let mut units = Vec::new();
    for_each_unit(text, &mut |u| {
        units.push(u);
        true
    });
    units
}

/// The padded string of ASCII `text` without line terminators (the usual `"2.3.1"`), written
/// into `out` byte by byte: the same steps as [`for_each_unit`], with no call per unit.
/// `None` when it does not fit.
fn padded_ascii<'o>(text: &str, out: &'o mut [u8; 64]) -> Option<&'o [u8]> {
    let s = text.strip_prefix('v').unwrap_or(text).as_bytes();
    // Without line terminators, the `+build` suffix starts at the first `+`.
    let s = s.split(|&b| b == b'+').next().unwrap_or(s);
    let mut n = 0;
    let mut push = |b: u8| {
        let slot = out.get_mut(n)?;
        *slot = b;
        n += 1;
        Some(())
    };
    let mut parts = 0;
    for part in s.split(|&b| b == b'-' || b == b'.') {
        if parts > 0 {
            push(b'-')?;
        }
        parts += 1;
        if all_digits(part) {
            for _ in part.len()..5 {
                push(b' ')?;
            }
        }
        for &b in part {
            push(b)?;
        }
    }
    if parts == 3 {
        push(b'-')?;
        push(b'~')?;
    }
    out.get(..n)
}

/// Compares an attribute with a precomputed padded operand, without building its string.
pub(super) fn compare(actual: &Value, expected: &[u16]) -> Ordering {
    let text = version_text(actual);
    let mut plain = true;
    for b in text.as_str().bytes() {
        plain &= b.is_ascii() && b != b'\n' && b != b'\r';
    }
    let mut buf = [0u8; 64];
    if let Some(units) = plain
        .then(|| padded_ascii(text.as_str(), &mut buf))
        .flatten()
    {
        for (i, &b) in units.iter().enumerate() {
            match expected.get(i) {
                None => return Ordering::Greater,
                Some(&e) if u16::from(b) != e => return u16::from(b).cmp(&e),
                Some(_) => {}
            }
        }
        return units.len().cmp(&expected.len());
    }
    let mut rest = expected.iter();
    let mut ord = Ordering::Equal;
    for_each_unit(text.as_str(), &mut |u| {
        ord = rest.next().map_or(Ordering::Greater, |e| u.cmp(e));
        ord == Ordering::Equal
    });
    if ord == Ordering::Equal && rest.next().is_some() {
        Ordering::Less
    } else {
        ord
    }
}

#[cfg(all(test, feature = "compiler"))]
mod tests {
    use super::*;

    fn pad(s: &str) -> String {
        String::from_utf16(&padded_units(s)).unwrap()
    }

    #[test]
    fn pads_like_growthbook() {
        assert_eq!(pad("1.2.3"), "    1-    2-    3-~");
        assert_eq!(pad("v1.2.3-rc.1+build.7"), "    1-    2-    3-rc-    1");
        assert_eq!(pad("1.2.3+build"), "    1-    2-    3-~");
        assert_eq!(pad("1-2-3"), "    1-    2-    3-~");
        assert_eq!(pad("1.2.3.4"), "    1-    2-    3-    4");
        assert_eq!(pad("123456.0.0"), "123456-    0-    0-~");
        assert_eq!(pad("a.b.c.d"), "a-b-c-d");
        assert_eq!(pad(""), "");
        assert_eq!(pad("vv1"), "v1", "only one leading v goes");
        assert_eq!(
            pad("1+a\n2+b"),
            "1+a\n2",
            "the suffix starts after the last line break"
        );
        assert_eq!(pad("1.0.0--"), "    1-    0-    0--", "two empty parts");
    }

    #[test]
    fn non_strings_read_as_growthbook_does() {
        let units =
            |v: &Value| String::from_utf16(&padded_units(version_text(v).as_str())).unwrap();
        assert_eq!(units(&Value::Number(1.5)), "    1-    5");
        assert_eq!(units(&Value::Number(0.0)), "    0");
        assert_eq!(units(&Value::Null), "    0");
        assert_eq!(units(&Value::from("")), "    0");
        assert_eq!(units(&Value::Bool(true)), "    0");
    }

    #[test]
    fn the_ascii_path_pads_like_the_general_one() {
        for text in [
            "1.2.3",
            "v1.2.3-rc.1+build.7",
            "1.2.3+build",
            "1-2-3",
            "1.2.3.4",
            "123456.0.0",
            "a.b.c.d",
            "",
            "vv1",
            "1.0.0--",
            "+v",
            "v+1",
            "1..2",
            ".",
            "v",
            "0000001.2.3",
            "1.2.3-alpha.beta.gamma.delta.epsilon.zeta.eta.theta.iota.kappa.x",
        ] {
            let mut buf = [0u8; 64];
            let general = padded_units(text);
            match padded_ascii(text, &mut buf) {
                Some(units) => {
                    let units: Vec<u16> = units.iter().map(|&b| u16::from(b)).collect();
                    assert_eq!(units, general, "{text:?}");
                }
                None => assert!(general.len() > 64, "{text:?} fits but was refused"),
            }
        }
    }

    #[test]
    fn orders_versions() {
        let cmp = |a: &str, b: &str| compare(&Value::from(a), &padded_units(b));
        assert_eq!(cmp("1.0.0", "1.0.0-rc.1"), Ordering::Greater);
        assert_eq!(cmp("0.9.99", "1.0.0"), Ordering::Less);
        assert_eq!(cmp("1.0.0-beta.2", "1.0.0-beta.11"), Ordering::Less);
        assert_eq!(cmp("v1.2.3", "1.2.3+x"), Ordering::Equal);
        assert_eq!(cmp("10000.0.0", "9999.0.0"), Ordering::Greater);
        assert_eq!(cmp("1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(cmp("1.2", "1.2.0"), Ordering::Less, "a prefix sorts first");
        assert_eq!(cmp("1.2.0", "1.2"), Ordering::Greater);
        assert_eq!(
            cmp("1.2.3-\u{1F600}", "1.2.3-\u{FF61}"),
            Ordering::Less,
            "by UTF-16 units"
        );
    }
}
