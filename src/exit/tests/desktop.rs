//! `pointer-top` and the desktop page: every edge, with injected time.

use super::*;

const D: Device = Device::Desktop;

/// A shopper heading for the address bar: straight up, fast, out at the top.
fn up(at: Millis) -> Sample {
    leave(at, 640, -3, 0, -1500)
}

#[test]
fn a_fast_upward_exit_through_the_top_fires_after_the_grace_period() {
    let hit = first(&[land(0, D), scroll(100, 1200), up(5_000)], 60_000);
    assert_eq!(
        hit,
        Some(Detection {
            signal: Signal::PointerTop,
            at: 5_150,
            time_on_page_ms: 5_150,
            scroll_depth_percent: 50,
            measure: 1500,
        })
    );
}

#[test]
fn the_shell_learns_the_grace_period_through_next_wake() {
    let mut d = Detector::new(settings());
    assert_eq!(d.feed(land(0, D)), None);
    assert_eq!(d.next_wake(), None, "desktop: no idle by default");
    assert_eq!(d.feed(up(5_000)), None);
    assert_eq!(d.next_wake(), Some(5_150));
    assert_eq!(d.tick(5_149), None);
    assert_eq!(d.tick(5_150).map(|h| h.signal), Some(Signal::PointerTop));
    assert!(d.fired());
    assert_eq!(d.next_wake(), None);
}

#[test]
fn a_late_timer_still_fires_on_the_next_sample() {
    let mut d = Detector::new(settings());
    d.feed(land(0, D));
    d.feed(up(5_000));
    // The shell's timer never ran; the next sample comes after the grace period.
    let hit = d.feed(scroll(6_000, 0));
    assert_eq!(
        hit.map(|h| (h.signal, h.at)),
        Some((Signal::PointerTop, 6_000))
    );
}

#[test]
fn arming_delay_after_landing() {
    assert_eq!(when(&[land(0, D), up(999)], 60_000), None);
    assert_eq!(
        when(&[land(0, D), up(1_000)], 60_000),
        Some((Signal::PointerTop, 1_150))
    );
    // Counted from the landing, not from zero.
    assert_eq!(when(&[land(50_000, D), up(50_999)], 90_000), None);
}

#[test]
fn a_back_forward_cache_restore_restarts_the_arming_delay() {
    let restored = Sample::Land {
        at: 20_000,
        viewport_w: W,
        viewport_h: H,
        document_h: PAGE,
        device: D,
        restored: true,
        hidden: false,
    };
    assert_eq!(when(&[land(0, D), restored, up(20_999)], 60_000), None);
    let hit = first(&[land(0, D), restored, up(21_000)], 60_000);
    assert_eq!(
        hit.map(|h| (h.at, h.time_on_page_ms)),
        Some((21_150, 1_150)),
        "time on page counts from the restore"
    );
}

#[test]
fn a_page_opened_in_the_background_arms_when_first_shown() {
    let background = Sample::Land {
        at: 0,
        viewport_w: W,
        viewport_h: H,
        document_h: PAGE,
        device: D,
        restored: false,
        hidden: true,
    };
    assert_eq!(
        when(&[background, visibility(30_000, false), up(30_999)], 90_000),
        None
    );
    assert_eq!(
        when(&[background, visibility(30_000, false), up(31_000)], 90_000),
        Some((Signal::PointerTop, 31_150))
    );
    assert_eq!(when(&[background, up(5_000)], 90_000), None, "hidden");
}

#[test]
fn the_top_edge_is_edge_px() {
    assert!(first(&[land(0, D), leave(5_000, 640, 20, 0, -900)], 60_000).is_some());
    assert_eq!(
        first(&[land(0, D), leave(5_000, 640, 21, 0, -900)], 60_000),
        None
    );
    assert!(first(&[land(0, D), leave(5_000, 640, -40, 0, -900)], 60_000).is_some());
}

