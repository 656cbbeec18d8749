//! Whether a stored event is exactly one JSON object.
//!
//! Queued events are spliced into request bodies as they are (`{"batch":[e1,e2],...}`), so an
//! event restored from storage that is not one complete JSON value could add to the body around
//! it: `{"a":1}],"batch":[{"forged":1}` starts and ends with a brace, and would replace the real
//! batch with a forged one (issue 11, finding 4). This checks the RFC 8259 grammar byte by byte:
//! one object, strings closed, escapes valid, nothing after it but whitespace. A recognizer, not
//! a parser: nothing is built, so it costs far less than a JSON parser in the module.

/// Deeper nesting is refused: events are at most a few levels deeper than their properties
/// (`crate::limits::MAX_PROPERTY_DEPTH`), and recursion here must stay bounded.
const MAX_DEPTH: u32 = 64;

/// True when `s` is one JSON object (whitespace around it allowed) and nothing else.
pub fn is_one_object(s: &str) -> bool {
    let mut scan = Scan {
        b: s.as_bytes(),
        i: 0,
    };
    let c = scan.token();
    // Past the end, `token` reads 0; a NUL byte inside the text reads 0 too, but earlier.
    c == b'{' && scan.value(c, 0) && scan.token() == 0 && scan.i > s.len()
}

/// Bytes are read one at a time; past the end they read as 0, which no rule accepts (a raw NUL
/// is not valid JSON anywhere), so every loop ends there without separate end checks.
struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn peek(&self) -> u8 {
        self.b.get(self.i).copied().unwrap_or(0)
    }

    fn next(&mut self) -> u8 {
        let c = self.peek();
        self.i += 1;
        c
    }

    /// The next byte that is not whitespace, consumed.
    fn token(&mut self) -> u8 {
        loop {
            let c = self.next();
            if !matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
                return c;
            }
        }
    }

    /// Consumes ASCII digits; how many.
    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_ascii_digit() {
            self.i += 1;
        }
        self.i - start
    }

    /// The value whose first byte, `c`, was just consumed.
    fn value(&mut self, c: u8, depth: u32) -> bool {
        match c {
            b'{' | b'[' => {
                let close = c + 2; // `}` and `]` follow `{` and `[` by two in ASCII
                if depth >= MAX_DEPTH {
                    return false;
                }
                let mut t = self.token();
                if t == close {
                    return true;
                }
                loop {
                    if c == b'{' {
                        if t != b'"' || !self.string() || self.token() != b':' {
                            return false;
                        }
                        t = self.token();
                    }
                    if !self.value(t, depth + 1) {
                        return false;
                    }
                    t = self.token();
                    if t == close {
                        return true;
                    }
                    if t != b',' {
                        return false;
                    }
                    t = self.token();
                }
            }
            b'"' => self.string(),
            b't' => self.rest(b"rue"),
            b'f' => self.rest(b"alse"),
            b'n' => self.rest(b"ull"),
            _ => {
                self.i -= 1;
                self.number()
            }
        }
    }

    /// The rest of a literal.
    fn rest(&mut self, w: &[u8]) -> bool {
        let hit = self.b.get(self.i..self.i + w.len()) == Some(w);
        self.i += w.len();
        hit
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> bool {
        self.i += usize::from(self.peek() == b'-');
        let lead = self.peek();
        let int = self.digits();
        if int == 0 || (lead == b'0' && int > 1) {
            return false;
        }
        if self.peek() == b'.' {
            self.i += 1;
            if self.digits() == 0 {
                return false;
            }
        }
        if self.peek() | 0x20 == b'e' {
            self.i += 1;
            self.i += usize::from(matches!(self.peek(), b'+' | b'-'));
            if self.digits() == 0 {
                return false;
            }
        }
        true
    }

    /// Four hex digits, as a number.
    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0;
        for _ in 0..4 {
            v = v * 16 + char::from(self.next()).to_digit(16)?;
        }
        Some(v)
    }

    /// A string after its opening quote: closed, no raw control characters, only the escapes
    /// JSON has. (The bytes are UTF-8 already: they came from a `&str`.)
    fn string(&mut self) -> bool {
        loop {
            match self.next() {
                b'"' => return true,
                0..=0x1f => return false,
                b'\\' => match self.next() {
                    // A lone surrogate is valid grammar, but the collector's parser (serde_json)
                    // refuses it, and with it the whole batch: a pair or nothing.
                    b'u' => match self.hex4() {
                        Some(0xD800..=0xDBFF) => {
                            if self.next() != b'\\'
                                || self.next() != b'u'
                                || !matches!(self.hex4(), Some(0xDC00..=0xDFFF))
                            {
                                return false;
                            }
                        }
                        Some(0xDC00..=0xDFFF) | None => return false,
                        Some(_) => {}
                    },
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    _ => return false,
                },
                _ => {}
            }
        }
    }
}
