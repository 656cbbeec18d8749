//! A small linear-time matcher for a documented subset of ECMAScript regular expressions.
//!
//! Conditions (`$regex`, `$regexi`) run visitor-controlled strings against site-owner patterns,
//! in every shopper's browser. A backtracking engine can take exponential time there
//! (`(a+)+$` against `aaaa…b`), and a general regex crate costs ~22 KB of the module (see
//! TOOLCHAIN.md). This one parses the pattern straight into NFA code (`parse.rs`, `compile.rs`)
//! and simulates all threads at once (`vm.rs`): `O(haystack chars × program length)`, no
//! backtracking, no recursion at match time, no dependencies.
//!
//! [`Regex::is_match`] answers like JS `new RegExp(pattern, flags).test(haystack)`: an
//! unanchored search unless `^` / `$` say otherwise; flags are `""` or `"i"`.
//!
//! ## Supported syntax (JS without the `u` flag, including its Annex B leniencies)
//!
//! | syntax | meaning |
//! |---|---|
//! | `a`, `]`, `}`, `{` | literal (a `{` that does not start `{n}`, `{n,}` or `{n,m}` is literal) |
//! | `\n \t \r \f \v \0` | LF, TAB, CR, FF, VT, NUL |
//! | `\xHH \uHHHH` | code unit; a malformed one is the letter itself (`\x`, `\u`); `\uD83D\uDE00` outside a class is one astral char |
//! | `\cX` | control char `X % 32` (`\c` + other: a literal `\`); in a class also `\c0`..`\c9`, `\c_` |
//! | `\1`..`\7…` | octal (up to `\377`) when the pattern has fewer groups than the number; `\8 \9` are `8 9` |
//! | `\` + any other char | that char (`\/ \. \\ \- \a` …) |
//! | `.` | any char except `\n \r \u2028 \u2029` |
//! | `[abc] [^abc] [a-z]` | classes, escapes allowed inside (`\b` there is backspace); `[]` never matches, `[^]` always does; `[\d-z]` is `\d`, `-`, `z` |
//! | `\d \D \w \W \s \S` | JS definitions (`\w` is ASCII; `\s` is JS WhiteSpace + LineTerminator) |
//! | `^ $` | start / end of input (there is no `m` flag) |
//! | `\b \B` | word boundary / not one (ASCII word chars) |
//! | `( )` `(?: )` `(?<name> )` | groups (names: ASCII `[A-Za-z_$][A-Za-z0-9_$]*`, unique) |
//! | `a\|b` | alternation |
//! | `* + ? {n} {n,} {n,m}` | quantifiers; the lazy forms (`*?` …) parse and answer the same |
//! | flag `i` | JS non-unicode `Canonicalize`: chars compare by their simple uppercase, except that an uppercase of several chars (`ß`) or a non-ASCII char mapping into ASCII (`ſ`, `ı`) keeps the char itself; classes match if any case-equivalent char is in them. Exact over the BMP (Unicode data of Rust's `core`, checked by a test) |
//!
//! ## Rejected
//!
//! | code | when |
//! |---|---|
//! | `rules/regex-invalid` | a JS `SyntaxError`: unbalanced `(` `)`, unterminated `[`, nothing to repeat (`*a`, `a**`, `^*`, `{1}`), `[z-a]`, `a{2,1}`, `\` at the end, `(?x)`, bad or duplicate group names, `\k` not followed by `<name>` in a pattern with named groups |
//! | `rules/regex-unsupported` | valid JS this matcher does not do: backreferences (`\1`, `\k<name>`), lookahead and lookbehind (`(?=` `(?!` `(?<=` `(?<!`), `\p{…}` / `\P{…}` (which JS without `u` would read as the letters `p{…}`), group names with escapes or non-ASCII chars |
//! | `rules/regex-too-long` | more than [`MAX_PATTERN_CHARS`] chars |
//! | `rules/regex-too-complex` | compiled program over [`MAX_PROGRAM`] instructions (counted repetition multiplies: `(a{100}){100}`), or groups nested deeper than [`MAX_NESTING`] |
//!
//! A syntax error wins over "unsupported" and an oversized program: the parser reads the whole
//! pattern before reporting those. The length and nesting limits stop it at once.
//!
//! ## Cost
//!
//! Measured 2026-11-23 (opt-level `z`, LTO, `wasm-opt -Oz`, brotli -q 11) against a module that
//! already has the allocator, strings, integer formatting and panics: compile + match add
//! ~13.1 KB raw, **~6.0 KB brotli**, of which the case-folding table is ~0.7 KB (Rust's
//! `char::to_uppercase` alone would be ~13 KB raw). Matching allocates a few vectors sized by the
//! program per call and takes at most `(chars + 1) × program length` steps.
//!
//! ## Known deviation
//!
//! Matching is over Unicode scalar values, JS (without `u`) matches UTF-16 code units. A char
//! outside the BMP (emoji) is therefore one char here and two to JS: `/^.$/` matches `"😀"` here
//! but not in JS, a quantifier after a literal emoji repeats the whole emoji, and a lone
//! surrogate (`\uD83D`, or a class range over surrogates) never matches. Text in the BMP behaves
//! exactly as in JS.

