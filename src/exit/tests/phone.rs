//! `scroll-up`, `tab-return` and `idle` on a phone: every edge, with injected time.

use super::*;

const P: Device = Device::Phone;

/// A scroll sample with its own viewport height (for exact depths).
fn scroll_vh(at: Millis, y: i32, viewport_h: i32) -> Sample {
    Sample::Scroll {
        at,
        y,
        viewport_h,
        document_h: PAGE,
    }
}

/// Read down to 60 % of the page, then at 10 s flick up 600 px in 300 ms.
fn read_then_flick_up() -> Vec<Sample> {
    vec![
        land(0, P),
        scroll(1_000, 0),
        scroll(2_000, 1_600),
        scroll(10_000, 1_600),
        scroll(10_100, 1_400),
        scroll(10_200, 1_200),
        scroll(10_300, 1_000),
    ]
}

#[test]
fn a_fast_upward_scroll_after_reading_fires_once_it_settles() {
    let hit = first(&read_then_flick_up(), 60_000);
    assert_eq!(
        hit,
        Some(Detection {
            signal: Signal::ScrollUp,
            at: 10_550,
            time_on_page_ms: 10_550,
            scroll_depth_percent: 60,
            measure: 2_000,
        })
    );
}

#[test]
fn a_tap_before_the_scroll_settles_cancels_it() {
    // Scrolling up to reach the header menu ends with a tap on it.
    let mut s = read_then_flick_up();
    s.push(input(10_549, Input::Touch));
    assert_eq!(when(&s, 19_000), None);
    let mut s = read_then_flick_up();
    s.push(input(10_550, Input::Touch));
    assert_eq!(when(&s, 19_000), Some((Signal::ScrollUp, 10_550)));
}

#[test]
fn a_touch_that_starts_another_flick_up_is_no_tap() {
    // Two flicks to bring the address bar back: the second one's touch scrolls the page.
    let mut s = read_then_flick_up();
    s.extend([
        input(10_400, Input::Touch),
        scroll(10_500, 900),
        scroll(10_600, 850),
    ]);
    assert_eq!(when(&s, 19_000), Some((Signal::ScrollUp, 10_850)));
    // A touch that moves nothing before the scroll settles is a tap.
    let mut s = read_then_flick_up();
    s.extend([input(10_400, Input::Touch), scroll(10_500, 1_000)]);
    assert_eq!(when(&s, 19_000), None, "a scroll sample that moved nothing");
    // A click (phones fire one after a tap) ends it at once.
    let mut s = read_then_flick_up();
    s.push(input(10_400, Input::Click));
    assert_eq!(when(&s, 19_000), None);
}

#[test]
fn the_scroll_settles_after_its_last_upward_move() {
    // The fling's tail keeps moving the page up slowly: not settled until it stops.
    let mut s = read_then_flick_up();
    s.extend([scroll(10_500, 980), scroll(10_700, 970)]);
    assert_eq!(when(&s, 19_000), Some((Signal::ScrollUp, 10_950)));
    let mut d = Detector::new(settings());
    for x in read_then_flick_up() {
        d.feed(x);
    }
    assert_eq!(d.next_wake(), Some(10_550));
    d.feed(scroll(10_500, 980));
    assert_eq!(d.next_wake(), Some(10_750));
}

#[test]
fn scrolling_back_down_is_reading_on() {
    let mut s = read_then_flick_up();
    s.push(scroll(10_400, 1_041));
    assert_eq!(when(&s, 19_000), None, "41 px down");
    // Up to 40 px down is a fling settling (or rounding at its end).
    let mut s = read_then_flick_up();
    s.push(scroll(10_400, 1_040));
    assert_eq!(when(&s, 19_000), Some((Signal::ScrollUp, 10_550)));
}

#[test]
fn hiding_the_page_after_a_tap_is_following_a_link() {
    let mut s = read_then_flick_up();
    s.extend([input(10_400, Input::Touch), visibility(10_500, true)]);
    assert_eq!(when(&s, 60_000), None);
}

#[test]
fn hiding_the_page_before_the_scroll_settles_confirms_it() {
    // Pulled up, then off to another app.
    let mut s = read_then_flick_up();
    s.push(visibility(10_400, true));
    assert_eq!(when(&s, 60_000), Some((Signal::ScrollUp, 10_400)));
}

