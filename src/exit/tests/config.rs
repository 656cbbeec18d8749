//! The `exitIntent` section: compiling (defaults, every code with its path) and the program
//! format.

use super::*;
use crate::diag::{Diagnostics, Path};
use crate::value::Value;
use crate::wire::{round_trip, Reader, Wire, Writer};

fn compiled(text: &str) -> (ExitSettings, Vec<String>) {
    let raw = Value::parse_json(text).expect("test JSON");
    let mut diags = Diagnostics::default();
    let s = compile(&raw, &Path::root().key("exitIntent"), &mut diags);
    (s, diags.0.iter().map(|d| d.text()).collect())
}

#[test]
fn an_empty_section_is_the_defaults() {
    assert_eq!(compiled("{}"), (ExitSettings::default(), vec![]));
    assert_eq!(
        compiled(r#"{"desktop": true, "phone": {}}"#),
        (ExitSettings::default(), vec![])
    );
}

#[test]
fn every_field_is_read() {
    let (s, d) = compiled(
        r#"{
        "desktop": {"armMs": 2000, "pointerTop": {"edgePx": 10, "minSpeed": 300, "graceMs": 50,
            "afterInteractionMs": 100, "afterEntryMs": 200, "typingMs": 900},
            "tabReturn": {"minHiddenMs": 8000}, "idle": true, "scrollUp": false},
        "phone": {"armMs": 0, "scrollUp": {"minDepthPercent": 50, "minPx": 250, "minSpeed": 700,
            "settleMs": 0}, "tabReturn": false, "idle": {"ms": 45000, "minDepthPercent": 10},
            "pointerTop": true}
    }"#,
    );
    assert_eq!(d, Vec::<String>::new());
    assert_eq!(
        s,
        ExitSettings {
            desktop: DeviceSettings {
                arm_ms: 2000,
                pointer_top: Some(PointerTop {
                    edge_px: 10,
                    min_speed: 300,
                    grace_ms: 50,
                    after_interaction_ms: 100,
                    after_entry_ms: 200,
                    typing_ms: 900,
                }),
                scroll_up: None,
                tab_return: Some(TabReturn {
                    min_hidden_ms: 8000
                }),
                idle: Some(Idle::default()),
            },
            phone: DeviceSettings {
                arm_ms: 0,
                pointer_top: Some(PointerTop::default()),
                scroll_up: Some(ScrollUp {
                    min_depth_percent: 50,
                    min_px: 250,
                    min_speed: 700,
                    settle_ms: 0,
                }),
                tab_return: None,
                idle: Some(Idle {
                    ms: 45_000,
                    min_depth_percent: 10
                }),
            },
        }
    );
}

#[test]
fn the_defaults_are_the_documented_ones() {
    let (s, _) = compiled(
        r#"{"desktop": {"armMs": 1000, "pointerTop": {"edgePx": 20, "minSpeed": 50,
            "graceMs": 1000, "afterInteractionMs": 600, "afterEntryMs": 500, "typingMs": 1500},
            "scrollUp": false, "tabReturn": false, "idle": false},
            "phone": {"armMs": 3000, "pointerTop": false, "scrollUp": {"minDepthPercent": 30,
            "minPx": 600, "minSpeed": 400, "settleMs": 1200}, "tabReturn": {"minHiddenMs": 5000},
            "idle": {"ms": 40000, "minDepthPercent": 25}}}"#,
    );
    assert_eq!(s, ExitSettings::default());
}