#[test]
fn the_least_upward_speed_is_min_speed() {
    assert!(first(&[land(0, D), leave(5_000, 640, 0, 0, -200)], 60_000).is_some());
    assert_eq!(
        first(&[land(0, D), leave(5_000, 640, 0, 0, -199)], 60_000),
        None
    );
    // Moving down into a popup that starts at the top of the window.
    assert_eq!(
        first(&[land(0, D), leave(5_000, 640, 10, 0, 400)], 60_000),
        None
    );
}

#[test]
fn sideways_and_bottom_exits_are_not_exits_through_the_top() {
    let sideways = [
        // Out through the left or right edge, even near the top.
        leave(5_000, -1, 10, -2000, -300),
        leave(5_000, W + 1, 10, 2000, -300),
        // Skimming along the top edge: sideways, barely up.
        leave(5_000, 1200, 0, 2000, -199),
        // Through the bottom.
        leave(5_000, 640, H + 2, 0, 1500),
        // A "leave" from inside the window: a native popup or an iframe, not the edge.
        leave(5_000, 640, 300, 0, -1500),
    ];
    for s in sideways {
        assert_eq!(first(&[land(0, D), s], 60_000), None, "{s:?}");
    }
    // Diagonal toward the tab strip: more sideways than up, yet up fast enough.
    assert!(first(&[land(0, D), leave(5_000, 100, 0, -7000, -200)], 60_000).is_some());
}

#[test]
fn coming_back_within_the_grace_period_cancels() {
    assert_eq!(
        when(&[land(0, D), up(5_000), enter(5_149, 2)], 60_000),
        None,
        "a hand overshooting the header"
    );
    assert_eq!(
        when(&[land(0, D), up(5_000), enter(5_150, 2)], 60_000),
        Some((Signal::PointerTop, 5_150))
    );
    // Leaving again later counts (past the entry guard).
    assert_eq!(
        when(&[land(0, D), up(5_000), enter(5_100, 2), up(5_700)], 60_000),
        Some((Signal::PointerTop, 5_850))
    );
}

#[test]
fn a_dip_back_in_at_the_top_continues_the_exit() {
    // Along the bookmarks bar: out, back in at the top for a moment, out again slowly and
    // sideways (no speed, no entry guard: the same excursion), then a fresh grace period.
    let along = leave(5_400, 900, -1, 1_600, -10);
    assert_eq!(
        when(&[land(0, D), up(5_000), enter(5_100, 0), along], 60_000),
        Some((Signal::PointerTop, 5_550))
    );
    // The same slow leave with no exit before it is nothing.
    assert_eq!(when(&[land(0, D), along], 60_000), None);
    // Out again later than 1 s after the dip: a new exit, judged on its own.
    let later = leave(6_101, 900, -1, 1_600, -10);
    assert_eq!(
        when(&[land(0, D), up(5_000), enter(5_100, 0), later], 60_000),
        None
    );
    let at_the_limit = leave(6_100, 900, -1, 1_600, -10);
    assert_eq!(
        when(
            &[land(0, D), up(5_000), enter(5_100, 0), at_the_limit],
            60_000
        ),
        Some((Signal::PointerTop, 6_250))
    );
    // Back in lower down (over the page, not along its top): the hand came back.
    assert_eq!(
        when(&[land(0, D), up(5_000), enter(5_100, 51), along], 60_000),
        None
    );
    // A click while back in is using the page.
    assert_eq!(
        when(
            &[
                land(0, D),
                up(5_000),
                enter(5_100, 0),
                input(5_200, Input::Click),
                along
            ],
            60_000
        ),
        None
    );
    // Still through the top only: a dip that ends out through the side is no exit.
    assert_eq!(
        when(
            &[
                land(0, D),
                up(5_000),
                enter(5_100, 0),
                leave(5_400, W + 1, 10, 1_600, -10)
            ],
            60_000
        ),
        None
    );
}

#[test]
fn switching_tabs_during_the_grace_period_confirms_it() {
    let s = [land(0, D), up(5_000), visibility(5_100, true)];
    assert_eq!(when(&s, 60_000), Some((Signal::PointerTop, 5_100)));
    // Hidden without a pending exit is nothing (desktops have no tab-return by default).
    let s = [
        land(0, D),
        visibility(5_100, true),
        visibility(9_000, false),
    ];
    assert_eq!(when(&s, 60_000), None);
    // Hidden before the arming delay: no detection.
    let s = [
        land(0, D),
        leave(900, 640, -3, 0, -1500),
        visibility(950, true),
    ];
    assert_eq!(when(&s, 60_000), None);
}