#[test]
fn scrolling_up_to_the_very_top_is_going_for_the_header() {
    let mut s = read_then_flick_up();
    s.extend([scroll(10_400, 500), scroll(10_500, 0)]);
    assert_eq!(when(&s, 19_000), None);
    // A run that starts again from the top is nothing either.
    s.extend([scroll(12_000, 0)]);
    assert_eq!(when(&s, 19_000), None);
    // Stopping one pixel below the top is still a pull.
    let mut s = read_then_flick_up();
    s.extend([scroll(10_400, 500), scroll(10_500, 1)]);
    assert_eq!(when(&s, 19_000), Some((Signal::ScrollUp, 10_750)));
}

#[test]
fn the_page_must_have_been_read_down_to_min_depth() {
    // Deepest viewport bottom at exactly 30 % of the page, then 400 px up fast.
    let run = |deepest: i32| {
        when(
            &[
                land(0, P),
                scroll_vh(1_000, deepest, 400),
                scroll_vh(10_000, deepest, 400),
                scroll_vh(10_100, deepest - 200, 400),
                scroll_vh(10_200, deepest - 400, 400),
            ],
            19_000,
        )
    };
    assert_eq!(run(800), Some((Signal::ScrollUp, 10_450)));
    assert_eq!(run(799), None, "29 %");
}

#[test]
fn the_run_must_cover_min_px() {
    let run = |to: i32| {
        when(
            &[
                land(0, P),
                scroll(1_000, 2_000),
                scroll(10_000, 2_000),
                scroll(10_100, 1_800),
                scroll(10_200, to),
            ],
            19_000,
        )
    };
    assert_eq!(run(1_600), Some((Signal::ScrollUp, 10_450)));
    assert_eq!(run(1_601), None);
}

#[test]
fn the_run_must_be_fast_enough() {
    let run = |end: Millis| {
        when(
            &[
                land(0, P),
                scroll(1_000, 2_000),
                scroll(10_000, 2_000),
                scroll(10_200, 1_800),
                scroll(end, 1_600),
            ],
            19_000,
        )
    };
    // 400 px in 400 ms is 1 000 px/s.
    assert_eq!(run(10_400), Some((Signal::ScrollUp, 10_650)));
    assert_eq!(run(10_401), None);
}

#[test]
fn a_pause_or_a_move_down_starts_a_new_run() {
    // 200 px up, a pause of 301 ms, 300 px up: no single run of 400 px.
    let paused = [
        land(0, P),
        scroll(1_000, 2_000),
        scroll(10_000, 2_000),
        scroll(10_100, 1_800),
        scroll(10_401, 1_700),
        scroll(10_500, 1_500),
    ];
    assert_eq!(when(&paused, 19_000), None);
    // With a pause of 300 ms it is one run.
    let mut joined = paused;
    joined[4] = scroll(10_400, 1_700);
    assert_eq!(when(&joined, 19_000), Some((Signal::ScrollUp, 10_750)));
    // 300 px up, 50 px down, 350 px up.
    let zigzag = [
        land(0, P),
        scroll(1_000, 2_000),
        scroll(10_000, 2_000),
        scroll(10_100, 1_700),
        scroll(10_200, 1_750),
        scroll(10_300, 1_400),
    ];
    assert_eq!(when(&zigzag, 19_000), None);
}

#[test]
fn scroll_up_waits_for_the_arming_delay() {
    let early = [
        land(0, P),
        scroll(100, 2_000),
        scroll(2_700, 2_000),
        scroll(2_800, 1_600),
        scroll(2_999, 1_200),
    ];
    assert_eq!(when(&early, 19_000), None);
}

#[test]
fn returning_to_the_tab_after_min_hidden_ms() {
    let away = |back: Millis| {
        first(
            &[
                land(0, P),
                scroll(1_000, 0),
                visibility(10_000, true),
                visibility(back, false),
            ],
            back + 1_000,
        )
    };
    assert_eq!(
        away(15_000),
        Some(Detection {
            signal: Signal::TabReturn,
            at: 15_000,
            time_on_page_ms: 15_000,
            scroll_depth_percent: 20,
            measure: 5_000,
        })
    );
    assert_eq!(away(14_999), None, "a glance at a notification");
}

