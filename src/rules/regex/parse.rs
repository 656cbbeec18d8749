//! The parser: ECMAScript pattern syntax (Annex B, no `u` flag) straight to NFA code.
//!
//! Recursive descent over `Disjunction → Alternative → Term`, appending code to one buffer as it
//! reads (see [`super::compile`]) instead of building a syntax tree. Recursion only happens at
//! `(`, and the depth is capped at [`MAX_NESTING`].
//!
//! Syntax errors return at once. "Unsupported" and "too complex" are *deferred*: the parser
//! keeps going so that a pattern that is invalid JS is reported as invalid, whatever else it uses.

use super::class::{escape_set, push_set, Class, LINE_TERMINATORS};
use super::compile::{repeat, repeat_len, Inst, Look};
use super::fold::canon;
use super::program::Program;
use super::{error, RegexError, INVALID, MAX_NESTING, MAX_PROGRAM, TOO_COMPLEX, UNSUPPORTED};

/// Parses and compiles `pattern`.
pub(super) fn compile(pattern: &str, icase: bool) -> Result<Program, RegexError> {
    let (ncaps, named) = count_groups(pattern.as_bytes());
    let mut p = Parser {
        src: pattern,
        pos: 0,
        code: Vec::new(),
        icase,
        ncaps,
        named,
        names: Vec::new(),
        classes: Vec::new(),
        deferred: None,
    };
    p.disjunction(0)?;
    if p.pos < pattern.len() {
        // The top-level disjunction only stops early at a `)` that closes nothing.
        return Err(error(INVALID, "unmatched ')'", p.pos));
    }
    if p.code.len() > MAX_PROGRAM {
        p.defer(TOO_COMPLEX, "compiled program over the size limit", 0);
    }
    if let Some(e) = p.deferred {
        return Err(e);
    }
    p.code.push(Inst::Match);
    Ok(Program::new(p.code, p.classes, icase))
}

/// Counts capturing groups and notes whether any is named, before parsing: JS decides whether
/// `\2` is a backreference or an octal escape, and whether `\k` is a reference, from the whole
/// pattern, including groups that come later.
fn count_groups(b: &[u8]) -> (u32, bool) {
    let (mut n, mut named, mut in_class) = (0u32, false, false);
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            // Skips the escaped byte; UTF-8 continuation bytes are never special.
            b'\\' => i += 1,
            b'[' => in_class = true,
            b']' => in_class = false,
            b'(' if !in_class => {
                if b.get(i + 1) != Some(&b'?') {
                    n += 1;
                } else if b.get(i + 2) == Some(&b'<') && !matches!(b.get(i + 3), Some(b'=' | b'!'))
                {
                    n += 1;
                    named = true;
                }
            }
            _ => {}
        }
        i += 1;
    }
    (n, named)
}

/// Reads decimal digits at `b[*i..]`, saturating; `None` (and `i` unmoved) if there are none.
fn number(b: &[u8], i: &mut usize) -> Option<u32> {
    let start = *i;
    let mut v: u32 = 0;
    while let Some(d @ b'0'..=b'9') = b.get(*i) {
        v = v.saturating_mul(10).saturating_add((d - b'0') as u32);
        *i += 1;
    }
    (*i > start).then_some(v)
}

