//! Native tests of the detector's edges, with injected time.

mod config;
mod desktop;
mod phone;

use super::*;
use crate::time::Millis;

/// Viewport and page of the test pages.
const W: i32 = 1280;
const H: i32 = 800;
const PAGE: i32 = 4000;

fn land(at: Millis, device: Device) -> Sample {
    Sample::Land {
        at,
        viewport_w: W,
        viewport_h: H,
        document_h: PAGE,
        device,
        restored: false,
        hidden: false,
    }
}

fn leave(at: Millis, x: i32, y: i32, vx: i32, vy: i32) -> Sample {
    Sample::Leave { at, x, y, vx, vy }
}

fn enter(at: Millis, y: i32) -> Sample {
    Sample::Enter { at, x: 600, y }
}

fn scroll(at: Millis, y: i32) -> Sample {
    Sample::Scroll {
        at,
        y,
        viewport_h: H,
        document_h: PAGE,
    }
}

fn visibility(at: Millis, hidden: bool) -> Sample {
    Sample::Visibility { at, hidden }
}

fn focus(at: Millis, focus: Focus) -> Sample {
    Sample::Focus { at, focus }
}

fn input(at: Millis, input: Input) -> Sample {
    Sample::Input { at, input }
}

/// The settings the edge tests use, written out so that tuning the defaults cannot move them:
/// desktop arming 1 s, top edge 20 px, 200 px/s, grace 150 ms, quiet 400 ms after a click or
/// key and 600 ms after entering from the top, typing 1.5 s; phone arming 3 s, scroll-up after
/// 30 % of the page, 400 px at 1 000 px/s, settling 250 ms; tab-return after 5 s hidden; idle
/// 20 s after reading a quarter of the page.
fn settings() -> ExitSettings {
    let pointer = PointerTop {
        edge_px: 20,
        min_speed: 200,
        grace_ms: 150,
        after_interaction_ms: 400,
        after_entry_ms: 600,
        typing_ms: 1500,
    };
    ExitSettings {
        desktop: DeviceSettings {
            arm_ms: 1000,
            pointer_top: Some(pointer),
            ..DeviceSettings::OFF
        },
        phone: DeviceSettings {
            arm_ms: 3000,
            pointer_top: None,
            scroll_up: Some(ScrollUp {
                min_depth_percent: 30,
                min_px: 400,
                min_speed: 1000,
                settle_ms: 250,
            }),
            tab_return: Some(TabReturn {
                min_hidden_ms: 5000,
            }),
            idle: Some(Idle {
                ms: 20_000,
                min_depth_percent: 25,
            }),
        },
    }
}

/// The first detection of `samples` on the test settings, ticking until `until`.
fn first(samples: &[Sample], until: Millis) -> Option<Detection> {
    replay(settings(), samples, until)
}

/// The signal and time of the first detection.
fn when(samples: &[Sample], until: Millis) -> Option<(Signal, Millis)> {
    first(samples, until).map(|d| (d.signal, d.at))
}

#[test]
fn numbers_become_samples() {
    assert_eq!(
        Sample::from_numbers(0, 5.0, 1280.0, 800.0, 4000.0, 7.0),
        Some(Sample::Land {
            at: 5,
            viewport_w: W,
            viewport_h: H,
            document_h: PAGE,
            device: Device::Phone,
            restored: true,
            hidden: true,
        })
    );
    assert_eq!(
        Sample::from_numbers(0, 5.0, 1.0, 2.0, 3.0, 0.0).map(|s| matches!(
            s,
            Sample::Land {
                device: Device::Desktop,
                restored: false,
                hidden: false,
                ..
            }
        )),
        Some(true)
    );
    assert_eq!(
        Sample::from_numbers(1, 9.0, 10.0, -4.0, 30.0, -900.0),
        Some(leave(9, 10, -4, 30, -900))
    );
    assert_eq!(
        Sample::from_numbers(2, 9.0, 600.0, 3.0, 0.0, 0.0),
        Some(enter(9, 3))
    );
    assert_eq!(
        Sample::from_numbers(3, 9.0, 120.0, 800.0, 4000.0, 0.0),
        Some(scroll(9, 120))
    );
    assert_eq!(
        Sample::from_numbers(4, 9.0, 1.0, 0.0, 0.0, 0.0),
        Some(visibility(9, true))
    );
    assert_eq!(
        Sample::from_numbers(4, 9.0, 0.0, 0.0, 0.0, 0.0),
        Some(visibility(9, false))
    );
    for (a, f) in [
        (0.0, Focus::None),
        (1.0, Focus::Text),
        (2.0, Focus::Select),
        (9.0, Focus::None),
    ] {
        assert_eq!(
            Sample::from_numbers(5, 9.0, a, 0.0, 0.0, 0.0),
            Some(focus(9, f))
        );
    }
    for (a, i) in [(0.0, Input::Click), (1.0, Input::Key), (2.0, Input::Touch)] {
        assert_eq!(
            Sample::from_numbers(6, 9.0, a, 0.0, 0.0, 0.0),
            Some(input(9, i))
        );
    }
    assert_eq!(
        Sample::from_numbers(7, 9.0, 640.0, 480.0, 0.0, 0.0),
        Some(Sample::Resize {
            at: 9,
            viewport_w: 640,
            viewport_h: 480
        })
    );
    assert_eq!(Sample::from_numbers(8, 9.0, 0.0, 0.0, 0.0, 0.0), None);
    // What a hostile page can pass saturates instead of panicking.
    assert_eq!(
        Sample::from_numbers(
            1,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e300,
            f64::NAN
        ),
        Some(leave(0, i32::MAX, i32::MIN, i32::MAX, 0))
    );
}

#[test]
fn signal_names() {
    let names: Vec<_> = [
        Signal::PointerTop,
        Signal::ScrollUp,
        Signal::TabReturn,
        Signal::Idle,
    ]
    .iter()
    .map(|s| (s.as_str(), s.measure_name()))
    .collect();
    assert_eq!(
        names,
        [
            ("pointer-top", "speed_px_s"),
            ("scroll-up", "speed_px_s"),
            ("tab-return", "hidden_ms"),
            ("idle", "idle_ms")
        ]
    );
}

#[test]
fn hostile_times_never_panic() {
    let extremes = [
        Millis::MIN,
        Millis::MIN + 1,
        -1,
        0,
        1,
        Millis::MAX - 1,
        Millis::MAX,
    ];
    for device in [Device::Desktop, Device::Phone] {
        for &a in &extremes {
            for &b in &extremes {
                let samples = [
                    land(a, device),
                    scroll(b, 3000),
                    scroll(a, 0),
                    leave(b, 10, -5, 0, -2000),
                    visibility(a, true),
                    visibility(b, false),
                    input(a, Input::Touch),
                    enter(b, 0),
                    leave(a, i32::MIN, i32::MIN, i32::MIN, i32::MIN),
                    scroll(b, i32::MIN),
                    scroll(a, i32::MAX),
                ];
                let _ = replay(ExitSettings::default(), &samples, Millis::MAX);
            }
        }
    }
}

#[test]
fn nothing_happens_before_landing() {
    let mut d = Detector::new(ExitSettings::default());
    assert_eq!(d.feed(leave(5_000, 600, -5, 0, -2000)), None);
    assert_eq!(d.next_wake(), None);
    assert_eq!(d.tick(60_000), None);
    assert!(!d.fired());
}