#[test]
fn fields_not_given_keep_their_defaults() {
    let (s, d) = compiled(r#"{"phone": {"scrollUp": {"minPx": 500}}}"#);
    assert!(d.is_empty());
    assert_eq!(
        s.phone.scroll_up,
        Some(ScrollUp {
            min_px: 500,
            ..ScrollUp::default()
        })
    );
    assert_eq!(s.desktop, DeviceSettings::desktop());
    assert_eq!(s.phone.tab_return, DeviceSettings::phone().tab_return);
}

#[test]
fn a_device_class_can_be_turned_off() {
    let (s, d) = compiled(r#"{"phone": false}"#);
    assert!(d.is_empty());
    assert_eq!(s.phone, DeviceSettings::OFF);
    assert_eq!(s.desktop, DeviceSettings::desktop());
}

#[test]
fn every_problem_is_reported_with_its_path_and_the_rest_applies() {
    let (s, d) = compiled(
        r#"{"desktop": {"armMs": -1, "pointerTop": {"edgePx": 20.5, "graceMs": "1s",
            "minSpeed": 100001, "typingMS": 5}, "idle": 3},
            "phone": {"tabReturn": {"minHiddenMs": 4000}, "idle": {"ms": 999}},
            "tablet": {}}"#,
    );
    assert_eq!(
        d,
        [
            "exit/unknown-field at /exitIntent/tablet: unknown field is ignored; known fields: desktop, phone",
            "exit/out-of-range at /exitIntent/desktop/armMs: expected a whole number from 0 to 600000",
            "exit/unknown-field at /exitIntent/desktop/pointerTop/typingMS: unknown field is ignored; known fields: edgePx, minSpeed, graceMs, afterInteractionMs, afterEntryMs, typingMs",
            "exit/out-of-range at /exitIntent/desktop/pointerTop/edgePx: expected a whole number from 0 to 200",
            "exit/out-of-range at /exitIntent/desktop/pointerTop/minSpeed: expected a whole number from 0 to 100000",
            "exit/out-of-range at /exitIntent/desktop/pointerTop/graceMs: expected a whole number from 0 to 10000, found string",
            "exit/wrong-type at /exitIntent/desktop/idle: expected true, false or an object, found number",
            "exit/out-of-range at /exitIntent/phone/idle/ms: expected a whole number from 1000 to 3600000",
        ]
    );
    // What was valid applies; what was not keeps its default.
    assert_eq!(s.desktop, DeviceSettings::desktop());
    assert_eq!(
        s.phone.tab_return,
        Some(TabReturn {
            min_hidden_ms: 4000
        })
    );
    assert_eq!(s.phone.idle, Some(Idle::default()));
}

#[test]
fn a_section_of_the_wrong_type() {
    for (text, found) in [("[]", "array"), ("true", "boolean"), ("null", "null")] {
        let (s, d) = compiled(text);
        assert_eq!(s, ExitSettings::default());
        assert_eq!(
            d,
            [format!(
                "exit/wrong-type at /exitIntent: expected an object, found {found}"
            )]
        );
    }
    let (_, d) = compiled(r#"{"phone": "on"}"#);
    assert_eq!(
        d,
        ["exit/wrong-type at /exitIntent/phone: expected true, false or an object, found string"]
    );
}

#[test]
fn settings_round_trip() {
    let (all_on, _) = compiled(
        r#"{"desktop": {"scrollUp": true, "tabReturn": true, "idle": true},
            "phone": {"pointerTop": {"edgePx": 0, "minSpeed": 100000}}}"#,
    );
    for s in [
        ExitSettings::default(),
        all_on,
        ExitSettings {
            desktop: DeviceSettings::OFF,
            phone: DeviceSettings::OFF,
        },
    ] {
        assert_eq!(round_trip(&s), Some(s));
    }
}

#[test]
fn a_program_cannot_ask_for_what_a_config_could_not() {
    // Numbers past the compiler's ranges are clamped to them.
    let mut w = Writer::default();
    w.u(u64::from(u32::MAX)); // armMs
    w.tag(0); // pointerTop: none
    w.tag(0); // scrollUp: none
    w.tag(0); // tabReturn: none
    w.tag(1); // idle
    w.u(0); // ms, below 1 000
    w.u(500); // minDepthPercent, above 100
    let mut r = Reader::new(&w.bytes);
    let d = DeviceSettings::get(&mut r);
    assert!(r.finish());
    assert_eq!(d.arm_ms, 600_000);
    assert_eq!(
        d.idle,
        Some(Idle {
            ms: 1_000,
            min_depth_percent: 100
        })
    );
    // Truncated or malformed bytes poison the reader.
    let mut w = Writer::default();
    ExitSettings::default().put(&mut w);
    for cut in 0..w.bytes.len() {
        let mut r = Reader::new(&w.bytes[..cut]);
        let _ = ExitSettings::get(&mut r);
        assert!(!r.finish(), "cut at {cut}");
    }
    let mut r = Reader::new(&[0, 7]);
    let _ = DeviceSettings::get(&mut r);
    assert!(!r.ok(), "an option tag of 7");
}