/// One element of a class: a code point, or a class escape (`\d`, `\W`, ...).
#[derive(Clone, Copy)]
enum Atom {
    Char(u32),
    Set(&'static [(u32, u32)], bool),
}

struct Parser<'a> {
    src: &'a str,
    /// Byte offset; always on a char boundary.
    pos: usize,
    /// The program so far. It only grows (lookaround bodies aside), so positions stay valid.
    code: Vec<Inst>,
    icase: bool,
    /// Number of capturing groups in the whole pattern.
    ncaps: u32,
    /// Whether the pattern has a named group (then `\k` must be a reference).
    named: bool,
    names: Vec<&'a str>,
    classes: Vec<Class>,
    deferred: Option<RegexError>,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..)?.chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.src.get(self.pos..)?.chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek() == Some(c);
        if hit {
            self.pos += c.len_utf8();
        }
        hit
    }

    /// Records an unsupported / too-complex finding; the first one is reported.
    fn defer(&mut self, code: &'static str, what: &str, at: usize) {
        if self.deferred.is_none() {
            self.deferred = Some(error(code, what, at));
        }
    }

    fn push_char(&mut self, c: u32) {
        self.code
            .push(Inst::Char(if self.icase { canon(c) } else { c }));
    }

    fn push_class(&mut self, ranges: Vec<(u32, u32)>, negated: bool) {
        self.code.push(Inst::Class(self.classes.len() as u32));
        self.classes.push(Class::new(ranges, negated));
    }

    /// `Alternative ( '|' Alternative )*`, up to an unconsumed `)` or the end. Compiles to
    /// `Split(+1, next) a1 Jmp(end) Split(+1, next) a2 Jmp(end) ... an`.
    fn disjunction(&mut self, depth: usize) -> Result<(), RegexError> {
        let mut jumps = Vec::new();
        loop {
            let alt = self.code.len();
            while !matches!(self.peek(), None | Some('|' | ')')) {
                self.term(depth)?;
            }
            if !self.eat('|') {
                break;
            }
            let len = (self.code.len() - alt) as i32;
            self.code.insert(alt, Inst::Split(1, len + 2));
            jumps.push(self.code.len());
            self.code.push(Inst::Jmp(0));
        }
        let end = self.code.len();
        for j in jumps {
            self.code[j] = Inst::Jmp((end - j) as i32);
        }
        Ok(())
    }

    /// `Assertion | Atom Quantifier?`.
    fn term(&mut self, depth: usize) -> Result<(), RegexError> {
        let at = self.pos;
        let start = self.code.len();
        let Some(c) = self.bump() else {
            return Ok(());
        };
        let quantifiable = match c {
            '^' | '$' => {
                let look = if c == '^' { Look::Start } else { Look::End };
                self.code.push(Inst::Assert(look));
                false
            }
            '\\' => self.atom_escape(at)?,
            '(' => self.group(depth, at)?,
            '.' => {
                self.push_class(LINE_TERMINATORS.to_vec(), true);
                true
            }
            '[' => {
                self.class(at)?;
                true
            }
            '*' | '+' | '?' => return Err(error(INVALID, "nothing to repeat", at)),
            // Annex B: `{` is a literal unless it starts a well-formed `{n}`, `{n,}`, `{n,m}`.
            '{' if self.braces(at).is_some() => {
                return Err(error(INVALID, "nothing to repeat", at))
            }
            c => {
                self.push_char(c as u32);
                true
            }
        };
        let q_at = self.pos;
        let (min, max, end) = match self.peek() {
            Some('*') => (0, None, q_at + 1),
            Some('+') => (1, None, q_at + 1),
            Some('?') => (0, Some(1), q_at + 1),
            Some('{') => match self.braces(q_at) {
                Some(q) => q,
                None => return Ok(()),
            },
            _ => return Ok(()),
        };
        self.pos = end;
        // Lazy `*?` etc.: same answer for a yes/no match.
        self.eat('?');
        if !quantifiable {
            return Err(error(INVALID, "nothing to repeat", q_at));
        }
        if max.is_some_and(|m| m < min) {
            return Err(error(
                INVALID,
                "numbers out of order in {} quantifier",
                q_at,
            ));
        }
        let body_len = self.code.len() - start;
        if repeat_len(body_len, min, max) + start as u64 > MAX_PROGRAM as u64 {
            // Leave the body unexpanded: the error is final, and memory stays bounded by the
            // pattern length.
            self.defer(TOO_COMPLEX, "repetition over the program size limit", q_at);
            return Ok(());
        }
        let body = self.code.split_off(start);
        repeat(&body, min, max, &mut self.code);
        Ok(())
    }

    /// A braced quantifier starting at `{` at byte `at`: `(min, max, end)`, or `None` when the
    /// text there is not one (and so, in Annex B, a literal `{`).
    fn braces(&self, at: usize) -> Option<(u32, Option<u32>, usize)> {
        let b = self.src.as_bytes();
        let mut i = at + 1;
        let min = number(b, &mut i)?;
        let max = if b.get(i) == Some(&b',') {
            i += 1;
            number(b, &mut i)
        } else {
            Some(min)
        };
        (b.get(i) == Some(&b'}')).then_some((min, max, i + 1))
    }

    /// After `(`: a group of any kind; returns whether a quantifier may follow it.
    fn group(&mut self, depth: usize, at: usize) -> Result<bool, RegexError> {
        if depth >= MAX_NESTING {
            return Err(error(TOO_COMPLEX, "groups nested too deeply", at));
        }
        // None: keep the body; Some(q): a lookaround, quantifiable iff it is a lookahead.
        let mut look = None;
        if self.eat('?') {
            match self.bump() {
                Some(':') => {}
                Some('=' | '!') => look = Some(true),
                Some('<') if self.eat('=') || self.eat('!') => look = Some(false),
                Some('<') => self.group_name(at)?,
                _ => return Err(error(INVALID, "invalid group", at)),
            }
        }
        let start = self.code.len();
        self.disjunction(depth + 1)?;
        if !self.eat(')') {
            return Err(error(INVALID, "unterminated group", at));
        }
        match look {
            None => Ok(true),
            Some(quantifiable) => {
                self.defer(UNSUPPORTED, "lookaround assertions are not supported", at);
                self.code.truncate(start);
                Ok(quantifiable)
            }
        }
    }

    /// After `(?<`: the group name and `>`.
    fn group_name(&mut self, at: usize) -> Result<(), RegexError> {
        let start = self.pos;
        loop {
            match self.bump() {
                Some('>') => break,
                Some(c)
                    if c == '$'
                        || c == '_'
                        || c.is_ascii_alphabetic()
                        || (c.is_ascii_digit() && self.pos > start + 1) => {}
                // JS allows `\u` escapes and any Unicode identifier here: rare enough to refuse
                // rather than carry identifier tables.
                Some(c) if c == '\\' || !c.is_ascii() => {
                    self.defer(UNSUPPORTED, "group name beyond ASCII [A-Za-z0-9_$]", at)
                }
                _ => return Err(error(INVALID, "invalid capture group name", at)),
            }
        }
        let name = self.src.get(start..self.pos - 1).unwrap_or("");
        if name.is_empty() || self.names.contains(&name) {
            return Err(error(
                INVALID,
                "invalid or duplicate capture group name",
                at,
            ));
        }
        self.names.push(name);
        Ok(())
    }

    /// After `\` outside a class: assertion, class escape, reference or character escape;
    /// returns whether a quantifier may follow it.
    fn atom_escape(&mut self, at: usize) -> Result<bool, RegexError> {
        let Some(c) = self.peek() else {
            return Err(error(INVALID, "\\ at end of pattern", at));
        };
        match c {
            'b' | 'B' => {
                self.pos += 1;
                let look = if c == 'b' { Look::Word } else { Look::NotWord };
                self.code.push(Inst::Assert(look));
                return Ok(false);
            }
            '1'..='9' => {
                // A backreference only if that many groups exist; else Annex B reads it as an
                // octal escape (`\1`..`\7`) or an identity escape (`\8`, `\9`).
                let mut end = self.pos;
                if number(self.src.as_bytes(), &mut end).is_some_and(|n| n <= self.ncaps) {
                    self.pos = end;
                    self.defer(UNSUPPORTED, "backreferences are not supported", at);
                    return Ok(true);
                }
            }
            'k' if self.named => {
                self.pos += 1;
                if self.eat('<') {
                    let start = self.pos;
                    while let Some(c) = self.bump() {
                        if c == '>' {
                            if self.pos == start + 1 {
                                break;
                            }
                            self.defer(UNSUPPORTED, "backreferences are not supported", at);
                            return Ok(true);
                        }
                    }
                }
                return Err(error(INVALID, "invalid named reference", at));
            }
            _ => {}
        }
        if let Some((set, complement)) = escape_set(c) {
            self.pos += 1;
            let mut ranges = Vec::new();
            push_set(&mut ranges, set, complement);
            self.push_class(ranges, false);
            return Ok(true);
        }
        let v = self.char_escape(false, at)?;
        self.push_char(v);
        Ok(true)
    }

    /// After `\`: a character escape (inside or outside a class), as a code point.
    fn char_escape(&mut self, in_class: bool, at: usize) -> Result<u32, RegexError> {
        let Some(c) = self.bump() else {
            return Err(error(INVALID, "\\ at end of pattern", at));
        };
        Ok(match c {
            'f' => 0x0C,
            'n' => 0x0A,
            'r' => 0x0D,
            't' => 0x09,
            'v' => 0x0B,
            'b' if in_class => 0x08,
            'c' => match self.peek() {
                Some(l)
                    if l.is_ascii_alphabetic()
                        || (in_class && (l.is_ascii_digit() || l == '_')) =>
                {
                    self.pos += 1;
                    l as u32 % 32
                }
                // Annex B: `\c` without a control letter is a literal `\`; the `c` is read again.
                _ => {
                    self.pos -= 1;
                    '\\' as u32
                }
            },
            // Annex B legacy octal: up to three digits, at most 0o377.
            '0'..='7' => {
                let mut v = c as u32 - 0x30;
                for _ in 0..2 {
                    match self.peek() {
                        Some(d @ '0'..='7') if v * 8 + (d as u32 - 0x30) < 256 => {
                            self.pos += 1;
                            v = v * 8 + (d as u32 - 0x30);
                        }
                        _ => break,
                    }
                }
                v
            }
            // Annex B: malformed `\x` / `\u` are identity escapes.
            'x' => self.hex(2).unwrap_or('x' as u32),
            'u' => match self.hex(4) {
                // `\uD83D\uDE00` outside a class is one astral char (see the module doc).
                Some(hi @ 0xD800..=0xDBFF) if !in_class => {
                    let save = self.pos;
                    if self.eat('\\') && self.eat('u') {
                        if let Some(lo @ 0xDC00..=0xDFFF) = self.hex(4) {
                            return Ok(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
                        }
                    }
                    self.pos = save;
                    hi
                }
                Some(v) => v,
                None => 'u' as u32,
            },
            // Without `u`, JS reads `\p{L}` as the text `p{L}`: almost surely not what the author
            // meant, so refuse it rather than match something surprising.
            'p' | 'P' if self.peek() == Some('{') => {
                self.defer(
                    UNSUPPORTED,
                    "unicode property escapes are not supported",
                    at,
                );
                c as u32
            }
            c => c as u32,
        })
    }

    /// `n` hex digits at the cursor (consumed), or `None` (nothing consumed).
    fn hex(&mut self, n: usize) -> Option<u32> {
        let digits = self.src.as_bytes().get(self.pos..self.pos + n)?;
        let mut v = 0;
        for &d in digits {
            v = v * 16 + (d as char).to_digit(16)?;
        }
        self.pos += n;
        Some(v)
    }

    /// After `[`: the class up to and including `]`.
    fn class(&mut self, at: usize) -> Result<(), RegexError> {
        let negated = self.eat('^');
        let mut ranges = Vec::new();
        let push = |ranges: &mut Vec<(u32, u32)>, a: Atom| match a {
            Atom::Char(c) => ranges.push((c, c)),
            Atom::Set(set, complement) => push_set(ranges, set, complement),
        };
        while let Some(a) = self.class_atom(at)? {
            // `-` makes a range unless it is last (`[a-]`); the end is then another atom.
            let b = if self.peek() == Some('-') && !matches!(self.peek2(), None | Some(']')) {
                self.pos += 1;
                self.class_atom(at)?
            } else {
                None
            };
            match (a, b) {
                (Atom::Char(lo), Some(Atom::Char(hi))) => {
                    if lo > hi {
                        return Err(error(INVALID, "range out of order in character class", at));
                    }
                    ranges.push((lo, hi));
                }
                // Annex B: a class escape at either end makes the `-` literal (`[\d-z]`).
                (a, b) => {
                    push(&mut ranges, a);
                    if let Some(b) = b {
                        ranges.push((0x2D, 0x2D));
                        push(&mut ranges, b);
                    }
                }
            }
        }
        self.push_class(ranges, negated);
        Ok(())
    }

    /// One class element, or `None` after consuming the closing `]`.
    fn class_atom(&mut self, at: usize) -> Result<Option<Atom>, RegexError> {
        match self.bump() {
            None => Err(error(INVALID, "unterminated character class", at)),
            Some(']') => Ok(None),
            Some('\\') => {
                if let Some((set, complement)) = self.peek().and_then(escape_set) {
                    self.pos += 1;
                    return Ok(Some(Atom::Set(set, complement)));
                }
                Ok(Some(Atom::Char(self.char_escape(true, at)?)))
            }
            Some(c) => Ok(Some(Atom::Char(c as u32))),
        }
    }
}