#[test]
fn a_pointer_that_entered_from_the_top_is_not_leaving() {
    // ouibounce #25: browsers report a leave right after the pointer comes in from the top.
    assert_eq!(
        when(&[land(0, D), enter(3_000, 4), up(3_599)], 60_000),
        None
    );
    assert_eq!(
        when(&[land(0, D), enter(3_000, 4), up(3_600)], 60_000),
        Some((Signal::PointerTop, 3_750))
    );
    // Entering lower down (from the side) is no entry from the top.
    assert_eq!(
        when(&[land(0, D), enter(3_000, 51), up(3_001)], 60_000),
        Some((Signal::PointerTop, 3_151))
    );
}

#[test]
fn an_open_select_is_not_an_exit() {
    let open = [land(0, D), focus(4_000, Focus::Select), up(5_000)];
    assert_eq!(when(&open, 60_000), None);
    let closed = [
        land(0, D),
        focus(4_000, Focus::Select),
        focus(4_500, Focus::None),
        up(5_000),
    ];
    assert_eq!(when(&closed, 60_000), Some((Signal::PointerTop, 5_150)));
}

#[test]
fn typing_is_not_an_exit() {
    let typing = |last_key: Millis, out: Millis| {
        when(
            &[
                land(0, D),
                focus(2_000, Focus::Text),
                input(last_key, Input::Key),
                up(out),
            ],
            60_000,
        )
    };
    assert_eq!(typing(3_000, 4_499), None);
    assert_eq!(typing(3_000, 4_500), Some((Signal::PointerTop, 4_650)));
    // A focused field without typing does not hold the signal back.
    assert_eq!(
        when(&[land(0, D), focus(2_000, Focus::Text), up(2_001)], 60_000),
        Some((Signal::PointerTop, 2_151))
    );
    // Keys outside a text field are interactions only.
    assert_eq!(
        when(&[land(0, D), input(3_000, Input::Key), up(3_400)], 60_000),
        Some((Signal::PointerTop, 3_550))
    );
}

#[test]
fn quiet_right_after_a_click() {
    assert_eq!(
        when(&[land(0, D), input(3_000, Input::Click), up(3_399)], 60_000),
        None
    );
    assert_eq!(
        when(&[land(0, D), input(3_000, Input::Click), up(3_400)], 60_000),
        Some((Signal::PointerTop, 3_550))
    );
}

#[test]
fn fires_once_per_page_view() {
    let mut d = Detector::new(settings());
    d.feed(land(0, D));
    d.feed(up(5_000));
    assert!(d.tick(5_150).is_some());
    d.feed(enter(6_000, 300));
    assert_eq!(d.feed(up(9_000)), None);
    assert_eq!(d.tick(9_150), None);
    // A new page view (a back/forward-cache restore) starts over.
    d.feed(land(20_000, D));
    assert!(!d.fired());
    d.feed(up(25_000));
    assert_eq!(d.tick(25_150).map(|h| h.time_on_page_ms), Some(5_150));
}

#[test]
fn desktops_use_only_pointer_top_by_default() {
    // A phone gesture, a tab switch and a long idle on a desktop.
    let s = [
        land(0, D),
        scroll(1_000, 3_000),
        scroll(1_100, 2_000),
        scroll(1_200, 1_000),
        visibility(2_000, true),
        visibility(60_000, false),
    ];
    assert_eq!(when(&s, 600_000), None);
}

#[test]
fn a_resized_window_moves_the_side_edges() {
    let narrow = Sample::Resize {
        at: 2_000,
        viewport_w: 600,
        viewport_h: H,
    };
    assert_eq!(
        when(&[land(0, D), narrow, leave(5_000, 640, 0, 0, -900)], 60_000),
        None
    );
    assert!(first(&[land(0, D), narrow, leave(5_000, 600, 0, 0, -900)], 60_000).is_some());
}
