//! In-place heapsort: `O(n log n)`, no allocation, a few hundred bytes of wasm per use.
//!
//! Each `slice::sort*` instantiation links ~2-4 KB of driftsort/ipnsort into the browser
//! module (three of them cost ~13 KB raw here, measured with twiggy). Compile-time sorting of
//! `$in` lists and saved groups does not need their speed.
//! Not stable: callers sort keys that are unique or interchangeable.

/// Sorts `v` so that no element is `less` than the one before it.
pub(super) fn sort_by<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    let len = v.len();
    for start in (0..len / 2).rev() {
        sift_down(v, start, len, &less);
    }
    for end in (1..len).rev() {
        v.swap(0, end);
        sift_down(v, 0, end, &less);
    }
}

/// Restores the max-heap property below `node` within `v[..end]`.
fn sift_down<T>(v: &mut [T], mut node: usize, end: usize, less: &impl Fn(&T, &T) -> bool) {
    let heap = v.get_mut(..end).unwrap_or_default();
    loop {
        let left = 2 * node + 1;
        let pick = match (heap.get(left), heap.get(left + 1)) {
            (Some(l), Some(r)) if less(l, r) => left + 1,
            (Some(_), _) => left,
            (None, _) => return,
        };
        match (heap.get(node), heap.get(pick)) {
            (Some(n), Some(c)) if less(n, c) => heap.swap(node, pick),
            _ => return,
        }
        node = pick;
    }
}

#[cfg(test)]
mod tests {
    use super::sort_by;

    #[test]
    fn sorts_like_std() {
        let mut x = 0x1234_5678u64;
        for len in 0..200 {
            let mut v: Vec<u64> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x % 50
                })
                .collect();
            let mut want = v.clone();
            want.sort();
            sort_by(&mut v, |a, b| a < b);
            assert_eq!(v, want);
        }
    }
}
