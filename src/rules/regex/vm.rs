//! The matcher: a Thompson NFA simulation (a Pike VM without capture slots).
//!
//! All threads advance together, one haystack char at a time. A thread is just a program
//! counter, and each pc is added at most once per position (the `mark` generation check), so
//! one position costs at most `program length` steps and the whole search at most
//! `(chars + 1) × program length`: linear in the haystack whatever the pattern, with no
//! backtracking. Only a yes/no answer is needed, so the first thread to reach `Match` ends it.

use std::cell::RefCell;

use super::compile::{Inst, Look};
use super::fold::canon;
use super::program::Program;

/// JS `IsWordChar` (ASCII only without the `u` flag).
fn is_word(c: Option<char>) -> bool {
    matches!(c, Some('a'..='z' | 'A'..='Z' | '0'..='9' | '_'))
}

/// Per-search scratch space.
struct Threads {
    /// `mark[pc] == gen` when pc was already added at the current position.
    mark: Vec<usize>,
    /// Work list for following jumps without recursion.
    stack: Vec<usize>,
    /// Instructions counted so far (the linearity witness).
    steps: u64,
    /// The last generation used (see `search`).
    gen: usize,
}

impl Threads {
    /// Adds the thread at `pc` and everything reachable from it without consuming a char,
    /// keeping the consuming instructions in `list`. Returns true if `Match` is reachable.
    fn add(
        &mut self,
        prog: &Program,
        pc: usize,
        gen: usize,
        around: (Option<char>, Option<char>),
        list: &mut Vec<usize>,
    ) -> bool {
        self.stack.push(pc);
        while let Some(pc) = self.stack.pop() {
            let (Some(&inst), Some(mark)) = (prog.insts.get(pc), self.mark.get_mut(pc)) else {
                continue;
            };
            if *mark == gen {
                continue;
            }
            *mark = gen;
            self.steps += 1;
            let rel = |d: i32| pc.wrapping_add_signed(d as isize);
            match inst {
                Inst::Match => {
                    self.stack.clear();
                    return true;
                }
                Inst::Jmp(d) => self.stack.push(rel(d)),
                Inst::Split(a, b) => {
                    self.stack.push(rel(b));
                    self.stack.push(rel(a));
                }
                Inst::Assert(look) => {
                    let (before, after) = around;
                    let holds = match look {
                        Look::Start => before.is_none(),
                        Look::End => after.is_none(),
                        Look::Word => is_word(before) != is_word(after),
                        Look::NotWord => is_word(before) == is_word(after),
                    };
                    if holds {
                        self.stack.push(pc + 1);
                    }
                }
                Inst::Char(_) | Inst::Class(_) => list.push(pc),
            }
        }
        false
    }
}

/// The byte offset of the first occurrence of `needle` (not empty) in `hay` at or after `from`.
/// A plain scan for the first byte: `str::find` would link a general substring searcher.
fn find_from(hay: &str, needle: &str, from: usize) -> Option<usize> {
    let first = *needle.as_bytes().first()?;
    let bytes = hay.as_bytes();
    (from..bytes.len()).find(|&i| {
        bytes.get(i) == Some(&first)
            && bytes
                .get(i..)
                .is_some_and(|b| b.starts_with(needle.as_bytes()))
    })
}

/// The char ending at byte `at` of `hay` (`at` is a char boundary).
fn char_before(hay: &str, at: usize) -> Option<char> {
    hay.get(..at).and_then(|s| s.chars().next_back())
}

/// Whether `prog` matches anywhere in `hay`, and the number of VM steps it took.
///
/// Every match begins with the program's literal prefix (see `parse::literal_prefix`). An
/// anchored pattern whose prefix is not at the start fails without running (and one that is all
/// prefix has matched); otherwise its one thread starts after the prefix. An unanchored search,
/// whenever no thread is alive, jumps to the next occurrence of the prefix: threads started
/// before it would die inside the prefix.
pub(super) fn run(prog: &Program, hay: &str) -> (bool, u64) {
    // `^/product-` and the like are decided by the prefix alone.
    if prog.insts.first() == Some(&Inst::Assert(Look::Start)) && !prog.prefix.is_empty() {
        if !hay.starts_with(prog.prefix.as_str()) {
            return (false, 0);
        }
        if prog.insts.get(prog.after_prefix) == Some(&Inst::Match) {
            return (true, 0);
        }
    }
    // The vectors of the last search are reused (a condition is evaluated on every event, and
    // four allocations cost more than a short match), borrowed in place: moving them in and
    // out costs more too. A fresh, unallocated set if they are somehow in use.
    SPARE.with(|spare| {
        let mut kept = spare.try_borrow_mut();
        let mut fresh = Scratch::EMPTY;
        search(prog, hay, kept.as_deref_mut().unwrap_or(&mut fresh))
    })
}

