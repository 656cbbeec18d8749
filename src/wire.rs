//! The byte format of compiled configs: a cursor over bytes that never trusts them.
//!
//! A compiled config ([`crate::program`]) is written once by the compiler (`trailmark build`,
//! or the tools chunk in the browser) and read on every page by the module. What is read comes
//! from a file or an inline script the module does not control, so [`Reader`] checks every
//! length against what is left, bounds nesting, validates UTF-8, and answers `None` on anything
//! malformed instead of panicking; the caller then rejects the whole program.
//!
//! Encoding: unsigned integers as LEB128 varints, `f64` as 8 little-endian bytes, strings as a
//! length then UTF-8 bytes, sequences as a count then their items, enums as a tag byte then
//! their fields.

/// Deepest nesting a reader accepts (compiled conditions nest at most 32 levels).
pub const MAX_DEPTH: u32 = 96;

/// A compiled value that can be written to and read from the byte format.
///
/// Reading never fails part-way: on malformed bytes a reader *poisons* itself (see
/// [`Reader::fail`]) and every read from then on yields a harmless placeholder (`0`, `""`, an
/// empty list, an enum's "false" variant), so the whole value is built and then thrown away by
/// the caller, who checks [`Reader::ok`]. Straight-line code with no early returns is a fraction
/// of the size of `?` on every field (which needs drop code for every half-built value), and
/// the module every shopper downloads carries the reader.
pub trait Wire: Sized {
    /// Appends `self`.
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer);
    /// Reads one value (a placeholder once the reader is poisoned).
    fn get(r: &mut Reader<'_>) -> Self;
}

/// Builds the bytes of a program.
#[cfg(feature = "compiler")]
#[derive(Default)]
pub struct Writer {
    /// What has been written.
    pub bytes: Vec<u8>,
}

#[cfg(feature = "compiler")]
impl Writer {
    /// Appends an unsigned integer.
    pub fn u(&mut self, mut n: u64) {
        loop {
            let low = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.bytes.push(low);
                return;
            }
            self.bytes.push(low | 0x80);
        }
    }

    /// Appends one byte (an enum tag).
    pub fn tag(&mut self, t: u8) {
        self.bytes.push(t);
    }

    /// Appends anything that has a wire form.
    pub fn put<T: Wire>(&mut self, v: &T) {
        v.put(self);
    }
}

/// `v` written and read back: what a program carries of it (tests check that a compiled
/// config means the same after the trip).
#[cfg(feature = "compiler")]
pub fn round_trip<T: Wire>(v: &T) -> Option<T> {
    let mut w = Writer::default();
    v.put(&mut w);
    let mut r = Reader::new(&w.bytes);
    let out = T::get(&mut r);
    r.finish().then_some(out)
}

/// Reads the bytes of a program, refusing anything malformed.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    depth: u32,
    bad: bool,
}

impl<'a> Reader<'a> {
    /// A reader at the start of `bytes`.
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader {
            bytes,
            at: 0,
            depth: 0,
            bad: false,
        }
    }

    /// Poisons the reader: what it read is not a valid value.
    pub fn fail(&mut self) {
        self.bad = true;
        self.at = self.bytes.len();
    }

    /// Poisons the reader unless `holds`.
    pub fn check(&mut self, holds: bool) {
        if !holds {
            self.fail();
        }
    }

    /// Whether nothing malformed was read so far.
    pub fn ok(&self) -> bool {
        !self.bad
    }

    /// Whether everything read was well formed and every byte was read.
    pub fn finish(&self) -> bool {
        !self.bad && self.at == self.bytes.len()
    }

    /// One byte (0 past the end, poisoning).
    pub fn tag(&mut self) -> u8 {
        match self.bytes.get(self.at) {
            Some(&b) => {
                self.at += 1;
                b
            }
            None => {
                self.fail();
                0
            }
        }
    }

    /// `n` bytes (none past the end, poisoning).
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        match self
            .at
            .checked_add(n)
            .and_then(|end| self.bytes.get(self.at..end))
        {
            Some(out) => {
                self.at += n;
                out
            }
            None => {
                self.fail();
                &[]
            }
        }
    }

    /// An unsigned integer (at most 10 bytes of varint, no overflow).
    pub fn u(&mut self) -> u64 {
        let mut n: u64 = 0;
        let mut shift = 0;
        loop {
            let b = self.tag();
            let part = u64::from(b & 0x7f);
            if shift > 63 || (shift == 63 && part > 1) {
                self.fail();
                return 0;
            }
            n |= part << shift;
            if b & 0x80 == 0 {
                return n;
            }
            shift += 7;
        }
    }

    /// A count of items that follow: never more than the bytes left (every item takes at least
    /// one), so a hostile count cannot make the reader allocate more than the input's size.
    pub fn count(&mut self) -> usize {
        let n = self.u();
        let left = (self.bytes.len() - self.at) as u64;
        self.check(n <= left);
        if self.bad {
            0
        } else {
            n as usize
        }
    }

    /// An index that must be below `len` (0 when it is not, poisoning).
    pub fn index(&mut self, len: usize) -> usize {
        let i = self.u();
        self.check(i < len as u64);
        if self.bad {
            0
        } else {
            i as usize
        }
    }

    /// Reads a nested value with `f`; past [`MAX_DEPTH`] levels, `T::default()` and poison.
    #[inline(never)]
    pub fn nested<T: Default>(&mut self, f: impl FnOnce(&mut Self) -> T) -> T {
        if self.depth >= MAX_DEPTH {
            self.fail();
            return T::default();
        }
        self.depth += 1;
        let out = f(self);
        self.depth -= 1;
        out
    }

    /// A sequence of items read with `item`.
    #[inline(never)]
    pub fn seq<T>(&mut self, mut item: impl FnMut(&mut Self) -> T) -> Vec<T> {
        let n = self.count();
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(item(self));
        }
        out
    }
}

