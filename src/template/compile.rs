//! The template compiler: text in, a [`Template`] and diagnostics out.
//!
//! A hand-written scanner over the text's bytes. Placeholders are parsed one at a time; a
//! syntax error ends its placeholder (scanning resumes after the next `}}`), other errors are
//! reported and parsing goes on, so every problem of a text is reported at once.

use super::codes::{BAD_FORMAT, SYNTAX, TOO_LARGE, UNKNOWN_PATH};
use super::fill::is_currency;
use super::known::{explain, is_known};
use super::path::{names, split};
use super::{
    Part, Template, LITERAL, MAX_PATH_BYTES, MAX_PATH_NAMES, MAX_PLACEHOLDERS, MAX_TEXT_BYTES,
    MAX_THRESHOLD, MONEYED, NUMBERED, PLAIN, PLURALIZED, RELATIVE,
};
use crate::diag::{Diagnostic, Diagnostics, Path};

/// Compiles `text`, the value of the field at `at` (every diagnostic points there), checking
/// paths against `known` (usually [`KNOWN_PATHS`](super::KNOWN_PATHS); a path is known when it
/// is an entry or lies below one, so `&["cart", "traits"]` admits any path under those roots).
/// `None` when the text has an error (all of them are in `diags`).
pub fn compile(text: &str, at: &Path, known: &[&str], diags: &mut Diagnostics) -> Option<Template> {
    let before = diags.errors().count();
    if text.len() > MAX_TEXT_BYTES {
        let mut msg = String::from("the text is ");
        crate::text::push_u64(&mut msg, text.len() as u64);
        msg.push_str(" bytes; a text with placeholders is at most 4096");
        diags.push(Diagnostic::error(TOO_LARGE, at, msg));
        return None;
    }
    let mut c = Compiler {
        text,
        pos: 0,
        at,
        known,
        diags,
        parts: Vec::new(),
        literal: String::new(),
        placeholders: 0,
    };
    c.run();
    let parts = c.parts;
    (diags.errors().count() == before).then_some(Template { parts })
}

/// A problem already reported: the placeholder is abandoned.
struct Reported;

/// What a placeholder's value is, before its formats.
enum Value {
    Quoted(String),
    /// An attribute, or `below - path`.
    Path(Option<u64>, String),
}

/// A placeholder's format: its name (for messages), kind and texts (see [`Part`]).
struct Format<'n>(&'n str, u8, String, String);

struct Compiler<'a> {
    text: &'a str,
    pos: usize,
    at: &'a Path,
    known: &'a [&'a str],
    diags: &'a mut Diagnostics,
    parts: Vec<Part>,
    /// Literal text not pushed to `parts` yet (adjacent text and quoted text merge).
    literal: String,
    placeholders: usize,
}

/// Whether `b` may be part of a name (a path's, a format's): not ASCII whitespace, a control
/// character, or one of `. | { } : , ' " \`. Bytes of multi-byte characters are.
fn name_byte(b: u8) -> bool {
    !(b.is_ascii_whitespace()
        || b.is_ascii_control()
        || matches!(
            b,
            b'.' | b'|' | b'{' | b'}' | b':' | b',' | b'\'' | b'"' | b'\\'
        ))
}

