//! A compiled pattern: what the parser produces, a compiled config carries, and the VM runs.

use super::class::Class;
use super::compile::{Inst, Look};
use super::MAX_PROGRAM;
#[cfg(feature = "compiler")]
use crate::wire::Writer;
use crate::wire::{Reader, Wire};

/// A compiled pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Program {
    /// The code; the last instruction is [`Inst::Match`].
    pub(super) insts: Vec<Inst>,
    /// Classes referenced by [`Inst::Class`].
    pub(super) classes: Vec<Class>,
    /// The `i` flag: `Char` operands are canonicalized and classes fold.
    pub(super) icase: bool,
    /// The literal text every match starts with (after a leading `^`), empty when there is
    /// none or under the `i` flag. Lets the matcher skip straight to where a match can begin.
    pub(super) prefix: String,
    /// The instruction after the prefix (and the leading `^`): where an anchored search whose
    /// prefix matched starts its one thread.
    pub(super) after_prefix: usize,
}

impl Program {
    /// The program of `insts` (ending with `Match`), with its literal prefix worked out.
    pub(super) fn new(insts: Vec<Inst>, classes: Vec<Class>, icase: bool) -> Program {
        let prefix = if icase {
            String::new()
        } else {
            literal_prefix(&insts)
        };
        let after_prefix =
            usize::from(insts.first() == Some(&Inst::Assert(Look::Start))) + prefix.chars().count();
        Program {
            insts,
            classes,
            icase,
            prefix,
            after_prefix,
        }
    }
}

/// The chars of the straight run of `Char` instructions the program starts with (after an
/// `Assert(Start)`). A thread walks such a run without branching, so every match begins with it.
fn literal_prefix(code: &[Inst]) -> String {
    let start = usize::from(code.first() == Some(&Inst::Assert(Look::Start)));
    let mut prefix = String::new();
    for inst in code.get(start..).unwrap_or_default() {
        match inst {
            Inst::Char(c) => match char::from_u32(*c) {
                Some(c) => prefix.push(c),
                None => break,
            },
            _ => break,
        }
    }
    prefix
}

impl Wire for Program {
    #[cfg(feature = "compiler")]
    fn put(&self, w: &mut Writer) {
        w.u(self.insts.len() as u64);
        for inst in &self.insts {
            match *inst {
                Inst::Char(c) => {
                    w.tag(0);
                    w.u(u64::from(c));
                }
                Inst::Class(n) => {
                    w.tag(1);
                    w.u(u64::from(n));
                }
                Inst::Split(a, b) => {
                    w.tag(2);
                    i64::from(a).put(w);
                    i64::from(b).put(w);
                }
                Inst::Jmp(d) => {
                    w.tag(3);
                    i64::from(d).put(w);
                }
                Inst::Assert(look) => w.tag(4 + look as u8),
                Inst::Match => w.tag(8),
            }
        }
        self.classes.put(w);
        self.icase.put(w);
    }

    /// Reads a program and checks what the VM relies on: at most [`MAX_PROGRAM`] + 1
    /// instructions ending with `Match`, every jump landing inside the program, every class
    /// defined.
    #[inline(never)]
    fn get(r: &mut Reader<'_>) -> Self {
        let insts: Vec<Inst> = r.seq(|r| {
            let tag = r.tag();
            let jump = |r: &mut Reader<'_>| {
                let d = i64::get(r);
                r.check(i32::try_from(d).is_ok());
                d as i32
            };
            match tag {
                0 => Inst::Char(u32::get(r)),
                1 => Inst::Class(u32::get(r)),
                2 => {
                    let a = jump(r);
                    Inst::Split(a, jump(r))
                }
                3 => Inst::Jmp(jump(r)),
                4 => Inst::Assert(Look::Start),
                5 => Inst::Assert(Look::End),
                6 => Inst::Assert(Look::Word),
                7 => Inst::Assert(Look::NotWord),
                t => {
                    r.check(t == 8);
                    Inst::Match
                }
            }
        });
        let classes: Vec<Class> = Vec::get(r);
        let icase = bool::get(r);
        let n = insts.len();
        let lands = |pc: usize, d: i32| pc.checked_add_signed(d as isize).is_some_and(|t| t < n);
        r.check(
            n <= MAX_PROGRAM + 1
                && insts.last() == Some(&Inst::Match)
                && insts.iter().enumerate().all(|(pc, inst)| match *inst {
                    Inst::Split(a, b) => lands(pc, a) && lands(pc, b),
                    Inst::Jmp(d) => lands(pc, d),
                    Inst::Class(c) => (c as usize) < classes.len(),
                    _ => true,
                }),
        );
        Program::new(insts, classes, icase)
    }
}
