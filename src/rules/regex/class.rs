//! Character sets: `[...]`, `.`, `\d \w \s` and their complements.
//!
//! A set is a sorted list of inclusive code-point ranges. Values are UTF-16-era code points
//! (`\uD800` parses to 0xD800), so a lone surrogate may sit in a set; it can never match, since a
//! Rust `char` is never a surrogate.

use super::fold::equivalents;

/// `\d`.
#[cfg(feature = "compiler")]
pub(super) const DIGIT: &[(u32, u32)] = &[(0x30, 0x39)];
/// `\w` (ASCII only in JS without the `u` flag).
#[cfg(feature = "compiler")]
pub(super) const WORD: &[(u32, u32)] = &[(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)];
/// `\s`: JS WhiteSpace (TAB VT FF SP NBSP ZWNBSP and the Zs category) plus LineTerminator.
#[cfg(feature = "compiler")]
pub(super) const SPACE: &[(u32, u32)] = &[
    (0x09, 0x0D),
    (0x20, 0x20),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
    (0xFEFF, 0xFEFF),
];
/// What `.` does not match (no `s` flag): LF, CR, LS, PS.
#[cfg(feature = "compiler")]
pub(super) const LINE_TERMINATORS: &[(u32, u32)] = &[(0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029)];

/// The set named by a class escape letter (`d D s S w W`) and whether it is the complement.
#[cfg(feature = "compiler")]
pub(super) fn escape_set(letter: char) -> Option<(&'static [(u32, u32)], bool)> {
    let set = match letter.to_ascii_lowercase() {
        'd' => DIGIT,
        's' => SPACE,
        'w' => WORD,
        _ => return None,
    };
    Some((set, letter.is_ascii_uppercase()))
}

/// Appends `set`, or its complement over all code points, to `out`.
#[cfg(feature = "compiler")]
pub(super) fn push_set(out: &mut Vec<(u32, u32)>, set: &[(u32, u32)], complement: bool) {
    if !complement {
        out.extend_from_slice(set);
        return;
    }
    // `set` is sorted and disjoint (the constants above): emit the gaps.
    let mut next = 0;
    for &(lo, hi) in set {
        if lo > next {
            out.push((next, lo - 1));
        }
        next = hi + 1;
    }
    if next <= 0x10FFFF {
        out.push((next, 0x10FFFF));
    }
}

/// A compiled character class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Class {
    /// Sorted, disjoint, non-adjacent ranges.
    ranges: Vec<(u32, u32)>,
    /// `[^...]`: the answer is inverted *after* case folding, as in JS.
    negated: bool,
}

impl Class {
    /// Sorts and merges `ranges` so lookups can binary-search.
    pub(super) fn new(mut ranges: Vec<(u32, u32)>, negated: bool) -> Class {
        // Insertion sort: classes are short, and the library sort costs ~3.5 KB of wasm.
        for i in 1..ranges.len() {
            let mut j = i;
            while j > 0 && ranges[j - 1] > ranges[j] {
                ranges.swap(j - 1, j);
                j -= 1;
            }
        }
        let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
        for (lo, hi) in ranges {
            match merged.last_mut() {
                Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
                _ => merged.push((lo, hi)),
            }
        }
        Class {
            ranges: merged,
            negated,
        }
    }

    fn contains(&self, c: u32) -> bool {
        let i = self.ranges.partition_point(|r| r.1 < c);
        self.ranges.get(i).is_some_and(|r| r.0 <= c)
    }

    /// Whether the class matches `c`. `folded` carries the case-insensitive equivalents of `c`
    /// (computed once per haystack position and shared by every thread), or is `None`.
    pub(super) fn matches(&self, c: char, folded: Option<&mut (bool, Vec<u32>)>) -> bool {
        let found = match folded {
            None => self.contains(c as u32),
            Some((ready, eq)) => {
                if !*ready {
                    equivalents(c as u32, eq);
                    *ready = true;
                }
                eq.iter().any(|&m| self.contains(m))
            }
        };
        found != self.negated
    }
}

impl crate::wire::Wire for Class {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut crate::wire::Writer) {
        w.u(self.ranges.len() as u64);
        for &(lo, hi) in &self.ranges {
            w.u(u64::from(lo));
            w.u(u64::from(hi));
        }
        self.negated.put(w);
    }
    /// Sorted and merged again: lookups binary-search.
    #[inline(never)]
    fn get(r: &mut crate::wire::Reader<'_>) -> Self {
        let ranges = Vec::get(r);
        Class::new(ranges, bool::get(r))
    }
}

#[cfg(all(test, feature = "compiler"))]
mod tests {
    use super::*;

    #[test]
    fn complements_and_merges() {
        let mut v = Vec::new();
        push_set(&mut v, DIGIT, true);
        assert_eq!(v, [(0, 0x2F), (0x3A, 0x10FFFF)]);
        let c = Class::new(vec![(5, 9), (0, 3), (4, 4), (20, 30), (25, 26)], false);
        assert_eq!(c.ranges, [(0, 9), (20, 30)]);
        assert!(c.contains(0) && c.contains(9) && !c.contains(10) && c.contains(30));
        let all = Class::new(vec![(0, 0x10FFFF), (0x10FFFF, 0x10FFFF)], true);
        assert!(!all.matches('x', None));
    }
}
