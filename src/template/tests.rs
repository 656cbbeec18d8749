//! The program format of templates: round trips and hostile bytes. The language's cases live in
//! `tests/fixtures/templates/` (run by `tests/template_cases.rs`).

use super::*;
use crate::diag::{Diagnostics, Path};
use crate::wire::{round_trip, Reader, Wire, Writer};

fn compiled(text: &str) -> Template {
    let mut diags = Diagnostics::default();
    let t = compile(text, &Path::root(), KNOWN_PATHS, &mut diags);
    assert!(diags.0.is_empty(), "{:?}", diags.0);
    t.unwrap()
}

fn bytes(t: &Template) -> Vec<u8> {
    let mut w = Writer::default();
    t.put(&mut w);
    w.bytes
}

fn read(bytes: &[u8]) -> Option<Template> {
    let mut r = Reader::new(bytes);
    let t = Template::get(&mut r);
    r.finish().then_some(t)
}

const EVERY_KIND: &str =
    "Hi {{ traits.firstName | else: 'there' }}, {{ 5000 - cart.value | money }} \
     {{ cart.value | money: 'EUR' }} {{ cart.count | number }} {{ cart.count | plural: 'a', 'b' }}";

#[test]
fn every_kind_of_part_round_trips() {
    let t = compiled(EVERY_KIND);
    assert_eq!(round_trip(&t), Some(t.clone()));
    assert_eq!(
        t.paths(),
        [
            "traits.firstName",
            "cart.value",
            "cart.currency",
            "cart.count"
        ]
    );
    assert_eq!(round_trip(&Template::default()), Some(Template::default()));
}

#[test]
fn damaged_bytes_are_refused_or_read_harmlessly() {
    let good = bytes(&compiled(EVERY_KIND));
    for cut in 0..good.len() {
        assert_eq!(read(&good[..cut]), None, "cut at {cut}");
    }
    let attrs = crate::value::Value::Null;
    for at in 0..good.len() {
        for flip in [1u8, 0x80, 0xff] {
            let mut damaged = good.clone();
            damaged[at] ^= flip;
            if let Some(t) = read(&damaged) {
                // Whatever is accepted fills without panicking.
                let _ = t.fill(&attrs);
                let _ = t.paths();
            }
        }
    }
}

/// A placeholder part of `kind` reading `path`.
fn slot(kind: u8, path: &str) -> Part {
    Part {
        kind,
        below: 0,
        texts: vec![String::new(), String::new(), path.into()],
        names: path::split(path),
    }
}

fn text(n: usize) -> Part {
    Part {
        kind: LITERAL,
        below: 0,
        texts: vec!["x".repeat(n)],
        names: Vec::new(),
    }
}

/// `part` with `texts[i]` set (the list padded with empty texts).
fn with(mut part: Part, i: usize, text: String) -> Part {
    while part.texts.len() <= i {
        part.texts.push(String::new());
    }
    part.texts[i] = text;
    part
}

fn one(part: Part) -> Template {
    Template { parts: vec![part] }
}

#[test]
fn what_the_compiler_never_writes_is_refused() {
    let refused = |t: &Template| read(&bytes(t)).is_none();
    assert!(!refused(&one(slot(PLAIN, "cart.value"))));
    // Unknown kinds, and a relative literal.
    for kind in [5, 6, 7, 13, 16, 0x80, 0xff, LITERAL | RELATIVE] {
        assert!(refused(&one(slot(kind, "cart.value"))), "{kind}");
    }
    for kind in [PLAIN, NUMBERED, MONEYED, PLURALIZED] {
        assert!(
            !refused(&one(slot(kind | RELATIVE, "cart.value"))),
            "{kind}"
        );
    }
    // What filling checks itself reads back as written: a currency code that is not three
    // letters (filling treats it as missing), a number past 15 digits, a path of 17 names.
    let money = with(slot(MONEYED, "cart.value"), 0, "E1R".into());
    let mut below = slot(NUMBERED | RELATIVE, "cart.value");
    below.below = u64::MAX;
    let deep = one(slot(PLAIN, "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q"));
    let attrs = crate::value::Value::parse_json(r#"{"cart": {"value": 1}}"#).unwrap();
    let filled = |t: &Template| {
        t.fill(&attrs)
            .map(|v| crate::json::to_string(&v, crate::json::native_float))
    };
    for t in [one(money.clone()), one(below.clone()), deep.clone()] {
        assert_eq!(read(&bytes(&t)).as_ref(), Some(&t));
    }
    assert_eq!(filled(&one(money)), None);
    assert_eq!(
        filled(&one(below)),
        Some("[1,1.8446744073709552e19]".into())
    );
    assert_eq!(filled(&deep), None);
    // 33 placeholders.
    let count = slot(PLAIN, "cart.count");
    assert!(refused(&Template {
        parts: vec![count.clone(); MAX_PLACEHOLDERS + 1]
    }));
    assert!(!refused(&Template {
        parts: vec![count.clone(); MAX_PLACEHOLDERS]
    }));
    // More texts than the compiler writes around the placeholders: 2n + 1 at most.
    assert!(refused(&Template {
        parts: vec![text(1), text(1)]
    }));
    assert!(!refused(&Template {
        parts: vec![text(1), count.clone(), text(1)]
    }));
    assert!(refused(&Template {
        parts: vec![text(1), count, text(1), text(1)]
    }));
}

#[test]
fn odd_paths_a_program_may_carry_fill_harmlessly() {
    let attrs = crate::value::Value::parse_json(r#"{"": {"": "empty"}, "a": ["x"]}"#).unwrap();
    for (p, want) in [
        ("", None),
        (".", Some("empty")),
        ("a.0", Some("x")),
        ("a..", None),
        ("a.length.length", None),
    ] {
        let t = read(&bytes(&one(slot(PLAIN, p)))).unwrap();
        let want = want.map(|s| crate::value::Value::Array(vec![0.0.into(), s.into()]));
        assert_eq!(t.fill(&attrs), want, "{p:?}");
    }
}