/// Scratch space kept between searches (wasm here is single-threaded; natively, per thread).
struct Scratch {
    threads: Threads,
    clist: Vec<usize>,
    nlist: Vec<usize>,
}

impl Scratch {
    const EMPTY: Scratch = Scratch {
        threads: Threads {
            mark: Vec::new(),
            stack: Vec::new(),
            steps: 0,
            gen: 0,
        },
        clist: Vec::new(),
        nlist: Vec::new(),
    };
}

thread_local! {
    // A constant initializer: no lazy-initialization code in the module.
    static SPARE: RefCell<Scratch> = const { RefCell::new(Scratch::EMPTY) };
}

fn search(prog: &Program, hay: &str, scratch: &mut Scratch) -> (bool, u64) {
    let n = prog.insts.len();
    let Scratch {
        threads: t,
        clist,
        nlist,
    } = scratch;
    // Marks of earlier searches hold smaller generations, so they need no clearing: a search
    // continues the count (at most `chars + 1` per search), and clears only before it wraps.
    if t.mark.len() < n {
        t.mark.resize(n, 0);
    }
    if t.gen > (usize::MAX / 2).saturating_sub(hay.len()) {
        t.mark.fill(0);
        t.gen = 0;
    }
    t.stack.clear();
    t.steps = 0;
    clist.clear();
    nlist.clear();
    // A leading `^` can only match at position 0: no need to start threads later.
    let anchored = prog.insts.first() == Some(&Inst::Assert(Look::Start));
    let prefix = prog.prefix.as_str();
    let (mut pos, mut start_pc) = (0, 0);
    if anchored && !prefix.is_empty() {
        if !hay.starts_with(prefix) {
            return (false, 0);
        }
        pos = prefix.len();
        start_pc = prog.after_prefix;
    }
    // Case-insensitive class lookups share the char's equivalents: (computed yet, them).
    let mut folded = (false, Vec::new());
    let mut prev = char_before(hay, pos);
    let first = t.gen + 1;
    let mut gen = first;
    t.gen = gen;
    loop {
        if !anchored && !prefix.is_empty() && clist.is_empty() {
            match find_from(hay, prefix, pos) {
                Some(at) if at > pos => (pos, prev) = (at, char_before(hay, at)),
                Some(_) => {}
                None => return (false, t.steps),
            }
        }
        let mut rest = hay.get(pos..).unwrap_or("").chars();
        let cur = rest.next();
        // Unanchored search: a new thread starts at every position.
        if (gen == first || !anchored) && t.add(prog, start_pc, gen, (prev, cur), clist) {
            return (true, t.steps);
        }
        let Some(ch) = cur else {
            return (false, t.steps);
        };
        if clist.is_empty() && anchored {
            return (false, t.steps);
        }
        let next = rest.next();
        let key = if prog.icase {
            canon(ch as u32)
        } else {
            ch as u32
        };
        folded.0 = false;
        gen += 1;
        t.gen = gen;
        for &pc in clist.iter() {
            let hit = match prog.insts.get(pc) {
                Some(Inst::Char(c)) => *c == key,
                Some(Inst::Class(k)) => prog
                    .classes
                    .get(*k as usize)
                    .is_some_and(|class| class.matches(ch, prog.icase.then_some(&mut folded))),
                _ => false,
            };
            if hit && t.add(prog, pc + 1, gen, (Some(ch), next), nlist) {
                return (true, t.steps);
            }
        }
        std::mem::swap(clist, nlist);
        nlist.clear();
        (prev, pos) = (Some(ch), pos + ch.len_utf8());
    }
}

#[cfg(all(test, feature = "compiler"))]
mod tests {
    use super::super::Regex;
    use super::SPARE;

    /// Generations continue from search to search; near the wrap the marks are cleared, and
    /// answers stay right on both sides.
    #[test]
    fn generations_carry_over_and_wrap_cleanly() {
        let re = Regex::new("(ab|ac)+d", false).unwrap();
        let other = Regex::new("x(y|z)*$", false).unwrap();
        let check = || {
            assert!(re.is_match("zzabacd"));
            assert!(!re.is_match("zzabacx"));
            assert!(other.is_match("axyzzy"));
            assert!(!other.is_match("axyzzya"));
        };
        check();
        SPARE.with(|s| s.borrow_mut().threads.gen = usize::MAX / 2 - 3);
        check();
        assert!(SPARE.with(|s| s.borrow().threads.gen) < 100, "wrapped");
        check();
    }
}
