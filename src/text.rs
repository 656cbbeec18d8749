//! Small text helpers that avoid `core::fmt` in hot or shipped paths.
//!
//! The browser module must never format an `f64` (it drags ~9 KB of formatting code into every
//! shopper's download), and integer formatting through `fmt` costs more than these few lines.

/// Appends the decimal digits of `n`.
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // Digits are ASCII, so this cannot fail.
    out.push_str(core::str::from_utf8(&buf[i..]).unwrap_or(""));
}

/// Appends `n` left-padded with zeros to `width` digits.
pub fn push_u64_padded(out: &mut String, n: u64, width: usize) {
    let mut digits = String::new();
    push_u64(&mut digits, n);
    for _ in digits.len()..width {
        out.push('0');
    }
    out.push_str(&digits);
}

/// Appends a signed integer.
pub fn push_i64(out: &mut String, n: i64) {
    if n < 0 {
        out.push('-');
    }
    push_u64(out, n.unsigned_abs());
}

/// Appends `items` separated by `", "` (`<[&str]>::join` costs about a kilobyte in the module).
pub fn push_list(out: &mut String, items: &[&str]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(item);
    }
}

/// Cuts `s` to at most `max` bytes at a char boundary; true when something was cut.
pub fn truncate_at_boundary(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_integers() {
        let mut s = String::new();
        push_u64(&mut s, 0);
        s.push(' ');
        push_u64(&mut s, u64::MAX);
        s.push(' ');
        push_i64(&mut s, -42);
        s.push(' ');
        push_u64_padded(&mut s, 7, 3);
        assert_eq!(s, "0 18446744073709551615 -42 007");
    }
}