mod class;
mod compile;
mod fold;
#[cfg(feature = "compiler")]
mod parse;
mod program;
mod vm;

#[cfg(feature = "compiler")]
use crate::text::push_u64;

/// Longest accepted pattern, in chars: config patterns are short; this bounds compile work.
pub const MAX_PATTERN_CHARS: usize = 512;
/// Largest compiled program, in instructions. Matching costs at most this many steps per
/// haystack char, so it bounds the worst case of every `$regex` evaluation.
pub const MAX_PROGRAM: usize = 2048;
/// Deepest group nesting (bounds the parser's recursion).
pub const MAX_NESTING: usize = 64;

#[cfg(feature = "compiler")]
const INVALID: &str = "rules/regex-invalid";
#[cfg(feature = "compiler")]
const UNSUPPORTED: &str = "rules/regex-unsupported";
#[cfg(feature = "compiler")]
const TOO_LONG: &str = "rules/regex-too-long";
#[cfg(feature = "compiler")]
const TOO_COMPLEX: &str = "rules/regex-too-complex";

/// Why a pattern was rejected.
#[cfg(feature = "compiler")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegexError {
    /// `rules/regex-invalid`, `rules/regex-unsupported`, `rules/regex-too-long` or
    /// `rules/regex-too-complex` (see the module docs).
    pub code: &'static str,
    /// What is wrong and where, e.g. `nothing to repeat at byte 0`.
    pub message: String,
}

/// `"{what} at byte {at}"`, without `format!`.
#[cfg(feature = "compiler")]
fn error(code: &'static str, what: &str, at: usize) -> RegexError {
    let mut message = String::from(what);
    message.push_str(" at byte ");
    push_u64(&mut message, at as u64);
    RegexError { code, message }
}

/// Longest text a pattern is matched against, in bytes; past it only the start is read (cut at
/// a char boundary). Page fields are cut to 2 KB and event strings to 8 KB before they get here.
pub const MAX_HAYSTACK_BYTES: usize = 8 * 1024;

/// `hay` cut to [`MAX_HAYSTACK_BYTES`] at a char boundary.
fn bounded(hay: &str) -> &str {
    let mut cut = hay.len().min(MAX_HAYSTACK_BYTES);
    while !hay.is_char_boundary(cut) {
        cut -= 1;
    }
    &hay[..cut]
}

/// A compiled pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regex {
    prog: program::Program,
}

impl Regex {
    /// Compiles `pattern` (the JS source between the slashes) with or without the `i` flag.
    #[cfg(feature = "compiler")]
    pub fn new(pattern: &str, case_insensitive: bool) -> Result<Regex, RegexError> {
        if let Some((at, _)) = pattern.char_indices().nth(MAX_PATTERN_CHARS) {
            let mut what = String::from("pattern longer than ");
            push_u64(&mut what, MAX_PATTERN_CHARS as u64);
            what.push_str(" chars");
            return Err(error(TOO_LONG, &what, at));
        }
        parse::compile(pattern, case_insensitive).map(|prog| Regex { prog })
    }

