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

/// A template of one placeholder written part by part.
fn one_slot(source: Source, format: Format, fallback: Option<String>) -> Template {
    Template {
        parts: vec![Part::Slot(Slot {
            source,
            format,
            fallback,
        })],
    }
}

fn path(text: &str) -> ValuePath {
    ValuePath::new(text.into())
}

#[test]
fn what_the_compiler_never_writes_is_refused() {
    let refused = |t: &Template| read(&bytes(t)).is_none();
    // A currency code that is not three letters.
    assert!(refused(&one_slot(
        Source::Path(path("cart.value")),
        Format::Money(Currency::Code("E1R".into())),
        None
    )));
    // A threshold past 15 digits.
    assert!(refused(&one_slot(
        Source::Below(MAX_THRESHOLD + 1, path("cart.value")),
        Format::Number,
        None
    )));
    assert!(!refused(&one_slot(
        Source::Below(MAX_THRESHOLD, path("cart.value")),
        Format::Number,
        None
    )));
    // A path of 17 names.
    assert!(refused(&one_slot(
        Source::Path(path("a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q")),
        Format::Plain,
        None
    )));
    // 33 placeholders.
    let slot = Part::Slot(Slot {
        source: Source::Path(path("cart.count")),
        format: Format::Plain,
        fallback: None,
    });
    assert!(refused(&Template {
        parts: vec![slot.clone(); MAX_PLACEHOLDERS + 1]
    }));
    assert!(!refused(&Template {
        parts: vec![slot.clone(); MAX_PLACEHOLDERS]
    }));
    // More text than a template holds, counting else texts and plural words.
    let text = |n: usize| Part::Text("x".repeat(n));
    assert!(refused(&Template {
        parts: vec![text(4000), slot.clone(), text(97)]
    }));
    assert!(!refused(&Template {
        parts: vec![text(4000), slot.clone(), text(96)]
    }));
    // More texts than the compiler writes around the placeholders: 2n + 1 at most.
    assert!(refused(&Template {
        parts: vec![text(1), text(1)]
    }));
    assert!(!refused(&Template {
        parts: vec![text(1), slot.clone(), text(1)]
    }));
    assert!(refused(&Template {
        parts: vec![text(1), slot, text(1), text(1)]
    }));
    let mut over = one_slot(
        Source::Path(path("cart.count")),
        Format::Plural("x".repeat(2000), "y".repeat(2000)),
        Some("z".repeat(97)),
    );
    assert!(refused(&over));
    if let Part::Slot(s) = &mut over.parts[0] {
        s.fallback = Some("z".repeat(96));
    }
    assert!(!refused(&over));
    // Unknown tags: a part, a source, a format, a currency.
    for bad in [
        &[1u8, 2][..],
        &[1, 1, 2],
        &[1, 1, 0, 0, 4],
        &[1, 1, 0, 0, 2, 2],
    ] {
        assert_eq!(read(bad), None, "{bad:?}");
    }
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
        let t = one_slot(Source::Path(path(p)), Format::Plain, None);
        let t = read(&bytes(&t)).unwrap();
        let got = t.fill(&attrs).map(|f| f.pieces);
        assert_eq!(got, want.map(|s| vec![Piece::Text(s)]), "{p:?}");
    }
}
