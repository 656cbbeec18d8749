//! Fixed-capacity unsigned big integers, just enough for exact decimal <-> binary conversion.
//!
//! Exact conversion between decimal text and `f64` needs integers of a few thousand bits in the
//! worst case (a 800-digit mantissa over `10^1124`). Limbs live in a fixed array on the stack:
//! no allocation, and the callers bound every operand so the capacity is never exceeded (if it
//! ever were, the top limbs would be dropped and a debug assertion fires: wrong, never a panic in
//! release).

use core::cmp::Ordering;

/// 132 x 32 = 4 224 bits: the largest operand (see `parse.rs`) needs under 3 800.
const LIMBS: usize = 132;

/// An unsigned integer of at most `LIMBS * 32` bits, little-endian limbs.
#[derive(Clone)]
pub(super) struct Big {
    limbs: [u32; LIMBS],
    /// Limbs in use; every limb at or above `len` is zero.
    len: usize,
}

impl Big {
    /// `v`.
    pub(super) fn from_u64(v: u64) -> Big {
        let mut b = Big {
            limbs: [0; LIMBS],
            len: 0,
        };
        b.set_limb(0, v as u32);
        b.set_limb(1, (v >> 32) as u32);
        b.len = 2;
        b.trim();
        b
    }

    fn limb(&self, i: usize) -> u32 {
        self.limbs.get(i).copied().unwrap_or(0)
    }

    fn set_limb(&mut self, i: usize, v: u32) {
        match self.limbs.get_mut(i) {
            Some(l) => *l = v,
            None => debug_assert!(v == 0, "Big capacity exceeded"),
        }
    }

    fn trim(&mut self) {
        while self.len > 0 && self.limb(self.len - 1) == 0 {
            self.len -= 1;
        }
    }

    /// Whether the value is zero.
    pub(super) fn is_zero(&self) -> bool {
        self.len == 0
    }

    /// Number of significant bits (0 for zero).
    pub(super) fn bit_len(&self) -> usize {
        match self.len {
            0 => 0,
            n => n * 32 - self.limb(n - 1).leading_zeros() as usize,
        }
    }

    /// `self = self * m + add`.
    pub(super) fn mul_add_small(&mut self, m: u32, add: u32) {
        let mut carry = u64::from(add);
        for l in self.limbs.iter_mut().take(self.len) {
            let t = u64::from(*l) * u64::from(m) + carry;
            *l = t as u32;
            carry = t >> 32;
        }
        if carry != 0 {
            self.set_limb(self.len, carry as u32);
            self.len = (self.len + 1).min(LIMBS);
        }
    }

    /// `self *= 10^n`.
    pub(super) fn mul_pow10(&mut self, mut n: u32) {
        while n >= 9 {
            self.mul_add_small(1_000_000_000, 0);
            n -= 9;
        }
        let mut m = 1u32;
        for _ in 0..n {
            m *= 10;
        }
        self.mul_add_small(m, 0);
    }

    /// `self <<= bits`.
    pub(super) fn shl(&mut self, bits: usize) {
        if self.is_zero() {
            return;
        }
        let (whole, part) = (bits / 32, (bits % 32) as u32);
        let new_len = (self.len + whole + 1).min(LIMBS);
        // High to low, so every source limb is read before it is overwritten.
        for i in (0..new_len).rev() {
            let src = |k: usize| if k < whole { 0 } else { self.limb(k - whole) };
            let hi = src(i);
            let v = if part == 0 {
                hi
            } else {
                let lo = if i == 0 { 0 } else { src(i - 1) };
                (hi << part) | (lo >> (32 - part))
            };
            self.set_limb(i, v);
        }
        self.len = new_len;
        self.trim();
    }

    /// `self >>= 1`.
    pub(super) fn shr1(&mut self) {
        for i in 0..self.len {
            let v = (self.limb(i) >> 1) | (self.limb(i + 1) << 31);
            self.set_limb(i, v);
        }
        self.trim();
    }

    /// `self += other`.
    pub(super) fn add(&mut self, other: &Big) {
        let n = self.len.max(other.len);
        let mut carry = 0u64;
        for i in 0..n {
            let t = u64::from(self.limb(i)) + u64::from(other.limb(i)) + carry;
            self.set_limb(i, t as u32);
            carry = t >> 32;
        }
        self.len = n;
        if carry != 0 {
            self.set_limb(n, 1);
            self.len = (n + 1).min(LIMBS);
        }
    }