#[test]
fn leaving_before_the_page_was_armed_is_no_tab_return() {
    let s = [
        land(0, P),
        visibility(2_999, true),
        visibility(60_000, false),
    ];
    assert_eq!(when(&s, 61_000), None);
    let s = [
        land(0, P),
        visibility(3_000, true),
        visibility(60_000, false),
    ];
    assert_eq!(when(&s, 61_000), Some((Signal::TabReturn, 60_000)));
}

#[test]
fn a_page_opened_in_the_background_is_shown_not_returned_to() {
    let background = Sample::Land {
        at: 0,
        viewport_w: W,
        viewport_h: H,
        document_h: PAGE,
        device: P,
        restored: false,
        hidden: true,
    };
    assert_eq!(when(&[background, visibility(60_000, false)], 61_000), None);
    // Shown at 60 s: armed at 63 s; a later real return counts.
    let s = [
        background,
        visibility(60_000, false),
        visibility(63_000, true),
        visibility(70_000, false),
    ];
    assert_eq!(when(&s, 71_000), Some((Signal::TabReturn, 70_000)));
}

#[test]
fn idle_after_engagement() {
    let engaged = [land(0, P), scroll(1_000, 1_000)];
    let hit = first(&engaged, 60_000);
    assert_eq!(
        hit,
        Some(Detection {
            signal: Signal::Idle,
            at: 21_000,
            time_on_page_ms: 21_000,
            scroll_depth_percent: 45,
            measure: 20_000,
        })
    );
    let mut d = Detector::new(settings());
    for s in engaged {
        d.feed(s);
    }
    assert_eq!(d.next_wake(), Some(21_000));
    d.feed(input(15_000, Input::Touch));
    assert_eq!(d.next_wake(), Some(35_000), "input restarts the idle timer");
    assert_eq!(d.tick(34_999), None);
    assert_eq!(d.tick(35_000).map(|h| h.signal), Some(Signal::Idle));
}

#[test]
fn idle_needs_depth_and_an_input() {
    // Deepest bottom at exactly 25 % of the page, and at 24 %.
    let at = |y: i32| when(&[land(0, P), scroll_vh(1_000, y, 400)], 60_000);
    assert_eq!(at(600), Some((Signal::Idle, 21_000)));
    assert_eq!(at(599), None);
    // A page shorter than the window is seen whole, but the shopper did nothing.
    let short = Sample::Land {
        at: 0,
        viewport_w: W,
        viewport_h: H,
        document_h: 700,
        device: P,
        restored: false,
        hidden: false,
    };
    assert_eq!(when(&[short], 60_000), None);
    assert_eq!(
        when(&[short, input(2_000, Input::Touch)], 60_000),
        Some((Signal::Idle, 22_000))
    );
}

#[test]
fn idle_stops_while_hidden() {
    let s = [land(0, P), scroll(1_000, 1_000), visibility(10_000, true)];
    let mut d = Detector::new(settings());
    for x in s {
        d.feed(x);
    }
    assert_eq!(d.next_wake(), None);
    assert_eq!(d.tick(100_000), None);
    // Shown again after 30 s: that is a return, not idleness.
    assert_eq!(
        d.feed(visibility(40_000, false))
            .map(|h| (h.signal, h.measure)),
        Some((Signal::TabReturn, 30_000))
    );
}

#[test]
fn signals_turned_off_stay_quiet() {
    let off = ExitSettings {
        desktop: DeviceSettings::OFF,
        phone: DeviceSettings::OFF,
    };
    let mut s = read_then_flick_up();
    s.extend([visibility(20_000, true), visibility(40_000, false)]);
    assert_eq!(replay(off, &s, 600_000), None);
    let pointer_on_a_phone = [land(0, P), leave(5_000, 600, -2, 0, -2000)];
    assert_eq!(when(&pointer_on_a_phone, 6_000), None);
}

#[test]
fn a_sample_repeating_the_position_does_not_restart_the_upward_run() {
    // A wheel or stepped scroll: each step's `scroll` sample and its `scrollend` sample land on
    // the same position; the run goes on across them (found in Chromium's phone emulation).
    let s = vec![
        land(0, P),
        scroll(1_000, 0),
        scroll(2_000, 1_600),
        scroll(10_000, 1_600),
        scroll(10_100, 1_400),
        scroll(10_100, 1_400),
        scroll(10_200, 1_200),
        scroll(10_200, 1_200),
        scroll(10_300, 1_000),
        scroll(10_300, 1_000),
    ];
    assert_eq!(when(&s, 60_000), Some((Signal::ScrollUp, 10_550)));
}