    /// Whether the pattern matches somewhere in `haystack` (JS `RegExp.prototype.test`), read
    /// up to its first [`MAX_HAYSTACK_BYTES`]: the VM is linear, but the text is the visitor's,
    /// and a rule evaluated after every event must stay cheap whatever they send.
    pub fn is_match(&self, haystack: &str) -> bool {
        vm::run(&self.prog, bounded(haystack)).0
    }

    /// The VM run over the whole `haystack` (not cut like [`is_match`](Self::is_match)'s), and
    /// the number of steps it took, which never exceeds
    /// `(haystack.chars().count() + 1) * self.program_len()`. For tests and fuzzing.
    pub fn is_match_counting(&self, haystack: &str) -> (bool, u64) {
        vm::run(&self.prog, haystack)
    }

    /// Number of instructions in the compiled program (at most [`MAX_PROGRAM`] + 1).
    pub fn program_len(&self) -> usize {
        self.prog.insts.len()
    }
}

impl crate::wire::Wire for Regex {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut crate::wire::Writer) {
        self.prog.put(w);
    }
    #[inline(never)]
    fn get(r: &mut crate::wire::Reader<'_>) -> Self {
        Regex {
            prog: program::Program::get(r),
        }
    }
}

#[cfg(all(test, feature = "compiler"))]
mod tests {
    use super::*;

    fn m(p: &str, h: &str) -> bool {
        Regex::new(p, false).unwrap().is_match(h)
    }

    fn code(p: &str) -> &'static str {
        Regex::new(p, false).unwrap_err().code
    }

    #[test]
    fn only_the_first_bytes_of_a_huge_haystack_are_read() {
        let tail = format!("{}needle", "é".repeat(MAX_HAYSTACK_BYTES));
        assert!(!m("needle", &tail), "past the bound");
        let head = format!("needle{}", "x".repeat(1_000_000));
        assert!(m("^needle", &head));
    }

    #[test]
    fn basics() {
        assert!(m("-12-25$", "2024-12-25"));
        assert!(!m("-12-25$", "2024-12-25 "));
        assert!(m("(Mobile|Tablet)", "a Tablet b"));
        assert!(Regex::new("(MOBILE|tablet)", true)
            .unwrap()
            .is_match("Mobile"));
        assert!(m("^a{2,3}$", "aaa") && !m("^a{2,3}$", "aaaa") && !m("^a{2,3}$", "a"));
        assert!(m("a{", "a{") && m("]", "]") && m("x{1,", "x{1,"));
        assert!(m("\\bfoo\\b", "a foo.") && !m("\\bfoo\\b", "afoo"));
        assert!(m("^$", "") && !m("^.$", "\n") && m("[^]", "\n"));
        assert!(m("\\u0041\\x42\\103", "ABC"));
        assert!(m("\\uD83D\\uDE00", "😀"));
    }

    #[test]
    fn rejections() {
        assert_eq!(code("/???***[)"), INVALID);
        assert_eq!(code("*a"), INVALID);
        assert_eq!(code("a{2,1}"), INVALID);
        assert_eq!(code("[z-a]"), INVALID);
        assert_eq!(code("(a"), INVALID);
        assert_eq!(code("a)"), INVALID);
        assert_eq!(code("\\"), INVALID);
        assert_eq!(code("(a)\\1"), UNSUPPORTED);
        assert_eq!(code("(?=a)"), UNSUPPORTED);
        assert_eq!(code("(?=a)("), INVALID);
        assert_eq!(code("(a{1000}){1000}"), TOO_COMPLEX);
        assert_eq!(code(&"(".repeat(100)), TOO_COMPLEX);
        assert_eq!(code(&"a".repeat(513)), TOO_LONG);
        assert!(Regex::new(&"a".repeat(512), false).is_ok());
        assert_eq!(
            Regex::new("ab*+", false).unwrap_err().message,
            "nothing to repeat at byte 3"
        );
    }

    #[test]
    fn linear_on_pathological_patterns() {
        let hay = "a".repeat(50_000);
        for p in ["(a*)*b", "(a|a)*b", "(a+)+$b", "(x+x+)+y", "(a|aa)+c"] {
            let re = Regex::new(p, false).unwrap();
            let (hit, steps) = re.is_match_counting(&hay);
            assert!(!hit);
            assert!(steps <= (hay.len() as u64 + 1) * re.program_len() as u64);
        }
    }
}
