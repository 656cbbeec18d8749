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
    scan.ws();
    scan.peek() == Some(b'{') && scan.value(0) && {
        scan.ws();
        scan.i == scan.b.len()
    }
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// Skips whitespace, then consumes `c` if it is next.
    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }

    /// Consumes ASCII digits; how many.
    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.i += 1;
        }
        self.i - start
    }

    fn value(&mut self, depth: u32) -> bool {
        self.ws();
        let Some(c) = self.peek() else {
            return false;
        };
        match c {
            b'{' | b'[' => {
                let close = c + 2; // `}` and `]` follow `{` and `[` by two in ASCII
                if depth >= MAX_DEPTH {
                    return false;
                }
                self.i += 1;
                if self.eat(close) {
                    return true;
                }
                loop {
                    if c == b'{' {
                        self.ws();
                        if self.peek() != Some(b'"') || !self.string() || !self.eat(b':') {
                            return false;
                        }
                    }
                    if !self.value(depth + 1) {
                        return false;
                    }
                    if self.eat(close) {
                        return true;
                    }
                    if !self.eat(b',') {
                        return false;
                    }
                }
            }
            b'"' => self.string(),
            b't' => self.word(b"true"),
            b'f' => self.word(b"false"),
            b'n' => self.word(b"null"),
            _ => self.number(),
        }
    }

    fn word(&mut self, w: &[u8]) -> bool {
        let hit = self.b[self.i..].starts_with(w);
        self.i += w.len();
        hit
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> bool {
        self.i += usize::from(self.peek() == Some(b'-'));
        let lead = self.peek();
        let int = self.digits();
        if int == 0 || (lead == Some(b'0') && int > 1) {
            return false;
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return false;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            self.i += usize::from(matches!(self.peek(), Some(b'+' | b'-')));
            if self.digits() == 0 {
                return false;
            }
        }
        true
    }

    /// Four hex digits, as a number.
    fn hex4(&mut self) -> Option<u32> {
        let mut v = 0;
        for &c in self.b.get(self.i..self.i + 4)? {
            v = v * 16 + char::from(c).to_digit(16)?;
        }
        self.i += 4;
        Some(v)
    }

    /// A string starting at the opening quote: closed, no raw control characters, only the
    /// escapes JSON has. (The bytes are UTF-8 already: they came from a `&str`.)
    fn string(&mut self) -> bool {
        self.i += 1;
        loop {
            let Some(c) = self.peek() else {
                return false;
            };
            self.i += 1;
            match c {
                b'"' => return true,
                0..=0x1f => return false,
                b'\\' => {
                    let Some(e) = self.peek() else {
                        return false;
                    };
                    self.i += 1;
                    if e == b'u' {
                        // A lone surrogate is valid grammar, but the collector's parser (serde_json)
                        // refuses it, and with it the whole batch: a pair or nothing.
                        match self.hex4() {
                            Some(0xD800..=0xDBFF) => {
                                if !self.b[self.i..].starts_with(b"\\u") {
                                    return false;
                                }
                                self.i += 2;
                                if !matches!(self.hex4(), Some(0xDC00..=0xDFFF)) {
                                    return false;
                                }
                            }
                            Some(0xDC00..=0xDFFF) | None => return false,
                            Some(_) => {}
                        }
                    } else if !b"\"\\/bfnrt".contains(&e) {
                        return false;
                    }
                }
                _ => {}
            }
        }
    }
}