impl Wire for u64 {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.u(*self);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        r.u()
    }
}

impl Wire for u32 {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.u(u64::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let n = r.u();
        r.check(n <= u64::from(u32::MAX));
        n as u32
    }
}

impl Wire for usize {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.u(*self as u64);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let n = r.u();
        r.check(n <= usize::MAX as u64);
        n as usize
    }
}

impl Wire for i64 {
    /// Zigzag, so small negative numbers stay short.
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.u(((*self << 1) ^ (*self >> 63)) as u64);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let z = r.u();
        (z >> 1) as i64 ^ -((z & 1) as i64)
    }
}

impl Wire for bool {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.tag(u8::from(*self));
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let b = r.tag();
        r.check(b <= 1);
        b == 1
    }
}

impl Wire for f64 {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.bytes.extend_from_slice(&self.to_le_bytes());
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let mut b = [0u8; 8];
        let got = r.take(8);
        if got.len() == 8 {
            b.copy_from_slice(got);
        }
        f64::from_le_bytes(b)
    }
}

impl Wire for String {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.u(self.len() as u64);
        w.bytes.extend_from_slice(self.as_bytes());
    }
    #[inline(never)]
    fn get(r: &mut Reader<'_>) -> Self {
        let n = r.count();
        let bytes = r.take(n);
        match core::str::from_utf8(bytes) {
            Ok(s) => s.to_owned(),
            Err(_) => {
                r.fail();
                String::new()
            }
        }
    }
}

impl<T: Wire> Wire for Vec<T> {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.u(self.len() as u64);
        for item in self {
            item.put(w);
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        r.seq(T::get)
    }
}

impl<T: Wire> Wire for Option<T> {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        match self {
            None => w.tag(0),
            Some(v) => {
                w.tag(1);
                v.put(w);
            }
        }
    }
    fn get(r: &mut Reader<'_>) -> Self {
        match r.tag() {
            1 => Some(T::get(r)),
            t => {
                r.check(t == 0);
                None
            }
        }
    }
}

impl<A: Wire, B: Wire> Wire for (A, B) {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        self.0.put(w);
        self.1.put(w);
    }
    fn get(r: &mut Reader<'_>) -> Self {
        let a = A::get(r);
        (a, B::get(r))
    }
}

impl Wire for crate::value::Value {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        use crate::value::Value;
        match self {
            Value::Null => w.tag(0),
            Value::Bool(b) => w.tag(1 + u8::from(*b)),
            Value::Number(n) => {
                w.tag(3);
                n.put(w);
            }
            Value::String(s) => {
                w.tag(4);
                s.put(w);
            }
            Value::Array(items) => {
                w.tag(5);
                items.put(w);
            }
            Value::Object(m) => {
                w.tag(6);
                w.u(m.len() as u64);
                for (k, v) in m.iter() {
                    k.to_owned().put(w);
                    v.put(w);
                }
            }
        }
    }
    #[inline(never)]
    fn get(r: &mut Reader<'_>) -> Self {
        use crate::value::{Map, Value};
        match r.tag() {
            0 => Value::Null,
            1 => Value::Bool(false),
            2 => Value::Bool(true),
            3 => Value::Number(f64::get(r)),
            4 => Value::String(String::get(r)),
            5 => Value::Array(r.nested(|r| r.seq(<Value as Wire>::get))),
            6 => Value::Object(r.nested(|r| {
                let mut m = Map::new();
                for (k, v) in r.seq(<(String, Value)>::get) {
                    m.insert(k, v);
                }
                m
            })),
            _ => {
                r.fail();
                Value::Null
            }
        }
    }
}

#[cfg(all(test, feature = "compiler", not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::value::Value;

    fn round<T: Wire>(v: &T) -> Option<T> {
        round_trip(v)
    }

    #[test]
    fn primitives_round_trip() {
        for n in [0u64, 1, 127, 128, 300, u64::MAX] {
            assert_eq!(round(&n), Some(n));
        }
        for n in [0i64, -1, 1, i64::MIN, i64::MAX] {
            assert_eq!(round(&n), Some(n));
        }
        assert_eq!(round(&-0.5f64), Some(-0.5));
        assert_eq!(round(&"héllo".to_string()), Some("héllo".into()));
        assert_eq!(
            round(&Some(vec![true, false])),
            Some(Some(vec![true, false]))
        );
        let v = Value::parse_json(r#"{"a":[1,"x",null,true,{"b":false}],"c":-2.5}"#).unwrap();
        assert_eq!(round(&v), Some(v));
    }

    #[test]
    fn hostile_bytes_are_refused_not_trusted() {
        fn refused<T: Wire>(bytes: &[u8]) -> bool {
            let mut r = Reader::new(bytes);
            let _ = T::get(&mut r);
            !r.ok()
        }
        // A count larger than the input.
        assert!(refused::<Vec<u64>>(&[0xff, 0xff, 0x03]));
        // A varint that overflows 64 bits.
        assert!(refused::<u64>(&[0xff; 11]));
        // Invalid UTF-8.
        assert!(refused::<String>(&[2, 0xc3, 0x28]));
        // An unknown tag.
        assert!(refused::<Value>(&[9]));
        // Nesting past the limit: 200 nested arrays.
        let mut deep = vec![];
        for _ in 0..200 {
            deep.extend_from_slice(&[5, 1]);
        }
        deep.push(0);
        assert!(refused::<Value>(&deep));
        // Truncated input.
        assert!(refused::<f64>(&[1, 2, 3]));
        // Well-formed input is not refused.
        assert!(!refused::<Value>(&[5, 2, 0, 2]));
    }
}
