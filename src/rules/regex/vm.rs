//! The matcher: a Thompson NFA simulation (a Pike VM without capture slots).
//!
//! All threads advance together, one haystack char at a time. A thread is just a program
//! counter, and each pc is added at most once per position (the `mark` generation check), so
//! one position costs at most `program length` steps and the whole search at most
//! `(chars + 1) × program length`: linear in the haystack whatever the pattern, with no
//! backtracking. Only a yes/no answer is needed, so the first thread to reach `Match` ends it.

use super::compile::{Inst, Look};
use super::fold::canon;
use super::parse::Program;

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
            let Some(&inst) = prog.insts.get(pc) else {
                continue;
            };
            if self.mark[pc] == gen {
                continue;
            }
            self.mark[pc] = gen;
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

/// Whether `prog` matches anywhere in `hay`, and the number of VM steps it took.
pub(super) fn run(prog: &Program, hay: &str) -> (bool, u64) {
    let n = prog.insts.len();
    let mut t = Threads {
        mark: vec![0; n],
        stack: Vec::new(),
        steps: 0,
    };
    let (mut clist, mut nlist) = (Vec::with_capacity(n), Vec::with_capacity(n));
    // A leading `^` can only match at position 0: no need to start threads later.
    let anchored = prog.insts.first() == Some(&Inst::Assert(Look::Start));
    // Case-insensitive class lookups share the char's equivalents: (computed yet, them).
    let mut folded = (false, Vec::new());
    let mut chars = hay.chars();
    let (mut prev, mut cur) = (None, chars.next());
    let mut gen = 1;
    loop {
        // Unanchored search: a new thread starts at every position.
        if (gen == 1 || !anchored) && t.add(prog, 0, gen, (prev, cur), &mut clist) {
            return (true, t.steps);
        }
        let Some(ch) = cur else {
            return (false, t.steps);
        };
        if clist.is_empty() && anchored {
            return (false, t.steps);
        }
        let next = chars.next();
        let key = if prog.icase {
            canon(ch as u32)
        } else {
            ch as u32
        };
        folded.0 = false;
        gen += 1;
        for &pc in &clist {
            let hit = match prog.insts.get(pc) {
                Some(Inst::Char(c)) => *c == key,
                Some(Inst::Class(k)) => prog
                    .classes
                    .get(*k as usize)
                    .is_some_and(|class| class.matches(ch, prog.icase.then_some(&mut folded))),
                _ => false,
            };
            if hit && t.add(prog, pc + 1, gen, (Some(ch), next), &mut nlist) {
                return (true, t.steps);
            }
        }
        std::mem::swap(&mut clist, &mut nlist);
        nlist.clear();
        (prev, cur) = (Some(ch), next);
    }
}