impl Compiler<'_> {
    fn run(&mut self) {
        while let Some(open) = self.find("{{") {
            self.literal.push_str(&self.text[self.pos..open]);
            self.pos = open + 2;
            if self.placeholder(open).is_err() {
                // Resume after the placeholder's end, if it has one.
                match self.find("}}") {
                    Some(close) => self.pos = close + 2,
                    None => {
                        self.pos = self.text.len();
                        break;
                    }
                }
            }
        }
        self.literal.push_str(&self.text[self.pos..]);
        self.flush();
    }

    /// The next `needle` at or after `pos`.
    fn find(&self, needle: &str) -> Option<usize> {
        self.text[self.pos..].find(needle).map(|i| self.pos + i)
    }

    fn flush(&mut self) {
        if !self.literal.is_empty() {
            self.parts.push(Part {
                kind: LITERAL,
                below: 0,
                texts: vec![std::mem::take(&mut self.literal)],
                names: Vec::new(),
            });
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn error(&mut self, code: &'static str, msg: String) {
        self.diags.push(Diagnostic::error(code, self.at, msg));
    }

    /// `what` at byte `at`, then `rest`.
    fn message(what: &str, at: usize, rest: &str) -> String {
        let mut msg = String::from(what);
        msg.push_str(" at byte ");
        crate::text::push_u64(&mut msg, at as u64);
        msg.push_str(rest);
        msg
    }

    /// A syntax error at the current position: the end of the text (the placeholder opened
    /// at `open` is not closed) or an unexpected character.
    fn unexpected(&mut self, open: usize, expected: &str) -> Reported {
        let msg = match self.text[self.pos..].chars().next() {
            None => Self::message(
                "\"{{\"",
                open,
                " is not closed with \"}}\"; to show \"{{\" as text, write {{ '{{' }}",
            ),
            Some(c) => {
                let mut found = String::from("unexpected \"");
                found.push(c);
                found.push('"');
                let mut rest = String::from("; expected ");
                rest.push_str(expected);
                Self::message(&found, self.pos, &rest)
            }
        };
        self.error(SYNTAX, msg);
        Reported
    }

    /// One placeholder; `pos` is just after its `{{` (at `open`). On success `pos` is just
    /// after its `}}`.
    fn placeholder(&mut self, open: usize) -> Result<(), Reported> {
        let errors = self.diags.errors().count();
        self.skip_ws();
        let value = match self.peek() {
            Some(b'\'' | b'"') => Value::Quoted(self.quoted()?),
            Some(b'0'..=b'9') => {
                let n = self.number()?;
                self.skip_ws();
                if self.peek() != Some(b'-') {
                    return Err(self.unexpected(
                        open,
                        "\"-\" and an attribute path after a number (5000 - cart.value)",
                    ));
                }
                self.pos += 1;
                self.skip_ws();
                Value::Path(Some(n), self.path(open)?)
            }
            Some(b'}') if self.text[self.pos..].starts_with("}}") => {
                let msg = Self::message(
                    "empty placeholder",
                    open,
                    "; write an attribute path, as in {{ cart.count }}",
                );
                self.error(SYNTAX, msg);
                // Scanning resumes after this `}}`.
                return Err(Reported);
            }
            Some(b) if name_byte(b) => Value::Path(None, self.path(open)?),
            _ => {
                return Err(self.unexpected(open, "an attribute path, a number or quoted text"));
            }
        };
        let mut format: Option<Format> = None;
        let mut fallback = None;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'|') => self.pos += 1,
                Some(b'}') if self.text[self.pos..].starts_with("}}") => {
                    self.pos += 2;
                    break;
                }
                _ => return Err(self.unexpected(open, "\"|\" or \"}}\"")),
            }
            self.skip_ws();
            let start = self.pos;
            while self.peek().is_some_and(name_byte) {
                self.pos += 1;
            }
            let name = &self.text[start..self.pos];
            if name.is_empty() {
                return Err(self.unexpected(open, "a format: number, money, plural or else"));
            }
            self.skip_ws();
            let mut args = Vec::new();
            if self.peek() == Some(b':') {
                loop {
                    self.pos += 1;
                    self.skip_ws();
                    if !matches!(self.peek(), Some(b'\'' | b'"')) {
                        return Err(self.unexpected(open, "quoted text ('...')"));
                    }
                    args.push(self.quoted()?);
                    self.skip_ws();
                    if self.peek() != Some(b',') {
                        break;
                    }
                }
            }
            self.format(name, start, args, &mut format, &mut fallback);
        }
        let (below, path) = match value {
            Value::Quoted(text) => {
                if format.is_some() || fallback.is_some() {
                    let msg = Self::message(
                        "quoted text",
                        open,
                        " takes no format and no else: it is shown as it is",
                    );
                    self.error(BAD_FORMAT, msg);
                }
                self.literal.push_str(&text);
                return Ok(());
            }
            Value::Path(below, path) => (below, path),
        };
        self.placeholders += 1;
        if self.placeholders == MAX_PLACEHOLDERS + 1 {
            let msg = Self::message(
                "placeholder",
                open,
                " is one too many: a text has at most 32 placeholders",
            );
            self.error(TOO_LARGE, msg);
        }
        if self.diags.errors().count() == errors {
            let Format(_, kind, text, mut other) =
                format.unwrap_or(Format("", PLAIN, String::new(), String::new()));
            if kind == MONEYED && text.is_empty() {
                // The currency beside the amount: `cart.currency` for `cart.value`.
                other = match path.rfind('.') {
                    Some(dot) => path[..=dot].to_owned(),
                    None => String::new(),
                };
                other.push_str("currency");
            }
            let names = split(&path);
            let mut texts = vec![text, other, path];
            texts.extend(fallback);
            self.flush();
            self.parts.push(Part {
                kind: if below.is_some() {
                    kind | RELATIVE
                } else {
                    kind
                },
                below: below.unwrap_or(0),
                texts,
                names,
            });
        }
        Ok(())
    }

    /// Applies the format `name` (at byte `start`) with `args`.
    fn format<'n>(
        &mut self,
        name: &'n str,
        start: usize,
        mut args: Vec<String>,
        format: &mut Option<Format<'n>>,
        fallback: &mut Option<String>,
    ) {
        let (want, usage) = match name {
            "number" => (0..=0, "number takes no arguments"),
            "money" => (
                0..=1,
                "money takes at most a currency code, as in money: 'EUR'",
            ),
            "plural" => (
                2..=2,
                "plural takes two words, as in plural: 'item', 'items'",
            ),
            "else" => (1..=1, "else takes one text, as in else: 'there'"),
            _ => {
                let mut what = String::from("unknown format \"");
                what.push_str(name);
                what.push('"');
                let msg = Self::message(&what, start, "; use number, money, plural or else");
                self.error(BAD_FORMAT, msg);
                return;
            }
        };
        let bad = |what: &str, rest: &str| {
            let mut w = String::from(name);
            w.push_str(what);
            Self::message(&w, start, rest)
        };
        if !want.contains(&args.len()) {
            let mut rest = String::from(": ");
            rest.push_str(usage);
            let msg = bad(" with the wrong arguments", &rest);
            return self.error(BAD_FORMAT, msg);
        }
        if name == "else" {
            if fallback.is_some() {
                let msg = bad(" again", "; a placeholder has one else");
                return self.error(BAD_FORMAT, msg);
            }
            *fallback = args.pop();
            return;
        }
        if let Some(Format(first, ..)) = format {
            let mut rest = String::from(" after ");
            rest.push_str(first);
            rest.push_str("; a placeholder has one format (number, money or plural)");
            let msg = bad("", &rest);
            return self.error(BAD_FORMAT, msg);
        }
        let f = match name {
            "number" => Format(name, NUMBERED, String::new(), String::new()),
            "plural" => {
                let other = args.pop().unwrap_or_default();
                Format(name, PLURALIZED, args.pop().unwrap_or_default(), other)
            }
            // money: a code named, or "" for the currency beside the amount (whose path is
            // set once the placeholder is read: see `placeholder`).
            _ => match args.pop() {
                Some(code) if is_currency(&code) => Format(name, MONEYED, code, String::new()),
                Some(code) => {
                    let mut rest = String::from(": \"");
                    rest.push_str(&code);
                    rest.push_str("\" is not a currency code; use three letters, as in 'EUR'");
                    let msg = bad("", &rest);
                    return self.error(BAD_FORMAT, msg);
                }
                None => Format(name, MONEYED, String::new(), String::new()),
            },
        };
        *format = Some(f);
    }

    /// Quoted text at `pos` (single or double quotes; `\'`, `\"` and `\\` escapes).
    fn quoted(&mut self) -> Result<String, Reported> {
        let start = self.pos;
        let quote = self.text.as_bytes()[start];
        let mut out = String::new();
        let mut run = start + 1;
        let mut i = start + 1;
        while let Some(&b) = self.text.as_bytes().get(i) {
            if b == quote {
                out.push_str(&self.text[run..i]);
                self.pos = i + 1;
                return Ok(out);
            }
            if b == b'\\' {
                out.push_str(&self.text[run..i]);
                match self.text.as_bytes().get(i + 1) {
                    Some(&e @ (b'\\' | b'\'' | b'"')) => out.push(e as char),
                    _ => {
                        let msg = Self::message(
                            "bad escape",
                            i,
                            "; inside quoted text write \\' \\\" or \\\\",
                        );
                        self.error(SYNTAX, msg);
                        self.pos = i + 1;
                        return Err(Reported);
                    }
                }
                i += 2;
                run = i;
                continue;
            }
            i += 1;
        }
        let msg = Self::message(
            "quoted text",
            start,
            " is not closed (a quote of the same kind ends it)",
        );
        self.error(SYNTAX, msg);
        self.pos = self.text.len();
        Err(Reported)
    }

    /// The digits at `pos`: at most 15.
    fn number(&mut self) -> Result<u64, Reported> {
        let start = self.pos;
        let mut n: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            n = n.saturating_mul(10).saturating_add(u64::from(d - b'0'));
            self.pos += 1;
        }
        if self.pos - start > 15 || n > MAX_THRESHOLD {
            let msg = Self::message(
                "number",
                start,
                " has more than 15 digits; amounts are in minor units, as in 5000 for $50.00",
            );
            self.error(SYNTAX, msg);
            return Err(Reported);
        }
        Ok(n)
    }

    /// A dot path at `pos`, checked against the known paths.
    fn path(&mut self, open: usize) -> Result<String, Reported> {
        let start = self.pos;
        loop {
            let name = self.pos;
            while self.peek().is_some_and(name_byte) {
                self.pos += 1;
            }
            if self.pos == name {
                return Err(self.unexpected(open, "a name (an attribute path is names and dots)"));
            }
            if self.peek() != Some(b'.') {
                break;
            }
            self.pos += 1;
        }
        let text = &self.text[start..self.pos];
        if names(text) > MAX_PATH_NAMES || text.len() > MAX_PATH_BYTES {
            let msg = Self::message(
                "path",
                start,
                " is too long: at most 16 names and 200 bytes",
            );
            self.error(TOO_LARGE, msg);
        } else if !is_known(text, self.known) {
            let mut what = String::from("unknown attribute path \"");
            what.push_str(text);
            what.push('"');
            let msg = Self::message(&what, start, &explain(text, self.known));
            self.error(UNKNOWN_PATH, msg);
        }
        Ok(text.to_owned())
    }
}
