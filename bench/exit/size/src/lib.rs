//! The exit-intent detector's calls as a shell would export them: configure from program
//! bytes, feed a sample of six numbers, tick, next wake-up. Without the `detector` feature the
//! same exports do trivial work (still linking trailmark, whose web shell comes along in both),
//! so the difference in size is the detector's.

#[cfg(feature = "detector")]
use trailmark::exit::{Detector, ExitSettings, Sample};

#[cfg(feature = "detector")]
static mut DETECTOR: Option<Detector> = None;

#[cfg(feature = "detector")]
#[allow(static_mut_refs)]
fn detector() -> &'static mut Detector {
    // Single-threaded wasm: nothing else touches it.
    unsafe { DETECTOR.get_or_insert_with(|| Detector::new(ExitSettings::default())) }
}

/// Result of a call: 0 nothing, 1-4 the signal that fired; the measurements are read with
/// `exit_measure`.
#[cfg(feature = "detector")]
static mut LAST: [i64; 4] = [0; 4];

#[cfg(feature = "detector")]
#[allow(static_mut_refs)]
fn report(d: Option<trailmark::exit::Detection>) -> u32 {
    match d {
        None => 0,
        Some(d) => unsafe {
            LAST = [d.at, d.time_on_page_ms, i64::from(d.scroll_depth_percent), d.measure];
            d.signal as u32 + 1
        },
    }
}

/// Reads settings from program bytes (what `trailmark build` writes).
#[no_mangle]
pub extern "C" fn exit_configure(ptr: *const u8, len: usize) -> u32 {
    #[cfg(feature = "detector")]
    {
        use trailmark::wire::{Reader, Wire};
        let bytes = unsafe { core::slice::from_raw_parts(ptr, len) };
        let mut r = Reader::new(bytes);
        let s = ExitSettings::get(&mut r);
        if !r.finish() {
            return 0;
        }
        *detector() = Detector::new(s);
        1
    }
    #[cfg(not(feature = "detector"))]
    {
        // Links trailmark as the detector variant does (its web shell's exports come along in
        // both), so the difference is the detector alone.
        let bytes = unsafe { core::slice::from_raw_parts(ptr, len) };
        trailmark::wire::Reader::new(bytes).u() as u32
    }
}

/// One sample from the sampler's six numbers.
#[no_mangle]
pub extern "C" fn exit_feed(kind: u32, t: f64, a: f64, b: f64, c: f64, d: f64) -> u32 {
    #[cfg(feature = "detector")]
    {
        match Sample::from_numbers(kind, t, a, b, c, d) {
            Some(s) => report(detector().feed(s)),
            None => 0,
        }
    }
    #[cfg(not(feature = "detector"))]
    {
        (kind as f64 + t + a + b + c + d) as u32
    }
}

/// The detector's timer.
#[no_mangle]
pub extern "C" fn exit_tick(now: f64) -> u32 {
    #[cfg(feature = "detector")]
    {
        report(detector().tick(now as i64))
    }
    #[cfg(not(feature = "detector"))]
    {
        now as u32
    }
}

/// When to call `exit_tick` next (-1: no timer).
#[no_mangle]
pub extern "C" fn exit_next_wake() -> f64 {
    #[cfg(feature = "detector")]
    {
        detector().next_wake().map_or(-1.0, |t| t as f64)
    }
    #[cfg(not(feature = "detector"))]
    {
        -1.0
    }
}

/// One measurement of the last detection (0 at, 1 time on page, 2 depth, 3 measure).
#[no_mangle]
pub extern "C" fn exit_measure(i: u32) -> f64 {
    #[cfg(feature = "detector")]
    #[allow(static_mut_refs)]
    unsafe {
        LAST.get(i as usize).copied().unwrap_or(0) as f64
    }
    #[cfg(not(feature = "detector"))]
    {
        f64::from(i)
    }
}

