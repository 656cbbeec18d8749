//! The NFA program and the builders that glue fragments of it together.
//!
//! The parser emits code as it reads, with no syntax tree. Every construct compiles to a
//! *fragment*: a run of instructions entered at its first one and left by falling off its end.
//! Jumps are relative to the instruction that holds them, so a fragment can be copied (counted
//! repetition) or shifted (an alternative gets a `Split` inserted before it) without patching.

/// One NFA instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Inst {
    /// Consume one char equal to this code point (already canonicalized when case-insensitive).
    Char(u32),
    /// Consume one char in class number `n` of the program.
    Class(u32),
    /// Continue at both `pc + a` and `pc + b`.
    Split(i32, i32),
    /// Continue at `pc + d`.
    Jmp(i32),
    /// Continue at `pc + 1` only if the assertion holds here.
    Assert(Look),
    /// The whole pattern matched.
    Match,
}

/// Zero-width assertions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Look {
    /// `^` (no multiline flag: start of input only).
    Start,
    /// `$` (end of input only).
    End,
    /// `\b`.
    Word,
    /// `\B`.
    NotWord,
}

/// Instruction count of `e{min,max}` (`max` `None` = unbounded) for a body of `n`, saturating.
#[cfg(feature = "compiler")]
pub(super) fn repeat_len(n: usize, min: u32, max: Option<u32>) -> u64 {
    let n = n as u64;
    let tail = match max {
        None if min > 0 => 1,
        None => n + 2,
        Some(max) => (max.saturating_sub(min) as u64).saturating_mul(n + 1),
    };
    (min as u64).saturating_mul(n).saturating_add(tail)
}

/// Appends `e{min,max}` to `out`: `min` copies, then either a loop or `max - min` optional
/// copies. Greedy and lazy forms compile the same: for a yes/no answer the order threads are
/// tried in does not matter. The caller has checked [`repeat_len`] against the program limit.
#[cfg(feature = "compiler")]
pub(super) fn repeat(e: &[Inst], min: u32, max: Option<u32>, out: &mut Vec<Inst>) {
    let n = e.len() as i32;
    if n == 0 {
        // An empty body (`()*`, a lookaround stand-in) repeats to nothing.
        return;
    }
    for _ in 0..min {
        out.extend_from_slice(e);
    }
    match max {
        // e+ : loop back over the last mandatory copy.
        None if min > 0 => out.push(Inst::Split(-n, 1)),
        // e* : Split(+1, out) e Jmp(back to the Split).
        None => {
            out.push(Inst::Split(1, n + 2));
            out.extend_from_slice(e);
            out.push(Inst::Jmp(-(n + 1)));
        }
        // Optional copies, each able to skip straight to the end.
        Some(max) => {
            for left in (1..=max.saturating_sub(min) as i32).rev() {
                out.push(Inst::Split(1, left * (n + 1)));
                out.extend_from_slice(e);
            }
        }
    }
}

#[cfg(all(test, feature = "compiler"))]
mod tests {
    use super::*;
    use Inst::*;

    #[test]
    fn layouts() {
        let a = [Char(97)];
        let rep = |min, max| {
            let mut out = Vec::new();
            repeat(&a, min, max, &mut out);
            out
        };
        assert_eq!(rep(0, None), [Split(1, 3), Char(97), Jmp(-2)]);
        assert_eq!(rep(2, None), [Char(97), Char(97), Split(-1, 1)]);
        assert_eq!(
            rep(1, Some(3)),
            [Char(97), Split(1, 4), Char(97), Split(1, 2), Char(97)]
        );
        for (min, max) in [(0, None), (3, None), (2, Some(5)), (0, Some(0))] {
            assert_eq!(rep(min, max).len() as u64, repeat_len(1, min, max));
        }
    }
}