    /// `self -= other`; the caller guarantees `self >= other`.
    pub(super) fn sub(&mut self, other: &Big) {
        let mut borrow = 0i64;
        for i in 0..self.len {
            let t = i64::from(self.limb(i)) - i64::from(other.limb(i)) - borrow;
            borrow = i64::from(t < 0);
            self.set_limb(i, t.rem_euclid(1 << 32) as u32);
        }
        debug_assert!(borrow == 0, "Big subtraction underflow");
        self.trim();
    }

    /// Compares two values.
    pub(super) fn cmp(&self, other: &Big) -> Ordering {
        if self.len != other.len {
            return self.len.cmp(&other.len);
        }
        for i in (0..self.len).rev() {
            match self.limb(i).cmp(&other.limb(i)) {
                Ordering::Equal => {}
                o => return o,
            }
        }
        Ordering::Equal
    }

    /// `(self + other).cmp(rhs)` without disturbing the operands.
    pub(super) fn sum_cmp(&self, other: &Big, rhs: &Big) -> Ordering {
        let mut t = self.clone();
        t.add(other);
        t.cmp(rhs)
    }

    /// The top (at most) 64 bits: `self = (q + e) * 2^exp` with `0 <= e < 1`, and `e != 0`
    /// exactly when `sticky`.
    pub(super) fn top_u64(&self) -> (u64, i32, bool) {
        let bits = self.bit_len();
        if bits <= 64 {
            let v = u64::from(self.limb(0)) | (u64::from(self.limb(1)) << 32);
            return (v, 0, false);
        }
        let shift = bits - 64;
        let (li, off) = (shift / 32, shift % 32);
        let window = u128::from(self.limb(li))
            | (u128::from(self.limb(li + 1)) << 32)
            | (u128::from(self.limb(li + 2)) << 64);
        let q = (window >> off) as u64;
        let low_mask = (1u32 << off).wrapping_sub(1);
        let sticky = self.limb(li) & low_mask != 0 || (0..li).any(|i| self.limb(i) != 0);
        (q, shift as i32, sticky)
    }

    /// `floor(self / div)` and `self %= div`, for quotients below `2^(qbits)` (`qbits <= 63`):
    /// shift-and-subtract long division, one quotient bit per step.
    pub(super) fn div_rem_small_quotient(&mut self, div: &Big, qbits: usize) -> u64 {
        let mut d = div.clone();
        d.shl(qbits - 1);
        let mut q = 0u64;
        for _ in 0..qbits {
            q <<= 1;
            if self.cmp(&d) != Ordering::Less {
                self.sub(&d);
                q |= 1;
            }
            d.shr1();
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_u128(b: &Big) -> u128 {
        (0..4).fold(0u128, |acc, i| acc | (u128::from(b.limb(i)) << (32 * i)))
    }

    #[test]
    fn arithmetic_matches_u128() {
        let mut b = Big::from_u64(0xDEAD_BEEF_1234_5678);
        b.shl(37);
        assert_eq!(to_u128(&b), 0xDEAD_BEEF_1234_5678u128 << 37);
        b.shr1();
        assert_eq!(to_u128(&b), 0xDEAD_BEEF_1234_5678u128 << 36);
        b.mul_add_small(1000, 7);
        assert_eq!(to_u128(&b), (0xDEAD_BEEF_1234_5678u128 << 36) * 1000 + 7);
        let mut c = Big::from_u64(1);
        c.mul_pow10(30);
        assert_eq!(to_u128(&c), 10u128.pow(30));
        let mut d = c.clone();
        d.add(&Big::from_u64(u64::MAX));
        assert_eq!(to_u128(&d), 10u128.pow(30) + u128::from(u64::MAX));
        d.sub(&c);
        assert_eq!(to_u128(&d), u128::from(u64::MAX));
        let mut n = Big::from_u64(1_000_000_007);
        n.shl(20);
        let q = n.div_rem_small_quotient(&Big::from_u64(3), 63);
        assert_eq!(u128::from(q), (1_000_000_007u128 << 20) / 3);
        assert_eq!(to_u128(&n), (1_000_000_007u128 << 20) % 3);
        assert_eq!(Big::from_u64(0).bit_len(), 0);
        assert!(Big::from_u64(0).is_zero());
    }

    #[test]
    fn top_bits_and_sticky() {
        let mut b = Big::from_u64(0b1011);
        b.shl(100);
        assert_eq!(b.top_u64(), (0b1011 << 60, 40, false));
        b.add(&Big::from_u64(1));
        assert_eq!(b.top_u64(), (0b1011 << 60, 40, true));
    }
}
